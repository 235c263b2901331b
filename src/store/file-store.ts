// The file store: a state file (balances, users, live objects) plus hash-chained journal and audit
// segments, per-user journal indexes and an outbox of .eml files, all under one data directory.
//
// Commit order makes a crash safe: journal and audit segments first, then indexes and mails, then
// the state, which records the last applied sequence. On open, complete journal entries beyond it
// are redone through the same reducer commands use, and a torn tail (a commit cut short) is dropped:
// it was never acknowledged. A failure reported to the user rolls the segments back, so a command
// that said it failed moved nothing.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Low } from 'lowdb';
import type { AuditEntry, AuditEvent } from '../domain/audit.js';
import { AppError } from '../domain/errors.js';
import { applyTransaction, chainHash, entryContentText, hydrateEntry, sha256Hex, storedTransaction, txIdForSeq, type JournalEntry, type NewTransaction, type StoredJournalEntry, type StoredTransaction, type Transaction } from '../domain/ledger.js';
import { formatEml, numberMail, parseEml, type MailRecord, type OutgoingMail } from '../domain/mail.js';
import { emptyState, type ChainHead, type State, type UserId } from '../domain/state.js';
import { corrupt, DurableJsonFile, ensureDirectory, errnoOf, fsyncDirectory, parseStoreJson, readTextIfExists, removeFile, unavailable, writeFileDurable } from './durable-file.js';
import { acquireStoreLock, LOCK_STALE_MS } from './lock.js';
import type { TicketSummary } from '../domain/ticket-summary.js';
import type { Ticket } from '../domain/tickets.js';
import { upgradeState } from './migrations.js';
import { ChainAppender, SegmentLog, type ChainCodec, type ChainEntry } from './segment-log.js';
import { addMissingSummaries, StateRecords } from './state-records.js';
import type { AuditReader, JournalReader, OutboxReader, Store, StoreTransaction } from './store.js';

const DEFAULT_SEGMENT_SIZE = 1000;

const journalCodec: ChainCodec<StoredJournalEntry, Transaction | StoredTransaction> = {
  field: 'tx',
  content: (entry) => entry.tx,
  canonical: (tx) => entryContentText(storedTransaction(tx)),
};

const auditCodec: ChainCodec<AuditEntry, AuditEvent> = {
  field: 'event',
  content: (entry) => entry.event,
  canonical: (event) => entryContentText(event),
};

export interface FileStoreOptions {
  readonly now: () => Date;
  readonly segmentSize?: number;
  readonly lockStaleMs?: number;
  /**
   * The summary of a ticket (the CLI passes summarizeTicket with the shipped support data): a
   * store written before summaries existed gets them when it is read, so its queue is complete.
   */
  readonly summarizeTicket?: (ticket: Ticket) => TicketSummary;
}

interface Loaded {
  state: State;
  text: string | null;
}

export class FileStore implements Store {
  readonly stateFile: string;
  journalLog: SegmentLog<StoredJournalEntry>;
  auditLogFiles: SegmentLog<AuditEntry>;
  readonly indexDirectory: string;
  readonly outboxDirectory: string;

  constructor(
    readonly directory: string,
    private readonly options: FileStoreOptions,
  ) {
    const size = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    this.stateFile = path.join(directory, 'state.json');
    this.journalLog = new SegmentLog(path.join(directory, 'journal'), size);
    this.auditLogFiles = new SegmentLog(path.join(directory, 'audit'), size);
    this.indexDirectory = path.join(directory, 'index');
    this.outboxDirectory = path.join(directory, 'outbox');
  }

  get location(): string {
    return this.directory;
  }

