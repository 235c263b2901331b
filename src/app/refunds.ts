// An agent's refund of a disputed payment: a reversing transaction, made once, tied to the
// customer's ticket (found by number), where the agent's reply tells the customer; above the
// documented amount only a tier-2 agent or a manager may make it.

import { AppError } from '../domain/errors.js';
import { userAccount, type Transaction } from '../domain/ledger.js';
import type { MinorUnits } from '../domain/money.js';
import { assertRefundTier, planRefund, refundDebits, refundValueUsdMinor, type RefundBooks } from '../domain/refunds.js';
import type { TxId } from '../domain/state.js';
import { ticketReplyMail } from '../domain/ticket-mails.js';
import { addAgentReply } from '../domain/tickets.js';
import type { TxView } from '../domain/tx-view.js';
import type { Records } from '../store/records.js';
import type { RecordsTransaction } from '../store/store.js';
import type { Actor } from './authenticate.js';
import { findTicket, saveTicket, supportData } from './desk.js';
import { visibleEntry } from './history.js';
import type { AppDeps } from './ports.js';
import { viewOf } from './tx-views.js';
import { audit } from './audit.js';

export interface RefundInput {
  /** The transaction to refund, as typed (txn_…). */
  readonly txText: string;
  readonly ticketNumber: number;
  readonly reason: string | null;
}

export interface Refunded {
  readonly view: TxView;
  readonly of: TxId;
}

export async function refund(t: RecordsTransaction, deps: AppDeps, actor: Actor, input: RefundInput): Promise<Refunded> {
  const agent = actor.user;
  const ticket = await findTicket(t, input.ticketNumber);
  const entry = await visibleEntry(t, input.txText, agent.id, true);
  assertRefundTier(agent, refundValueUsdMinor(entry.tx, deps.ref.rates, deps.ref.currencies), supportData(deps.ref).refunds, deps.ref.currencies);
  const nowIso = deps.now().toISOString();
  const request = { original: entry.tx, priorRefund: await t.refunds.get(entry.tx.id), agent, ticketNumber: ticket.number, ticketCustomerId: ticket.customerId, reason: input.reason, nowIso };
  const tx = await t.post(planRefund(request, await refundBooks(t, entry.tx), deps.ref.currencies));
  const customer = await t.users.get(ticket.customerId);
  if (!customer) throw new AppError('USER_NOT_FOUND', `the customer of ticket #${ticket.number} no longer exists`);
  // The ticket may be the payee's (money received by mistake) or about a deposit: then the money leaves their balance.
  const gained = tx.postings.some((p) => p.account === userAccount(ticket.customerId) && p.amountMinor > 0);
  const outcome = gained ? 'The money is back in your balance.' : 'The money went back where it came from, out of your balance.';
  const body = `We refunded ${entry.tx.id} (${tx.id})${input.reason ? `: ${input.reason}` : ''}. ${outcome}`;
  const updated = saveTicket(t, deps.ref, addAgentReply(ticket, agent, { body, faqId: null, status: null }, nowIso));
  t.mail(ticketReplyMail(customer, updated, body), nowIso);
  audit(t, nowIso, 'refund.issued', agent.id, ticket.customerId, { tx: tx.id, of: entry.tx.id, ticket: ticket.number });
  return { view: await viewOf(t, tx, ticket.customerId, [], deps.ref.currencies), of: entry.tx.id };
}

/** The balances the refund takes money from, and whose they are, read by key. */
export async function refundBooks(t: Records, original: Transaction): Promise<RefundBooks> {
  const balances: Record<string, Record<string, MinorUnits>> = {};
  const emails: Record<string, string> = {};
  for (const p of refundDebits(original)) {
    (balances[p.account] ??= {})[p.currency] = await t.balances.get(p.account, p.currency);
    const owner = await t.users.get(p.account.slice(5));
    if (owner) emails[owner.id] = owner.email;
  }
  return { balances, emails };
}
