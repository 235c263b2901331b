// A split store's transaction and its readers of the journal, the audit log and the outbox, each
// up to what was committed.

import type { AuditEntry } from '../domain/audit.js';
import {
  hydrateEntry,
  seqOfTxId,
  storedTransaction,
  type JournalEntry,
  type StoredJournalEntry,
  type StoredTransaction,
  type Transaction,
} from '../domain/ledger.js';
import { parseEml, type MailRecord } from '../domain/mail.js';
import type { ChainHead } from '../domain/state.js';
import { journalCodec } from './chain-codecs.js';
import { corrupt } from './durable-file.js';
import { KINDS_ADDED } from './record-kinds.js';
import { checkedRecord } from './record-schemas.js';
import { mailIdForSeq, RecordTransaction } from './record-transaction.js';
import { RecordView } from './record-view.js';
import { ChainAppender, type ChainEntry, type SegmentLog } from './segment-log.js';
import type { Snapshot } from './split-snapshot.js';
import type { AuditReader, JournalIndexes, JournalReader, OutboxReader } from './store.js';

/** The store's logs and outbox (the store, passed in so that this module does not import it back). */
export interface StoreLogs {
  readonly journalLog: SegmentLog<StoredJournalEntry>;
  readonly auditLogFiles: SegmentLog<AuditEntry>;
}

export class SplitTransaction extends RecordTransaction {
  readonly journal: JournalReader;
  readonly auditLog: AuditReader;
  readonly outbox: OutboxReader;
  private appender: ChainAppender<StoredJournalEntry, Transaction | StoredTransaction> | null = null;
  /** Set by the store for a read: `verify`'s checks of every file of this version. */
  checkFiles?: (journal: Promise<JournalIndexes>) => Promise<string[]>;
  readonly outdated: boolean;

  constructor(
    private readonly store: StoreLogs,
    snapshot: Snapshot,
    readOnly: boolean,
    /** The error to throw when the store's lock was lost (another writer may have taken the store), else null. */
    private readonly lockLost: () => Error | null = () => null,
  ) {
    super(new RecordView(snapshot), snapshot.root.meta, readOnly);
    this.outdated = snapshot.outdated;
    const meta = snapshot.root.meta;
    this.journal = new SplitJournalReader(store, snapshot, meta.journal);
    this.auditLog = {
      head: () => meta.audit,
      scan: () => committedEntries(store.auditLogFiles, meta.audit),
      describeSegment: (seq) => store.auditLogFiles.fileOf(store.auditLogFiles.segmentOf(seq)),
    };
    this.outbox = new SplitOutboxReader(snapshot, meta.mailSeq);
  }

  /** Where this transaction's journal entries go: the commit finishes what `flush` started. */
  journalAppender(): ChainAppender<StoredJournalEntry, Transaction | StoredTransaction> {
    return (this.appender ??= new ChainAppender(this.store.journalLog, journalCodec, this.journal.head()));
  }

  /**
   * Lays the entries posted so far into their segments' bytes and lets go of them, and starts
   * writing the segments they fill: a huge transaction (a generated store) then holds at most one
   * segment's bytes, and goes on while the disk writes. The next flush (or the commit) waits for
   * those writes. Written past the committed head, they count only once the commit reaches its
   * commit point; until then readers stop at the head, and a writer after a crash drops them.
   * Nothing is written once the lock is lost: another writer may have committed past our head
   * since, into the very segments we would write.
   */
  override async flush(): Promise<void> {
    if (this.posted.length === 0 && this.appender === null) return;
    const lost = this.lockLost();
    if (lost) throw lost;
    const appender = this.journalAppender();
    for (const tx of this.takePosted()) appender.add(storedTransaction(tx));
    await appender.flushFull();
  }

  /** Puts the journal back as it was when the work failed after `flush` wrote some of it. */
  async discardFlushed(): Promise<void> {
    await this.appender?.rollback();
  }
}

/**
 * A log's entries up to the committed head, a segment at a time: a commit under way, or one cut
 * short that no writer has cleaned up yet, may have appended entries past it.
 */