  async transaction<T>(work: (t: StoreTransaction) => Promise<T> | T): Promise<T> {
    await ensureDirectory(this.directory);
    const lock = await acquireStoreLock(this.directory, this.options.lockStaleMs ?? LOCK_STALE_MS);
    try {
      const loaded = await this.load();
      await this.recover(loaded);
      const t = new FileTransaction(this, loaded.state);
      const result = await Promise.resolve(t)
        .then(work)
        .catch(async (error: unknown) => {
          // A large commit may already have written full segments: take them back.
          await t.journalAppender.rollback();
          throw error;
        });
      if (lock.compromised) throw lockLost(this.directory);
      await this.commit(t, loaded, () => lock.compromised);
      if (t.deferredError) throw t.deferredError;
      return result;
    } finally {
      await lock.release();
    }
  }

  async read<T>(work: (t: StoreTransaction) => Promise<T> | T): Promise<T> {
    let state = await this.readState();
    if (state && !(await this.consistent(state))) {
      // An interrupted commit: recover it under the lock first, as any next command does.
      await this.transaction(() => undefined);
      state = await this.readState();
    }
    return work(new FileTransaction(this, state ?? emptyState(this.options.now().toISOString(), this.journalLog.segmentSize), true));
  }

  private async readState(): Promise<State | null> {
    const low = new Low<Record<string, unknown> | null>(new DurableJsonFile<Record<string, unknown> | null>(this.stateFile), null);
    await low.read();
    return low.data === null ? null : this.configured(upgradeState(low.data, this.stateFile));
  }

  /** True when the journal and audit files end where the state says (a few stat calls). */
  private async consistent(state: State): Promise<boolean> {
    return (await this.journalLog.matchesHead(state.meta.journal)) && (await this.auditLogFiles.matchesHead(state.meta.audit));
  }

  /** Uses the segment size the store was made with. */
  private configured(state: State): State {
    if (this.options.summarizeTicket) addMissingSummaries(state, this.options.summarizeTicket);
    const size = state.meta.segmentSize;
    if (!Number.isSafeInteger(size) || size < 1) throw corrupt(this.stateFile, 'its segment size is not a positive whole number');
    if (size !== this.journalLog.segmentSize) {
      this.journalLog = new SegmentLog(this.journalLog.directory, size);
      this.auditLogFiles = new SegmentLog(this.auditLogFiles.directory, size);
    }
    return state;
  }

  private async load(): Promise<Loaded> {
    const adapter = new DurableJsonFile<Record<string, unknown> | null>(this.stateFile);
    const low = new Low<Record<string, unknown> | null>(adapter, null);
    await low.read();
    if (low.data === null) {
      await this.dropTornFirstCommit();
      return { state: emptyState(this.options.now().toISOString(), this.journalLog.segmentSize), text: null };
    }
    const state = this.configured(upgradeState(low.data, this.stateFile));
    return { state, text: adapter.lastText };
  }

  /**
   * No state file yet, but journal segments: either the very first commit was cut short while it
   * streamed segments (no entry ends a commit — never acknowledged, so it is dropped), or the state
   * file was lost, which is refused.
   */
  private async dropTornFirstCommit(): Promise<void> {
    const segments = await this.journalLog.listSegments();
    if (segments.length === 0) return;
    for (const segment of segments) {
      if ((await this.journalLog.readSegment(segment))?.some((e) => e.end)) throw corrupt(this.stateFile, 'it is missing while the journal holds committed entries');
    }
    await this.journalLog.truncateAfter(0);
  }

