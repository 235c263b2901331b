// Running a use-case for the signed-in person: the session token is checked by the app layer's
// authenticate at the start of the same store transaction (or lock-free read) as the use-case.

import { authenticate, sessionTouchDue, type Access, type Actor } from '../app/authenticate.js';
import type { RecordsTransaction } from '../store/store.js';
import { sessionToken } from './auth.js';
import type { Context } from './context.js';

/** One atomic change made by the signed-in person. */
export async function asSignedIn<T>(ctx: Context, work: (t: RecordsTransaction, actor: Actor) => Promise<T>, access: Access = {}): Promise<T> {
  const token = await sessionToken(ctx);
  return ctx.store.transaction(async (t) => work(t, await authenticate(t, ctx.now().getTime(), token, access)));
}

/**
 * A look by the signed-in person, without the store lock. The session's last use is recorded by a
 * small write only when due (at most once a minute), so most reads write nothing.
 */
export async function lookSignedIn<T>(ctx: Context, work: (t: RecordsTransaction, actor: Actor) => Promise<T>, access: Access = {}): Promise<T> {
  const token = await sessionToken(ctx);
  const nowMs = ctx.now().getTime();
  let touch = false;
  const result = await ctx.store.read(async (t) => {
    touch = await sessionTouchDue(t, nowMs, token);
    return work(t, await authenticate(t, nowMs, token, access));
  });
  if (touch) await ctx.store.transaction((t) => authenticate(t, nowMs, token, access));
  return result;
}
