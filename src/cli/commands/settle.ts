// admin settle: everything that happens with the passing of time, as of "now" — payouts move on,
// unclaimed transfers older than 30 days go back (src/app/settle.ts), solved tickets close.
// Idempotent at a moment, but for money held back from an account with no room for it, which
// every run tries again, reports and audits.

import type { Command } from '@commander-js/extra-typings';
import { closeSolvedTickets } from '../../app/close-solved.js';
import { settleMoney, type HeldReturn } from '../../app/settle.js';
import type { RecordsTransaction } from '../../store/store.js';
import type { Context } from '../context.js';
import { action, examples, subcommand, type App } from '../command-builder.js';
import { asSignedIn } from '../signed-in.js';
import { formatMoney } from '../money-flags.js';

type SettleStep = (ctx: Context, t: RecordsTransaction) => Promise<Record<string, number>>;

export function registerSettleCommand(admin: Command, app: App, extraSteps: readonly SettleStep[] = []): void {
  const command = subcommand(
    admin,
    'settle',
    'advance payouts, return unclaimed transfers after 30 days, close solved tickets, remove expired quotes and idempotency keys — as of now',
  );
  examples(command, ['okpay admin settle', 'OKPAY_NOW=2026-11-30T12:00:00Z okpay admin settle --json']);
  action(app, command, async (ctx) => {
    const summary = await asSignedIn(
      ctx,
      async (t, actor) => {
        const extra: Record<string, number> = {};
        const money = await settleMoney(t, ctx);
        for (const step of extraSteps) Object.assign(extra, await step(ctx, t));
        const result = { ...money, heldReturns: money.heldReturns.map((held) => heldDocument(ctx, held)), ...extra };
        const counts = Object.fromEntries(Object.entries(result).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
        // A run that moved nothing leaves no trace: settle runs from cron, and a second run at the
        // same moment must leave the store exactly as the first one left it.
        if (Object.values(counts).some((n) => n > 0))
          t.audit({ at: ctx.now().toISOString(), type: 'admin.settle', actor: actor.user.id, subject: null, details: counts });
        return result;
      },
      { roles: ['admin'], what: '`okpay admin settle`' },
    );
    ctx.out.data({ settled: { at: ctx.now().toISOString(), ...summary } }, () => {
      ctx.out.success(`Settled as of ${ctx.out.time(ctx.now())}: ${settledSentence(summary)}.`);
      for (const held of summary.heldReturns)
        ctx.out.warn(
          `${held.amount} ${held.currency} could not go back to ${held.to} (${held.kind === 'failed-payout' ? 'failed payout' : 'unclaimed transfer'} ${held.id}): ` +
            `${held.reason}. It stays ${held.kind === 'failed-payout' ? 'held' : 'unclaimed'}; the next settle tries again.`,
        );
    });
  });
}

/** A return held back, for --json and the warning: whose, how much, and why. */
function heldDocument(ctx: Context, held: HeldReturn) {
  return {
    kind: held.kind,
    id: held.id,
    to: held.email ?? held.userId,
    amount: formatMoney(ctx, held.amountMinor, held.currency),
    currency: held.currency,
    code: held.refusal.code,
    reason: held.refusal.message,
  };
}

/** What a count of settle's summary means, in words: [one, several]. */
const SETTLED_WORDS: Readonly<Record<string, readonly [string, string]>> = {
  processing: ['payout started processing', 'payouts started processing'],
  completed: ['payout completed', 'payouts completed'],
  failed: ['payout failed', 'payouts failed'],
  unclaimedReturned: ['unclaimed transfer returned to its sender', 'unclaimed transfers returned to their senders'],
  returnsHeld: ['return held back (no room in its account)', 'returns held back (no room in their accounts)'],
  quotesPruned: ['expired quote removed', 'expired quotes removed'],
  idempotencyKeysPruned: ['expired idempotency key removed', 'expired idempotency keys removed'],
  ticketsClosed: ['solved ticket closed', 'solved tickets closed'],
};

/** "1 payout completed, 2 solved tickets closed", or "nothing was due" (the --json keys stay as they are). */
export function settledSentence(summary: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(summary)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number' && entry[1] > 0)
    .map(([key, count]) => {
      const [one, several] = SETTLED_WORDS[key] ?? [key, key];
      return `${count} ${count === 1 ? one : several}`;
    });
  return parts.length === 0 ? 'nothing was due' : parts.join(', ');
}

/** Solved tickets close seven days after they were solved; the customer is told. */
export async function closeSolved(ctx: Context, t: RecordsTransaction): Promise<Record<string, number>> {
  const closed = await closeSolvedTickets(t, ctx, ctx.now().getTime());
  return { ticketsClosed: closed.length };
}