  /** Brings the state up to the journal after an interrupted commit. */
  private async recover(loaded: Loaded): Promise<void> {
    const state = loaded.state;
    if (await this.consistent(state)) return;
    const journal = await this.recoverLog(this.journalLog, journalCodec, state.meta.journal);
    if (journal.applied.length === 0) {
      // No complete journal entry: the interrupted commit did not happen, so its audit entries and
      // mails (written before the state) would describe a change the state does not have.
      await this.removeMailsAfter(state.meta.mailSeq);
      const audit = await this.dropAfterHead(this.auditLogFiles, auditCodec, state.meta.audit);
      state.meta = { ...state.meta, journal: journal.head, audit };
    } else {
      const redone = journal.applied.map((entry) => hydrateEntry(entry).tx);
      for (const tx of redone) applyTransaction(state, tx);
      await this.writeIndexes(groupByParty(redone));
      const audit = await this.recoverLog(this.auditLogFiles, auditCodec, state.meta.audit);
      // Mails are written before the state: those of the redone commit must not be overwritten by the next ones.
      const mailSeq = Math.max(state.meta.mailSeq, ...(await this.listMailFiles()).map((name) => Number(name.slice(4, -4))));
      state.meta = { ...state.meta, journal: journal.head, audit: audit.head, mailSeq };
    }
    await this.writeState(state);
    loaded.text = JSON.stringify(state);
  }

  private async dropAfterHead<E extends ChainEntry, C>(log: SegmentLog<E>, codec: ChainCodec<E, C>, head: ChainHead): Promise<ChainHead> {
    await this.checkHeadEntry(log, codec, head);
    const bytes = await log.truncateAfter(head.seq);
    return { ...head, bytes: head.seq === 0 ? 0 : bytes };
  }

  private async removeMailsAfter(mailSeq: number): Promise<void> {
    for (const name of await this.listMailFiles()) {
      if (Number(name.slice(4, -4)) > mailSeq) await removeFile(path.join(this.outboxDirectory, name));
    }
  }

  private async recoverLog<E extends ChainEntry, C>(log: SegmentLog<E>, codec: ChainCodec<E, C>, head: ChainHead): Promise<{ head: ChainHead; applied: E[] }> {
    await this.checkHeadEntry(log, codec, head);
    const after = await log.entriesAfter(head.seq);
    let prev = head;
    let lastEnd = -1;
    after.forEach((entry, index) => {
      const expected = chainHash(prev.hash, prev.seq + 1, entry.end, codec.canonical(codec.content(entry)));
      if (entry.seq !== prev.seq + 1 || entry.prevHash !== prev.hash || entry.hash !== expected) {
        throw corrupt(log.fileOf(log.segmentOf(entry.seq)), `entry ${entry.seq} does not continue the hash chain`);
      }
      prev = { seq: entry.seq, hash: entry.hash, bytes: 0 };
      if (entry.end) lastEnd = index;
    });
    const applied = after.slice(0, lastEnd + 1);
    const last = applied[applied.length - 1];
    const seq = last ? last.seq : head.seq;
    const hash = last ? last.hash : head.hash;
    const bytes = after.length > applied.length ? await log.truncateAfter(seq) : ((await log.segmentBytes(log.segmentOf(Math.max(seq, 1)))) ?? 0);
    return { head: { seq, hash, bytes: seq === 0 ? 0 : bytes }, applied };
  }

  private async checkHeadEntry<E extends ChainEntry, C>(log: SegmentLog<E>, codec: ChainCodec<E, C>, head: ChainHead): Promise<void> {
    if (head.seq === 0) return;
    const entries = await log.readSegment(log.segmentOf(head.seq));
    const entry = entries?.find((e) => e.seq === head.seq);
    if (!entry || entry.hash !== head.hash) {
      throw corrupt(log.fileOf(log.segmentOf(head.seq)), `it does not hold entry ${head.seq} that the state says was committed`);
    }
    // The segment changed size, so something rewrote it: its committed entries must still be what was hashed.
    let prevHash: string | null = null;
    for (const e of entries ?? []) {
      if (e.seq > head.seq) break;
      const linked = prevHash === null || e.prevHash === prevHash;
      if (!linked || chainHash(e.prevHash, e.seq, e.end, codec.canonical(codec.content(e))) !== e.hash) {
        throw corrupt(log.fileOf(log.segmentOf(head.seq)), `entry ${e.seq} was changed after it was committed`);
      }
      prevHash = e.hash;
    }
  }

