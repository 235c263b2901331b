// The split store's files (split-file-store.ts): where each lives, what each holds, the bucket of
// a record's key, and the sealed text of the bucket and manifest files a commit's changes make.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { AppError } from '../domain/errors.js';
import { isIndex, sha256Hex } from '../domain/hashing.js';
import { checkWithSchema, int, object, problemsText, readonly } from '../domain/schema.js';
import { storeMetaSchema } from '../domain/state.js';
import { corrupt, errnoOf, unavailable } from './durable-file.js';
import { bucketCount, KINDS, KINDS_ADDED, type Kind } from './record-kinds.js';
import { countsSchema } from './record-schemas.js';
import { mailIdForSeq } from './record-transaction.js';
import type { Changes } from './record-view.js';
import { sealedBytes, sealedJson, unseal } from './sealed-file.js';

export const SPLIT_SCHEMA_VERSION = 13;
export const ROOT = 'store.json';
export const REDO = 'commit.redo';
export const RECORDS = 'records';
/** Every kind but those the root holds itself (meta, counts) lives in bucket files listed by a manifest. */
export const BUCKETED_KINDS = KINDS.filter((kind) => kind !== 'meta' && kind !== 'counts');

export const MAILS = 'mails';

/**
 * Where mails and idempotency records lie, named by the root since schema 11 (a store without it
 * has the layout of schema 10 and before: a file per mail, `outbox/msg_N.eml`, and idempotency
 * records hashed by their whole key over every bucket; its readers read it as it is, and its first
 * writer upgrades it).
 * - Mails: `mailsPerSegment` of them to a sealed file, `mails/<segment>.json`, in the order of
 *   their numbers, so a mail's file follows from its id and a commit rewrites the open segment.
 * - Idempotency records: a user's keys spread over `keyBucketsPerUser` neighbouring buckets
 *   (from one given by the user id), so that a batch of 10,000 rows by one payer rewrites at most
 *   that many bucket files, not thousands; the 4096 buckets stay shared by all users.
 */
const layoutSchema = readonly(object({ mailsPerSegment: v.pipe(int(), v.gtValue(0)), keyBucketsPerUser: v.pipe(int(), v.gtValue(0)) }));
export type FileLayout = v.InferOutput<typeof layoutSchema>;
export const LAYOUT: FileLayout = { mailsPerSegment: 250, keyBucketsPerUser: 64 };
/** Idempotency records of this layout live in a directory of their own, so an upgrade never mixes the two hashings. */
const KIND_DIRECTORY: Partial<Record<Kind, string>> = { idempotency: 'idempotency-by-user' };
export const OLD_OUTBOX = 'outbox';
/** The directories of the layout before schema 11 that an upgrade replaces, removed once it has committed. */
export const OLD_LAYOUT_DIRECTORIES = [OLD_OUTBOX, path.join(RECORDS, 'idempotency')];

/** store.json: checked against this schema once its schema version is one this okpay reads. */
const rootSchema = readonly(
  object({
    schemaVersion: int(),
    commit: v.pipe(int(), v.gtValue(0)),
    meta: storeMetaSchema,
    counts: countsSchema,
    layout: v.optional(layoutSchema),
  }),
);
export type RootBody = v.InferOutput<typeof rootSchema>;

export interface BucketBody {
  readonly kind: Kind;
  readonly bucket: string;
  readonly commit: number;
  readonly records: Record<string, unknown>;
}

