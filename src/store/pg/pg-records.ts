// The records of record-kinds.ts as rows of real tables (data/postgres/*.sql): how each kind's
// committed records are read by key (a RecordSource for the shared RecordView), how the secondary
// indexes are answered from indexed columns instead of stored index records, and how a commit's
// writes become INSERT, UPDATE and DELETE statements. Records kept whole are `jsonb` (the same value
// back, not the same text: records are compared as values, never hashed); balances, idempotency
// keys, refunds and limit windows are plain columns.

import type pg from 'pg';
import { holdAccount, userAccount } from '../../domain/ledger.js';
import type { MinorUnits } from '../../domain/money.js';
import type { IdempotencyRecord, LimitWindow, StoreMeta } from '../../domain/state.js';
import { foldShapes, memberFacts, queueGroupKey, type QueueGroupFacts } from '../../domain/queue-group-facts.js';
import type { TicketSummary } from '../../domain/ticket-summary.js';
import {
  DATA_KINDS,
  DIRECTORY_KEY,
  idempotencyKey,
  INDEX_KINDS,
  OPEN_STATUSES,
  openQueueKey,
  WAITING_KEY,
  type IndexMembers,
  type Kind,
  type OrderedKind,
} from '../record-kinds.js';
import type { RecordSource } from '../record-view.js';
import { loadPg } from './pg-driver.js';
import type { OrderedAfter } from '../records.js';
import type { ReadAhead } from '../store.js';
import { META_KEY } from '../record-transaction.js';

export type Query = <R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: readonly unknown[]) => Promise<pg.QueryResult<R>>;

/** Kinds kept whole in a `doc` column, keyed by one column. */
const DOC_TABLES = {
  users: { table: 'users', key: 'id', numeric: false },
  sessions: { table: 'sessions', key: 'token_hash', numeric: false },
  quotes: { table: 'quotes', key: 'id', numeric: false },
  unclaimed: { table: 'unclaimed', key: 'tx_id', numeric: false },
  methods: { table: 'methods', key: 'id', numeric: false },
  withdrawals: { table: 'withdrawals', key: 'id', numeric: false },
  tickets: { table: 'tickets', key: 'number', numeric: true },
  summaries: { table: 'ticket_summaries', key: 'number', numeric: true },
  deliveries: { table: 'mail_deliveries', key: 'mail_id', numeric: false },
  'mail-imports': { table: 'mail_imports', key: 'key', numeric: false },
  'phone-codes': { table: 'phone_codes', key: 'key', numeric: false },
} as const;
type DocKind = keyof typeof DOC_TABLES;

const isDocKind = (kind: Kind): kind is DocKind => Object.hasOwn(DOC_TABLES, kind);

/** Commit order: a summary's ticket row exists before the summary that references it. */
const WRITE_ORDER: readonly Kind[] = DATA_KINDS;

/** Kinds a commit writes elsewhere (counters and chain heads) or that SQL indexes answer. */
const NOT_WRITTEN: ReadonlySet<Kind> = new Set<Kind>(['meta', 'counts', ...INDEX_KINDS]);

const TOKEN_COLUMNS = { activation: 'activation_token', passwordReset: 'password_reset_token', unlockToken: 'unlock_token' } as const;

const OPEN = `status IN (${OPEN_STATUSES.map((s) => `'${s}'`).join(', ')})`;
const SCAN_BATCH = 500;
/** Keys per prefetch query and rows per multi-row write: bounded statements, few round trips. */
const PREFETCH_BATCH = 5000;

/** A bigint column read as text: exact, and refused rather than rounded past 2^53. */
export function minorUnits(text: string): MinorUnits {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`a stored amount (${text}) is beyond exact integer range`);
  return value;
}

/** A subquery: the balances of a user's account ('user': the wallet, 'hold': held money) as one JSON object by currency, or null. */
const BALANCES_OF = (prefix: 'user' | 'hold', userId = 's.user_id'): string =>
  `(SELECT json_object_agg(b.currency, b.amount_minor::text ORDER BY b.currency) FROM balances b WHERE b.account = '${prefix}:' || ${userId})::text`;

/** A subquery: the spending window of the session's user (limit_days) as one JSON object by day, or null. */
const DAYS_OF = '(SELECT json_object_agg(l.day, l.usd_minor::text ORDER BY l.day) FROM limit_days l WHERE l.user_id = s.user_id)::text';

/** The payee named in TransactionOptions.readAhead: the lookup kind, its column, the address. */
function addressOf(after: ReadAhead): { kind: 'user-by-email' | 'user-by-phone'; column: string; value: string } | undefined {
  if (after.email !== undefined) return { kind: 'user-by-email', column: 'email', value: after.email };
  if (after.phone !== undefined) return { kind: 'user-by-phone', column: 'phone', value: after.phone };
  return undefined;
}

/** See PgRecordSource.sessionAheadSql; `after`: what a unit holding the turn reads next (null: not a writer in the turn). */
export function sessionAheadSql(after: ReadAhead | null, tokenHash: string, value: (text: string) => string): string {
  const writer = after !== null;
  const key = after?.idempotencyKey;
  const address = after === null ? undefined : addressOf(after);

  const columns = [
    's.doc::text',
    's.user_id',
    'u.doc::text',
    BALANCES_OF('user'),
    BALANCES_OF('hold'),
    writer ? DAYS_OF : 'NULL',
    key === undefined
      ? 'NULL'
      : `(SELECT json_build_array(i.fingerprint, i.tx_id, i.expires_at) FROM idempotency i WHERE i.user_id = s.user_id AND i.key = ${value(key)})`,
    address === undefined
      ? 'NULL'
      : `(SELECT json_build_array(p.id, p.doc, ${BALANCES_OF('user', 'p.id')}) FROM users p WHERE p.${address.column} = ${value(address.value)})`,
  ];
  return `(SELECT json_build_array(${columns.join(', ')})::text FROM sessions s LEFT JOIN users u ON u.id = s.user_id WHERE s.token_hash = ${value(tokenHash)})`;
}

