// The split file store (split-layout.ts): records in hashed bucket files per kind (record-kinds.ts),
// a small root (store.json: commit number, meta, counts, the layout), hash-chained journal and
// audit segments, and the mails in sealed segments, all under one data directory and one
// cross-process lock.
//
// A commit writes only the files whose records changed, in this order: journal and audit entries;
// every new file in full beside its target (`.<name>.stage`, fsynced); then the redo record
// (commit.redo: the commit number and each target with the digest of its new text), written and
// fsynced in place — the commit point; then each stage is renamed over its target, the root last.
// Recovery (by the next writer) completes a redo whose number follows the root's and drops
// everything else a cut-short commit left: journal entries past the root's head were never
// acknowledged and are never applied. A failure before the commit point takes its files back and
// says so; if even that fails, it says that too, and the redo is never valid, so nothing of it
// is applied later.
//
// Reads take no lock: they read the root, lay a pending redo over it, and check every file they
// read against that version (its own digest, the commit that wrote it); a file changed by a later
// commit makes the read start again. A store of an older layout is read as it is (a schema-2 store
// as its upgrade would make it, in memory); only a writer upgrades it.

import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import type { AuditEntry, AuditEvent } from '../domain/audit.js';
import { AppError } from '../domain/errors.js';
import { storedTransaction, type StoredJournalEntry, type StoredTransaction, type Transaction } from '../domain/ledger.js';
import { chainHash } from '../domain/hashing.js';
import { formatEml } from '../domain/mail.js';
import { emptyMeta, type ChainHead } from '../domain/state.js';
import type { TicketSummary } from '../domain/ticket-summary.js';
import type { Ticket } from '../domain/ticket-record.js';
import { corrupt, ensureDirectory, faultPoint, fsyncDirectory, removeFile, unavailable } from './durable-file.js';
import { Schema2Reader } from './schema2-reader.js';
import type { Schema2State } from './schema2-state.js';
import { acquireStoreLock, type HeldLock } from './lock.js';
import type { Counts } from './record-schemas.js';
import { currentSince, INDEX_KINDS, journalLinks, type Kind } from './record-kinds.js';
import { digest, seal, sealedBytes, unseal } from './sealed-file.js';
import { readSchema2Index, recordsOfState } from './split-upgrade.js';
import { verifySplitStore, type SplitVerifyReport } from './split-verify.js';
import { ChainAppender, SegmentLog, type ChainCodec, type ChainEntry } from './segment-log.js';
import { auditCodec, journalCodec } from './chain-codecs.js';
import type { JournalIndexes, LoadableStore, RecordsTransaction, StoreLoader, TransactionOptions } from './store.js';
import { holdsNothing } from './empty-store.js';
import { loadSplitStore } from './split-load.js';
import {
  bucketOf,
  bucketPath,
  BUCKETED_KINDS,
  checkRoot,
  kindsNewerThan,
  LAYOUT,
  mailFiles,
  MAILS,
  manifestPath,
  OLD_LAYOUT_DIRECTORIES,
  oldMailPath,
  readText,
  recordFiles,
  REDO,
  RECORDS,
  ROOT,
  SPLIT_SCHEMA_VERSION,
  stagePath,
  type FileLayout,
  type FileText,
  type RedoBody,
  type RootBody,
} from './split-layout.js';
import { committedEntries, SplitTransaction } from './split-readers.js';
import { Snapshot, StaleRead } from './split-snapshot.js';
import { eachAtMost, eachInTurn, invalidate, renameSyncOver, syncAll, writeDurably, writeInPlace, writeNewSync } from './split-writes.js';
/** The schema-2 layout's files: the whole state, and the per-user journal index. */
const SCHEMA2_STATE = 'state.json';
const SCHEMA2_INDEX = 'index';
const DEFAULT_SEGMENT_SIZE = 1000;
/**
 * How many files a commit writes (or renames) at once. A large commit (an upgrade, a generated
 * store) writes thousands of small files, each waiting on its own fsync: in parallel, the disk
 * takes them together instead of one flush after another.
 */
