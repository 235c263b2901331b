// An agent's refund of a disputed transfer: a reversing transaction, made once, on the payer's
// ticket about that transfer (found by number), where the agent's reply tells the customer and a
// mail tells the payee. No agent refunds a transfer or on a ticket they are a party to; above the
// documented amount only a tier-2 agent or a manager may make it, and above the four-eyes amount
// one agent requests it (kept on the ticket) and a second one approves it.

import { AppError } from '../domain/errors.js';
import { assertNotOwnTicket, assertNotParty, fourEyesStep } from '../domain/duties.js';
import type { Transaction } from '../domain/ledger.js';
import type { MinorUnits } from '../domain/money.js';
import { assertRefundTier, needsSecondAgent, planRefund, refundDebits, refundValueUsdMinor, type RefundBooks, type RefundRequest } from '../domain/refunds.js';
import type { TxId, User } from '../domain/state.js';
import { ticketReplyMail } from '../domain/ticket-mails.js';
import { type Ticket } from '../domain/ticket-record.js';
import { addAgentReply, addNote } from '../domain/tickets.js';
import type { TxView } from '../domain/tx-view.js';
import { paymentRefundedMail } from '../domain/wallet-mails.js';
import type { Records } from '../store/records.js';
import type { RecordsTransaction } from '../store/store.js';
import type { Actor } from './authenticate.js';
import { findTicket, saveTicket, supportData } from './desk.js';
import { visibleEntry } from './history.js';
import type { AppDeps } from './ports.js';
import { viewOf } from './tx-views.js';
import { audit } from './audit.js';
import { formatMinor } from './wallet.js';

export interface RefundInput {
  /** The transaction to refund, as typed (txn_…). */
  readonly txText: string;
  readonly ticketNumber: number;
  readonly reason: string | null;
}

export interface RefundApproval {
  readonly status: 'pending' | 'approved';
  readonly requestedBy: string;
  readonly approvedBy: string | null;
  readonly aboveAmount: string;
  readonly currency: string;
}

export interface Refunded {
  /** The refund, or null while it waits for a second agent. */
  readonly view: TxView | null;
  readonly of: TxId;
  /** Set when the refund needed four eyes. */
  readonly approval: RefundApproval | null;
}

export async function refund(t: RecordsTransaction, deps: AppDeps, actor: Actor, input: RefundInput): Promise<Refunded> {
  const agent = actor.user;
  const ticket = await findTicket(t, input.ticketNumber);
  const original = (await visibleEntry(t, input.txText, agent.id, true)).tx;
  assertNotParty(agent, original);
  assertNotOwnTicket(agent, ticket);
  const rule = supportData(deps.ref).refunds;
  const valueUsdMinor = refundValueUsdMinor(original, deps.ref.rates, deps.ref.currencies);
  assertRefundTier(agent, valueUsdMinor, rule, deps.ref.currencies);
  const nowIso = deps.now().toISOString();
  const request = await refundRequest(t, original, agent, ticket, input.reason, nowIso);
  const books = await refundBooks(t, original);
  const plan = planRefund(request, books, deps.ref.currencies);
  if (!needsSecondAgent(valueUsdMinor, rule, deps.ref.currencies))
    return { ...(await issue(t, deps, ticket, original, plan, agent, input.reason)), approval: null };
  const fourEyes = { aboveAmount: rule.fourEyesAboveAmount, currency: rule.currency };
  const pending = ticket.refundRequest ?? null;
  if (fourEyesStep(pending, original.id, agent) === 'request') {
    requestApproval(t, deps, ticket, original, agent, nowIso);
    return { view: null, of: original.id, approval: { status: 'pending', requestedBy: agent.email, approvedBy: null, ...fourEyes } };
  }
  const requester = pending ? await t.users.get(pending.requestedBy) : null;
  if (!requester) throw new AppError('USER_NOT_FOUND', `the agent who requested this refund no longer exists`, { hint: 'request it again' });
  const approved = planRefund({ ...request, agent: requester, approvedBy: agent.id }, books, deps.ref.currencies);
  const cleared = saveTicket(
    t,
    deps.ref,
    addNote({ ...ticket, refundRequest: null }, agent, `Refund of ${original.id} approved by ${agent.email}; requested by ${requester.email}.`, nowIso),
  );
  const done = await issue(t, deps, cleared, original, approved, agent, input.reason);
  return { ...done, approval: { status: 'approved', requestedBy: requester.email, approvedBy: agent.email, ...fourEyes } };
}

