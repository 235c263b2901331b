// Signing in and out, and the account locks a person controls: freezing one's own account and
// unlocking it. Passwords are checked outside the store lock (passwords.ts).

import {
  assertMaySignIn,
  confirmsPassword,
  explainLock,
  joinedRecently,
  lockedError,
  openSession,
  passwordAgeDays,
  recordFailedSignIn,
  recordSignIn,
  tokenRecord,
  UNLOCK_TOKEN_TTL_MS,
  unlockAccount,
  unlockTokenStatus,
} from '../domain/accounts.js';
import { lockedAfterFailuresMail, lockNoticeMail, unlockedMail } from '../domain/account-mails.js';
import { AppError } from '../domain/errors.js';
import { sha256Hex } from '../domain/hashing.js';
import type { User } from '../domain/state.js';
import { secondFactorMessage, type SecondFactorOutcome } from '../domain/twofactor.js';
import type { RecordStore, RecordsTransaction } from '../store/store.js';
import { audit } from './audit.js';
import type { Actor } from './authenticate.js';
import { newToken } from './ids.js';
import { currentChecked, withPasswordChecked, type PasswordCheck } from './passwords.js';
import type { AppDeps } from './ports.js';
import { NEED_OTP, secondFactor } from './second-factor.js';
import { endSessionsByLock, lockUser, pruneSessions, revokeSessions } from './users.js';

export const BAD_CREDENTIALS = (): AppError =>
  new AppError('BAD_CREDENTIALS', 'the email or the password is wrong', { hint: 'forgot the password? `okpay password reset --email …`' });

export interface Credentials {
  /** Normalised. */
  readonly email: string;
  readonly password: string;
  /** A TOTP or recovery code; undefined when none was given (yet). */
  readonly otp: string | undefined;
}

export interface SignedIn {
  readonly user: User;
  /** The bearer token of the new session (only its hash is stored). */
  readonly token: string;
  readonly firstSignIn: boolean;
  /** Recovery codes left, when one was used to sign in. */
  readonly recoveryCodesLeft: number | null;
  readonly passwordAgeDays: number;
}

/**
 * Counts a failed sign-in; at the fifth in a row the account locks, its sessions end and the
 * mailed unlock token is the way out. `reason` is audited.
 */
export async function countFailedSignIn(
  t: RecordsTransaction,
  nowMs: number,
  user: User,
  unlockToken: string,
  failure: { type: string; reason: string } | null,
): Promise<User> {
  const nowIso = new Date(nowMs).toISOString();
  const { user: updated, lockedNow } = recordFailedSignIn(user, nowIso, tokenRecord(sha256Hex(unlockToken), nowMs, UNLOCK_TOKEN_TTL_MS));
  t.users.put(updated);
  if (failure) audit(t, nowIso, failure.type, null, user.id, { reason: failure.reason, failedInARow: updated.failedLogins });
  if (lockedNow) {
    await endSessionsByLock(t, user.id, nowIso);
    t.mail(lockedAfterFailuresMail(updated, unlockToken, explainLock(updated)), nowIso);
    audit(t, nowIso, 'account.locked', null, user.id, { reason: 'failed-logins' });
  }
  return updated;
}

/**
 * Why a checked password does not let its account in (sign-in, activation, a ticket opened with
 * the password), or null when it is right and the account not locked. No account (null): the
 * answer to a wrong password, audited as an unknown email. A wrong one is counted
 * (countFailedSignIn); on a locked account it is answered as an unknown email is, and the right
 * one hears why the account is locked until it has been guessed at too often (confirmsPassword).
 * `failure.opensLocked` (`ticket new --email`, a locked customer's way to support): the right
 * password on a locked account is let through instead of hearing why, within the same limit. The
 * refusal is audited as `failure.type`; the caller commits and then throws it (failAfterCommit).
 */
export async function passwordRefusal(
  t: RecordsTransaction,
  nowMs: number,
  user: User | null,
  passwordOk: boolean,
  unlockToken: string,
  failure: { readonly type: string; readonly wrong: () => AppError; readonly opensLocked?: boolean },
): Promise<AppError | null> {
  if (!user) {
    audit(t, new Date(nowMs).toISOString(), failure.type, null, null, { reason: 'unknown-email' });
    return failure.wrong();
  }
  if (passwordOk && (!user.lock || (failure.opensLocked === true && confirmsPassword(user)))) return null;
  if (passwordOk) {
    // Guessed at too often while locked: even the right password no longer says so.
    const confirms = confirmsPassword(user);
    audit(t, new Date(nowMs).toISOString(), failure.type, null, user.id, { reason: confirms ? 'locked' : 'locked-guessed-at' });
    return confirms ? lockedError(user) : failure.wrong();
  }
  await countFailedSignIn(t, nowMs, user, unlockToken, { type: failure.type, reason: user.lock ? 'locked-wrong-password' : 'wrong-password' });
  return failure.wrong();
}

