// Hashing: canonical JSON (one byte string per value), the hash that chains journal and audit
// entries so that an edit to a stored entry shows, and the SHA-256 of a text (tokens, fingerprints).

import { hash } from 'node:crypto';

/** JSON with object keys sorted at every level: one byte string per value. */
export function canonicalJson(value: unknown): string {
  const text = canonical(value);
  if (text === undefined) throw new Error('canonicalJson: the value cannot be written as JSON');
  return text;
}

/**
 * JSON.stringify with object keys in sorted order, written straight to text (no sorted copies):
 * the same bytes as JSON.stringify(sortKeys(value)), at a fraction of the allocation.
 */
function canonical(value: unknown): string | undefined {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => canonical(item) ?? 'null').join(',')}]`;
      const record = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of sortedKeys(record)) {
        const text = canonical(record[key]);
        if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return undefined;
  }
}

const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;

/** Whether a key is an array index: an object lists such keys first, in numeric order, before its other keys in the order they were added. */
export const isIndex = (key: string): boolean => ARRAY_INDEX.test(key) && Number(key) < 4294967295;

/**
 * Sorted keys in the order a JavaScript object keeps them: array-index keys first, by number.
 * An object lists its array-index keys before all others, so only its first keys are tested.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  let indexes = 0;
  while (indexes < keys.length && isIndex(keys[indexes] as string)) indexes += 1;
  if (indexes === 0) return keys.sort();
  return [...keys.slice(0, indexes).sort((a, b) => Number(a) - Number(b)), ...keys.slice(indexes).sort()];
}

/**
 * The text a chained entry's hash covers: its content as compact JSON, exactly as stored. okpay
 * writes every entry itself and JSON.parse keeps key order, so re-serialising what was read gives
 * the same bytes — any edit to a stored entry, even a reordering, changes them.
 */
export function entryContentText(content: unknown): string {
  return JSON.stringify(content);
}

/** Where chainHash lays out the bytes it hashes; grows to the largest entry seen. */
let chainScratch = Buffer.allocUnsafe(8192);

/**
 * The hash of a chained entry covers the previous hash, its position, its end mark and its content.
 * The bytes are laid out in one buffer and hashed in one call (crypto.hash): a Hash object per
 * entry costs about a microsecond more, which `verify` pays a million times.
 */
export function chainHash(prevHash: string, seq: number, end: boolean, canonicalContent: string | Uint8Array): string {
  return chainHashLaidOut(prevHash, seq, end, canonicalContent).hash;
}

/**
 * chainHash, with the content's UTF-8 bytes as it laid them out to hash them (a view of a scratch
 * buffer, valid until the next call): a writer copies them into its file instead of encoding the
 * text a second time.
 */
export function chainHashLaidOut(prevHash: string, seq: number, end: boolean, canonicalContent: string | Uint8Array): { hash: string; content: Uint8Array } {
  const header = `${prevHash}\n${seq}\n${end ? 1 : 0}\n`;
  // A UTF-16 code unit takes at most 3 bytes in UTF-8: room enough without measuring the texts first.
  const room = header.length * 3 + (typeof canonicalContent === 'string' ? canonicalContent.length * 3 : canonicalContent.length);
  if (room > chainScratch.length) chainScratch = Buffer.allocUnsafe(Math.max(room, chainScratch.length * 2));
  const headerBytes = chainScratch.write(header, 0, 'utf8');
  const contentBytes =
    typeof canonicalContent === 'string'
      ? chainScratch.write(canonicalContent, headerBytes, 'utf8')
      : (chainScratch.set(canonicalContent, headerBytes), canonicalContent.length);
  const size = headerBytes + contentBytes;
  return { hash: hash('sha256', chainScratch.subarray(0, size), 'hex'), content: chainScratch.subarray(headerBytes, size) };
}

/** The SHA-256 of a text's UTF-8 bytes (or of bytes), as 64 lowercase hex digits. */
export function sha256Hex(text: string | Uint8Array): string {
  return hash('sha256', text, 'hex');
}