/** An account's balances from BALANCES_OF (or a window's days from DAYS_OF), as a read of the account (the window) answers them (no row: undefined). */
function balancesOf(json: string | null): Record<string, MinorUnits> | undefined {
  if (json === null) return undefined;
  return Object.fromEntries(Object.entries(JSON.parse(json) as Record<string, string>).map(([currency, amount]) => [currency, minorUnits(amount)]));
}

/**
 * Many rows as one `json` parameter, for `json_to_recordset($1::json) AS r(column type, …)`: one
 * native JSON.stringify, where node-postgres would escape every element of every array parameter
 * into an array literal (for 10,000 journal entries, most of a batch's commit).
 */
function jsonRows(rows: readonly object[]): string {
  return JSON.stringify(rows);
}

/** The time-ordered indexes as indexed columns: (time column, key expression, table), ordered by both. */
const ORDERED_COLUMNS: Readonly<Record<OrderedKind, { table: string; time: string; key: string; order: string }>> = {
  'withdrawals-due': { table: 'withdrawals', time: 'due_at', key: 'id', order: 'due_at, id' },
  'unclaimed-due': { table: 'unclaimed', time: 'expires_at', key: 'tx_id', order: 'expires_at, tx_id' },
  'quotes-expiry': { table: 'quotes', time: 'expires_at', key: 'id', order: 'expires_at, id' },
  'idempotency-expiry': { table: 'idempotency', time: 'expires_at', key: "user_id || ':' || key", order: 'expires_at, user_id, key' },
  'solved-due': { table: 'ticket_summaries', time: 'solved_at', key: 'number::text', order: 'solved_at, number' },
};

/** A record with no entry is no record. */
const nonEmpty = <T extends object>(record: T): T | undefined => (Object.keys(record).length === 0 ? undefined : record);

function members(keys: readonly (string | number)[]): IndexMembers {
  return Object.fromEntries(keys.map((key) => [String(key), true]));
}

/** Pages of `sql` (its parameters: the key after which a page starts) until one comes back empty. */
async function* keysetPages<R extends pg.QueryResultRow>(
  query: Query,
  sql: string,
  first: readonly unknown[],
  keyOf: (row: R) => readonly unknown[],
): AsyncGenerator<R[]> {
  for (let after = first; ;) {
    const { rows } = await query<R>(sql, after);
    const last = rows[rows.length - 1];
    if (last === undefined) return;
    yield rows;
    after = keyOf(last);
  }
}

/** A row of metaQuery. */
export interface MetaRow {
  server_ms: string;
  created_at: string;
  segment_size: number;
  test_store: boolean;
  journal_seq: string;
  journal_hash: string;
  audit_seq: string;
  audit_hash: string;
  mail: string;
  ticket: string;
  /** A writer's session read with its facts (sessionAheadSql), when asked for. */
  ahead?: string | null;
}

/** The query of the store's facts and the server's clock, with `extra` columns (a look reads the schema version with them). */
export function metaQuery(extra = ''): string {
  return `SELECT (extract(epoch FROM now()) * 1000)::bigint::text AS server_ms, m.created_at, m.segment_size, m.test_store, j.seq AS journal_seq, j.hash AS journal_hash, a.seq AS audit_seq, a.hash AS audit_hash,
              (SELECT value FROM counters WHERE name = 'mail') AS mail, (SELECT value FROM counters WHERE name = 'ticket') AS ticket${extra && `, ${extra}`}
         FROM store_meta m, chain_heads j, chain_heads a WHERE j.chain = 'journal' AND a.chain = 'audit'`;
}

/** The store's facts and the server's clock from metaQuery's row. */
export function storeMeta(row: MetaRow | undefined): { meta: StoreMeta; serverTime: Date } {
  if (!row) throw new Error('the okpay tables hold no store_meta row');
  const meta: StoreMeta = {
    createdAt: row.created_at,
    segmentSize: row.segment_size,
    testStore: row.test_store,
    journal: { seq: Number(row.journal_seq), hash: row.journal_hash, bytes: 0 },
    audit: { seq: Number(row.audit_seq), hash: row.audit_hash, bytes: 0 },
    mailSeq: Number(row.mail),
    ticketSeq: Number(row.ticket),
  };
  return { meta, serverTime: new Date(Number(row.server_ms)) };
}

export class PgRecordSource implements RecordSource {
  /**
   * What this transaction has read, absent records included. One source serves one transaction,
   * whose snapshot never changes and whose own writes stay in the RecordView until commit, so a
   * record read again is the same: asking the server again would only cost a round trip.
   */
  private readonly cache = new Map<string, unknown>();
  private levels: Promise<ReturnType<typeof foldShapes>> | null = null;

  /**
   * `pageRows`: rows per keyset page of a scan (`store copy` tests make it small). `readAhead`: a look
   * (REPEATABLE READ, READ ONLY) reads a session with what a signed-in look reads next (sessionAhead);
   * a writer that holds the appenders' turn from before its snapshot ('turn') reads a session with
   * what a signed-in payment reads next (its user's spending window too, and the idempotency key and
   * payee named in `after`: TransactionOptions.readAhead), and a user by address with their record
   * and balances (prefetchByAddress).
   */
  constructor(
    private readonly query: Query,
    private readonly pageRows = SCAN_BATCH,
    private readonly readAhead: 'none' | 'look' | 'turn' = 'none',
    /** In 'turn': what the unit reads after its session, read with it (TransactionOptions.readAhead). */
    private readonly after: ReadAhead = {},
  ) {}