export async function* committedEntries<E extends ChainEntry>(log: SegmentLog<E>, head: ChainHead): AsyncGenerator<E[]> {
  const last = log.segmentOf(Math.max(head.seq, 1));
  for (let segment = 0; head.seq > 0 && segment <= last; segment += 1) {
    const entries = await log.readSegment(segment);
    if (entries === null) throw corrupt(log.fileOf(segment), 'it is missing');
    yield entries.filter((e) => e.seq <= head.seq);
  }
}

class SplitJournalReader implements JournalReader {
  private readonly cache = new Map<number, JournalEntry[]>();

  constructor(
    private readonly store: StoreLogs,
    private readonly snapshot: Snapshot,
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
    const cached = this.cache.get(this.store.journalLog.segmentOf(seq));
    if (!cached) {
      const one = await this.store.journalLog.readEntry(seq, journalCodec.field);
      if (one === null) throw corrupt(this.describeSegment(seq), 'it is missing');
      if (one !== undefined) return hydrateEntry(one);
    }
    const entries = cached ?? (await this.segment(this.store.journalLog.segmentOf(seq)));
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

  async seqsOfUser(userId: string): Promise<number[]> {
    const seqs = (checkedRecord('journal-of-user', userId, await this.snapshot.get('journal-of-user', userId)) as number[] | undefined) ?? [];
    return seqs.filter((s) => s <= this.committed.seq);
  }

  async seqsLinkingTo(txId: string): Promise<number[]> {
    if ((KINDS_ADDED.get('journal-links') ?? 0) > this.snapshot.root.schemaVersion) return this.scanForLinks(txId);
    const seqs = (checkedRecord('journal-links', txId, await this.snapshot.get('journal-links', txId)) as number[] | undefined) ?? [];
    return seqs.filter((s) => s <= this.committed.seq);
  }

  /**
   * A store written before the journal's index of links, until its next writer builds it: the
   * entries after the linked one are read (a link always points back).
   */
  private async scanForLinks(txId: string): Promise<number[]> {
    const from = seqOfTxId(txId);
    const found: number[] = [];
    if (from === null || from >= this.committed.seq) return found;
    const log = this.store.journalLog;
    for (let segment = log.segmentOf(from); segment <= log.segmentOf(this.committed.seq); segment += 1) {
      const entries = await log.readSegment(segment);
      if (entries === null) throw corrupt(log.fileOf(segment), 'it is missing');
      for (const e of entries) if (e.seq > from && e.seq <= this.committed.seq && e.tx.links.includes(txId)) found.push(e.seq);
    }
    return found;
  }

  scan(): AsyncIterable<readonly StoredJournalEntry[]> {
    return committedEntries(this.store.journalLog, this.committed);
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
    const stored = await this.store.journalLog.readSegment(segment);
    if (stored === null) throw corrupt(this.store.journalLog.fileOf(segment), 'it is missing');
    const entries = stored.map(hydrateEntry);
    this.cache.set(segment, entries);
    return entries;
  }
}

/** The mails up to the committed counter, each read from its segment (split-layout.ts, FileLayout) or, in the layout before schema 11, its own file. */
class SplitOutboxReader implements OutboxReader {
  constructor(
    private readonly snapshot: Snapshot,
    private readonly mailSeq: number,
  ) {}

  async list(): Promise<MailRecord[]> {
    const mails: MailRecord[] = [];
    for (let seq = 1; seq <= this.mailSeq; seq += 1) mails.push((await this.read(seq)).mail);
    return mails;
  }

  async get(id: string): Promise<{ mail: MailRecord; raw: string; file: string | null } | null> {
    // Only a mail's own id names it (msg_1 or msg_0000001 name no mail, nor does msg_000000).
    const seq = /^msg_[0-9]{1,12}$/.test(id) ? Number(id.slice(4)) : 0;
    return seq >= 1 && mailIdForSeq(seq) === id && seq <= this.mailSeq ? this.read(seq) : null;
  }

  private async read(seq: number): Promise<{ mail: MailRecord; raw: string; file: string }> {
    const { raw, file } = await this.snapshot.mailText(seq);
    if (raw === undefined) throw corrupt(file, `it does not hold mail ${mailIdForSeq(seq)}, which the store says was sent`);
    const mail = parseEml(raw);
    if (!mail || mail.id !== mailIdForSeq(seq)) throw corrupt(file, `mail ${mailIdForSeq(seq)} in it is not a mail okpay wrote`);
    return { mail, raw, file };
  }
}