/** `login`: password (checked outside the lock), then a code when 2FA is on; opens a session. */
export async function login(store: RecordStore, deps: AppDeps, credentials: Credentials): Promise<SignedIn | typeof NEED_OTP> {
  const token = newToken(deps.random, 'oks');
  const unlockToken = newToken(deps.random, 'unl');
  return withPasswordChecked(
    store,
    deps,
    credentials.password,
    (t) => t.users.byEmail(credentials.email),
    (t, check) => completeLogin(t, deps, credentials, check, { token, unlockToken }),
  );
}

/**
 * The part of `login` that runs in the transaction. A refusal that must be remembered (a counted
 * failure, an audit line) is committed and then thrown (failAfterCommit); NEED_OTP is returned
 * then, and when a code is still to be asked for.
 */
export async function completeLogin(
  t: RecordsTransaction,
  deps: AppDeps,
  credentials: Credentials,
  check: PasswordCheck,
  tokens: { token: string; unlockToken: string },
): Promise<SignedIn | typeof NEED_OTP> {
  const now = deps.now();
  const nowIso = now.toISOString();
  const user = currentChecked(check, await t.users.byEmail(credentials.email));
  const refusal = await passwordRefusal(t, now.getTime(), user, check.ok, tokens.unlockToken, { type: 'login.failure', wrong: BAD_CREDENTIALS });
  if (!user || refusal) {
    t.failAfterCommit(refusal ?? BAD_CREDENTIALS());
    return NEED_OTP;
  }
  assertMaySignIn(user);
  let signedIn = user;
  let recoveryCodesLeft: number | null = null;
  if (user.twoFactor.enabled) {
    if (credentials.otp === undefined) return NEED_OTP;
    const outcome = await signInCode(t, deps, user, credentials.otp, { nowMs: now.getTime(), unlockToken: tokens.unlockToken, type: 'login.failure' });
    if (!outcome) return NEED_OTP;
    signedIn = outcome.user;
    if (outcome.method === 'recovery') recoveryCodesLeft = outcome.recoveryCodesLeft;
  }
  const firstSignIn = await isNewcomer(t, signedIn, now.getTime());
  signedIn = recordSignIn(signedIn, nowIso);
  t.users.put(signedIn);
  await pruneSessions(t, user.id, now.getTime());
  t.sessions.put(sha256Hex(tokens.token), openSession(user.id, nowIso));
  audit(t, nowIso, 'login.success', user.id, user.id, {
    secondFactor: user.twoFactor.enabled ? (recoveryCodesLeft === null ? 'totp' : 'recovery-code') : 'none',
  });
  return { user: signedIn, token: tokens.token, firstSignIn, recoveryCodesLeft, passwordAgeDays: passwordAgeDays(signedIn, now.getTime()) };
}

/**
 * The one-time code of a sign-in (`login`, `ticket new --email`): a wrong or replayed one counts
 * like a wrong password (countFailedSignIn: the fifth in a row locks the account and mails the
 * owner), audited as `failure.type`, and is refused after the commit; null then.
 */
export async function signInCode(
  t: RecordsTransaction,
  deps: AppDeps,
  user: User,
  code: string,
  failure: { readonly nowMs: number; readonly unlockToken: string; readonly type: string },
): Promise<Extract<SecondFactorOutcome, { ok: true }> | null> {
  const outcome = secondFactor(deps, user, code, failure.nowMs);
  if (outcome.ok) return outcome;
  await countFailedSignIn(t, failure.nowMs, user, failure.unlockToken, { type: failure.type, reason: `otp-${outcome.reason}` });
  t.failAfterCommit(
    new AppError(
      'BAD_OTP',
      secondFactorMessage(outcome.reason),
      outcome.reason === 'wrong' ? { hint: 'use the current code of your authenticator app, or a recovery code' } : {},
    ),
  );
  return null;
}

/**
 * Someone to welcome: never signed in, joined in the last days, and with no older payments (a
 * fixture user seeded with weeks of history has never signed in either, and is no newcomer).
 */
async function isNewcomer(t: RecordsTransaction, user: User, nowMs: number): Promise<boolean> {
  if (!joinedRecently(user, nowMs)) return false;
  const [first] = await t.journal.seqsOfUser(user.id);
  const entry = first === undefined ? null : await t.journal.get(first);
  return entry === null || joinedRecently({ lastLoginAt: null, createdAt: entry.tx.at, activatedAt: null }, nowMs);
}

/** `logout`: ends the session of this token, if it is still there. True when one ended. */
export async function logout(t: RecordsTransaction, deps: AppDeps, token: string): Promise<boolean> {
  const hash = sha256Hex(token);
  const session = await t.sessions.get(hash);
  if (!session) return false;
  t.sessions.delete(hash);
  audit(t, deps.now().toISOString(), 'logout', session.userId, session.userId);
  return true;
}

