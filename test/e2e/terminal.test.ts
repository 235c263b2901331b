// okpay on a real terminal (tmux) at 80 and 120 columns: tables fit, times read as local time.

import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Okpay } from '../support/okpay.js';
import { Terminal } from '../support/tmux.js';

const NOW = '2026-12-04T15:00:00.000Z';
const PASSWORD = 'Generated-pass-1!';

let okpay: Okpay;
let agent: string;
let customer: string;

beforeAll(async () => {
  okpay = new Okpay({ now: NOW });
  const generated = await okpay.run(['fixtures', 'generate', '--users', '8', '--transactions', '60', '--tickets', '25', '--seed', '7']);
  expect(generated.code).toBe(0);
  const login = async (email: string) => {
    const run = await okpay.run(['login', '--email', email, '--raw'], { env: { OKPAY_PASSWORD: PASSWORD } });
    expect(run.code).toBe(0);
    return run.stdout.trim();
  };
  agent = await login('agent1@okpay.test');
  customer = await login('zoe.petit.1@example.com');
});

afterAll(() => okpay.cleanup());

const env = (session: string) => ({ OKPAY_HOME: okpay.home, OKPAY_NOW: NOW, OKPAY_SESSION: session, TZ: 'Europe/Paris' });

function expectTableFits(lines: readonly string[], columns: number): void {
  const table = lines.filter((line) => /^[┌│├└]/.test(line));
  expect(table.length).toBeGreaterThan(4);
  for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
  // Every line of the frame is exactly as wide as the others, and rows are not separated.
  expect(new Set(table.map((line) => stringWidth(line))).size).toBe(1);
  expect(table.filter((line) => line.startsWith('├'))).toHaveLength(1);
}

describe.each([80, 120])('at %i columns', (columns) => {
  let terminal: Terminal;
  beforeAll(() => {
    terminal = new Terminal(columns);
  });
  afterAll(() => terminal.close());

  it('history is a table that fits, with local times and whole ids and amounts', async () => {
    const screen = await terminal.okpay(['history', '--limit', '8'], env(customer));
    expect(screen.code).toBe(0);
    expectTableFits(screen.lines, columns);
    expect(screen.text).toMatch(/│ 2026-12-04 16:00 CET\s+│ txn_0000000060 │/);
    expect(screen.text).toMatch(/-90\.85 USD/);
    expect(screen.text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
  });

  it('agent queue is a table that fits, with the SLA overdue in words', async () => {
    const screen = await terminal.okpay(['agent', 'queue'], env(agent));
    expect(screen.code).toBe(0);
    expectTableFits(screen.lines, columns);
    expect(screen.text).toMatch(/overdue \d+ h \d\d min/);
    expect(screen.text).not.toMatch(/ -\d+ h/);
    expect(screen.lines[1]?.includes('Priority')).toBe(columns === 120);
  });
});

describe('below 60 columns', () => {
  it('history is one block per transaction', async () => {
    const terminal = new Terminal(50);
    try {
      const screen = await terminal.okpay(['history', '--limit', '3'], env(customer));
      expect(screen.code).toBe(0);
      expect(screen.text).not.toContain('│');
      expect(screen.lines[0]).toMatch(/^Date\s+2026-12-04 16:00 CET$/);
      for (const line of screen.lines) expect(stringWidth(line)).toBeLessThanOrEqual(50);
    } finally {
      terminal.close();
    }
  });
});
