// The PostgreSQL record store: the same records API as the memory and split file stores (the
// shared RecordTransaction over a RecordView), with the committed records read from real tables
// (pg-records.ts) and a commit written as SQL in one database transaction.
//
// Concurrency: every transaction runs SERIALIZABLE, so the read-check-write of a use-case (funds,
// lockout counters, TOTP steps, single-use tokens and quotes) is exact across machines without any
// lock of okpay's own; a serialization failure or deadlock runs the whole unit of work again on a
// fresh snapshot, a bounded number of times, then fails with STORE_LOCKED (exit 10). A unit of work
// that waits runs holding the appenders' turn (APPEND_TURN) from before its snapshot, so no other
// append overtakes it. Work must therefore not change anything outside its transaction, nor wait
// for another store's unit of work (that one would wait for the turn it holds). Since the turn makes
// such units run one after another, what happens while it is held decides the rate under contention:
// a fresh backend loads its tables before it waits, the locks, BEGIN and the store's facts go in one
// round trip, a signed-in change's session (with its key and payee, when named) is read with the
// facts, what the change needs from outside the store is made ready while it waits, and the commit's
// records go with its rows (a transfer makes 2 round trips holding the turn, where it made 14).
// Reads run REPEATABLE READ, READ ONLY: one committed version, no locks.
//
// One connection per store, opened on first use (a one-shot command pays for one connect, no pool).
// Beside it: the hash chains' SQL (pg-chain.ts), the unit of work's readers (pg-transaction.ts), the
// records' tables (pg-records.ts) and the connection's failures (pg-errors.ts).

import type { Socket } from 'node:net';
import type pg from 'pg';
import { AppError } from '../../domain/errors.js';
import { GENESIS_HASH } from '../../domain/state.js';
import { MemoryRecordStore } from '../memory-record-store.js';
import { RecordView } from '../record-view.js';
import type { LoadableStore, ReadAhead, RecordsTransaction, StoreLoader, TransactionOptions } from '../store.js';
import { loadMigrations, migrate, refuseNewer, schemaVersion, type Migration } from './migrate.js';
import { copyBatch, copyInto, warmThen, type CopyTable } from './pg-copy.js';
import { PgLoader } from './pg-load.js';
import { loadPg } from './pg-driver.js';
import { brokenConnection, DatabaseErrors, sqlState } from './pg-errors.js';
import {
  fillQueueColumns,
  metaQuery,
  PgRecordSource,
  recordStatements,
  sessionAheadSql,
  sqlLiteral,
  storeMeta,
  type MetaRow,
  type Query,
} from './pg-records.js';
import { APPEND_TABLES, APPEND_TURN, PgRecordTransaction, SEND_AHEAD_ENTRIES } from './pg-transaction.js';
import { maskDatabaseUrl } from './url.js';

export interface PgStoreOptions {
  /** data/postgres: the schema's migration files. */
  readonly migrationsDirectory: string;
  /** "now", for the creation date of a new store. */
  readonly now: () => Date;
  /** Entries per journal page in scans (the file store's segment size). */
  readonly segmentSize?: number;
  /** A PostgreSQL schema to keep the tables in (created when missing); the role's default otherwise. */
  readonly schema?: string;
  /** How many times a unit of work is run before a conflict is reported. */
  readonly attempts?: number;
  /** Posted entries a unit of work holds before it writes its journal, audit and outbox rows ahead of its commit. */
  readonly sendAheadEntries?: number;
  /**
   * The command runs on a fixed clock (OKPAY_NOW): allowed only in a test store (or an empty one,
   * which fixtures then mark), so that no real store ever records an invented time.
   */
  readonly fixedClock?: boolean;
  /** Rows per keyset page when a unit of work scans a kind (`store copy` tests make it small). */
  readonly scanPageRows?: number;
}

