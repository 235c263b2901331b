// The kinds of record a record-native store keeps, each a map from a text key to a JSON value:
// the records themselves (users, sessions, balances, …) and the secondary indexes derived from
// them (email → user, open queue, …). Which index entries a record has is computed here, once,
// for every store; a store only persists maps.

import type { Delivery } from '../domain/mail-delivery.js';
import type { MailImport } from '../domain/inbound-mail.js';
import { sha256Hex } from '../domain/hashing.js';
import {
  settleDueAt,
  type IdempotencyRecord,
  type Session,
  type StoredQuote,
  type UnclaimedTransfer,
  type User,
  type Withdrawal,
  type WithdrawalMethod,
} from '../domain/state.js';
import { queueGroupKey } from '../domain/queue-group-facts.js';
import type { TicketSummary } from '../domain/ticket-summary.js';
import type { TicketStatus } from '../domain/ticket-record.js';

export const RECORD_KINDS = [
  'meta',
  'counts',
  'users',
  'sessions',
  'balances',
  'quotes',
  'idempotency',
  'unclaimed',
  'refunds',
  'limits',
  'methods',
  'withdrawals',
  'tickets',
  'summaries',
  'deliveries',
  'mail-imports',
  'phone-codes',
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** The kinds that hold data, not the store's own meta and counters, in an order a commit can write them (a ticket before its summary). */
export type DataKind = Exclude<RecordKind, 'meta' | 'counts'>;
export const DATA_KINDS = RECORD_KINDS.filter((kind): kind is DataKind => kind !== 'meta' && kind !== 'counts');

export const INDEX_KINDS = [
  'user-by-email',
  'user-by-phone',
  'user-by-token',
  'email-of-user',
  'staff',
  'sessions-of-user',
  'tickets-of-customer',
  'open-queue',
  'unclaimed-by-recipient',
  'withdrawals-of-user',
  'withdrawal-by-hold',
  'methods-of-user',
  'journal-of-user',
  'journal-links',
  'deliveries-waiting',
  'mail-imports-of-ticket',
  'withdrawals-due',
  'unclaimed-due',
  'quotes-expiry',
  'idempotency-expiry',
  'solved-due',
  'queue-groups',
  'queue-directory',
  'queue-days',
] as const;
export type IndexKind = (typeof INDEX_KINDS)[number];

export type Kind = RecordKind | IndexKind;
export const KINDS: readonly Kind[] = [...RECORD_KINDS, ...INDEX_KINDS];

/**
 * An index record: the keys of the records filed under one index key, each with what the index
 * keeps of it (true, or a copy such as a ticket's summary for the open queue).
 */
export type IndexMembers = Record<string, unknown>;

/**
 * Indexes in time order: each record is filed under the UTC day of its time (split into a few
 * parts where a day may hold very many), with the time as its value; the day records that exist
 * are listed under SLOTS_KEY, so "everything up to a moment, oldest first" reads the list and then
 * only the days it needs, never the whole kind.
 */
export const ORDERED_KINDS = {
  'withdrawals-due': 'withdrawals',
  'unclaimed-due': 'unclaimed',
  'quotes-expiry': 'quotes',
  'idempotency-expiry': 'idempotency',
  'solved-due': 'summaries',
} as const satisfies Partial<Record<IndexKind, RecordKind>>;
export type OrderedKind = keyof typeof ORDERED_KINDS;
export const isOrderedKind = (kind: Kind): kind is OrderedKind => Object.hasOwn(ORDERED_KINDS, kind);
export const SLOTS_KEY = 'slots';
/** The day of an ordered index key ("2026-11-23" or "2026-11-23/0a"). */
export const slotDay = (slot: string): string => slot.slice(0, 10);

/**
 * Parts of one day's quotes and idempotency keys (every transfer makes one): a busy day's keys
 * spread over this many records, so that each commit rewrites a small one.
 */
const BUSY_DAY_PARTS = 64;
const busySlot = (iso: string, member: string): string =>
  `${iso.slice(0, 10)}/${(parseInt(sha256Hex(member).slice(0, 4), 16) % BUSY_DAY_PARTS).toString(16).padStart(2, '0')}`;

/** Statuses of the open queue: its summaries are kept in their own index, so listing it never reads closed tickets. */
export const OPEN_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'on-hold'];

