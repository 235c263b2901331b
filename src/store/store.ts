// The store seen by use-cases: records by key (records.ts), a journal, an audit log and an outbox,
// changed one atomic transaction at a time. The domain never sees which implementation it runs on.

import type { AuditEntry, AuditEvent } from '../domain/audit.js';
import { AppError } from '../domain/errors.js';
import type { JournalEntry, NewTransaction, StoredJournalEntry, Transaction } from '../domain/ledger.js';
import type { MailRecord, OutgoingMail } from '../domain/mail.js';
import type { Totals } from '../domain/integrity-check.js';
import type { ChainHead, StoreMeta, TxId, UserId } from '../domain/state.js';
import type { DataKind } from './record-kinds.js';
import type { Records } from './records.js';

export interface JournalReader {
  /** The committed head (entries posted in the running transaction are not counted). */
  head(): ChainHead;
  get(seq: number): Promise<JournalEntry | null>;
  /** Entries for the given sequence numbers, in the order asked, skipping any that do not exist. */
  getMany(seqs: readonly number[]): Promise<JournalEntry[]>;
  /** Sequence numbers of the committed transactions a user is a party to, oldest first. */
  seqsOfUser(userId: UserId): Promise<number[]>;
  /**
   * Sequence numbers of the committed entries whose transaction links to this one (a claim or a
   * return of unclaimed money, a refund, a payout's completion, release or return), oldest first.
   */
  seqsLinkingTo(txId: TxId): Promise<number[]>;
  /** Every committed entry as stored (no id/seq on the transaction), one segment at a time, oldest first. */
  scan(): AsyncIterable<readonly StoredJournalEntry[]>;
  /** Where entries live, for messages (a directory, or "memory"). */
  describeSegment(seq: number): string;
  /** The segment files, in order, for readers that check them in parallel; null in memory. */
  segmentFiles(): Promise<{ segment: number; file: string }[] | null>;
  readonly segmentSize: number;
  /**
   * What the store keeps beside the entries for its queries (PostgreSQL: the journal_postings,
   * journal_parties and journal_links tables), totalled up to the head, for verify to compare with
   * the entries' own postings, parties and links; absent where nothing is kept beside them.
   * `problems`: what the store keeps for its queries that does not match the records it is derived
   * from, row by row: links that do not match the entries they join, and (PostgreSQL) the open
   * queue's group columns that do not match their tickets.
   */
  besideEntries?(): Promise<{ balances: Totals; parties: number; links: number; problems?: readonly string[] }>;
}

export interface AuditReader {
  head(): ChainHead;
  scan(): AsyncIterable<readonly AuditEntry[]>;
  describeSegment(seq: number): string;
}

export interface OutboxReader {
  /** Mails committed so far, oldest first. */
  list(): Promise<MailRecord[]>;
  get(id: string): Promise<{ mail: MailRecord; raw: string; file: string | null } | null>;
}

/**
 * One atomic change: read and write records by key (records.ts), post balanced transactions, audit
 * and mail; a thrown error discards every change. This is all a use-case may use: the stores that
 * keep records natively (no State object) offer exactly this.
 */
export interface RecordsTransaction extends Records {
  /**
   * Appends a balanced transaction to the journal and applies it: balances, and the records the
   * transaction itself creates or ends (idempotency key, used quote, unclaimed transfer,
   * withdrawal, refund, limit window).
   */
  post(tx: NewTransaction): Promise<Transaction>;
  /**
   * Lets a read (RecordStore.read) post, audit and mail as a change would, all of it dropped with
   * the read at its end: a rehearsal (--dry-run) that takes no lock and writes nothing.
   */
  rehearse(): void;
  audit(event: AuditEvent): void;
  mail(mail: OutgoingMail, dateIso: string): MailRecord;
  /** The mails this transaction made so far (they are sent when it commits). */
  readonly mails: readonly MailRecord[];
  /** Commit what was done, then fail the command (a counted failed sign-in, say). */
  failAfterCommit(error: AppError): void;
  /** The error given to failAfterCommit, which the store raises once it has committed; null when none. */
  readonly deferredError: AppError | null;
  /** Lets a very large commit write what is already final (full journal segments) as it goes. */
  flush(): Promise<void>;
  /**
   * For a writer that fills an empty store: when it holds nothing yet, reads of records this
   * transaction has not written stop asking the store (no file read, no round trip). Whether it applies.
   */
  startFromNothing(): Promise<boolean>;
  readonly journal: JournalReader;
  readonly auditLog: AuditReader;
  readonly outbox: OutboxReader;
  /**
   * The store is of an older layout that its next writer upgrades (a store kept in files): a read
   * sees it as upgraded, and a write that may be skipped (a session's last use) is, as it would
   * upgrade the store. Absent where a store is never read in an older layout.
   */
  readonly outdated?: boolean;
  /**
   * A store kept in files: checks every file of the version this transaction reads (each file's
   * digest and place, the indexes and the queue against the records, the outbox against the mail
   * counter, the journal's index files against `journal`, which verify finds by reading the
   * entries, and waits for only once the rest is checked) and says what is wrong. Absent where the
   * store's own constraints keep these (PostgreSQL).
   */
  checkFiles?(journal: Promise<JournalIndexes>): Promise<string[]>;
}