const DEFAULT_SEGMENT_SIZE = 1000;
/** The migration that added the open queue's group columns, which okpay's code fills (0008_queue_groups.sql). */
const QUEUE_GROUPS_MIGRATION = 8;
const DEFAULT_ATTEMPTS = 12;
/** Attempts made beside other writers; later ones run alone (see WRITERS_LOCK). */
const SHARED_ATTEMPTS = 4;
/**
 * An advisory lock every writing transaction holds shared, and a transaction that lost SHARED_ATTEMPTS
 * times to concurrent writers holds exclusively: it waits for the writers under way, runs alone and
 * commits, so bounded retry never gives up under steady contention. ("okpayw" in ASCII.)
 */
export const WRITERS_LOCK = 0x6f6b70617977;
/** How a look's transaction begins: one committed version, no locks. */
const BEGIN_READING = 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY';
/** SQLSTATEs that mean "run it again": serialization_failure, deadlock_detected. */
const RETRYABLE = new Set(['40001', '40P01']);

/** The store's facts and the server's clock at the start of a unit of work. */
type StoreFacts = ReturnType<typeof storeMeta>;

export class PgStore implements LoadableStore {
  readonly location: string;
  /** Open connections not in use. A one-shot command opens one; a read during a transaction, a second. */
  private readonly idle: pg.Client[] = [];
  private readonly open = new Set<pg.Client>();
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private migrations: Migration[] | null = null;
  /** Whether okpay's tables are there (once true, it stays so). */
  private tables: Promise<boolean> | null = null;
  /** The database server's time at the start of the unit of work under way (its `now()`). */
  private workTime: Date | null = null;
  private serverOffsetMs = 0;
  private readonly errors: DatabaseErrors;
  /**
   * Connections whose look's read-only transaction is still open, with the ROLLBACK that ends it at
   * the event loop's next turn (or the connection's next use, whichever comes first). A one-shot
   * command that is done before then (a look, its output printed) closes the connection instead:
   * the server ends the transaction with the session, and the command does not wait a round trip.
   */
  private readonly looksOpen = new Map<pg.Client, NodeJS.Immediate>();
  /** ROLLBACKs sent and not yet answered: closing waits for them (pg would otherwise cut the socket). */
  private readonly rollbacks = new Map<pg.Client, Promise<unknown>>();
  /** Connections whose backend has loaded the tables a unit of work appends to (see `copyStatements`). */
  private readonly warm = new WeakSet<pg.Client>();

  constructor(
    private readonly url: string,
    private readonly options: PgStoreOptions,
  ) {
    this.location = maskDatabaseUrl(url) + (options.schema ? ` (schema ${options.schema})` : '');
    this.errors = new DatabaseErrors(url, this.location);
  }

  /** Transactions of one store run one at a time, as a file lock makes them; other machines' run beside them. */
  transaction<T>(work: (t: RecordsTransaction) => Promise<T> | T, options: TransactionOptions = {}): Promise<T> {
    const next = this.queue.then(() => this.withClient('make', (client) => this.runWriting(client, work, options)));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** A look: an empty database is read as the empty store it is, and left without tables (only a writer makes them). */
  read<T>(work: (t: RecordsTransaction) => Promise<T> | T): Promise<T> {
    return this.withClient('none', async (client) => {
      const facts = await this.beginReading(client);
      if (facts !== null) return this.runReading(client, work, facts);
      return (await this.tablesReady(client, false))
        ? this.runReading(client, work, null)
        : new MemoryRecordStore(this.options.now().toISOString(), this.options.segmentSize ?? DEFAULT_SEGMENT_SIZE).read(work);
    });
  }

  /**
   * "Now" for every rule, from the database server so that all machines agree: the time its current
   * transaction started while a unit of work runs, otherwise this machine's time corrected by the
   * offset last seen.
   */
  now(): Date {
    return this.workTime ?? new Date(Date.now() + this.serverOffsetMs);
  }

  /** The schema version of the database and the newest this release knows, without migrating. */
  async schema(): Promise<{ version: number; latest: number }> {
    return this.withClient('none', (client) => schemaVersion(client, this.migrationFiles()));
  }

  /**
   * Applies pending migrations (creating an empty database's tables); returns the versions applied.
   * `testStore` makes a new database a test store (fixed clocks allowed); an existing one must be one already.
   */
  async migrate(testStore = false): Promise<number[]> {
    return this.withClient('none', async (client) => {
      const applied = await migrate(
        client,
        this.migrationFiles(),
        this.location,
        (c) => this.seed(c, testStore),
        (c, version) => (version === QUEUE_GROUPS_MIGRATION ? fillQueueColumns(serialQuery(c)) : Promise.resolve()),
      );
      if (testStore && !applied.includes(1)) {
        const { rows } = await client.query<{ test_store: boolean }>('SELECT test_store FROM store_meta');
        if (!rows[0]?.test_store)
          throw new AppError(
            'USAGE',
            `the database at ${this.location} already holds a store that is not a test store; only an empty database can be made one`,
          );
      }
      return applied;
    });
  }

  /** Bytes on disk of the tables, indexes and TOAST of the store's schema (no tables yet: 0). */
  async sizeBytes(): Promise<number> {
    return this.withClient('none', async (client) => {
      const { rows } = await client.query<{ bytes: string }>(
        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = current_schema()",
      );
      return Number(rows[0]?.bytes ?? 0);
    });
  }

  /** Runs one query outside any unit of work (store info, sizes), on a ready store. */
  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    return this.withClient('make', async (client) => (await client.query<R>(text, values)).rows);
  }