  private async commit(t: FileTransaction, loaded: Loaded, compromised: () => Error | null): Promise<void> {
    const hasEntries = t.journalAppender.count > 0 || t.auditAppender.count > 0;
    if (!hasEntries && t.mails.length === 0 && loaded.text !== null && JSON.stringify(t.state) === loaded.text) return;
    await this.checkSpace(loaded, t);
    const originals: Originals = new Map();
    try {
      const journalHead = await t.journalAppender.finish();
      const auditHead = await t.auditAppender.finish();
      if (t.journalAppender.count > 0) await fsyncDirectory(this.journalLog.directory);
      if (t.auditAppender.count > 0) await fsyncDirectory(this.auditLogFiles.directory);
      await this.writeIndexes(t.newSeqsByUser, originals);
      await this.writeMails(t.mails, originals);
      t.state.meta = { ...t.state.meta, journal: journalHead, audit: auditHead };
      if (compromised()) throw lockLost(this.directory);
      await this.writeStateFile(t.state);
    } catch (error) {
      // A failed commit leaves every file as it found it: segments, index buckets and mails.
      await t.journalAppender.rollback().catch(() => undefined);
      await t.auditAppender.rollback().catch(() => undefined);
      await restoreOriginals(originals).catch(() => undefined);
      throw error;
    }
    // The rename of state.json was the commit point: the change is made and visible, and the
    // journal behind it is already flushed, so a failed flush of the directory is not a failure.
    await fsyncDirectory(this.directory).catch(() => undefined);
  }

  private async checkSpace(loaded: Loaded, t: FileTransaction): Promise<void> {
    const needed = 2 * ((loaded.text?.length ?? 4096) + t.state.meta.journal.bytes + t.journalAppender.count * 2048 + t.mails.length * 8192) + 65536;
    let available: number;
    try {
      const stats = await fs.statfs(this.directory);
      available = stats.bavail * stats.bsize;
    } catch {
      return;
    }
    if (available < needed) {
      throw new AppError('STORE_UNAVAILABLE', `cannot write the store at ${this.directory}: the disk is full (${available} bytes free)`, {
        hint: 'free some space and run the command again; nothing was changed',
      });
    }
  }

  private async writeState(state: State): Promise<void> {
    await this.writeStateFile(state);
    await fsyncDirectory(this.directory);
  }

  private async writeStateFile(state: State): Promise<void> {
    const low = new Low<State>(new DurableJsonFile<State>(this.stateFile), state);
    low.data = state;
    await low.write();
  }

  /** Users are spread over 256 index buckets, so a commit touching many users writes few files. */
  indexFile(userId: UserId): string {
    return path.join(this.indexDirectory, `${sha256Hex(userId).slice(0, 2)}.json`);
  }

  private async readBucket(file: string): Promise<Record<UserId, number[]>> {
    const text = await readTextIfExists(file);
    if (text === null) return {};
    const data = parseStoreJson<{ users?: unknown }>(text, file);
    if (data.users === null || typeof data.users !== 'object' || Array.isArray(data.users)) throw corrupt(file, 'it is not a journal index');
    return data.users as Record<UserId, number[]>;
  }

  async readIndex(userId: UserId): Promise<number[]> {
    const seqs = (await this.readBucket(this.indexFile(userId)))[userId];
    return Array.isArray(seqs) ? seqs.filter((n): n is number => typeof n === 'number') : [];
  }

  private async writeIndexes(additions: Map<UserId, number[]>, originals?: Originals): Promise<void> {
    if (additions.size === 0) return;
    await ensureDirectory(this.indexDirectory);
    const byBucket = new Map<string, UserId[]>();
    for (const userId of additions.keys()) {
      const file = this.indexFile(userId);
      byBucket.set(file, [...(byBucket.get(file) ?? []), userId]);
    }
    for (const [file, userIds] of byBucket) {
      if (originals && !originals.has(file)) originals.set(file, await readTextIfExists(file));
      const users = await this.readBucket(file);
      for (const userId of userIds) {
        const existing = users[userId] ?? [];
        const last = existing[existing.length - 1] ?? 0;
        // Idempotent: a redo after a crash may add seqs that are already there.
        users[userId] = existing.concat((additions.get(userId) ?? []).filter((s) => s > last));
      }
      const low = new Low<{ users: Record<UserId, number[]> }>(new DurableJsonFile(file), { users });
      low.data = { users };
      await low.write();
    }
    await fsyncDirectory(this.indexDirectory);
  }

