// Testers' tools through the real binary: fixture files (shipped, YAML, several at once, refused
// before anything is written), the deterministic generator, `fixtures export`, `dev otp` and the
// demo. Each test has its own data directory, so they run side by side.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../support/desk-cli.js';
import { Okpay } from '../support/okpay.js';

const FIXTURES = fileURLToPath(new URL('../../data/fixtures/', import.meta.url));
const SHIPPED = ['demo.json', 'dispute-refund.json', 'failed-payment.json', 'locked-account.json'];
const PASSWORD = 'Fixture-pass-1!';

const stores: Okpay[] = [];
afterAll(() => stores.forEach((o) => o.cleanup()));

/** A new, empty data directory: loading or generating fixtures makes it a test store. */
function store(): Okpay {
  const o = new Okpay({ testStore: false });
  stores.push(o);
  return o;
}

/** Writes a fixture file next to (not inside) the store's data directory. */
function fixtureFile(o: Okpay, name: string, content: unknown): string {
  const directory = `${o.home}-files`;
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/** Every file in the data directory with its bytes, hashed: equal hashes mean nothing was written. */
function snapshot(directory: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      try {
        const bytes = readFileSync(full);
        hash.update(`${path.relative(directory, full)}\0`).update(bytes);
      } catch {
        walk(full);
      }
    }
  };
  walk(directory);
  return hash.digest('hex');
}

function filesIn(directory: string): string[] {
  try {
    return readdirSync(directory, { recursive: true }).map(String);
  } catch {
    return [];
  }
}

async function load(o: Okpay, ...files: string[]): Promise<Record<string, string | number>> {
  return expectOk(await o.run(['fixtures', 'load', ...files])).json<Record<string, string | number>>();
}

async function verifyClean(o: Okpay, home = o.home): Promise<void> {
  const run = expectOk(await o.run(['verify'], { env: { OKPAY_HOME: home } }));
  expect(run.stdout).toContain('every transaction balances');
}

async function signIn(o: Okpay, email: string, password: string, otp?: string): Promise<string> {
  return expectOk(
    await o.run(['login', '--email', email, '--password-stdin', '--raw', ...(otp ? ['--otp', otp] : [])], { stdin: `${password}\n` }),
  ).stdout.trim();
}

const small = (extra: Record<string, unknown> = {}) => ({
  users: [{ name: 'zoe', email: 'zoe@example.com', password: PASSWORD, country: 'US', balances: { USD: '50.00' } }],
  ...extra,
});

