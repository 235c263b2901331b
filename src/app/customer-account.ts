// A customer's account as an agent sees it and changes it: `agent user show` (profile, lock,
// balances, recent transactions) and `agent lock` / `agent unlock`. Each is audited, and noted on
// the customer's ticket when one is named.

import { describeUser, explainLock, unlockAccount } from '../domain/accounts.js';
import { lockNoticeMail, unlockedMail } from '../domain/account-mails.js';
import { AppError } from '../domain/errors.js';
import { holdAccount, userAccount, type Transaction } from '../domain/ledger.js';
import { findCurrency, formatAmount } from '../domain/money.js';
import type { User } from '../domain/state.js';
import type { Ticket } from '../domain/ticket-record.js';
import { addNote } from '../domain/tickets.js';
import { followUpsOf, type TxView } from '../domain/tx-view.js';
import { viewsOf } from './tx-views.js';
import type { Records } from '../store/records.js';
import type { RecordsTransaction } from '../store/store.js';
import type { Actor } from './authenticate.js';
import { findTicket, saveTicket } from './desk.js';
import type { AppDeps } from './ports.js';
import { lockUser, userByEmail } from './users.js';
import { requireAgent } from './agent.js';

/** When an action names a ticket, it must be the customer's; the action is then noted on it. */
async function ticketOfCustomer(t: Records, number: number | null, customer: User): Promise<Ticket | null> {
  if (number === null) return null;
  const ticket = await findTicket(t, number);
  if (ticket.customerId !== customer.id) throw new AppError('CUSTOMER_MISMATCH', `ticket #${ticket.number} is not from ${customer.email}`);
  return ticket;
}

export interface BalanceLine {
  readonly currency: string;
  readonly available: string;
  readonly held: string;
}

async function balancesOf(t: Records, deps: AppDeps, user: User): Promise<BalanceLine[]> {
  const available = await t.balances.ofAccount(userAccount(user.id));
  const held = await t.balances.ofAccount(holdAccount(user.id));
  const codes = [...new Set([...Object.keys(available), ...Object.keys(held)])].sort();
  return codes.map((code) => {
    const currency = findCurrency(deps.ref.currencies, code);
    return { currency: code, available: formatAmount(available[code] ?? 0, currency), held: formatAmount(held[code] ?? 0, currency) };
  });
}

async function recentTransactions(t: RecordsTransaction, deps: AppDeps, user: User, limit: number): Promise<TxView[]> {
  const seqs = await t.journal.seqsOfUser(user.id);
  const entries = await t.journal.getMany(seqs.slice(-limit * 2));
  const all: Transaction[] = entries.map((entry) => entry.tx);
  return viewsOf(t, all.slice(-limit).reverse(), user.id, (tx) => followUpsOf(tx.id, all), deps.ref.currencies);
}

export interface CustomerView {
  readonly user: Record<string, unknown>;
  readonly balances: readonly BalanceLine[];
  readonly transactions: readonly TxView[];
}

/** `agent user show`: profile, lock, balances and recent transactions; audited, and tied to a ticket when given. */
export async function showCustomer(
  t: RecordsTransaction,
  deps: AppDeps,
  actor: Actor,
  input: { email: string; ticket: number | null; limit: number },
): Promise<CustomerView> {
  const agent = requireAgent(actor, '`agent user show`');
  const customer = await userByEmail(t, input.email);
  const ticket = await ticketOfCustomer(t, input.ticket, customer);
  t.audit({ at: deps.now().toISOString(), type: 'agent.user-viewed', actor: agent.id, subject: customer.id, details: { ticket: ticket?.number ?? null } });
  const lock = customer.lock ? explainLock(customer) : null;
  return {
    user: { ...describeUser(customer), lockExplanation: lock },
    balances: await balancesOf(t, deps, customer),
    transactions: await recentTransactions(t, deps, customer, input.limit),
  };
}

export interface LockInput {
  readonly email: string;
  readonly reason: string;
  readonly ticket: number | null;
}

/** `agent lock` / `agent unlock`: customers only; mailed, audited, and noted on the ticket when given. */
export async function changeLock(t: RecordsTransaction, deps: AppDeps, actor: Actor, verb: 'lock' | 'unlock', input: LockInput): Promise<User> {
  const agent = requireAgent(actor, `\`agent ${verb}\``);
  const customer = await userByEmail(t, input.email);
  if (customer.role !== 'user') throw new AppError('FORBIDDEN', `${customer.email} is staff (${customer.role}); agents lock and unlock customers only`);
  const ticket = await ticketOfCustomer(t, input.ticket, customer);
  const nowIso = deps.now().toISOString();
  let changed: User;
  if (verb === 'lock') {
    if (customer.lock?.reason === 'agent') throw new AppError('INVALID_TRANSITION', `${customer.email} is already locked by support`);
    changed = await lockUser(t, customer, { reason: 'agent', note: input.reason, at: nowIso, by: agent.id });
    t.mail(lockNoticeMail(changed, explainLock(changed)), nowIso);
  } else {
    if (!customer.lock) throw new AppError('INVALID_TRANSITION', `the account ${customer.email} is not locked`);
    changed = unlockAccount(customer);
    t.users.put(changed);
    t.mail(unlockedMail(changed), nowIso);
  }
  if (ticket) saveTicket(t, deps.ref, addNote(ticket, agent, `Account ${verb === 'lock' ? 'locked' : 'unlocked'} by ${agent.email}: ${input.reason}`, nowIso));
  t.audit({
    at: nowIso,
    type: `agent.${verb}`,
    actor: agent.id,
    subject: customer.id,
    details: { reason: input.reason, ticket: ticket?.number ?? null, previousLock: customer.lock?.reason ?? null },
  });
  return changed;
}
