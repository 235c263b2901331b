// Two-step verification: turning it on (enable, then confirm with a code), off, and a new set of
// recovery codes. Each needs the password again, and a code when 2FA is on (step-up.ts): a session
// alone must not be able to put its own secret on the account and lock the owner out.

import { RECOVERY_CODE_COUNT } from '../domain/accounts.js';
import { securityChangeMail } from '../domain/account-mails.js';
import { AppError } from '../domain/errors.js';
import type { User } from '../domain/state.js';
import { beginTwoFactor, confirmTwoFactor, disableTwoFactor, replaceRecoveryCodes } from '../domain/twofactor.js';
import type { RecordStore } from '../store/store.js';
import { audit } from './audit.js';
import { newRecoveryCode } from './ids.js';
import type { AppDeps } from './ports.js';
import type { NEED_OTP } from './second-factor.js';
import { withStepUp, type Proof } from './step-up.js';
import { revokeSessions } from './users.js';

export interface Enrolment {
  readonly user: User;
  readonly secret: string;
  readonly uri: string;
  readonly recoveryCodes: readonly string[];
}

function newRecoveryCodes(deps: AppDeps): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => newRecoveryCode(deps.random));
}

/** `2fa enable`: a new secret and recovery codes wait for confirmation; 2FA is not on yet. */
export function enableTwoFactor(store: RecordStore, deps: AppDeps, proof: Proof): Promise<Enrolment | typeof NEED_OTP> {
  return withStepUp(store, deps, { ...proof, action: '2fa.enable' }, async (t, actor) => {
    const me = actor.user;
    if (me.twoFactor.enabled)
      throw new AppError('ALREADY_EXISTS', 'two-step verification is already on', { hint: 'to start over, turn it off first: `okpay 2fa disable`' });
    const secret = deps.totp.generateSecret();
    const recoveryCodes = newRecoveryCodes(deps);
    const user = beginTwoFactor(me, secret, recoveryCodes);
    t.users.put(user);
    audit(t, deps.now().toISOString(), '2fa.enrolment-started', me.id, me.id);
    return { user, secret, uri: deps.totp.uri(user.email, secret), recoveryCodes };
  });
}

/** `2fa confirm CODE`: 2FA is on; the other sessions end. `code` is from the new secret. */
export function confirmTwoFactorCode(store: RecordStore, deps: AppDeps, proof: Proof, code: string): Promise<User | typeof NEED_OTP> {
  return withStepUp(store, deps, { ...proof, action: '2fa.confirm' }, async (t, actor) => {
    const me = actor.user;
    if (me.twoFactor.enabled) throw new AppError('ALREADY_EXISTS', 'two-step verification is already on');
    const pending = me.twoFactor.pendingSecret;
    if (!pending) throw new AppError('INVALID_TRANSITION', 'there is nothing to confirm', { hint: 'start with `okpay 2fa enable`' });
    const now = deps.now();
    const check = deps.totp.verify(pending, code.trim(), now.getTime(), null);
    if (!check.valid || check.timeStep === null)
      throw new AppError('BAD_OTP', 'the code does not match the new secret', { hint: 'check the clock of your device and use the newest code' });
    const nowIso = now.toISOString();
    const updated = confirmTwoFactor(me, check.timeStep, nowIso);
    t.users.put(updated);
    const ended = await revokeSessions(t, me.id, actor.sessionHash);
    t.mail(securityChangeMail(updated, '2fa-on'), nowIso);
    audit(t, nowIso, '2fa.enabled', me.id, me.id, { otherSessionsEnded: ended });
    return updated;
  });
}

/** `2fa disable`: the other sessions end. */
export function disableTwoFactorWith(store: RecordStore, deps: AppDeps, proof: Proof): Promise<User | typeof NEED_OTP> {
  return withStepUp(store, deps, { ...proof, action: '2fa.disable' }, async (t, actor) => {
    const me = actor.user;
    if (!me.twoFactor.enabled) throw new AppError('INVALID_TRANSITION', 'two-step verification is already off');
    const nowIso = deps.now().toISOString();
    const updated = disableTwoFactor(me, nowIso);
    t.users.put(updated);
    const ended = await revokeSessions(t, me.id, actor.sessionHash);
    t.mail(securityChangeMail(updated, '2fa-off'), nowIso);
    audit(t, nowIso, '2fa.disabled', me.id, me.id, { otherSessionsEnded: ended });
    return updated;
  });
}

/** `2fa recovery-codes`: a new set replaces every old code, used or not; the other sessions end. */
export function regenerateRecoveryCodes(
  store: RecordStore,
  deps: AppDeps,
  proof: Proof,
): Promise<{ user: User; recoveryCodes: readonly string[] } | typeof NEED_OTP> {
  return withStepUp(store, deps, { ...proof, action: '2fa.recovery-codes' }, async (t, actor) => {
    const me = actor.user;
    if (!me.twoFactor.enabled)
      throw new AppError('INVALID_TRANSITION', 'two-step verification is off: there are no recovery codes', { hint: 'turn it on with `okpay 2fa enable`' });
    const nowIso = deps.now().toISOString();
    const recoveryCodes = newRecoveryCodes(deps);
    const updated = replaceRecoveryCodes(me, recoveryCodes);
    t.users.put(updated);
    const ended = await revokeSessions(t, me.id, actor.sessionHash);
    t.mail(securityChangeMail(updated, 'recovery-codes'), nowIso);
    audit(t, nowIso, '2fa.recovery-codes-replaced', me.id, me.id, { otherSessionsEnded: ended });
    return { user: updated, recoveryCodes };
  });
}
