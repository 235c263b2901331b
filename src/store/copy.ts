// `store copy`: every record, the journal and the audit log (entries as stored: end marks and
// hashes kept, so the chains verify on the target) and the outbox of one store, written into an
// empty store in ONE commit of the target. A copy cut short therefore leaves the target as empty as
// it was (the database rolls back; the file store never reaches its commit point), never a part.
//
// Records are read through the stores' per-kind record layer (RecordSource.scan), below the
// records API: that API finds sessions, quotes, idempotency keys, refunds and limit windows only by
// key, and a copy must take every one of them, secrets included (unlike `fixtures export`).

import { AppError } from '../domain/errors.js';
import { chainHash, entryContentText } from '../domain/hashing.js';
import { GENESIS_HASH, type ChainHead, type StoreMeta } from '../domain/state.js';
import { DATA_KINDS, fileLinks, type Kind } from './record-kinds.js';
import { RecordTransaction } from './record-transaction.js';
import type { RecordSource } from './record-view.js';
import type { RecordStore, RecordsTransaction } from './store.js';

/** The kinds of record a store keeps as data; indexes are the target's to derive (the journal's by party is rebuilt here). */
const COPIED_KINDS = DATA_KINDS;

export interface CopyCounts {
  readonly records: number;
  readonly users: number;
  readonly tickets: number;
  readonly journalEntries: number;
  readonly auditEntries: number;
  readonly mails: number;
}

/** The record layer under a store's transaction (every store okpay has is a RecordTransaction). */
function recordsOf(t: RecordsTransaction): RecordTransaction {
  if (!(t instanceof RecordTransaction)) throw new Error('store copy needs a record-native store');
  return t;
}

/**
 * Copies `source` into `target`, which must hold nothing (STORE_NOT_EMPTY otherwise, and nothing
 * is written). `allowed` runs first on the source (who may copy it).
 */
export async function copyStore(source: RecordStore, target: RecordStore, allowed: (t: RecordsTransaction) => Promise<void>): Promise<CopyCounts> {
  return source.read(async (from) => {
    await allowed(from);
    const reader = recordsOf(from);
    return target.transaction(async (into) => {
      const writer = recordsOf(into);
      await refuseNonEmpty(writer, target.location);
      const counted = await copyRecords(reader.view.source, writer);
      const journalEntries = await copyJournal(from, writer);
      const auditEntries = await copyAudit(from, writer);
      const meta = from.meta.get();
      const mails = await from.outbox.list();
      checkMails(
        mails.map((m) => m.id),
        meta,
        source.location,
      );
      writer.adoptCopy(meta, mails);
      const records = [...counted.values()].reduce((a, b) => a + b, 0);
      return { records, users: counted.get('users') ?? 0, tickets: counted.get('tickets') ?? 0, journalEntries, auditEntries, mails: mails.length };
    });
  });
}

async function refuseNonEmpty(t: RecordTransaction, where: string): Promise<void> {
  const meta = t.meta.get();
  let empty = meta.journal.seq === 0 && meta.audit.seq === 0 && meta.mailSeq === 0 && meta.ticketSeq === 0 && (await t.users.count()) === 0;
  for (const kind of COPIED_KINDS) {
    if (!empty) break;
    for await (const batch of t.view.source.scan(kind)) {
      if (batch.length > 0) empty = false;
      break;
    }
  }
  if (!empty)
    throw new AppError('STORE_NOT_EMPTY', `the store at ${where} is not empty; store copy writes only into an empty store, and nothing was written`, {
      hint: 'copy into a new directory or an empty database',
    });
}

/** Puts every record of the source into the target's transaction; returns how many of each kind. */
async function copyRecords(from: RecordSource, into: RecordTransaction): Promise<Map<Kind, number>> {
  const counted = new Map<Kind, number>();
  for (const kind of COPIED_KINDS) {
    for await (const batch of from.scan(kind)) {
      for (const [key, value] of batch) into.view.put(kind, key, value);
      counted.set(kind, (counted.get(kind) ?? 0) + batch.length);
    }
  }
  return counted;
}

async function copyJournal(from: RecordsTransaction, into: RecordTransaction): Promise<number> {
  const chain = new ChainCheck('journal', from.journal.head(), from.journal.describeSegment.bind(from.journal));
  const seqsOfUser = new Map<string, number[]>();
  const links = new Map<string, number[]>();
  for await (const entries of from.journal.scan()) {
    for (const entry of entries) {
      chain.follow(entry, entryContentText(entry.tx));
      into.copiedJournal.push(entry);
      fileLinks(links, entry.seq, entry.tx.links);
      for (const party of new Set(entry.tx.parties)) {
        const seqs = seqsOfUser.get(party);
        if (seqs) seqs.push(entry.seq);
        else seqsOfUser.set(party, [entry.seq]);
      }
    }
  }
  chain.finish();
  // The file store files each user's entries and each transaction's follow-ups itself (a SQL store's indexes are its own tables).
  for (const [party, seqs] of seqsOfUser) into.view.put('journal-of-user', party, seqs);
  for (const [txId, seqs] of links) into.view.put('journal-links', txId, seqs);
  return into.copiedJournal.length;
}

async function copyAudit(from: RecordsTransaction, into: RecordTransaction): Promise<number> {
  const chain = new ChainCheck('audit log', from.auditLog.head(), from.auditLog.describeSegment.bind(from.auditLog));
  for await (const entries of from.auditLog.scan()) {
    for (const entry of entries) {
      chain.follow(entry, entryContentText(entry.event));
      into.copiedAudit.push(entry);
    }
  }
  chain.finish();
  return into.copiedAudit.length;
}

/** The mails are msg_000001… in order, as many as the store says it sent: each keeps its number on the target. */
function checkMails(ids: readonly string[], meta: StoreMeta, where: string): void {
  const expected = (n: number) => `msg_${n.toString().padStart(6, '0')}`;
  const wrong = ids.findIndex((id, index) => id !== expected(index + 1));
  if (wrong >= 0 || ids.length !== meta.mailSeq) {
    throw new AppError(
      'STORE_CORRUPT',
      `the outbox of the store at ${where} does not hold mails 1 to ${meta.mailSeq} in order${wrong >= 0 ? ` (found ${ids[wrong]})` : ''}; nothing was copied`,
      { hint: 'run okpay verify on it' },
    );
  }
}

/**
 * A damaged source is refused before anything is written: each entry must follow the one before
 * and hash to what it says, up to the committed head.
 */
class ChainCheck {
  private seq = 0;
  private hash = GENESIS_HASH;

  constructor(
    private readonly name: string,
    private readonly head: ChainHead,
    private readonly describe: (seq: number) => string,
  ) {}

  follow(entry: { seq: number; prevHash: string; hash: string; end: boolean }, content: string): void {
    if (entry.seq !== this.seq + 1 || entry.prevHash !== this.hash || chainHash(entry.prevHash, entry.seq, entry.end, content) !== entry.hash) {
      throw this.broken(`entry ${this.seq + 1} (${this.describe(this.seq + 1)}) does not follow the one before it`);
    }
    this.seq = entry.seq;
    this.hash = entry.hash;
  }

  finish(): void {
    if (this.seq !== this.head.seq || this.hash !== this.head.hash) throw this.broken(`it ends at entry ${this.seq}, not at its head (${this.head.seq})`);
  }

  private broken(why: string): AppError {
    return new AppError('STORE_CORRUPT', `the ${this.name} of the source store is damaged: ${why}; nothing was copied`, { hint: 'run okpay verify on it' });
  }
}
