// `store copy` into a directory (SplitFileStore.load): the new store is built in a directory beside
// the target (`.<name>.copy-<pid>-<random>`), made durable, and renamed into place at the end, its
// commit point; a copy cut short leaves the target as it was (absent, or the empty directory or
// empty store it was) and a hidden sibling that is no store. Memory stays bounded whatever the size:
// each page of records is spilled, line by line, into a file per bucket of its kind and per bucket
// of each index it is filed under (record-kinds.indexEntries, as any commit files it); journal and
// audit entries go to their segments as they come (a full segment is written and let go). At the
// end each bucket's spill becomes its bucket file, one bucket in memory at a time. What a copy
// killed on this machine left beside the target is removed by the next copy into it.

import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { AuditEntry, AuditEvent } from '../domain/audit.js';
import type { StoredJournalEntry, StoredTransaction, Transaction } from '../domain/ledger.js';
import { formatEml, type MailRecord } from '../domain/mail.js';
import { groupFacts, type QueueGroupFacts } from '../domain/queue-group-facts.js';
import { emptyMeta, type StoreMeta } from '../domain/state.js';
import type { TicketSummary } from '../domain/ticket-summary.js';
import { auditCodec, journalCodec } from './chain-codecs.js';
import { AppError } from '../domain/errors.js';
import { ensureDirectory, errnoOf, faultPoint, fsyncDirectory, unavailable } from './durable-file.js';
import type { HeldLock } from './lock.js';
import { DIRECTORY_KEY, indexEntries, isOrderedKind, RECORD_KINDS, SLOTS_KEY, type DataKind, type Kind } from './record-kinds.js';
import { queueLevels } from './record-view.js';
import { sealedBytes } from './sealed-file.js';
import { ChainAppender, SegmentLog } from './segment-log.js';
import {
  bucketOf,
  bucketPath,
  BUCKETED_KINDS,
  LAYOUT,
  mailFiles,
  manifestPath,
  REDO,
  ROOT,
  SPLIT_SCHEMA_VERSION,
  type BucketBody,
  type RootBody,
} from './split-layout.js';
import { eachAtMost, syncAll, writeInPlace } from './split-writes.js';
import type { StoreLoader } from './store.js';

const IO_AT_ONCE = 16;
/** Spilled lines kept in memory before they are appended to their files. */
const SPILL_BYTES = 8 * 1024 * 1024;
const SPILL = '.spill';
/** Index kinds whose records are lists of journal entries (filed from the entries, not from records). */
const SEQ_LISTS: ReadonlySet<Kind> = new Set<Kind>(['journal-of-user', 'journal-links']);
/** Folded from the queue groups once all of them are written. */
const FOLDED: ReadonlySet<Kind> = new Set<Kind>(['queue-days', 'queue-directory']);
const WHOLE_RECORDS: ReadonlySet<Kind> = new Set<Kind>(RECORD_KINDS);

export interface SplitLoadOptions {
  readonly now: () => Date;
  readonly segmentSize: number;
  /** Whether the target, which holds a store, holds nothing (checked by the store that owns it). */
  readonly targetEmpty: () => Promise<boolean>;
  /** The target's store lock: held while a target that holds a store is checked again and replaced. */
  readonly lock: () => Promise<HeldLock>;
}