/** Each party's and each linked transaction's journal entries, in order: what a store's journal indexes must hold. */
export interface JournalIndexes {
  readonly parties: ReadonlyMap<string, readonly number[]>;
  readonly links: ReadonlyMap<string, readonly number[]>;
}

/**
 * Fills an empty store from another one a page at a time (`store copy`), so that memory stays
 * bounded whatever the size: nothing of it is visible, and nothing counts, until `load`'s work
 * returns and the store commits it all at once (a database transaction; a directory built beside
 * the target and renamed into place). Entries are taken as stored (their end marks and hashes).
 */
export interface StoreLoader {
  /** Whether the store holds nothing yet: no record, entry, mail or ticket (only then may it be filled). */
  isEmpty(): Promise<boolean>;
  records(kind: DataKind, page: readonly (readonly [string, unknown])[]): Promise<void>;
  /** The next journal entries, in order. */
  journal(entries: readonly StoredJournalEntry[]): Promise<void>;
  audit(entries: readonly AuditEntry[]): Promise<void>;
  /** The next mails, in order, each keeping its id. */
  mails(mails: readonly MailRecord[]): Promise<void>;
  /** The copied store's facts (creation, test mark, mail and ticket counters), taken at the commit; its chain heads follow the entries. */
  adopt(meta: StoreMeta): void;
}

/** A store that can be filled by a StoreLoader. */
export interface LoadableStore extends RecordStore {
  /**
   * Runs `work` with a loader and commits everything it loaded at once when it returns; a thrown
   * error, or a process killed meanwhile, leaves the store as it was.
   */
  load<T>(work: (loader: StoreLoader) => Promise<T>): Promise<T>;
}

/** The details of a store error whose cause is a store that takes no changes now (a read-only disk or database). */
export const READ_ONLY: Readonly<Record<string, unknown>> = { readOnly: true };

/** Whether a store refused a change because it takes none now (its error carries READ_ONLY). */
export function isReadOnlyError(error: unknown): boolean {
  return error instanceof AppError && error.details?.['readOnly'] === true;
}

/** How a transaction meets another writer that holds the store. */
export interface TransactionOptions {
  /**
   * false: not to wait for it, failing at once with STORE_LOCKED (nothing done): for a write that
   * may be skipped and made by a later command (a session's last use), so that a read answers at once.
   */
  readonly wait?: boolean;
  /**
   * Work the unit of work will need that does not touch the store (loading the data files it prices
   * with), done while the store waits for its locks: on PostgreSQL after the request for them is
   * sent, so that it runs beside the server's start of the unit and, under contention, outside the
   * appenders' turn, where every other appender would wait for it. A store may also not call it:
   * the unit of work does the same work when it needs it. Its failure is left to the unit of work,
   * which meets the same failure itself.
   */
  readonly prepare?: () => void;
  /**
   * What a signed-in unit of work reads first, when known before it starts: its session, its user's
   * idempotency key, and the user it pays by email or phone. A store that reads ahead (PostgreSQL,
   * a unit holding the appenders' turn) reads them in one query with the unit's facts, as soon as
   * the turn is its; the answers are those of the reads they stand for, and a read not named, or
   * named otherwise than the unit asks for it, is made as usual.
   */
  readonly readAhead?: ReadAhead;
}

/**
 * See TransactionOptions.readAhead: the session (the SHA-256 of its token, as authenticate looks it
 * up), an idempotency key of the session's user, an address (normalized, as the use-case looks it up).
 */
export interface ReadAhead {
  readonly sessionHash?: string;
  readonly idempotencyKey?: string;
  readonly email?: string;
  readonly phone?: string;
}

/**
 * The store: one atomic change per `transaction`. Implementations: the split file store (lowdb
 * files under a cross-process lock), PostgreSQL, and the memory record store (tests).
 */
export interface RecordStore {
  /** Human description of where the data lives (a directory, a database, "memory"). */
  readonly location: string;
  /** Runs the work and commits what it did all at once; a thrown error discards every change. */
  transaction<T>(work: (t: RecordsTransaction) => Promise<T> | T, options?: TransactionOptions): Promise<T>;
  /**
   * Looks without changing anything: no lock is taken and nothing is written (changes made to the
   * records are dropped; posting, auditing or mailing is refused). A read sees one committed
   * version, and journal readers stop at its head.
   */
  read<T>(work: (t: RecordsTransaction) => Promise<T> | T): Promise<T>;
}
