// Accounts and their security rules: registration, activation, sign-in with lockout, sessions,
// locks and the way out of each kind of lock. Pure: tokens, hashes and "now" come in as arguments.

import { AppError } from './errors.js';
import type { Language } from './language.js';
import type { AccountLock, Kyc, Role, Session, TokenRecord, TwoFactor, User, UserId } from './state.js';

export const ACTIVATION_TTL_MS = 24 * 60 * 60 * 1000;
export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;
export const UNLOCK_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_FAILED_SIGN_INS = 5;
export const SESSION_IDLE_MS = 30 * 60 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** lastSeenAt is refreshed at most this often, so reads do not rewrite the store every time. */
export const SESSION_TOUCH_MS = 60 * 1000;
export const PASSWORD_MAX_AGE_DAYS = 180;
export const RECOVERY_CODE_COUNT = 10;

export const NO_TWO_FACTOR: TwoFactor = {
  enabled: false,
  secret: null,
  pendingSecret: null,
  pendingRecoveryCodes: [],
  lastTimeStep: null,
  recoveryCodes: [],
  changedAt: null,
};

const NO_KYC: Kyc = { status: 'none', documentType: null, documentMasked: null, submittedAt: null, decidedAt: null, decidedBy: null, reason: null };

export interface NewAccount {
  readonly id: UserId;
  readonly email: string;
  readonly phone: string | null;
  readonly country: string | null;
  readonly name: string | null;
  readonly language: Language | null;
  readonly passwordHash: string;
  readonly role: Role;
  /** null makes the account active at once (the first admin, fixtures). */
  readonly activation: TokenRecord | null;
}

/** What the store holds already under the new account's email and phone. */
export interface ExistingAccounts {
  readonly byEmail: User | null | undefined;
  readonly byPhone: User | null | undefined;
}

/** The user found under an email, or USER_NOT_FOUND. */
export function requireUserByEmail(user: User | null | undefined, email: string): User {
  if (!user) throw new AppError('USER_NOT_FOUND', `no account uses ${email}`);
  return user;
}

/** A new account, refused when its email or phone is taken. */
export function createAccount(input: NewAccount, nowIso: string, existing: ExistingAccounts): User {
  if (existing.byEmail)
    throw new AppError('ALREADY_EXISTS', `an account with ${input.email} already exists`, {
      hint: 'sign in with `okpay login`, or reset the password with `okpay password reset --email …`',
    });
  if (input.phone && existing.byPhone) throw new AppError('ALREADY_EXISTS', `the phone number ${input.phone} belongs to another account`);
  return {
    id: input.id,
    email: input.email,
    phone: input.phone,
    country: input.country,
    name: input.name,
    language: input.language,
    idNumberMasked: null,
    antiPhishingPhrase: null,
    role: input.role,
    agent: null,
    status: input.activation ? 'pending' : 'active',
    passwordHash: input.passwordHash,
    passwordChangedAt: nowIso,
    createdAt: nowIso,
    termsAcceptedAt: nowIso,
    activatedAt: input.activation ? null : nowIso,
    activation: input.activation,
    passwordReset: null,
    unlockToken: null,
    twoFactor: NO_TWO_FACTOR,
    failedLogins: 0,
    lock: null,
    kyc: NO_KYC,
    lastLoginAt: null,
  };
}

export function tokenRecord(tokenHash: string, nowMs: number, ttlMs: number): TokenRecord {
  return { tokenHash, expiresAt: new Date(nowMs + ttlMs).toISOString() };
}

function tokenMatches(record: TokenRecord | null, tokenHash: string, nowMs: number): 'ok' | 'expired' | 'no' {
  if (!record || record.tokenHash !== tokenHash) return 'no';
  return Date.parse(record.expiresAt) > nowMs ? 'ok' : 'expired';
}

/**
 * The account an activation token is for (`user` is the one whose activation token has this hash,
 * or null). Tokens are single-use and live 24 hours.
 */
export function checkActivationToken(user: User | null, tokenHash: string, nowMs: number): User {
  const status = user ? tokenMatches(user.activation, tokenHash, nowMs) : 'no';
  if (!user || status === 'no')
    throw new AppError('INVALID_TOKEN', 'this activation token is not valid (mistyped, or already used)', {
      hint: 'copy the token from the activation mail: `okpay outbox list`',
    });
  if (status === 'expired')
    throw new AppError('INVALID_TOKEN', 'this activation token has expired', { hint: 'ask for a new one: `okpay activate --resend --email …`' });
  return user;
}