const IO_AT_ONCE = 16;
/**
 * From this many files on, the first commit of a new store (fixtures generate, an upgrade) makes
 * its stages durable by one sync of their file system (split-writes.syncAll) rather than one fsync
 * each: 45,000 files of a generated store took 49 s one by one on a loaded machine. Every other
 * commit, however many files it writes (a big `transfer --batch`), keeps one fsync per file and
 * starts no program: syncfs(2) also waits for other writers' dirty pages on the same file system,
 * and before Linux 5.8 it does not report a failed write-back, where each file's fsync does.
 */
const MANY_FILES = 1000;
/** A read that keeps meeting files of later commits gives up after this many fresh starts. */
const READ_ATTEMPTS = 50;

export interface SplitFileStoreOptions {
  readonly now: () => Date;
  /** The summary of a ticket (summarizeTicket with the shipped support data), for tickets a schema-2 store kept without one. */
  readonly summarizeTicket: (ticket: Ticket) => TicketSummary | Promise<TicketSummary>;
  readonly segmentSize?: number;
  /** The store lock's stale time and wait (lock.ts; tests shorten them). */
  readonly lockStaleMs?: number;
  readonly lockWaitMs?: number;
}

export class SplitFileStore implements LoadableStore {
  journalLog: SegmentLog<StoredJournalEntry>;
  auditLogFiles: SegmentLog<AuditEntry>;

  constructor(
    readonly directory: string,
    private readonly options: SplitFileStoreOptions,
  ) {
    const size = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    this.journalLog = new SegmentLog(path.join(directory, 'journal'), size);
    this.auditLogFiles = new SegmentLog(path.join(directory, 'audit'), size);
  }

  get location(): string {
    return this.directory;
  }

  file(relative: string): string {
    return path.join(this.directory, relative);
  }

  async transaction<T>(work: (t: RecordsTransaction) => Promise<T> | T, options: TransactionOptions = {}): Promise<T> {
    await ensureDirectory(this.directory);
    await this.upgradeIfOld(options);
    const lock = await this.lock(options);
    try {
      const snapshot = await this.upgraded(await this.openForWrite(), () => lock.confirm());
      const t = new SplitTransaction(this, snapshot, false, () => (lock.confirm() ? lockLost(this.directory) : null));
      let result: T;
      try {
        result = await work(t);
      } catch (error) {
        // What `flush` wrote past the head is dropped by the next writer anyway; put back now
        // unless another writer may have the store (a lost lock): its files are not ours to touch.
        if (!lock.compromised) await t.discardFlushed().catch(() => undefined);
        throw error;
      }
      if (lock.compromised) throw lockLost(this.directory);
      if (!t.unchanged) await this.commit(t, snapshot, () => lock.confirm());
      if (t.deferredError) throw t.deferredError;
      return result;
    } finally {
      await lock.release();
    }
  }

  /**
   * `store copy` into this directory: the store is built beside it and renamed into place when
   * `work` returns (split-load.ts); until then the directory is as it was.
   */
  load<T>(work: (loader: StoreLoader) => Promise<T>): Promise<T> {
    return loadSplitStore(
      this.directory,
      {
        now: this.options.now,
        segmentSize: this.journalLog.segmentSize,
        targetEmpty: async () =>
          this.readRoot() === null || this.read(async (t) => holdsNothing(t.meta.get(), await t.users.count(), (t as SplitTransaction).view.source)),
        lock: () => this.lock(),
      },
      work,
    );
  }

  private lock(options: TransactionOptions = {}): Promise<HeldLock> {
    return acquireStoreLock(this.directory, { staleMs: this.options.lockStaleMs, waitMs: options.wait === false ? 0 : this.options.lockWaitMs });
  }