  async close(): Promise<void> {
    this.closed = true;
    const clients = [...this.open];
    this.open.clear();
    this.idle.length = 0;
    // A look's transaction still open is ended by the session's end: no ROLLBACK to wait for. One
    // sent already is waited for: pg cuts the socket of a client ended while a query is under way.
    for (const pending of this.looksOpen.values()) clearImmediate(pending);
    this.looksOpen.clear();
    const rollbacks = [...this.rollbacks.values()];
    this.rollbacks.clear();
    if (rollbacks.length > 0) await Promise.all(rollbacks);
    // The goodbye (Terminate) is written and the socket half-closed, but the server's closing of it
    // is not waited for: its backend ending took 10-25 ms of every command's wall time. The socket no
    // longer keeps the process alive; its pending writes still do, so the goodbye is sent.
    for (const client of clients) {
      client.end().catch(() => undefined);
      (client.connection.stream as Partial<Socket>).unref?.();
    }
  }

  /** `schema`: whether okpay's tables are made when missing (a writer), or not looked for (a look looks for them itself). */
  private async withClient<T>(schema: 'make' | 'none', use: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = this.idle.pop() ?? (await this.connect());
    let healthy = true;
    try {
      await this.endLook(client);
      if (schema === 'make') await this.tablesReady(client, true);
      return await use(client);
    } catch (error) {
      healthy = !brokenConnection(error);
      throw this.errors.explain(error);
    } finally {
      if (healthy && this.open.has(client)) this.idle.push(client);
      else if (!healthy) {
        this.open.delete(client);
        await client.end().catch(() => undefined);
      }
    }
  }

  /**
   * `store copy` into this database: `work` fills it through a loader (pg-load.ts) a page at a time
   * in ONE transaction, committed when it returns, alone (the writers' lock held exclusively); an
   * error, or a client killed meanwhile, rolls all of it back.
   */
  async load<T>(work: (loader: StoreLoader) => Promise<T>): Promise<T> {
    return this.withClient('make', async (client) => {
      await client.query(`SELECT pg_advisory_lock(${WRITERS_LOCK})`);
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        try {
          const loader = new PgLoader(serialQuery(client), copyInto(client), this.options.scanPageRows);
          const result = await work(loader);
          if (this.options.fixedClock && !loader.testStore) throw this.fixedClockRefused();
          await loader.finish();
          await client.query('COMMIT');
          return result;
        } catch (error) {
          if (!brokenConnection(error)) await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      } finally {
        await client.query(`SELECT pg_advisory_unlock(${WRITERS_LOCK})`).catch(() => undefined);
      }
    });
  }