  /** The store's facts, and the server's clock (the transaction's start) read with them. */
  async meta(): Promise<{ meta: StoreMeta; serverTime: Date }> {
    return storeMeta((await this.query<MetaRow>(metaQuery())).rows[0]);
  }

  /** This transaction has read the record and the database holds none (in its snapshot). */
  readAbsent(kind: Kind, key: string): boolean {
    const id = `${kind}\u0000${key}`;
    return this.cache.has(id) && this.cache.get(id) === undefined;
  }

  async get(kind: Kind, key: string): Promise<unknown> {
    const id = `${kind}\u0000${key}`;
    if (this.cache.has(id)) return this.cache.get(id);
    const value = await this.read(kind, key);
    this.cache.set(id, value);
    return value;
  }

  /**
   * Records of several keys in one query: idempotency keys (a batch's references), records kept
   * whole (the customers of a page of the queue), queue groups; other kinds are read when asked for.
   */
  async prefetch(kind: Kind, keys: readonly string[]): Promise<void> {
    if (kind === 'queue-groups') return this.prefetchGroups(keys);
    if (kind === 'user-by-email' || kind === 'user-by-phone') return this.prefetchByAddress(kind, keys);
    if (kind === 'email-of-user') return this.prefetchEmails(keys);
    if (isDocKind(kind)) return this.prefetchDocs(kind, keys);
    if (kind !== 'idempotency') return;
    const unread = keys.filter((key) => !this.cache.has(`${kind}\u0000${key}`));
    for (let from = 0; from < unread.length; from += PREFETCH_BATCH) {
      const part = unread.slice(from, from + PREFETCH_BATCH).map(splitIdempotencyKey);
      const { rows } = await this.query<{ user_id: string; key: string; fingerprint: string; tx_id: string; expires_at: string }>(
        'SELECT i.user_id, i.key, i.fingerprint, i.tx_id, i.expires_at FROM idempotency i JOIN json_to_recordset($1::json) AS k(user_id text, key text) USING (user_id, key)',
        [jsonRows(part.map(([userId, key]) => ({ user_id: userId, key })))],
      );
      const found = new Map(rows.map((r) => [`${r.user_id}:${r.key}`, { fingerprint: r.fingerprint, txId: r.tx_id, expiresAt: r.expires_at }]));
      for (const [userId, key] of part) this.cache.set(`${kind}\u0000${userId}:${key}`, found.get(`${userId}:${key}`));
    }
  }

  /** Records kept whole, by their keys, in one query a part (a probe of the primary key per key). */
  private async prefetchDocs(kind: DocKind, keys: readonly string[]): Promise<void> {
    const unread = [...new Set(keys)].filter((key) => !this.cache.has(`${kind}\u0000${key}`));
    const { table, key: column, numeric } = DOC_TABLES[kind];
    for (let from = 0; from < unread.length; from += PREFETCH_BATCH) {
      const part = unread.slice(from, from + PREFETCH_BATCH);
      const { rows } = await this.query<{ key: string | number; doc: string }>(
        `SELECT ${column} AS key, doc::text AS doc FROM ${table} WHERE ${column} = ANY($1::${numeric ? 'integer' : 'text'}[])`,
        [numeric ? part.map(Number) : part],
      );
      const found = new Map(rows.map((row) => [String(row.key), row.doc]));
      for (const key of part) {
        const doc = found.get(key);
        this.cache.set(`${kind}\u0000${key}`, doc === undefined ? undefined : JSON.parse(doc));
      }
    }
  }

  /**
   * Users by email or phone (a batch's payees) in one query a part, with what a payment to them
   * reads next: their record and their wallet's balances. Each address's lookup, record and
   * balances are then answered as `read` would answer them.
   */
  private async prefetchByAddress(kind: 'user-by-email' | 'user-by-phone', keys: readonly string[]): Promise<void> {
    const unread = [...new Set(keys)].filter((key) => !this.cache.has(`${kind}\u0000${key}`));
    const column = kind === 'user-by-email' ? 'email' : 'phone';
    for (let from = 0; from < unread.length; from += PREFETCH_BATCH) {
      const part = unread.slice(from, from + PREFETCH_BATCH);
      const { rows } = await this.query<{ address: string; id: string; doc: string; balances: string | null }>(
        `SELECT u.${column} AS address, u.id, u.doc::text AS doc, ${BALANCES_OF('user', 'u.id')} AS balances
           FROM users u WHERE u.${column} = ANY($1::text[])`,
        [part],
      );
      const found = new Map(rows.map((row) => [row.address, row]));
      for (const address of part) {
        const row = found.get(address);
        this.cache.set(`${kind}\u0000${address}`, row ? members([row.id]) : undefined);
        if (!row) continue;
        if (!this.cache.has(`users\u0000${row.id}`)) this.cache.set(`users\u0000${row.id}`, JSON.parse(row.doc));
        const account = `balances\u0000${userAccount(row.id)}`;
        if (!this.cache.has(account)) this.cache.set(account, balancesOf(row.balances));
      }
    }
  }

  /** Users' addresses by their ids (a page of the queue names its people) in one query a part. */
  private async prefetchEmails(keys: readonly string[]): Promise<void> {
    const unread = [...new Set(keys)].filter((key) => !this.cache.has(`email-of-user\u0000${key}`));
    for (let from = 0; from < unread.length; from += PREFETCH_BATCH) {
      const part = unread.slice(from, from + PREFETCH_BATCH);
      const { rows } = await this.query<{ id: string; email: string }>('SELECT id, email FROM users WHERE id = ANY($1::text[])', [part]);
      const found = new Map(rows.map((row) => [row.id, row.email]));
      for (const id of part) {
        const email = found.get(id);
        this.cache.set(`email-of-user\u0000${id}`, email === undefined ? undefined : { [id]: email });
      }
    }
  }

