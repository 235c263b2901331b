// What a read or a commit of the split store sees: one committed version, every file it reads
// checked against that version.

import { AppError } from '../domain/errors.js';
import { corrupt } from './durable-file.js';
import { currentSince, KINDS_ADDED, type IndexKind, type Kind } from './record-kinds.js';
import { META_KEY } from './record-transaction.js';
import type { RecordSource } from './record-view.js';
import { digest, unseal } from './sealed-file.js';
import {
  bucketOf,
  bucketPath,
  checkRoot,
  mailSegmentPath,
  manifestPath,
  oldMailPath,
  readText,
  ROOT,
  SPLIT_SCHEMA_VERSION,
  stagePath,
  type BucketBody,
  type MailSegmentBody,
  type ManifestBody,
  type RootBody,
} from './split-layout.js';

/** Where a snapshot finds the store's files (the store, passed in so that this module does not import it back). */
export interface StoreFiles {
  file(relative: string): string;
}

const NO_RECORDS: Readonly<Record<string, unknown>> = Object.freeze({});

/** A file met during a read was written by a later commit: start the read again. */
export class StaleRead extends Error {
  constructor(readonly damage: AppError) {
    super(damage.message);
  }
}

/** What a snapshot keeps of what it has read of its version. */
interface Kept {
  readonly buckets: Map<string, Record<string, unknown>>;
  readonly manifests: Map<Kind, string[]>;
  readonly mails: Map<number, string[]>;
}

/**
 * One committed version of the store: the root, with a pending redo laid over it when there is
 * one. Every file read is checked against that version; for a writer (under the lock) a mismatch is
 * damage, for a reader it may be a later commit, and the read starts again.
 */
export class Snapshot implements RecordSource {
  private readonly buckets: Map<string, Record<string, unknown>>;
  private readonly manifests: Map<Kind, string[]>;
  private readonly mails: Map<number, string[]>;

  constructor(
    private readonly store: StoreFiles,
    readonly root: RootBody,
    readonly overlay: ReadonlyMap<string, string> | null,
    private readonly locked: boolean,
    /**
     * A version that exists only in memory: the texts of its record files and mail segments, by
     * path (a schema-2 store read as its upgrade would write it, which only a writer does). Its
     * journal, audit log and old outbox are read from the files as they are.
     */
    readonly memory: ReadonlyMap<string, string> | null = null,
    private readonly kept: Kept = { buckets: new Map(), manifests: new Map(), mails: new Map() },
  ) {
    ({ buckets: this.buckets, manifests: this.manifests, mails: this.mails } = kept);
  }

  withRoot(root: RootBody | null): Snapshot {
    if (root === null) throw this.mismatch(corrupt(this.store.file(ROOT), 'the pending commit has no root'));
    return new Snapshot(this.store, checkRoot(root, this.store.file(ROOT)), this.overlay, this.locked, this.memory);
  }

  /**
   * The same version, read strictly: every mismatch is damage (verify's reading). What either reads
   * of the version is the same, so they share what they keep (okpay verify's read of the balances
   * finds the buckets its check of the files kept).
   */
  strict(): Snapshot {
    return new Snapshot(this.store, this.root, this.overlay, true, this.memory, this.kept);
  }

  /**
   * Of an older layout or schema than this okpay writes: its next writer upgrades it. A read leaves
   * it as it is, and so does a best-effort write (a session's last use), which would upgrade it.
   */
  get outdated(): boolean {
    return this.memory !== null || (this.root.commit > 0 && (this.root.layout === undefined || this.root.schemaVersion < SPLIT_SCHEMA_VERSION));
  }

  keeps(kind: IndexKind): boolean {
    return this.root.commit === 0 || currentSince(kind) <= this.root.schemaVersion;
  }

  async get(kind: Kind, key: string): Promise<unknown> {
    if (kind === 'meta') return key === META_KEY ? this.root.meta : undefined;
    if (kind === 'counts') return this.root.counts;
    if (this.root.commit === 0 && this.overlay === null) return undefined;
    const records = await this.bucketRecords(kind, bucketOf(kind, key, this.root.layout ?? null));
    // Own keys only: a key such as `constructor` is a record's or nothing, never Object's.
    return Object.hasOwn(records, key) ? records[key] : undefined;
  }

  /** A bucket at a time, none of them kept (a scan of a whole kind, `store copy`'s of a whole store, would hold it all). */
  async *scan(kind: Kind): AsyncGenerator<(readonly [string, unknown])[]> {
    for (const bucket of await this.manifest(kind)) yield Object.entries(await this.bucketRecords(kind, bucket, false));
  }

  async manifest(kind: Kind): Promise<string[]> {
    const cached = this.manifests.get(kind);
    if (cached) return cached;
    if (this.root.commit === 0) return [];
    const relative = manifestPath(kind, this.root.layout ?? null);
    const file = this.store.file(relative);
    const body = await this.sealed<ManifestBody>(relative);
    if (body === null && (KINDS_ADDED.get(kind) ?? 0) > this.root.schemaVersion) return [];
    if (body === null) throw this.mismatch(corrupt(file, 'it is missing (the list of the record files of its kind)'));
    if (body.kind !== kind || !Array.isArray(body.buckets)) throw this.mismatch(corrupt(file, `it is not the list of ${kind} files`));
    this.manifests.set(kind, body.buckets);
    return body.buckets;
  }

