// Randomness for ids and secrets. The fixture generator swaps in the seeded Prng of
// domain/prng.ts (it has the same `bytes`), so that the same seed makes the same store.

import { randomBytes } from 'node:crypto';

import type { Random } from '../app/ports.js';

export type { Random } from '../app/ports.js';

export const cryptoRandom: Random = { bytes: (count) => randomBytes(count) };

export { newId, newRecoveryCode, newToken } from '../app/ids.js';