  /** The tickets of several queue groups in one scan of the queue index. */
  private async prefetchGroups(keys: readonly string[]): Promise<void> {
    const unread = keys.filter((key) => !this.cache.has(`queue-groups\u0000${key}`));
    if (unread.length === 0) return;
    const { rows } = await this.query<{ grp: string; number: number; doc: string }>(
      'SELECT queue_group AS grp, number, doc::text AS doc FROM ticket_summaries WHERE queue_group = ANY($1::text[])',
      [unread],
    );
    const groups = new Map<string, IndexMembers>(unread.map((key) => [key, {}]));
    for (const row of rows) (groups.get(row.grp) as IndexMembers)[String(row.number)] = JSON.parse(row.doc);
    for (const [key, members] of groups) this.cache.set(`queue-groups\u0000${key}`, Object.keys(members).length === 0 ? undefined : members);
  }

  /** One range scan of the index on the time column (0005_due_indexes.sql), cut off at `limit`. */
  async ordered(kind: OrderedKind, atIso: string, limit: number, after?: OrderedAfter): Promise<string[]> {
    const { table, time, key, order } = ORDERED_COLUMNS[kind];
    const bound = Math.min(limit, Number.MAX_SAFE_INTEGER);
    // Keyset paging: past the cursor's time and key, still one range scan of the (time, key) index.
    const { rows } =
      after === undefined
        ? await this.query<{ key: string }>(`SELECT ${key} AS key FROM ${table} WHERE ${time} <= $1 ORDER BY ${order} LIMIT $2`, [atIso, bound])
        : await this.query<{ key: string }>(
            `SELECT ${key} AS key FROM ${table} WHERE ${time} <= $1 AND (${time}, ${key}) > ($3, $4) ORDER BY ${order} LIMIT $2`,
            [atIso, bound, after.at, after.key],
          );
    return rows.map((r) => r.key);
  }

