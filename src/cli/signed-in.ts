// Running a use-case for the signed-in person: the session token is checked by the app layer's
// authenticate at the start of the same store transaction (or lock-free read) as the use-case.

import { authenticate, type Access, type Actor } from '../app/authenticate.js';
import type { RecordsTransaction } from '../store/store.js';
import { readSignedIn, sessionToken } from './auth.js';
import type { Context } from './context.js';

/** One atomic change made by the signed-in person. */
export async function asSignedIn<T>(ctx: Context, work: (t: RecordsTransaction, actor: Actor) => Promise<T>, access: Access = {}): Promise<T> {
  const token = await sessionToken(ctx);
  return ctx.store.transaction(async (t) => work(t, await authenticate(t, ctx.now().getTime(), token, access)));
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
 * A look as the signed-in person, the actor checked in the same read: no store lock, nothing
 * written (an old store is read as it is), so it answers on a read-only store and beside a writer.
 */
export function lookAs<T>(ctx: Context, token: string | null, access: Access, work: (t: RecordsTransaction, actor: Actor) => Promise<T>): Promise<T> {
  return readSignedIn(ctx, token, work, access);
}

/** Carries a rehearsal's result out of the transaction it undoes. */
class Rehearsed<T> {
  constructor(readonly value: T) {}
}

/**
 * The change run exactly as it would be (prices, funds, limits, keys), then undone: the transaction
 * ends with a throw, so nothing is committed (--dry-run, and the fee total a batch is confirmed with).
 */
export async function rehearseSignedIn<T>(ctx: Context, work: (t: RecordsTransaction, actor: Actor) => Promise<T>): Promise<T> {
  try {
    await asSignedIn(ctx, async (t, actor) => {
      throw new Rehearsed(await work(t, actor));
    });
  } catch (error) {
    if (error instanceof Rehearsed) return (error as Rehearsed<T>).value;
    throw error;
  }
  throw new Error('a rehearsal committed');
}
