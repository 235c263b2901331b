// Password checks outside the store transaction. bcrypt takes a quarter of a second at cost 12:
// run under the store lock it would stall every other command for that long. So a password is
// checked against the hash read in a lock-free read, and the transaction that acts on the result
// first makes sure the check still holds: the same account with the same hash. If not, the check
// is done again. What the transaction decides (a lock, the count of failures) it decides on the
// account as it is then, so another sign-in counted meanwhile does not make the check stale: eight
// sign-ins at once with the same code each get their answer, none a retry.

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

/**
 * The account the check was about, as it is now in the transaction; StaleCheck when the check no
 * longer holds (another account, or another password hash).
 */
export function currentChecked(check: PasswordCheck, now: User | null): User | null {
  const before = check.user;
  if (before === null && now === null) return null;
  const same = before !== null && now !== null && before.id === now.id && before.passwordHash === now.passwordHash;
  if (!same) throw new StaleCheck('the password changed while it was checked');
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
      if (attempt >= ATTEMPTS_MAX) {
        throw new AppError('ACCOUNT_CHANGED', `the password of this account changed each of the ${ATTEMPTS_MAX} times it was checked; nothing was changed`, {
          hint: 'try again; if the password was just changed, with the new one',
        });
      }
    }
  }
}
