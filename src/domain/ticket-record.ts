// The ticket record: its statuses, events and messages as schemas, with the types inferred from
// them. The store checks every ticket it reads back against `ticketSchema()` (store/record-schemas.ts).

import * as z from 'zod/mini';
import { onFirstUse } from './schema.js';
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

const text = () => z.string();
const optionalText = () => z.nullable(z.string());
const ticketNumber = () => z.int();
const tierSchema = () => z.literal([1, 2, 3]);
const statusSchema = () => z.enum(TICKET_STATUSES);
const prioritySchema = () => z.enum(PRIORITIES);
const categorySchema = () => z.enum(TICKET_CATEGORIES);

const ticketMessageSchema = onFirstUse(() =>
  z.readonly(
    z.object({
      /** 1, 2, 3 … within the ticket. */
      id: z.int(),
      at: text(),
      authorId: optionalText(),
      author: z.enum(AUTHORS),
      visibility: z.enum(VISIBILITIES),
      body: text(),
      /** The FAQ article an agent answered with. */
      faqId: optionalText(),
      /** Set on messages copied in when another ticket was merged into this one. */
      fromTicket: z.nullable(ticketNumber()),
    }),
  ),
);
export type TicketMessage = z.infer<ReturnType<typeof ticketMessageSchema>>;

/**
 * The reply clock of a ticket merged into this one, as it stood at the merge (its customer was
 * waiting since `since`; `elapsedMinutes` business minutes had counted; `dueAt` once the target
 * was reached). The merged ticket's clock carries on from it (sla.ts), so a breach stays visible.
 */
const carriedClockSchema = () =>
  z.readonly(z.object({ kind: z.enum(['first-reply', 'next-reply']), since: text(), elapsedMinutes: z.int(), dueAt: optionalText() }));
export type CarriedClock = z.infer<ReturnType<typeof carriedClockSchema>>;

/** An event: when, who did it (null for the system, e.g. auto-close), and what. */
const event = <Shape extends Record<string, z.core.SomeType>>(shape: Shape) => z.readonly(z.object({ at: text(), by: optionalText(), ...shape }));

const ticketEventSchema = onFirstUse(() =>
  z.discriminatedUnion('type', [
    event({ type: z.literal('created') }),
    event({ type: z.literal('status'), from: statusSchema(), to: statusSchema() }),
    event({ type: z.literal('message'), author: z.enum(['customer', 'agent']), visibility: z.enum(VISIBILITIES), messageId: z.int() }),
    event({ type: z.literal('assigned'), to: optionalText() }),
    event({ type: z.literal('priority'), from: prioritySchema(), to: prioritySchema() }),
    event({ type: z.literal('category'), from: categorySchema(), to: categorySchema() }),
    event({ type: z.literal('tags'), tags: z.readonly(z.array(text())) }),
    event({ type: z.literal('escalated'), from: tierSchema(), to: tierSchema(), reason: optionalText() }),
    event({ type: z.literal('escalation-requested'), tier: tierSchema(), reason: text() }),
    event({ type: z.literal('rated'), score: z.int(), comment: optionalText() }),
    event({ type: z.literal('duplicate') }),
    event({ type: z.literal('merged-into'), ticket: ticketNumber() }),
    event({ type: z.literal('merged-from'), ticket: ticketNumber(), waiting: z.optional(z.nullable(carriedClockSchema())) }),
    event({ type: z.literal('follow-up'), ticket: ticketNumber() }),
  ]),
);
export type TicketEvent = z.infer<ReturnType<typeof ticketEventSchema>>;

export const escalationRequestSchema = onFirstUse(() => z.readonly(z.object({ at: text(), tier: tierSchema(), reason: text() })));
export type EscalationRequest = z.infer<ReturnType<typeof escalationRequestSchema>>;

export const ratingSchema = onFirstUse(() => z.readonly(z.object({ at: text(), score: z.int(), comment: optionalText() })));
export type Rating = z.infer<ReturnType<typeof ratingSchema>>;

/** A refund above the four-eyes amount that one agent requested and a second must approve (duties.ts). */
const refundApprovalRequestSchema = onFirstUse(() => z.readonly(z.object({ txId: text(), requestedBy: text(), requestedAt: text() })));
export type RefundApprovalRequest = z.infer<ReturnType<typeof refundApprovalRequestSchema>>;

export const ticketSchema = onFirstUse(() =>
  z.readonly(
    z.object({
      number: ticketNumber(),
      customerId: text(),
      category: categorySchema(),
      subject: text(),
      channel: z.enum(TICKET_CHANNELS),
      language: z.enum(LANGUAGES),
      /** Support region (calendars.json) whose business hours the SLA counts in. */
      regionId: text(),
      status: statusSchema(),
      priority: prioritySchema(),
      tier: tierSchema(),
      assigneeId: optionalText(),
      tags: z.readonly(z.array(text())),
      txId: optionalText(),
      /** The customer's account was locked when the ticket came in. */
      lockedAccount: z.boolean(),
      /** Why the ticket exists: the customer wrote, or it follows up a closed ticket or a bad rating. */
      origin: z.enum(['customer', 'follow-up', 'rating']),
      relatedTo: z.nullable(ticketNumber()),
      mergedInto: z.nullable(ticketNumber()),
      /** The customer's open request for a higher tier; cleared when an agent escalates. */
      escalationRequest: z.nullable(escalationRequestSchema()),
      rating: z.nullable(ratingSchema()),
      refundRequest: z.optional(z.nullable(refundApprovalRequestSchema())),
      createdAt: text(),
      updatedAt: text(),
      messages: z.readonly(z.array(ticketMessageSchema())),
      events: z.readonly(z.array(ticketEventSchema())),
    }),
  ),
);
export type Ticket = z.infer<ReturnType<typeof ticketSchema>>;
