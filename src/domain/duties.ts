// Separation of duties: staff never act as agents where they are a party — on a ticket they opened
// as a customer, or on a transaction that moved their own money — and a large refund takes two
// agents (four eyes), whatever their tiers.

import { AppError } from './errors.js';
import type { Transaction } from './ledger.js';
import type { User } from './user.js';
import type { RefundApprovalRequest, Ticket } from './ticket-record.js';

export function assertNotOwnTicket(agent: User, ticket: Ticket): void {
  if (ticket.customerId === agent.id) throw new AppError('FORBIDDEN', `ticket #${ticket.number} is your own; another agent must handle it`);
}

/** A ticket is never given to the agent who opened it. */
export function assertNotAssignedToOwner(assignee: User, ticket: Ticket): void {
  if (ticket.customerId === assignee.id) throw new AppError('FORBIDDEN', `${assignee.email} opened ticket #${ticket.number}; it goes to another agent`);
}

export function assertNotParty(agent: User, tx: Transaction): void {
  if (tx.parties.includes(agent.id) || tx.details.initiator === agent.id)
    throw new AppError('FORBIDDEN', `you are a party to ${tx.id}; another agent must handle it`);
}

/**
 * What a refund above the four-eyes amount needs from this agent: to request it (nothing pending),
 * or to approve it (pending, requested by someone else). The requester never approves.
 */
export function fourEyesStep(pending: RefundApprovalRequest | null, txId: string, agent: User): 'request' | 'approve' {
  if (pending === null || pending.txId !== txId) return 'request';
  if (pending.requestedBy === agent.id) throw new AppError('FORBIDDEN', 'you requested this refund; a second agent must approve it');
  return 'approve';
}