describe.concurrent('fixtures load', () => {
  for (const name of SHIPPED) {
    it(`${name} loads into an empty store, prints the names and ids, and its expectations hold`, async () => {
      const o = store();
      const ids = await load(o, path.join(FIXTURES, name));
      const doc = JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, { name?: string }[]>;
      const names = ['users', 'agents', 'transfers', 'withdrawals', 'tickets'].flatMap((section) =>
        (doc[section] ?? []).map((entry) => entry.name).filter((n): n is string => n !== undefined),
      );
      expect(Object.keys(ids)).toEqual(names);
      for (const [entry, id] of Object.entries(ids)) expect(String(id), entry).toMatch(/^(usr_|txn_\d{10}$|wd_|\d+$)/);
      await verifyClean(o);
    });
  }

  it('all four shipped files load together in one run; the store is then a test store for dev otp', async () => {
    const o = store();
    const ids = await load(o, ...SHIPPED.map((name) => path.join(FIXTURES, name)));
    expect(ids).toMatchObject({
      bob: expect.stringMatching(/^usr_/),
      grace: expect.stringMatching(/^usr_/),
      maria: expect.stringMatching(/^usr_/),
      tom: expect.stringMatching(/^usr_/),
    });
    // Ticket numbers go on across files.
    expect([ids['t_where'], ids['dispute'], ids['report'], ids['unlockMe']]).toEqual([1, 6, 7, 8]);
    await verifyClean(o);
    const otp = expectOk(await o.run(['dev', 'otp', '--email', 'anna.schmidt@example.de', '--json'])).json<{ code: string; validForSeconds: number }>();
    expect(otp.code).toMatch(/^\d{6}$/);
  });

  it('a YAML file works, references included', async () => {
    const o = store();
    const yaml = [
      'users:',
      '  - name: yuki',
      '    email: yuki@example.jp',
      `    password: "${PASSWORD}"`,
      '    country: JP',
      '    balances: { JPY: 50000 }',
      '  - name: ren',
      '    email: ren@example.jp',
      `    password: "${PASSWORD}"`,
      '    country: JP',
      'transfers:',
      '  - name: lunch',
      '    from: yuki',
      '    to: ${ren.email}',
      '    amount: 1200',
      '    currency: JPY',
      '    at: -2h',
      'expect:',
      '  balances: { ren: { JPY: "1200" } }',
      '  statuses: { lunch: completed }',
      '  counts: { users: 2, transactions: 2 }',
      '',
    ].join('\n');
    const ids = await load(o, fixtureFile(o, 'pair.yaml', yaml));
    expect(Object.keys(ids)).toEqual(['yuki', 'ren', 'lunch']);
    const ren = await signIn(o, 'ren@example.jp', PASSWORD);
    const balance = expectOk(await o.run(['balance', '--json'], { env: { OKPAY_SESSION: ren } })).json<{
      balances: { currency: string; available: string }[];
    }>();
    expect(balance.balances).toEqual([expect.objectContaining({ currency: 'JPY', available: '1200' })]);
  });

  it('later files refer to entries of earlier ones, and each expect is checked after its own file', async () => {
    const o = store();
    const base = fixtureFile(o, 'base.json', small());
    const next = fixtureFile(o, 'next.json', {
      users: [{ name: 'max', email: 'max@example.com', password: PASSWORD, country: 'US' }],
      transfers: [{ name: 'pay', from: 'zoe', to: '${max.email}', amount: '20.00', currency: 'USD', memo: 'for ${zoe.email}' }],
      tickets: [{ name: 'ask', customer: '${zoe.email}', category: 'dispute', subject: 'About ${pay.id}', body: 'I paid ${max.email}', tx: '${pay.id}' }],
      expect: {
        balances: { zoe: { USD: '29.90' }, max: { USD: '20.00' } },
        statuses: { pay: 'completed', ask: 'new' },
        counts: { users: 2, tickets: 1, openTickets: 1 },
      },
    });
    const ids = await load(o, base, next);
    const zoe = await signIn(o, 'zoe@example.com', PASSWORD);
    const ticket = expectOk(await o.run(['ticket', 'show', String(ids['ask']), '--json'], { env: { OKPAY_SESSION: zoe } })).json<{
      ticket: { subject: string; transaction: { id: string } };
    }>().ticket;
    expect(ticket.subject).toBe(`About ${ids['pay']}`);
    expect(ticket.transaction.id).toBe(ids['pay']);
  });

  it('a failing expect is exit 6 naming what did not hold, and the store is left exactly as it was', async () => {
    const o = store();
    await load(o, fixtureFile(o, 'base.json', small()));
    const before = snapshot(o.home);
    const file = fixtureFile(o, 'wrong.json', {
      users: [{ name: 'max', email: 'max@example.com', password: PASSWORD }],
      // Names live for one run; a user of an earlier run is named by email.
      transfers: [{ name: 'pay', from: 'zoe@example.com', to: '${max.email}', amount: '20.00', currency: 'USD' }],
      expect: { balances: { max: { USD: '25.00' } }, statuses: { pay: 'refunded' }, counts: { users: 2 } },
    });
    const run = await o.run(['fixtures', 'load', file, '--json']);
    const error = expectError(run, 6, 'EXPECTATION_FAILED').error();
    expect(error.message).toContain('wrong.json: balances.max.USD is 20.00, expected 25.00');
    expect(error.message).toContain('wrong.json: statuses.pay is completed, expected refunded');
    expect(error.message).not.toContain('counts.users');
    expect(snapshot(o.home)).toBe(before);
  });

  it('a bad file is exit 2 naming the file, entry and field, and nothing at all is written', async () => {
    const o = store();
    const bad: [string, unknown, RegExp][] = [
      ['syntax.json', '{"users": [', /syntax\.json is not valid JSON/],
      ['syntax.yaml', 'users:\n  - name: [unclosed\n', /syntax\.yaml is not valid YAML/],
      [
        'field.json',
        small({ transfers: [{ from: 'zoe', to: 'x@example.com', amount: '1.00', currency: 'USD', memmo: 'typo' }] }),
        /field\.json: transfers\[0\]: memmo: is not a field here/,
      ],
      [
        'ref.json',
        small({ transfers: [{ from: 'zoe', to: '${max.email}', amount: '1.00', currency: 'USD' }] }),
        /ref\.json: transfers\[0\]: to: refers to "max", which no earlier entry defines/,
      ],
      // These pass the checks on the file alone and fail while loading: still nothing is written.
      [
        'currency.json',
        { users: [{ name: 'zoe', email: 'zoe@example.com', password: PASSWORD, balances: { XYZ: '1.00' } }] },
        /currency\.json: users\[0\] \(zoe\): balances\.XYZ: XYZ is not a supported currency/,
      ],
      [
        'funds.json',
        small({ transfers: [{ name: 'big', from: 'zoe', to: 'x@example.com', amount: '500.00', currency: 'USD' }] }),
        /funds\.json: transfers\[0\] \(big\): amount: .*/,
      ],
      ['password.json', { users: [{ name: 'zoe', email: 'zoe@example.com', password: 'short' }] }, /password\.json: users\[0\] \(zoe\): password: /],
      ['email.json', { users: [{ name: 'zoe', email: 'not-an-email', password: PASSWORD }] }, /email\.json: users\[0\] \(zoe\): email: /],
      [
        'later.json',
        small({
          tickets: [
            { customer: 'zoe', category: 'account', subject: 'Hi', body: 'Hello', at: '-1d', messages: [{ from: 'customer', body: 'Earlier?', at: '-2d' }] },
          ],
        }),
        /later\.json: tickets\[0\]: messages\[0\]\.at: .* is before the ticket was opened/,
      ],
    ];
    for (const [name, content, message] of bad) {
      const run = await o.run(['fixtures', 'load', fixtureFile(o, name, content), '--json']);
      const error = expectError(run, 2, 'INVALID_FILE').error();
      expect(error.message, name).toMatch(message);
      expect(filesIn(o.home), name).toEqual([]);
    }
    // A good file followed by a bad one: the good one is not loaded either.
    const run = await o.run(['fixtures', 'load', fixtureFile(o, 'good.json', small()), fixtureFile(o, 'funds2.json', small())]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/funds2\.json: users\[0\] \(zoe\): name: "zoe" is already used by an earlier entry/);
    expect(filesIn(o.home)).toEqual([]);

    // In a store that already holds data, a refused file leaves every byte as it was.
    await load(o, fixtureFile(o, 'base.json', small()));
    const before = snapshot(o.home);
    for (const [name, content] of bad.slice(2)) {
      expect((await o.run(['fixtures', 'load', fixtureFile(o, name, content)])).code, name).toBe(2);
      expect(snapshot(o.home), name).toBe(before);
    }
  });

  it('a file with three bad entries is exit 2 naming all three, each with its entry and field, and nothing is written', async () => {
    const o = store();
    const file = fixtureFile(o, 'three.json', {
      users: [
        { name: 'zoe', password: PASSWORD },
        { name: 'max', email: 'max@example.com', password: PASSWORD, balances: { usd: '1.00' } },
      ],
      transfers: [{ from: 'zoe', to: 'max@example.com', amount: '1.00', currency: 'USD', memmo: 'typo' }],
    });
    const problems = [
      'three.json: users[0] (zoe): email: is required',
      'three.json: users[1] (max): balances.usd: must be a currency code such as USD',
      'three.json: transfers[0]: memmo: is not a field here',
    ];
    const human = await o.run(['fixtures', 'load', file]);
    expect(human.code, human.stderr).toBe(2);
    const lines = human.stderr.trimEnd().split('\n');
    expect(lines.slice(0, 3).map((line) => line.replace(/ \(use .*\)$/, ''))).toEqual(problems.map((problem) => `okpay: ${problem}`));
    expect(lines[3]).toMatch(/^okpay: the fixture files have 3 problems — /);
    expect(lines).toHaveLength(4);
    const error = expectError(await o.run(['fixtures', 'load', file, '--json']), 2, 'INVALID_FILE').error();
    expect((error as { details?: { problems?: string[] } }).details?.problems?.map((p) => p.replace(/ \(use .*\)$/, ''))).toEqual(problems);
    expect(filesIn(o.home)).toEqual([]);
  });

  it('is refused (exit 4) in a store with real accounts, and so are generate and dev otp', async () => {
    const o = store();
    // A real store runs on the real clock (OKPAY_NOW is refused in it).
    const real = { env: { OKPAY_NOW: undefined } };
    expectOk(await o.run(['admin', 'init', '--email', 'ops@example.com', '--password-stdin'], { stdin: `${PASSWORD}\n`, ...real }));
    const before = snapshot(o.home);
    expectError(await o.run(['fixtures', 'load', path.join(FIXTURES, 'locked-account.json'), '--json'], real), 4, 'FORBIDDEN');
    expectError(await o.run(['fixtures', 'generate', '--users', '5', '--transactions', '10', '--json'], real), 4, 'FORBIDDEN');
    expectError(await o.run(['dev', 'otp', '--email', 'ops@example.com', '--json'], real), 4, 'FORBIDDEN');
    expect(snapshot(o.home)).toBe(before);
  });
});