  async read<T>(work: (t: RecordsTransaction) => Promise<T> | T): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const snapshot = await this.openForRead();
        const t = new SplitTransaction(this, snapshot, true);
        t.checkFiles = async (journal) => {
          const { problems } = await this.verifyVersion(snapshot, journal);
          if (problems.length === 0) return problems;
          // Checked strictly, a file that a commit made since this version was read looks damaged:
          // when the store has moved on, the whole read starts again on the newer version.
          // (A schema-2 store read in memory has moved on once a writer has upgraded it.)
          const moved = snapshot.memory ? existsSync(this.file(ROOT)) : this.committedVersion() !== snapshot.root.commit;
          if (moved) throw new StaleRead(changedUnderRead(this.directory));
          return problems;
        };
        return await work(t);
      } catch (error) {
        if (!(error instanceof StaleRead)) throw error;
        if (attempt >= READ_ATTEMPTS) throw error.damage;
      }
    }
  }

  /**
   * Checks every file of the committed version (split-verify.ts) and writes nothing: a pending
   * redo is read as the version it commits, a torn journal tail is left for the next writer.
   */
  async verify(): Promise<SplitVerifyReport> {
    return this.verifyVersion(await this.openForRead());
  }

  /** The checks of `verify` on one committed version, read strictly; the journal's indexes against `journal` when the caller reads it. */
  private verifyVersion(snapshot: Snapshot, journal?: Promise<JournalIndexes>): Promise<SplitVerifyReport> {
    const layout = snapshot.root.layout ?? null;
    const strict = snapshot.strict();
    return verifySplitStore(
      this,
      strict,
      {
        bucketOf: (kind, key) => bucketOf(kind, key, layout),
        bucketPath: (kind, bucket) => bucketPath(kind, bucket, layout),
        manifestPath: (kind) => manifestPath(kind, layout),
      },
      journal,
    );
  }

  // ---- opening -------------------------------------------------------------------------------

  private readRoot(): RootBody | null {
    const file = this.file(ROOT);
    const text = readText(file);
    return text === null ? null : checkRoot(unseal<RootBody>(text, file), file);
  }

  /** The number of the commit the store holds now: its root's, or that of a redo pending over it. */
  private committedVersion(): number {
    const root = this.readRoot()?.commit ?? 0;
    const redo = this.readRedo();
    return redo && redo.commit === root + 1 ? redo.commit : root;
  }

  private readRedo(): RedoBody | null {
    const text = readText(this.file(REDO));
    if (text === null) return null;
    try {
      return unseal<RedoBody>(text, this.file(REDO));
    } catch {
      // A redo cut short, or cancelled: its commit never happened.
      return null;
    }
  }

  private async openForRead(): Promise<Snapshot> {
    const root = this.readRoot();
    const redo = this.readRedo();
    if (redo && redo.commit === (root?.commit ?? 0) + 1) {
      const overlay = new Map(redo.files.map((f) => [f.target, f.digest]));
      const provisional = new Snapshot(this, root ?? this.emptyRoot(), overlay, false);
      const snapshot = provisional.withRoot(await provisional.sealed<RootBody>(ROOT));
      this.configure(snapshot.root);
      return snapshot;
    }
    if (root === null) {
      if (existsSync(this.file(SCHEMA2_STATE))) return this.schema2Version();
      await this.refuseMissingRoot(redo);
      return new Snapshot(this, this.emptyRoot(), null, false);
    }
    this.configure(root);
    return new Snapshot(this, root, null, false);
  }

  /**
   * A schema-2 store as its upgrade would make it, built in memory: a read writes nothing, and only
   * a writer upgrades the store. (Its last commit cut short needs completing, a write: refused.)
   */
  private async schema2Version(): Promise<Snapshot> {
    try {
      const state = await new Schema2Reader(this.directory).committedState();
      const root = schema2Root(state);
      this.configure(root);
      const texts = new Map<string, string>();
      for (const [target, make] of await this.schema2Files(state)) texts.set(target, (await make()).toString('utf8'));
      // An upgrade that committed meanwhile may have removed index/ before it was read (read as
      // none, as in a store without one) while every other file was still there: read it again.
      if (existsSync(this.file(ROOT))) throw new StaleRead(changedUnderRead(this.directory));
      return new Snapshot(this, root, null, false, texts);
    } catch (error) {
      // Upgraded meanwhile, its old files gone: the read starts again, on the upgraded store.
      if (error instanceof AppError && existsSync(this.file(ROOT))) throw new StaleRead(error);
      throw error;
    }
  }

  /** Under the lock: completes or drops what a cut-short commit left, then checks what the next commit builds on. */
  private async openForWrite(): Promise<Snapshot> {
    let root = this.readRoot();
    const redo = this.readRedo();
    if (redo && redo.commit === (root?.commit ?? 0) + 1) {
      await this.applyRedo(redo);
      root = this.readRoot();
    }
    if (root === null) {
      await this.refuseMissingRoot(redo);
      await this.journalLog.truncateAfter(0);
      await this.auditLogFiles.truncateAfter(0);
      return new Snapshot(this, this.emptyRoot(), null, true);
    }
    this.configure(root);
    if (existsSync(this.file(SCHEMA2_STATE))) await this.removeSchema2Files();
    if (root.layout) await this.removeOldLayout();
    const journal = await this.settleLog(this.journalLog, journalCodec, root.meta.journal);
    const audit = await this.settleLog(this.auditLogFiles, auditCodec, root.meta.audit);
    if (journal !== root.meta.journal || audit !== root.meta.audit) root = await this.rewriteRoot({ ...root, meta: { ...root.meta, journal, audit } });
    return new Snapshot(this, root, null, true);
  }

  /**
   * Upgrades of a store written by an older schema, in one commit of their own before its first
   * change under this okpay (the root then names this schema, so all of them go together):
   * - index kinds it has no files of (schema 5 and older had no time-ordered indexes, schema 6 no
   *   queue groups, schema 7 no index of links, schema 8 a queue directory without the facts of
   *   first-answer places) are built from its records and journal, so the change finds what it
   *   looks for through them;
   * - a store of the layout before schema 11 (a file per mail, idempotency keys over every bucket)
   *   gets its mails packed into segments and its idempotency records moved to the buckets near
   *   their users'; the old files stay until that commit has been made, then go;
   * - a store before schema 13 has no phone-codes records (schema 13 added the kind): for them the
   *   commit only names the new schema.
   * Only a writer upgrades (issue 14): reads and verify read an older store as it is, so they
   * change nothing and work on a read-only disk.
   */
  private async upgraded(snapshot: Snapshot, compromised: () => Error | null): Promise<Snapshot> {
    const added = INDEX_KINDS.filter((kind) => currentSince(kind) > snapshot.root.schemaVersion);
    const relayout = snapshot.root.layout === undefined;
    // A store behind this schema is stamped with it even when it has nothing to rebuild (schema 13
    // only added a kind of record, which such a store holds none of).
    if (snapshot.root.commit === 0 || snapshot.root.schemaVersion >= SPLIT_SCHEMA_VERSION) return snapshot;
    const t = new SplitTransaction(this, snapshot, false);
    await t.view.rebuild(added);
    if (added.includes('journal-links')) for (const [txId, seqs] of await journalLinks(t.journal.scan())) t.view.put('journal-links', txId, seqs);
    if (relayout) for (const [key, value] of await t.view.all('idempotency')) t.view.put('idempotency', key, value);
    await this.commit(t, snapshot, compromised);
    await this.removeOldLayout();
    return new Snapshot(this, this.readRoot() ?? snapshot.root, null, true);
  }

  /** The files of the layout before schema 11, once a commit has upgraded the store (or a crash stopped their removal). */
  private async removeOldLayout(): Promise<void> {
    for (const directory of OLD_LAYOUT_DIRECTORIES.map((d) => this.file(d)).filter((d) => existsSync(d))) {
      faultPoint('remove', directory);
      await fs.rm(directory, { recursive: true, force: true });
    }
  }

  /**
   * No root: a new store, or the first commit cut short before its commit point (segments but no
   * records). Records or a redo of a later commit without a root mean the root was lost.
   */
  private async refuseMissingRoot(redo: RedoBody | null): Promise<void> {
    const manifest = readText(this.file(manifestPath('users')));
    if (manifest !== null || (redo !== null && redo.commit > 1)) throw corrupt(this.file(ROOT), 'it is missing while the store holds committed records');
  }

  private emptyRoot(): RootBody {
    return {
      schemaVersion: SPLIT_SCHEMA_VERSION,
      commit: 0,
      meta: emptyMeta(this.options.now().toISOString(), this.journalLog.segmentSize),
      counts: { users: 0 },
      layout: LAYOUT,
    };
  }

  private configure(root: RootBody): void {
    const size = root.meta.segmentSize;
    if (!Number.isSafeInteger(size) || size < 1) throw corrupt(this.file(ROOT), 'its segment size is not a positive whole number');
    if (size !== this.journalLog.segmentSize) {
      this.journalLog = new SegmentLog(this.journalLog.directory, size);
      this.auditLogFiles = new SegmentLog(this.auditLogFiles.directory, size);
    }
  }

  /**
   * Checks that the log holds, unchanged, the head entry the root names (re-hashing the entries of
   * its segment up to it), and drops entries past it: they belong to a commit that never reached
   * its commit point. Returns the head as the files now hold it.
   */
  private async settleLog<E extends ChainEntry, C>(log: SegmentLog<E>, codec: ChainCodec<E, C>, head: ChainHead): Promise<ChainHead> {
    if (head.seq > 0) {
      const file = log.fileOf(log.segmentOf(head.seq));
      const entries = await log.readSegment(log.segmentOf(head.seq));
      if (entries === null) throw corrupt(file, `it is missing, but it holds entry ${head.seq}, the last committed`);
      let prevHash: string | null = null;
      for (const e of entries) {
        if (e.seq > head.seq) break;
        const linked = prevHash === null || e.prevHash === prevHash;
        if (!linked || chainHash(e.prevHash, e.seq, e.end, codec.canonical(codec.content(e))) !== e.hash)
          throw corrupt(file, `entry ${e.seq} was changed after it was committed`);
        prevHash = e.hash;
      }
      if (prevHash !== head.hash) throw corrupt(file, `it does not hold entry ${head.seq} that the store says was committed`);
    }
    if (await log.matchesHead(head)) return head;
    const bytes = await log.truncateAfter(head.seq);
    return head.seq === 0 || bytes === head.bytes ? head : { ...head, bytes };
  }

  private async rewriteRoot(root: RootBody): Promise<RootBody> {
    await writeDurably(this.file(ROOT), seal(root));
    await fsyncDirectory(this.directory);
    return root;
  }

  // ---- committing ----------------------------------------------------------------------------

  private async commit(t: SplitTransaction, snapshot: Snapshot, compromised: () => Error | null): Promise<void> {
    const commit = snapshot.root.commit + 1;
    const journal = t.journalAppender();
    const audit = new ChainAppender(this.auditLogFiles, auditCodec, snapshot.root.meta.audit);
    for (const tx of t.takePosted()) journal.add(storedTransaction(tx));
    for (const event of t.events) audit.add(event);
    const staged: string[] = [];
    let redo: RedoBody | null = null;
    let many = false;
    try {
      if (compromised()) throw lockLost(this.directory);
      const journalHead = await journal.finish();
      const auditHead = await audit.finish();
      if (journal.count > 0) await fsyncDirectory(this.journalLog.directory);
      if (t.events.length > 0) await fsyncDirectory(this.auditLogFiles.directory);
      await t.settleCounters(journalHead, auditHead);
      const files = await this.filesOf(t, snapshot, commit);
      const directories = new Set([...files.keys()].map((f) => path.dirname(this.file(f))));
      for (const directory of directories) await ensureDirectory(directory);
      // One fsync per stage, IO_AT_ONCE at a time; a new store's first commit of MANY_FILES or more
      // (a generated store, an upgrade of a big one) writes its stages first and syncs their file system once.
      // Each file's bytes are made just before they are written and let go after: a commit of a whole
      // generated store holds a few files at a time.
      const digests = new Map<string, string>();
      many = snapshot.root.commit === 0 && files.size >= MANY_FILES;
      const stage = async ([target, make]: [string, FileText]) => {
        const bytes = await make();
        digests.set(target, digest(bytes));
        staged.push(target);
        if (many) writeNewSync(stagePath(this.file(target)), bytes);
        else await writeInPlace(stagePath(this.file(target)), bytes, true);
      };
      // Unsynced stages are written one after another on this thread (writeNewSync); synced ones wait on their fsyncs together.
      if (many) await eachInTurn(files, stage);
      else await eachAtMost(IO_AT_ONCE, files, stage);
      if (many)
        await syncAll(
          this.directory,
          staged.map((target) => stagePath(this.file(target))),
          IO_AT_ONCE,
        );
      await eachAtMost(IO_AT_ONCE, directories, fsyncDirectory);
      // The fence: the lock must still be this process's when the commit point is written.
      if (compromised()) throw lockLost(this.directory);
      redo = { commit, files: [...files.keys()].map((target) => ({ target, digest: digests.get(target) ?? '' })) };
      await writeInPlace(this.file(REDO), seal(redo));
    } catch (error) {
      // A lost lock: the segments, stages and redo may be another writer's by now; touch none of them.
      if (compromised()) throw lockLost(this.directory);
      throw await this.abandon(error, { journal, audit, staged, redoWritten: redo !== null });
    }
    await this.applyRedo(redo, true, many).catch((error: unknown) => {
      throw committedButUnfinished(this.directory, error);
    });
  }

  /**
   * The full new text of every file the commit changes: buckets, manifests, mail segments, the root
   * last. A commit that upgrades a store of the old layout writes its idempotency records and
   * mails whole in the new one.
   */
  private async filesOf(t: SplitTransaction, snapshot: Snapshot, commit: number): Promise<Map<string, FileText>> {
    const changes = await t.view.changes();
    const relayout = snapshot.root.commit > 0 && snapshot.root.layout === undefined;
    const listed = snapshot.root.commit === 0 ? BUCKETED_KINDS : kindsNewerThan(snapshot.root.schemaVersion);
    const files = await recordFiles(changes, commit, snapshot, relayout ? [...listed, 'idempotency'] : listed, new Set<Kind>(relayout ? ['idempotency'] : []));
    const layout = snapshot.root.layout ?? LAYOUT;
    for (const [target, text] of this.mailFilesOf(t, snapshot, commit, layout, relayout)) files.set(target, text);
    const counts = (changes.get('counts')?.get('counts') as Counts | undefined) ?? snapshot.root.counts;
    const root = sealedBytes({ schemaVersion: SPLIT_SCHEMA_VERSION, commit, meta: t.currentMeta, counts, layout } satisfies RootBody);
    files.set(ROOT, async () => root);
    return files;
  }

  /**
   * The mail segments that this commit's mails go into; on an upgrade from the old layout, every
   * mail sent before too, read from its .eml file.
   */
  private mailFilesOf(t: SplitTransaction, snapshot: Snapshot, commit: number, layout: FileLayout, relayout: boolean): Map<string, FileText> {
    const sent = snapshot.root.meta.mailSeq;
    const made = new Map(t.mails.map((mail) => [Number(mail.id.slice(4)), mail]));
    const lastSeq = sent + t.mails.length;
    for (let seq = sent + 1; seq <= lastSeq; seq += 1) if (!made.has(seq)) throw new Error(`the mails of a commit are not numbered ${sent + 1} to ${lastSeq}`);
    return mailFiles(
      { firstSeq: relayout ? 1 : sent + 1, lastSeq },
      commit,
      layout.mailsPerSegment,
      (segment) => snapshot.mailSegment(segment),
      async (seq) => {
        const mail = made.get(seq);
        return mail ? formatEml(mail) : this.oldMail(seq);
      },
    );
  }

  /** A mail of the layout before schema 11, read by the commit that upgrades the store (schema 2 kept them so too). */
  private async oldMail(seq: number): Promise<string> {
    const file = this.file(oldMailPath(seq));
    const text = readText(file);
    if (text === null) throw corrupt(file, 'it is missing, but the store says the mail was sent');
    return text;
  }

  /**
   * Makes a failed commit leave nothing that could be applied: the redo made invalid (if it was
   * being written), stages removed, journal and audit segments put back. A failed clean-up is
   * reported, and is harmless: without a valid redo the next writer drops the leftovers.
   */
  private async abandon(
    error: unknown,
    left: {
      journal: ChainAppender<StoredJournalEntry, Transaction | StoredTransaction>;
      audit: ChainAppender<AuditEntry, AuditEvent>;
      staged: string[];
      redoWritten: boolean;
    },
  ): Promise<unknown> {
    const failures: string[] = [];
    const attempt = async (what: string, step: () => Promise<void>) => {
      await step().catch((e: unknown) => failures.push(`${what}: ${e instanceof Error ? e.message : String(e)}`));
    };
    if (left.redoWritten) await attempt('cancelling the redo record', () => invalidate(this.file(REDO)));
    for (const target of left.staged) await attempt(`removing ${stagePath(target)}`, () => removeFile(stagePath(this.file(target))));
    await attempt('putting the journal back', () => left.journal.rollback());
    await attempt('putting the audit log back', () => left.audit.rollback());
    if (failures.length === 0) return error;
    const why = error instanceof Error ? error.message : String(error);
    return new AppError('STORE_UNAVAILABLE', `the change failed and was not applied (${why}); cleaning up after it failed too (${failures.join('; ')})`, {
      hint: 'nothing of the change will be applied; the next command that writes drops what it left once the disk allows',
    });
  }

  /**
   * Completes a commit from its redo record: every stage over its target, the root last. `many`:
   * the commit that has just staged its thousands of files renames them one after another on this
   * thread (see writeNewSync).
   */
  private async applyRedo(redo: RedoBody, stagedHere = false, many = false): Promise<void> {
    const root = redo.files.find((f) => f.target === ROOT);
    if (!root) throw corrupt(this.file(REDO), 'it does not name the new root');
    const others = redo.files.filter((f) => f !== root);
    if (stagedHere && many) await eachInTurn(others, async (f) => renameSyncOver(stagePath(this.file(f.target)), this.file(f.target)));
    else await eachAtMost(IO_AT_ONCE, others, (f) => this.putInPlace(f.target, f.digest, redo.commit, stagedHere));
    await eachAtMost(IO_AT_ONCE, new Set(others.map((f) => path.dirname(this.file(f.target)))), fsyncDirectory);
    await this.putInPlace(root.target, root.digest, redo.commit, stagedHere);
    await fsyncDirectory(this.directory);
  }

  /**
   * Moves one staged file over its target. Recovery reads the stage first (it may be torn or
   * stale); the commit that has just written and synced it knows what it holds.
   */
  private async putInPlace(target: string, expected: string, commit: number, stagedHere: boolean): Promise<void> {
    const file = this.file(target);
    const stage = stagePath(file);
    const staged = stagedHere ? null : readText(stage);
    if (stagedHere || (staged !== null && digest(staged) === expected)) {
      faultPoint('rename', file);
      await fs.rename(stage, file).catch((error: unknown) => {
        throw unavailable(file, error);
      });
      return;
    }
    const current = readText(file);
    if (current === null || digest(current) !== expected)
      throw corrupt(file, `commit ${commit} cannot be completed: its new text is neither staged nor in place`);
  }

  // ---- the upgrade from schema 2 -------------------------------------------------------------

  /**
   * A schema-2 store (state.json, no root) is upgraded in place by its first writer (reads build
   * the same version in memory). Its files stay as they are until the new root has been written
   * (the upgrade's commit point): a kill before that leaves the old store, which the next writer
   * upgrades again from the start.
   */
  private async upgradeIfOld(options: TransactionOptions): Promise<void> {
    if (existsSync(this.file(ROOT)) || !existsSync(this.file(SCHEMA2_STATE))) return;
    const lock = await this.lock(options);
    try {
      if (!existsSync(this.file(ROOT))) await this.writeUpgrade(await new Schema2Reader(this.directory).recoveredState(), () => lock.confirm());
    } finally {
      await lock.release();
    }
  }

  private async writeUpgrade(state: Schema2State, compromised: () => Error | null): Promise<void> {
    // Leftovers of an upgrade cut short: never part of any store.
    await fs.rm(this.file(RECORDS), { recursive: true, force: true });
    await fs.rm(this.file(MAILS), { recursive: true, force: true });
    const files = await this.schema2Files(state);
    for (const [target, make] of files) {
      await ensureDirectory(path.dirname(this.file(target)));
      await writeInPlace(this.file(target), await make(), true);
    }
    for (const directory of new Set([...files.keys()].map((f) => path.dirname(this.file(f))))) await fsyncDirectory(directory);
    // Later commit points rewrite this file in place and so never need a new inode.
    await writeInPlace(this.file(REDO), 'none', true);
    if (compromised()) throw lockLost(this.directory);
    await writeDurably(this.file(ROOT), seal(schema2Root(state)));
    await fsyncDirectory(this.directory);
    await this.removeSchema2Files();
    await this.removeOldLayout();
  }

  /** Every file of a schema-2 store's upgrade but the root: its records, and its mails packed into segments. */
  private async schema2Files(state: Schema2State): Promise<Map<string, FileText>> {
    const journal = new SegmentLog<StoredJournalEntry>(this.journalLog.directory, state.meta.segmentSize);
    const files = await recordFiles(
      await recordsOfState(
        state,
        await readSchema2Index(this.directory),
        await journalLinks(committedEntries(journal, state.meta.journal)),
        this.options.summarizeTicket,
      ),
      SCHEMA2_UPGRADE_COMMIT,
      null,
      BUCKETED_KINDS,
    );
    const mails = mailFiles(
      { firstSeq: 1, lastSeq: state.meta.mailSeq },
      SCHEMA2_UPGRADE_COMMIT,
      LAYOUT.mailsPerSegment,
      async () => [],
      (seq) => this.oldMail(seq),
    );
    for (const [target, make] of mails) files.set(target, make);
    return files;
  }

  /** The schema-2 files, kept as the backup until the upgrade committed. */
  private async removeSchema2Files(): Promise<void> {
    await removeFile(this.file(SCHEMA2_STATE));
    faultPoint('remove', this.file(SCHEMA2_INDEX));
    await fs.rm(this.file(SCHEMA2_INDEX), { recursive: true, force: true });
    await fsyncDirectory(this.directory);
  }
}

