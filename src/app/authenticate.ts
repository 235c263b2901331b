// Who is calling: a session token checked against the hashed sessions in the store, the account
// behind it (alive, unlocked) and the role the use-case needs. Every use-case that acts for a
// signed-in person starts here.

import { checkSession, lockedError, requireRole, SESSION_TOUCH_MS } from '../domain/accounts.js';
import { AppError } from '../domain/errors.js';
import { sha256Hex } from '../domain/hashing.js';
import type { Role, User } from '../domain/state.js';
import type { Records } from '../store/records.js';

export interface Actor {
  readonly user: User;
  /** sha256 of the session token: what the store keys sessions by. */
  readonly sessionHash: string;
}

export interface Access {
  readonly roles?: readonly Role[];
  /** What is being refused, for the FORBIDDEN message ("`okpay agent queue`"). */
  readonly what?: string;
}

const NOT_SIGNED_IN_HINT = 'sign in with `okpay login --email you@example.com`';

/**
 * The signed-in user, checked: session alive, account unlocked, role allowed. Records the
 * session's use when due (at most once a minute), so most reads write nothing.
 */
export async function authenticate(t: Records, nowMs: number, token: string | null, access: Access = {}): Promise<Actor> {
  if (!token) throw new AppError('NOT_LOGGED_IN', 'you are not signed in', { hint: NOT_SIGNED_IN_HINT });
  const sessionHash = sha256Hex(token);
  const session = await t.sessions.get(sessionHash);
  if (!session) throw new AppError('SESSION_EXPIRED', 'your session has ended (signed out, expired or revoked)', { hint: NOT_SIGNED_IN_HINT });
  if (session.endedByLockAt) {
    const owner = await t.users.get(session.userId);
    if (owner?.lock) throw lockedError(owner);
    throw new AppError('SESSION_EXPIRED', 'your session ended when the account was locked', { hint: NOT_SIGNED_IN_HINT });
  }
  const status = checkSession(session, nowMs);
  if (status !== 'active') {
    const why = status === 'idle' ? 'after 30 minutes without use' : 'after 12 hours';
    throw new AppError('SESSION_EXPIRED', `your session expired ${why}`, { hint: NOT_SIGNED_IN_HINT });
  }
  const user = await t.users.get(session.userId);
  if (!user) throw new AppError('SESSION_EXPIRED', 'your session belongs to an account that no longer exists', { hint: NOT_SIGNED_IN_HINT });
  if (user.lock) throw lockedError(user);
  if (access.roles) requireRole(user, access.roles, access.what ?? 'this command');
  if (nowMs - Date.parse(session.lastSeenAt) >= SESSION_TOUCH_MS) {
    t.sessions.put(sessionHash, { ...session, lastSeenAt: new Date(nowMs).toISOString() });
  }
  return { user, sessionHash };
}

/** True when authenticating at this moment would record the session's use (a write). */
export async function sessionTouchDue(t: Records, nowMs: number, token: string | null): Promise<boolean> {
  if (!token) return false;
  const session = await t.sessions.get(sha256Hex(token));
  return session !== null && nowMs - Date.parse(session.lastSeenAt) >= SESSION_TOUCH_MS;
}