/** Builds a store beside `target` with `work`, then renames it into place (see the top of the file). */
export async function loadSplitStore<T>(target: string, options: SplitLoadOptions, work: (loader: StoreLoader) => Promise<T>): Promise<T> {
  const parent = path.dirname(target);
  const build = path.join(parent, `.${path.basename(target)}.copy-${process.pid}-${randomBytes(4).toString('hex')}`);
  // A new directory of this process's own (its parent may be shared, as /tmp is: the name is new and private).
  await fs.mkdir(parent, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
    throw unavailable(parent, error);
  });
  await removeLeftBuilds(parent, path.basename(target));
  await fs.mkdir(build, { mode: 0o700 }).catch((error: unknown) => {
    throw unavailable(build, error);
  });
  try {
    const loader = new SplitLoader(build, options);
    const result = await work(loader);
    await loader.finish();
    await putInPlace(build, target, options);
    return result;
  } finally {
    await fs.rm(build, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Removes the directories that copies into `name` killed before their end left in `parent`: those
 * named by a process that no longer runs (a live one may be a copy under way). Pids are this
 * machine's, so a directory shared by several machines keeps what another machine's copy left.
 */
async function removeLeftBuilds(parent: string, name: string): Promise<void> {
  const prefix = `.${name}.copy-`;
  const entries = await fs.readdir(parent).catch(() => [] as string[]);
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const match = /^(\d+)-[0-9a-f]{8}(?:\.replaced)?$/.exec(entry.slice(prefix.length));
    if (match && !processRuns(Number(match[1]))) await fs.rm(path.join(parent, entry), { recursive: true, force: true }).catch(() => undefined);
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return errnoOf(error) !== 'ESRCH';
  }
}

/**
 * The commit point: the built store renamed over the target path (absent, or an empty directory).
 * A target that held an empty store is moved aside first and removed after, under its lock and
 * only if it still holds nothing: a writer may have committed into it since the copy began (its
 * lock then goes aside with it, and a writer waiting for it finds the new store).
 */
async function putInPlace(build: string, target: string, options: SplitLoadOptions): Promise<void> {
  let aside: string | null = null;
  if (existsSync(path.join(target, ROOT))) {
    const lock = await options.lock();
    try {
      if (!(await options.targetEmpty()))
        throw new AppError(
          'STORE_NOT_EMPTY',
          `the store at ${target} was changed during the copy; store copy writes only into an empty store, and nothing was written`,
          {
            hint: 'copy into a new directory or an empty database',
          },
        );
      aside = `${build}.replaced`;
      await fs.rename(target, aside).catch((error: unknown) => {
        throw unavailable(target, error);
      });
    } finally {
      // Moved aside, the lock is no longer at the target: release then leaves the new store alone.
      await lock.release();
    }
  }
  faultPoint('rename', target);
  await fs.rename(build, target).catch((error: unknown) => {
    throw unavailable(
      target,
      errnoOf(error) === 'ENOTEMPTY' || errnoOf(error) === 'EEXIST' ? new Error('another store appeared there during the copy') : error,
    );
  });
  await fsyncDirectory(path.dirname(target));
  if (aside !== null) await fs.rm(aside, { recursive: true, force: true });
}

class SplitLoader implements StoreLoader {
  private readonly spill: Spill;
  private readonly journalAppender: ChainAppender<StoredJournalEntry, Transaction | StoredTransaction>;
  private readonly auditAppender: ChainAppender<AuditEntry, AuditEvent>;
  private readonly slots = new Map<Kind, Set<string>>();
  private readonly written: string[] = [];
  private users = 0;
  private adopted: StoreMeta | null = null;
  private readonly pendingMails: MailRecord[] = [];
  private mailsWritten = 0;

  constructor(
    private readonly build: string,
    private readonly options: SplitLoadOptions,
  ) {
    this.spill = new Spill(path.join(build, SPILL));
    const start = emptyMeta(options.now().toISOString(), options.segmentSize);
    this.journalAppender = new ChainAppender(new SegmentLog(path.join(build, 'journal'), options.segmentSize), journalCodec, start.journal);
    this.auditAppender = new ChainAppender(new SegmentLog(path.join(build, 'audit'), options.segmentSize), auditCodec, start.audit);
  }

  isEmpty(): Promise<boolean> {
    return this.options.targetEmpty();
  }

  async records(kind: DataKind, page: readonly (readonly [string, unknown])[]): Promise<void> {
    for (const [key, value] of page) {
      this.spill.add(kind, key, [key, value]);
      for (const e of indexEntries(kind, key, value)) {
        this.spill.add(e.kind, e.key, [e.key, e.member, e.value]);
        if (isOrderedKind(e.kind)) this.slotsOf(e.kind).add(e.key);
      }
    }
    if (kind === 'users') this.users += page.length;
    await this.spill.flushIfFull();
  }

  async journal(entries: readonly StoredJournalEntry[]): Promise<void> {
    for (const entry of entries) {
      this.journalAppender.addStored(entry.tx, entry.end);
      for (const party of new Set(entry.tx.parties)) this.spill.add('journal-of-user', party, [party, entry.seq]);
      for (const linked of new Set(entry.tx.links)) this.spill.add('journal-links', linked, [linked, entry.seq]);
    }
    await this.journalAppender.flushFull();
    await this.spill.flushIfFull();
  }

  async audit(entries: readonly AuditEntry[]): Promise<void> {
    for (const entry of entries) this.auditAppender.addStored(entry.event, entry.end);
    await this.auditAppender.flushFull();
  }

  /** Mails go into their segments (split-layout.mailFiles) as each fills: one segment's in memory at most. */
  async mails(mails: readonly MailRecord[]): Promise<void> {
    this.pendingMails.push(...mails);
    while (this.pendingMails.length >= LAYOUT.mailsPerSegment) await this.writeMails(LAYOUT.mailsPerSegment);
  }

  private async writeMails(count: number): Promise<void> {
    const page = this.pendingMails.splice(0, count);
    const firstSeq = this.mailsWritten + 1;
    this.mailsWritten += page.length;
    const files = mailFiles(
      { firstSeq, lastSeq: this.mailsWritten },
      1,
      LAYOUT.mailsPerSegment,
      async () => [],
      async (seq) => formatEml(page[seq - firstSeq] as MailRecord),
    );
    for (const [target, make] of files) await this.writeFile(target, await make());
  }

  adopt(meta: StoreMeta): void {
    this.adopted = meta;
  }

  /** Every bucket and manifest from the spill, then the root; all of it made durable. */
  async finish(): Promise<void> {
    const adopted = this.adopted;
    if (adopted === null) throw new Error('store copy finished without the source store’s facts');
    if (this.pendingMails.length > 0) await this.writeMails(this.pendingMails.length);
    const journal = await this.journalAppender.finish();
    const audit = await this.auditAppender.finish();
    for (const [kind, slots] of this.slots) for (const slot of slots) this.spill.add(kind, SLOTS_KEY, [SLOTS_KEY, slot, true]);
    await this.spill.flush();
    const groups: [string, QueueGroupFacts][] = [];
    for (const kind of BUCKETED_KINDS) {
      if (FOLDED.has(kind)) continue;
      const buckets = await this.spill.buckets(kind);
      await eachAtMost(IO_AT_ONCE, buckets, async (bucket) => {
        const records = bucketRecords(kind, await this.spill.lines(kind, bucket));
        if (kind === 'queue-groups')
          for (const [key, members] of Object.entries(records)) {
            const facts = groupFacts(Object.values(members as Record<string, TicketSummary>));
            if (facts !== null) groups.push([key, facts]);
          }
        await this.writeBucket(kind, bucket, records);
      });
      await this.writeManifest(kind, buckets);
    }
    await this.writeQueueLevels(groups);
    await fs.rm(path.join(this.build, SPILL), { recursive: true, force: true });
    const meta: StoreMeta = { ...emptyMeta(adopted.createdAt, this.options.segmentSize), ...pick(adopted), journal, audit };
    const root: RootBody = { schemaVersion: SPLIT_SCHEMA_VERSION, commit: 1, meta, counts: { users: this.users }, layout: LAYOUT };
    // Later commit points rewrite the redo file in place and so never need a new inode.
    await this.writeFile(REDO, 'none');
    await this.writeFile(ROOT, sealedBytes(root));
    await syncAll(this.build, this.written, IO_AT_ONCE);
    for (const directory of new Set(this.written.map((file) => path.dirname(file)))) await fsyncDirectory(directory);
    await fsyncDirectory(this.build);
  }

  /** The shapes' records and the queue's directory, folded from every group's facts (as a commit folds them). */
  private async writeQueueLevels(groups: readonly [string, QueueGroupFacts][]): Promise<void> {
    const { directory, days } = queueLevels(groups);
    const byBucket = new Map<string, Record<string, unknown>>();
    for (const [shape, record] of days) {
      const bucket = bucketOf('queue-days', shape);
      byBucket.set(bucket, { ...byBucket.get(bucket), [shape]: record });
    }
    for (const [bucket, records] of byBucket) await this.writeBucket('queue-days', bucket, records);
    await this.writeManifest('queue-days', [...byBucket.keys()]);
    const filed = Object.keys(directory).length > 0;
    if (filed) await this.writeBucket('queue-directory', bucketOf('queue-directory', DIRECTORY_KEY), { [DIRECTORY_KEY]: directory });
    await this.writeManifest('queue-directory', filed ? [bucketOf('queue-directory', DIRECTORY_KEY)] : []);
  }

  private async writeBucket(kind: Kind, bucket: string, records: Record<string, unknown>): Promise<void> {
    await this.writeFile(bucketPath(kind, bucket), sealedBytes({ kind, bucket, commit: 1, records } satisfies BucketBody));
  }

  private async writeManifest(kind: Kind, buckets: readonly string[]): Promise<void> {
    await this.writeFile(manifestPath(kind), sealedBytes({ kind, commit: 1, buckets: [...buckets].sort() }));
  }

  private async writeFile(relative: string, bytes: string | Uint8Array): Promise<void> {
    const file = path.join(this.build, relative);
    await ensureDirectory(path.dirname(file));
    await writeInPlace(file, bytes, true, false);
    this.written.push(file);
  }

  private slotsOf(kind: Kind): Set<string> {
    let slots = this.slots.get(kind);
    if (!slots) this.slots.set(kind, (slots = new Set()));
    return slots;
  }
}

/** The copied store's own facts; the chain heads, segment size and user count are the new store's. */
function pick(meta: StoreMeta): Pick<StoreMeta, 'testStore' | 'mailSeq' | 'ticketSeq'> {
  return { testStore: meta.testStore, mailSeq: meta.mailSeq, ticketSeq: meta.ticketSeq };
}

/** One bucket's records from its spilled lines: whole records, an index's members, or a list of journal entries. */
function bucketRecords(kind: Kind, lines: readonly unknown[][]): Record<string, unknown> {
  const records: Record<string, unknown> = {};
  for (const line of lines) {
    const key = line[0] as string;
    if (WHOLE_RECORDS.has(kind)) records[key] = line[1];
    else if (SEQ_LISTS.has(kind)) ((records[key] ??= []) as number[]).push(line[1] as number);
    else ((records[key] ??= {}) as Record<string, unknown>)[line[1] as string] = line[2];
  }
  return records;
}

/** Lines kept per bucket file of a kind, appended to `<kind>/<bucket>` under the spill directory once they weigh SPILL_BYTES. */
class Spill {
  private pending = new Map<string, string[]>();
  private bytes = 0;
  private readonly made = new Set<Kind>();

  constructor(private readonly directory: string) {}

  add(kind: Kind, key: string, line: unknown[]): void {
    const text = JSON.stringify(line);
    const file = `${kind}/${bucketOf(kind, key)}`;
    const lines = this.pending.get(file);
    if (lines) lines.push(text);
    else this.pending.set(file, [text]);
    this.bytes += text.length + 1;
  }

  async flushIfFull(): Promise<void> {
    if (this.bytes >= SPILL_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    const pending = this.pending;
    this.pending = new Map();
    this.bytes = 0;
    for (const file of pending.keys()) {
      const kind = file.slice(0, file.indexOf('/')) as Kind;
      if (!this.made.has(kind)) {
        await ensureDirectory(path.join(this.directory, kind));
        this.made.add(kind);
      }
    }
    await eachAtMost(IO_AT_ONCE, pending, async ([file, lines]) => {
      await fs.appendFile(path.join(this.directory, file), `${lines.join('\n')}\n`, { mode: 0o600 });
    });
  }

  /** The buckets of a kind that hold anything. */
  async buckets(kind: Kind): Promise<string[]> {
    try {
      return (await fs.readdir(path.join(this.directory, kind))).sort();
    } catch (error) {
      if (errnoOf(error) === 'ENOENT') return [];
      throw unavailable(path.join(this.directory, kind), error);
    }
  }

  async lines(kind: Kind, bucket: string): Promise<unknown[][]> {
    const text = await fs.readFile(path.join(this.directory, kind, bucket), 'utf8');
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as unknown[]);
  }
}
