// Ids, bearer tokens and recovery codes from a source of random bytes (crypto in the CLI, a seeded
// stream in fixtures and the simulator).

import type { Random } from './ports.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A prefixed id such as usr_k3j5x2m9q4c7: 60 random bits in lowercase base32. */
export function newId(random: Random, prefix: string, length = 12): string {
  const bytes = random.bytes(length);
  let out = '';
  for (let i = 0; i < length; i += 1) out += BASE32[(bytes[i] ?? 0) & 31];
  return `${prefix}_${out}`;
}

/** A bearer secret: 32 random bytes, URL-safe base64, with a recognisable prefix. */
export function newToken(random: Random, prefix: string): string {
  return `${prefix}_${random.bytes(32).toString('base64url')}`;
}

/** Recovery codes people can type: two groups of five base32 letters and digits. */
export function newRecoveryCode(random: Random): string {
  const bytes = random.bytes(10);
  let out = '';
  for (let i = 0; i < 10; i += 1) out += BASE32[(bytes[i] ?? 0) & 31];
  return `${out.slice(0, 5)}-${out.slice(5)}`;
}
