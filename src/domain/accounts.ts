// Accounts and their security rules: registration, activation, sign-in with lockout, sessions,
// locks and the way out of each kind of lock. Pure: tokens, hashes and "now" come in as arguments.

import { AppError, fail } from './errors.js';
import type { Language } from './language.js';
import type { AccountLock, Kyc, Role, Session, State, TokenRecord, TwoFactor, User, UserId } from './state.js';

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

export function findUserByEmail(state: State, email: string): User | undefined {
  return Object.values(state.users).find((u) => u.email === email);
}

export function findUserByPhone(state: State, phone: string): User | undefined {
  return Object.values(state.users).find((u) => u.phone === phone);
}

export function requireUserByEmail(state: State, email: string): User {
  const user = findUserByEmail(state, email);
  if (!user) fail('USER_NOT_FOUND', `no account uses ${email}`);
  return user;
}

/** Finds an existing account by email or phone; a caller creating many accounts passes an index. */
export type AccountLookup = (email: string, phone: string | null) => { byEmail: User | undefined; byPhone: User | undefined };

function scanAccounts(state: State): AccountLookup {
  return (email, phone) => ({ byEmail: findUserByEmail(state, email), byPhone: phone ? findUserByPhone(state, phone) : undefined });
}

export function createAccount(state: State, input: NewAccount, nowIso: string, lookup: AccountLookup = scanAccounts(state)): User {
  const existing = lookup(input.email, input.phone);
  if (existing.byEmail) fail('ALREADY_EXISTS', `an account with ${input.email} already exists`, 'sign in with `okpay login`, or reset the password with `okpay password reset --email …`');
  if (input.phone && existing.byPhone) fail('ALREADY_EXISTS', `the phone number ${input.phone} belongs to another account`);
  if (state.users[input.id]) throw new Error(`user id collision: ${input.id}`);
  const user: User = {
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
  state.users[user.id] = user;
  return user;
}

export function tokenRecord(tokenHash: string, nowMs: number, ttlMs: number): TokenRecord {
  return { tokenHash, expiresAt: new Date(nowMs + ttlMs).toISOString() };
}

function tokenMatches(record: TokenRecord | null, tokenHash: string, nowMs: number): 'ok' | 'expired' | 'no' {
  if (!record || record.tokenHash !== tokenHash) return 'no';
  return Date.parse(record.expiresAt) > nowMs ? 'ok' : 'expired';
}

/** Activates the account the token belongs to. Tokens are single-use and live 24 hours. */
export function activateAccount(state: State, tokenHash: string, nowMs: number): User {
  const user = Object.values(state.users).find((u) => u.activation?.tokenHash === tokenHash);
  const status = user ? tokenMatches(user.activation, tokenHash, nowMs) : 'no';
  if (!user || status === 'no') fail('INVALID_TOKEN', 'this activation token is not valid (mistyped, or already used)', 'copy the token from the activation mail: `okpay outbox list`');
  if (status === 'expired') fail('INVALID_TOKEN', 'this activation token has expired', 'ask for a new one: `okpay activate --resend --email …`');
  const activated: User = { ...user, status: 'active', activatedAt: new Date(nowMs).toISOString(), activation: null };
  state.users[user.id] = activated;
  return activated;
}

export function findUserByResetToken(state: State, tokenHash: string, nowMs: number): User {
  const user = Object.values(state.users).find((u) => u.passwordReset?.tokenHash === tokenHash);
  const status = user ? tokenMatches(user.passwordReset, tokenHash, nowMs) : 'no';
  if (!user || status === 'no') fail('INVALID_TOKEN', 'this password-reset token is not valid (mistyped, or already used)', 'ask for a new one: `okpay password reset --email …`');
  if (status === 'expired') fail('INVALID_TOKEN', 'this password-reset token has expired (they last one hour)', 'ask for a new one: `okpay password reset --email …`');
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

export function lockAccount(state: State, userId: UserId, lock: AccountLock): User {
  const user = requireUser(state, userId);
  const locked: User = { ...user, lock };
  state.users[userId] = locked;
  // Sessions end, but are remembered until they would have expired, so that the next command from
  // one of them can say why: the account is locked, and how to unlock it.
  for (const [hash, session] of Object.entries(state.sessions)) {
    if (session.userId === userId) state.sessions[hash] = { ...session, endedByLockAt: lock.at };
  }
  return locked;
}

export function unlockAccount(state: State, userId: UserId): User {
  const user = requireUser(state, userId);
  const unlocked: User = { ...user, lock: null, failedLogins: 0, unlockToken: null };
  state.users[userId] = unlocked;
  return unlocked;
}

// ---- sign-in -------------------------------------------------------------------------------

export function assertMaySignIn(user: User): void {
  if (user.lock) throw lockedError(user);
  if (user.status !== 'active') fail('NOT_ACTIVATED', `the account ${user.email} is not activated yet`, 'use the token from the activation mail: `okpay activate TOKEN`');
}

/**
 * Counts one failed sign-in (or unlock attempt). The fifth in a row locks the account — and turns
 * a self-lock into a failed-sign-in lock, so guessing at `okpay unlock` ends in the mailed-token
 * path too. The caller mails the notice with the unlock token whose hash is given here.
 */
export function recordFailedSignIn(state: State, userId: UserId, nowIso: string, unlockToken: TokenRecord): { user: User; lockedNow: boolean } {
  const user = requireUser(state, userId);
  if (user.lock && user.lock.reason !== 'self') return { user, lockedNow: false };
  const failedLogins = user.failedLogins + 1;
  if (failedLogins < MAX_FAILED_SIGN_INS) {
    const updated = { ...user, failedLogins };
    state.users[userId] = updated;
    return { user: updated, lockedNow: false };
  }
  const locked = lockAccount(state, userId, { reason: 'failed-logins', note: null, at: nowIso, by: null });
  const withToken: User = { ...locked, failedLogins, unlockToken };
  state.users[userId] = withToken;
  return { user: withToken, lockedNow: true };
}

export function recordSignIn(state: State, userId: UserId, nowIso: string): User {
  const user = requireUser(state, userId);
  const updated: User = { ...user, failedLogins: 0, lastLoginAt: nowIso };
  state.users[userId] = updated;
  return updated;
}

export function passwordAgeDays(user: User, nowMs: number): number {
  return Math.floor((nowMs - Date.parse(user.passwordChangedAt)) / (24 * 60 * 60 * 1000));
}

/** Profile details the seeds ask for after the first sign-in. */
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

export function openSession(state: State, tokenHash: string, userId: UserId, nowIso: string): void {
  state.sessions[tokenHash] = { userId, createdAt: nowIso, lastSeenAt: nowIso };
}

/** Ends every session of a user except `keep` (the one making the change, when it survives). */
export function revokeSessions(state: State, userId: UserId, keep: string | null): number {
  let count = 0;
  for (const [hash, session] of Object.entries(state.sessions)) {
    if (session.userId === userId && hash !== keep) {
      delete state.sessions[hash];
      count += 1;
    }
  }
  return count;
}

export function pruneSessions(state: State, nowMs: number): void {
  for (const [hash, session] of Object.entries(state.sessions)) {
    const check = checkSession(session, nowMs);
    if (check !== 'active' && (check === 'expired' || !session.endedByLockAt)) delete state.sessions[hash];
  }
}

function requireUser(state: State, userId: UserId): User {
  const user = state.users[userId];
  if (!user) fail('USER_NOT_FOUND', `no account has the id ${userId}`);
  return user;
}

export function updateUser(state: State, userId: UserId, change: (user: User) => User): User {
  const updated = change(requireUser(state, userId));
  state.users[userId] = updated;
  return updated;
}

export function requireRole(user: User, roles: readonly Role[], what: string): void {
  if (!roles.includes(user.role)) {
    fail('FORBIDDEN', `${what} needs the ${roles.join(' or ')} role; ${user.email} is a${user.role === 'admin' || user.role === 'agent' ? 'n' : ''} ${user.role}`);
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