  private async writeMails(mails: readonly MailRecord[], originals: Originals): Promise<void> {
    if (mails.length === 0) return;
    await ensureDirectory(this.outboxDirectory);
    for (const mail of mails) {
      const file = path.join(this.outboxDirectory, `${mail.id}.eml`);
      if (!originals.has(file)) originals.set(file, await readTextIfExists(file));
      await writeFileDurable(file, formatEml(mail));
    }
    await fsyncDirectory(this.outboxDirectory);
  }

  async listMailFiles(): Promise<string[]> {
    try {
      return (await fs.readdir(this.outboxDirectory)).filter((n) => /^msg_[0-9]+\.eml$/.test(n)).sort();
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return [];
      throw unavailable(this.outboxDirectory, error);
    }
  }
}

/** Files a commit rewrote, with their text before it (null: the file did not exist). */
type Originals = Map<string, string | null>;

async function restoreOriginals(originals: Originals): Promise<void> {
  for (const [file, text] of originals) {
    if (text === null) await removeFile(file);
    else await writeFileDurable(file, text);
  }
}

function lockLost(directory: string): AppError {
  return new AppError('STORE_LOCKED', `lost the lock on the store at ${directory} before committing; nothing was changed`, {
    hint: 'the command stalled longer than the lock allows; run it again',
  });
}

function groupByParty(txs: readonly Transaction[]): Map<UserId, number[]> {
  const byUser = new Map<UserId, number[]>();
  for (const tx of txs) {
    for (const party of new Set(tx.parties)) {
      const list = byUser.get(party) ?? [];
      list.push(tx.seq);
      byUser.set(party, list);
    }
  }
  return byUser;
}

class FileTransaction extends StateRecords implements StoreTransaction {
  readonly journalAppender: ChainAppender<StoredJournalEntry, Transaction | StoredTransaction>;
  readonly auditAppender: ChainAppender<AuditEntry, AuditEvent>;
  readonly mails: MailRecord[] = [];
  readonly newSeqsByUser = new Map<UserId, number[]>();
  deferredError: AppError | null = null;
  readonly journal: JournalReader;
  readonly auditLog: AuditReader;
  readonly outbox: OutboxReader;

  constructor(
    store: FileStore,
    state: State,
    private readonly readOnly = false,
  ) {
    super(state);
    const committedJournal = state.meta.journal;
    const committedAudit = state.meta.audit;
    this.journalAppender = new ChainAppender(store.journalLog, journalCodec, committedJournal);
    this.auditAppender = new ChainAppender(store.auditLogFiles, auditCodec, committedAudit);
    this.journal = new FileJournalReader(store, committedJournal);
    this.auditLog = {
      head: () => committedAudit,
      scan: () => store.auditLogFiles.scan(),
      describeSegment: (seq) => store.auditLogFiles.fileOf(store.auditLogFiles.segmentOf(seq)),
    };
    const mailSeq = state.meta.mailSeq;
    this.outbox = new FileOutboxReader(store, () => mailSeq);
  }

  async post(newTx: NewTransaction): Promise<Transaction> {
    return this.postNow(newTx);
  }

