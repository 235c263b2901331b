// The ticket's state machine and its event log: which status may follow which, and the one way
// every change is recorded (an event appended, `updatedAt` moved). Pure: times come in.

import { AppError } from './errors.js';
import { ACTIVE_STATUSES, type Ticket, type TicketEvent, type TicketMessage, type TicketStatus } from './ticket-record.js';
import type { UserId } from './user.js';

/** A bound on every ticket's conversation: beyond it, the customer opens a new ticket. */
export const MAX_MESSAGES = 500;

// `merged` is no status change: a ticket becomes merged only by `mergeTickets`, which names the
// ticket it goes into (`toMerged`); a merged ticket with no target would swallow its replies.
const TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  new: ['open', 'pending', 'on-hold', 'solved'],
  open: ['pending', 'on-hold', 'solved'],
  pending: ['open', 'on-hold', 'solved'],
  'on-hold': ['open', 'pending', 'solved'],
  solved: ['open', 'closed'],
  closed: [],
  merged: [],
};

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

function transitionHint(ticket: Ticket, to: TicketStatus): string {
  if (ticket.status === 'closed') return 'a closed ticket stays closed; a reply from the customer opens a linked follow-up';
  if (ticket.status === 'merged') return `it was merged into #${ticket.mergedInto ?? '?'}: work on that ticket`;
  if (to === 'merged') return `merge it into the ticket that carries on: \`okpay ticket merge ${ticket.number} --into N\``;
  if (to === 'closed') return `resolve it first (\`okpay ticket resolve ${ticket.number}\`); solved tickets close by themselves after 7 days`;
  const allowed = TRANSITIONS[ticket.status];
  return allowed.length > 0 ? `from ${ticket.status} it can go to ${allowed.join(', ')}` : '';
}

export function assertTransition(ticket: Ticket, to: TicketStatus): void {
  if (!canTransition(ticket.status, to)) {
    throw new AppError('INVALID_TRANSITION', `ticket #${ticket.number} is ${ticket.status} and cannot become ${to}`, {
      hint: transitionHint(ticket, to),
      details: { from: ticket.status, to },
    });
  }
}

export function withEvent(ticket: Ticket, event: TicketEvent, changes: Partial<Ticket> = {}): Ticket {
  return { ...ticket, ...changes, events: [...ticket.events, event], updatedAt: event.at };
}

export function withMessage(ticket: Ticket, input: Omit<TicketMessage, 'id' | 'fromTicket'>): Ticket {
  if (ticket.messages.length >= MAX_MESSAGES) {
    throw new AppError('INVALID_TRANSITION', `ticket #${ticket.number} has reached ${MAX_MESSAGES} messages`, {
      hint: 'open a new ticket that refers to this one',
    });
  }
  const message: TicketMessage = { ...input, id: ticket.messages.length + 1, fromTicket: null };
  const author = input.author === 'system' ? 'agent' : input.author;
  const event: TicketEvent = { type: 'message', at: input.at, by: input.authorId, author, visibility: input.visibility, messageId: message.id };
  return withEvent({ ...ticket, messages: [...ticket.messages, message] }, event);
}

export function withStatus(ticket: Ticket, to: TicketStatus, by: UserId | null, at: string): Ticket {
  if (ticket.status === to) return ticket;
  assertTransition(ticket, to);
  return withEvent(ticket, { type: 'status', at, by, from: ticket.status, to }, { status: to });
}

/** The source of a merge, marked as merged into `into` (the only way to the `merged` status). */
export function toMerged(ticket: Ticket, into: number, by: UserId, at: string): Ticket {
  if (!ACTIVE_STATUSES.includes(ticket.status)) {
    throw new AppError('INVALID_TRANSITION', `ticket #${ticket.number} is ${ticket.status} and cannot be merged`, {
      hint: transitionHint(ticket, 'merged'),
      details: { from: ticket.status, to: 'merged' },
    });
  }
  const merged = withEvent(ticket, { type: 'status', at, by, from: ticket.status, to: 'merged' }, { status: 'merged' });
  return withEvent(merged, { type: 'merged-into', at, by, ticket: into }, { mergedInto: into });
}
