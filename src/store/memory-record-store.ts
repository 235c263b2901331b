// The in-memory store with records kept natively: one Map per kind (record-kinds.ts), no State
// object. Same contract as the file stores — transactions run one at a time and commit all at
// once, reads see their own writes, a thrown error discards everything — for tests and the
// simulator. A commit replaces the maps of the kinds it changed, so a read that is under way keeps
// seeing the version it started on.

import type { AuditEntry } from '../domain/audit.js';
import { hydrateTransaction, storedTransaction, type JournalEntry } from '../domain/ledger.js';
import { chainHash, entryContentText } from '../domain/hashing.js';
import { formatEml, type MailRecord } from '../domain/mail.js';
import { emptyMeta, type ChainHead, type StoreMeta } from '../domain/state.js';
import type { Kind } from './record-kinds.js';
import { META_KEY, RecordTransaction } from './record-transaction.js';
import { RecordView, type Changes, type RecordSource } from './record-view.js';
import type { AuditReader, JournalReader, OutboxReader, RecordStore, RecordsTransaction } from './store.js';

export type KindMaps = ReadonlyMap<Kind, ReadonlyMap<string, unknown>>;

const SCAN_BATCH = 500;

export class MemoryRecordStore implements RecordStore {
  readonly location = 'memory';
  private kinds: KindMaps;
  readonly journalEntries: JournalEntry[] = [];
  readonly auditEntries: AuditEntry[] = [];
  readonly mails: MailRecord[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    nowIso: string,
    readonly segmentSize = 1000,
  ) {
    this.kinds = new Map([['meta', new Map([[META_KEY, deepFreeze(emptyMeta(nowIso, segmentSize))]])]]);
  }

  /** Every committed record, by kind and key (frozen): for tests that look at or compare a whole store. */
  get committed(): KindMaps {
    return this.kinds;
  }

  /** A way to put the store back exactly as it is now: for tests that try many inputs on one store. */
  checkpoint(): () => void {
    const kinds = this.kinds;
    const lengths = [this.journalEntries.length, this.auditEntries.length, this.mails.length] as const;
    return () => {
      this.kinds = kinds;
      this.journalEntries.length = lengths[0];
      this.auditEntries.length = lengths[1];
      this.mails.length = lengths[2];
    };
  }

  /** Transactions run one at a time, as the file lock makes them in separate processes. */
  transaction<T>(work: (t: RecordsTransaction) => Promise<T> | T): Promise<T> {
    const run = this.queue.then(() => this.run(work));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A look at the committed version: whatever the work changes is dropped. */
  async read<T>(work: (t: RecordsTransaction) => Promise<T> | T): Promise<T> {
    return work(this.begin(true));
  }

  private async run<T>(work: (t: RecordsTransaction) => Promise<T> | T): Promise<T> {
    const t = this.begin(false);
    const result = await work(t);
    if (!t.unchanged) await this.commit(t);
    if (t.deferredError) throw t.deferredError;
    return result;
  }

  private begin(readOnly: boolean): MemoryRecordTransaction {
    const snapshot = this.kinds;
    const source: RecordSource = {
      get: async (kind, key) => snapshot.get(kind)?.get(key),
      scan: (kind) => batches([...(snapshot.get(kind) ?? new Map<string, unknown>())], SCAN_BATCH),
    };
    const meta = snapshot.get('meta')?.get(META_KEY) as StoreMeta;
    return new MemoryRecordTransaction(this, new RecordView(source), meta, readOnly);
  }

  private async commit(t: MemoryRecordTransaction): Promise<void> {
    const meta = t.currentMeta;
    const journal = appendChain(
      this.journalEntries,
      t.posted,
      meta.journal,
      (tx) => entryContentText(storedTransaction(tx)),
      (seq, prevHash, hash, end, tx) => ({ seq, prevHash, hash, end, tx: hydrateTransaction(tx, seq) }),
    );
    const audit = appendChain(
      this.auditEntries,
      t.events,
      meta.audit,
      (event) => entryContentText(event),
      (seq, prevHash, hash, end, event) => ({ seq, prevHash, hash, end, event }),
    );
    await t.settleCounters(journal, audit);
    this.kinds = applied(this.kinds, await t.view.changes());
    this.mails.push(...t.mails);
  }
}

/** New maps for the changed kinds, with values copied and frozen: a record is never changed in place. */
function applied(kinds: KindMaps, changes: Changes): KindMaps {
  const next = new Map(kinds);
  for (const [kind, written] of changes) {
    const map = new Map(kinds.get(kind) ?? []);
    for (const [key, value] of written) {
      if (value === null) map.delete(key);
      else map.set(key, deepFreeze(structuredClone(value)));
    }
    next.set(kind, map);
  }
  return next;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

async function* batches<T>(items: readonly T[], size: number): AsyncGenerator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function appendChain<C, E>(
  target: E[],
  items: readonly C[],
  head: ChainHead,
  entryContent: (item: C) => string,
  make: (seq: number, prevHash: string, hash: string, end: boolean, c: C) => E,
): ChainHead {
  let { seq, hash } = head;
  items.forEach((item, index) => {
    const end = index === items.length - 1;
    // Stored as a parsed copy of its JSON, as a file store would read it back.
    const text = entryContent(item);
    const next = chainHash(hash, seq + 1, end, text);
    target.push(make(seq + 1, hash, next, end, JSON.parse(text) as C));
    seq += 1;
    hash = next;
  });
  return { seq, hash, bytes: 0 };
}

class MemoryRecordTransaction extends RecordTransaction {
  readonly journal: JournalReader;
  readonly auditLog: AuditReader;
  readonly outbox: OutboxReader;

  constructor(store: MemoryRecordStore, view: RecordView, meta: StoreMeta, readOnly: boolean) {
    super(view, meta, readOnly);
    const journalHead = meta.journal;
    const auditHead = meta.audit;
    const committed = store.journalEntries.slice(0, journalHead.seq);
    this.journal = {
      segmentSize: store.segmentSize,
      head: () => journalHead,
      get: async (seq) => committed[seq - 1] ?? null,
      getMany: async (seqs) => seqs.map((s) => committed[s - 1]).filter((e): e is JournalEntry => e !== undefined),
      seqsOfUser: async (userId) => (((await view.source.get('journal-of-user', userId)) as number[] | undefined) ?? []).filter((s) => s <= journalHead.seq),
      seqsLinkingTo: async (txId) => (((await view.source.get('journal-links', txId)) as number[] | undefined) ?? []).filter((s) => s <= journalHead.seq),
      scan: () =>
        batches(
          committed.map((e) => ({ ...e, tx: storedTransaction(e.tx) })),
          store.segmentSize,
        ),
      describeSegment: (seq) => `memory segment ${Math.floor((seq - 1) / store.segmentSize)}`,
      segmentFiles: async () => null,
    };
    const audits = store.auditEntries.slice(0, auditHead.seq);
    this.auditLog = {
      head: () => auditHead,
      scan: () => batches(audits, store.segmentSize),
      describeSegment: (seq) => `memory audit segment ${Math.floor((seq - 1) / store.segmentSize)}`,
    };
    const mails = store.mails.slice(0, meta.mailSeq);
    this.outbox = {
      list: async () => mails,
      get: async (id) => {
        const mail = mails.find((m) => m.id === id);
        return mail ? { mail, raw: formatEml(mail), file: null } : null;
      },
    };
  }
}
