// A fixture file's `expect` section, checked against the store as the load left it: balances and
// held amounts, statuses of named entries, and counts of users, agents, transactions and tickets.

import type { FixtureExpect } from '../domain/fixture-plan.js';
import { COUNTABLE } from '../domain/fixture-schemas.js';
import { holdAccount, userAccount } from '../domain/ledger.js';
import { findCurrency, formatAmount, parseAmount } from '../domain/money.js';
import { ACTIVE_STATUSES } from '../domain/ticket-record.js';
import { txStatus } from '../domain/tx-view.js';
import { at, type Loader } from './fixture-load-state.js';

export async function checkExpectation(l: Loader, e: FixtureExpect): Promise<string[]> {
  const failures: string[] = [];
  const { ctx, t } = l;
  const money = async (field: 'balances' | 'held', read: (userId: string, code: string) => Promise<number>) => {
    for (const [name, amounts] of Object.entries(e[field])) {
      const user = l.users.get(name);
      for (const [code, expected] of Object.entries(amounts)) {
        const currency = at(e.where, `${field}.${name}.${code}`, () => findCurrency(ctx.ref.currencies, code));
        const want = at(e.where, `${field}.${name}.${code}`, () => parseAmount(expected, currency, { allowZero: true, ignoreMaximum: true }));
        const have = user ? await read(user.id, code) : 0;
        if (have !== want) failures.push(`${field}.${name}.${code} is ${formatAmount(have, currency)}, expected ${expected}`);
      }
    }
  };
  await money('balances', (id, code) => t.balances.get(userAccount(id), code));
  await money('held', (id, code) => t.balances.get(holdAccount(id), code));
  for (const [name, expected] of Object.entries(e.statuses)) {
    const actual = await statusOf(l, name);
    if (actual !== expected) failures.push(`statuses.${name} is ${actual}, expected ${expected}`);
  }
  for (const [key, expected] of Object.entries(e.counts)) {
    const actual = await countOf(l, key as (typeof COUNTABLE)[number]);
    if (actual !== expected) failures.push(`counts.${key} is ${actual}, expected ${expected}`);
  }
  return failures;
}

async function statusOf(l: Loader, name: string): Promise<string> {
  const { t } = l;
  const tx = l.transfers.get(name);
  if (tx)
    return txStatus(
      { refundedBy: await t.refunds.get(tx.id), stillUnclaimed: (await t.unclaimed.get(tx.id)) !== null, liveWithdrawal: null, emails: {} },
      tx,
      [],
    );
  const withdrawal = l.withdrawals.get(name);
  if (withdrawal) return (await t.withdrawals.get(withdrawal.id))?.status ?? withdrawal.status;
  const number = l.tickets.get(name);
  return number === undefined ? 'unknown' : ((await t.tickets.get(number))?.status ?? 'unknown');
}

/** Counts walk whole kinds a page at a time: fixture stores are small, and this runs only for `expect`. */
async function countOf(l: Loader, key: (typeof COUNTABLE)[number]): Promise<number> {
  const { t } = l;
  switch (key) {
    case 'users':
      return countIn(t.users.scan(PAGE), (u) => u.role === 'user');
    case 'agents':
      return countIn(t.users.scan(PAGE), (u) => u.role === 'agent');
    case 'transactions':
      return t.journal.head().seq + l.posted;
    case 'withdrawalsInFlight':
      return countIn(t.withdrawals.scan(PAGE), () => true);
    case 'tickets':
      return countIn(t.tickets.scan(PAGE), () => true);
    case 'openTickets':
      return countIn(t.tickets.scan(PAGE), (x) => ACTIVE_STATUSES.includes(x.status));
  }
}

const PAGE = 500;

async function countIn<T>(pages: AsyncIterable<T[]>, keep: (item: T) => boolean): Promise<number> {
  let count = 0;
  for await (const page of pages) count += page.filter(keep).length;
  return count;
}
