// The store seen by commands: one atomic change per `transaction`. Implementations: FileStore
// (lowdb files under a cross-process lock) and MemoryStore (tests, simulation). A database-backed
// store would implement the same interface; the domain never sees which one it runs on.

import type { AuditEntry, AuditEvent } from '../domain/audit.js';
import type { AppError } from '../domain/errors.js';
import type { JournalEntry, NewTransaction, StoredJournalEntry, Transaction } from '../domain/ledger.js';
import type { MailRecord, OutgoingMail } from '../domain/mail.js';
import type { ChainHead, State, UserId } from '../domain/state.js';
import type { Records } from './records.js';

export interface JournalReader {
  /** The committed head (entries posted in the running transaction are not counted). */
  head(): ChainHead;
  get(seq: number): Promise<JournalEntry | null>;
  /** Entries for the given sequence numbers, in the order asked, skipping any that do not exist. */
  getMany(seqs: readonly number[]): Promise<JournalEntry[]>;
  /** Sequence numbers of the committed transactions a user is a party to, oldest first. */
  seqsOfUser(userId: UserId): Promise<number[]>;
  /** Every committed entry as stored (no id/seq on the transaction), one segment at a time, oldest first. */
  scan(): AsyncIterable<readonly StoredJournalEntry[]>;
  /** Where entries live, for messages (a directory, or "memory"). */
  describeSegment(seq: number): string;
  /** The segment files, in order, for readers that check them in parallel; null in memory. */
  segmentFiles(): Promise<{ segment: number; file: string }[] | null>;
  readonly segmentSize: number;
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
  audit(event: AuditEvent): void;
  mail(mail: OutgoingMail, dateIso: string): MailRecord;
  /** Commit what was done, then fail the command (a counted failed sign-in, say). */
  failAfterCommit(error: AppError): void;
  /** Lets a very large commit write what is already final (full journal segments) as it goes. */
  flush(): Promise<void>;
  readonly journal: JournalReader;
  readonly auditLog: AuditReader;
  readonly outbox: OutboxReader;
}

/** A transaction of today's stores: the records plus the whole State, which is being retired. */
export interface StoreTransaction extends RecordsTransaction {
  /**
   * The whole state as one object. Being retired: use-cases read and write through the records
   * (users, sessions, balances, …) so that no command loads the whole store; do not add new uses.
   */
  readonly state: State;
  /** `post` for code that still works on `state`; retired with it. */
  postNow(tx: NewTransaction): Transaction;
}

export interface StoreOptions {
  /** "now", used only for the creation date of a new store. */
  readonly nowIso: string;
}

export interface Store {
  /** Human description of where the data lives (a directory). */
  readonly location: string;
  transaction<T>(work: (t: StoreTransaction) => Promise<T> | T): Promise<T>;
  /**
   * Looks without changing anything: no lock is taken and nothing is written (changes made to the
   * state are dropped; posting, auditing or mailing is a bug). The state file is replaced whole by
   * every commit, so a read always sees one committed version, and journal readers stop at its head.
   */
  read<T>(work: (t: StoreTransaction) => Promise<T> | T): Promise<T>;
}

/**
 * A store that keeps records natively (no State object): the memory record store and the split
 * file store. `Store` narrows to it once every command has left `state` and `postNow`.
 */
export interface RecordStore {
  readonly location: string;
  transaction<T>(work: (t: RecordsTransaction) => Promise<T> | T): Promise<T>;
  read<T>(work: (t: RecordsTransaction) => Promise<T> | T): Promise<T>;
}