describe.concurrent('fixtures generate and export', () => {
  const generate = async (o: Okpay, seed: string) =>
    expectOk(await o.run(['fixtures', 'generate', '--users', '40', '--transactions', '1500', '--tickets', '30', '--seed', seed])).json<{
      transactions: number;
      sampleUsers: { email: string; password: string; twoFactor: boolean }[];
      tickets: { byStatus: Record<string, number>; byLanguage: Record<string, number> };
    }>();
  const exported = async (o: Okpay) => expectOk(await o.run(['fixtures', 'export'])).stdout;

  it('the same seed at the same moment exports identically; another seed does not', async () => {
    const [a, b, c] = [store(), store(), store()];
    await Promise.all([generate(a, 'alpha'), generate(b, 'alpha'), generate(c, 'beta')]);
    const [ea, eb, ec] = await Promise.all([exported(a), exported(b), exported(c)]);
    expect(ea.length).toBeGreaterThan(10_000);
    expect(ea === eb).toBe(true);
    expect(ea === ec).toBe(false);
    // Export to a file writes the same document (inside the store's temporary directory, removed with it).
    const file = path.join(a.home, 'export.json');
    expectOk(await a.run(['fixtures', 'export', '--output', file]));
    expect(readFileSync(file, 'utf8') === ea).toBe(true);
  });

  it('makes a store that verifies, with payouts in several states and tickets in every state and several languages', async () => {
    const o = store();
    const summary = await generate(o, 'gamma');
    expect(summary.transactions).toBeGreaterThanOrEqual(1500);
    await verifyClean(o);
    expect(Object.keys(summary.tickets.byStatus).sort()).toEqual(['closed', 'merged', 'new', 'on-hold', 'open', 'pending', 'solved']);
    expect(Object.keys(summary.tickets.byLanguage).length).toBeGreaterThanOrEqual(3);

    const dump = JSON.parse(await exported(o)) as {
      journal: { tx: { type: string; at: string; details: { record?: { status: string } } } }[];
      state: {
        withdrawals: Record<string, { status: string }>;
        users: Record<string, { passwordHash: string }>;
        tickets: Record<string, { events: { at: string }[] }>;
        limitWindows: Record<string, Record<string, number>>;
      };
    };
    const inFlight = Object.values(dump.state.withdrawals).map((w) => w.status);
    const finished = dump.journal
      .filter((e) => e.tx.type === 'withdrawal.complete' || e.tx.type === 'withdrawal.release')
      .map((e) => e.tx.details.record?.status);
    expect(inFlight.length).toBeGreaterThan(0);
    expect(new Set([...inFlight, ...finished]).size).toBeGreaterThanOrEqual(3);
    // The generated history ends now; nothing happens in the future.
    const now = o.now;
    expect(dump.journal.every((e) => e.tx.at <= now)).toBe(true);
    for (const ticket of Object.values(dump.state.tickets)) {
      const times = ticket.events.map((e) => e.at);
      expect(times.every((at, i) => at <= now && (i === 0 || at >= (times[i - 1] ?? '')))).toBe(true);
    }
    expect(Object.values(dump.state.users).every((u) => u.passwordHash === '[redacted]')).toBe(true);
    // The history spans months, but limit windows keep only their last 30 days (pruned weekly as it goes).
    expect(Date.parse(now) - Date.parse(dump.journal[0]?.tx.at ?? now)).toBeGreaterThan(60 * 86_400_000);
    const days = Object.values(dump.state.limitWindows).flatMap((window) => Object.keys(window));
    expect(days.length).toBeGreaterThan(0);
    expect(days.every((day) => Date.parse(now) - Date.parse(day) < 38 * 86_400_000)).toBe(true);

    // The sample users sign in with the password the summary prints, with a code from dev otp when they use 2FA.
    const sample = summary.sampleUsers[0];
    if (!sample) throw new Error('no sample users');
    const otp = sample.twoFactor ? expectOk(await o.run(['dev', 'otp', '--email', sample.email])).stdout.trim() : undefined;
    expect(await signIn(o, sample.email, sample.password, otp)).toMatch(/\S{20,}/);
  });

  it('refuses to generate into a store that is not empty, even a test store', async () => {
    const o = store();
    await load(o, fixtureFile(o, 'base.json', small()));
    const before = snapshot(o.home);
    expectError(await o.run(['fixtures', 'generate', '--users', '5', '--transactions', '10', '--json']), 6, 'ALREADY_EXISTS');
    expect(snapshot(o.home)).toBe(before);
  });
});

describe.concurrent('dev otp', () => {
  it('dev otp gives the code that signs a fixture user in; no code for a user without 2FA', async () => {
    const o = store();
    await load(o, path.join(FIXTURES, 'demo.json'));
    const { code, validForSeconds } = expectOk(await o.run(['dev', 'otp', '--email', 'bob@example.com', '--json'])).json<{
      code: string;
      validForSeconds: number;
    }>();
    expect(code).toMatch(/^\d{6}$/);
    expect(validForSeconds).toBeGreaterThan(0);
    expect(expectOk(await o.run(['dev', 'otp', '--email', 'BOB@example.com'])).stdout.trim()).toBe(code);
    const bob = await signIn(o, 'bob@example.com', 'Demo-pass-2026!', code);
    expect(
      expectOk(await o.run(['whoami', '--json'], { env: { OKPAY_SESSION: bob } })).json<{ user: { email: string; twoFactor: unknown } }>().user.email,
    ).toBe('bob@example.com');
    expectError(await o.run(['dev', 'otp', '--email', 'lena.mueller@example.de', '--json']), 6, 'INVALID_TRANSITION');
    expectError(await o.run(['dev', 'otp', '--email', 'nobody@example.com', '--json']), 5, 'USER_NOT_FOUND');
  });
});