/** The account active, its token spent and the failures of the tries before cleared. */
export function activateAccount(user: User, nowMs: number): User {
  return { ...user, status: 'active', activatedAt: new Date(nowMs).toISOString(), activation: null, failedLogins: 0 };
}

/**
 * A pending sign-up that a new `register` of its email starts over (a new password, details and
 * token): never activated, a customer's, and not held by support. The password it was opened with
 * proves nothing about the mailbox, so whoever registered first must not keep the address.
 */
export function restartsRegistration(user: User): boolean {
  return user.status === 'pending' && user.role === 'user' && user.lock?.reason !== 'agent';
}

/** The account a password-reset token is for (`user` is the one holding a token with this hash, or null). */
export function checkResetToken(user: User | null, tokenHash: string, nowMs: number): User {
  const status = user ? tokenMatches(user.passwordReset, tokenHash, nowMs) : 'no';
  if (!user || status === 'no')
    throw new AppError('INVALID_TOKEN', 'this password-reset token is not valid (mistyped, or already used)', {
      hint: 'ask for a new one: `okpay password reset --email …`',
    });
  if (status === 'expired')
    throw new AppError('INVALID_TOKEN', 'this password-reset token has expired (they last one hour)', {
      hint: 'ask for a new one: `okpay password reset --email …`',
    });
  return user;
}

export function unlockTokenStatus(user: User, tokenHash: string, nowMs: number): 'ok' | 'expired' | 'no' {
  return tokenMatches(user.unlockToken, tokenHash, nowMs);
}

// ---- locks ---------------------------------------------------------------------------------

export interface LockExplanation {
  readonly message: string;
  readonly hint: string;
}

/** Why an account is locked and the one way out for that kind of lock. */
export function explainLock(user: User): LockExplanation {
  const lock = user.lock;
  if (!lock) return { message: `the account ${user.email} is not locked`, hint: '' };
  const since = lock.at.slice(0, 16).replace('T', ' ');
  switch (lock.reason) {
    case 'self':
      return {
        message: `the account ${user.email} is locked: you froze it on ${since} UTC${lock.note ? ` (${lock.note})` : ''}`,
        hint: `unlock it with \`okpay unlock --email ${user.email}\` (your password${user.twoFactor.enabled ? ' and a 2FA code' : ''})`,
      };
    case 'failed-logins':
      return {
        message: `the account ${user.email} is locked after ${MAX_FAILED_SIGN_INS} failed sign-ins in a row (since ${since} UTC)`,
        hint: `use the unlock token we mailed you: \`okpay unlock --email ${user.email} --token TOKEN\` with your password${user.twoFactor.enabled ? ' and a 2FA code' : ''}`,
      };
    case 'agent':
      return {
        message: `the account ${user.email} was locked by OKPay support on ${since} UTC${lock.note ? `: ${lock.note}` : ''}`,
        hint: 'only support can lift this lock: see `okpay support` for how to reach us',
      };
  }
}

export function lockedError(user: User): AppError {
  const { message, hint } = explainLock(user);
  return new AppError('ACCOUNT_LOCKED', message, { hint, details: { lockReason: user.lock?.reason ?? null } });
}

export function lockAccount(user: User, lock: AccountLock): User {
  return { ...user, lock };
}

/**
 * A session of an account being locked: it ends, but is remembered until it would have expired,
 * so that the next command from it can say why (the account is locked) and how to unlock it.
 */
export function endSessionByLock(session: Session, atIso: string): Session {
  return { ...session, endedByLockAt: atIso };
}

export function unlockAccount(user: User): User {
  return { ...user, lock: null, failedLogins: 0, unlockToken: null };
}

// ---- sign-in -------------------------------------------------------------------------------

export function assertMaySignIn(user: User): void {
  if (user.lock) throw lockedError(user);
  if (user.status !== 'active')
    throw new AppError('NOT_ACTIVATED', `the account ${user.email} is not activated yet`, {
      hint: 'use the token from the activation mail: `okpay activate TOKEN`',
    });
}

/**
 * Counts one failed sign-in (or unlock attempt, or step-up). The fifth in a row locks the account —
 * and turns a self-lock into a failed-sign-in lock, so guessing at `okpay unlock` ends in the
 * mailed-token path too; on an account locked otherwise the count only grows. The caller mails
 * the notice with the unlock token whose hash is given here.
 */