  private async runWriting<T>(client: pg.Client, work: (t: RecordsTransaction) => Promise<T> | T, options: TransactionOptions): Promise<T> {
    const wait = options.wait !== false;
    const attempts = this.options.attempts ?? DEFAULT_ATTEMPTS;
    for (let attempt = 1; ; attempt += 1) {
      // Writers share one advisory lock; one that keeps losing takes it alone, so it cannot starve.
      // A session lock, taken before BEGIN: the transaction's snapshot comes after the wait.
      const alone = attempt > SHARED_ATTEMPTS;
      // A unit that waits holds the appenders' turn from before its snapshot: no other append can
      // come between its snapshot and its own (see APPEND_TURN), so it does not run again for that.
      // (Holding it from its second run only, after losing once, left about one rerun per contended
      // transfer: 1.56-1.60x the sequential rate where this gives 1.71-1.85x, docs/POSTGRES.md.)
      const turn = wait;
      let committing = false;
      let t: PgRecordTransaction | null = null;
      let unlocked = false;
      const locks = `SELECT ${alone ? 'pg_advisory_lock' : 'pg_advisory_lock_shared'}(${WRITERS_LOCK})${turn ? `, pg_advisory_lock(${APPEND_TURN})` : ''}`;
      const unlocks = `SELECT ${alone ? 'pg_advisory_unlock' : 'pg_advisory_unlock_shared'}(${WRITERS_LOCK})${turn ? `, pg_advisory_unlock(${APPEND_TURN})` : ''}`;
      if (!wait && !(await tryWritersLock(client, alone))) throw this.busy();
      // Whether the locks are known to be held: a first round trip that failed may have taken them or not.
      let begun = !wait;
      try {
        // BEGIN and the store's facts in one round trip. Without waiting, a row another transaction
        // is changing is not waited for either (55P03: STORE_LOCKED).
        // A unit that waits reads its session, and what it reads after it, with the facts (TransactionOptions.readAhead).
        const session = wait ? options.readAhead?.sessionHash : undefined;
        const ahead = session === undefined ? '' : `${sessionAheadSql(options.readAhead ?? {}, session, (value) => client.escapeLiteral(value))} AS ahead`;
        const begin = `BEGIN ISOLATION LEVEL SERIALIZABLE; ${wait ? '' : "SET LOCAL lock_timeout = '1ms'; "}${metaQuery(ahead)}`;
        // A unit that waits sends its locks in the same round trip, ahead of its BEGIN (in a
        // transaction of their own: its snapshot is taken after the wait), and before them a fresh
        // connection's backend loads the tables it will append to (see warmThen): once the turn is
        // its, the unit's first statements run without waiting for its client.
        const first = wait
          ? warmThen<MetaRow>(client, this.coldTables(client), `BEGIN; ${locks}; COMMIT; ${begin}`).catch((error: unknown) => {
              // Not known to be warm after a failed first message: the next unit loads the tables before its wait.
              this.warm.delete(client);
              throw error;
            })
          : client.query(begin).then((results) => (results as unknown as pg.QueryResult<MetaRow>[]).at(-1)?.rows);
        // Sent: what the unit will need from outside the store is made ready while the server takes
        // the locks (and under contention waits for the turn), not inside the turn (TransactionOptions.prepare).
        if (attempt === 1) prepareQuietly(options.prepare);
        const rows = await first;
        begun = true;
        t = await this.begin(
          client,
          false,
          storeMeta(rows?.[0]),
          turn ? (options.readAhead ?? {}) : null,
          session === undefined ? undefined : [session, rows?.[0]?.ahead ?? null],
        );
        const result = await work(t);
        let heads = '';
        if (!t.unchanged) {
          // An empty database takes a fixed clock only for what makes it a test store (fixtures).
          if (this.options.fixedClock && !t.currentMeta.testStore) throw this.fixedClockRefused();
          heads = `${await this.commitChanges(client, t)}; `;
        }
        committing = true;
        // The counters and chain heads, COMMIT and the locks' release in one round trip: the next
        // writer's turn starts sooner. A failed statement skips the rest (the locks are let go below).
        await client.query(`${heads}COMMIT; ${unlocks}`);
        unlocked = true;
        this.workTime = null;
        if (t.deferredError) throw t.deferredError;
        return result;
      } catch (thrown) {
        this.workTime = null;
        // Rows being sent ahead are stopped and waited for before the ROLLBACK: sent after it, they would be committed.
        await t?.abandon();
        // Rows sent ahead that failed (a conflict, a lost connection) are the cause; what ran after them failed on the aborted transaction.
        const error = t?.failure ?? thrown;
        if (brokenConnection(error)) throw this.errors.connectionLost(error, committing);
        await client.query('ROLLBACK').catch(() => undefined);
        if (!RETRYABLE.has(sqlState(error))) throw error;
        if (attempt >= attempts) {
          throw new AppError(
            'STORE_LOCKED',
            `the database refused the change ${attempts} times because other commands changed the same records at the same time; nothing was changed`,
            { hint: 'Run the command again.' },
          );
        }
        // A serialization failure means another commit won: the next attempt's snapshot holds it, so
        // it runs at once (waiting would only leave the core idle). Deadlocked units spread out.
        if (sqlState(error) === '40P01') await pause(attempt);
      } finally {
        // Locks that may not be held are let go all at once (the connection holds no others), which warns of none.
        if (!unlocked) await client.query(begun ? unlocks : 'SELECT pg_advisory_unlock_all()').catch(() => undefined);
      }
    }
  }