  async bucketRecords(kind: Kind, bucket: string, keep = true): Promise<Readonly<Record<string, unknown>>> {
    const relative = bucketPath(kind, bucket, this.root.layout ?? null);
    const cached = this.buckets.get(relative);
    if (cached) return cached;
    // A store being created has no record files yet: nothing to read (a generated store asks for thousands).
    if (this.root.commit === 0 && this.overlay === null) return NO_RECORDS;
    const body = await this.sealed<BucketBody>(relative);
    let records: Record<string, unknown>;
    if (body === null) {
      if ((await this.manifest(kind)).includes(bucket)) throw this.mismatch(corrupt(this.store.file(relative), 'it is missing'));
      records = {};
    } else {
      if (body.kind !== kind || body.bucket !== bucket || body.records === null || typeof body.records !== 'object')
        throw this.mismatch(corrupt(this.store.file(relative), `it is not ${kind} bucket ${bucket}`));
      records = body.records;
    }
    if (keep) this.buckets.set(relative, records);
    return records;
  }

  /**
   * The .eml text of mail `seq` as of this version (undefined when its file does not hold it), and
   * that file: its segment, or, in a store of the layout before schema 11 or of schema 2 (read as
   * it is until a writer upgrades it), its own file in outbox/.
   */
  async mailText(seq: number): Promise<{ raw: string | undefined; file: string }> {
    const layout = this.root.layout;
    if (layout === undefined) {
      const file = this.store.file(oldMailPath(seq));
      const raw = this.textOf(oldMailPath(seq));
      // Missing: damage, or the upgrade committed since this version was read and removed outbox/.
      if (raw === null) throw this.mismatch(corrupt(file, 'it is missing, but the store says the mail was sent'));
      return { raw, file };
    }
    const segment = Math.floor((seq - 1) / layout.mailsPerSegment);
    const raw = (await this.mailSegment(segment))[(seq - 1) % layout.mailsPerSegment];
    // A version in memory packed its mails from their own files, which are where they are on disk.
    return { raw, file: this.store.file(this.memory ? oldMailPath(seq) : mailSegmentPath(segment)) };
  }

  /** A file's text as of this version (a pending commit's may still be staged), or null when it does not exist. */
  textOf(relative: string): string | null {
    const held = this.memory?.get(relative);
    if (held !== undefined) return held;
    const file = this.store.file(relative);
    const text = this.overlay?.has(relative) ? (readText(stagePath(file)) ?? readText(file)) : readText(file);
    const expected = this.overlay?.get(relative);
    if (text !== null && expected !== undefined && digest(text) !== expected)
      throw this.mismatch(corrupt(file, 'it does not hold what the pending commit wrote'));
    return text;
  }

  /** The .eml texts of one segment of mails as of this version; a segment the version holds mails of must exist. */
  async mailSegment(segment: number, keep = true): Promise<string[]> {
    const relative = mailSegmentPath(segment);
    const cached = this.mails.get(segment);
    if (cached) return cached;
    const body = await this.sealed<MailSegmentBody>(relative);
    const file = this.store.file(relative);
    if (body === null) throw this.mismatch(corrupt(file, 'it is missing, but the store says its mails were sent'));
    if (body.kind !== 'mails' || body.segment !== segment || !Array.isArray(body.mails) || !body.mails.every((mail) => typeof mail === 'string'))
      throw this.mismatch(corrupt(file, `it is not segment ${segment} of the mails`));
    if (keep) this.mails.set(segment, body.mails);
    return body.mails;
  }

  /** A sealed file as of this version, or null when it does not exist. */
  async sealed<T extends { commit: number }>(relative: string): Promise<T | null> {
    const file = this.store.file(relative);
    const expected = this.overlay?.get(relative);
    if (expected !== undefined) {
      const text = readText(stagePath(file)) ?? readText(file);
      if (text === null || digest(text) !== expected) throw this.mismatch(corrupt(file, 'it does not hold what the pending commit wrote'));
      return unseal<T>(text, file);
    }
    // A version in memory has no record files on disk (any there are the leftovers of an upgrade cut short).
    const text = this.memory ? (this.memory.get(relative) ?? null) : readText(file);
    if (text === null) return null;
    const body = this.checked(() => unseal<T>(text, file));
    if (!Number.isSafeInteger(body.commit) || body.commit > this.root.commit)
      throw this.mismatch(corrupt(file, `it was written by commit ${body.commit}, after the last committed (${this.root.commit})`));
    return body;
  }

  /** Damage, unless a reader raced a commit: then the read starts again, and only a lasting mismatch is damage. */
  private checked<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw error instanceof AppError ? this.mismatch(error) : error;
    }
  }

  private mismatch(error: AppError): Error {
    return this.locked ? error : new StaleRead(error);
  }
}
