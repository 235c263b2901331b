// Colour when piped: FORCE_COLOR turns it on; NO_COLOR and --no-color still win.

import { afterAll, describe, expect, it } from 'vitest';
import { Okpay } from '../support/okpay.js';

const okpay = new Okpay();
afterAll(() => okpay.cleanup());

const ESC = '\u001b[';

describe.concurrent('colour', () => {
  it('is off when piped', async () => {
    const run = await okpay.run(['support']);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain(ESC);
  });

  it('is on when piped with FORCE_COLOR=1, data and messages alike', async () => {
    const run = await okpay.run(['support'], { env: { FORCE_COLOR: '1' } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${ESC}1m`);
    const registered = await okpay.run(['register', '--email', 'colour@example.com', '--accept-terms', '--password-stdin'], {
      stdin: 'Harbour-lights-42!\n',
      env: { FORCE_COLOR: '1' },
    });
    expect(registered.code).toBe(0);
    expect(registered.stderr).toContain(`${ESC}32m✓${ESC}39m`);
  });

  it('stays off with NO_COLOR or --no-color, even with FORCE_COLOR', async () => {
    const noColor = await okpay.run(['support'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    const flag = await okpay.run(['support', '--no-color'], { env: { FORCE_COLOR: '1' } });
    for (const run of [noColor, flag]) {
      expect(run.code).toBe(0);
      expect(run.stdout).not.toContain(ESC);
    }
  });

  it('is off with FORCE_COLOR=0', async () => {
    const run = await okpay.run(['support'], { env: { FORCE_COLOR: '0' } });
    expect(run.stdout).not.toContain(ESC);
  });
});

describe.concurrent('OKPAY_FORCE_TTY (what the demo gives the commands it runs)', () => {
  it('lays piped output out as on a terminal of that width: wrapped, no colour, no pager', async () => {
    const forced = await okpay.run(['support'], { env: { OKPAY_FORCE_TTY: '50', OKPAY_PAGER: 'echo PAGED' } });
    const piped = await okpay.run(['support'], { env: { OKPAY_PAGER: 'echo PAGED' } });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).not.toContain('PAGED');
    expect(forced.stdout).not.toContain(ESC);
    const lines = forced.stdout.trimEnd().split('\n');
    expect(Math.max(...lines.map((line) => [...line].length))).toBeLessThanOrEqual(50);
    expect(lines.length).toBeGreaterThan(piped.stdout.trimEnd().split('\n').length);
    expect(Math.max(...piped.stdout.split('\n').map((line) => line.length))).toBeGreaterThan(50);
  });

  it('gives bordered tables instead of tab-separated lines', async () => {
    const registered = await okpay.run(['register', '--email', 'tty@example.com', '--accept-terms', '--password-stdin'], { stdin: 'Harbour-lights-42!\n' });
    expect(registered.code, registered.stderr).toBe(0);
    const tsv = await okpay.run(['outbox', 'list', '--to', 'tty@example.com']);
    const table = await okpay.run(['outbox', 'list', '--to', 'tty@example.com'], { env: { OKPAY_FORCE_TTY: '80' } });
    expect(tsv.stdout).toContain('\t');
    expect(table.stdout).not.toContain('\t');
    expect(table.stdout).toMatch(/^┌/);
  });
});