  /**
   * A look's first round trip: its transaction begun and the store's facts read with the schema
   * version, where a look used to make four (the migrations table looked for, its version, BEGIN,
   * the facts). Null, the transaction ended, when that is not this release's schema or the query
   * fails (no tables, a damaged store): the schema is then checked the long way, which refuses a
   * newer or older database and reads an empty one as an empty store, as before.
   */
  private async beginReading(client: pg.Client): Promise<StoreFacts | null> {
    let row: (MetaRow & { schema_version: number | null }) | undefined;
    try {
      const results = (await client.query(
        `${BEGIN_READING}; ${metaQuery('(SELECT max(version) FROM schema_migrations) AS schema_version')}`,
      )) as unknown as pg.QueryResult<MetaRow & { schema_version: number | null }>[];
      row = results[1]?.rows[0];
    } catch (error) {
      if (brokenConnection(error)) throw error;
    }
    if (row !== undefined && row.schema_version === this.migrationFiles().length) {
      this.tables = Promise.resolve(true);
      return storeMeta(row);
    }
    await client.query('ROLLBACK');
    return null;
  }

  /**
   * A look in a transaction of its own, begun already when `facts` were read with its BEGIN. The
   * transaction, read-only, is left to end after the look (looksOpen).
   */
  private async runReading<T>(client: pg.Client, work: (t: RecordsTransaction) => Promise<T> | T, facts: StoreFacts | null): Promise<T> {
    if (facts === null) await client.query(BEGIN_READING);
    try {
      return await work(await this.begin(client, true, facts));
    } finally {
      this.workTime = null;
      this.looksOpen.set(
        client,
        setImmediate(() => void this.endLook(client)),
      );
    }
  }

  /** Ends the look's transaction still open on `client`, if any: its ROLLBACK sent and answered. */
  private async endLook(client: pg.Client): Promise<void> {
    const pending = this.looksOpen.get(client);
    if (pending !== undefined) {
      clearImmediate(pending);
      this.looksOpen.delete(client);
      const rollback = client.query('ROLLBACK').catch(() => undefined);
      this.rollbacks.set(client, rollback);
      await rollback;
      if (this.rollbacks.get(client) === rollback) this.rollbacks.delete(client);
    } else await this.rollbacks.get(client);
  }

  /** `turn`: a writer that holds the appenders' turn from before its snapshot, which reads ahead (see PgRecordSource), with what its caller named. */
  private async begin(
    client: pg.Client,
    readOnly: boolean,
    facts: StoreFacts | null = null,
    turn: ReadAhead | null = null,
    session?: [hash: string, ahead: string | null],
  ): Promise<PgRecordTransaction> {
    const query = serialQuery(client);
    const source = new PgRecordSource(query, this.options.scanPageRows, readOnly ? 'look' : turn ? 'turn' : 'none', turn ?? {});
    if (session) source.tookSession(...session);
    const { meta, serverTime } = facts ?? (await source.meta());
    this.workTime = serverTime;
    this.serverOffsetMs = serverTime.getTime() - Date.now();
    if (this.options.fixedClock && !meta.testStore && (meta.journal.seq > 0 || meta.audit.seq > 0)) throw this.fixedClockRefused();
    const sendAhead = readOnly
      ? null
      : { copies: () => copyBatch(client, () => this.coldTables(client)), entries: this.options.sendAheadEntries ?? SEND_AHEAD_ENTRIES, source };
    return new PgRecordTransaction(query, new RecordView(source), meta, readOnly, this.location, sendAhead);
  }