  postNow(newTx: NewTransaction): Transaction {
    this.assertWritable('post a transaction');
    const seq = this.journalAppender.nextSeq;
    const tx: Transaction = { ...newTx, id: txIdForSeq(seq), seq };
    applyTransaction(this.state, tx);
    // The journal stores the transaction without the id and seq its position implies.
    this.journalAppender.add(newTx);
    for (const party of new Set(tx.parties)) {
      const list = this.newSeqsByUser.get(party) ?? [];
      list.push(seq);
      this.newSeqsByUser.set(party, list);
    }
    return tx;
  }

  audit(event: AuditEvent): void {
    this.assertWritable('audit');
    this.auditAppender.add(event);
  }

  private assertWritable(what: string): void {
    if (this.readOnly) throw new Error(`a read-only store view cannot ${what}`);
  }

  mail(mail: OutgoingMail, dateIso: string): MailRecord {
    this.assertWritable('send mail');
    const record = numberMail(this.state, mail, dateIso);
    this.mails.push(record);
    return record;
  }

  failAfterCommit(error: AppError): void {
    this.deferredError = error;
  }

  async flush(): Promise<void> {
    await this.journalAppender.flushFull();
  }
}

class FileJournalReader implements JournalReader {
  private readonly cache = new Map<number, JournalEntry[]>();

  constructor(
    private readonly store: FileStore,
    private readonly committed: ChainHead,
  ) {}

  get segmentSize(): number {
    return this.store.journalLog.segmentSize;
  }

  head(): ChainHead {
    return this.committed;
  }

  async get(seq: number): Promise<JournalEntry | null> {
    if (!Number.isSafeInteger(seq) || seq < 1 || seq > this.committed.seq) return null;
    const entries = await this.segment(this.store.journalLog.segmentOf(seq));
    return entries.find((e) => e.seq === seq) ?? null;
  }

  async getMany(seqs: readonly number[]): Promise<JournalEntry[]> {
    const found: JournalEntry[] = [];
    for (const seq of seqs) {
      const entry = await this.get(seq);
      if (entry) found.push(entry);
    }
    return found;
  }

  async seqsOfUser(userId: UserId): Promise<number[]> {
    const seqs = await this.store.readIndex(userId);
    return [...new Set(seqs)].filter((s) => s <= this.committed.seq).sort((a, b) => a - b);
  }

  scan(): AsyncIterable<readonly StoredJournalEntry[]> {
    return this.store.journalLog.scan();
  }

  describeSegment(seq: number): string {
    return this.store.journalLog.fileOf(this.store.journalLog.segmentOf(seq));
  }

  async segmentFiles(): Promise<{ segment: number; file: string }[]> {
    return (await this.store.journalLog.listSegments()).map((segment) => ({ segment, file: this.store.journalLog.fileOf(segment) }));
  }

  private async segment(segment: number): Promise<JournalEntry[]> {
    const cached = this.cache.get(segment);
    if (cached) return cached;
    const entries = ((await this.store.journalLog.readSegment(segment)) ?? []).map(hydrateEntry);
    this.cache.set(segment, entries);
    return entries;
  }
}

class FileOutboxReader implements OutboxReader {
  constructor(
    private readonly store: FileStore,
    private readonly committedSeq: () => number,
  ) {}

  async list(): Promise<MailRecord[]> {
    const mails: MailRecord[] = [];
    for (const name of await this.store.listMailFiles()) {
      const found = await this.read(name.replace(/\.eml$/, ''));
      if (found) mails.push(found.mail);
    }
    return mails;
  }

  async get(id: string): Promise<{ mail: MailRecord; raw: string; file: string | null } | null> {
    return /^msg_[0-9]{1,12}$/.test(id) ? this.read(id) : null;
  }

  private async read(id: string): Promise<{ mail: MailRecord; raw: string; file: string } | null> {
    if (Number(id.slice(4)) > this.committedSeq()) return null;
    const file = path.join(this.store.outboxDirectory, `${id}.eml`);
    const raw = await readTextIfExists(file);
    const mail = raw === null ? null : parseEml(raw);
    return raw !== null && mail ? { mail, raw, file } : null;
  }
}
