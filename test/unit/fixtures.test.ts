// Fixture files are checked before anything is written: every refusal names the file, the entry
// and the field. Relative times and `${name.field}` references resolve as documented.

import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { fixtureTime, planFixtures, resolveReferences } from '../../src/domain/fixture-plan.js';
import type { FixtureTicket, FixtureUser } from '../../src/domain/fixture-schemas.js';

type Doc = Record<string, unknown>;

const ALICE = { name: 'alice', email: 'alice@example.com', password: 'Fixture-pass-1!', balances: { USD: '100.00' } };
const BOB = { name: 'bob', email: 'bob@example.com', password: 'Fixture-pass-1!' };
const AGENT = { name: 'amy', email: 'amy@support.example', password: 'Fixture-pass-1!', tier: 1, languages: ['en'] };
const TICKET = { name: 't1', customer: 'alice', category: 'account', subject: 'Cannot sign in', body: 'It fails since this morning.' };

function refusal(files: { file: string; data: unknown }[]): AppError {
  try {
    planFixtures(files);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the fixtures to be refused');
}

/** Every problem found in one file called base.json. */
function problemsOf(data: unknown): string[] {
  const error = refusal([{ file: 'base.json', data }]);
  expect(error.code).toBe('INVALID_FILE');
  return (error.details?.['problems'] as string[] | undefined) ?? [error.message];
}

/** The message of refusing one file called base.json. */
function refused(data: unknown): string {
  const error = refusal([{ file: 'base.json', data }]);
  expect(error.code).toBe('INVALID_FILE');
  return error.message;
}

const users = (...list: Doc[]): Doc => ({ users: list });

describe('planFixtures accepts what the documentation shows', () => {
  it('every shipped fixture file, alone and all together in one run', () => {
    const directory = new URL('../../data/fixtures/', import.meta.url);
    const files = readdirSync(directory)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((file) => ({ file, data: JSON.parse(readFileSync(new URL(file, directory), 'utf8')) as unknown }));
    expect(files.map((f) => f.file)).toEqual(['demo.json', 'dispute-refund.json', 'failed-payment.json', 'locked-account.json']);
    for (const file of files) expect(planFixtures([file]).entries.length).toBeGreaterThan(0);
    const plan = planFixtures(files);
    expect(plan.expectations).toHaveLength(4);
  });

  it('keeps entries in order (users, agents, transfers, withdrawals, tickets) and checks each expect after its own file', () => {
    const plan = planFixtures([
      {
        file: 'a.json',
        data: {
          tickets: [],
          users: [ALICE, BOB],
          agents: [AGENT],
          transfers: [{ name: 'pay', from: 'alice', to: '${bob.email}', amount: '10.00', currency: 'USD', at: '-2d' }],
          withdrawals: [
            {
              name: 'out',
              user: 'alice',
              method: { type: 'ewallet', provider: 'PayPal', account: 'alice@example.com' },
              amount: '5.00',
              currency: 'USD',
              status: 'processing',
            },
          ],
          expect: { balances: { alice: { USD: '84.95' } }, statuses: { pay: 'completed', out: 'processing' }, counts: { users: 2 } },
        },
      },
      {
        file: 'b.json',
        data: {
          tickets: [{ ...TICKET, tx: '${pay.id}', assignee: 'amy', messages: [{ from: 'amy', body: 'Looking', internal: true }], rating: { score: 4 } }],
          expect: { statuses: { t1: 'new' } },
        },
      },
    ]);
    expect(plan.entries.map((e) => e.kind)).toEqual(['user', 'user', 'user', 'transfer', 'withdrawal', 'ticket']);
    expect(plan.expectations.map((e) => e.afterEntries)).toEqual([5, 6]);
    const agent = plan.entries[2]?.value as FixtureUser;
    expect(agent).toMatchObject({ kind: 'agent', role: 'agent', tier: 1, languages: ['en'], where: { file: 'a.json', entry: 'agents[0] (amy)' } });
    const ticket = plan.entries[5]?.value as FixtureTicket;
    expect(ticket).toMatchObject({ tx: '${pay.id}', messages: [{ from: 'amy', internal: true, at: null }], rating: { score: 4, comment: null } });
    expect(plan.expectations[0]).toMatchObject({
      balances: { alice: { USD: '84.95' } },
      held: {},
      statuses: { pay: 'completed', out: 'processing' },
      counts: { users: 2 },
    });
  });

  it('normalises absolute times to UTC and keeps relative ones for the moment of loading', () => {
    const plan = planFixtures([{ file: 'a.json', data: users({ ...ALICE, at: '2026-11-20T11:30:00+01:00' }, { ...BOB, at: '-45m' }) }]);
    expect(plan.entries.map((e) => (e.value as FixtureUser).at)).toEqual(['2026-11-20T10:30:00.000Z', '-45m']);
  });

  it('accepts YAML-like numbers where text is expected (amounts, tiers) and an empty file section', () => {
    const plan = planFixtures([
      { file: 'a.yaml', data: { users: [{ ...ALICE, balances: { USD: 12.5 } }], agents: [{ ...AGENT, tier: '2' }], transfers: null } },
    ]);
    expect((plan.entries[0]?.value as FixtureUser).balances).toEqual({ USD: '12.5' });
    expect((plan.entries[1]?.value as FixtureUser).tier).toBe(2);
  });
});

describe('planFixtures refuses a bad file, naming the file, the entry and the field', () => {
  it('a file that is not an object, or an unknown or mistyped section', () => {
    expect(refused([ALICE])).toMatch(/^base\.json: the file must hold an object/);
    expect(refused(null)).toMatch(/^base\.json: /);
    expect(refused({ user: [ALICE] })).toBe('base.json: user: is not a section (use users, agents, transfers, withdrawals, tickets, expect)');
    expect(refused({ users: ALICE })).toBe('base.json: users: must be a list');
    expect(refused({ users: ['alice'] })).toBe('base.json: users[0]: must be an object');
    expect(refused({ users: Array.from({ length: 10_001 }, () => ({})) })).toBe('base.json: users: has more than 10000 entries');
  });

  it('fields of the wrong type', () => {
    expect(refused(users(ALICE, { ...BOB, email: { address: 'bob@example.com' } }))).toBe('base.json: users[1] (bob): email: must be text, not object');
    expect(refused(users({ ...ALICE, password: ['a', 'b'] }))).toBe('base.json: users[0] (alice): password: must be text, not a list');
    expect(refused(users({ ...ALICE, balances: ['USD', '1.00'] }))).toBe('base.json: users[0] (alice): balances: must be an object');
    expect(refused(users({ ...ALICE, balances: { USD: { amount: '1' } } }))).toBe(
      'base.json: users[0] (alice): balances.USD: must be an amount such as "100.00"',
    );
    expect(refused(users({ ...ALICE, balances: { usd: '1.00' } }))).toBe('base.json: users[0] (alice): balances.usd: must be a currency code such as USD');
    expect(refused({ agents: [{ ...AGENT, languages: 'en' }] })).toBe('base.json: agents[0] (amy): languages: must be a list');
    expect(refused(users(ALICE, { ...BOB, lock: 'agent' }))).toBe('base.json: users[1] (bob): lock: must be an object');
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, messages: [{ from: 'customer', body: 'hi', internal: 'yes' }] }] })).toBe(
      'base.json: tickets[0] (t1): messages[0].internal: must be true or false',
    );
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, messages: ['hello'] }] })).toBe(
      'base.json: tickets[0] (t1): messages[0]: must be an object { from, body }',
    );
  });

  it('missing or empty required fields', () => {
    expect(refused(users(ALICE, { name: 'bob', password: 'x' }))).toBe('base.json: users[1] (bob): email: is required');
    expect(refused(users({ email: 'x@example.com', password: 'x' }))).toBe('base.json: users[0]: name: is required');
    expect(refused(users({ ...ALICE, password: '  ' }))).toBe('base.json: users[0] (alice): password: is empty');
    expect(refused({ agents: [{ ...AGENT, tier: undefined }] })).toBe('base.json: agents[0] (amy): tier: is required for an agent (1, 2 or 3)');
    expect(refused({ agents: [{ ...AGENT, languages: [] }] })).toBe('base.json: agents[0] (amy): languages: an agent needs at least one language');
    expect(refused({ users: [ALICE], transfers: [{ from: 'alice', amount: '1', currency: 'USD' }] })).toBe('base.json: transfers[0]: to: is required');
    expect(refused({ users: [ALICE], withdrawals: [{ user: 'alice', amount: '1', currency: 'USD' }] })).toMatch(
      /^base\.json: withdrawals\[0\]: method: is required/,
    );
    expect(refused({ users: [ALICE], withdrawals: [{ user: 'alice', amount: '1', currency: 'USD', method: { type: 'bank', holder: 'A' } }] })).toBe(
      'base.json: withdrawals[0]: method.iban: a bank method needs iban, or accountNumber and routingNumber',
    );
    expect(refused({ users: [ALICE], withdrawals: [{ user: 'alice', amount: '1', currency: 'USD', method: { provider: 'PayPal' } }] })).toBe(
      'base.json: withdrawals[0]: method.type: is required (bank or ewallet)',
    );
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, body: undefined }] })).toBe('base.json: tickets[0] (t1): body: is required');
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, category: undefined }] })).toMatch(/^base\.json: tickets\[0\] \(t1\): category: is required/);
    expect(refused(users({ ...ALICE, lock: { note: 'why' } }))).toBe('base.json: users[0] (alice): lock.reason: is required (self, failed-logins or agent)');
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, rating: { comment: 'ok' } }] })).toBe(
      'base.json: tickets[0] (t1): rating.score: is required (1 to 5)',
    );
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, refund: {} }] })).toBe('base.json: tickets[0] (t1): refund.agent: is required');
  });

  it('fields an entry does not have (a misspelt field would otherwise be lost)', () => {
    expect(refused(users({ ...ALICE, balance: { USD: '1.00' } }))).toMatch(
      /^base\.json: users\[0\] \(alice\): balance: is not a field here \(use name, email, /,
    );
    expect(refused(users({ ...ALICE, tier: 2 }))).toMatch(/^base\.json: users\[0\] \(alice\): tier: is not a field here/);
    expect(refused({ agents: [{ ...AGENT, role: 'admin' }] })).toMatch(/^base\.json: agents\[0\] \(amy\): role: is not a field here/);
    expect(
      refused({
        users: [ALICE],
        withdrawals: [{ user: 'alice', amount: '1', currency: 'USD', method: { type: 'ewallet', provider: 'PayPal', account: 'a', iban: 'x' } }],
      }),
    ).toMatch(/^base\.json: withdrawals\[0\]: method\.iban: is not a field here \(use type, provider, account\)/);
    expect(problemsOf({ users: [ALICE], tickets: [{ ...TICKET, messages: [{ from: 'customer', text: 'hi' }] }] })).toEqual([
      'base.json: tickets[0] (t1): messages[0].body: is required',
      'base.json: tickets[0] (t1): messages[0].text: is not a field here (use from, body, internal, at)',
    ]);
    expect(refused({ users: [ALICE], expect: { balance: {} } })).toMatch(
      /^base\.json: expect: balance: is not a field here \(use balances, held, statuses, counts\)/,
    );
  });

  it('bad names and duplicate names, also across files and kinds', () => {
    expect(refused(users({ ...ALICE, name: '1alice' }))).toMatch(/^base\.json: users\[0\] \(1alice\): name: must start with a letter/);
    expect(refused(users({ ...ALICE, name: 'alice smith' }))).toMatch(/^base\.json: users\[0\] \(alice smith\): name: must start with a letter/);
    expect(refused(users({ ...ALICE, name: 'a'.repeat(41) }))).toMatch(/: name: is longer than 40 characters$/);
    expect(refused(users(ALICE, { ...BOB, name: 'alice' }))).toBe('base.json: users[1] (alice): name: "alice" is already used by an earlier entry');
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, name: 'alice' }] })).toBe(
      'base.json: tickets[0] (alice): name: "alice" is already used by an earlier entry',
    );
    const error = refusal([
      { file: 'one.json', data: users(ALICE) },
      { file: 'two.json', data: users({ ...BOB, name: 'alice' }) },
    ]);
    expect(error.message).toBe('two.json: users[0] (alice): name: "alice" is already used by an earlier entry');
  });

  it('references to unknown entries, to later entries, and to fields an entry does not have', () => {
    expect(refused({ users: [ALICE], transfers: [{ from: 'alice', to: '${carol.email}', amount: '1', currency: 'USD' }] })).toBe(
      'base.json: transfers[0]: to: refers to "carol", which no earlier entry defines',
    );
    // bob is defined, but after the entry that refers to him.
    expect(refused(users({ ...ALICE, fullName: '${bob.name}' }, BOB))).toBe(
      'base.json: users[0] (alice): fullName: refers to "bob", which no earlier entry defines',
    );
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, tx: '${t1.number}' }] })).toMatch(/refers to "t1", which no earlier entry defines/);
    expect(
      refused({
        users: [ALICE],
        transfers: [{ name: 'pay', from: 'alice', to: 'x@example.com', amount: '1', currency: 'USD' }],
        tickets: [{ ...TICKET, tx: '${pay.number}' }],
      }),
    ).toBe('base.json: tickets[0] (t1): tx: "pay" is a transfer; it has id, not "number"');
    expect(refused({ users: [ALICE, { ...BOB, email: '${alice.password}' }] })).toBe(
      'base.json: users[1] (bob): email: "alice" is a user; it has id, email, phone, name, not "password"',
    );
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, messages: [{ from: 'customer', body: 'see ${alice.iban}' }] }] })).toMatch(
      /^base\.json: tickets\[0\] \(t1\): messages\[0\]\.body: "alice" is a user/,
    );
  });

  it('malformed ${…} references', () => {
    for (const text of ['${alice}', '${alice.email', '${ alice.email }', '${alice.e-mail}', '${}']) {
      expect(refused({ users: [ALICE], transfers: [{ from: 'alice', to: text, amount: '1', currency: 'USD' }] })).toBe(
        'base.json: transfers[0]: to: has a malformed reference (write ${name.field})',
      );
    }
  });

  it('bad times: not ISO 8601, no zone, impossible dates, references, times after now', () => {
    for (const at of [
      'yesterday',
      '2026-11-20',
      '2026-11-20T10:00:00',
      '2026-02-30T10:00:00Z',
      '2026-13-01T10:00:00Z',
      '2026-11-20T25:00:00Z',
      '+2d',
      '-2w',
      '20 Nov 2026 10:00 GMT',
    ]) {
      expect(refused(users({ ...ALICE, at }))).toMatch(/^base\.json: users\[0\] \(alice\): at: ".*" is not an ISO 8601 time with a zone/);
    }
    // A well-formed reference still names no time: no entry has a time field.
    expect(refused(users(BOB, { ...ALICE, at: '${bob.id}' }))).toBe(
      'base.json: users[1] (alice): at: "${bob.id}" is not an ISO 8601 time with a zone (2026-11-20T10:00:00Z) or a time before now (-2d, -3h, -45m)',
    );
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, messages: [{ from: 'customer', body: 'hi', at: 'soon' }] }] })).toMatch(
      /^base\.json: tickets\[0\] \(t1\): messages\[0\]\.at: "soon" is not/,
    );
  });

  it('bad statuses and other values outside their lists', () => {
    const withdrawal = { user: 'alice', amount: '1', currency: 'USD', method: { type: 'ewallet', provider: 'PayPal', account: 'a' } };
    expect(refused({ users: [ALICE], withdrawals: [{ ...withdrawal, status: 'sent' }] })).toBe(
      'base.json: withdrawals[0]: status: must be one of requested, processing, completed, failed, cancelled (got "sent")',
    );
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, status: 'done' }] })).toMatch(
      /^base\.json: tickets\[0\] \(t1\): status: must be one of new, open, pending, on-hold, solved, closed, merged/,
    );
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, category: 'billing' }] })).toMatch(
      /: category: must be one of account, funds, identity, dispute, technical, feedback/,
    );
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, channel: 'fax' }] })).toMatch(/: channel: must be one of email, chat, phone, social/);
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, priority: 'asap' }] })).toMatch(/: priority: must be one of urgent, high, normal, low/);
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, language: 'it' }] })).toMatch(/: language: must be one of en, zh, es, fr, de/);
    expect(refused({ users: [ALICE], tickets: [{ ...TICKET, rating: { score: 6 } }] })).toMatch(/: rating\.score: must be one of 1, 2, 3, 4, 5/);
    expect(refused(users({ ...ALICE, kyc: 'verified' }))).toMatch(/: kyc: must be one of none, pending, approved, rejected/);
    expect(refused(users({ ...ALICE, role: 'agent' }))).toMatch(/: role: must be one of user, admin/);
    expect(refused(users({ ...ALICE, status: 'locked' }))).toMatch(/: status: must be one of active, pending/);
    expect(refused(users({ ...ALICE, lock: { reason: 'fraud' } }))).toMatch(
      /^base\.json: users\[0\] \(alice\): lock\.reason: must be one of self, failed-logins, agent/,
    );
    expect(refused({ agents: [{ ...AGENT, tier: 4 }] })).toBe('base.json: agents[0] (amy): tier: must be 1, 2 or 3');
    expect(refused({ agents: [{ ...AGENT, languages: ['en', 'klingon'] }] })).toBe(
      'base.json: agents[0] (amy): languages[1]: must be one of en, zh, es, fr, de (got "klingon")',
    );
  });

  it('a two-factor secret the sign-in could not use', () => {
    for (const secret of [
      'JBSWY3DPEHPK3PXP',
      'JBSWY3DPEHPK3PXPJBSWY3DP',
      'jbswy3dpehpk3pxpjbswy3dpehpk3pxp',
      'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PX1',
      'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPA',
    ]) {
      expect(refused(users({ ...ALICE, twoFactorSecret: secret }))).toMatch(
        /^base\.json: users\[0\] \(alice\): twoFactorSecret: must be 32, 40, 48, 56 or 64 base32 characters/,
      );
    }
    const plan = planFixtures([{ file: 'a.json', data: users({ ...ALICE, twoFactorSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' }) }]);
    expect((plan.entries[0]?.value as FixtureUser).twoFactorSecret).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
  });

  it('an expect section that names what is not there, a status an entry never has, or a bad count', () => {
    const base = { users: [ALICE], transfers: [{ name: 'pay', from: 'alice', to: 'x@example.com', amount: '1', currency: 'USD' }], tickets: [TICKET] };
    expect(refused({ ...base, expect: [] })).toBe('base.json: expect: must be an object with balances, held, statuses or counts');
    expect(refused({ ...base, expect: { balances: { carol: { USD: '1.00' } } } })).toBe(
      'base.json: expect: balances.carol: "carol" is not a user defined in the fixtures',
    );
    expect(refused({ ...base, expect: { held: { pay: { USD: '1.00' } } } })).toBe('base.json: expect: held.pay: "pay" is not a user defined in the fixtures');
    expect(refused({ ...base, expect: { balances: { alice: { usd: '1.00' } } } })).toBe(
      'base.json: expect: balances.alice.usd: must be a currency code such as USD',
    );
    expect(refused({ ...base, expect: { balances: { alice: '1.00' } } })).toBe('base.json: expect: balances.alice: must be an object');
    expect(refused({ ...base, expect: { statuses: { alice: 'active' } } })).toBe(
      'base.json: expect: statuses.alice: "alice" is not a transfer, withdrawal or ticket defined in the fixtures',
    );
    expect(refused({ ...base, expect: { statuses: { pay: 'done' } } })).toBe(
      'base.json: expect: statuses.pay: a transfer is completed, unclaimed, claimed, returned, refunded, never "done"',
    );
    expect(refused({ ...base, expect: { statuses: { t1: 'completed' } } })).toMatch(
      /^base\.json: expect: statuses\.t1: a ticket is new, open, .*never "completed"$/,
    );
    expect(refused({ ...base, expect: { statuses: { t1: 3 } } })).toBe('base.json: expect: statuses.t1: must be a status name');
    expect(refused({ ...base, expect: { counts: { customers: 1 } } })).toBe(
      'base.json: expect: counts.customers: can count users, agents, transactions, withdrawalsInFlight, tickets, openTickets',
    );
    expect(refused({ ...base, expect: { counts: { users: 1.5 } } })).toBe('base.json: expect: counts.users: must be a whole number');
    expect(refused({ ...base, expect: { counts: { users: '1' } } })).toBe('base.json: expect: counts.users: must be a whole number');
    expect(refused({ ...base, expect: { counts: { users: -1 } } })).toBe('base.json: expect: counts.users: must be a whole number');
  });

  it('an expect section may name entries of earlier files, never of later ones', () => {
    expect(
      planFixtures([
        { file: 'a.json', data: users(ALICE) },
        { file: 'b.json', data: { expect: { balances: { alice: { USD: '100.00' } } } } },
      ]).expectations[0]?.afterEntries,
    ).toBe(1);
    const error = refusal([
      { file: 'a.json', data: { expect: { balances: { alice: { USD: '100.00' } } } } },
      { file: 'b.json', data: users(ALICE) },
    ]);
    expect(error.message).toBe('a.json: expect: balances.alice: "alice" is not a user defined in the fixtures');
  });

  it('says that nothing was written', () => {
    expect(refusal([{ file: 'a.json', data: users({ ...ALICE, name: '' }) }]).hint).toMatch(/nothing changed/);
  });
});

describe('fixtureTime', () => {
  const nowMs = Date.parse('2026-11-23T10:00:00.000Z');

  it('is now when no time is given', () => {
    expect(fixtureTime(null, nowMs)).toBe('2026-11-23T10:00:00.000Z');
  });

  it('counts minutes, hours and days back from now', () => {
    expect(fixtureTime('-45m', nowMs)).toBe('2026-11-23T09:15:00.000Z');
    expect(fixtureTime('-3h', nowMs)).toBe('2026-11-23T07:00:00.000Z');
    expect(fixtureTime('-2d', nowMs)).toBe('2026-11-21T10:00:00.000Z');
    expect(fixtureTime('-0m', nowMs)).toBe('2026-11-23T10:00:00.000Z');
    expect(fixtureTime('-400d', nowMs)).toBe('2025-10-19T10:00:00.000Z');
  });

  it('passes an absolute time through, whatever now is', () => {
    expect(fixtureTime('2026-11-20T10:30:00.000Z', nowMs)).toBe('2026-11-20T10:30:00.000Z');
    expect(fixtureTime('2026-11-20T10:30:00.000Z', 0)).toBe('2026-11-20T10:30:00.000Z');
  });
});

describe('resolveReferences', () => {
  const values = new Map<string, Record<string, string>>([
    ['alice', { id: 'usr_a', email: 'alice@example.com', phone: '', name: 'Alice' }],
    ['t-1', { number: '7' }],
  ]);

  it('replaces every reference with the recorded value', () => {
    expect(resolveReferences('${alice.email}', values)).toBe('alice@example.com');
    expect(resolveReferences('ticket #${t-1.number} of ${alice.name} (${alice.id})', values)).toBe('ticket #7 of Alice (usr_a)');
  });

  it('replaces an empty value with nothing and leaves text without references alone', () => {
    expect(resolveReferences('[${alice.phone}]', values)).toBe('[]');
    expect(resolveReferences('costs $5 {not a reference}', values)).toBe('costs $5 {not a reference}');
  });

  it('leaves a reference it has no value for as written', () => {
    expect(resolveReferences('${bob.email} and ${alice.iban}', values)).toBe('${bob.email} and ${alice.iban}');
  });
});

describe('planFixtures reports every bad entry, not only the first', () => {
  it('names each problem with its file, entry and field, and keeps them in the details', () => {
    const error = refusal([
      {
        file: 'one.json',
        data: {
          users: [
            { ...ALICE, email: undefined },
            { ...BOB, password: '  ' },
          ],
          tickets: [{ ...TICKET, category: 'billing' }],
        },
      },
      { file: 'two.json', data: { colour: 'red', users: [{ ...BOB, name: 'carol', email: 'carol@example.com', balances: { usd: '1.00' } }] } },
    ]);
    const problems = [
      'one.json: users[0] (alice): email: is required',
      'one.json: users[1] (bob): password: is empty',
      'one.json: tickets[0] (t1): category: must be one of account, funds, identity, dispute, technical, feedback (got "billing")',
      'two.json: colour: is not a section (use users, agents, transfers, withdrawals, tickets, expect)',
      'two.json: users[0] (carol): balances.usd: must be a currency code such as USD',
    ];
    expect(error.code).toBe('INVALID_FILE');
    expect(error.details).toEqual({ problems });
    expect(error.message).toBe('the fixture files have 5 problems');
    expect(error.hint).toMatch(/nothing changed/);
  });

  it('reports every bad field of an entry, each bad reference, and every bad entry of every section', () => {
    expect(
      problemsOf({
        users: [{ name: 'alice', email: ['a'], password: '', balances: { usd: 1, EUR: {} }, kyc: 'verified', zodiac: 'leo' }, ALICE],
        agents: [{ ...AGENT, tier: 7, languages: [] }],
        transfers: [{ from: '${carol.id}', to: '${alice.iban} and ${bob.email}', amount: [], currency: 'USD', at: 'soon' }],
        withdrawals: [{ user: 'alice', amount: '1', currency: 'USD', method: { type: 'bank' } }],
        tickets: [{ ...TICKET, rating: { score: 9, comment: 3.5, stars: 2 }, messages: [{ body: '' }, 'hello'] }],
        expect: { balances: { nobody: { USD: '1' } }, counts: { users: -1, people: 2 } },
      }),
    ).toEqual([
      'base.json: users[0] (alice): email: must be text, not a list',
      'base.json: users[0] (alice): password: is empty',
      'base.json: users[0] (alice): balances.usd: must be a currency code such as USD',
      'base.json: users[0] (alice): balances.EUR: must be an amount such as "100.00"',
      'base.json: users[0] (alice): kyc: must be one of none, pending, approved, rejected (got "verified")',
      expect.stringMatching(/^base\.json: users\[0\] \(alice\): zodiac: is not a field here \(use name, email, /),
      'base.json: users[1] (alice): name: "alice" is already used by an earlier entry',
      'base.json: agents[0] (amy): tier: must be 1, 2 or 3',
      'base.json: agents[0] (amy): languages: an agent needs at least one language',
      'base.json: transfers[0]: from: refers to "carol", which no earlier entry defines',
      'base.json: transfers[0]: to: "alice" is a user; it has id, email, phone, name, not "iban"',
      'base.json: transfers[0]: to: refers to "bob", which no earlier entry defines',
      'base.json: transfers[0]: amount: must be text, not a list',
      expect.stringMatching(/^base\.json: transfers\[0\]: at: "soon" is not an ISO 8601 time/),
      'base.json: withdrawals[0]: method.holder: is required',
      'base.json: tickets[0] (t1): messages[0].from: is required',
      'base.json: tickets[0] (t1): messages[0].body: is empty',
      'base.json: tickets[0] (t1): messages[1]: must be an object { from, body }',
      'base.json: tickets[0] (t1): rating.score: must be one of 1, 2, 3, 4, 5 (got "9")',
      'base.json: tickets[0] (t1): rating.stars: is not a field here (use score, comment)',
      'base.json: expect: counts.users: must be a whole number',
      'base.json: expect: counts.people: can count users, agents, transactions, withdrawalsInFlight, tickets, openTickets',
    ]);
  });

  it('does not report a refused entry again through the entries that refer to it', () => {
    const error = refusal([
      {
        file: 'a.json',
        data: { users: [{ ...ALICE, password: '' }], transfers: [{ from: 'alice', to: '${alice.email}', amount: 'x', currency: 'USD', memmo: 1 }] },
      },
    ]);
    expect(error.details).toEqual({
      problems: [
        'a.json: users[0] (alice): password: is empty',
        'a.json: transfers[0]: memmo: is not a field here (use name, from, to, amount, currency, toCurrency, memo, at)',
      ],
    });
  });

  it('stops counting at 100 problems', () => {
    const error = refusal([{ file: 'many.json', data: { users: Array.from({ length: 150 }, (_, i) => ({ name: `u${i}`, password: 'x' })) } }]);
    expect((error.details?.['problems'] as string[]).length).toBe(100);
    expect(error.message).toBe('the fixture files have 100 or more problems');
    expect((error.details?.['problems'] as string[])[0]).toBe('many.json: users[0] (u0): email: is required');
  });
});
