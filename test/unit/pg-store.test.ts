// The PostgreSQL store against a real server: the same random operations through the use-cases give
// the memory store and the PgStore identical records, journal, audit chain and mails; the database
// itself refuses what breaks its rules; migrations are recorded and a newer schema is refused;
// concurrent writers on separate connections stay exact; passwords never show.

import { readdirSync } from 'node:fs';
import fc from 'fast-check';

import { describe, expect, it, vi } from 'vitest';
import type { Actor } from '../../src/app/authenticate.js';
import { payBatch } from '../../src/app/batch.js';
import type { AppDeps } from '../../src/app/ports.js';
import { deposit, quoteTransfer, transfer } from '../../src/app/wallet.js';
import { RefData } from '../../src/cli/refdata.js';
import { verifyStore } from '../../src/cli/store-verify.js';
import { AppError } from '../../src/domain/errors.js';
import { holdAccount, userAccount, type NewTransaction } from '../../src/domain/ledger.js';
import { chainHash } from '../../src/domain/hashing.js';
import { findCurrency } from '../../src/domain/money.js';
import type { User } from '../../src/domain/state.js';
import { classifyRecipient } from '../../src/domain/validate.js';
import { MemoryRecordStore } from '../../src/store/memory-record-store.js';
import { loadPg } from '../../src/store/pg/pg-driver.js';
import { PgStore } from '../../src/store/pg/pg-store.js';
import { maskDatabaseUrl } from '../../src/store/pg/url.js';
import type { RecordStore, RecordsTransaction } from '../../src/store/store.js';
import { summarizeTicket } from '../../src/domain/ticket-summary.js';
import { agentQueue } from '../../src/app/agent.js';
import { NO_FILTER } from '../../src/domain/ticket-filter.js';
import { RecordView } from '../../src/store/record-view.js';
import { PgRecordSource, type Query } from '../../src/store/pg/pg-records.js';
import { APPEND_TURN, PgRecordTransaction } from '../../src/store/pg/pg-transaction.js';
import { agent, customer, europe, newState, open, support } from '../support/desk.js';
import { withClient } from '../support/pg-e2e.js';
import { MIGRATIONS, pgStores } from '../support/pg-store.js';
import { everyQueueGroup } from '../support/records.js';

const NOW = '2026-11-20T10:00:00.000Z';

/** Why a read of the store at `url` (nothing listens there) is refused. */
function refusedRead(url: string): Promise<AppError | null> {
  return new PgStore(url, { migrationsDirectory: MIGRATIONS, now: () => new Date(NOW) })
    .read((t) => t.users.count())
    .then(
      () => null,
      (e: unknown) => e as AppError,
    );
}
const ref = new RefData();
const USD = findCurrency(ref.currencies, 'USD');
const postgres = await pgStores({ segmentSize: 4 });

const people = ['ada', 'bob', 'cyd', 'dee'].map((name) => ({
  ...customer(newState(), name, { country: 'US' }),
  id: `usr_${name}`,
  email: `${name}@example.com`,
}));

/** Deps of one step: its own clock, and random bytes that differ from every other step's (ids never repeat). */
function depsAt(step: number): AppDeps {
  const nowMs = Date.parse(NOW) + step * 60_000;
  let counter = step * 7919;
  const unused = () => {
    throw new Error('not used here');
  };
  return {
    now: () => new Date(nowMs),
    random: { bytes: (count) => Buffer.from(Array.from({ length: count }, () => ((counter += 7) * 2654435761) >>> 24)) },
    passwords: { hash: unused, verify: unused, verifyNothing: unused },
    totp: { generateSecret: unused, uri: unused, verify: unused, generate: unused },
    ref,
  };
}

const actor = (user: User): Actor => ({ user, sessionHash: `session-of-${user.id}` });

type Op =
  | { kind: 'deposit'; who: number; amount: number }
  | { kind: 'transfer'; from: number; to: number; amount: number; key: string | null }
  | { kind: 'quoted'; from: number; to: number; amount: number };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('deposit' as const), who: fc.nat(3), amount: fc.integer({ min: 1, max: 50_000 }) }),
  fc.record({
    kind: fc.constant('transfer' as const),
    from: fc.nat(3),
    to: fc.nat(3),
    amount: fc.integer({ min: 1, max: 30_000 }),
    key: fc.option(fc.constantFrom('k1', 'k2'), { nil: null }),
  }),
  fc.record({ kind: fc.constant('quoted' as const), from: fc.nat(3), to: fc.nat(3), amount: fc.integer({ min: 100, max: 30_000 }) }),
);