  private async read(kind: Kind, key: string): Promise<unknown> {
    if (kind === 'sessions' && this.readAhead !== 'none') return this.sessionAhead(key);
    if ((kind === 'user-by-email' || kind === 'user-by-phone') && this.readAhead === 'turn') {
      await this.prefetchByAddress(kind, [key]);
      return this.cache.get(`${kind}\u0000${key}`);
    }
    if (isDocKind(kind)) {
      const { table, key: column, numeric } = DOC_TABLES[kind];
      const { rows } = await this.query<{ doc: string }>(`SELECT doc::text AS doc FROM ${table} WHERE ${column} = $1`, [numeric ? Number(key) : key]);
      return rows[0] ? JSON.parse(rows[0].doc) : undefined;
    }
    switch (kind) {
      case 'meta':
        return key === META_KEY ? (await this.meta()).meta : undefined;
      case 'counts':
        return { users: Number((await this.query<{ value: string }>("SELECT value FROM counters WHERE name = 'users'")).rows[0]?.value ?? 0) };
      case 'balances':
        return this.balances(key);
      case 'idempotency':
        return this.idempotency(key);
      case 'refunds':
        return (await this.query<{ refund_tx_id: string }>('SELECT refund_tx_id FROM refunds WHERE refunded_tx_id = $1', [key])).rows[0]?.refund_tx_id;
      case 'limits':
        return this.limits(key);
      case 'open-queue': {
        const { rows } = await this.query<{ number: number; doc: string }>(
          `SELECT number, doc::text AS doc FROM ticket_summaries WHERE ${OPEN} AND number % 256 = $1`,
          [Number(key)],
        );
        return rows.length === 0 ? undefined : Object.fromEntries(rows.map((r) => [String(r.number), JSON.parse(r.doc)]));
      }
      case 'journal-of-user':
        return (await this.query<{ seq: string }>('SELECT seq FROM journal_parties WHERE user_id = $1 ORDER BY seq', [key])).rows.map((r) => Number(r.seq));
      case 'queue-groups': {
        const { rows } = await this.query<{ number: number; doc: string }>('SELECT number, doc::text AS doc FROM ticket_summaries WHERE queue_group = $1', [
          key,
        ]);
        return rows.length === 0 ? undefined : Object.fromEntries(rows.map((r) => [String(r.number), JSON.parse(r.doc)]));
      }
      case 'journal-links':
        return (await this.query<{ seq: string }>('SELECT seq FROM journal_links WHERE tx_id = $1 ORDER BY seq', [key])).rows.map((r) => Number(r.seq));
      case 'queue-directory':
        return key === DIRECTORY_KEY ? nonEmpty(Object.fromEntries((await this.queueLevels()).shapes)) : undefined;
      case 'queue-days':
        return (await this.queueLevels()).groupsOfShape.get(key);
      case 'email-of-user': {
        const email = (await this.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [key])).rows[0]?.email;
        return email === undefined ? undefined : { [key]: email };
      }
      default:
        return this.indexMembers(kind, key);
    }
  }

  /** An index record, answered from the indexed columns of the records it is derived from. */
  private async indexMembers(kind: Kind, key: string): Promise<IndexMembers | undefined> {
    const keys = await this.indexKeys(kind, key);
    return keys.length === 0 ? undefined : members(keys);
  }

  private async indexKeys(kind: Kind, key: string): Promise<(string | number)[]> {
    const column = async <R extends pg.QueryResultRow>(sql: string, values: unknown[], pick: (row: R) => string | number) =>
      (await this.query<R>(sql, values)).rows.map(pick);
    switch (kind) {
      case 'user-by-email':
        return column<{ id: string }>('SELECT id FROM users WHERE email = $1', [key], (r) => r.id);
      case 'user-by-phone':
        return column<{ id: string }>('SELECT id FROM users WHERE phone = $1', [key], (r) => r.id);
      case 'user-by-token': {
        const split = key.indexOf(':');
        const tokenColumn = TOKEN_COLUMNS[key.slice(0, split) as keyof typeof TOKEN_COLUMNS];
        if (!tokenColumn) return [];
        return column<{ id: string }>(`SELECT id FROM users WHERE ${tokenColumn} = $1`, [key.slice(split + 1)], (r) => r.id);
      }
      case 'staff':
        return column<{ id: string }>("SELECT id FROM users WHERE role IN ('agent', 'admin')", [], (r) => r.id);
      case 'sessions-of-user':
        return column<{ token_hash: string }>('SELECT token_hash FROM sessions WHERE user_id = $1', [key], (r) => r.token_hash);
      case 'tickets-of-customer':
        return column<{ number: number }>('SELECT number FROM ticket_summaries WHERE customer_id = $1', [key], (r) => r.number);
      case 'unclaimed-by-recipient': {
        const by = key.startsWith('email:') ? 'to_email' : key.startsWith('phone:') ? 'to_phone' : null;
        if (by === null) return [];
        return column<{ tx_id: string }>(`SELECT tx_id FROM unclaimed WHERE ${by} = $1`, [key.slice(6)], (r) => r.tx_id);
      }
      case 'withdrawals-of-user':
        return column<{ id: string }>('SELECT id FROM withdrawals WHERE user_id = $1', [key], (r) => r.id);
      case 'withdrawal-by-hold':
        return column<{ id: string }>('SELECT id FROM withdrawals WHERE hold_tx_id = $1', [key], (r) => r.id);
      case 'methods-of-user':
        return column<{ id: string }>('SELECT id FROM methods WHERE user_id = $1', [key], (r) => r.id);
      case 'deliveries-waiting':
        return key === WAITING_KEY
          ? column<{ mail_id: string }>("SELECT mail_id FROM mail_deliveries WHERE status <> 'sent' ORDER BY mail_id", [], (r) => r.mail_id)
          : [];
      case 'mail-imports-of-ticket':
        return column<{ key: string }>('SELECT key FROM mail_imports WHERE ticket = $1', [Number(key)], (r) => r.key);
      default:
        throw new Error(`the PostgreSQL store has no records of kind ${kind}`);
    }
  }

  /** The queue's shapes and each shape's groups, with their facts: from one fold of the groups' facts per transaction. */
  private queueLevels(): Promise<ReturnType<typeof foldShapes>> {
    this.levels ??= queueGroupsInDatabase(this.query).then(foldShapes);
    return this.levels;
  }

  /**
   * A look's session, with what a signed-in look reads next: its user's record and the balances of
   * the user's wallet and held money (all that `balance` reads), in one query where that took four
   * round trips; a writer's (readAhead 'turn') with its user's spending window (limit_days) too.
   * Not in a writer that may run beside other writers: in its SERIALIZABLE transaction the rows
   * read ahead count as read, and could fail it against writers of rows it never used. One that
   * holds the appenders' turn from before its snapshot runs beside none that waits (each committed
   * before the next one's snapshot): only a unit that does not wait (a look's touch of its own
   * session) can still meet it, and that writes no row read ahead here but the session itself.
   */
  private async sessionAhead(tokenHash: string): Promise<unknown> {
    const values: string[] = [];
    const { rows } = await this.query<{ ahead: string | null }>(
      `SELECT ${this.sessionAheadSql(tokenHash, (value) => `$${values.push(value)}`)} AS ahead`,
      values,
    );
    return this.tookSession(tokenHash, rows[0]?.ahead ?? null);
  }

  /**
   * A subquery: the session of `tokenHash` with what is read after it (its user, the user's wallet
   * and held balances; in 'turn' the spending window, and the idempotency key and payee named in
   * TransactionOptions.readAhead), as one JSON array, or null. `value` writes a value into the
   * text: a parameter, or a quoted literal where the subquery goes with the unit's facts (PgStore).
   */
  sessionAheadSql(tokenHash: string, value: (text: string) => string): string {
    return sessionAheadSql(this.readAhead === 'turn' ? this.after : null, tokenHash, value);
  }

  /** The session of `tokenHash` from sessionAheadSql's answer, the records read with it kept as read; returns it (none: undefined). */
  tookSession(tokenHash: string, ahead: string | null): unknown {
    const row = ahead === null ? null : (JSON.parse(ahead) as [string, string, string | null, string | null, string | null, string | null, unknown, unknown]);
    const session = row === null ? undefined : JSON.parse(row[0]);
    const kept: [string, unknown][] = [[`sessions\u0000${tokenHash}`, session]];
    if (row !== null) {
      const [, userId, userDoc, wallet, held, days, idem, payee] = row;
      kept.push(
        [`users\u0000${userId}`, userDoc === null ? undefined : JSON.parse(userDoc)],
        [`balances\u0000${userAccount(userId)}`, balancesOf(wallet)],
        [`balances\u0000${holdAccount(userId)}`, balancesOf(held)],
      );
      const writer = this.readAhead === 'turn';
      if (writer) kept.push([`limits\u0000${userId}`, balancesOf(days)]);
      const key = writer ? this.after.idempotencyKey : undefined;
      if (key !== undefined) {
        const found = idem as [string, string, string] | null;
        kept.push([`idempotency\u0000${idempotencyKey(userId, key)}`, found ? { fingerprint: found[0], txId: found[1], expiresAt: found[2] } : undefined]);
      }
      const address = writer ? addressOf(this.after) : undefined;
      if (address !== undefined) {
        // As prefetchByAddress answers an address: the lookup's one member, the record and the wallet.
        const found = payee as [string, unknown, string | null] | null;
        kept.push([`${address.kind}\u0000${address.value}`, found ? members([found[0]]) : undefined]);
        if (found) kept.push([`users\u0000${found[0]}`, found[1]], [`balances\u0000${userAccount(found[0])}`, balancesOf(found[2])]);
      }
    }
    for (const [id, value] of kept) if (!this.cache.has(id)) this.cache.set(id, value);
    return session;
  }

  private async balances(account: string): Promise<Record<string, MinorUnits> | undefined> {
    const { rows } = await this.query<{ currency: string; amount_minor: string }>(
      'SELECT currency, amount_minor::text AS amount_minor FROM balances WHERE account = $1 ORDER BY currency',
      [account],
    );
    return rows.length === 0 ? undefined : Object.fromEntries(rows.map((r) => [r.currency, minorUnits(r.amount_minor)]));
  }

  private async idempotency(key: string): Promise<IdempotencyRecord | undefined> {
    const [userId, idempotencyKey] = splitIdempotencyKey(key);
    const { rows } = await this.query<{ fingerprint: string; tx_id: string; expires_at: string }>(
      'SELECT fingerprint, tx_id, expires_at FROM idempotency WHERE user_id = $1 AND key = $2',
      [userId, idempotencyKey],
    );
    const row = rows[0];
    return row ? { fingerprint: row.fingerprint, txId: row.tx_id, expiresAt: row.expires_at } : undefined;
  }

  private async limits(userId: string): Promise<LimitWindow | undefined> {
    const { rows } = await this.query<{ day: string; usd_minor: string }>(
      'SELECT day, usd_minor::text AS usd_minor FROM limit_days WHERE user_id = $1 ORDER BY day',
      [userId],
    );
    return rows.length === 0 ? undefined : Object.fromEntries(rows.map((r) => [r.day, minorUnits(r.usd_minor)]));
  }

  scan(kind: Kind): AsyncIterable<readonly (readonly [string, unknown])[]> {
    const query = this.query;
    const limit = `LIMIT ${Math.max(1, Math.floor(this.pageRows))}`;
    return (async function* () {
      // Keyset pages in the primary key's own order (callers sort what they need).
      if (isDocKind(kind)) {
        const { table, key: column, numeric } = DOC_TABLES[kind];
        const sql = `SELECT ${column} AS key, doc::text AS doc FROM ${table} WHERE ${column} > $1 ORDER BY ${column} ${limit}`;
        for await (const rows of keysetPages<{ key: string | number; doc: string }>(query, sql, [numeric ? 0 : ''], (r) => [r.key]))
          yield rows.map((r) => [String(r.key), JSON.parse(r.doc)] as const);
        return;
      }
      switch (kind) {
        case 'balances': {
          const sql = `SELECT account, json_object_agg(currency, amount_minor ORDER BY currency)::text AS currencies FROM balances
                        WHERE account > $1 GROUP BY account ORDER BY account ${limit}`;
          for await (const rows of keysetPages<{ account: string; currencies: string }>(query, sql, [''], (r) => [r.account]))
            yield rows.map((r) => [r.account, JSON.parse(r.currencies)] as const);
          return;
        }
        case 'idempotency': {
          const sql = `SELECT user_id, key, fingerprint, tx_id, expires_at FROM idempotency WHERE (user_id, key) > ($1, $2) ORDER BY user_id, key ${limit}`;
          type Row = { user_id: string; key: string; fingerprint: string; tx_id: string; expires_at: string };
          for await (const rows of keysetPages<Row>(query, sql, ['', ''], (r) => [r.user_id, r.key]))
            yield rows.map((r) => [`${r.user_id}:${r.key}`, { fingerprint: r.fingerprint, txId: r.tx_id, expiresAt: r.expires_at }] as const);
          return;
        }
        case 'refunds': {
          const sql = `SELECT refunded_tx_id, refund_tx_id FROM refunds WHERE refunded_tx_id > $1 ORDER BY refunded_tx_id ${limit}`;
          for await (const rows of keysetPages<{ refunded_tx_id: string; refund_tx_id: string }>(query, sql, [''], (r) => [r.refunded_tx_id]))
            yield rows.map((r) => [r.refunded_tx_id, r.refund_tx_id] as const);
          return;
        }
        case 'limits': {
          const sql = `SELECT user_id, json_object_agg(day, usd_minor ORDER BY day)::text AS days FROM limit_days
                        WHERE user_id > $1 GROUP BY user_id ORDER BY user_id ${limit}`;
          for await (const rows of keysetPages<{ user_id: string; days: string }>(query, sql, [''], (r) => [r.user_id]))
            yield rows.map((r) => [r.user_id, JSON.parse(r.days)] as const);
          return;
        }
        case 'open-queue': {
          const { rows } = await query<{ number: number; doc: string }>(`SELECT number, doc::text AS doc FROM ticket_summaries WHERE ${OPEN} ORDER BY number`);
          const parts = new Map<string, IndexMembers>();
          for (const row of rows) {
            const part = openQueueKey(row.number);
            parts.set(part, { ...(parts.get(part) ?? {}), [String(row.number)]: JSON.parse(row.doc) });
          }
          yield [...parts];
          return;
        }
        default:
          throw new Error(`the PostgreSQL store does not scan ${kind}`);
      }
    })();
  }
}

