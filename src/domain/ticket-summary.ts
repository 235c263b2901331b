// What the queue and ticket lists need of a ticket without its conversation. The store keeps it
// beside the ticket (indexed by status, assignee and customer), so listing the open queue never
// loads every message of every ticket. A summary depends on the ticket alone (and the shipped
// support data and calendar), never on when it was made, so it can be checked by recomputing it.

import type { Region } from './calendar.js';
import type { Language } from './language.js';
import { clockAt, clockSnapshot, slaStateOf, type ClockSnapshot } from './sla.js';
import type { UserId } from './user.js';
import type { SupportData } from './support.js';
import { type Priority, type TicketCategory, type TicketChannel } from './ticket-kinds.js';
import { type EscalationRequest, type Rating, type Ticket, type TicketStatus, type Tier } from './ticket-record.js';
import { isWaitingForFirstReply, solvedAtOf } from './tickets.js';
import type { SlaNow } from './urgency.js';

export interface TicketSummary {
  readonly number: number;
  readonly customerId: UserId;
  readonly status: TicketStatus;
  readonly assigneeId: UserId | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly priority: Priority;
  readonly tier: Tier;
  readonly category: TicketCategory;
  readonly language: Language;
  readonly channel: TicketChannel;
  readonly subject: string;
  /** The support region whose business hours the SLA counts in. */
  readonly regionId: string;
  readonly origin: Ticket['origin'];
  readonly escalationRequest: EscalationRequest | null;
  readonly rating: Rating | null;
  /** New or open and nobody from support has answered yet (the customer's place in line). */
  readonly waitingForFirstReply: boolean;
  /** When it became solved, while it is; solved tickets close a number of days after this. */
  readonly solvedAt: string | null;
  /** The reply clock waiting for an answer, as of the ticket's last event; null when none is. */
  readonly sla: ClockSnapshot | null;
}

/** The summary of a ticket; `region` is the ticket's own (its `regionId`). */
export function summarizeTicket(ticket: Ticket, support: SupportData, region: Region): TicketSummary {
  return {
    number: ticket.number,
    customerId: ticket.customerId,
    status: ticket.status,
    assigneeId: ticket.assigneeId,
    createdAt: ticket.createdAt,
    updatedAt: ticket.updatedAt,
    priority: ticket.priority,
    tier: ticket.tier,
    category: ticket.category,
    language: ticket.language,
    channel: ticket.channel,
    subject: ticket.subject,
    regionId: ticket.regionId,
    origin: ticket.origin,
    escalationRequest: ticket.escalationRequest,
    rating: ticket.rating,
    waitingForFirstReply: isWaitingForFirstReply(ticket),
    solvedAt: ticket.status === 'solved' ? solvedAtOf(ticket) : null,
    sla: clockSnapshot(ticket, support, region),
  };
}

/** The SLA of a summarised ticket at `nowMs` (at or after its last change), as `slaReport` gives it. */
export function slaOfSummary(summary: TicketSummary, region: Region, nowMs: number): SlaNow {
  const current = summary.sla === null ? null : clockAt(summary.sla, region, nowMs);
  return { current, state: slaStateOf(current) };
}
