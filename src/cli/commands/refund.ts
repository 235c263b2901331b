// agent refund TX_ID --ticket N: a reversing transaction for a disputed payment, made once, tied
// to the customer's ticket (noted there and mailed), and above the documented amount only by a
// tier-2 agent or a manager.

import type { Command } from 'commander';
import { AppError } from '../../domain/errors.js';
import { userAccount } from '../../domain/ledger.js';
import { assertRefundTier, planRefund, refundValueUsdMinor } from '../../domain/refunds.js';
import { parseSupport } from '../../domain/support.js';
import { ticketReplyMail } from '../../domain/ticket-mails.js';
import { addAgentReply, parseTicketNumber } from '../../domain/tickets.js';
import { findTicket, saveTicket } from '../../app/desk.js';
import { viewOf } from '../../app/tx-views.js';
import { audit, authenticate, sessionToken } from '../auth.js';
import { action, examples, subcommand, type App } from '../kit.js';
import { confirmOrRequireYes } from '../prompts.js';
import { visibleEntry } from '../../app/history.js';

export function registerAgentLedgerCommands(agent: Command, app: App): void {
  const refund = subcommand(agent, 'refund', 'refund a disputed payment with a reversing transaction (once; tied to a ticket)')
    .argument('<tx>', 'the transaction to refund, e.g. txn_0000000042')
    .requiredOption('--ticket <number>', 'the customer’s ticket about it')
    .option('--reason <text>', 'why, for the record (shown to the customer)')
    .option('--yes', 'do not ask for confirmation');
  examples(refund, ['okpay agent refund txn_0000000042 --ticket 12 --reason "goods never shipped" --yes']);
  action<{ ticket: string; reason?: string; yes?: boolean }>(app, refund, async (ctx, o, [txText]) => {
    const number = parseTicketNumber(o.ticket);
    const reason = o.reason?.trim() ? o.reason.trim().slice(0, 300) : null;
    await confirmOrRequireYes(ctx, `Refund ${txText} for ticket #${number}?`, o.yes);
    const token = await sessionToken(ctx);
    const result = await ctx.store.transaction(async (t) => {
      const { user: agentUser } = authenticate(ctx, t, token, { roles: ['agent'], what: '`okpay agent refund`' });
      const ticket = await findTicket(t, number);
      const entry = await visibleEntry(t, txText ?? '', agentUser.id, true);
      const rule = ctx.ref.load('support.json', parseSupport).refunds;
      assertRefundTier(agentUser, refundValueUsdMinor(entry.tx, ctx.ref.rates, ctx.ref.currencies), rule, ctx.ref.currencies);
      const nowIso = ctx.now().toISOString();
      const tx = t.postNow(planRefund({ original: entry.tx, priorRefund: t.state.refunds[entry.tx.id] ?? null, agent: agentUser, ticketNumber: number, ticketCustomerId: ticket.customerId, reason, nowIso }, { balances: t.state.balances, emails: Object.fromEntries(Object.values(t.state.users).map((u) => [u.id, u.email])) }, ctx.ref.currencies));
      const customer = t.state.users[ticket.customerId];
      if (!customer) throw new AppError('USER_NOT_FOUND', `the customer of ticket #${number} no longer exists`);
      // The ticket may be the payee's (money received by mistake) or about a deposit: then the money leaves their balance.
      const gained = tx.postings.some((p) => p.account === userAccount(ticket.customerId) && p.amountMinor > 0);
      const outcome = gained ? 'The money is back in your balance.' : 'The money went back where it came from, out of your balance.';
      const body = `We refunded ${entry.tx.id} (${tx.id})${reason ? `: ${reason}` : ''}. ${outcome}`;
      const updated = saveTicket(t, ctx.ref, addAgentReply(ticket, agentUser, { body, faqId: null, status: null }, nowIso));
      t.mail(ticketReplyMail(customer, updated, body), nowIso);
      audit(ctx, t, 'refund.issued', agentUser.id, ticket.customerId, { tx: tx.id, of: entry.tx.id, ticket: number });
      return { view: await viewOf(t, tx, ticket.customerId, [], ctx.ref.currencies), of: entry.tx.id };
    });
    ctx.out.data({ refund: result.view, of: result.of, ticket: number }, () => ctx.out.success(`Refunded ${result.of} with ${result.view.id}; the customer was told on ticket #${number}.`));
  });
}
