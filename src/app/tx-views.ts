// How a transaction looks to its viewer, with its status now: the few records a view needs (a
// refund, a waiting unclaimed transfer, a payout in flight, the emails it names), read by key.

import type { Transaction } from '../domain/ledger.js';
import type { Currency } from '../domain/money.js';
import type { UserId } from '../domain/state.js';
import { usersNamedBy, viewTransaction, type TxFacts, type TxView } from '../domain/tx-view.js';
import type { Records } from '../store/records.js';

export async function txFacts(t: Records, tx: Transaction): Promise<TxFacts> {
  const emails: Record<UserId, string> = {};
  for (const id of usersNamedBy(tx)) {
    const user = await t.users.get(id);
    if (user) emails[id] = user.email;
  }
  return {
    refundedBy: await t.refunds.get(tx.id),
    stillUnclaimed: tx.type === 'transfer.unclaimed' && (await t.unclaimed.get(tx.id)) !== null,
    liveWithdrawal: tx.type === 'withdrawal.hold' ? await t.withdrawals.byHoldTx(tx.id) : null,
    emails,
  };
}

/** `followUps`: later transactions that may link to `tx` (claims, returns, refunds, payout ends). */
export async function viewOf(
  t: Records,
  tx: Transaction,
  viewerId: UserId | null,
  followUps: readonly Transaction[],
  currencies: readonly Currency[],
): Promise<TxView> {
  return viewTransaction(await txFacts(t, tx), tx, viewerId, followUps, currencies);
}

/** Views of several transactions, in the order given. */
export async function viewsOf(
  t: Records,
  txs: readonly Transaction[],
  viewerId: UserId | null,
  followUpsOf: (tx: Transaction) => readonly Transaction[],
  currencies: readonly Currency[],
): Promise<TxView[]> {
  const views: TxView[] = [];
  for (const tx of txs) views.push(await viewOf(t, tx, viewerId, followUpsOf(tx), currencies));
  return views;
}
