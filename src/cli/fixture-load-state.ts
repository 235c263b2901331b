// What a fixture load carries from entry to entry (the store transaction, the names defined so far
// and what `${name.field}` may read), and the helpers every kind of entry uses: refusals that name
// the file, the entry and the field; references; a clock stopped at the entry's moment.

import { AppError, isAppError, type ErrorCode } from '../domain/errors.js';
import { fixtureTime, resolveReferences } from '../domain/fixture-plan.js';
import type { FixtureUser } from '../domain/fixture-schemas.js';
import type { Transaction } from '../domain/ledger.js';
import type { User, Withdrawal } from '../domain/state.js';
import { normalizeEmail } from '../domain/validate.js';
import type { RecordsTransaction } from '../store/store.js';
import type { Context } from './context.js';
import { depsAt, type AppDeps } from '../app/ports.js';

export type LoadedIds = Record<string, string | number>;

export interface Loader {
  readonly ctx: Context;
  readonly t: RecordsTransaction;
  readonly hashes: ReadonlyMap<string, string>;
  /** name → fields that `${name.field}` may read */
  readonly values: Map<string, Record<string, string>>;
  readonly users: Map<string, User>;
  readonly transfers: Map<string, Transaction>;
  readonly withdrawals: Map<string, Withdrawal>;
  readonly tickets: Map<string, number>;
  readonly ids: LoadedIds;
  posted: number;
}

export function failAt(where: { file: string; entry: string }, field: string, message: string): never {
  throw new AppError('INVALID_FILE', `${where.file}: ${where.entry}: ${field}: ${message}`, { hint: 'nothing was written' });
}

/** Runs `work`, turning a refusal into a message that names the file, the entry and the field. */
export function at<T>(where: { file: string; entry: string }, field: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (!isAppError(error)) throw error;
    throw new AppError('INVALID_FILE', `${where.file}: ${where.entry}: ${field}: ${error.message}`, {
      hint: 'nothing was written',
      details: { cause: error.code },
    });
  }
}

export const resolve = (l: Loader, text: string): string => resolveReferences(text, l.values);

export const nowIso = (l: Loader, when: string | null): string => fixtureTime(when, l.ctx.now().getTime());

/** A user named in the fixtures, or by email. */
export async function userRef(l: Loader, where: FixtureUser['where'], field: string, text: string): Promise<User> {
  const resolved = resolve(l, text);
  const byName = l.users.get(resolved);
  if (byName) return (await l.t.users.get(byName.id)) ?? byName;
  const email = at(where, field, () => normalizeEmail(resolved));
  const user = await l.t.users.byEmail(email);
  return user ?? failAt(where, field, `no user ${email} (define it earlier in the fixtures)`);
}

export function post(l: Loader, tx: Parameters<RecordsTransaction['post']>[0]): Promise<Transaction> {
  l.posted += 1;
  return l.t.post(tx);
}

/** A use-case's journal entry, counted for `counts.transactions`. */
export async function counted<T>(l: Loader, posting: Promise<T>): Promise<T> {
  const posted = await posting;
  l.posted += 1;
  return posted;
}

/** The command's dependencies with the clock stopped at the entry's moment. */
export function depsOf(l: Loader, when: string): AppDeps {
  const moment = new Date(when);
  return depsAt(l.ctx, () => moment);
}

/** Like `at`, for work that waits on the store; `field` may depend on what was refused. */
export async function atAsync<T>(where: { file: string; entry: string }, field: string | ((code: ErrorCode) => string), work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isAppError(error)) throw error;
    const name = typeof field === 'string' ? field : field(error.code);
    throw new AppError('INVALID_FILE', `${where.file}: ${where.entry}: ${name}: ${error.message}`, {
      hint: 'nothing was written',
      details: { cause: error.code },
    });
  }
}
