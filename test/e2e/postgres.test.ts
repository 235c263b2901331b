// The real binary on a PostgreSQL database (OKPAY_DATABASE_URL / --database-url): choosing it,
// `store info` and `store migrate` (never a password), a wallet from sign-up to verify with mails
// read through the CLI, the server's clock unless the database is a test store, and clear
// refusals for a bad URL, an unreachable or newer database and TLS the server does not offer;
// several processes at once, processes killed with SIGKILL at any moment, and a server restarted
// in the middle of a batch.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import nodeModule from 'node:module';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/accounts.js';
import { BIN, Okpay, type Run } from '../support/okpay.js';
import { testDatabase } from '../support/pg.js';
import { asServerUser, postgresBinaries, startCluster, type Cluster } from '../../scripts/pg-cluster.mjs';

/** The kill storm's delays come from this seed, so every run tries the same storm. */
const KILL_STORM_SEED = 20261206;

/** mulberry32: a small seeded generator of numbers in [0, 1). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The schema version this release brings: one per migration file.
const LATEST = readdirSync(path.resolve('data/postgres')).filter((name) => /^\d{4}_.*\.sql$/.test(name)).length;

/** A database URL with a password, as a team would write one (the test server trusts any). */
function withPassword(url: string): string {
  return url.replace(/^postgres:\/\/([^@/:]+)@/, 'postgres://$1:hunter2-secret@');
}

async function freshStore(): Promise<{ o: Okpay; url: string; run: Runner }> {
  const db = await testDatabase();
  const url = withPassword(db.url);
  const o = new Okpay();
  const run = (args: readonly string[], env: Record<string, string | undefined> = {}) => o.run(args, { env: { OKPAY_DATABASE_URL: url, ...env } });
  return { o, url, run };
}

function ok(run: Run): Run {
  expect(run.stderr, `exit ${run.code}`).not.toMatch(/^okpay: /m);
  expect(run.code, run.stderr).toBe(0);
  return run;
}

type Runner = (args: readonly string[], env?: Record<string, string | undefined>) => Promise<Run>;

/** Loads approved US customers from a fixture file, each with the USD balance `usdOf` gives (none for null). */
async function loadPeople(o: Okpay, run: Runner, emails: readonly string[], usdOf: (email: string) => string | null): Promise<void> {
  mkdirSync(o.home, { recursive: true });
  const fixture = path.join(o.home, 'people.json');
  const users = emails.map((email, i) => {
    const usd = usdOf(email);
    return { name: `p${i}`, email, password: PASSWORD, country: 'US', kyc: 'approved', balances: usd === null ? {} : { USD: usd } };
  });
  writeFileSync(fixture, JSON.stringify({ users }));
  ok(await run(['fixtures', 'load', fixture]));
}

