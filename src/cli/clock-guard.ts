// The store as commands see it when $OKPAY_NOW is set: every read and transaction first makes sure
// the store may have its clock moved (src/app/test-store.ts), before anything is read or written.

import { assertClockMayMove } from '../app/test-store.js';
import type { Records } from '../store/records.js';
import type { TransactionOptions } from '../store/store.js';

/** The commands that turn an empty store into a test store, and so may run on one with a moved clock. */
const TEST_STORE_MAKERS: ReadonlySet<string> = new Set(['dev init', 'fixtures load', 'fixtures generate']);

interface Transactional<T extends Records> {
  readonly location: string;
  transaction<R>(work: (t: T) => Promise<R> | R, options?: TransactionOptions): Promise<R>;
  read<R>(work: (t: T) => Promise<R> | R): Promise<R>;
}

export function clockGuarded<T extends Records>(inner: Transactional<T>, commandPath: string): Transactional<T> {
  const makesTestStore = TEST_STORE_MAKERS.has(commandPath);
  const guarded =
    <R>(work: (t: T) => Promise<R> | R) =>
    async (t: T): Promise<R> => {
      await assertClockMayMove(t, makesTestStore);
      return work(t);
    };
  return {
    location: inner.location,
    transaction: (work, options) => inner.transaction(guarded(work), options),
    read: (work) => inner.read(guarded(work)),
  };
}
