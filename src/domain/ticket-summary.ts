// What the queue and ticket lists need of a ticket without its conversation. The store keeps it
// beside the ticket (indexed by status, assignee and customer), so listing the open queue never
// loads every message of every ticket. A summary depends on the ticket alone (and the shipped
// support data and calendar), never on when it was made, so it can be checked by recomputing it.
// The store checks every summary it reads back, and the open queue's copies, against the schema
// (ticket-summary-record.ts).

import type { Region } from './calendar.js';
import { clockAt, clockSnapshot, slaStateOf } from './sla.js';
import type { SupportData } from './support.js';
import type { Ticket } from './ticket-record.js';
import type { TicketSummary } from './ticket-summary-record.js';
import { isWaitingForFirstReply, solvedAtOf } from './tickets.js';
import type { SlaNow } from './urgency.js';

export type { TicketSummary };

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