/** Each queue group's facts, folded by the server over the queue index (0008_queue_groups.sql) as combineFacts folds them. */
export async function queueGroupsInDatabase(query: Query): Promise<Map<string, QueueGroupFacts>> {
  const { rows } = await query<{
    key: string;
    count: number;
    elapsed: number;
    since: string | null;
    unreached: boolean;
    due: string | null;
    created: string;
    first_reply: number;
    least: number;
    latest_since: string | null;
    latest_created: string;
  }>(
    `SELECT queue_group AS key, count(*)::integer AS count, max(queue_elapsed_minutes) AS elapsed, min(queue_running_since_ms)::text AS since,
            bool_or(queue_unreached) AS unreached, min(queue_due_at_ms)::text AS due, min(queue_created_ms)::text AS created,
            count(*) FILTER (WHERE queue_first_reply)::integer AS first_reply, min(queue_elapsed_minutes) AS least,
            max(queue_running_since_ms)::text AS latest_since, max(queue_created_ms)::text AS latest_created
       FROM ticket_summaries WHERE queue_group IS NOT NULL GROUP BY queue_group`,
  );
  const exact = (text: string | null) => (text === null ? null : minorUnits(text));
  return new Map(
    rows.map((r) => [
      r.key,
      {
        count: r.count,
        elapsedMinutes: r.elapsed,
        runningSinceMs: exact(r.since),
        unreached: r.unreached,
        dueAtMs: exact(r.due),
        createdMs: minorUnits(r.created),
        firstReplyCount: r.first_reply,
        leastElapsedMinutes: r.least,
        latestRunningSinceMs: exact(r.latest_since),
        latestCreatedMs: minorUnits(r.latest_created),
      },
    ]),
  );
}

