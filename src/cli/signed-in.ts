// Running a use-case for the signed-in person: the session token is checked by the app layer's
// authenticate at the start of the same store transaction (or lock-free read) as the use-case.

import { authenticate, type Access, type Actor } from '../app/authenticate.js';
import { AppError } from '../domain/errors.js';
import { sha256Hex } from '../domain/hashing.js';
import { isReadOnlyError, type RecordsTransaction, type TransactionOptions } from '../store/store.js';
import { readSignedIn, sessionToken } from './auth.js';
import type { Context } from './context.js';

/**
 * One atomic change made by the signed-in person. `ahead`: what the change needs from outside the
 * store (its data files), made ready while the store waits for its locks, and what it reads after
 * the session, when known (TransactionOptions.prepare and readAhead).
 */
export async function asSignedIn<T>(
  ctx: Context,
  work: (t: RecordsTransaction, actor: Actor) => Promise<T>,
  access: Access = {},
  ahead: Pick<TransactionOptions, 'prepare' | 'readAhead'> = {},
): Promise<T> {
  const token = await sessionToken(ctx);
  const readAhead = token === null ? ahead.readAhead : { ...ahead.readAhead, sessionHash: sha256Hex(token) };
  return ctx.store.transaction(async (t) => work(t, await authenticate(t, ctx.now().getTime(), token, access)), { ...ahead, readAhead });
}

/** A look by the signed-in person, without the store lock (see readSignedIn). */
export async function lookSignedIn<T>(ctx: Context, work: (t: RecordsTransaction, actor: Actor) => Promise<T>, access: Access = {}): Promise<T> {
  return readSignedIn(ctx, await sessionToken(ctx), work, access);
}

/** One store transaction as the signed-in person: the actor is checked at its start. */
export function actAs<T>(ctx: Context, token: string | null, access: Access, work: (t: RecordsTransaction, actor: Actor) => Promise<T>): Promise<T> {
  return ctx.store.transaction(async (t) => work(t, await authenticate(t, ctx.now().getTime(), token, access)));
}

/**
 * A look that writes an audit entry (an agent's look at a ticket or a customer: every agent action
 * is audited), so a change: on a store that cannot be written, it says that, not which file failed.
 */
export async function auditedLookAs<T>(
  ctx: Context,
  token: string | null,
  access: Access,
  what: string,
  work: (t: RecordsTransaction, actor: Actor) => Promise<T>,
): Promise<T> {
  try {
    return await actAs(ctx, token, access, work);
  } catch (error) {
    if (!isReadOnlyError(error)) throw error;
    throw new AppError('STORE_UNAVAILABLE', `${what} writes an audit entry, and the store at ${ctx.store.location} is read-only; nothing was shown`, {
      hint: 'every agent action is audited, so it needs a store that can be written; looks that are not audited (agent queue, ticket why) still answer',
    });
  }
}

/**
 * A look as the signed-in person, the actor checked in the same read: no store lock, nothing
 * written (an old store is read as it is), so it answers on a read-only store and beside a writer.
 */
export function lookAs<T>(ctx: Context, token: string | null, access: Access, work: (t: RecordsTransaction, actor: Actor) => Promise<T>): Promise<T> {
  return readSignedIn(ctx, token, work, access);
}

/**
 * The change run exactly as it would be (prices, funds, limits, keys) on a lock-free read, whose
 * writes are all dropped: nothing is committed, no lock is waited for, an old store layout is read
 * as it is, and a read-only store answers (--dry-run, and the fee total a batch is confirmed with).
 */
export function rehearseSignedIn<T>(ctx: Context, work: (t: RecordsTransaction, actor: Actor) => Promise<T>): Promise<T> {
  return lookSignedIn(ctx, (t, actor) => {
    t.rehearse();
    return work(t, actor);
  });
}
