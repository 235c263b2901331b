// Password checks outside the store transaction. bcrypt takes a quarter of a second at cost 12:
// run under the store lock it would stall every other command for that long. So a password is
// checked against the hash read in a lock-free read, and the transaction that acts on the result
// first makes sure the account is still as it was checked (same hash, lock and failure count);
// if not, the check is done again.

import { AppError } from '../domain/errors.js';
import type { User } from '../domain/state.js';
import type { Records } from '../store/records.js';
import type { RecordStore, RecordsTransaction } from '../store/store.js';
import type { AppDeps } from './ports.js';

/** What a password check established, and about which version of the account. */
export interface PasswordCheck {
  /** The account as read for the check; null when no account has the email. */
  readonly user: User | null;
  readonly ok: boolean;
}

/** Thrown inside a transaction when the account changed since its password was checked. */
class StaleCheck extends Error {}

const ATTEMPTS_MAX = 3;

/** Compares the password with the account's hash (or spends the same time when there is none). */
export async function checkPasswordOf(deps: AppDeps, user: User | null, password: string): Promise<PasswordCheck> {
  if (!user) {
    await deps.passwords.verifyNothing(password);
    return { user: null, ok: false };
  }
  return { user, ok: await deps.passwords.verify(password, user.passwordHash) };
}

/** The account the check was about, as it is now in the transaction; StaleCheck when it changed. */
export function currentChecked(check: PasswordCheck, now: User | null): User | null {
  const before = check.user;
  if (before === null && now === null) return null;
  const same =
    before !== null &&
    now !== null &&
    before.id === now.id &&
    before.passwordHash === now.passwordHash &&
    before.failedLogins === now.failedLogins &&
    JSON.stringify(before.lock) === JSON.stringify(now.lock);
  if (!same) throw new StaleCheck('the account changed while its password was checked');
  return now;
}

/**
 * Reads what to check (`load`, lock-free), checks the password outside any transaction, then runs
 * `work` in a transaction with the check; repeated when the account changed in between.
 */
export async function withPasswordChecked<T>(
  store: RecordStore,
  deps: AppDeps,
  password: string,
  load: (t: Records) => Promise<User | null>,
  work: (t: RecordsTransaction, check: PasswordCheck) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const user = await store.read(load);
    const check = await checkPasswordOf(deps, user, password);
    try {
      return await store.transaction((t) => work(t, check));
    } catch (error) {
      if (!(error instanceof StaleCheck)) throw error;
      if (attempt >= ATTEMPTS_MAX) throw new AppError('STORE_LOCKED', 'the account kept changing while its password was checked', { hint: 'try again' });
    }
  }
}
