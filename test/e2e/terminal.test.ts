// okpay on a real terminal (tmux) at 80 and 120 columns: tables fit, times read as local time.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, Okpay } from '../support/okpay.js';
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
  customer = await login('grace.smith.7@example.com');
});

afterAll(() => okpay.cleanup());

const env = (session: string) => ({ ...okpay.storeEnv(), OKPAY_NOW: NOW, OKPAY_SESSION: session, TZ: 'Europe/Paris' });

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
    const screen = await terminal.okpay(['history', '--limit', '8', '--no-pager'], env(customer));
    expect(screen.code).toBe(0);
    expectTableFits(screen.lines, columns);
    expect(screen.text).toMatch(/│ 2026-12-02 08:36 CET\s+│ txn_0000000060 │/);
    expect(screen.text).toMatch(/-163\.82 USD/);
    expect(screen.text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
  });

  it('agent queue is a table that fits, with the SLA overdue in words', async () => {
    const screen = await terminal.okpay(['agent', 'queue', '--no-pager'], env(agent));
    expect(screen.code).toBe(0);
    expectTableFits(screen.lines, columns);
    expect(screen.text).toMatch(/overdue \d+ h \d\d min/);
    expect(screen.text).not.toMatch(/ -\d+ h/);
    expect(screen.lines[1]?.includes('Priority')).toBe(columns === 120);
  });
});

describe('payouts at 80 columns', () => {
  let terminal: Terminal;
  let payer: string;
  let held: { id: string; fee: string; total: string };
  let released: string;
  beforeAll(async () => {
    terminal = new Terminal(80);
    const login = await okpay.run(['login', '--email', 'sofia.martinez.6@example.com', '--raw'], { env: { OKPAY_PASSWORD: PASSWORD } });
    payer = login.stdout.trim();
    const as = { env: { OKPAY_SESSION: payer } };
    const method = await okpay.run(['withdraw', 'methods', 'add', 'bank', '--holder', 'Sofia Martinez', '--iban', 'DE89370400440532013000', '--json'], as);
    const methodId = method.json<{ method: { id: string } }>().method.id;
    const withdraw = async (amount: string) => {
      const run = await okpay.run(['withdraw', '--method', methodId, '--amount', amount, '--currency', 'USD', '--yes', '--json'], as);
      expect(run.code, run.stderr).toBe(0);
      return run.json<{ withdrawal: { id: string; fee: string; total: string } }>().withdrawal;
    };
    held = await withdraw('1200.00');
    const cancelled = await withdraw('33.50');
    released = cancelled.total;
    expect((await okpay.run(['withdraw', 'cancel', cancelled.id, '--yes'], { ...as, now: '2026-12-04T15:01:00.000Z' })).code).toBe(0);
  });
  afterAll(() => terminal.close());

  it('history stays a table with payout holds and releases: their amounts and ids whole', async () => {
    const screen = await terminal.okpay(['history', '--limit', '6', '--no-pager'], { ...env(payer), OKPAY_NOW: '2026-12-04T15:02:00.000Z' });
    expect(screen.code).toBe(0);
    expectTableFits(screen.lines, 80);
    const row = screen.lines.find((line) => line.includes(`${held.total} USD held`));
    expect(row).toMatch(/│ txn_\d{10} │/);
    expect(row).toMatch(/│ requested │$/);
    expect(screen.text).toContain(`│ ${released} USD released │ cancelled │`);
  });

  it('a batch with a failed row shows its results as a table, transaction ids whole', async () => {
    const file = path.join(okpay.home, 'payroll.csv');
    writeFileSync(
      file,
      'to,amount,currency,memo,reference\nlucas.evans.3@example.com,1.00,USD,December payroll,pay-1\nnot.yet.here@example.org,1.00,USD,welcome,pay-2\nyong.he.4@example.com,99999.00,USD,too much,pay-3\n',
    );
    const screen = await terminal.okpay(['transfer', '--batch', file, '--yes', '--no-pager'], env(payer));
    expect(screen.code).toBe(7);
    // The error line after the table is as long as it is: the terminal wraps it.
    expectTableFits(
      screen.lines.filter((line) => !line.startsWith('okpay: ')),
      80,
    );
    expect(screen.text).toMatch(/│ paid +│ txn_\d{10} │/);
    expect(screen.text).toMatch(/│ failed +│ not enough [^│]*… │/);
  });

  it('withdraw list keeps the fee and the amount held', async () => {
    const screen = await terminal.okpay(['withdraw', 'list', '--no-pager'], env(payer));
    expect(screen.code).toBe(0);
    expectTableFits(screen.lines, 80);
    expect(screen.lines[1]).toMatch(/│ Fee +│ Held +│/);
    expect(screen.text).toContain(`│ ${held.id} │ 1200.00 USD │ ${held.fee} USD │ ${held.total} USD │`);
  });
});

