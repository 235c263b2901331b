// What the real binary answers when the PostgreSQL server says no without being broken: a lock held
// beyond lock_timeout, a statement cancelled by statement_timeout, a server (or role) that takes no
// more connections, a role without rights, a read-only database. Each is one line with the store's
// exit code (10), never an internal error, and never shows the password. And an empty database,
// which a look leaves empty.

import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { WRITERS_LOCK } from '../../src/store/pg/pg-store.js';
import { PASSWORD } from '../support/accounts.js';
import { Okpay, runBin, type Run } from '../support/okpay.js';
import { withClient } from '../support/pg-e2e.js';
import { admin, testDatabase } from '../support/pg.js';

const SECRET = 'hunter2-secret';

/** A database URL with a password (the test server trusts any), and with another role when given. */
function asRole(url: string, role?: string): string {
  return url.replace(/^postgres:\/\/([^@/:]+)(:[^@/]*)?@/, (_, user: string) => `postgres://${role ?? user}:${SECRET}@`);
}

interface Store {
  readonly o: Okpay;
  readonly url: string;
  run(args: readonly string[], env?: Record<string, string | undefined>): Promise<Run>;
}

async function freshStore(): Promise<Store> {
  const db = await testDatabase();
  const url = asRole(db.url);
  const o = new Okpay();
  return { o, url, run: (args, env = {}) => o.run(args, { env: { OKPAY_DATABASE_URL: url, ...env } }) };
}

/** ada, an approved customer with USD 100, signed in: her session token. */
async function ada(store: Store): Promise<string> {
  const fixture = path.join(store.o.home, 'ada.json');
  writeFileSync(
    fixture,
    JSON.stringify({ users: [{ name: 'ada', email: 'ada@example.com', password: PASSWORD, country: 'US', kyc: 'approved', balances: { USD: '100' } }] }),
  );
  const loaded = await store.run(['fixtures', 'load', fixture]);
  expect(loaded.code, loaded.stderr).toBe(0);
  const login = await store.o.run(['login', '--email', 'ada@example.com', '--password-stdin', '--raw'], {
    stdin: `${PASSWORD}\n`,
    env: { OKPAY_DATABASE_URL: store.url },
  });
  expect(login.code, login.stderr).toBe(0);
  return login.stdout.trim();
}

/** The store's refusal: exit 10, one JSON line on stderr with the code, no password anywhere. */
function refused(run: Run, code: string, message: RegExp): void {
  expect(run.code, run.stderr).toBe(10);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.error()).toMatchObject({ code, exitCode: 10, message: expect.stringMatching(message) });
  expect(run.stdout + run.stderr).not.toContain(SECRET);
}

