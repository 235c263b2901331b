// Applies a checked fixture plan in one store transaction, through the same use-cases the commands
// use (src/app: deposits, transfers, withdrawals), each entry on a clock stopped at its moment,
// then checks the `expect` sections. Any failure leaves the store as it was.

import { AppError } from '../domain/errors.js';
import type { FixtureEntry, FixturePlan } from '../domain/fixture-plan.js';
import { checkPasswordPolicy } from '../domain/validate.js';
import type { RecordsTransaction } from '../store/store.js';
import type { Context } from './context.js';
import { checkExpectation } from './fixture-expectations.js';
import { at, type LoadedIds, type Loader } from './fixture-load-state.js';
import { applyTransfer, applyWithdrawal } from './fixture-payments.js';
import { applyTicket } from './fixture-tickets.js';
import { applyUser } from './fixture-users.js';

/** Passwords are checked and hashed before the store is touched (bcrypt is slow; hash each once). */
export async function hashFixturePasswords(ctx: Context, plan: FixturePlan): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const entry of plan.entries) {
    if (entry.kind !== 'user' || hashes.has(entry.value.password)) continue;
    at(entry.value.where, 'password', () => checkPasswordPolicy(entry.value.password));
    hashes.set(entry.value.password, await ctx.passwords.hash(entry.value.password));
  }
  return hashes;
}

export async function applyFixtures(ctx: Context, t: RecordsTransaction, plan: FixturePlan, hashes: ReadonlyMap<string, string>): Promise<LoadedIds> {
  const loader: Loader = {
    ctx,
    t,
    hashes,
    values: new Map(),
    users: new Map(),
    transfers: new Map(),
    withdrawals: new Map(),
    tickets: new Map(),
    ids: {},
    posted: 0,
  };
  const checkAfter = async (applied: number) => {
    const failures: string[] = [];
    for (const e of plan.expectations.filter((x) => x.afterEntries === applied))
      failures.push(...(await checkExpectation(loader, e)).map((f) => `${e.where.file}: ${f}`));
    if (failures.length > 0) {
      throw new AppError('EXPECTATION_FAILED', `the fixtures loaded but their expectations did not hold: ${failures.join('; ')}`, {
        hint: 'nothing was written; fix the fixtures or their expect section',
      });
    }
  };
  await checkAfter(0);
  for (const [index, entry] of plan.entries.entries()) {
    await applyEntry(loader, entry);
    await checkAfter(index + 1);
  }
  t.meta.markTestStore();
  t.audit({
    at: ctx.now().toISOString(),
    type: 'fixtures.loaded',
    actor: null,
    subject: null,
    details: { entries: plan.entries.length, transactions: loader.posted },
  });
  return loader.ids;
}

async function applyEntry(l: Loader, entry: FixtureEntry): Promise<void> {
  switch (entry.kind) {
    case 'user':
      return applyUser(l, entry.value);
    case 'transfer':
      return applyTransfer(l, entry.value);
    case 'withdrawal':
      return applyWithdrawal(l, entry.value);
    case 'ticket':
      return applyTicket(l, entry.value);
  }
}
