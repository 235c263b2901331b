// The in-memory store: the same contract as FileStore (atomic transactions, hash-chained journal
// and audit log, outbox), for command tests and the simulator. A failed transaction leaves
// nothing behind because the work runs on a deep copy of the state.

import type { AuditEntry, AuditEvent } from '../domain/audit.js';
import type { AppError } from '../domain/errors.js';
import { applyTransaction, chainHash, entryContentText, hydrateTransaction, storedTransaction, txIdForSeq, type JournalEntry, type NewTransaction, type Transaction } from '../domain/ledger.js';
import { formatEml, numberMail, type MailRecord, type OutgoingMail } from '../domain/mail.js';
import { emptyState, type ChainHead, type State, type UserId } from '../domain/state.js';
import { StateRecords } from './state-records.js';
import type { AuditReader, JournalReader, OutboxReader, Store, StoreTransaction } from './store.js';

export class MemoryStore implements Store {
  readonly location = 'memory';
  state: State;
  readonly journalEntries: JournalEntry[] = [];
  readonly auditEntries: AuditEntry[] = [];
  readonly mails: MailRecord[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(nowIso: string, readonly segmentSize = 1000) {
    this.state = emptyState(nowIso, segmentSize);
  }

  /** Transactions run one at a time, as the file lock makes them in separate processes. */
  transaction<T>(work: (t: StoreTransaction) => Promise<T> | T): Promise<T> {
    const run = this.queue.then(() => this.run(work));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A look at a copy: whatever the work changes is dropped. */
  read<T>(work: (t: StoreTransaction) => Promise<T> | T): Promise<T> {
    return Promise.resolve(work(new MemoryTransaction(this, structuredClone(this.state))));
  }

  private async run<T>(work: (t: StoreTransaction) => Promise<T> | T): Promise<T> {
    const draft = structuredClone(this.state);
    const t = new MemoryTransaction(this, draft);
    const result = await work(t);
    this.commit(t);
    if (t.deferredError) throw t.deferredError;
    return result;
  }

  private commit(t: MemoryTransaction): void {
    t.state.meta = {
      ...t.state.meta,
      journal: appendChain(this.journalEntries, t.posted, t.state.meta.journal, (tx) => entryContentText(storedTransaction(tx)), (seq, prevHash, hash, end, tx) => ({ seq, prevHash, hash, end, tx: hydrateTransaction(tx, seq) })),
      audit: appendChain(this.auditEntries, t.events, t.state.meta.audit, (event) => entryContentText(event), (seq, prevHash, hash, end, event) => ({ seq, prevHash, hash, end, event })),
    };
    this.mails.push(...t.mails);
    this.state = t.state;
  }
}

function appendChain<C, E>(target: E[], items: readonly C[], head: ChainHead, entryContent: (item: C) => string, make: (seq: number, prevHash: string, hash: string, end: boolean, c: C) => E): ChainHead {
  let { seq, hash } = head;
  items.forEach((item, index) => {
    const end = index === items.length - 1;
    // Stored as a parsed copy of its JSON, as the file store would read it back.
    const text = entryContent(item);
    const next = chainHash(hash, seq + 1, end, text);
    target.push(make(seq + 1, hash, next, end, JSON.parse(text) as C));
    seq += 1;
    hash = next;
  });
  return { seq, hash, bytes: 0 };
}

class MemoryTransaction extends StateRecords implements StoreTransaction {
  readonly posted: Transaction[] = [];
  readonly events: AuditEvent[] = [];
  readonly mails: MailRecord[] = [];
  deferredError: AppError | null = null;
  readonly journal: JournalReader;
  readonly auditLog: AuditReader;
  readonly outbox: OutboxReader;

  constructor(
    store: MemoryStore,
    state: State,
  ) {
    super(state);
    const journalHead = state.meta.journal;
    const auditHead = state.meta.audit;
    const committed = store.journalEntries.slice(0, journalHead.seq);
    this.journal = {
      segmentSize: store.segmentSize,
      head: () => journalHead,
      get: async (seq) => committed[seq - 1] ?? null,
      getMany: async (seqs) => seqs.map((s) => committed[s - 1]).filter((e): e is JournalEntry => e !== undefined),
      seqsOfUser: async (userId: UserId) => committed.filter((e) => e.tx.parties.includes(userId)).map((e) => e.seq),
      scan: () => segments(committed.map((e) => ({ ...e, tx: storedTransaction(e.tx) })), store.segmentSize),
      describeSegment: (seq) => `memory segment ${Math.floor((seq - 1) / store.segmentSize)}`,
      segmentFiles: async () => null,
    };
    const audits = store.auditEntries.slice(0, auditHead.seq);
    this.auditLog = {
      head: () => auditHead,
      scan: () => segments(audits, store.segmentSize),
      describeSegment: (seq) => `memory audit segment ${Math.floor((seq - 1) / store.segmentSize)}`,
    };
    const mails = store.mails.slice();
    this.outbox = {
      list: async () => mails,
      get: async (id) => {
        const mail = mails.find((m) => m.id === id);
        return mail ? { mail, raw: formatEml(mail), file: null } : null;
      },
    };
  }

  async post(newTx: NewTransaction): Promise<Transaction> {
    return this.postNow(newTx);
  }

  postNow(newTx: NewTransaction): Transaction {
    const seq = this.state.meta.journal.seq + this.posted.length + 1;
    const tx: Transaction = { ...newTx, id: txIdForSeq(seq), seq };
    applyTransaction(this.state, tx);
    this.posted.push(tx);
    return tx;
  }

  audit(event: AuditEvent): void {
    this.events.push(event);
  }

  mail(mail: OutgoingMail, dateIso: string): MailRecord {
    const record = numberMail(this.state, mail, dateIso);
    this.mails.push(record);
    return record;
  }

  failAfterCommit(error: AppError): void {
    this.deferredError = error;
  }

  async flush(): Promise<void> {
    // Everything stays in memory until the commit.
  }
}

async function* segments<E>(entries: readonly E[], size: number): AsyncGenerator<readonly E[]> {
  for (let i = 0; i < entries.length; i += size) yield entries.slice(i, i + size);
}
