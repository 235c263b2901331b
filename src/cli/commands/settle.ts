// admin settle: everything that happens with the passing of time, as of "now" — payouts move on,
// unclaimed transfers older than 30 days go back, solved tickets close. Idempotent at a moment.

import type { Command } from 'commander';
import { closeSolvedTickets } from '../../app/agent.js';
import type { Transaction } from '../../domain/ledger.js';
import type { State, Withdrawal } from '../../domain/state.js';
import { planReturn } from '../../domain/wallet.js';
import { payoutMail, returnedTransferMail } from '../../domain/wallet-mails.js';
import { planCompletion, planRelease, settleSteps } from '../../domain/withdrawals.js';
import type { StoreTransaction } from '../../store/store.js';
import { audit, authenticate, sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, subcommand, type App } from '../kit.js';
import { formatMoney } from '../money.js';
import { payoutRef } from './withdraw.js';
import { compareCodeUnits } from '../../domain/order.js';

export interface SettleSummary {
  processing: number;
  completed: number;
  failed: number;
  unclaimedReturned: number;
  transactions: string[];
}

export function registerSettleCommand(admin: Command, app: App, extraSteps: readonly ((ctx: Context, t: StoreTransaction) => Promise<Record<string, number>>)[] = []): void {
  const command = subcommand(admin, 'settle', 'advance payouts, return unclaimed transfers after 30 days, close solved tickets — as of now');
  examples(command, ['okpay admin settle', 'OKPAY_NOW=2026-11-30T12:00:00Z okpay admin settle --json']);
  action(app, command, async (ctx) => {
    const token = await sessionToken(ctx);
    const summary = await ctx.store.transaction(async (t) => {
      const { user } = authenticate(ctx, t, token, { roles: ['admin'], what: '`okpay admin settle`' });
      const money = settleMoney(ctx, t);
      const extra: Record<string, number> = {};
      for (const step of extraSteps) Object.assign(extra, await step(ctx, t));
      const result = { ...money, ...extra } as SettleSummary & Record<string, number>;
      const counts = Object.fromEntries(Object.entries(result).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
      // A run that moved nothing leaves no trace: settle runs from cron, and a second run at the
      // same moment must leave the store exactly as the first one left it.
      if (Object.values(counts).some((n) => n > 0)) audit(ctx, t, 'admin.settle', user.id, null, counts);
      return result;
    });
    ctx.out.data({ settled: { at: ctx.now().toISOString(), ...summary } }, () => {
      const parts = Object.entries(summary).filter(([k, v]) => k !== 'transactions' && typeof v === 'number').map(([k, v]) => `${k}: ${v}`);
      ctx.out.success(`Settled as of ${ctx.now().toISOString()} — ${parts.join(', ')}.`);
    });
  });
}

function settleMoney(ctx: Context, t: StoreTransaction): SettleSummary {
  const nowMs = ctx.now().getTime();
  const nowIso = new Date(nowMs).toISOString();
  const summary: SettleSummary = { processing: 0, completed: 0, failed: 0, unclaimedReturned: 0, transactions: [] };
  const ref = payoutRef(ctx);
  for (const withdrawal of liveWithdrawals(t.state)) {
    for (const step of settleSteps(withdrawal, t.state.methods[withdrawal.methodId] ?? null, ref.calendars, ref.payouts, nowMs)) {
      if (step.kind === 'processing') {
        t.state.withdrawals[step.withdrawal.id] = step.withdrawal;
        summary.processing += 1;
        continue;
      }
      const tx = step.kind === 'complete' ? t.postNow(planCompletion(step.withdrawal, nowIso)) : t.postNow(planRelease(step.withdrawal, 'failed', 'the receiving account refused the payout', null, nowIso));
      summary[step.kind === 'complete' ? 'completed' : 'failed'] += 1;
      summary.transactions.push(tx.id);
      mailPayout(ctx, t, step.withdrawal, step.kind === 'complete' ? 'completed' : 'failed', tx);
    }
  }
  for (const item of Object.values(t.state.unclaimed).filter((u) => Date.parse(u.expiresAt) <= nowMs).sort((a, b) => compareCodeUnits(a.txId, b.txId))) {
    const tx = t.postNow(planReturn(item, nowIso));
    summary.unclaimedReturned += 1;
    summary.transactions.push(tx.id);
    const sender = t.state.users[item.senderId];
    if (sender) t.mail(returnedTransferMail(sender, item.toEmail ?? item.toPhone ?? '', formatMoney(ctx, item.amountMinor + item.feeMinor, item.currency), item.currency), nowIso);
  }
  return summary;
}

function liveWithdrawals(state: State): Withdrawal[] {
  return Object.values(state.withdrawals).sort((a, b) => compareCodeUnits(a.requestedAt, b.requestedAt) || compareCodeUnits(a.id, b.id));
}

function mailPayout(ctx: Context, t: StoreTransaction, w: Withdrawal, outcome: 'completed' | 'failed', tx: Transaction): void {
  const user = t.state.users[w.userId];
  if (!user) return;
  t.mail(payoutMail(user, outcome, formatMoney(ctx, w.amountMinor, w.currency), w.currency, w.methodLabel, outcome === 'failed' ? (tx.details.reason ?? null) : null), tx.at);
}

/** Solved tickets close seven days after they were solved; the customer is told. */
export async function closeSolved(ctx: Context, t: StoreTransaction): Promise<Record<string, number>> {
  const closed = await closeSolvedTickets(t, ctx, ctx.now().getTime());
  return { ticketsClosed: closed.length };
}
