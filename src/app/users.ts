// Account changes that touch more than the user record: a lock ends the account's sessions, a
// password or 2FA change ends the other ones. Shared by the account, desk and fixture use-cases.

import { endSessionByLock, lockAccount, requireUserByEmail, sessionIsStale } from '../domain/accounts.js';
import type { AccountLock, User, UserId } from '../domain/state.js';
import type { Records } from '../store/records.js';

/** The account with this (normalised) email, or USER_NOT_FOUND. */
export async function userByEmail(t: Records, email: string): Promise<User> {
  return requireUserByEmail(await t.users.byEmail(email), email);
}

/** Stores the user locked and ends each of its sessions, remembering why for the next command. */
export async function lockUser(t: Records, user: User, lock: AccountLock): Promise<User> {
  const locked = lockAccount(user, lock);
  t.users.put(locked);
  await endSessionsByLock(t, user.id, lock.at);
  return locked;
}

export async function endSessionsByLock(t: Records, userId: UserId, atIso: string): Promise<void> {
  for (const hash of await t.sessions.ofUser(userId)) {
    const session = await t.sessions.get(hash);
    if (session) t.sessions.put(hash, endSessionByLock(session, atIso));
  }
}

/** Ends every session of a user except `keep` (the one making the change, when it survives). */
export async function revokeSessions(t: Records, userId: UserId, keep: string | null): Promise<number> {
  const ended = (await t.sessions.ofUser(userId)).filter((hash) => hash !== keep);
  for (const hash of ended) t.sessions.delete(hash);
  return ended.length;
}

/** Forgets a user's sessions that no longer work (a lock's markers stay until they would expire). */
export async function pruneSessions(t: Records, userId: UserId, nowMs: number): Promise<void> {
  for (const hash of await t.sessions.ofUser(userId)) {
    const session = await t.sessions.get(hash);
    if (session && sessionIsStale(session, nowMs)) t.sessions.delete(hash);
  }
}
