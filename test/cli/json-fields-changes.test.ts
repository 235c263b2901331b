// --json FIELDS on commands that change something: a mistyped field stops the command before the
// change (the fields are declared in src/cli/fields.ts), and the declarations cover what they print.

import { beforeAll, describe, expect, it } from 'vitest';
import { availableFields, COMMAND_FIELDS, declaredFields, READ_ONLY_COMMANDS } from '../../src/cli/fields.js';
import { bufferIO } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/main.js';
import { DEMO_PASSWORD, DEMO_PEOPLE, MemoryDesk, type DemoRole, type Outcome } from '../support/memory-desk.js';

const desk = new MemoryDesk();
beforeAll(() => desk.setUp(['customer', 'agent1', 'agent2', 'admin']), 60_000);
const amy = (argv: readonly string[]) => desk.okpay(argv, { token: desk.tokens.agent1 });
const PW = `${DEMO_PASSWORD}\n`;

const documentOf = (outcome: Outcome): Record<string, unknown> => {
  expect(outcome.code, outcome.stderr).toBe(0);
  return JSON.parse(outcome.stdout) as Record<string, unknown>;
};

/** The keys of the record a document holds (its first key's object, or the first item of its list). */
function recordKeys(document: Record<string, unknown>): string[] {
  const first = document[Object.keys(document)[0] ?? ''];
  const record = Array.isArray(first) ? (first[0] as Record<string, unknown>) : (first as Record<string, unknown>);
  return Object.keys(record);
}

async function openTickets(): Promise<number[]> {
  const { tickets } = documentOf(await amy(['ticket', 'list', '--json'])) as { tickets: { number: number; status: string }[] };
  return tickets.filter((t) => ['new', 'open', 'pending', 'on-hold'].includes(t.status)).map((t) => t.number);
}

describe('--json FIELDS on a command that changes something', () => {
  it('an unknown field stops it before the change: exit 2, the valid fields listed, nothing added', async () => {
    const [number] = await openTickets();
    const before = documentOf(await amy(['ticket', 'show', String(number), '--json'])) as { ticket: { messages: unknown[] } };
    const run = await amy(['ticket', 'note', String(number), '--body', 'a note that must not be added', '--json', 'idx']);
    expect(run.code).toBe(2);
    const error = (JSON.parse(run.stderr) as { error: { message: string; hint: string } }).error;
    expect(error.message).toBe('unknown JSON field: idx');
    expect(error.hint).toMatch(/^available fields: .*\bmessages\b/);
    const after = documentOf(await amy(['ticket', 'show', String(number), '--json'])) as { ticket: { messages: unknown[] } };
    expect(after.ticket.messages).toHaveLength(before.ticket.messages.length);
  });

  it('the declared fields cover every field these commands print, one ticket or several', async () => {
    const [first, second] = await openTickets();
    const { user } = documentOf(await amy(['whoami', '--json'])) as { user: { email: string } };
    const runs: [string, string[]][] = [
      ['ticket note', ['ticket', 'note', String(first), '--body', 'checked']],
      ['ticket reply', ['ticket', 'reply', String(first), '--body', 'We are on it.']],
      ['ticket set', ['ticket', 'set', String(first), '--priority', 'normal']],
      ['ticket assign', ['ticket', 'assign', String(first), String(second), '--to', user.email, '--yes']],
      ['ticket resolve', ['ticket', 'resolve', String(second)]],
      ['ticket reopen', ['ticket', 'reopen', String(second)]],
      ['ticket escalate', ['ticket', 'escalate', String(first), '--reason', 'needs a tier-2 look']],
    ];
    for (const [command, argv] of runs) {
      const keys = recordKeys(documentOf(await amy([...argv, '--json'])));
      expect(
        keys.filter((key) => !COMMAND_FIELDS[command]?.includes(key)),
        command,
      ).toEqual([]);
    }
  });
});

const lena = (argv: readonly string[]) => desk.okpay(argv, { token: desk.tokens.customer });

/** Money to act on: a transfer Lena made and her ticket about it, and her completed payout from the demo. */
async function lenasMoney(): Promise<{ ticket: number; sent: string; payout: string }> {
  const sent = documentOf(await lena(['transfer', '--to', DEMO_PEOPLE.otherCustomer, '--amount', '20', '--currency', 'EUR', '--yes', '--json'])) as {
    transaction: { id: string };
  };
  const opened = documentOf(
    await lena([
      'ticket',
      'new',
      '--category',
      'dispute',
      '--subject',
      'Wrong payee',
      '--body',
      'I sent it to the wrong person.',
      '--tx',
      sent.transaction.id,
      '--json',
    ]),
  ) as { ticket: { number: number } };
  const { transactions } = documentOf(await lena(['history', '--type', 'withdrawal', '--json'])) as { transactions: { id: string; type: string }[] };
  const payout = transactions.find((tx) => tx.type === 'withdrawal.complete')?.id ?? '';
  return { ticket: opened.ticket.number, sent: sent.transaction.id, payout };
}
let money: Awaited<ReturnType<typeof lenasMoney>>;
beforeAll(async () => {
  money = await lenasMoney();
});