export function recordFailedSignIn(user: User, nowIso: string, unlockToken: TokenRecord): { user: User; lockedNow: boolean } {
  if (user.lock && user.lock.reason !== 'self') return { user: { ...user, failedLogins: user.failedLogins + 1 }, lockedNow: false };
  const failedLogins = user.failedLogins + 1;
  if (failedLogins < MAX_FAILED_SIGN_INS) return { user: { ...user, failedLogins }, lockedNow: false };
  const locked = lockAccount(user, { reason: 'failed-logins', note: null, at: nowIso, by: null });
  return { user: { ...locked, failedLogins, unlockToken }, lockedNow: true };
}

/**
 * Wrong passwords a locked account answers as wrong before it stops telling a right one apart
 * (failures still count while it is locked, and unlocking clears them).
 */
export const LOCKED_GUESSES_MAX = 2 * MAX_FAILED_SIGN_INS;

/**
 * Whether a right password may be answered as right ("locked", "not locked") rather than as an
 * unknown email is. A locked account answers a wrong one as an unknown email; were guesses at it
 * unlimited, the different answer to the right one would make it a password oracle.
 */
export function confirmsPassword(user: User): boolean {
  return !user.lock || user.failedLogins < LOCKED_GUESSES_MAX;
}

export function recordSignIn(user: User, nowIso: string): User {
  return { ...user, failedLogins: 0, lastLoginAt: nowIso };
}

export function passwordAgeDays(user: User, nowMs: number): number {
  return Math.floor((nowMs - Date.parse(user.passwordChangedAt)) / (24 * 60 * 60 * 1000));
}

/** Profile details the seeds ask for after the first sign-in. */
/** How long after joining a first sign-in is still greeted as a newcomer's. */
export const NEWCOMER_DAYS = 7;

/** Never signed in, and activated (else created) at most NEWCOMER_DAYS ago. */
export function joinedRecently(user: Pick<User, 'lastLoginAt' | 'createdAt' | 'activatedAt'>, nowMs: number): boolean {
  if (user.lastLoginAt !== null) return false;
  return nowMs - Date.parse(user.activatedAt ?? user.createdAt) <= NEWCOMER_DAYS * 24 * 60 * 60 * 1000;
}

export function profileGaps(user: User): string[] {
  const gaps: string[] = [];
  if (!user.phone) gaps.push('phone number');
  if (!user.idNumberMasked) gaps.push('ID number');
  if (!user.name) gaps.push('name');
  if (!user.country) gaps.push('country');
  return gaps;
}

// ---- sessions ------------------------------------------------------------------------------

export type SessionCheck = 'active' | 'idle' | 'expired';

export function checkSession(session: Session, nowMs: number): SessionCheck {
  if (nowMs - Date.parse(session.createdAt) >= SESSION_ABSOLUTE_MS) return 'expired';
  if (nowMs - Date.parse(session.lastSeenAt) >= SESSION_IDLE_MS) return 'idle';
  return 'active';
}

export function openSession(userId: UserId, nowIso: string): Session {
  return { userId, createdAt: nowIso, lastSeenAt: nowIso };
}

/**
 * Whether a stored session can be forgotten: it no longer works, and it is not a lock's marker
 * still explaining the lock (kept until the session would have expired anyway).
 */
export function sessionIsStale(session: Session, nowMs: number): boolean {
  const check = checkSession(session, nowMs);
  return check !== 'active' && (check === 'expired' || !session.endedByLockAt);
}

export function requireRole(user: User, roles: readonly Role[], what: string): void {
  if (!roles.includes(user.role)) {
    throw new AppError(
      'FORBIDDEN',
      `${what} needs the ${roles.join(' or ')} role; ${user.email} is a${user.role === 'admin' || user.role === 'agent' ? 'n' : ''} ${user.role}`,
    );
  }
}

/** The public view of an account (never hashes, secrets or tokens). */
export function describeUser(user: User): Record<string, unknown> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    phone: user.phone,
    country: user.country,
    language: user.language ?? 'en',
    role: user.role,
    status: user.lock ? 'locked' : user.status,
    lock: user.lock ? { reason: user.lock.reason, note: user.lock.note, at: user.lock.at } : null,
    twoFactor: user.twoFactor.enabled,
    kyc: user.kyc.status,
    agent: user.agent,
    idNumber: user.idNumberMasked,
    antiPhishingPhrase: user.antiPhishingPhrase !== null,
    createdAt: user.createdAt,
    activatedAt: user.activatedAt,
    lastLoginAt: user.lastLoginAt,
    passwordChangedAt: user.passwordChangedAt,
  };
}