describe('a PostgreSQL server that says no', () => {
  it('a lock held beyond lock_timeout is STORE_LOCKED and a statement_timeout STORE_UNAVAILABLE (exit 10, one line), nothing changed', async () => {
    const store = await freshStore();
    try {
      const session = await ada(store);
      const deposit = (env: Record<string, string>) =>
        store.run(['deposit', '--amount', '5', '--currency', 'USD', '--json'], { OKPAY_SESSION: session, ...env });
      await withClient(store.url, async (client) => {
        // The writers' lock taken alone, as a writer that lost four times takes it: every writer waits for it.
        await client.query('SELECT pg_advisory_lock($1)', [WRITERS_LOCK]);
        refused(await deposit({ PGOPTIONS: '-c lock_timeout=200' }), 'STORE_LOCKED', /is busy: a lock okpay needs stayed held by another session/);
        refused(
          await deposit({ PGOPTIONS: '-c statement_timeout=200' }),
          'STORE_UNAVAILABLE',
          /cancelled okpay's statement \(canceling statement due to statement timeout\)/,
        );
      });
      const balance = await store.run(['balance', '--json'], { OKPAY_SESSION: session });
      expect(balance.json()).toMatchObject({ balances: [{ currency: 'USD', available: '100.00' }] });
    } finally {
      store.o.cleanup();
    }
  });

  it('a role that may not connect more, or may not read the tables, is STORE_UNAVAILABLE (exit 10, one line) saying so', async () => {
    const store = await freshStore();
    const role = `okpay_limited_${process.pid}_${Date.now().toString(36)}`;
    try {
      const session = await ada(store);
      await admin((client) => client.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER CONNECTION LIMIT 0`));
      const full = await store.run(['balance', '--json'], { OKPAY_SESSION: session, OKPAY_DATABASE_URL: asRole(store.url, role) });
      refused(full, 'STORE_UNAVAILABLE', /takes no more connections \(too many connections for role/);
      expect(full.error().hint).toContain('CONNECTION LIMIT');
      await admin((client) => client.query(`ALTER ROLE ${role} CONNECTION LIMIT -1`));
      const denied = await store.run(['balance', '--json'], { OKPAY_SESSION: session, OKPAY_DATABASE_URL: asRole(store.url, role) });
      refused(denied, 'STORE_UNAVAILABLE', /does not allow okpay's role this \(permission denied for table/);
    } finally {
      await admin((client) => client.query(`DROP ROLE IF EXISTS ${role}`));
      store.o.cleanup();
    }
  });
});

describe('a read-only PostgreSQL database', () => {
  it("answers a look whose session's last use is due to be recorded (that write is skipped); a change is STORE_UNAVAILABLE, one line", async () => {
    const store = await freshStore();
    try {
      const session = await ada(store);
      // Two minutes on, a look records its session's last use (at most once a minute): a write.
      store.o.advance(2 * 60_000);
      const readOnly = { OKPAY_SESSION: session, PGOPTIONS: '-c default_transaction_read_only=on' };
      const balance = await store.run(['balance', '--json'], readOnly);
      expect(balance.code, balance.stderr).toBe(0);
      expect(balance.json()).toMatchObject({ balances: [{ currency: 'USD', available: '100.00' }] });
      refused(
        await store.run(['deposit', '--amount', '5', '--currency', 'USD', '--json'], readOnly),
        'STORE_UNAVAILABLE',
        /is read-only \(cannot execute [A-Z ]+ in a read-only transaction\); nothing was changed/,
      );
      // Writable again, the same look records the last use, and the change is made.
      expect((await store.run(['balance', '--json'], { OKPAY_SESSION: session })).code).toBe(0);
      expect((await store.run(['deposit', '--amount', '5', '--currency', 'USD', '--json'], { OKPAY_SESSION: session })).code).toBe(0);
    } finally {
      store.o.cleanup();
    }
  });
});

describe('an empty PostgreSQL database', () => {
  it('is read as an empty store, as a data directory not made yet is, and left without tables; a writer makes them', async () => {
    const store = await freshStore();
    try {
      const tables = () =>
        withClient(store.url, async (client) => {
          const { rows } = await client.query<{ count: string }>(
            'SELECT count(*)::text AS count FROM information_schema.tables WHERE table_schema = current_schema()',
          );
          return Number(rows[0]?.count);
        });
      const looks = async (env: Record<string, string>) => {
        const answers: string[] = [];
        for (const args of [['balance'], ['outbox', 'list'], ['verify'], ['history']]) {
          const run = await runBin([...args, '--json'], { env: { OKPAY_BCRYPT_COST: '4', ...env } });
          answers.push(`${run.code} ${run.stdout.replace(/"(seconds|entriesPerSecond)": [0-9.]+/g, '"$1": 0')} ${run.stderr}`);
        }
        return answers;
      };
      const directory = path.join(store.o.home, 'not-made-yet');
      const onFiles = await looks({ OKPAY_HOME: directory });
      expect(existsSync(directory)).toBe(false);
      expect(await looks({ OKPAY_HOME: directory, OKPAY_DATABASE_URL: store.url })).toEqual(onFiles);
      const info = await store.run(['store', 'info', '--json'], { OKPAY_NOW: undefined });
      expect(info.json()).toMatchObject({ store: 'postgresql', schemaVersion: 0, sizeBytes: 0 });
      expect(await tables()).toBe(0);
      const init = await store.run(['dev', 'init'], { OKPAY_NOW: undefined });
      expect(init.code, init.stderr).toBe(0);
      expect(await tables()).toBeGreaterThan(0);
    } finally {
      store.o.cleanup();
    }
  });
});

describe('a database URL that pg cannot read', () => {
  it('is a usage error (exit 2, one line, no password) wherever it is given, never an internal error, and nothing is made', async () => {
    const o = new Okpay();
    try {
      const target = path.join(o.home, 'copy');
      const runs = [
        await runBin(['store', 'info', '--json'], { env: { OKPAY_DATABASE_URL: `postgres://okpay:${SECRET}@[::1/okpay` } }),
        await runBin(['--database-url', `postgres://okpay:${SECRET}@db.example.com:99999/okpay`, 'balance', '--json']),
        await runBin([
          '--database-url',
          `postgres://okpay:${SECRET}@db.example.com/okpay?sslmode=verify-full&sslcert=${path.join(o.home, 'none.crt')}`,
          'balance',
          '--json',
        ]),
        await o.run(['store', 'copy', '--from', `postgres://okpay:${SECRET}@[::1/okpay`, '--to', target, '--json']),
      ];
      for (const run of runs) {
        expect(run.code, run.stderr).toBe(2);
        expect(run.stderr.trim().split('\n')).toHaveLength(1);
        expect(run.error()).toMatchObject({
          code: 'USAGE',
          exitCode: 2,
          message: expect.stringMatching(/^the database URL postgres:\/\/okpay:\*\*\*@\S+ cannot be used: /),
        });
        expect(run.stdout + run.stderr).not.toContain(SECRET);
      }
      expect(existsSync(target)).toBe(false);
    } finally {
      o.cleanup();
    }
  });
});