/** Kinds whose records are few at any store size (live sets, one-record kinds): fewer, fuller files. */
const SMALL_KINDS: ReadonlySet<Kind> = new Set<Kind>([
  'meta',
  'counts',
  'staff',
  'unclaimed',
  'withdrawals',
  'withdrawal-by-hold',
  'open-queue',
  'unclaimed-by-recipient',
  'deliveries-waiting',
  'withdrawals-due',
  'unclaimed-due',
  'quotes-expiry',
  'idempotency-expiry',
  'solved-due',
  'queue-days',
]);

/**
 * Kinds added after stores already existed, with the split-store schema that added them: a store
 * written by an older schema has no files of them yet, which means it holds none.
 */
export const KINDS_ADDED: ReadonlyMap<Kind, number> = new Map<Kind, number>([
  ['deliveries', 4],
  ['deliveries-waiting', 4],
  ['mail-imports', 5],
  ['mail-imports-of-ticket', 5],
  ['withdrawals-due', 6],
  ['unclaimed-due', 6],
  ['quotes-expiry', 6],
  ['idempotency-expiry', 6],
  ['solved-due', 6],
  ['queue-groups', 7],
  ['queue-directory', 7],
  ['journal-links', 8],
  ['queue-days', 10],
  ['email-of-user', 12],
  ['phone-codes', 13],
]);

/**
 * Index kinds whose records changed form after stores already had them, with the schema that
 * changed them: a store written before keeps its files, which are not read as they are but built
 * again from the records before its first change (schema 9 added the facts that give a ticket's
 * place among those waiting for a first answer to the queue groups' directory; schema 10 made the
 * directory one entry per shape, each group's facts moving to its shape's queue-days record).
 */
const KINDS_REFOLDED: ReadonlyMap<Kind, number> = new Map<Kind, number>([['queue-directory', 10]]);

/** The schema since which a kind's records are as this okpay writes them (0: always). */
export const currentSince = (kind: Kind): number => Math.max(KINDS_ADDED.get(kind) ?? 0, KINDS_REFOLDED.get(kind) ?? 0);

/**
 * The open queue in groups (domain/queue-groups.ts), on three levels: each group's record
 * (queue-groups) keeps a copy of its tickets' summaries; each shape's record (queue-days, keyed by
 * the shape) keeps the facts of the shape's groups, one per day; one directory record keeps every
 * shape's facts, folded over its groups, under DIRECTORY_KEY. A commit that changes a group's
 * members folds its facts again, then its shape's. The directory stays as small as the number of
 * shapes however many days the open tickets span, and the first page reads it, then the groups'
 * facts of the few shapes that can reach the page.
 */
export const DIRECTORY_KEY = 'groups';

/** Index kinds whose records a store written before them gets built from these records. */
export const REBUILT_FROM: Readonly<Partial<Record<IndexKind, RecordKind>>> = {
  ...ORDERED_KINDS,
  'queue-groups': 'summaries',
  'queue-directory': 'summaries',
  'queue-days': 'summaries',
  'email-of-user': 'users',
};

/** Mail deliveries not yet sent are filed under this one key, so `outbox send` reads one small index. */
export const WAITING_KEY = 'waiting';

/**
 * How many bucket files a kind is spread over. 4096 keeps a bucket near 250 records at a million
 * users (a few hundred KB at most) while a small store has one small file per record in use; a
 * fixed count (rather than splitting buckets as they grow) keeps a key's file a pure function of
 * the key, so no directory of buckets is ever consulted to find a record.
 */
export function bucketCount(kind: Kind): number {
  if (kind === 'meta' || kind === 'counts' || kind === 'staff' || kind === 'deliveries-waiting' || kind === 'queue-directory') return 1;
  return SMALL_KINDS.has(kind) ? 64 : 4096;
}

export interface IndexEntry {
  readonly kind: IndexKind;
  readonly key: string;
  readonly member: string;
  readonly value: unknown;
}

/**
 * The open queue is spread over this many index records by ticket number, so that a busy desk's
 * queue (thousands of open tickets) never makes one file that every ticket change rewrites.
 */
const OPEN_QUEUE_PARTS = 256;
export const openQueueKey = (number: number): string => String(number % OPEN_QUEUE_PARTS);

const STAFF_ROLES = new Set(['agent', 'admin']);
const TOKEN_KINDS = ['activation', 'passwordReset', 'unlockToken'] as const;