  /** Writes the unit of work's rows and records; returns the statement that moves the counters and chain heads, sent with the COMMIT. */
  private async commitChanges(client: pg.Client, t: PgRecordTransaction): Promise<string> {
    const before = t.startMeta;
    const meta = t.currentMeta;
    // Counted before the records are written: a new user is one the database does not hold yet.
    const addedUsers = await t.newUsers();
    // What follows the chain heads or counters is written once they are this unit of work's (see sendAppends).
    const claim = t.postedCount > 0 || t.events.length > 0 || t.mails.length > 0 || t.metaChanged || addedUsers !== 0;
    // The records go in the same round trip as the rows, their values written into the text: a
    // transfer's balances and limit days cost three round trips of their own inside the turn.
    const { journal, audit } = await t.finishAppends(claim, async () => {
      const records = await recordStatements(t.unsentRecords());
      if (meta.testStore !== before.testStore) records.push(`UPDATE store_meta SET test_store = ${sqlLiteral(meta.testStore)}`);
      if (meta.createdAt !== before.createdAt) records.push(`UPDATE store_meta SET created_at = ${sqlLiteral(meta.createdAt)}`);
      return records.length > 0 ? records.join('; ') : undefined;
    });
    // The counters and both chain heads in one statement: each changes only when it moved. Its values
    // are written in (a simple query, which goes with COMMIT, takes no parameters): whole numbers, and
    // hashes as quoted literals.
    const [users, mail, ticket] = [addedUsers, meta.mailSeq, meta.ticketSeq].map(wholeNumber);
    return `WITH c AS (UPDATE counters SET value = CASE name WHEN 'users' THEN value + ${users} WHEN 'mail' THEN ${mail} ELSE ${ticket} END
                   WHERE (name = 'users' AND ${users} <> 0) OR (name = 'mail' AND value <> ${mail}) OR (name = 'ticket' AND value <> ${ticket}))
       UPDATE chain_heads h SET seq = v.seq, hash = v.hash
         FROM (VALUES ('journal', ${wholeNumber(journal.seq)}::bigint, ${client.escapeLiteral(journal.hash)}::text), ('audit', ${wholeNumber(audit.seq)}::bigint, ${client.escapeLiteral(audit.hash)}::text)) AS v(chain, seq, hash)
        WHERE h.chain = v.chain AND h.seq <> v.seq`;
  }

  /** The tables a unit of work appends to, the first time a connection claims the chain heads; none after. */
  private coldTables(client: pg.Client): readonly CopyTable[] {
    if (this.warm.has(client)) return [];
    this.warm.add(client);
    return APPEND_TABLES;
  }

  private migrationFiles(): Migration[] {
    return (this.migrations ??= loadMigrations(this.options.migrationsDirectory));
  }

  /** The first rows of a new store, written with its tables. */
  private async seed(client: pg.Client, testStore = false): Promise<void> {
    await client.query('INSERT INTO store_meta (created_at, segment_size, test_store) VALUES ($1, $2, $3)', [
      this.options.now().toISOString(),
      this.options.segmentSize ?? DEFAULT_SEGMENT_SIZE,
      testStore,
    ]);
    await client.query("INSERT INTO counters (name, value) VALUES ('users', 0), ('mail', 0), ('ticket', 0)");
    await client.query("INSERT INTO chain_heads (chain, seq, hash) VALUES ('journal', 0, $1), ('audit', 0, $1)", [GENESIS_HASH]);
  }

  /** Whether the tables are there, checked once they are; an empty database is looked at again (another process may make them). */
  private async tablesReady(client: pg.Client, make: boolean): Promise<boolean> {
    if (this.tables && (await this.tables)) return true;
    const checking = this.ensureSchema(client, make);
    this.tables = checking.catch(() => false);
    return checking;
  }