/** Runs one operation; a refusal is part of the result (its code), anything else fails the test. */
async function apply(store: RecordStore, op: Op, step: number): Promise<string> {
  const deps = depsAt(step);
  const send = (to: number, amount: number) => ({ to: people[to]!.email, amountMinor: amount, currency: 'USD', toCurrency: 'USD' });
  try {
    return await store.transaction(async (t) => {
      switch (op.kind) {
        case 'deposit':
          return (await deposit(t, deps, actor(people[op.who]!), { amountMinor: op.amount, currency: USD, source: 'card' })).tx.id;
        case 'transfer':
          return (await transfer(t, deps, actor(people[op.from]!), { request: send(op.to, op.amount), memo: null, idempotencyKey: op.key, quoteId: null })).tx
            .id;
        case 'quoted': {
          const quote = await quoteTransfer(t, deps, actor(people[op.from]!), send(op.to, op.amount));
          const sent = await transfer(t, deps, actor(people[op.from]!), { request: null, memo: null, idempotencyKey: null, quoteId: quote.id });
          return `${quote.id} ${sent.tx.id}`;
        }
      }
    });
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

/** Everything a store holds that the operations reach, read through the records API. */
async function dump(store: RecordStore): Promise<unknown> {
  return store.read(async (t) => {
    const journal = [];
    for await (const page of t.journal.scan()) journal.push(...page);
    const audit = [];
    for await (const page of t.auditLog.scan()) audit.push(...page);
    const balances = [];
    for await (const page of t.balances.scan(3)) balances.push(...page);
    const users = [];
    for await (const page of t.users.scan(3)) users.push(...page);
    const perUser = await Promise.all(
      people.map(async (p) => [
        await t.limits.get(p.id),
        await t.idempotency.get(p.id, 'k1'),
        await t.idempotency.get(p.id, 'k2'),
        await t.journal.seqsOfUser(p.id),
      ]),
    );
    const quotes = await Promise.all(journal.map((e) => (e.tx.details.quoteId ? t.quotes.get(e.tx.details.quoteId) : null)));
    return { meta: t.meta.get(), journal, audit, balances, users, perUser, quotes, mails: await t.outbox.list(), count: await t.users.count() };
  });
}

async function seeded(store: RecordStore): Promise<void> {
  await store.transaction((t) => {
    for (const person of people) t.users.put(person);
  });
}

/** A store with three of ada's tickets, opened 1, 2 and 3 hours ago: 1 and 3 in the open queue, 2 solved. */
async function withThreeTickets(): Promise<PgStore> {
  const store = postgres.make(NOW);
  await seeded(store);
  const ada = people[0]!;
  const tickets = [1, 2, 3].map((number) => ({ ...open(newState(), ada, Date.parse(NOW) - number * 3_600_000), number, customerId: ada.id }));
  await store.transaction((t) =>
    tickets.forEach((ticket) => t.tickets.put(ticket, { ...summarizeTicket(ticket, support, europe), status: ticket.number === 2 ? 'solved' : 'new' })),
  );
  return store;
}

/**
 * A unit of work on `store`'s tables over a connection of the test's own, every statement it sends
 * counted in `sent`; a writing one is rolled back.
 */
function counted<R>(store: PgStore, readOnly: boolean, work: (t: PgRecordTransaction, sent: readonly string[]) => Promise<R>): Promise<R> {
  const schema = (store.location.match(/schema (\w+)/) ?? [])[1]!;
  return withClient(postgres.db.url, async (client) => {
    await client.query(`SET search_path TO ${schema}`);
    await client.query(readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY' : 'BEGIN ISOLATION LEVEL SERIALIZABLE');
    const sent: string[] = [];
    const query: Query = (text, values) => {
      sent.push(text);
      return client.query(text, values as unknown[]) as never;
    };
    const source = new PgRecordSource(query);
    try {
      return await work(new PgRecordTransaction(query, new RecordView(source), (await source.meta()).meta, readOnly, store.location), sent);
    } finally {
      await client.query('ROLLBACK');
    }
  });
}

describe('the PostgreSQL store', () => {
  it('gives the same results, records, journal, audit chain and mails as the memory store for the same operations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 1, maxLength: 12 }), async (ops) => {
        const memory = new MemoryRecordStore(NOW, 4);
        const database = postgres.make(NOW);
        await seeded(memory);
        await seeded(database);
        const results: [string, string][] = [];
        for (const [step, op] of ops.entries()) results.push([await apply(memory, op, step), await apply(database, op, step)]);
        for (const [inMemory, inDatabase] of results) expect(inDatabase).toBe(inMemory);
        expect(await dump(database)).toEqual(await dump(memory));
        await database.close();
      }),
      { numRuns: 12, seed: 19, endOnFailure: true },
    );
  });

  it('writes a large unit of work’s journal, audit, outbox and new idempotency rows ahead of its commit, unseen by other sessions until it commits, with the memory store’s entries, chains, mails and keys', async () => {
    const memory = new MemoryRecordStore(NOW, 4);
    const database = postgres.make(NOW, { sendAheadEntries: 3 });
    await seeded(memory);
    await seeded(database);
    const [ada] = people;
    const deps = depsAt(1);
    const pay = (t: RecordsTransaction, i: number) =>
      transfer(t, deps, actor(ada!), {
        request: { to: people[1 + (i % 3)]!.email, amountMinor: 100 + i, currency: 'USD', toCurrency: 'USD' },
        memo: `row ${i}`,
        idempotencyKey: `row-${i}`,
        quoteId: null,
      });
    const payAll = (store: RecordStore, from: number, midway: (t: RecordsTransaction) => Promise<void>, fail: boolean) =>
      store.transaction(async (t) => {
        if (from === 0) await deposit(t, deps, actor(ada!), { amountMinor: 100_000, currency: USD, source: 'card' });
        for (let i = from; i < from + 10; i += 1) await pay(t, i);
        await midway(t);
        // A key written ahead, then removed in the same unit of work: the commit removes it.
        await t.idempotency.delete(ada!.id, `row-${from + 3}`);
        for (let i = from + 10; i < from + 14; i += 1) await pay(t, i);
        if (fail) throw new AppError('USAGE', 'an atomic batch whose last row failed');
      });
    const sessionsWriting = async () =>
      (
        await database.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname IN ('journal', 'audit', 'outbox', 'idempotency') AND c.relnamespace = current_schema()::regnamespace AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()",
        )
      )[0]?.n;
    const seen = async () =>
      (
        await database.query<{ n: string }>(
          'SELECT (SELECT count(*) FROM journal) + (SELECT count(*) FROM audit) + (SELECT count(*) FROM outbox) + (SELECT count(*) FROM idempotency) AS n',
        )
      )[0]?.n;
    const keys = (store: RecordStore) => store.read((t) => Promise.all(Array.from({ length: 42 }, (_, i) => t.idempotency.get(ada!.id, `row-${i}`))));
    const midway = async (t: RecordsTransaction) => {
      await t.flush();
      expect(await sessionsWriting()).toBe(4);
      expect(await seen()).toBe(committed);
    };
    let committed = '0';
    for (const [from, fail] of [
      [0, false],
      [14, true],
      [28, false],
    ] as const) {
      committed = String(await seen());
      const outcomes = await Promise.allSettled([payAll(memory, from, async () => undefined, fail), payAll(database, from, midway, fail)]);
      expect(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : o.status))).toEqual(
        fail ? Array(2).fill('AppError: an atomic batch whose last row failed') : ['fulfilled', 'fulfilled'],
      );
      expect(await dump(database)).toEqual(await dump(memory));
      expect(await keys(database)).toEqual(await keys(memory));
    }
    expect((await keys(database)).filter((record) => record !== null)).toHaveLength(26);
    expect(await sessionsWriting()).toBe(0);
  });

  it('keeps the schema version in schema_migrations and refuses a database from a newer release', async () => {
    const store = postgres.make(NOW);
    await seeded(store);
    // Every migration file, in order: data/postgres/NNNN_name.sql.
    const files = readdirSync(MIGRATIONS)
      .filter((name) => /^\d{4}_\w+\.sql$/.test(name))
      .sort();
    const latest = files.length;
    expect(await store.schema()).toEqual({ version: latest, latest });
    expect(await store.migrate()).toEqual([]);
    const rows = await store.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    expect(rows).toEqual(files.map((name) => ({ version: Number(name.slice(0, 4)), name: name.slice(5, -4) })));
    expect(rows.slice(0, 3).map((row) => row.name)).toEqual(['records', 'mail_deliveries', 'mail_imports']);
    await store.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [latest + 1, 'from_the_future']);
    const later = new PgStore(postgres.db.url, {
      migrationsDirectory: MIGRATIONS,
      now: () => new Date(NOW),
      schema: (store.location.match(/schema (\w+)/) ?? [])[1],
    });
    postgres.db.onDrop(() => later.close());
    await expect(later.read((t) => t.users.count())).rejects.toMatchObject({ code: 'STORE_TOO_NEW' });
  });

  it('begins a look with one round trip (its transaction, the schema version and the store facts together), and still asks for store migrate on a database not migrated as far', async () => {
    const store = postgres.make(NOW);
    await seeded(store);
    const schema = (store.location.match(/schema (\w+)/) ?? [])[1];
    const look = () => {
      const opened = new PgStore(postgres.db.url, { migrationsDirectory: MIGRATIONS, now: () => new Date(NOW), schema });
      postgres.db.onDrop(() => opened.close());
      return opened;
    };
    const sent = vi.spyOn(loadPg().Client.prototype, 'query');
    try {
      const before = await look().read((t) => {
        // What the look sent before its work ran, but the connection's own set-up (the tests' schema).
        const texts = sent.mock.calls.map(([text]) => String(text)).filter((text) => !/^(CREATE SCHEMA|SET search_path)/.test(text));
        return t.users.count().then((count) => ({ texts, count }));
      });
      expect(before.count).toBe(people.length);
      expect(before.texts).toHaveLength(1);
      expect(before.texts[0]).toMatch(/^BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT .*schema_migrations/s);
    } finally {
      sent.mockRestore();
    }
    const latest = readdirSync(MIGRATIONS).filter((name) => /^\d{4}_\w+\.sql$/.test(name)).length;
    await store.query('DELETE FROM schema_migrations WHERE version = $1', [latest]);
    await expect(look().read((t) => t.users.count())).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE', hint: 'Run okpay store migrate.' });
  });

  it('ends a look without waiting for a ROLLBACK: closed at once, the session’s end rolls it back (none sent, no lock left); kept open, its ROLLBACK goes at the next turn of the event loop, or before the next use', async () => {
    const store = postgres.make(NOW);
    await seeded(store);
    const schema = (store.location.match(/schema (\w+)/) ?? [])[1]!;
    const look = () => {
      const opened = new PgStore(postgres.db.url, { migrationsDirectory: MIGRATIONS, now: () => new Date(NOW), schema });
      postgres.db.onDrop(() => opened.close());
      return opened;
    };
    /** The relation locks and the state of the backend `pid`, seen by another session. */
    const backend = (pid: number) =>
      withClient(postgres.db.url, async (client) => {
        const { rows } = await client.query<{ state: string | null; locks: number }>(
          "SELECT (SELECT state FROM pg_stat_activity WHERE pid = $1) AS state, (SELECT count(*)::int FROM pg_locks WHERE pid = $1 AND locktype = 'relation') AS locks",
          [pid],
        );
        return rows[0]!;
      });
    const pidOf = async (opened: PgStore) => (await opened.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]!.pid;
    const sent = vi.spyOn(loadPg().Client.prototype, 'query');
    const textsSince = (from: number) => sent.mock.calls.slice(from).map(([text]) => String(text));
    try {
      // Kept open: the ROLLBACK goes at the next turn of the event loop; once answered, the session is idle and holds no lock.
      const kept = look();
      const keptPid = await pidOf(kept);
      expect(await kept.read((t) => t.users.count())).toBe(people.length);
      const afterLook = sent.mock.calls.length;
      await new Promise((resolve) => setImmediate(resolve));
      expect(textsSince(afterLook)).toEqual(['ROLLBACK']);
      await sent.mock.results[afterLook]!.value;
      expect(await backend(keptPid)).toEqual({ state: 'idle', locks: 0 });
      // A use in the same turn ends the look first, on the same connection.
      expect(await kept.read((t) => t.users.count())).toBe(people.length);
      const beforeUse = sent.mock.calls.length;
      expect(await kept.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(textsSince(beforeUse)).toEqual(['ROLLBACK', 'SELECT 1 AS one']);
      // Closed at once: no ROLLBACK is sent; the server ends the read-only transaction with the session.
      const closed = look();
      const closedPid = await pidOf(closed);
      expect(await closed.read((t) => t.users.count())).toBe(people.length);
      const beforeClose = sent.mock.calls.length;
      await closed.close();
      expect(textsSince(beforeClose)).toEqual([]);
      // Another session's exclusive lock on what the look read is granted (waited for, never refused): the look holds nothing.
      await withClient(postgres.db.url, async (client) => {
        await client.query("SET lock_timeout = '60s'");
        await client.query('BEGIN');
        await client.query(`LOCK TABLE ${schema}.users, ${schema}.store_meta IN ACCESS EXCLUSIVE MODE`);
        await client.query('ROLLBACK');
      });
      expect((await backend(closedPid)).locks).toBe(0);
    } finally {
      sent.mockRestore();
    }
  });

  it('a fresh connection whose first message failed (its lock wait timed out) loads its tables again before its next wait', async () => {
    const store = postgres.make(NOW);
    await seeded(store);
    const schema = (store.location.match(/schema (\w+)/) ?? [])[1];
    const opened = new PgStore(postgres.db.url, { migrationsDirectory: MIGRATIONS, now: () => new Date(NOW), schema, attempts: 1 });
    postgres.db.onDrop(() => opened.close());
    await opened.query("SET lock_timeout = '50ms'");
    const [ada] = people;
    const pay = () => opened.transaction((t) => deposit(t, depsAt(1), actor(ada!), { amountMinor: 100, currency: USD, source: 'card' }));
    await withClient(postgres.db.url, async (holder) => {
      await holder.query(`SELECT pg_advisory_lock(${APPEND_TURN})`);
      await expect(pay()).rejects.toBeInstanceOf(AppError);
      await holder.query(`SELECT pg_advisory_unlock(${APPEND_TURN})`);
    });
    const sent = vi.spyOn(loadPg().Client.prototype, 'query');
    try {
      await pay();
      const first = sent.mock.calls.map(([text]) => (typeof text === 'string' ? text : String((text as { text?: string }).text ?? '')))[0];
      expect(first).toMatch(/^BEGIN; COPY /);
    } finally {
      sent.mockRestore();
    }
  });

  it("runs a unit of work's prepare while it waits for the appenders' turn, before its work and once; a prepare that fails is left to the work", async () => {
    const store = postgres.make(NOW);
    await seeded(store);
    const [ada] = people;
    const order: string[] = [];
    const pay = (step: number, prepare: () => void) =>
      store.transaction(
        (t) => {
          order.push('work');
          return deposit(t, depsAt(step), actor(ada!), { amountMinor: 100, currency: USD, source: 'card' });
        },
        { prepare },
      );
    await withClient(postgres.db.url, async (holder) => {
      await holder.query(`SELECT pg_advisory_lock(${APPEND_TURN})`);
      const paying = pay(1, () => order.push('prepare'));
      // Found waiting for the turn in pg_stat_activity (not after a sleep): by then its prepare has run, its work not.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { rows } = await holder.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'okpay' AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND datname = current_database() AND pid <> pg_backend_pid()",
        );
        if (rows[0]?.n === 1) break;
        if (Date.now() > deadline) throw new Error('the unit of work never waited for the turn');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(order).toEqual(['prepare']);
      await holder.query(`SELECT pg_advisory_unlock(${APPEND_TURN})`);
      await paying;
    });
    expect(order).toEqual(['prepare', 'work']);
    // A prepare that throws changes nothing: the unit of work runs and meets what it needs itself.
    await pay(2, () => {
      throw new Error('the data files could not be read');
    });
    expect(order).toEqual(['prepare', 'work', 'work']);
    expect(((await dump(store)) as { journal: unknown[] }).journal).toHaveLength(2);
  });

  it('a look reads a session with its user and the user’s wallet and held balances in one query, as they are', async () => {
    const store = postgres.make(NOW);
    await seeded(store);
    const [ada, bob] = people;
    await store.transaction(async (t) => {
      t.sessions.put('hash-of-ada', { userId: ada!.id, createdAt: NOW, lastSeenAt: NOW });
      t.sessions.put('hash-of-gone', { userId: 'usr_gone', createdAt: NOW, lastSeenAt: NOW });
      await deposit(t, depsAt(1), actor(ada!), { amountMinor: 1234, currency: USD, source: 'card' });
    });
    const reads = (t: RecordsTransaction, hash: string, userId: string) =>
      Promise.all([t.sessions.get(hash), t.users.get(userId), t.balances.ofAccount(userAccount(userId)), t.balances.ofAccount(holdAccount(userId))]);
    for (const [hash, userId] of [
      ['hash-of-ada', ada!.id],
      ['hash-of-gone', 'usr_gone'],
    ] as const) {
      const sent = vi.spyOn(loadPg().Client.prototype, 'query');
      try {
        const looked = await store.read(async (t) => {
          const before = sent.mock.calls.length;
          const session = await t.sessions.get(hash);
          return { values: [session, ...(await reads(t, hash, userId)).slice(1)], queries: sent.mock.calls.length - before };
        });
        expect(looked.queries).toBe(1);
        // The same as a writer's transaction reads them one by one (one that does not wait reads nothing ahead).
        expect(looked.values).toEqual(await store.transaction((t) => reads(t, hash, userId), { wait: false }));
      } finally {
        sent.mockRestore();
      }
    }
    expect(await store.read((t) => t.balances.ofAccount(userAccount(bob!.id)))).toEqual({});
  });

  it("a writer holding the appenders' turn reads a session with its user, balances and spending window, and a user by email with their record and wallet, in one query each, as one that does not wait reads them one by one", async () => {
    const store = postgres.make(NOW);
    await seeded(store);
    const [ada, bob] = people;
    await store.transaction(async (t) => {
      t.sessions.put('hash-of-ada', { userId: ada!.id, createdAt: NOW, lastSeenAt: NOW });
      await deposit(t, depsAt(1), actor(ada!), { amountMinor: 50_000, currency: USD, source: 'card' });
    });
    // A payment gives ada a spending window, bob a wallet.
    const request = { to: bob!.email, amountMinor: 1_250, currency: 'USD', toCurrency: 'USD' };
    await store.transaction((t) => transfer(t, depsAt(2), actor(ada!), { request, memo: null, idempotencyKey: null, quoteId: null }));
    const reads = async (t: RecordsTransaction) => {
      const session = await t.sessions.get('hash-of-ada');
      const own = await Promise.all([
        t.users.get(ada!.id),
        t.balances.ofAccount(userAccount(ada!.id)),
        t.balances.ofAccount(holdAccount(ada!.id)),
        t.limits.get(ada!.id),
      ]);
      const payee = await t.users.byEmail(bob!.email);
      const theirs = await Promise.all([t.users.get(bob!.id), t.balances.ofAccount(userAccount(bob!.id))]);
      const nobody = await t.users.byEmail('nobody@example.com');
      return [session, ...own, payee?.id, ...theirs, nobody];
    };
    const sent = vi.spyOn(loadPg().Client.prototype, 'query');
    try {
      const ahead = await store.transaction(async (t) => {
        const before = sent.mock.calls.length;
        return { values: await reads(t), queries: sent.mock.calls.length - before };
      });
      // The session with its user's records, bob by email with his, nobody by email.
      expect(ahead.queries).toBe(3);
      const one = await store.transaction(
        async (t) => {
          const before = sent.mock.calls.length;
          return { values: await reads(t), queries: sent.mock.calls.length - before };
        },
        { wait: false },
      );
      expect(one.queries).toBe(9);
      expect(ahead.values).toEqual(one.values);
      expect(ahead.values[4]).toEqual({ '2026-11-20': 1_250 });
    } finally {
      sent.mockRestore();
    }
  });

  it("a writer holding the appenders' turn reads the idempotency key and the payee it was told of (TransactionOptions.readAhead) with the session, in one query, and the session too with its facts, as they are read one by one", async () => {
    const store = postgres.make(NOW);
    await seeded(store);
    const [ada, bob, cyd] = people;
    await store.transaction(async (t) => {
      t.sessions.put('hash-of-ada', { userId: ada!.id, createdAt: NOW, lastSeenAt: NOW });
      await deposit(t, depsAt(1), actor(ada!), { amountMinor: 50_000, currency: USD, source: 'card' });
    });
    const request = { to: bob!.email, amountMinor: 1_250, currency: 'USD', toCurrency: 'USD' };
    await store.transaction((t) => transfer(t, depsAt(2), actor(ada!), { request, memo: null, idempotencyKey: 'inv-1', quoteId: null }));
    const reads = async (t: RecordsTransaction, key: string, email: string) => {
      const session = await t.sessions.get('hash-of-ada');
      const record = await t.idempotency.get(ada!.id, key);
      const payee = await t.users.byEmail(email);
      const theirs = payee ? await Promise.all([t.users.get(payee.id), t.balances.ofAccount(userAccount(payee.id))]) : [];
      return [session, record, payee?.id, ...theirs];
    };
    const sent = vi.spyOn(loadPg().Client.prototype, 'query');
    const counted = (key: string, email: string) => async (t: RecordsTransaction) => {
      const before = sent.mock.calls.length;
      return { values: await reads(t, key, email), queries: sent.mock.calls.length - before };
    };
    try {
      // A key used (with bob, who has a wallet), a key not used (with cyd, who has none), and an address nobody has.
      for (const [key, email] of [
        ['inv-1', bob!.email],
        ['inv-2', cyd!.email],
        ['inv-2', 'nobody@example.com'],
        ["it's \\ 1", bob!.email],
      ] as const) {
        const ahead = await store.transaction(counted(key, email), { readAhead: { idempotencyKey: key, email } });
        expect(ahead.queries).toBe(1);
        // Named with its session, all of it comes with the unit's facts, as soon as the turn is its: no query of its own.
        const withFacts = await store.transaction(counted(key, email), { readAhead: { sessionHash: 'hash-of-ada', idempotencyKey: key, email } });
        expect(withFacts.queries).toBe(0);
        const one = await store.transaction(counted(key, email), { wait: false });
        expect(one.queries).toBeGreaterThan(2);
        expect(ahead.values).toEqual(one.values);
        expect(withFacts.values).toEqual(one.values);
        if (key === 'inv-1') expect(ahead.values[1]).toMatchObject({ txId: expect.stringMatching(/^txn_/) });
        else expect(ahead.values[1] ?? null).toBeNull();
      }
    } finally {
      sent.mockRestore();
    }
    // A payment whose key and payee were read ahead: paid once, replayed after, the new key stored with it.
    const pay = () =>
      store.transaction((t) => transfer(t, depsAt(3), actor(ada!), { request, memo: null, idempotencyKey: 'inv-3', quoteId: null }), {
        readAhead: { sessionHash: 'hash-of-ada', idempotencyKey: 'inv-3', email: bob!.email },
      });
    const paid = await pay();
    const again = await pay();
    expect(again).toMatchObject({ replayed: true, tx: { id: paid.tx.id } });
    const state = (await dump(store)) as { journal: unknown[] };
    expect(state.journal).toHaveLength(3);
    expect((await verifyStore(store)).problems).toEqual([]);
  });

  it('fills the open queue’s group columns of a database migrated from before them (migrations 8 and 9), so its groups hold every open ticket and count those waiting for a first answer', async () => {
    const store = await withThreeTickets();
    const groups = async () => {
      const directory = await store.read(everyQueueGroup);
      const keys = [...(directory ?? new Map()).keys()];
      const facts = [...(directory ?? new Map()).values()];
      return { counted: facts.reduce((sum, f) => sum + f.count, 0), firstReply: facts.reduce((sum, f) => sum + f.firstReplyCount, 0), keys, directory };
    };
    const before = await groups();
    expect(before.counted).toBe(2);
    expect(before.firstReply).toBe(2);
    await store.query(
      'ALTER TABLE ticket_summaries DROP COLUMN queue_group, DROP COLUMN queue_elapsed_minutes, DROP COLUMN queue_running_since_ms, DROP COLUMN queue_unreached, DROP COLUMN queue_due_at_ms, DROP COLUMN queue_created_ms, DROP COLUMN queue_first_reply',
    );
    // Nor had it the table of migration 11.
    await store.query('DROP TABLE phone_codes');
    await store.query('DELETE FROM schema_migrations WHERE version >= 8');
    expect(await store.migrate()).toEqual([8, 9, 10, 11]);
    expect(await groups()).toEqual(before);
    const members = await store.read(async (t) => (await t.tickets.inQueueGroups(before.keys)).map((summary) => summary.number).sort());
    expect(members).toEqual([1, 3]);
  });

  it('verify recomputes the open queue’s group columns from the tickets: a clean store is clean, a count changed in the database is reported', async () => {
    const store = await withThreeTickets();
    expect((await verifyStore(store)).problems).toEqual([]);
    const [row] = await store.query<{ queue_group: string }>('SELECT queue_group FROM ticket_summaries WHERE number = 1');
    const group = row!.queue_group;
    const [before] = await store.query<{ first_reply: number }>(
      'SELECT count(*) FILTER (WHERE queue_first_reply)::integer AS first_reply FROM ticket_summaries WHERE queue_group = $1',
      [group],
    );
    // Ticket 1 no longer counted among those waiting for a first answer: its group's count drops by one.
    await store.query('UPDATE ticket_summaries SET queue_first_reply = false WHERE number = 1');
    const report = await verifyStore(store);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      'ticket_summaries row 1: queue_first_reply is false, but its summary says true',
      `queue group ${group}: the database's queue columns give firstReplyCount ${before!.first_reply - 1}, but its tickets give firstReplyCount ${before!.first_reply}`,
    ]);
    // A closed ticket's row filed in the queue: its group counts one ticket too many.
    await store.query('UPDATE ticket_summaries SET queue_first_reply = true WHERE number = 1');
    await store.query(
      'UPDATE ticket_summaries SET queue_group = $1, queue_elapsed_minutes = 0, queue_unreached = false, queue_created_ms = 0, queue_first_reply = false WHERE number = 2',
      [group],
    );
    const moved = await verifyStore(store);
    expect(moved.problems).toEqual([
      `ticket_summaries row 2: queue_group is ${group}, but its summary says null; queue_elapsed_minutes is 0, but its summary says null; queue_unreached is false, but its summary says null; queue_created_ms is 0, but its summary says null; queue_first_reply is false, but its summary says null`,
      `queue group ${group}: the database's queue columns give count 3, createdMs 0, but its tickets give count 2, createdMs ${Date.parse(NOW) - 3 * 3_600_000}`,
    ]);
  });

  it('agent queue reads the customers of a page in one query, whatever the page size', async () => {
    const store = postgres.make(NOW);
    const state = newState();
    const customers = Array.from({ length: 30 }, (_, i) => ({ ...customer(state, `c${i}`), id: `usr_c${i}`, email: `c${i}@example.com` }));
    const lin = { ...agent(state, 'lin', 1), id: 'usr_lin', email: 'lin@example.com' };
    await store.transaction((t) => {
      for (const user of [...customers, lin]) t.users.put(user);
      customers.forEach((who, i) => {
        const ticket = { ...open(state, who, Date.parse(NOW) - (i + 1) * 60_000), number: i + 1, customerId: who.id };
        t.tickets.put(ticket, summarizeTicket(ticket, support, europe));
      });
    });
    const usersRead = (limit: number) =>
      counted(store, true, async (t, sent) => {
        const queue = await agentQueue(t, depsAt(0), actor(lin), { selection: { ...NO_FILTER, assignee: { kind: 'any' }, sort: 'urgency' }, limit });
        expect(Object.keys(queue.names)).toHaveLength(limit);
        return sent.filter((text) => /FROM users\b/.test(text)).length;
      });
    expect(await usersRead(3)).toBe(1);
    expect(await usersRead(30)).toBe(1);
  });

  it('a batch reads its payees, their records and wallets in one query, whatever their number, and pays as the memory store does', async () => {
    const payees = Array.from({ length: 12 }, (_, i) => ({ ...customer(newState(), `p${i}`, { country: 'US' }), id: `usr_p${i}`, email: `p${i}@example.com` }));
    const [ada] = people;
    const memory = new MemoryRecordStore(NOW, 4);
    const database = postgres.make(NOW);
    const rowsTo = (count: number, tag: string) =>
      [...payees.slice(0, count).map((p) => p.email), 'nobody.yet@example.com'].map((to, i) => ({
        line: i + 2,
        reference: `${tag}-${i}`,
        recipient: classifyRecipient(to),
        to,
        currency: USD,
        amountMinor: 100 + i,
        memo: null,
      }));
    for (const store of [memory, database]) {
      await seeded(store);
      await store.transaction(async (t) => {
        for (const payee of payees) t.users.put(payee);
        await deposit(t, depsAt(1), actor(ada!), { amountMinor: 100_000, currency: USD, source: 'card' });
        // p1 holds money already: the balance read ahead is the one a payment adds to.
        await transfer(t, depsAt(1), actor(ada!), {
          request: { to: payees[1]!.email, amountMinor: 700, currency: 'USD', toCurrency: 'USD' },
          memo: null,
          idempotencyKey: null,
          quoteId: null,
        });
      });
    }
    const paid = await Promise.all(
      [memory, database].map((store) => store.transaction((t) => payBatch(t, depsAt(2), actor(ada!), rowsTo(12, 'paid'), { atomic: false }))),
    );
    expect(paid[1]).toEqual(paid[0]);
    expect(paid[1]!.map((r) => r.status)).toEqual([...Array(12).fill('paid'), 'waiting']);
    expect(await dump(database)).toEqual(await dump(memory));
    const reads = (count: number) =>
      counted(database, false, async (t, sent) => {
        const results = await payBatch(t, depsAt(3), actor(ada!), rowsTo(count, 'counted'), { atomic: false });
        expect(results.map((r) => r.status)).toEqual([...Array(count).fill('paid'), 'waiting']);
        return {
          users: sent.filter((text) => /FROM users\b/.test(text)).length,
          balances: sent.filter((text) => /^SELECT currency, amount_minor/.test(text)).length,
        };
      });
    const few = await reads(3);
    expect(few.users).toBe(1);
    expect(await reads(12)).toEqual(few);
  });

  it('refuses in the database what breaks its rules: duplicate emails, a negative wallet, a quote used twice, unbalanced or rewritten journal entries', async () => {
    const store = postgres.make(NOW);
    await seeded(store);
    const twin = { ...people[1]!, id: 'usr_twin', email: people[0]!.email };
    await expect(store.transaction((t) => t.users.put(twin))).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    const sql = async (text: string) => store.query(text);
    await expect(sql(`INSERT INTO balances VALUES ('${userAccount('usr_ada')}', 'USD', -1)`)).rejects.toThrow(/balances_check|violates check/);
    await expect(store.query('INSERT INTO balances VALUES ($1, $2, $3)', [userAccount('usr_ada'), 'USD', '1.5'])).rejects.toThrow(/type bigint/);
    await expect(
      sql(`INSERT INTO users (id, doc) VALUES ('usr_x', '{"id":"usr_x","email":"Not-Lower@example.com","role":"user","failedLogins":0}')`),
    ).rejects.toThrow(/users_email_check/);
    const quoted = await apply(store, { kind: 'deposit', who: 0, amount: 50_000 }, 0).then(() =>
      apply(store, { kind: 'quoted', from: 0, to: 1, amount: 1_000 }, 1),
    );
    const quoteId = quoted.split(' ')[0];
    await expect(sql(`UPDATE quotes SET doc = jsonb_set(doc::jsonb, '{usedBy}', '"txn_9999999999"')::json WHERE id = '${quoteId}'`)).rejects.toThrow(
      /already used/,
    );
    await expect(sql('UPDATE journal SET end_of_commit = NOT end_of_commit')).rejects.toThrow(/append-only/);
    await expect(sql('DELETE FROM audit')).rejects.toThrow(/append-only/);
    const head = (await store.query<{ seq: string; hash: string }>("SELECT seq, hash FROM chain_heads WHERE chain = 'journal'"))[0]!;
    const seq = Number(head.seq) + 1;
    const next = chainHash(head.hash, seq, true, '{}');
    await expect(sql(`INSERT INTO journal VALUES (${seq}, '${'1'.repeat(64)}', '${next}', true, '{}')`)).rejects.toThrow(/does not follow/);
    // A hash is 64 lower-case hex digits: not upper case, not one digit short or long.
    for (const [column, bad] of [
      ['journal_hash_check', next.toUpperCase()],
      ['journal_hash_check', next.slice(1)],
      ['journal_hash_check', `${next}0`],
    ] as const)
      await expect(sql(`INSERT INTO journal VALUES (${seq}, '${head.hash}', '${bad}', true, '{}')`)).rejects.toThrow(column);
    await expect(sql(`INSERT INTO audit VALUES (1, '${'g'.repeat(64)}', '${next}', true, '{}')`)).rejects.toThrow(/audit_prev_hash_check/);
    await expect(sql(`UPDATE chain_heads SET hash = '${next.slice(2)}' WHERE chain = 'audit'`)).rejects.toThrow(/chain_heads_hash_check/);
    await expect(
      sql(`WITH entry AS (INSERT INTO journal VALUES (${seq}, '${head.hash}', '${next}', true, '{}') RETURNING seq)
           INSERT INTO journal_postings SELECT seq, line, 'world', 'USD', amount FROM entry, (VALUES (0, 500), (1, -499)) AS p(line, amount)`),
    ).rejects.toThrow(/sum to 1 in USD/);
    // Checked over every row of one statement: a good first entry does not carry a broken second one.
    const after = chainHash(next, seq + 1, true, '{}');
    await expect(
      sql(`INSERT INTO journal VALUES (${seq}, '${head.hash}', '${next}', true, '{}'), (${seq + 1}, '${'2'.repeat(64)}', '${after}', true, '{}')`),
    ).rejects.toThrow(/journal entry \d+ does not follow entry/);
    // Postings that sum to zero over the statement but not per entry (+500 on one, -500 on the next).
    await expect(
      sql(`WITH entry AS (INSERT INTO journal VALUES (${seq}, '${head.hash}', '${next}', true, '{}') RETURNING seq)
           INSERT INTO journal_postings SELECT seq + line, 0, 'world', 'USD', 500 - line * 1000 FROM entry, (VALUES (0), (1)) AS p(line)`),
    ).rejects.toThrow(/sum to/);
    await expect(sql(`INSERT INTO journal_parties VALUES ('usr_ada', ${seq + 5})`)).rejects.toThrow(/names journal entry \d+, which does not exist/);
    await expect(sql(`INSERT INTO journal_postings VALUES (${seq + 5}, 0, 'world', 'USD', 1), (${seq + 5}, 1, 'fees', 'USD', -1)`)).rejects.toThrow(
      /names journal entry \d+, which does not exist/,
    );
    expect(await store.read((t) => t.journal.get(seq))).toBeNull();
  });

  it('stays exact when two machines pay each other at once: every transfer lands once, none is lost', async () => {
    const first = postgres.make(NOW);
    await seeded(first);
    await apply(first, { kind: 'deposit', who: 0, amount: 100_000 }, 0);
    await apply(first, { kind: 'deposit', who: 1, amount: 100_000 }, 0);
    const second = new PgStore(postgres.db.url, {
      migrationsDirectory: MIGRATIONS,
      now: () => new Date(NOW),
      schema: (first.location.match(/schema (\w+)/) ?? [])[1],
    });
    postgres.db.onDrop(() => second.close());
    const rounds = 15;
    const results = await Promise.all([
      Promise.all(Array.from({ length: rounds }, (_, i) => apply(first, { kind: 'transfer', from: 0, to: 1, amount: 100, key: null }, i))),
      Promise.all(Array.from({ length: rounds }, (_, i) => apply(second, { kind: 'transfer', from: 1, to: 0, amount: 300, key: null }, i))),
    ]);
    expect(results.flat().every((id) => id.startsWith('txn_'))).toBe(true);
    const state = (await dump(first)) as { journal: unknown[]; balances: { account: string; currencies: Record<string, number> }[] };
    expect(state.journal).toHaveLength(2 + 2 * rounds);
    const total = state.balances.reduce((sum, b) => sum + (b.currencies['USD'] ?? 0), 0);
    expect(total).toBe(0);
    const balanceOf = (id: string) => state.balances.find((b) => b.account === userAccount(id))?.currencies['USD'];
    const fees = state.balances.find((b) => b.account === 'fees')?.currencies['USD'] ?? 0;
    expect((balanceOf('usr_ada') ?? 0) + (balanceOf('usr_bob') ?? 0) + fees).toBe(200_000);
  });

  it('a unit of work that does not wait, which another commit overtook, sends none of its entries before it runs again on a fresh snapshot', async () => {
    const first = postgres.make(NOW);
    await seeded(first);
    const schema = (first.location.match(/schema (\w+)/) ?? [])[1]!;
    const second = new PgStore(postgres.db.url, { migrationsDirectory: MIGRATIONS, now: () => new Date(NOW), schema });
    postgres.db.onDrop(() => second.close());
    // Every statement that inserts rows into the journal, committed or not, counted by a sequence (which no rollback
    // undoes); a fresh connection's empty COPY (which loads the table before the unit of work) inserts none.
    await withClient(postgres.db.url, async (client) => {
      await client.query(`SET search_path TO ${schema}`);
      await client.query(`CREATE SEQUENCE journal_statements;
        CREATE FUNCTION count_journal_statement() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN IF EXISTS (SELECT 1 FROM new_rows) THEN PERFORM nextval('journal_statements'); END IF; RETURN NULL; END $$;
        CREATE TRIGGER journal_statements AFTER INSERT ON journal REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_journal_statement()`);
    });
    let runs = 0;
    // A unit that waits holds the appenders' turn from its start: none overtakes it (the next test). One that does not wait can be overtaken.
    const id = await first.transaction(
      async (t) => {
        runs += 1;
        // The first run's snapshot is taken; another machine's deposit commits before this one posts.
        if (runs === 1) await apply(second, { kind: 'deposit', who: 1, amount: 500 }, 1);
        return (await deposit(t, depsAt(2), actor(people[0]!), { amountMinor: 700, currency: USD, source: 'card' })).tx.id;
      },
      { wait: false },
    );
    expect(runs).toBe(2);
    expect(id).toBe('txn_0000000002');
    const statements = await withClient(postgres.db.url, async (client) => {
      await client.query(`SET search_path TO ${schema}`);
      return (await client.query<{ n: string }>('SELECT last_value::text AS n FROM journal_statements')).rows[0]?.n;
    });
    // The other deposit's and the second run's: the first run stopped when it claimed the chain heads, before its COPY.
    expect(statements).toBe('2');
    const state = (await dump(first)) as { journal: unknown[] };
    expect(state.journal).toHaveLength(2);
  });

  it("under contention no unit of work loses to another append (each holds the appenders' turn from its start): every transfer lands once, balances exact", async () => {
    const first = postgres.make(NOW);
    await seeded(first);
    await apply(first, { kind: 'deposit', who: 0, amount: 100_000 }, 0);
    await apply(first, { kind: 'deposit', who: 1, amount: 100_000 }, 0);
    const schema = (first.location.match(/schema (\w+)/) ?? [])[1]!;
    // Six machines: three pay Ada -> Bob, three Bob -> Ada, each five times, all at once.
    const stores = [
      first,
      ...Array.from({ length: 5 }, () => {
        const store = new PgStore(postgres.db.url, { migrationsDirectory: MIGRATIONS, now: () => new Date(NOW), schema });
        postgres.db.onDrop(() => store.close());
        return store;
      }),
    ];
    const rounds = 5;
    const runs: number[] = [];
    await Promise.all(
      stores.map(async (store, i) => {
        const [from, to] = i % 2 === 0 ? [0, 1] : [1, 0];
        for (let n = 0; n < rounds; n += 1) {
          let count = 0;
          await store.transaction(async (t) => {
            count += 1;
            const request = { to: people[to]!.email, amountMinor: 100 * (i + 1), currency: 'USD', toCurrency: 'USD' };
            return transfer(t, depsAt(1 + i * rounds + n), actor(people[from]!), { request, memo: null, idempotencyKey: null, quoteId: null });
          });
          runs.push(count);
        }
      }),
    );
    expect(runs).toHaveLength(stores.length * rounds);
    // Before the turn a unit could lose again and again to appends that started after it (four times, then it ran alone);
    // with the turn taken after a first loss, once.
    expect(Math.max(...runs)).toBe(1);
    const state = (await dump(first)) as { journal: unknown[]; balances: { account: string; currencies: Record<string, number> }[] };
    expect(state.journal).toHaveLength(2 + stores.length * rounds);
    const balanceOf = (account: string) => state.balances.find((b) => b.account === account)?.currencies['USD'] ?? 0;
    // Ada sends 1, 3 and 5 dollars five times each and Bob 2, 4 and 6: what one sent the other got, the fees aside.
    const fees = balanceOf('fees');
    expect(fees).toBeGreaterThan(0);
    expect(balanceOf(userAccount('usr_ada')) + balanceOf(userAccount('usr_bob')) + fees).toBe(200_000);
    expect(balanceOf(userAccount('usr_ada'))).toBeGreaterThan(100_000 + rounds * (200 + 400 + 600 - 100 - 300 - 500) - fees);
    expect((await verifyStore(first)).problems).toEqual([]);
  });

  it('verify checks each journal_links row against the entries it joins: a row moved to another transaction is reported, not just counted', async () => {
    const store = postgres.make(NOW);
    await seeded(store);
    const raw = (amountMinor: number, links: string[]): NewTransaction => ({
      type: 'deposit',
      at: NOW,
      memo: null,
      links,
      parties: ['usr_ada'],
      postings: [
        { account: userAccount('usr_ada'), currency: 'USD', amountMinor },
        { account: 'world', currency: 'USD', amountMinor: -amountMinor },
      ],
      details: { initiator: 'usr_ada' },
    });
    const first = await store.transaction((t) => t.post(raw(100, [])));
    const second = await store.transaction((t) => t.post(raw(200, [first.id])));
    const third = await store.transaction((t) => t.post(raw(300, [])));
    expect((await verifyStore(store)).problems).toEqual([]);
    // The same number of rows, one joining entry 2 to the wrong (and a later) transaction.
    await store.query('ALTER TABLE journal_links DISABLE TRIGGER USER');
    await store.query('UPDATE journal_links SET tx_id = $1 WHERE tx_id = $2 AND seq = $3', [third.id, first.id, second.seq]);
    const report = await verifyStore(store);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      `journal_links says entry ${second.seq} links to ${third.id}, but the entry does not name it`,
      `journal_links says entry ${second.seq} links to ${third.id}, which is not an earlier entry of the journal`,
      `entry ${second.seq} links to ${first.id}, but journal_links has no row for it`,
    ]);
    // Damaged ids that are no transaction number at all (too long for a bigint, not digits) are reported too, not an SQL error.
    for (const bad of ['txn_99999999999999999999', 'txn_1a']) {
      await store.query('UPDATE journal_links SET tx_id = $1 WHERE seq = $2', [bad, second.seq]);
      const damaged = await verifyStore(store);
      expect(damaged.ok).toBe(false);
      expect(damaged.problems).toContain(`journal_links says entry ${second.seq} links to ${bad}, which is not an earlier entry of the journal`);
    }
  });

  it('answers idempotency keys read ahead (a batch of references) exactly as single reads would, and its own writes over them', async () => {
    const store = postgres.make(NOW);
    await seeded(store);
    await apply(store, { kind: 'deposit', who: 0, amount: 100_000 }, 0);
    const keys = ['k1', 'k2', 'k3'];
    for (const [step, key] of keys.slice(0, 2).entries()) await apply(store, { kind: 'transfer', from: 0, to: 1, amount: 100, key }, step + 1);
    const single = await store.read((t) => Promise.all(keys.map((key) => t.idempotency.get('usr_ada', key))));
    expect(single.map((record) => record !== null)).toEqual([true, true, false]);
    const ahead = await store.read(async (t) => {
      await t.idempotency.prefetch('usr_ada', [...keys, 'k4']);
      return Promise.all(keys.map((key) => t.idempotency.get('usr_ada', key)));
    });
    expect(ahead).toEqual(single);
    // Paid in the same transaction after the prefetch: the transaction's own write wins over what was read ahead.
    const pay = (t: Parameters<Parameters<RecordStore['transaction']>[0]>[0]) =>
      transfer(t, depsAt(9), actor(people[0]!), {
        request: { to: 'bob@example.com', amountMinor: 100, currency: 'USD', toCurrency: 'USD' },
        memo: null,
        idempotencyKey: 'k3',
        quoteId: null,
      });
    const paid = await store.transaction(async (t) => {
      await t.idempotency.prefetch('usr_ada', ['k3']);
      const sent = await pay(t);
      return { sent: sent.tx.id, seen: (await t.idempotency.get('usr_ada', 'k3'))?.txId };
    });
    expect(paid.seen).toBe(paid.sent);
    expect((await store.read((t) => t.idempotency.get('usr_ada', 'k3')))?.txId).toBe(paid.sent);
  });

  it('close() ends a connection still being opened: a query that needed a second connection leaves no socket behind', async () => {
    const store = postgres.make(NOW);
    await store.query('SELECT 1');
    const sockets = () => process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap' || kind === 'PipeWrap').length;
    const before = sockets();
    // The one idle connection is busy with the first query, so the second opens a connection of its own,
    // and the store is closed while it connects (as Ctrl-C in triage closes it while a panel loads).
    const busy = store.query('SELECT pg_sleep(0.2)').catch((error: unknown) => error);
    const connecting = store.query('SELECT 1').catch((error: unknown) => error);
    await store.close();
    await Promise.all([busy, connecting]);
    expect(await connecting).toBeInstanceOf(AppError);
    expect(sockets()).toBe(before - 1);
  });

  it('never shows the password of the database URL, in its location or in an error', async () => {
    const url = 'postgres://okpay:s3cret-pw@127.0.0.1:1/okpay?sslmode=disable';
    expect(maskDatabaseUrl(url)).toBe('postgres://okpay:***@127.0.0.1:1/okpay?sslmode=disable');
    expect(maskDatabaseUrl('postgresql://u@h/db?password=s3cret-pw')).toBe('postgresql://u@h/db?password=***');
    const error = await refusedRead(url);
    expect(error?.code).toBe('STORE_UNAVAILABLE');
    expect(`${error?.message} ${error?.hint}`).not.toContain('s3cret-pw');
    expect(error?.message).toContain('okpay:***@127.0.0.1:1');
  });

  it('never shows any part of a password that holds an "@" (pg signs in with all of it; found by review)', async () => {
    const url = 'postgres://okpay:hunter@2secret@127.0.0.1:1/okpay';
    // Before: postgres://okpay:***@2secret@127.0.0.1:1/okpay, in `store info` and every error.
    expect(maskDatabaseUrl(url)).toBe('postgres://okpay:***@127.0.0.1:1/okpay');
    expect(maskDatabaseUrl('postgres://ops@example.com:pa@ss@db.example.com/okpay')).toBe('postgres://ops@example.com:***@db.example.com/okpay');
    expect(maskDatabaseUrl('postgres://okpay@127.0.0.1:5432/okpay')).toBe('postgres://okpay@127.0.0.1:5432/okpay');
    const error = await refusedRead(url);
    expect(error?.code).toBe('STORE_UNAVAILABLE');
    expect(`${error?.message} ${error?.hint}`).not.toContain('2secret');
  });
});