/** A segment of mails: the .eml text of mails segment × mailsPerSegment + 1 onwards, in order. */
export interface MailSegmentBody {
  readonly kind: 'mails';
  readonly segment: number;
  readonly commit: number;
  readonly mails: string[];
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

/** A record's bucket (`layout` null: the layout before schema 11): its key hashed over its kind's buckets; in the layout since schema 11, an idempotency key near its user's. */
export function bucketOf(kind: Kind, key: string, layout: FileLayout | null = LAYOUT): string {
  const count = bucketCount(kind);
  if (count === 1) return '000';
  const hashed = (text: string) => parseInt(sha256Hex(text).slice(0, 4), 16);
  const split = kind === 'idempotency' && layout ? key.indexOf(':') : -1;
  const bucket = split < 0 ? hashed(key) % count : (hashed(key.slice(0, split)) + (hashed(key.slice(split + 1)) % layout!.keyBucketsPerUser)) % count;
  return bucket.toString(16).padStart(3, '0');
}

const kindDirectory = (kind: Kind, layout: FileLayout | null): string => path.join(RECORDS, (layout && KIND_DIRECTORY[kind]) || kind);
export const bucketPath = (kind: Kind, bucket: string, layout: FileLayout | null = LAYOUT): string => path.join(kindDirectory(kind, layout), `${bucket}.json`);
export const manifestPath = (kind: Kind, layout: FileLayout | null = LAYOUT): string => path.join(kindDirectory(kind, layout), 'buckets.json');
export const mailSegmentPath = (segment: number): string => path.join(MAILS, `${segment.toString().padStart(8, '0')}.json`);
/** A mail of the layout before schema 11 (and of schema 2): its own .eml file in outbox/. */
export const oldMailPath = (seq: number): string => path.join(OLD_OUTBOX, `${mailIdForSeq(seq)}.eml`);
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

/** The schema a data directory's store is in, as its root says (2: a schema-2 store's state.json; 0: no store yet). */
export function storedSchemaVersion(directory: string): number {
  const file = path.join(directory, ROOT);
  const text = readText(file);
  if (text !== null) return checkRoot(unseal<RootBody>(text, file), file).schemaVersion;
  return existsSync(path.join(directory, 'state.json')) ? 2 : 0;
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

/** A file's new bytes, made when it is about to be written: a huge commit then holds a few files at a time, not all. */
export type FileText = () => Promise<Buffer>;

/**
 * The sealed text of every bucket and manifest that the changes touch, and of the manifests `listed`
 * (empty unless touched). Kinds in `whole` are written from the changes alone, as a new set of files
 * (an upgrade that moves every record of a kind to new buckets).
 */
export async function recordFiles(
  changes: Changes,
  commit: number,
  current: Current | null,
  listed: readonly Kind[],
  whole: ReadonlySet<Kind> = new Set(),
): Promise<Map<string, FileText>> {
  const files = new Map<string, FileText>();
  const sealed =
    (body: ManifestBody): FileText =>
    async () =>
      sealedBytes(body);
  for (const [kind, written] of changes) {
    if (kind === 'meta' || kind === 'counts') continue;
    // Each bucket's keys and values in two lists, not a [key, value] pair per record: a generated
    // store's commit holds millions of them until their files are made, and each pair outlived
    // the young generation.
    const byBucket = new Map<string, { keys: string[]; values: unknown[] }>();
    for (const [key, value] of written) {
      const bucket = bucketOf(kind, key);
      const entries = byBucket.get(bucket);
      if (entries) {
        entries.keys.push(key);
        entries.values.push(value);
      } else byBucket.set(bucket, { keys: [key], values: [value] });
    }
    const from = whole.has(kind) ? null : current;
    const manifest = (await from?.manifest(kind)) ?? [];
    const buckets = new Set(manifest);
    for (const [bucket, entries] of byBucket) {
      files.set(bucketPath(kind, bucket), async () => {
        const records = new Map(Object.entries((await from?.bucketRecords(kind, bucket)) ?? {}));
        const { keys, values } = entries;
        for (let i = 0; i < keys.length; i += 1) {
          const key = keys[i] as string;
          const value = values[i];
          if (value === null) records.delete(key);
          else records.set(key, value);
        }
        return sealedJson(bucketJson(kind, bucket, commit, records));
      });
      buckets.add(bucket);
    }
    if (buckets.size !== manifest.length || from !== current) files.set(manifestPath(kind), sealed({ kind, commit, buckets: [...buckets].sort() }));
  }
  for (const kind of listed) if (!files.has(manifestPath(kind))) files.set(manifestPath(kind), sealed({ kind, commit, buckets: [] }));
  return files;
}

/**
 * JSON.stringify of a BucketBody whose records are these, made without the records' object: an
 * object that is given a bucket's keys one at a time takes a new hidden class for each (a bucket's
 * keys are ids of its own, so no two buckets share them), and a generated store's commit built
 * tens of thousands of such chains. The records go in the order the object would list them: array
 * indexes first by number, then the other keys in the order they were added (a Map's order, where
 * setting a key again keeps its place).
 */
export function bucketJson(kind: Kind, bucket: string, commit: number, records: ReadonlyMap<string, unknown>): string {
  const indexes: string[] = [];
  const parts: string[] = [];
  for (const [key, value] of records) {
    if (isIndex(key)) indexes.push(key);
    else pushMember(parts, key, value);
  }
  if (indexes.length > 0) {
    const named = parts.splice(0);
    for (const key of indexes.sort((a, b) => Number(a) - Number(b))) pushMember(parts, key, records.get(key));
    parts.push(...named);
  }
  return `{"kind":${JSON.stringify(kind)},"bucket":${JSON.stringify(bucket)},"commit":${JSON.stringify(commit)},"records":{${parts.join(',')}}}`;
}

/** One member of an object's JSON, as JSON.stringify writes it (a value it leaves out, such as undefined, is left out). */
function pushMember(parts: string[], key: string, value: unknown): void {
  const text = JSON.stringify(value) as string | undefined;
  if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
}

/**
 * The sealed text of each mail segment that mails `firstSeq` to `lastSeq` go into: the open
 * segment's mails as committed (`committed`, for the segment holding `firstSeq`), then the new ones,
 * each made by `text` when its segment is written.
 */
export function mailFiles(
  range: { readonly firstSeq: number; readonly lastSeq: number },
  commit: number,
  perSegment: number,
  committed: (segment: number) => Promise<string[]>,
  text: (seq: number) => Promise<string>,
): Map<string, FileText> {
  const files = new Map<string, FileText>();
  const { firstSeq, lastSeq } = range;
  const segmentOf = (seq: number) => Math.floor((seq - 1) / perSegment);
  for (let segment = segmentOf(firstSeq); firstSeq <= lastSeq && segment <= segmentOf(lastSeq); segment += 1) {
    const from = Math.max(firstSeq, segment * perSegment + 1);
    const to = Math.min(lastSeq, (segment + 1) * perSegment);
    files.set(mailSegmentPath(segment), async () => {
      const mails = from > segment * perSegment + 1 ? [...(await committed(segment))] : [];
      if (mails.length !== from - segment * perSegment - 1)
        throw corrupt(mailSegmentPath(segment), `it holds ${mails.length} mails where the store sent ${from - 1 - segment * perSegment} into it`);
      for (let seq = from; seq <= to; seq += 1) mails.push(await text(seq));
      return sealedBytes({ kind: 'mails', segment, commit, mails } satisfies MailSegmentBody);
    });
  }
  return files;
}