  /**
   * Whether the tables are there: an empty database gets them from a writer (`make`, the first use),
   * while a look leaves it as it is; a newer one is refused, an older one must be migrated first.
   */
  private async ensureSchema(client: pg.Client, make: boolean): Promise<boolean> {
    const migrations = this.migrationFiles();
    const state = await schemaVersion(client, migrations);
    refuseNewer(state, this.location);
    if (state.version === 0) {
      if (!make) return false;
      await migrate(client, migrations, this.location, (c) => this.seed(c, false));
    } else if (state.version < state.latest) {
      throw new AppError('STORE_UNAVAILABLE', `the database at ${this.location} has schema version ${state.version}; this okpay needs ${state.latest}`, {
        hint: 'Run okpay store migrate.',
      });
    }
    return true;
  }

  private async connect(): Promise<pg.Client> {
    const client = this.newClient();
    // A connection lost between queries is reported by the next query; without a listener it would end the process.
    client.on('error', () => undefined);
    try {
      if (this.closed) throw new Error('the store was closed');
      await client.connect();
      // A close() while this connected (Ctrl-C in triage while a panel loads) could not end it: pg's
      // end() on a connecting client leaves connect() pending forever. It is ended here instead of
      // staying open and keeping the process alive.
      if (this.closed) throw new Error('the store was closed');
      if (this.options.schema) {
        const schema = client.escapeIdentifier(this.options.schema);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await client.query(`SET search_path TO ${schema}`);
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      // Whatever stops the connection (refused, no such host, TLS, login) makes the store unavailable.
      throw error instanceof AppError ? error : this.errors.unavailable(error);
    }
    this.open.add(client);
    return client;
  }

  private newClient(): pg.Client {
    try {
      return new (loadPg().Client)({ connectionString: this.url, application_name: 'okpay' });
    } catch (error) {
      // pg reads the URL, and the files it names (sslcert, sslkey, sslrootcert), as it makes the
      // client: a URL it cannot read is the user's input, not a bug.
      throw this.errors.unusableUrl(error);
    }
  }

  /** A writer that does not wait, meeting one that runs alone. */
  private busy(): AppError {
    return new AppError('STORE_LOCKED', `the database at ${this.location} is busy: another okpay holds it alone (the writers' lock); nothing was changed`, {
      hint: 'Try again once it has finished.',
    });
  }

  private fixedClockRefused(): AppError {
    return new AppError('USAGE', `OKPAY_NOW is honoured only in a test store, and the database at ${this.location} is not one: its clock is the server's`, {
      hint: 'Unset OKPAY_NOW, or make an empty database a test store with `okpay store migrate --test` (or by loading fixtures into it).',
    });
  }
}

/**
 * Queries of one connection, one after another: the records API asks for several records at once
 * (Promise.all), and a connection runs one query at a time.
 */
function serialQuery(client: pg.Client): Query {
  let last: Promise<unknown> = Promise.resolve();
  return (text, values) => {
    const next = last.then(() => client.query(text, values as unknown[]));
    last = next.catch(() => undefined);
    return next as never;
  };
}

/** A count or sequence number as SQL text: a safe integer, never anything else. */
function wholeNumber(value: number): string {
  if (!Number.isSafeInteger(value)) throw new Error(`not a whole number: ${value}`);
  return String(value);
}

/** The writers' lock if it is free now (shared, or alone), without waiting for it. */
async function tryWritersLock(client: pg.Client, alone: boolean): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>(
    `SELECT ${alone ? 'pg_try_advisory_lock' : 'pg_try_advisory_lock_shared'}(${WRITERS_LOCK}) AS locked`,
  );
  return rows[0]?.locked === true;
}

/** Runs `prepare`, if any; a failure is left to the unit of work, which meets it itself when it needs what failed. */
function prepareQuietly(prepare: (() => void) | undefined): void {
  try {
    prepare?.();
  } catch {
    // The unit of work does the same work, and reports its failure, when it needs it.
  }
}

/** A short randomized wait before running again, growing with the attempt, so deadlocked commands spread out. */
function pause(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(100, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