/** The index entries a record is filed under (none for kinds without indexes). */
export function indexEntries(kind: RecordKind, key: string, value: unknown): IndexEntry[] {
  if (value === null || value === undefined) return [];
  switch (kind) {
    case 'users':
      return userEntries(value as User);
    case 'sessions':
      return [{ kind: 'sessions-of-user', key: (value as Session).userId, member: key, value: true }];
    case 'summaries': {
      const summary = value as TicketSummary;
      const entries: IndexEntry[] = [{ kind: 'tickets-of-customer', key: summary.customerId, member: key, value: true }];
      if (OPEN_STATUSES.includes(summary.status)) {
        entries.push({ kind: 'open-queue', key: openQueueKey(summary.number), member: key, value: summary });
        entries.push({ kind: 'queue-groups', key: queueGroupKey(summary), member: key, value: summary });
      }
      if (summary.status === 'solved' && summary.solvedAt !== null)
        entries.push({ kind: 'solved-due', key: summary.solvedAt.slice(0, 10), member: key, value: summary.solvedAt });
      return entries;
    }
    case 'unclaimed': {
      const transfer = value as UnclaimedTransfer;
      const entries: IndexEntry[] = [{ kind: 'unclaimed-due', key: transfer.expiresAt.slice(0, 10), member: key, value: transfer.expiresAt }];
      if (transfer.toEmail !== null) entries.push({ kind: 'unclaimed-by-recipient', key: `email:${transfer.toEmail}`, member: key, value: true });
      if (transfer.toPhone !== null) entries.push({ kind: 'unclaimed-by-recipient', key: `phone:${transfer.toPhone}`, member: key, value: true });
      return entries;
    }
    case 'withdrawals': {
      const withdrawal = value as Withdrawal;
      return [
        { kind: 'withdrawals-of-user', key: withdrawal.userId, member: key, value: true },
        { kind: 'withdrawal-by-hold', key: withdrawal.holdTxId, member: key, value: true },
        { kind: 'withdrawals-due', key: settleDueAt(withdrawal).slice(0, 10), member: key, value: settleDueAt(withdrawal) },
      ];
    }
    case 'quotes': {
      const { expiresAt } = value as StoredQuote;
      return [{ kind: 'quotes-expiry', key: busySlot(expiresAt, key), member: key, value: expiresAt }];
    }
    case 'idempotency': {
      const { expiresAt } = value as IdempotencyRecord;
      return [{ kind: 'idempotency-expiry', key: busySlot(expiresAt, key), member: key, value: expiresAt }];
    }
    case 'methods':
      return [{ kind: 'methods-of-user', key: (value as WithdrawalMethod).userId, member: key, value: true }];
    case 'mail-imports':
      return [{ kind: 'mail-imports-of-ticket', key: String((value as MailImport).ticket), member: key, value: true }];
    case 'deliveries':
      return (value as Delivery).status === 'sent' ? [] : [{ kind: 'deliveries-waiting', key: WAITING_KEY, member: key, value: true }];
    default:
      return [];
  }
}

function userEntries(user: User): IndexEntry[] {
  const entries: IndexEntry[] = [
    { kind: 'user-by-email', key: user.email, member: user.id, value: true },
    // A user's address by id alone: a page of the queue names its people without reading their whole records.
    { kind: 'email-of-user', key: user.id, member: user.id, value: user.email },
  ];
  if (user.phone !== null) entries.push({ kind: 'user-by-phone', key: user.phone, member: user.id, value: true });
  for (const tokenKind of TOKEN_KINDS) {
    const token = user[tokenKind];
    if (token) entries.push({ kind: 'user-by-token', key: `${tokenKind}:${token.tokenHash}`, member: user.id, value: true });
  }
  if (STAFF_ROLES.has(user.role)) entries.push({ kind: 'staff', key: 'staff', member: user.id, value: true });
  return entries;
}

/**
 * Files one journal entry in the journal's index of links: under each transaction it links to
 * (a claim, a return, a refund, a payout's end), its number, oldest first.
 */
export function fileLinks(into: Map<string, number[]>, seq: number, links: readonly string[]): void {
  for (const linked of new Set(links)) {
    const seqs = into.get(linked);
    if (seqs) seqs.push(seq);
    else into.set(linked, [seq]);
  }
}

/** The journal's index of links built from its entries: for a store written before the index existed. */
export async function journalLinks(entries: AsyncIterable<readonly { seq: number; tx: { links: readonly string[] } }[]>): Promise<Map<string, number[]>> {
  const links = new Map<string, number[]>();
  for await (const batch of entries) for (const entry of batch) fileLinks(links, entry.seq, entry.tx.links);
  return links;
}

/** Where a user's idempotency record for one key is kept. */
export const idempotencyKey = (userId: string, key: string): string => `${userId}:${key}`;
