// The ticket record: its statuses, events and messages as schemas, with the types inferred from
// them. The store checks every ticket it reads back against `ticketSchema()` (store/record-schemas.ts).

import * as v from 'valibot';
import { int, object, onFirstUse, readonly, variant } from './schema.js';
import { LANGUAGES } from './language.js';
import { PRIORITIES, TICKET_CATEGORIES, TICKET_CHANNELS } from './ticket-kinds.js';

export const TICKET_STATUSES = ['new', 'open', 'pending', 'on-hold', 'solved', 'closed', 'merged'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type Tier = 1 | 2 | 3;

/** Statuses in which a ticket still needs work: an agent's load, duplicates, merges. */
export const ACTIVE_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'on-hold'];

const AUTHORS = ['customer', 'agent', 'system'] as const;
export type Author = (typeof AUTHORS)[number];
const VISIBILITIES = ['public', 'internal'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

const text = () => v.string();
const optionalText = () => v.nullable(v.string());
const ticketNumber = () => int();
const tierSchema = () => v.picklist([1, 2, 3]);
const statusSchema = () => v.picklist(TICKET_STATUSES);
const prioritySchema = () => v.picklist(PRIORITIES);
const categorySchema = () => v.picklist(TICKET_CATEGORIES);

const ticketMessageSchema = onFirstUse(() =>
  readonly(
    object({
      /** 1, 2, 3 … within the ticket. */
      id: int(),
      at: text(),
      authorId: optionalText(),
      author: v.picklist(AUTHORS),
      visibility: v.picklist(VISIBILITIES),
      body: text(),
      /** The FAQ article an agent answered with. */
      faqId: optionalText(),
      /** Set on messages copied in when another ticket was merged into this one. */
      fromTicket: v.nullable(ticketNumber()),
    }),
  ),
);
export type TicketMessage = v.InferOutput<ReturnType<typeof ticketMessageSchema>>;

/**
 * The reply clock of a ticket merged into this one, as it stood at the merge (its customer was
 * waiting since `since`; `elapsedMinutes` business minutes had counted; `dueAt` once the target
 * was reached). The merged ticket's clock carries on from it (sla.ts), so a breach stays visible.
 */
const carriedClockSchema = () =>
  readonly(object({ kind: v.picklist(['first-reply', 'next-reply']), since: text(), elapsedMinutes: int(), dueAt: optionalText() }));
export type CarriedClock = v.InferOutput<ReturnType<typeof carriedClockSchema>>;

/** An event: when, who did it (null for the system, e.g. auto-close), and what. */
const event = <const Shape extends v.ObjectEntries>(shape: Shape) => readonly(object({ at: text(), by: optionalText(), ...shape }));

const ticketEventSchema = onFirstUse(() =>
  variant('type', [
    event({ type: v.literal('created') }),
    event({ type: v.literal('status'), from: statusSchema(), to: statusSchema() }),
    event({ type: v.literal('message'), author: v.picklist(['customer', 'agent']), visibility: v.picklist(VISIBILITIES), messageId: int() }),
    event({ type: v.literal('assigned'), to: optionalText() }),
    event({ type: v.literal('priority'), from: prioritySchema(), to: prioritySchema() }),
    event({ type: v.literal('category'), from: categorySchema(), to: categorySchema() }),
    event({ type: v.literal('tags'), tags: readonly(v.array(text())) }),
    event({ type: v.literal('escalated'), from: tierSchema(), to: tierSchema(), reason: optionalText() }),
    event({ type: v.literal('escalation-requested'), tier: tierSchema(), reason: text() }),
    event({ type: v.literal('rated'), score: int(), comment: optionalText() }),
    event({ type: v.literal('duplicate') }),
    event({ type: v.literal('merged-into'), ticket: ticketNumber() }),
    event({ type: v.literal('merged-from'), ticket: ticketNumber(), waiting: v.optional(v.nullable(carriedClockSchema())) }),
    event({ type: v.literal('follow-up'), ticket: ticketNumber() }),
  ]),
);
export type TicketEvent = v.InferOutput<ReturnType<typeof ticketEventSchema>>;

export const escalationRequestSchema = onFirstUse(() => readonly(object({ at: text(), tier: tierSchema(), reason: text() })));
export type EscalationRequest = v.InferOutput<ReturnType<typeof escalationRequestSchema>>;

export const ratingSchema = onFirstUse(() => readonly(object({ at: text(), score: int(), comment: optionalText() })));
export type Rating = v.InferOutput<ReturnType<typeof ratingSchema>>;

/** A refund above the four-eyes amount that one agent requested and a second must approve (duties.ts). */
const refundApprovalRequestSchema = onFirstUse(() => readonly(object({ txId: text(), requestedBy: text(), requestedAt: text() })));
export type RefundApprovalRequest = v.InferOutput<ReturnType<typeof refundApprovalRequestSchema>>;

export const ticketSchema = onFirstUse(() =>
  readonly(
    object({
      number: ticketNumber(),
      customerId: text(),
      category: categorySchema(),
      subject: text(),
      channel: v.picklist(TICKET_CHANNELS),
      language: v.picklist(LANGUAGES),
      /** Support region (calendars.json) whose business hours the SLA counts in. */
      regionId: text(),
      status: statusSchema(),
      priority: prioritySchema(),
      tier: tierSchema(),
      assigneeId: optionalText(),
      tags: readonly(v.array(text())),
      txId: optionalText(),
      /** The customer's account was locked when the ticket came in. */
      lockedAccount: v.boolean(),
      /** Why the ticket exists: the customer wrote, or it follows up a closed ticket or a bad rating. */
      origin: v.picklist(['customer', 'follow-up', 'rating']),
      relatedTo: v.nullable(ticketNumber()),
      mergedInto: v.nullable(ticketNumber()),
      /** The customer's open request for a higher tier; cleared when an agent escalates. */
      escalationRequest: v.nullable(escalationRequestSchema()),
      rating: v.nullable(ratingSchema()),
      refundRequest: v.optional(v.nullable(refundApprovalRequestSchema())),
      createdAt: text(),
      updatedAt: text(),
      messages: readonly(v.array(ticketMessageSchema())),
      events: readonly(v.array(ticketEventSchema())),
    }),
  ),
);
export type Ticket = v.InferOutput<ReturnType<typeof ticketSchema>>;