export function splitIdempotencyKey(key: string): [string, string] {
  const split = key.indexOf(':');
  return [key.slice(0, split), key.slice(split + 1)];
}

/**
 * writeRecords' statements with their parameters written into the text, to go in one simple query
 * (which takes no parameters) with a commit's COPYs: one round trip where each kind made its own.
 */
export async function recordStatements(written: ReadonlyMap<Kind, ReadonlyMap<string, unknown>>): Promise<string[]> {
  const statements: string[] = [];
  const collect: Query = async (text, values = []) => {
    statements.push(withValues(text, values));
    return { rows: [] } as never;
  };
  await writeRecords(collect, written);
  return statements;
}

/** `text` with each $n replaced by the literal of values[n - 1]. */
function withValues(text: string, values: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index >= values.length) throw new Error(`no value for $${n} in ${text}`);
    return sqlLiteral(values[index]);
  });
}

/**
 * A value as an SQL literal: text quoted by node-postgres, a finite number (in parentheses when negative) or a boolean as written, an
 * array as ARRAY[…] of its items.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    // In parentheses when negative: a cast binds tighter than the minus (-2147483648::int overflows).
    return value < 0 ? `(${value})` : String(value);
  }
  // Text is quoted by node-postgres' own escapeLiteral (quotes doubled; with a backslash, an E'' string).
  if (typeof value === 'string') return loadPg().escapeLiteral(value);
  if (Array.isArray(value)) return `ARRAY[${value.map(sqlLiteral).join(', ')}]`;
  throw new Error(`no SQL literal for a value of type ${typeof value}`);
}

/** Writes one commit's records: per kind (in WRITE_ORDER), one DELETE of the removed and one multi-row upsert of the rest. */
export async function writeRecords(query: Query, written: ReadonlyMap<Kind, ReadonlyMap<string, unknown>>): Promise<void> {
  for (const kind of written.keys()) {
    if (!NOT_WRITTEN.has(kind) && !WRITE_ORDER.includes(kind)) throw new Error(`the PostgreSQL store cannot write records of kind ${kind}`);
  }
  for (const kind of WRITE_ORDER) {
    const records = [...(written.get(kind) ?? [])];
    for (let from = 0; from < records.length; from += PREFETCH_BATCH) {
      const part = records.slice(from, from + PREFETCH_BATCH);
      const removed = part.filter(([, value]) => value === null).map(([key]) => key);
      const kept = part.filter(([, value]) => value !== null);
      if (removed.length > 0) await removeRecords(query, kind, removed);
      if (kept.length > 0) await putRecords(query, kind, kept);
    }
  }
}

async function removeRecords(query: Query, kind: Kind, keys: readonly string[]): Promise<void> {
  if (isDocKind(kind)) {
    const { table, key: column, numeric } = DOC_TABLES[kind];
    await query(`DELETE FROM ${table} WHERE ${column} = ANY($1::${numeric ? 'integer' : 'text'}[])`, [numeric ? keys.map(Number) : keys]);
    return;
  }
  switch (kind) {
    case 'balances':
      await query('DELETE FROM balances WHERE account = ANY($1::text[])', [keys]);
      return;
    case 'idempotency': {
      const split = keys.map(splitIdempotencyKey);
      await query('DELETE FROM idempotency i USING unnest($1::text[], $2::text[]) AS k(user_id, key) WHERE i.user_id = k.user_id AND i.key = k.key', [
        split.map(([userId]) => userId),
        split.map(([, key]) => key),
      ]);
      return;
    }
    case 'refunds':
      await query('DELETE FROM refunds WHERE refunded_tx_id = ANY($1::text[])', [keys]);
      return;
    case 'limits':
      await query('DELETE FROM limit_days WHERE user_id = ANY($1::text[])', [keys]);
      return;
    default:
      throw new Error(`the PostgreSQL store cannot write records of kind ${kind}`);
  }
}

/** A summary's queue columns, by their short names in QUEUE_ROWS (all null for a summary not in the open queue). */
export interface QueueColumns {
  readonly g: string | null;
  readonly e: number | null;
  readonly rs: number | null;
  readonly u: boolean | null;
  readonly du: number | null;
  readonly c: number | null;
  readonly f: boolean | null;
}

/**
 * The queue columns of a summary (0008_queue_groups.sql, 0009_first_reply_places.sql): its group
 * and facts while open, nothing otherwise. A member's least and latest facts are its own
 * elapsed minutes, start and opening, so the server folds those columns with min and max.
 */
export function queueColumns(summary: TicketSummary): QueueColumns {
  if (!OPEN_STATUSES.includes(summary.status)) return { g: null, e: null, rs: null, u: null, du: null, c: null, f: null };
  const facts = memberFacts(summary);
  return {
    g: queueGroupKey(summary),
    e: facts.elapsedMinutes,
    rs: facts.runningSinceMs,
    u: facts.unreached,
    du: facts.dueAtMs,
    c: facts.createdMs,
    f: facts.firstReplyCount === 1,
  };
}