const refundArgv = (m: { ticket: number; sent: string }) => [
  'agent',
  'refund',
  m.sent,
  '--ticket',
  String(m.ticket),
  '--reason',
  'goods never shipped',
  '--yes',
];
const bounceArgv = (m: { payout: string }) => ['admin', 'payout', 'bounce', m.payout, '--reason', 'returned by the bank', '--yes'];

describe('--json FIELDS on a money or account command', () => {
  const refusals: [string, DemoRole, (m: typeof money) => string[]][] = [
    ['lock', 'customer', () => ['lock', '--yes']],
    ['agent refund', 'agent2', refundArgv],
    ['admin payout bounce', 'admin', bounceArgv],
  ];
  it.each(refusals)('%s with an unknown field exits 2 and changes nothing', async (command, role, argvOf) => {
    const argv = argvOf(money);
    const token = desk.tokens[role];
    // The same command line without the typo does change the store: the refusal is what kept it.
    const done = await desk.isolated([...argv, '--json'], { token });
    expect(done.outcome.code, done.outcome.stderr).toBe(0);
    expect(done.changed).toBe(true);
    const { outcome, changed, moneyChanged } = await desk.isolated([...argv, '--json', 'idx'], { token });
    expect(outcome.code).toBe(2);
    expect(JSON.parse(outcome.stderr)).toMatchObject({ error: { code: 'USAGE', message: 'unknown JSON field: idx' } });
    expect(changed).toBe(false);
    expect(moneyChanged).toBe(false);
    expect(COMMAND_FIELDS[command]).toBeDefined();
  });

  it('the declared fields cover every field the account, identity and money commands print', async () => {
    const fresh = 'ada.field@example.com';
    const restore = desk.checkpoint();
    const opened = documentOf(
      await lena(['ticket', 'new', '--category', 'funds', '--subject', 'Rent again', '--body', 'Same problem as before.', '--json']),
    ) as { ticket: { number: number } };
    const runs: [string, DemoRole | null, string[], string?][] = [
      // Ticket money.ticket (a dispute) is at tier 2: a tier-1 agent may not change it.
      ['ticket merge', 'agent2', ['ticket', 'merge', String(opened.ticket.number), '--into', String(money.ticket), '--yes']],
      ['agent refund', 'agent2', refundArgv(money)],
      ['agent kyc approve', 'agent1', ['agent', 'kyc', 'approve', 'sofia.garcia@example.es', '--yes']],
      ['agent kyc reject', 'agent1', ['agent', 'kyc', 'reject', 'sofia.garcia@example.es', '--reason', 'blurred photo', '--yes']],
      ['admin kyc approve', 'admin', ['admin', 'kyc', 'approve', 'sofia.garcia@example.es', '--yes']],
      ['admin kyc reject', 'admin', ['admin', 'kyc', 'reject', 'sofia.garcia@example.es', '--reason', 'blurred photo', '--yes']],
      ['admin agent add', 'admin', ['admin', 'agent', 'add', '--email', 'chen.li@example.cn', '--tier', '1', '--languages', 'zh']],
      ['admin settle', 'admin', ['admin', 'settle']],
      ['admin payout bounce', 'admin', bounceArgv(money)],
      ['kyc submit', 'customer', ['kyc', 'submit', '--document-type', 'passport', '--document-number', 'X1234567']],
      ['register', null, ['register', '--email', fresh, '--country', 'GB', '--password-stdin', '--accept-terms'], PW],
      ['activate', null, ['activate', '--resend', '--email', fresh]],
      ['login', null, ['login', '--email', DEMO_PEOPLE.customer, '--password-stdin'], PW],
      ['logout', 'customer', ['logout']],
      ['lock', 'customer', ['lock', '--yes']],
      ['password change', 'customer', ['password', 'change', '--password-stdin'], `${DEMO_PASSWORD}\nAnother-pass-2026?\n`],
      ['password reset', null, ['password', 'reset', '--email', DEMO_PEOPLE.customer]],
      ['2fa enable', 'customer', ['2fa', 'enable', '--password-stdin'], PW],
    ];
    for (const [command, role, argv, stdin] of runs) {
      const { outcome } = await desk.isolated([...argv, '--json'], { ...(role ? { token: desk.tokens[role] } : {}), ...(stdin ? { stdin } : {}) });
      const printed = availableFields(documentOf(outcome), undefined);
      expect(
        printed.filter((key) => !COMMAND_FIELDS[command]?.includes(key)),
        command,
      ).toEqual([]);
    }
    restore();
  });
});