/** The upgrade of a schema-2 store is the split store's first commit. */
const SCHEMA2_UPGRADE_COMMIT = 1;

function schema2Root(state: Schema2State): RootBody {
  return {
    schemaVersion: SPLIT_SCHEMA_VERSION,
    commit: SCHEMA2_UPGRADE_COMMIT,
    meta: state.meta,
    counts: { users: Object.keys(state.users).length },
    layout: LAYOUT,
  };
}

function lockLost(directory: string): AppError {
  return new AppError('STORE_LOCKED', `lost the lock on the store at ${directory} before committing; nothing was changed`, {
    hint: 'another okpay took the store over while this command held it (a lock whose holder could not be seen alive); run it again',
  });
}

/** A read that met a newer commit every time it tried, up to READ_ATTEMPTS. */
function changedUnderRead(directory: string): AppError {
  return new AppError('STORE_LOCKED', `the store at ${directory} kept changing while it was read (other commands committed meanwhile); nothing was changed`, {
    hint: 'run it again when fewer commands are writing',
  });
}

function committedButUnfinished(directory: string, error: unknown): AppError {
  const why = error instanceof Error ? error.message : String(error);
  return new AppError('STORE_UNAVAILABLE', `the change was committed, but writing it into the store at ${directory} could not be finished (${why})`, {
    hint: 'the change stands and every command already sees it; the next command that writes finishes it once the disk allows',
  });
}