const QUEUE_ROWS = 'q(k integer, d jsonb, g text, e double precision, rs bigint, u boolean, du bigint, c bigint, f boolean)';
const QUEUE_SET =
  'queue_group = EXCLUDED.queue_group, queue_elapsed_minutes = EXCLUDED.queue_elapsed_minutes, queue_running_since_ms = EXCLUDED.queue_running_since_ms, queue_unreached = EXCLUDED.queue_unreached, queue_due_at_ms = EXCLUDED.queue_due_at_ms, queue_created_ms = EXCLUDED.queue_created_ms, queue_first_reply = EXCLUDED.queue_first_reply';

async function putSummaries(query: Query, records: readonly (readonly [string, unknown])[]): Promise<void> {
  await query(
    `INSERT INTO ticket_summaries (number, doc, queue_group, queue_elapsed_minutes, queue_running_since_ms, queue_unreached, queue_due_at_ms, queue_created_ms, queue_first_reply)
          SELECT k, d, g, e, rs, u, du, c, f FROM json_to_recordset($1::json) AS ${QUEUE_ROWS}
      ON CONFLICT (number) DO UPDATE SET doc = EXCLUDED.doc, ${QUEUE_SET}`,
    [jsonRows(records.map(([key, value]) => ({ k: Number(key), d: value, ...queueColumns(value as TicketSummary) })))],
  );
}

/** Migration 8: the queue columns of the summaries a database already holds, computed by okpay's code (migration 9 fills its own column in SQL). */
export async function fillQueueColumns(query: Query): Promise<void> {
  const { rows } = await query<{ number: number; doc: string }>(`SELECT number, doc::text AS doc FROM ticket_summaries WHERE ${OPEN}`);
  for (let from = 0; from < rows.length; from += PREFETCH_BATCH) {
    const part = rows.slice(from, from + PREFETCH_BATCH).map((row) => ({ k: row.number, d: null, ...queueColumns(JSON.parse(row.doc) as TicketSummary) }));
    await query(
      `UPDATE ticket_summaries s SET queue_group = q.g, queue_elapsed_minutes = q.e, queue_running_since_ms = q.rs, queue_unreached = q.u, queue_due_at_ms = q.du, queue_created_ms = q.c
         FROM json_to_recordset($1::json) AS ${QUEUE_ROWS} WHERE s.number = q.k`,
      [jsonRows(part)],
    );
  }
}

async function putRecords(query: Query, kind: Kind, records: readonly (readonly [string, unknown])[]): Promise<void> {
  if (kind === 'summaries') return putSummaries(query, records);
  if (isDocKind(kind)) {
    const { table, key: column, numeric } = DOC_TABLES[kind];
    await query(
      `INSERT INTO ${table} (${column}, doc) SELECT k, d FROM json_to_recordset($1::json) AS r(k ${numeric ? 'integer' : 'text'}, d jsonb)
        ON CONFLICT (${column}) DO UPDATE SET doc = EXCLUDED.doc`,
      [jsonRows(records.map(([key, value]) => ({ k: numeric ? Number(key) : key, d: value })))],
    );
    return;
  }
  switch (kind) {
    case 'balances': {
      const rows = records.flatMap(([account, value]) =>
        Object.entries(value as Record<string, MinorUnits>).map(([currency, amount]) => ({ account, currency, amount_minor: amount })),
      );
      await query(
        `INSERT INTO balances (account, currency, amount_minor) SELECT * FROM json_to_recordset($1::json) AS r(account text, currency text, amount_minor bigint)
          ON CONFLICT (account, currency) DO UPDATE SET amount_minor = EXCLUDED.amount_minor`,
        [jsonRows(rows)],
      );
      return;
    }
    case 'idempotency': {
      const rows = records.map(([key, value]) => {
        const [userId, idempotencyKey] = splitIdempotencyKey(key);
        const record = value as IdempotencyRecord;
        return { user_id: userId, key: idempotencyKey, fingerprint: record.fingerprint, tx_id: record.txId, expires_at: record.expiresAt };
      });
      await query(
        `INSERT INTO idempotency (user_id, key, fingerprint, tx_id, expires_at)
              SELECT * FROM json_to_recordset($1::json) AS r(user_id text, key text, fingerprint text, tx_id text, expires_at text)
          ON CONFLICT (user_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, tx_id = EXCLUDED.tx_id, expires_at = EXCLUDED.expires_at`,
        [jsonRows(rows)],
      );
      return;
    }
    case 'refunds':
      // Never replaced: a second refund of one transaction breaks the primary key.
      await query('INSERT INTO refunds (refunded_tx_id, refund_tx_id) SELECT * FROM json_to_recordset($1::json) AS r(refunded_tx_id text, refund_tx_id text)', [
        jsonRows(records.map(([key, value]) => ({ refunded_tx_id: key, refund_tx_id: value }))),
      ]);
      return;
    case 'limits': {
      const keys = records.map(([key]) => key);
      // A window is replaced whole: the days it no longer holds go.
      await query('DELETE FROM limit_days WHERE user_id = ANY($1::text[])', [keys]);
      const days = records.flatMap(([userId, value]) => Object.entries(value as LimitWindow).map(([day, usd]) => ({ user_id: userId, day, usd_minor: usd })));
      if (days.length > 0)
        await query(
          'INSERT INTO limit_days (user_id, day, usd_minor) SELECT * FROM json_to_recordset($1::json) AS r(user_id text, day text, usd_minor bigint)',
          [jsonRows(days)],
        );
      return;
    }
    default:
      throw new Error(`the PostgreSQL store cannot write records of kind ${kind}`);
  }
}
