// What end-to-end tests see of the file store's files: the root (store.json), the records of a
// kind across its bucket files, and a way to change one record the way an attacker with a shell
// would (the bucket re-sealed, so its own digest still matches and only the books can tell).

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DIRECTORY_KEY, KINDS_ADDED } from '../../src/store/record-kinds.js';
import { bucketOf, bucketPath } from '../../src/store/split-layout.js';

interface Sealed<B> {
  readonly digest: string;
  readonly body: B;
}

interface Bucket {
  readonly records: Record<string, unknown>;
}

function unsealed<B>(file: string): B {
  return (JSON.parse(readFileSync(file, 'utf8')) as Sealed<B>).body;
}

function sealText(body: unknown): string {
  const text = JSON.stringify(body);
  return `{"digest":"${createHash('sha256').update(text).digest('hex')}","body":${text}}`;
}

function bucketFiles(home: string, kind: string): string[] {
  const directory = path.join(home, 'records', kind);
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => /^[0-9a-f]{3}\.json$/.test(name))
    .map((name) => path.join(directory, name));
}

export function storeRoot<M = Record<string, unknown>>(home: string): { schemaVersion: number; commit: number; meta: M } {
  return unsealed(path.join(home, 'store.json'));
}

/** Every record of one kind (users, balances, …), by key. */
export function storeRecords<T = unknown>(home: string, kind: string): Map<string, T> {
  const records = new Map<string, T>();
  for (const file of bucketFiles(home, kind)) for (const [key, value] of Object.entries(unsealed<Bucket>(file).records)) records.set(key, value as T);
  return records;
}

/**
 * Rewrites one record in place and re-seals its bucket file, as someone editing the files would.
 * Returns a function that puts the file back as it was.
 */
export function forgeRecord<T>(home: string, kind: string, key: string, change: (record: T) => T): () => void {
  for (const file of bucketFiles(home, kind)) {
    const original = readFileSync(file);
    const body = unsealed<Bucket & Record<string, unknown>>(file);
    if (!Object.hasOwn(body.records, key)) continue;
    writeFileSync(file, sealText({ ...body, records: { ...body.records, [key]: change(body.records[key] as T) } }));
    return () => writeFileSync(file, original);
  }
  throw new Error(`no ${kind} record ${key} in ${home}`);
}

/**
 * Turns a store as this okpay writes it into one as schema 9 wrote it: every queue group's facts in
 * the one directory record, no record per shape, and the root saying schema 9.
 */
export function asSchema9(home: string): void {
  const groups = Object.assign({}, ...storeRecords<Record<string, unknown>>(home, 'queue-days').values()) as Record<string, unknown>;
  const directory = path.join(home, bucketPath('queue-directory', bucketOf('queue-directory', DIRECTORY_KEY)));
  writeFileSync(directory, sealText({ ...unsealed<Bucket>(directory), records: { [DIRECTORY_KEY]: groups } }));
  // And no index added since (schema 12's addresses by user id).
  for (const [kind, since] of KINDS_ADDED) if (since > 9) rmSync(path.join(home, 'records', kind), { recursive: true, force: true });
  const root = path.join(home, 'store.json');
  writeFileSync(root, sealText({ ...unsealed<Record<string, unknown>>(root), schemaVersion: 9 }));
}

/** The id of the user with this email, read from the user records. */
export function userIdOf(home: string, email: string): string {
  for (const [id, user] of storeRecords<{ email: string }>(home, 'users')) if (user.email === email) return id;
  throw new Error(`no user ${email} in ${home}`);
}

/** Every file of the store (not the session or the lock), for "nothing changed" and "never written" checks. */
export function storeFiles(home: string): string[] {
  const found: string[] = [];
  const walk = (directory: string) => {
    for (const name of readdirSync(directory).sort()) {
      const file = path.join(directory, name);
      if (name === 'session' || name.endsWith('.lock')) continue;
      if (statSync(file).isDirectory()) walk(file);
      else found.push(file);
    }
  };
  walk(home);
  return found;
}

/** One digest of every store file's name and bytes. */
export function storeDigest(home: string): string {
  const hash = createHash('sha256');
  for (const file of storeFiles(home)) hash.update(path.relative(home, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/** The .eml text of every mail the store sent, oldest first, from its segments of mails (mails/<segment>.json). */
export function storeMailTexts(home: string): string[] {
  const directory = path.join(home, 'mails');
  if (!existsSync(path.join(home, 'store.json')) || !existsSync(directory)) return [];
  const { mailSeq } = storeRoot<{ mailSeq: number }>(home).meta;
  return readdirSync(directory)
    .filter((name) => /^[0-9]{8}\.json$/.test(name))
    .sort()
    .flatMap((name) => unsealed<{ mails: string[] }>(path.join(directory, name)).mails)
    .slice(0, mailSeq);
}