/** A session token for `email`, signed in with the password on stdin. */
async function signIn(o: Okpay, url: string, email: string): Promise<string> {
  return ok(await o.run(['login', '--email', email, '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n`, env: { OKPAY_DATABASE_URL: url } })).stdout.trim();
}

async function activateFromOutbox(run: (args: readonly string[], env?: Record<string, string>) => Promise<Run>, email: string): Promise<void> {
  const { mails } = ok(await run(['outbox', 'list', '--to', email, '--kind', 'activation', '--json'])).json<{ mails: { id: string }[] }>();
  const shown = ok(await run(['outbox', 'show', mails[0]?.id ?? 'none', '--raw'])).stdout;
  const token = /\b(act_[A-Za-z0-9_-]+)/.exec(shown)?.[1] ?? 'none';
  ok(await run(['activate', token], { OKPAY_PASSWORD: PASSWORD }));
}

/** Asks until the answer is yes: waits on something observed in the database, never on a guessed time. */
async function waitUntil(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** pg_ctl restart -m fast: every session is cut, open transactions are undone, and the server comes back. */
function restartServer(cluster: Cluster): void {
  const [command, argv] = asServerUser(path.join(cluster.bin, 'pg_ctl'), [
    '-D',
    cluster.data,
    '-m',
    'fast',
    '-w',
    '-t',
    '60',
    '-l',
    path.join(path.dirname(cluster.data), 'server.log'),
    'restart',
  ]);
  const result = spawnSync(command, argv, { stdio: 'ignore' });
  expect(result.status, 'pg_ctl restart').toBe(0);
}

describe('okpay on a PostgreSQL database', () => {
  it('store info and store migrate --test, then a wallet from sign-up to a clean verify, with the password masked everywhere', async () => {
    const { o, url, run } = await freshStore();
    try {
      const empty = ok(await run(['store', 'info', '--json'])).json();
      expect(empty).toMatchObject({ store: 'postgresql', schemaVersion: 0, latestSchemaVersion: LATEST, sizeBytes: 0 });
      expect(JSON.stringify(empty)).not.toContain('hunter2-secret');
      expect(empty['location']).toContain(':***@');
      const migrated = ok(await run(['store', 'migrate', '--test', '--json'])).json();
      expect(migrated).toMatchObject({ applied: Array.from({ length: LATEST }, (_, i) => i + 1), schemaVersion: LATEST, testStore: true });
      expect(ok(await run(['store', 'migrate'])).stdout).toMatch(new RegExp(`schema version ${LATEST}; nothing to apply`));
      // dev init names the database it marks, its password masked, never the unused data directory.
      const marked = ok(await run(['dev', 'init'])).stderr;
      expect(marked).toMatch(/The database postgres:\/\/[^ ]*:\*\*\*@[^ ]* was already a test store\./);
      expect(marked).not.toContain(o.home);

      for (const email of ['ada@example.com', 'bob@example.com']) {
        ok(await o.run(['register', '--email', email, '--password-stdin', '--accept-terms'], { stdin: `${PASSWORD}\n`, env: { OKPAY_DATABASE_URL: url } }));
        await activateFromOutbox(run, email);
      }
      const token = await signIn(o, url, 'ada@example.com');
      const asAda = (args: readonly string[]) => run(args, { OKPAY_SESSION: token });
      ok(await asAda(['deposit', '--amount', '100', '--currency', 'USD', '--source', 'card']));
      ok(await asAda(['transfer', '--to', 'bob@example.com', '--amount', '25', '--currency', 'USD', '--yes']));
      const { balances } = ok(await asAda(['balance', '--json'])).json<{ balances: { currency: string; available: string }[] }>();
      // 100.00 in, 25.00 and a 1.03 fee out (cross-border: neither account has a country).
      expect(balances).toEqual([expect.objectContaining({ currency: 'USD', available: '73.97' })]);
      const { mails } = ok(await run(['outbox', 'list', '--to', 'bob@example.com', '--json'])).json<{ mails: { kind: string }[] }>();
      expect(mails.map((m) => m.kind)).toEqual(['activation', 'payment-received']);
      expect(ok(await run(['verify', '--json'])).json()).toMatchObject({ ok: true, problems: [], checked: { journalEntries: 2 } });
      const info = ok(await run(['store', 'info', '--json'])).json();
      expect(info).toMatchObject({ schemaVersion: LATEST, testStore: true, users: 2, journalEntries: 2 });
      expect(Number(info['sizeBytes'])).toBeGreaterThan(0);
      const text = ok(await run(['store', 'info'])).stdout;
      expect(text).toMatch(/Store: +PostgreSQL/);
      expect(text).not.toContain('hunter2-secret');
      // The flag names the same database as the variable.
      expect(ok(await o.run(['--database-url', url, 'store', 'info', '--json'], { env: { OKPAY_DATABASE_URL: undefined } })).json()).toMatchObject({
        users: 2,
      });
    } finally {
      o.cleanup();
    }
  });

  it('keeps the compiled code of node-postgres (dist/bundle/pg.cjs) in the code cache on Node 20, a file beside the bundle’s, then used as it is (Node 22.1 and newer: Node’s own)', async () => {
    const { o, run } = await freshStore();
    const base = mkdtempSync(path.join(os.tmpdir(), 'okpay-cache-test-'));
    try {
      ok(await run(['store', 'migrate', '--test']));
      const info = () => run(['store', 'info', '--json'], { XDG_CACHE_HOME: base });
      const first = ok(await info()).stdout;
      if ('enableCompileCache' in nodeModule) {
        expect(readdirSync(base)).toEqual([]);
        return;
      }
      const named = (bundle: string) =>
        `bundle-${createHash('sha256')
          .update(path.resolve(BIN, '../../dist/bundle', bundle))
          .digest('hex')
          .slice(0, 16)}-store.v8cache`;
      const directory = path.join(base, 'okpay');
      expect(readdirSync(directory).sort()).toEqual([named('okpay.cjs'), named('pg.cjs')].sort());
      const written = readdirSync(directory).map((name) => [readFileSync(path.join(directory, name)), statSync(path.join(directory, name)).mtimeMs]);
      expect(ok(await info()).stdout).toBe(first);
      expect(readdirSync(directory).map((name) => [readFileSync(path.join(directory, name)), statSync(path.join(directory, name)).mtimeMs])).toEqual(written);
    } finally {
      rmSync(base, { recursive: true, force: true });
      o.cleanup();
    }
  });

  it("runs on the database server's clock, and refuses OKPAY_NOW (exit 2) in a database that is not a test store", async () => {
    const { o, url, run } = await freshStore();
    try {
      ok(await run(['store', 'migrate']));
      // An empty database that is not a test store takes nothing written at an invented time.
      const invented = await o.run(['register', '--email', 'ada@example.com', '--password-stdin', '--accept-terms', '--json'], {
        stdin: `${PASSWORD}\n`,
        env: { OKPAY_DATABASE_URL: url },
      });
      expect(invented.code).toBe(2);
      expect(invented.error()).toMatchObject({ code: 'USAGE', message: expect.stringContaining('OKPAY_NOW is honoured only in a test store') });
      expect(ok(await run(['store', 'info', '--json'], { OKPAY_NOW: undefined })).json()).toMatchObject({ testStore: false, users: 0, journalEntries: 0 });
      const before = Date.now();
      ok(
        await o.run(['register', '--email', 'ada@example.com', '--password-stdin', '--accept-terms'], {
          stdin: `${PASSWORD}\n`,
          env: { OKPAY_DATABASE_URL: url, OKPAY_NOW: undefined },
        }),
      );
      const { mails } = ok(await run(['outbox', 'list', '--json'], { OKPAY_NOW: undefined })).json<{ mails: { date: string }[] }>();
      const sentAt = Date.parse(mails[0]?.date ?? '');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const serverNow = Number((await client.query<{ ms: string }>('SELECT (extract(epoch FROM now()) * 1000)::bigint::text AS ms')).rows[0]?.ms);
      await client.end();
      expect(sentAt).toBeGreaterThanOrEqual(before - 60_000);
      expect(sentAt).toBeLessThanOrEqual(serverNow);
      const refused = await run(['outbox', 'list', '--json'], { OKPAY_NOW: '2026-11-23T10:00:00Z' });
      expect(refused.code).toBe(2);
      expect(refused.error()).toMatchObject({ code: 'USAGE', message: expect.stringContaining('OKPAY_NOW is honoured only in a test store') });
      expect(refused.stderr).not.toContain('hunter2-secret');
    } finally {
      o.cleanup();
    }
  });

  it('refuses a URL that is not PostgreSQL (exit 2), an unreachable server, TLS the server lacks and a newer schema (exit 10), never showing the password', async () => {
    const { o, url, run } = await freshStore();
    try {
      const notUrl = await run(['balance', '--json'], { OKPAY_DATABASE_URL: 'mysql://root:hunter2-secret@db/okpay' });
      expect(notUrl.code).toBe(2);
      expect(notUrl.error().code).toBe('USAGE');
      expect(notUrl.stderr).not.toContain('hunter2-secret');
      const unreachable = await run(['store', 'info', '--json'], { OKPAY_DATABASE_URL: 'postgres://okpay:hunter2-secret@127.0.0.1:1/okpay' });
      expect(unreachable.code).toBe(10);
      expect(unreachable.error()).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('okpay:***@127.0.0.1:1') });
      expect(unreachable.stderr).not.toContain('hunter2-secret');
      const tls = await run(['store', 'info', '--json'], { OKPAY_DATABASE_URL: `${url}${url.includes('?') ? '&' : '?'}sslmode=require` });
      expect(tls.code).toBe(10);
      expect(tls.error()).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/SSL/i) });
      ok(await run(['store', 'migrate']));
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, 'from_a_newer_release')", [LATEST + 1]);
      await client.end();
      const newer = await run(['outbox', 'list', '--json'], { OKPAY_NOW: undefined });
      expect(newer.code).toBe(10);
      expect(newer.error()).toMatchObject({ code: 'STORE_TOO_NEW' });
      expect(newer.stderr).not.toContain('hunter2-secret');
    } finally {
      o.cleanup();
    }
  });

  it('8 processes paying at once, between different people and into one hot account: every transfer acknowledged once, exact to the cent, verify clean', async () => {
    const { o, url, run } = await freshStore();
    try {
      const people = Array.from({ length: 8 }, (_, i) => `payer${i}@example.com`);
      // Fixtures loaded into an empty database make it a test store: OKPAY_NOW keeps working.
      await loadPeople(o, run, [...people, 'hot@example.com'], () => '1000.00');
      expect(ok(await run(['store', 'info', '--json'])).json()).toMatchObject({ testStore: true, users: 9 });
      const tokens = await Promise.all(people.map(async (email) => await signIn(o, url, email)));
      const rounds = 2;
      const pay = (from: number, to: string) =>
        run(['transfer', '--to', to, '--amount', '1.00', '--currency', 'USD', '--yes', '--json'], { OKPAY_SESSION: tokens[from] });
      const outcomes = await Promise.all(
        people.map(async (_, i) => {
          const codes: number[] = [];
          for (let round = 0; round < rounds; round += 1) {
            codes.push((await pay(i, people[(i + 1) % people.length]!)).code);
            codes.push((await pay(i, 'hot@example.com')).code);
          }
          return codes;
        }),
      );
      expect(outcomes.flat()).toEqual(Array.from({ length: people.length * rounds * 2 }, () => 0));
      const hot = await signIn(o, url, 'hot@example.com');
      const { balances } = ok(await run(['balance', '--json'], { OKPAY_SESSION: hot })).json<{ balances: { currency: string; available: string }[] }>();
      expect(balances).toEqual([expect.objectContaining({ currency: 'USD', available: (1000 + people.length * rounds).toFixed(2) })]);
      expect(ok(await run(['verify', '--json'])).json()).toMatchObject({ ok: true, checked: { journalEntries: 9 + people.length * rounds * 2 } });
    } finally {
      o.cleanup();
    }
    // 40 processes spawned on a shared 2-core machine.
  });

  it('a kill -9 storm of transfer processes (fixed seed): 0 acknowledged transfers lost, nothing half-applied, verify clean', async () => {
    const { o, url, run } = await freshStore();
    try {
      await loadPeople(o, run, ['payer@example.com', 'payee@example.com'], () => '1000.00');
      const token = await signIn(o, url, 'payer@example.com');
      const env = {
        PATH: process.env['PATH'],
        HOME: process.env['HOME'],
        OKPAY_HOME: o.home,
        OKPAY_NOW: o.now,
        OKPAY_DATABASE_URL: url,
        OKPAY_SESSION: token,
        OKPAY_BCRYPT_COST: '4',
      };
      const attempt = (killAfterMs: number) =>
        new Promise<string | null>((resolve) => {
          const child = spawn(process.execPath, [BIN, 'transfer', '--to', 'payee@example.com', '--amount', '1.00', '--currency', 'USD', '--yes', '--json'], {
            env,
            stdio: ['ignore', 'pipe', 'ignore'],
          });
          let out = '';
          child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
          const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
          child.on('close', (code) => {
            clearTimeout(timer);
            resolve(code === 0 ? (JSON.parse(out) as { transaction: { id: string } }).transaction.id : null);
          });
        });
      // Four transfers left alone, at once as the storm's are, say how long one takes on this machine
      // now (four at once on a loaded machine take several times one alone). The storm: 16 more, four
      // at once, each killed after a delay drawn with a fixed seed from a sixteenth of that (still
      // starting) to three times it (committed, exiting); where a kill lands still depends on timing.
      const started = Date.now();
      const unkilled = await Promise.all(Array.from({ length: 4 }, () => attempt(600_000)));
      const oneMs = Date.now() - started;
      const draw = seeded(KILL_STORM_SEED);
      const delays = Array.from({ length: 16 }, () => Math.round((oneMs * (1 + Math.floor(draw() * 48))) / 16));
      const acknowledged = unkilled.filter((id): id is string => id !== null);
      expect(acknowledged).toHaveLength(4);
      for (let i = 0; i < delays.length; i += 4)
        acknowledged.push(...(await Promise.all(delays.slice(i, i + 4).map(attempt))).filter((id): id is string => id !== null));
      const { transactions } = ok(await run(['history', '--limit', '100', '--json'], { OKPAY_SESSION: token })).json<{
        transactions: { id: string; type: string }[];
      }>();
      const transfers = transactions.filter((t) => t.type === 'transfer').map((t) => t.id);
      const summary = `seed ${KILL_STORM_SEED}, four transfers at once ${oneMs} ms, kills after ${delays.join(', ')} ms`;
      // Some were killed, some got through: the test looked at both.
      expect(acknowledged.length, summary).toBeGreaterThan(4);
      expect(acknowledged.length, summary).toBeLessThan(delays.length + 4);
      // 0 acknowledged transfers lost.
      for (const id of acknowledged) expect(transfers, summary).toContain(id);
      // Nothing half-applied: each transfer that committed took 1.00 and a 0.01 fee from the payer,
      // gave the payee 1.00 and mailed them, all of it or none of it.
      const availableOf = async (session: string) =>
        ok(await run(['balance', '--json'], { OKPAY_SESSION: session })).json<{ balances: { currency: string; available: string }[] }>().balances;
      expect(await availableOf(token)).toEqual([expect.objectContaining({ currency: 'USD', available: (1000 - transfers.length * 1.01).toFixed(2) })]);
      const payee = await signIn(o, url, 'payee@example.com');
      expect(await availableOf(payee)).toEqual([expect.objectContaining({ currency: 'USD', available: (1000 + transfers.length).toFixed(2) })]);
      const { mails } = ok(await run(['outbox', 'list', '--to', 'payee@example.com', '--kind', 'payment-received', '--json'])).json<{ mails: unknown[] }>();
      expect(mails).toHaveLength(transfers.length);
      expect(ok(await run(['verify', '--json'])).json()).toMatchObject({ ok: true, problems: [] });
    } finally {
      o.cleanup();
    }
  });

  it('verify checks the postings and parties kept beside the journal against its entries', async () => {
    const { o, url, run } = await freshStore();
    try {
      await loadPeople(o, run, ['ada@example.com', 'bob@example.com'], () => '100.00');
      const token = await signIn(o, url, 'ada@example.com');
      ok(await run(['transfer', '--to', 'bob@example.com', '--amount', '25.00', '--currency', 'USD', '--yes'], { OKPAY_SESSION: token }));
      expect(ok(await run(['verify', '--json'])).json()).toMatchObject({ ok: true, problems: [] });
      // What balances and history are read from is changed behind okpay's back; the entries and the
      // balances table still agree, so only the cross-check can see it.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query('ALTER TABLE journal_postings DISABLE TRIGGER USER');
        await client.query('ALTER TABLE journal_parties DISABLE TRIGGER USER');
        await client.query('UPDATE journal_postings SET amount_minor = amount_minor + 1 WHERE seq = 3 AND line = 0');
        await client.query('UPDATE journal_postings SET amount_minor = amount_minor - 1 WHERE seq = 3 AND line = 1');
        await client.query('DELETE FROM journal_parties WHERE seq = 3 AND user_id = (SELECT min(user_id) FROM journal_parties WHERE seq = 3)');
      } finally {
        await client.end();
      }
      const damaged = await run(['verify', '--json']);
      expect(damaged.code).toBe(10);
      const { problems } = damaged.json<{ problems: string[] }>();
      expect(problems).toEqual([
        expect.stringMatching(/^the postings kept beside the journal total -?\d+ for \S+ in USD, but its entries total -?\d+$/),
        expect.stringMatching(/^the postings kept beside the journal total -?\d+ for \S+ in USD, but its entries total -?\d+$/),
        "3 parties are kept beside the journal for the users' history, but its entries name 4",
      ]);
    } finally {
      o.cleanup();
    }
  });

  it('an --atomic batch of more than 1,000 rows refused at its end leaves no row behind (none written ahead is committed on its own), and the next change commits', async () => {
    const { o, url, run } = await freshStore();
    const counts = async (): Promise<Record<string, string>> => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const tables = ['journal', 'journal_parties', 'journal_links', 'journal_postings', 'audit', 'outbox'];
        const { rows } = await client.query<Record<string, string>>(`SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t})::text AS ${t}`).join(', ')}`);
        return rows[0] ?? {};
      } finally {
        await client.end();
      }
    };
    try {
      await loadPeople(o, run, ['ada@example.com', 'bob@example.com'], (email) => (email === 'ada@example.com' ? '100.00' : null));
      const token = await signIn(o, url, 'ada@example.com');
      const before = await counts();
      // Past 1,000 posted rows the batch writes its journal, audit and outbox rows ahead of its commit; the last row cannot be paid.
      const rows = Array.from({ length: 1003 }, (_, i) => `p${i}@example.com,0.01,USD,,p${i}`);
      const file = path.join(o.home, 'atomic.csv');
      writeFileSync(file, ['to,amount,currency,memo,reference', ...rows, 'bob@example.com,900000,USD,,big'].join('\n'));
      const refused = await run(['transfer', '--batch', file, '--atomic', '--yes', '--json'], { OKPAY_SESSION: token });
      expect(refused.code, refused.stderr).toBe(7);
      expect(refused.error().code).toBe('INSUFFICIENT_FUNDS');
      expect(await counts()).toEqual(before);
      ok(await run(['transfer', '--to', 'bob@example.com', '--amount', '1.00', '--currency', 'USD', '--yes'], { OKPAY_SESSION: token }));
      expect(ok(await run(['verify', '--json'])).json()).toMatchObject({ ok: true, problems: [] });
    } finally {
      o.cleanup();
    }
  });

  it('a server restarted in the middle of a batch stops it with exit 10 and a clear message; run again, it pays each row exactly once', async () => {
    // A server of this test's own: restarting the shared one would cut every other test file's connections.
    const cluster = startCluster(postgresBinaries());
    const o = new Okpay();
    const clients: pg.Client[] = [];
    const connect = async (url: string) => {
      const client = new pg.Client({ connectionString: url });
      // The restart ends these connections; without a listener that would end the test process.
      client.on('error', () => undefined);
      clients.push(client);
      await client.connect();
      return client;
    };
    try {
      await (await connect(cluster.url)).query('CREATE DATABASE okpay_restart');
      const url = cluster.url.replace('/postgres?', '/okpay_restart?');
      const run = (args: readonly string[], env: Record<string, string | undefined> = {}) => o.run(args, { env: { OKPAY_DATABASE_URL: url, ...env } });
      const payees = Array.from({ length: 20 }, (_, i) => `payee${i}@example.com`);
      await loadPeople(o, run, ['payer@example.com', ...payees], (email) => (email === 'payer@example.com' ? '1000.00' : null));
      const token = await signIn(o, url, 'payer@example.com');
      const rows = Array.from({ length: 300 }, (_, i) => `${payees[i % payees.length]},1.00,USD,rent,row-${i}`);
      const csv = (name: string, lines: readonly string[]) => {
        const file = path.join(o.home, name);
        writeFileSync(file, `to,amount,currency,memo,reference\n${lines.join('\n')}\n`);
        return file;
      };
      const all = csv('all.csv', rows);
      const batch = () => run(['transfer', '--batch', all, '--yes', '--json'], { OKPAY_SESSION: token });
      const journalEntries = async () => ok(await run(['store', 'info', '--json'])).json<{ journalEntries: number }>().journalEntries;
      // The first 50 rows were paid by an earlier run.
      ok(await run(['transfer', '--batch', csv('first.csv', rows.slice(0, 50)), '--yes', '--json'], { OKPAY_SESSION: token }));
      expect(await journalEntries()).toBe(1 + 50);

      // Another session holds the balances against writes: the batch reads and pays every row in its
      // transaction, then waits to write them (its commit's records go with its journal rows). The
      // server restarts while it waits. (A lock of the journal would stop it earlier, before its
      // transaction: a fresh connection loads the tables it appends to before it waits for its turn.)
      const holder = await connect(url);
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE balances IN SHARE MODE');
      const stopping = batch();
      const watcher = await connect(cluster.url);
      await waitUntil('the batch waits to write its journal entries', async () => {
        const { rows: waiting } = await watcher.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = 'okpay_restart' AND application_name = 'okpay' AND wait_event_type = 'Lock' AND query LIKE '%COPY journal %INSERT INTO balances %'",
        );
        return waiting[0]?.n === 1;
      });
      restartServer(cluster);
      const stopped = await stopping;
      expect(stopped.code, stopped.stderr).toBe(10);
      expect(stopped.error()).toMatchObject({
        code: 'STORE_UNAVAILABLE',
        message: expect.stringMatching(
          /^lost the connection to the database at .* in the middle of the change \(.*\); the database undid it, so nothing was changed$/,
        ),
      });
      expect(await journalEntries()).toBe(1 + 50);

      const again = ok(await batch()).json<{ batch: { paid: number; alreadyPaid: number; failed: number } }>();
      expect(again.batch).toMatchObject({ paid: 250, alreadyPaid: 50, failed: 0 });
      expect(await journalEntries()).toBe(1 + 300);
      expect(ok(await batch()).json()).toMatchObject({ batch: { paid: 0, alreadyPaid: 300 } });
      // Each row paid once: 1.00 and a 0.01 fee, 300 times.
      const { balances } = ok(await run(['balance', '--json'], { OKPAY_SESSION: token })).json<{ balances: { currency: string; available: string }[] }>();
      expect(balances).toEqual([expect.objectContaining({ currency: 'USD', available: '697.00' })]);
      expect(ok(await run(['verify', '--json'])).json()).toMatchObject({ ok: true, problems: [] });
    } finally {
      for (const client of clients) await client.end().catch(() => undefined);
      o.cleanup();
      cluster.stop();
    }
  });
});