describe('below 60 columns', () => {
  it('history is one block per transaction', async () => {
    const terminal = new Terminal(50);
    try {
      const screen = await terminal.okpay(['history', '--limit', '3', '--no-pager'], env(customer));
      expect(screen.code).toBe(0);
      expect(screen.text).not.toContain('│');
      expect(screen.lines[0]).toMatch(/^Date\s+2026-12-02 08:36 CET$/);
      for (const line of screen.lines) expect(stringWidth(line)).toBeLessThanOrEqual(50);
    } finally {
      terminal.close();
    }
  });
});

describe('the pager', () => {
  let terminal: Terminal;
  beforeAll(() => {
    terminal = new Terminal(80);
  });
  afterAll(() => terminal.close());

  const marked = "sed 's/^/PAGED: /'";
  const pagedLines = (lines: readonly string[]) => lines.filter((line) => line.trim() !== '');

  it('takes the output of a long read on a terminal, OKPAY_PAGER first, then PAGER', async () => {
    for (const variable of ['OKPAY_PAGER', 'PAGER']) {
      const screen = await terminal.okpay(['history', '--limit', '5'], { ...env(customer), [variable]: marked });
      expect(screen.code).toBe(0);
      const lines = pagedLines(screen.lines).filter((line) => !line.startsWith('more on the next page'));
      expect(lines.length).toBeGreaterThan(5);
      for (const line of lines) expect(line).toMatch(/^PAGED: /);
    }
  });

  it('is not used with --no-pager, with OKPAY_PAGER=cat, or when the output is piped', async () => {
    const runs = [
      await terminal.okpay(['history', '--limit', '5', '--no-pager'], { ...env(customer), OKPAY_PAGER: marked }),
      await terminal.okpay(['history', '--limit', '5'], { ...env(customer), OKPAY_PAGER: 'cat', PAGER: marked }),
      await terminal.okpay([], { ...env(customer), OKPAY_PAGER: marked }, { shell: `node ${JSON.stringify(BIN)} history --limit 5 | cat` }),
    ];
    for (const screen of runs) {
      expect(screen.code).toBe(0);
      expect(screen.text).toContain('txn_0000000060');
      expect(screen.text).not.toContain('PAGED');
    }
  });

  it('is less -FRX by default, which prints a short output and quits by itself', async () => {
    const screen = await terminal.okpay(['history', '--limit', '3'], env(customer));
    expect(screen.code).toBe(0);
    expect(screen.text).toMatch(/│ 2026-12-02 08:36 CET\s+│ txn_0000000060 │/);
  });

  it('never takes a command that changes something', async () => {
    const screen = await terminal.okpay(['deposit', '--amount', '1.00', '--currency', 'USD', '--yes'], { ...env(customer), OKPAY_PAGER: marked });
    expect(screen.code).toBe(0);
    expect(screen.text).not.toContain('PAGED');
  });
});

describe('long text on a narrow terminal', () => {
  let terminal: Terminal;
  beforeAll(() => {
    terminal = new Terminal(50);
  });
  afterAll(() => terminal.close());

  it('wraps a Chinese FAQ article by character, within the width, losing nothing', async () => {
    const screen = await terminal.okpay(['faq', '忘记密码', '--no-pager'], env(customer));
    expect(screen.code).toBe(0);
    for (const line of screen.lines) expect(stringWidth(line)).toBeLessThanOrEqual(50);
    const piped = await okpay.run(['faq', '忘记密码']);
    const body = piped.stdout.split('\n').filter((line) => stringWidth(line) > 50);
    expect(body.length).toBeGreaterThan(0);
    const squeeze = (text: string) => text.replace(/\s+/g, '');
    expect(squeeze(screen.text)).toContain(squeeze(body[0] ?? ''));
  });

  it('wraps support’s descriptions under their column', async () => {
    const screen = await terminal.okpay(['support', '--no-pager'], env(customer));
    expect(screen.code).toBe(0);
    for (const line of screen.lines) expect(stringWidth(line)).toBeLessThanOrEqual(50);
    const use = screen.lines.findIndex((line) => line.includes('Account, money, identity-check'));
    expect(use).toBeGreaterThan(0);
    expect(screen.lines[use + 1]).toMatch(/^ {19}\S/);
  });
});
