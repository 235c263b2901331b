// What the queue and ticket lists need of a ticket without its conversation. The store keeps it
// beside the ticket (indexed by status, assignee and customer), so listing the open queue never
// loads every message of every ticket. A summary depends on the ticket alone (and the shipped
// support data and calendar), never on when it was made, so it can be checked by recomputing it.
// The store checks every summary it reads back, and the open queue's copies, against the schema.

import * as z from 'zod/mini';
import type { Region } from './calendar.js';
import { LANGUAGES } from './language.js';
import { clockAt, clockSnapshot, clockSnapshotSchema, slaStateOf } from './sla.js';
import type { SupportData } from './support.js';
import { PRIORITIES, TICKET_CATEGORIES, TICKET_CHANNELS } from './ticket-kinds.js';
import { escalationRequestSchema, ratingSchema, TICKET_STATUSES, type Ticket } from './ticket-record.js';
import { isWaitingForFirstReply, solvedAtOf } from './tickets.js';
import type { SlaNow } from './urgency.js';

export const ticketSummarySchema = z.readonly(
  z.object({
    number: z.int(),
    customerId: z.string(),
    status: z.enum(TICKET_STATUSES),
    assigneeId: z.nullable(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    priority: z.enum(PRIORITIES),
    tier: z.literal([1, 2, 3]),
    category: z.enum(TICKET_CATEGORIES),
    language: z.enum(LANGUAGES),
    channel: z.enum(TICKET_CHANNELS),
    subject: z.string(),
    /** The support region whose business hours the SLA counts in. */
    regionId: z.string(),
    origin: z.enum(['customer', 'follow-up', 'rating']),
    escalationRequest: z.nullable(escalationRequestSchema),
    rating: z.nullable(ratingSchema),
    /** New or open and nobody from support has answered yet (the customer's place in line). */
    waitingForFirstReply: z.boolean(),
    /** When it became solved, while it is; solved tickets close a number of days after this. */
    solvedAt: z.nullable(z.string()),
    /** The reply clock waiting for an answer, as of the ticket's last event; null when none is. */
    sla: z.nullable(clockSnapshotSchema),
  }),
);
export type TicketSummary = z.infer<typeof ticketSummarySchema>;

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
