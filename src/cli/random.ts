// Randomness for ids and secrets. The fixture generator swaps in the seeded Prng of
// domain/prng.ts (it has the same `bytes`), so that the same seed makes the same store.

import { nodeCrypto } from '../domain/node-crypto.js';

import type { Random } from '../app/ports.js';

export type { Random } from '../app/ports.js';

export const cryptoRandom: Random = { bytes: (count) => nodeCrypto().randomBytes(count) };

export { newId, newRecoveryCode, newToken } from '../app/ids.js';
