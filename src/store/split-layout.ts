// The split store's files (split-file-store.ts): where each lives, what each holds, the bucket of
// a record's key, and the sealed text of the bucket and manifest files a commit's changes make.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as z from 'zod/mini';
import { AppError } from '../domain/errors.js';
import { sha256Hex } from '../domain/hashing.js';
import { checkWithSchema, problemsText } from '../domain/schema.js';
import { storeMetaSchema } from '../domain/state.js';
import { corrupt, errnoOf, unavailable } from './durable-file.js';
import { bucketCount, KINDS, KINDS_ADDED, type Kind } from './record-kinds.js';
import { countsSchema } from './record-schemas.js';
import type { Changes } from './record-view.js';
import { seal } from './sealed-file.js';

export const SPLIT_SCHEMA_VERSION = 10;
export const ROOT = 'store.json';
export const REDO = 'commit.redo';
export const RECORDS = 'records';
/** Every kind but those the root holds itself (meta, counts) lives in bucket files listed by a manifest. */
export const BUCKETED_KINDS = KINDS.filter((kind) => kind !== 'meta' && kind !== 'counts');

/** store.json: checked against this schema once its schema version is one this okpay reads. */
const rootSchema = z.readonly(z.object({ schemaVersion: z.int(), commit: z.int().check(z.positive()), meta: storeMetaSchema, counts: countsSchema }));
export type RootBody = z.infer<typeof rootSchema>;

export interface BucketBody {
  readonly kind: Kind;
  readonly bucket: string;
  readonly commit: number;
  readonly records: Record<string, unknown>;
}

export interface ManifestBody {
  readonly kind: Kind;
  readonly commit: number;
  readonly buckets: string[];
}

export interface RedoBody {
  readonly commit: number;
  /** Targets relative to the data directory, the root last, each with the digest of its new text. */
  readonly files: { readonly target: string; readonly digest: string }[];
}

export function bucketOf(kind: Kind, key: string): string {
  const count = bucketCount(kind);
  if (count === 1) return '000';
  return (parseInt(sha256Hex(key).slice(0, 4), 16) % count).toString(16).padStart(3, '0');
}

export const bucketPath = (kind: Kind, bucket: string): string => path.join(RECORDS, kind, `${bucket}.json`);
export const manifestPath = (kind: Kind): string => path.join(RECORDS, kind, 'buckets.json');
export const stagePath = (file: string): string => path.join(path.dirname(file), `.${path.basename(file)}.stage`);

export function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw unavailable(file, error);
  }
}

export function checkRoot(root: RootBody, file: string): RootBody {
  const version = root.schemaVersion;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) throw corrupt(file, 'it has no valid schemaVersion');
  if (version > SPLIT_SCHEMA_VERSION) {
    throw new AppError(
      'STORE_TOO_NEW',
      `the store at ${path.dirname(file)} was written by a newer okpay (schema ${version}; this okpay knows up to ${SPLIT_SCHEMA_VERSION})`,
      {
        hint: 'upgrade okpay to use this store; it was left untouched',
      },
    );
  }
  const checked = checkWithSchema(rootSchema, root);
  if (!checked.ok) throw corrupt(file, `it does not describe a commit: ${problemsText(checked.problems)}`);
  return root;
}

/** Where a snapshot's bucket records and manifests come from (null: a store being created). */
interface Current {
  manifest(kind: Kind): Promise<string[]>;
  bucketRecords(kind: Kind, bucket: string): Promise<Readonly<Record<string, unknown>>>;
}

/** Kinds a store of this schema has no files of yet: its first commit under this okpay lists them, empty. */
export function kindsNewerThan(schemaVersion: number): Kind[] {
  return BUCKETED_KINDS.filter((kind) => (KINDS_ADDED.get(kind) ?? 0) > schemaVersion);
}

/** A file's new text, made when it is about to be written: a huge commit then holds a few texts at a time, not all. */
export type FileText = () => Promise<string>;

/** The sealed text of every bucket and manifest that the changes touch, and of the manifests `listed` (empty unless touched). */
export async function recordFiles(changes: Changes, commit: number, current: Current | null, listed: readonly Kind[]): Promise<Map<string, FileText>> {
  const files = new Map<string, FileText>();
  const sealed =
    (body: ManifestBody): FileText =>
    async () =>
      seal(body);
  for (const [kind, written] of changes) {
    if (kind === 'meta' || kind === 'counts') continue;
    const byBucket = new Map<string, [string, unknown][]>();
    for (const entry of written) {
      const bucket = bucketOf(kind, entry[0]);
      const entries = byBucket.get(bucket);
      if (entries) entries.push(entry);
      else byBucket.set(bucket, [entry]);
    }
    const manifest = (await current?.manifest(kind)) ?? [];
    const buckets = new Set(manifest);
    for (const [bucket, entries] of byBucket) {
      files.set(bucketPath(kind, bucket), async () => {
        const records = { ...((await current?.bucketRecords(kind, bucket)) ?? {}) };
        for (const [key, value] of entries) {
          if (value === null) delete records[key];
          else records[key] = value;
        }
        return seal({ kind, bucket, commit, records } satisfies BucketBody);
      });
      buckets.add(bucket);
    }
    if (buckets.size !== manifest.length) files.set(manifestPath(kind), sealed({ kind, commit, buckets: [...buckets].sort() }));
  }
  for (const kind of listed) if (!files.has(manifestPath(kind))) files.set(manifestPath(kind), sealed({ kind, commit, buckets: [] }));
  return files;
}
