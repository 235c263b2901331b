// Test stores: where testers may load fixtures, read one-time codes and move the clock. A store
// becomes one only while it is empty (`okpay dev init`, or loading or generating fixtures), so no
// real account ever lives in a store whose clock can be moved.

import { AppError } from '../domain/errors.js';
import type { Records } from '../store/records.js';
import type { RecordsTransaction } from '../store/store.js';
import { audit } from './audit.js';
import type { AppDeps } from './ports.js';

/** Test data goes only into an empty store or one already marked as a test store. */
export async function assertTestable(t: Records, what: string): Promise<void> {
  if (t.meta.get().testStore || (await t.users.count()) === 0) return;
  throw new AppError('FORBIDDEN', `\`okpay ${what}\` works only on an empty store or a test store, and this store holds real accounts`, {
    hint: 'use a fresh data directory: --data-dir or $OKPAY_HOME',
  });
}

/** `dev init`: marks an empty store as a test store; true when it was not one yet. */
export async function initTestStore(t: RecordsTransaction, deps: AppDeps): Promise<boolean> {
  await assertTestable(t, 'dev init');
  if (t.meta.get().testStore) return false;
  t.meta.markTestStore();
  audit(t, deps.now().toISOString(), 'store.marked-test', null, null);
  return true;
}

/**
 * A moved clock ($OKPAY_NOW) is honoured only in a test store: in a real one, moving it back would
 * make expired sessions, reset and unlock tokens and quotes work again. The commands that turn an
 * empty store into a test store (`makesTestStore`) may run on an empty one with it.
 */
export async function assertClockMayMove(t: Records, makesTestStore: boolean): Promise<void> {
  if (t.meta.get().testStore) return;
  if (makesTestStore && (await t.users.count()) === 0) return;
  throw new AppError('USAGE', 'OKPAY_NOW is set, but this store is not a test store: its clock cannot be moved', {
    hint: 'unset OKPAY_NOW; to test with a moved clock, use a new data directory and `okpay dev init` (or `okpay fixtures load`)',
  });
}
