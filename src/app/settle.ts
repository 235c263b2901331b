// What happens to money with the passing of time, as of now: payouts move on (processing,
// completed, or failed for documented test accounts), and money nobody claimed within 30 days goes
// back to its sender. Running it twice at the same moment finds nothing left to do.

import type { Transaction } from '../domain/ledger.js';
import type { Withdrawal } from '../domain/state.js';
import { planReturn } from '../domain/wallet.js';
import { payoutMail, returnedTransferMail } from '../domain/wallet-mails.js';
import { planCompletion, planRelease, settleSteps } from '../domain/withdrawals.js';
import type { RecordsTransaction } from '../store/store.js';
import type { AppDeps } from './ports.js';
import { formatMinor } from './wallet.js';
import { payoutRef } from './withdrawals.js';

/** At most this many payouts and as many returns per run: a backlog larger than that takes more runs. */
export const SETTLE_BATCH = 10_000;

export interface SettleSummary {
  processing: number;
  completed: number;
  failed: number;
  unclaimedReturned: number;
  transactions: string[];
}

export async function settleMoney(t: RecordsTransaction, deps: AppDeps): Promise<SettleSummary> {
  const nowMs = deps.now().getTime();
  const summary: SettleSummary = { processing: 0, completed: 0, failed: 0, unclaimedReturned: 0, transactions: [] };
  for (const withdrawal of await t.withdrawals.inFlight(SETTLE_BATCH)) await advancePayout(t, deps, withdrawal, nowMs, summary);
  await returnUnclaimed(t, deps, new Date(nowMs).toISOString(), summary);
  return summary;
}

async function advancePayout(t: RecordsTransaction, deps: AppDeps, withdrawal: Withdrawal, nowMs: number, summary: SettleSummary): Promise<void> {
  const ref = payoutRef(deps);
  const nowIso = new Date(nowMs).toISOString();
  for (const step of settleSteps(withdrawal, await t.methods.get(withdrawal.methodId), ref.calendars, ref.payouts, nowMs)) {
    if (step.kind === 'processing') {
      t.withdrawals.put(step.withdrawal);
      summary.processing += 1;
      continue;
    }
    const tx = await t.post(step.kind === 'complete' ? planCompletion(step.withdrawal, nowIso) : planRelease(step.withdrawal, 'failed', 'the receiving account refused the payout', null, nowIso));
    summary[step.kind === 'complete' ? 'completed' : 'failed'] += 1;
    summary.transactions.push(tx.id);
    await mailPayout(t, deps, step.withdrawal, step.kind === 'complete' ? 'completed' : 'failed', tx);
  }
}

async function mailPayout(t: RecordsTransaction, deps: AppDeps, w: Withdrawal, outcome: 'completed' | 'failed', tx: Transaction): Promise<void> {
  const user = await t.users.get(w.userId);
  if (!user) return;
  t.mail(payoutMail(user, outcome, formatMinor(deps, w.amountMinor, w.currency), w.currency, w.methodLabel, outcome === 'failed' ? (tx.details.reason ?? null) : null), tx.at);
}

async function returnUnclaimed(t: RecordsTransaction, deps: AppDeps, nowIso: string, summary: SettleSummary): Promise<void> {
  for (const item of await t.unclaimed.expiredBy(nowIso, SETTLE_BATCH)) {
    const tx = await t.post(planReturn(item, nowIso));
    summary.unclaimedReturned += 1;
    summary.transactions.push(tx.id);
    const sender = await t.users.get(item.senderId);
    if (sender) t.mail(returnedTransferMail(sender, item.toEmail ?? item.toPhone ?? '', formatMinor(deps, item.amountMinor + item.feeMinor, item.currency), item.currency), nowIso);
  }
}
