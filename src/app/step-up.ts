// Step-up: a change that would let whoever holds a session take the account over (the password,
// two-step settings, recovery codes, the phone number, the anti-phishing phrase) needs the current
// password, and a one-time code when 2FA is on; a session token alone is never enough. A wrong
// password or code counts like a failed sign-in: the fifth in a row locks the account, ends every
// session and mails the owner. The password is checked outside the store lock (passwords.ts).

import { AppError } from '../domain/errors.js';
import type { User } from '../domain/state.js';
import { secondFactorMessage } from '../domain/twofactor.js';
import type { Records } from '../store/records.js';
import type { RecordStore, RecordsTransaction } from '../store/store.js';
import { authenticate, type Actor } from './authenticate.js';
import { newToken } from './ids.js';
import { currentChecked, withPasswordChecked } from './passwords.js';
import type { AppDeps } from './ports.js';
import { countFailedSignIn } from './sessions.js';
import { NEED_OTP, secondFactor } from './second-factor.js';

export interface StepUp {
  /** The session token of the command. */
  readonly token: string | null;
  readonly password: string;
  /** A TOTP or recovery code; undefined when none was given (yet). */
  readonly otp: string | undefined;
  /** What is being done, for the audit trail: `<action>.failure` records a refusal. */
  readonly action: string;
}

/** The password and, when 2FA is on, a code: what a change is proved with. */
export type Proof = Omit<StepUp, 'action'>;

/**
 * Runs `work` for the signed-in person once they have proved it again; the actor handed on is the
 * account with the code used up and its failure count cleared. NEED_OTP when a code is still to be
 * asked for.
 */
export async function withStepUp<T>(
  store: RecordStore,
  deps: AppDeps,
  stepUp: StepUp,
  work: (t: RecordsTransaction, actor: Actor) => Promise<T>,
): Promise<T | typeof NEED_OTP> {
  const unlockToken = newToken(deps.random, 'unl');
  const signedIn = async (t: Records) => (await authenticate(t, deps.now().getTime(), stepUp.token)).user;
  return withPasswordChecked(store, deps, stepUp.password, signedIn, async (t, check) => {
    const nowMs = deps.now().getTime();
    const actor = await authenticate(t, nowMs, stepUp.token);
    const me = currentChecked(check, actor.user) ?? actor.user;
    const refuse = async (reason: string, error: AppError): Promise<typeof NEED_OTP> => {
      await countFailedSignIn(t, nowMs, me, unlockToken, { type: `${stepUp.action}.failure`, reason });
      t.failAfterCommit(error);
      return NEED_OTP;
    };
    if (!check.ok) return refuse('wrong-password', new AppError('BAD_CREDENTIALS', 'the current password is wrong'));
    let proved: User = me;
    if (me.twoFactor.enabled) {
      if (stepUp.otp === undefined) return NEED_OTP;
      const outcome = secondFactor(deps, me, stepUp.otp, nowMs);
      if (!outcome.ok) return refuse(`otp-${outcome.reason}`, new AppError('BAD_OTP', secondFactorMessage(outcome.reason)));
      proved = outcome.user;
    }
    proved = { ...proved, failedLogins: 0 };
    t.users.put(proved);
    return work(t, { ...actor, user: proved });
  });
}
