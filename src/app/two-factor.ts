// Two-step verification: turning it on (enable, then confirm with a code), off (password and a
// code), and checking a code for the flows that need one.

import { RECOVERY_CODE_COUNT } from '../domain/accounts.js';
import { securityChangeMail } from '../domain/account-mails.js';
import { AppError } from '../domain/errors.js';
import type { User } from '../domain/state.js';
import { beginTwoFactor, confirmTwoFactor, disableTwoFactor, secondFactorMessage, verifySecondFactor, type SecondFactorOutcome } from '../domain/twofactor.js';
import type { RecordStore, RecordsTransaction } from '../store/store.js';
import { audit } from './audit.js';
import { authenticate, type Actor } from './authenticate.js';
import { newRecoveryCode } from './ids.js';
import { currentChecked, withPasswordChecked } from './passwords.js';
import type { AppDeps } from './ports.js';
import { revokeSessions } from './users.js';

/** A use-case's answer when the account uses 2FA and no code was given: ask, and try again. */
export const NEED_OTP = Symbol('need-otp');

/** The second factor of a user, checked against `code` at `nowMs`. */
export function secondFactor(deps: AppDeps, user: User, code: string, nowMs: number): SecondFactorOutcome {
  return verifySecondFactor(user, code, (secret, c, after) => deps.totp.verify(secret, c, nowMs, after), new Date(nowMs).toISOString());
}

/** For a signed-in user's own changes: the user with the code used up, NEED_OTP, or BAD_OTP. */
export function requireSecondFactor(deps: AppDeps, user: User, code: string | undefined, nowMs: number): User | typeof NEED_OTP {
  if (!user.twoFactor.enabled) return user;
  if (code === undefined) return NEED_OTP;
  const outcome = secondFactor(deps, user, code, nowMs);
  if (!outcome.ok) throw new AppError('BAD_OTP', secondFactorMessage(outcome.reason));
  return outcome.user;
}

export interface Enrolment {
  readonly user: User;
  readonly secret: string;
  readonly uri: string;
  readonly recoveryCodes: readonly string[];
}

/** `2fa enable`: a new secret and recovery codes wait for confirmation; 2FA is not on yet. */
export async function enableTwoFactor(t: RecordsTransaction, deps: AppDeps, actor: Actor): Promise<Enrolment> {
  const me = actor.user;
  if (me.twoFactor.enabled) throw new AppError('ALREADY_EXISTS', 'two-step verification is already on', { hint: 'to start over, turn it off first: `okpay 2fa disable`' });
  const secret = deps.totp.generateSecret();
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, () => newRecoveryCode(deps.random));
  const user = beginTwoFactor(me, secret, recoveryCodes);
  t.users.put(user);
  audit(t, deps.now().toISOString(), '2fa.enrolment-started', me.id, me.id);
  return { user, secret, uri: deps.totp.uri(user.email, secret), recoveryCodes };
}

/** `2fa confirm CODE`: 2FA is on; the other sessions end. */
export async function confirmTwoFactorCode(t: RecordsTransaction, deps: AppDeps, actor: Actor, code: string): Promise<User> {
  const me = actor.user;
  if (me.twoFactor.enabled) throw new AppError('ALREADY_EXISTS', 'two-step verification is already on');
  const pending = me.twoFactor.pendingSecret;
  if (!pending) throw new AppError('INVALID_TRANSITION', 'there is nothing to confirm', { hint: 'start with `okpay 2fa enable`' });
  const now = deps.now();
  const check = deps.totp.verify(pending, code.trim(), now.getTime(), null);
  if (!check.valid || check.timeStep === null) throw new AppError('BAD_OTP', 'the code does not match the new secret', { hint: 'check the clock of your device and use the newest code' });
  const nowIso = now.toISOString();
  const updated = confirmTwoFactor(me, check.timeStep, nowIso);
  t.users.put(updated);
  const ended = await revokeSessions(t, me.id, actor.sessionHash);
  t.mail(securityChangeMail(updated, '2fa-on'), nowIso);
  audit(t, nowIso, '2fa.enabled', me.id, me.id, { otherSessionsEnded: ended });
  return updated;
}

/**
 * `2fa disable`: needs the password (checked outside the store lock) and a code; the other
 * sessions end.
 */
export async function disableTwoFactorWith(store: RecordStore, deps: AppDeps, token: string | null, password: string, code: string | undefined): Promise<User | typeof NEED_OTP> {
  const signedIn = (t: Parameters<typeof authenticate>[0]) => authenticate(t, deps.now().getTime(), token).then((a) => a.user);
  return withPasswordChecked(store, deps, password, signedIn, async (t, check) => {
    const now = deps.now();
    const actor = await authenticate(t, now.getTime(), token);
    const me = currentChecked(check, actor.user);
    if (!me || !check.ok) throw new AppError('BAD_CREDENTIALS', 'the current password is wrong');
    if (!me.twoFactor.enabled) throw new AppError('INVALID_TRANSITION', 'two-step verification is already off');
    const checked = requireSecondFactor(deps, me, code, now.getTime());
    if (checked === NEED_OTP) return NEED_OTP;
    const nowIso = now.toISOString();
    const updated = disableTwoFactor(checked, nowIso);
    t.users.put(updated);
    const ended = await revokeSessions(t, me.id, actor.sessionHash);
    t.mail(securityChangeMail(updated, '2fa-off'), nowIso);
    audit(t, nowIso, '2fa.disabled', me.id, me.id, { otherSessionsEnded: ended });
    return updated;
  });
}
