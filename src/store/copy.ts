// `store copy`: every record, the journal and the audit log (entries as stored: end marks and
// hashes kept, so the chains verify on the target) and the outbox of one store, streamed into an
// empty store a page at a time and committed there once, at the end (LoadableStore.load). Memory
// stays bounded whatever the store's size, and a copy cut short (an error, a kill) leaves the target
// as it was: the database rolls back, the directory being built beside the target is never renamed.
//
// Records are read through the stores' per-kind record layer (RecordSource.scan), below the
// records API: that API finds sessions, quotes, idempotency keys, refunds and limit windows only by
// key, and a copy must take every one of them, secrets included (unlike `fixtures export`). Each
// kind is read a page at a time (a file store's bucket, a database's keyset page), the journal and
// the audit log a segment at a time, the mails a page of ids at a time.

import { AppError } from '../domain/errors.js';
import { chainHash, entryContentText } from '../domain/hashing.js';
import type { MailRecord } from '../domain/mail.js';
import { GENESIS_HASH, type ChainHead } from '../domain/state.js';
import { faultPoint } from './durable-file.js';
import { DATA_KINDS, type Kind } from './record-kinds.js';
import { mailIdForSeq, RecordTransaction } from './record-transaction.js';
import type { RecordSource } from './record-view.js';
import type { LoadableStore, RecordStore, RecordsTransaction, StoreLoader } from './store.js';

/** Rows per page written (and, where the source pages by rows, read) unless told otherwise. */
export const DEFAULT_PAGE_ROWS = 1000;

export interface CopyCounts {
  readonly records: number;
  readonly users: number;
  readonly tickets: number;
  readonly journalEntries: number;
  readonly auditEntries: number;
  readonly mails: number;
  /** How many pages were written into the target (records, entries and mails). */
  readonly pages: number;
}

/** The record layer under a store's transaction (every store okpay has is a RecordTransaction). */
function recordsOf(t: RecordsTransaction): RecordTransaction {
  if (!(t instanceof RecordTransaction)) throw new Error('store copy needs a record-native store');
  return t;
}

/**
 * Copies `source` into `target`, which must hold nothing (STORE_NOT_EMPTY otherwise, and nothing
 * is written). `allowed` runs first on the source (who may copy it). `pageRows` bounds every page
 * written (tests make it small).
 */
export async function copyStore(
  source: RecordStore,
  target: LoadableStore,
  allowed: (t: RecordsTransaction) => Promise<void>,
  pageRows = DEFAULT_PAGE_ROWS,
): Promise<CopyCounts> {
  return source.read(async (from) => {
    await allowed(from);
    const reader = recordsOf(from);
    return target.load(async (into) => {
      if (!(await into.isEmpty()))
        throw new AppError(
          'STORE_NOT_EMPTY',
          `the store at ${target.location} is not empty; store copy writes only into an empty store, and nothing was written`,
          {
            hint: 'copy into a new directory or an empty database',
          },
        );
      const pages = new Pages(pageRows);
      const counted = await copyRecords(reader.view.source, into, pages);
      const journalEntries = await copyChain(
        'journal',
        from.journal,
        (e) => entryContentText(e.tx),
        (page) => into.journal(page),
        pages,
      );
      const auditEntries = await copyChain(
        'audit log',
        from.auditLog,
        (e) => entryContentText(e.event),
        (page) => into.audit(page),
        pages,
      );
      const meta = from.meta.get();
      const mails = await copyMails(from, meta.mailSeq, into, pages, source.location);
      into.adopt(meta);
      const records = [...counted.values()].reduce((a, b) => a + b, 0);
      return {
        records,
        users: counted.get('users') ?? 0,
        tickets: counted.get('tickets') ?? 0,
        journalEntries,
        auditEntries,
        mails,
        pages: pages.written,
      };
    });
  });
}

/** Cuts what is read into pages of at most `size` rows and counts the pages written. */
class Pages {
  written = 0;

  constructor(readonly size: number) {}

  async *of<T>(batches: AsyncIterable<readonly T[]>): AsyncGenerator<readonly T[]> {
    let page: T[] = [];
    for await (const batch of batches) {
      for (const item of batch) {
        page.push(item);
        if (page.length >= this.size) {
          yield page;
          page = [];
        }
      }
    }
    if (page.length > 0) yield page;
  }

  /** After each page is written (tests stop the process here: OKPAY_TEST_STOP_AT=write:copy-page-N). */
  done(): void {
    this.written += 1;
    faultPoint('write', `copy-page-${this.written}`);
  }
}

/** Puts every record of the source into the target, kind by kind, a page at a time; returns how many of each kind. */
async function copyRecords(from: RecordSource, into: StoreLoader, pages: Pages): Promise<Map<Kind, number>> {
  const counted = new Map<Kind, number>();
  for (const kind of DATA_KINDS) {
    for await (const page of pages.of(from.scan(kind))) {
      await into.records(kind, page);
      counted.set(kind, (counted.get(kind) ?? 0) + page.length);
      pages.done();
    }
  }
  return counted;
}

/** One hash chain (the journal or the audit log), each entry checked against the one before, a page at a time. */
async function copyChain<E extends { seq: number; prevHash: string; hash: string; end: boolean }>(
  name: string,
  log: { head(): ChainHead; describeSegment(seq: number): string; scan(): AsyncIterable<readonly E[]> },
  content: (entry: E) => string,
  write: (page: readonly E[]) => Promise<void>,
  pages: Pages,
): Promise<number> {
  const chain = new ChainCheck(name, log.head(), (seq) => log.describeSegment(seq));
  let count = 0;
  for await (const page of pages.of(log.scan())) {
    for (const entry of page) chain.follow(entry, content(entry));
    await write(page);
    count += page.length;
    pages.done();
  }
  chain.finish();
  return count;
}

/** The mails are msg_000001… in order, as many as the store says it sent: each keeps its number on the target. */
async function copyMails(from: RecordsTransaction, mailSeq: number, into: StoreLoader, pages: Pages, where: string): Promise<number> {
  for (let first = 1; first <= mailSeq; first += pages.size) {
    const ids = Array.from({ length: Math.min(pages.size, mailSeq - first + 1) }, (_, index) => mailIdForSeq(first + index));
    const found = await Promise.all(ids.map((id) => from.outbox.get(id)));
    const page: MailRecord[] = [];
    found.forEach((mail, index) => {
      if (mail === null || mail.mail.id !== ids[index])
        throw new AppError(
          'STORE_CORRUPT',
          `the outbox of the store at ${where} does not hold mails 1 to ${mailSeq} (${ids[index]} is missing); nothing was copied`,
          {
            hint: 'run okpay verify on it',
          },
        );
      page.push(mail.mail);
    });
    await into.mails(page);
    pages.done();
  }
  return mailSeq;
}

/**
 * A damaged source is refused before the target commits anything: each entry must follow the one
 * before and hash to what it says, up to the committed head.
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
