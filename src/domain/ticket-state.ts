// The ticket's state machine and its event log: which status may follow which, and the one way
// every change is recorded (an event appended, `updatedAt` moved). Pure: times come in.

import { AppError } from './errors.js';
import type { Ticket, TicketEvent, TicketMessage, TicketStatus } from './ticket-record.js';
import type { UserId } from './user.js';

/** A bound on every ticket's conversation: beyond it, the customer opens a new ticket. */
export const MAX_MESSAGES = 500;

const TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  new: ['open', 'pending', 'on-hold', 'solved', 'merged'],
  open: ['pending', 'on-hold', 'solved', 'merged'],
  pending: ['open', 'on-hold', 'solved', 'merged'],
  'on-hold': ['open', 'pending', 'solved', 'merged'],
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