/** `lock`: the signed-in person freezes their own account; every session ends. */
export async function lockSelf(t: RecordsTransaction, deps: AppDeps, actor: Actor, note: string | null): Promise<User> {
  const nowIso = deps.now().toISOString();
  const me = actor.user;
  const locked = await lockUser(t, me, { reason: 'self', note, at: nowIso, by: me.id });
  t.mail(lockNoticeMail(locked, explainLock(locked)), nowIso);
  audit(t, nowIso, 'account.locked', me.id, me.id, { reason: 'self' });
  return locked;
}

export interface Unlock extends Credentials {
  /** The token mailed after failed sign-ins (needed for that kind of lock). */
  readonly unlockToken: string | undefined;
}

/**
 * What an unlock needs besides the password: agent locks are for support, and a lock after failed
 * sign-ins needs the mailed token. Asked only of someone who gave the right password.
 */
function requireUnlockPath(user: User, token: string | undefined, nowMs: number): void {
  if (user.lock?.reason === 'agent') throw lockedError(user);
  if (user.lock?.reason !== 'failed-logins') return;
  const status = unlockStatus(user, token, nowMs);
  if (status === 'ok') return;
  throw new AppError(
    'INVALID_TOKEN',
    token ? `the unlock token is ${status === 'expired' ? 'expired' : 'not valid'}` : 'this lock needs the unlock token we mailed you',
    {
      hint: `pass --token TOKEN from the "account locked" mail (okpay outbox list); lost it? contact support`,
    },
  );
}

function unlockStatus(user: User, token: string | undefined, nowMs: number): 'ok' | 'expired' | 'no' {
  return token ? unlockTokenStatus(user, sha256Hex(token.trim()), nowMs) : 'no';
}

/**
 * `unlock`: works without a session; the password (checked outside the lock) first, so that an
 * unknown email, an account that is not locked and a locked one answer a wrong password alike;
 * then the way out of the lock, and a code when 2FA is on.
 */
export async function unlockSelf(store: RecordStore, deps: AppDeps, input: Unlock): Promise<User | typeof NEED_OTP> {
  const newUnlockToken = newToken(deps.random, 'unl');
  return withPasswordChecked(
    store,
    deps,
    input.password,
    (t) => t.users.byEmail(input.email),
    async (t, check) => {
      const now = deps.now();
      const user = currentChecked(check, await t.users.byEmail(input.email));
      const answers = user !== null && check.ok && (confirmsPassword(user) || unlockStatus(user, input.unlockToken, now.getTime()) === 'ok');
      if (!user || !answers) {
        // A wrong password here counts like one at sign-in, or unlock would be a free password oracle.
        if (user && !check.ok) await countFailedSignIn(t, now.getTime(), user, newUnlockToken, { type: 'login.failure', reason: 'unlock-wrong-password' });
        else audit(t, now.toISOString(), 'unlock.failure', null, user?.id ?? null, { reason: user ? 'locked-guessed-at' : 'unknown-email' });
        t.failAfterCommit(BAD_CREDENTIALS());
        return NEED_OTP;
      }
      if (!user.lock) throw new AppError('INVALID_TRANSITION', `the account ${user.email} is not locked`);
      requireUnlockPath(user, input.unlockToken, now.getTime());
      return finishUnlock(t, deps, user, input.otp, newUnlockToken);
    },
  );
}

async function finishUnlock(
  t: RecordsTransaction,
  deps: AppDeps,
  user: User,
  code: string | undefined,
  newUnlockToken: string,
): Promise<User | typeof NEED_OTP> {
  const now = deps.now();
  const lockReason = user.lock?.reason ?? null;
  let checked = user;
  if (user.twoFactor.enabled) {
    if (code === undefined) return NEED_OTP;
    const outcome = secondFactor(deps, user, code, now.getTime());
    if (!outcome.ok) {
      // Counted: someone with the password and not the phone must not try codes for ever. The fifth
      // turns a self-lock into a lock that needs the mailed token.
      await countFailedSignIn(t, now.getTime(), user, newUnlockToken, { type: 'unlock.failure', reason: `otp-${outcome.reason}` });
      t.failAfterCommit(new AppError('BAD_OTP', secondFactorMessage(outcome.reason)));
      return NEED_OTP;
    }
    checked = outcome.user;
  }
  const unlocked = unlockAccount(checked);
  t.users.put(unlocked);
  await revokeSessions(t, unlocked.id, null);
  t.mail(unlockedMail(unlocked), now.toISOString());
  audit(t, now.toISOString(), 'account.unlocked', unlocked.id, unlocked.id, { lockReason });
  return unlocked;
}
