// Files that carry a digest of themselves: {"digest":"<sha256 of the body's text>","body":…}.
// Reading one re-hashes the exact bytes of its body, so any edit (same size or not, a swap of two
// entries) is refused as damage before a single record is believed.

import { sha256Hex } from '../domain/hashing.js';
import { corrupt } from './durable-file.js';

const HEAD = '{"digest":"';
const MIDDLE = '","body":';
const DIGEST_LENGTH = 64;

/** The digest a sealed file carries: the SHA-256 of its body's text (or of those UTF-8 bytes). */
export function digest(text: string | Uint8Array): string {
  return sha256Hex(text);
}

/** A sealed file's text (sealedBytes as a string). */
export function seal(body: unknown): string {
  return sealedBytes(body).toString('utf8');
}

/**
 * A sealed file's UTF-8 bytes, the body's text encoded once, straight into place: a commit's large
 * files (a mail segment is 250 mails) were flattened and encoded three times over (its digest, the
 * whole text's digest for the redo record, the write), and each copy of that size is new memory.
 */
export function sealedBytes(body: unknown): Buffer {
  return sealedJson(JSON.stringify(body));
}

/** sealedBytes of a body whose JSON text the caller has made (it must be what JSON.stringify gives). */
export function sealedJson(text: string): Buffer {
  const start = HEAD.length + DIGEST_LENGTH + MIDDLE.length;
  const length = Buffer.byteLength(text);
  const bytes = Buffer.allocUnsafe(start + length + 1);
  bytes.write(HEAD, 0, 'latin1');
  bytes.write(MIDDLE, HEAD.length + DIGEST_LENGTH, 'latin1');
  bytes.write(text, start, 'utf8');
  bytes.write('}', start + length, 'latin1');
  bytes.write(digest(bytes.subarray(start, start + length)), HEAD.length, 'latin1');
  return bytes;
}

/** The digest a sealed text carries (the sha256 of its body's text). */
export function digestOf(sealed: string): string {
  return sealed.slice(HEAD.length, HEAD.length + DIGEST_LENGTH);
}

export function unseal<T>(text: string, file: string): T {
  const bodyStart = HEAD.length + DIGEST_LENGTH + MIDDLE.length;
  if (!text.startsWith(HEAD) || text.slice(HEAD.length + DIGEST_LENGTH, bodyStart) !== MIDDLE || !text.endsWith('}')) {
    throw corrupt(file, 'it is not a sealed okpay file (its digest is missing)');
  }
  const body = text.slice(bodyStart, -1);
  if (digest(body) !== digestOf(text)) throw corrupt(file, 'its content does not match its digest (it was changed outside okpay)');
  try {
    return JSON.parse(body) as T;
  } catch {
    throw corrupt(file, 'it is not valid JSON');
  }
}
