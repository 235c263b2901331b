// Who is calling: the session token (from $OKPAY_SESSION or <data-dir>/session), checked against
// the hashed sessions in the store; the role a command needs; and second-factor checks.

import type { AuditValue } from '../domain/audit.js';
import { AppError } from '../domain/errors.js';
import { authenticate as authenticateActor, sessionTouchDue, type Access, type Actor } from '../app/authenticate.js';
import type { RecordsTransaction } from '../store/store.js';
import type { Context } from './context.js';
import { confirmOrRequireYes, promptText } from './prompts.js';
import { NEED_OTP } from '../app/second-factor.js';

export type SignedIn = Actor;

export async function sessionToken(ctx: Context): Promise<string | null> {
  if (ctx.env.session === undefined) return ctx.session.read();
  const token = ctx.env.session.trim();
  // `export OKPAY_SESSION=$(okpay login … --raw)` after a failed sign-in leaves it empty; falling
  // back to the saved session would act as whoever signed in last on this data directory.
  if (token === '')
    throw new AppError('NOT_LOGGED_IN', 'OKPAY_SESSION is set but empty', {
      hint: 'sign in again (`okpay login … --raw`), or unset OKPAY_SESSION to use the saved session',
    });
  return token;
}

/**
 * The signed-in user through the records (src/app/authenticate.ts): what converted commands use,
 * at the start of the transaction they act in.
 */
export function signedIn(ctx: Context, t: RecordsTransaction, token: string | null, options: Access = {}): Promise<Actor> {
  return authenticateActor(t, ctx.now().getTime(), token, options);
}

/**
 * For commands that only look: the session is checked on a lock-free read, and its last use is
 * recorded by a small write only when due (at most once a minute), so most reads write nothing;
 * never on a store of an older layout, which that write would upgrade (a read leaves it as it is).
 */
export async function readSignedIn<T>(
  ctx: Context,
  token: string | null,
  work: (t: RecordsTransaction, signed: SignedIn) => Promise<T> | T,
  options: Access = {},
): Promise<T> {
  const nowMs = ctx.now().getTime();
  let touch = false;
  const result = await ctx.store.read(async (t) => {
    touch = t.outdated !== true && (await sessionTouchDue(t, nowMs, token));
    return work(t, await authenticateActor(t, nowMs, token, options));
  });
  if (touch) await touchSession(ctx, nowMs, token, options);
  return result;
}

/**
 * Records a session's last use. Best effort: a store that cannot be written now (a read-only
 * disk, another writer holding it: not waited for) still answers the read, which was checked
 * already; the touch is made by a later command.
 */
async function touchSession(ctx: Context, nowMs: number, token: string | null, options: Access): Promise<void> {
  try {
    await ctx.store.transaction((t) => authenticateActor(t, nowMs, token, options), { wait: false });
  } catch (error) {
    if (!(error instanceof AppError) || (error.code !== 'STORE_UNAVAILABLE' && error.code !== 'STORE_LOCKED')) throw error;
  }
}

/**
 * The question of a destructive command, asked only of someone allowed to run it (the session and
 * role are checked on a lock-free read first); --yes answers it, and without a terminal it is needed.
 */
export async function confirmSignedIn(ctx: Context, token: string | null, access: Access, question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  await readSignedIn(ctx, token, () => undefined, access);
  await confirmOrRequireYes(ctx, question, yes);
}

export function audit(
  ctx: Context,
  t: RecordsTransaction,
  type: string,
  actor: string | null,
  subject: string | null,
  details: Record<string, AuditValue> = {},
): void {
  t.audit({ at: ctx.now().toISOString(), type, actor, subject, details });
}

export { NEED_OTP } from '../app/second-factor.js';

/**
 * Runs an attempt that may discover it needs a one-time code. With --otp the code goes in at
 * once; on a terminal the person is asked and the attempt runs again; otherwise it is a usage
 * error naming --otp. The store lock is never held while waiting for a person.
 */
export async function withOtp<T>(ctx: Context, otp: string | undefined, attempt: (code: string | undefined) => Promise<T | typeof NEED_OTP>): Promise<T> {
  const first = await attempt(otp);
  if (first !== NEED_OTP) return first;
  if (!ctx.io.stdinIsTTY) {
    throw new AppError('USAGE', 'this account uses two-step verification: a one-time code is required', {
      hint: 'pass --otp CODE (from your authenticator app, or a recovery code)',
    });
  }
  const code = (await promptText(ctx, 'Code from your authenticator app (or a recovery code):', 'pass --otp CODE')).trim();
  const second = await attempt(code);
  if (second === NEED_OTP) throw new AppError('BAD_OTP', 'no code was given');
  return second;
}