describe('--json FIELDS on commands that need a step before them', () => {
  /** The keys a run printed that its command does not declare. */
  const undeclared = (command: string, outcome: Outcome) =>
    availableFields(documentOf(outcome), undefined).filter((key) => !COMMAND_FIELDS[command]?.includes(key));

  it('ticket rate, unlock and 2fa confirm print only declared fields', async () => {
    const restore = desk.checkpoint();
    const number = String(money.ticket);
    documentOf(await desk.okpay(['ticket', 'resolve', number, '--json'], { token: desk.tokens.agent2 }));
    expect(undeclared('ticket rate', await lena(['ticket', 'rate', number, '--score', '5', '--json']))).toEqual([]);
    documentOf(await lena(['lock', '--yes', '--json']));
    expect(undeclared('unlock', await desk.okpay(['unlock', '--email', DEMO_PEOPLE.customer, '--password-stdin', '--json'], { stdin: PW }))).toEqual([]);
    const token = await desk.signIn(DEMO_PEOPLE.customer);
    documentOf(await desk.okpay(['2fa', 'enable', '--password-stdin', '--json'], { token, stdin: PW }));
    const { code } = documentOf(await desk.okpay(['dev', 'otp', '--email', DEMO_PEOPLE.customer, '--json'])) as { code: string };
    expect(undeclared('2fa confirm', await desk.okpay(['2fa', 'confirm', code, '--password-stdin', '--json'], { token, stdin: PW }))).toEqual([]);
    restore();
  });

  it('admin init, on a store with no administrator yet, prints only declared fields', async () => {
    const empty = new MemoryDesk();
    const run = await empty.okpay(['admin', 'init', '--email', 'root@example.com', '--password-stdin', '--json'], { stdin: PW });
    expect(undeclared('admin init', run)).toEqual([]);
  });
});

describe('a command that is neither declared nor read-only', () => {
  it('is one of the few that print no record of their own, and refuses a field list', async () => {
    const program = await buildProgram({ io: bufferIO(), env: {} });
    const paths: string[] = [];
    const leaves: string[] = [];
    const walk = (command: typeof program, prefix: string[]): void => {
      for (const sub of command.commands as (typeof program)[]) {
        const path = [...prefix, sub.name()];
        paths.push(path.join(' '));
        if (sub.commands.length === 0) leaves.push(path.join(' '));
        walk(sub, path);
      }
    };
    walk(program, []);
    // Every declaration names a real command (a renamed one would quietly lose its check).
    expect([...Object.keys(COMMAND_FIELDS), ...READ_ONLY_COMMANDS].filter((path) => !paths.includes(path))).toEqual([]);
    // A new command lands here until it is declared or known to change nothing.
    const others = leaves.filter((path) => !Object.hasOwn(COMMAND_FIELDS, path) && !READ_ONLY_COMMANDS.has(path));
    expect(others.sort()).toEqual(['__complete', 'agent triage', 'completion', 'demo', 'fixtures generate', 'fixtures load']);
    for (const path of others) expect(() => declaredFields(path, ['id']), path).toThrow('takes --json without a field list');
  });

  it('refuses a field list before it runs: fixtures load loads nothing', async () => {
    const empty = new MemoryDesk();
    // Its first run marks the new store a test store; the runs compared come after.
    await empty.okpay(['version']);
    const load = ['fixtures', 'load', 'data/fixtures/demo.json'];
    const refused = await empty.isolated([...load, '--json=lena']);
    expect(refused.outcome.code).toBe(2);
    expect(JSON.parse(refused.outcome.stderr)).toMatchObject({ error: { code: 'USAGE', message: '`okpay fixtures load` takes --json without a field list' } });
    expect(refused.changed).toBe(false);
    const loaded = await empty.isolated([...load, '--json']);
    expect(loaded.outcome.code, loaded.outcome.stderr).toBe(0);
    expect(loaded.changed).toBe(true);
  });

  it("another command's field name stays an argument: faq --json refund searches for refund", async () => {
    const { articles } = documentOf(await desk.okpay(['faq', '--json', 'refund'])) as { articles: { body: string }[] };
    expect(articles.length).toBeGreaterThan(0);
    expect(articles.every((article) => /refund/i.test(JSON.stringify(article)))).toBe(true);
  });
});