/** The first of two agents: the request is kept on the ticket, noted for the other agents, and audited. */
function requestApproval(t: RecordsTransaction, deps: AppDeps, ticket: Ticket, original: Transaction, agent: User, nowIso: string): void {
  const rule = supportData(deps.ref).refunds;
  const note = `Refund of ${original.id} requested by ${agent.email}: above ${rule.fourEyesAboveAmount} ${rule.currency} a second agent approves it with \`okpay agent refund ${original.id} --ticket ${ticket.number}\`.`;
  const requested = { ...ticket, refundRequest: { txId: original.id, requestedBy: agent.id, requestedAt: nowIso } };
  saveTicket(t, deps.ref, addNote(requested, agent, note, nowIso));
  audit(t, nowIso, 'refund.requested', agent.id, ticket.customerId, { of: original.id, ticket: ticket.number });
}

/** Posts the refund, answers on the ticket, mails the payee and audits both agents. */
async function issue(
  t: RecordsTransaction,
  deps: AppDeps,
  ticket: Ticket,
  original: Transaction,
  plan: ReturnType<typeof planRefund>,
  agent: User,
  reason: string | null,
): Promise<{ view: TxView; of: TxId }> {
  const nowIso = plan.at;
  const tx = await t.post(plan);
  const customer = await t.users.get(ticket.customerId);
  if (!customer) throw new AppError('USER_NOT_FOUND', `the customer of ticket #${ticket.number} no longer exists`);
  const body = `We refunded ${original.id} (${tx.id})${reason ? `: ${reason}` : ''}. The money is back in your balance.`;
  const updated = saveTicket(t, deps.ref, addAgentReply(ticket, agent, { body, faqId: null, status: null }, nowIso));
  const thread = (await t.mailImports.ofTicket(ticket.number)).map((imported) => imported.messageId);
  t.mail(ticketReplyMail(customer, updated, body, thread), nowIso);
  await tellPayee(t, deps, original, customer);
  const approvedBy = tx.details.approvedBy ?? null;
  audit(t, nowIso, 'refund.issued', agent.id, ticket.customerId, {
    tx: tx.id,
    of: original.id,
    ticket: ticket.number,
    requestedBy: tx.details.initiator,
    approvedBy,
  });
  return { view: await viewOf(t, tx, ticket.customerId, [], deps.ref.currencies), of: original.id };
}

/** The payee gave the money back: they are told what, to whom and why. */
async function tellPayee(t: RecordsTransaction, deps: AppDeps, original: Transaction, payer: User): Promise<void> {
  const payeeId = original.details.recipient?.userId;
  const payee = payeeId ? await t.users.get(payeeId) : null;
  const amountMinor = original.details.receiveAmountMinor ?? original.details.amountMinor ?? 0;
  const currency = original.details.receiveCurrency ?? original.details.currency ?? 'USD';
  if (payee)
    t.mail(paymentRefundedMail(payee, payer.name ?? payer.email, formatMinor(deps, amountMinor, currency), currency, original.id), deps.now().toISOString());
}

/** A refund of `original` by one agent on the customer's ticket, with any refund it already had. */
export async function refundRequest(
  t: Records,
  original: Transaction,
  agent: User,
  ticket: Ticket,
  reason: string | null,
  nowIso: string,
): Promise<RefundRequest> {
  return {
    original,
    priorRefund: await t.refunds.get(original.id),
    agent,
    ticketNumber: ticket.number,
    ticketCustomerId: ticket.customerId,
    ticketTxId: ticket.txId,
    approvedBy: null,
    reason,
    nowIso,
  };
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
