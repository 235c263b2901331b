// What the account use-cases need in a test: a memory store, a clock the test moves, real bcrypt
// at the lowest cost, real TOTP and the shipped reference data.

import type { AppDeps, PasswordHasher } from '../../src/app/ports.js';
import { cryptoRandom } from '../../src/cli/random.js';
import { RefData } from '../../src/cli/refdata.js';
import { bcryptHasher, otplibTotp } from '../../src/cli/auth-adapters.js';
import { MemoryRecordStore } from '../../src/store/memory-record-store.js';

export const APP_NOW = '2026-11-23T10:00:00.000Z';

export interface TestDeps extends AppDeps {
  /** Moves the clock forward. */
  advance(ms: number): void;
}

export function testDeps(passwords: PasswordHasher = bcryptHasher(4)): TestDeps {
  let nowMs = Date.parse(APP_NOW);
  return {
    now: () => new Date(nowMs),
    advance: (ms) => {
      nowMs += ms;
    },
    random: cryptoRandom,
    passwords,
    totp: otplibTotp(),
    ref: new RefData(),
  };
}

export function testStore(): MemoryRecordStore {
  return new MemoryRecordStore(APP_NOW);
}
