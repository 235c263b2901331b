// What a read or a commit of the split store sees: one committed version, every file it reads
// checked against that version.

import { AppError } from '../domain/errors.js';
import { corrupt } from './durable-file.js';
import { currentSince, KINDS_ADDED, type IndexKind, type Kind } from './record-kinds.js';
import { META_KEY } from './record-transaction.js';
import type { RecordSource } from './record-view.js';
import { digest, unseal } from './sealed-file.js';
import { bucketOf, bucketPath, checkRoot, manifestPath, readText, ROOT, stagePath, type BucketBody, type ManifestBody, type RootBody } from './split-layout.js';

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

/**
 * One committed version of the store: the root, with a pending redo laid over it when there is
 * one. Every file read is checked against that version; for a writer (under the lock) a mismatch is
 * damage, for a reader it may be a later commit, and the read starts again.
 */
export class Snapshot implements RecordSource {
  private readonly buckets = new Map<string, Record<string, unknown>>();
  private readonly manifests = new Map<Kind, string[]>();

  constructor(
    private readonly store: StoreFiles,
    readonly root: RootBody,
    readonly overlay: ReadonlyMap<string, string> | null,
    private readonly locked: boolean,
  ) {}

  withRoot(root: RootBody | null): Snapshot {
    if (root === null) throw this.mismatch(corrupt(this.store.file(ROOT), 'the pending commit has no root'));
    return new Snapshot(this.store, checkRoot(root, this.store.file(ROOT)), this.overlay, this.locked);
  }

  keeps(kind: IndexKind): boolean {
    return this.root.commit === 0 || currentSince(kind) <= this.root.schemaVersion;
  }

  async get(kind: Kind, key: string): Promise<unknown> {
    if (kind === 'meta') return key === META_KEY ? this.root.meta : undefined;
    if (kind === 'counts') return this.root.counts;
    if (this.root.commit === 0 && this.overlay === null) return undefined;
    return (await this.bucketRecords(kind, bucketOf(kind, key)))[key];
  }

  async *scan(kind: Kind): AsyncGenerator<(readonly [string, unknown])[]> {
    for (const bucket of await this.manifest(kind)) yield Object.entries(await this.bucketRecords(kind, bucket));
  }

  async manifest(kind: Kind): Promise<string[]> {
    const cached = this.manifests.get(kind);
    if (cached) return cached;
    if (this.root.commit === 0) return [];
    const file = this.store.file(manifestPath(kind));
    const body = await this.sealed<ManifestBody>(manifestPath(kind));
    if (body === null && (KINDS_ADDED.get(kind) ?? 0) > this.root.schemaVersion) return [];
    if (body === null) throw this.mismatch(corrupt(file, 'it is missing (the list of the record files of its kind)'));
    if (body.kind !== kind || !Array.isArray(body.buckets)) throw this.mismatch(corrupt(file, `it is not the list of ${kind} files`));
    this.manifests.set(kind, body.buckets);
    return body.buckets;
  }

  async bucketRecords(kind: Kind, bucket: string): Promise<Readonly<Record<string, unknown>>> {
    const relative = bucketPath(kind, bucket);
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
    this.buckets.set(relative, records);
    return records;
  }

  /** A file's text as of this version (a pending commit's may still be staged), or null when it does not exist. */
  textOf(relative: string): string | null {
    const file = this.store.file(relative);
    const text = this.overlay?.has(relative) ? (readText(stagePath(file)) ?? readText(file)) : readText(file);
    const expected = this.overlay?.get(relative);
    if (text !== null && expected !== undefined && digest(text) !== expected)
      throw this.mismatch(corrupt(file, 'it does not hold what the pending commit wrote'));
    return text;
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
    const text = readText(file);
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
