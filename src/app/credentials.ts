// Changing a password (signed in, with the current one and a code when 2FA is on) and resetting a forgotten one (a mailed
// token). New passwords are hashed by the caller before the transaction, never under the lock.

import { checkResetToken, PASSWORD_RESET_TTL_MS, tokenRecord } from '../domain/accounts.js';
import { passwordResetMail, securityChangeMail } from '../domain/account-mails.js';
import { sha256Hex } from '../domain/hashing.js';
import type { User } from '../domain/state.js';
import type { Records } from '../store/records.js';
import type { RecordStore, RecordsTransaction } from '../store/store.js';
import { audit } from './audit.js';
import { newToken } from './ids.js';
import type { AppDeps } from './ports.js';
import type { NEED_OTP } from './second-factor.js';
import { withStepUp } from './step-up.js';
import { revokeSessions } from './users.js';

export interface PasswordChange {
  readonly current: string;
  /** bcrypt hash of the new password, made before the transaction. */
  readonly newHash: string;
  readonly otp: string | undefined;
}

/**
 * `password change`: the current password and, when 2FA is on, a code (step-up.ts: wrong ones
 * count like failed sign-ins); the other sessions end.
 */
export function changePassword(store: RecordStore, deps: AppDeps, token: string | null, change: PasswordChange): Promise<User | typeof NEED_OTP> {
  return withStepUp(store, deps, { token, password: change.current, otp: change.otp, action: 'password.change' }, async (t, actor) => {
    const nowIso = deps.now().toISOString();
    const me = actor.user;
    const updated: User = { ...me, passwordHash: change.newHash, passwordChangedAt: nowIso, passwordReset: null };
    t.users.put(updated);
    const ended = await revokeSessions(t, me.id, actor.sessionHash);
    t.mail(securityChangeMail(updated, 'password'), nowIso);
    audit(t, nowIso, 'password.changed', me.id, me.id, { otherSessionsEnded: ended });
    return updated;
  });
}

/**
 * `password reset --email`: mails a one-hour token to an active account. Says nothing about
 * whether the address has one.
 */
export async function requestPasswordReset(t: RecordsTransaction, deps: AppDeps, email: string): Promise<void> {
  const now = deps.now();
  const user = await t.users.byEmail(email);
  if (!user || user.status !== 'active') {
    audit(t, now.toISOString(), 'password.reset-requested', null, null, { known: false });
    return;
  }
  const token = newToken(deps.random, 'rst');
  const updated: User = { ...user, passwordReset: tokenRecord(sha256Hex(token), now.getTime(), PASSWORD_RESET_TTL_MS) };
  t.users.put(updated);
  t.mail(passwordResetMail(updated, token), now.toISOString());
  audit(t, now.toISOString(), 'password.reset-requested', null, user.id, { known: true });
}

/** The account a reset token is for, or INVALID_TOKEN: checked before a new password is asked for. */
export async function resetTokenOwner(t: Records, deps: AppDeps, token: string): Promise<User> {
  const tokenHash = sha256Hex(token);
  return checkResetToken(await t.users.byToken('passwordReset', tokenHash), tokenHash, deps.now().getTime());
}

/** `password reset --token`: the new password (hashed before), every session ends. */
export async function resetPassword(t: RecordsTransaction, deps: AppDeps, token: string, newHash: string): Promise<User> {
  const found = await resetTokenOwner(t, deps, token);
  const nowIso = deps.now().toISOString();
  const updated: User = { ...found, passwordHash: newHash, passwordChangedAt: nowIso, passwordReset: null };
  t.users.put(updated);
  const ended = await revokeSessions(t, found.id, null);
  t.mail(securityChangeMail(updated, 'password'), nowIso);
  audit(t, nowIso, 'password.reset', found.id, found.id, { sessionsEnded: ended });
  return updated;
}
