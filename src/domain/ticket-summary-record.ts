// A ticket's summary as the store keeps it, and its schema; how a summary is made (ticket-summary.ts)
// and how its reply clock runs (sla.ts) are apart, so that checking the records read back loads
// neither the SLA rules nor the calendars.

import * as z from 'zod/mini';
import { onFirstUse } from './schema.js';
import { LANGUAGES } from './language.js';
import { PRIORITIES, TICKET_CATEGORIES, TICKET_CHANNELS } from './ticket-kinds.js';
import { escalationRequestSchema, ratingSchema, TICKET_STATUSES } from './ticket-record.js';

const REPLY_KINDS = ['first-reply', 'next-reply'] as const;
export type ReplyKind = (typeof REPLY_KINDS)[number];

/**
 * The clock waiting for an answer, as figures that stay true until the ticket's next event: what
 * was counted while the ticket ran before, and since when it runs on. From these alone the clock
 * at any later instant is the one `slaReport` gives (see `clockAt`), so the queue never needs the
 * conversation.
 */
export const clockSnapshotSchema = onFirstUse(() =>
  z.readonly(
    z.object({
      kind: z.enum(REPLY_KINDS),
      startedAtMs: z.number(),
      targetMinutes: z.number(),
      /** Business minutes counted before `runningSinceMs` (all of them while paused). */
      elapsedMinutes: z.number(),
      /** Since when the clock runs on; null while paused (pending or on hold). */
      runningSinceMs: z.nullable(z.number()),
      /** When the target was reached before `runningSinceMs`, if it was. */
      dueAtMs: z.nullable(z.number()),
    }),
  ),
);
export type ClockSnapshot = z.infer<ReturnType<typeof clockSnapshotSchema>>;

export const ticketSummarySchema = onFirstUse(() =>
  z.readonly(
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
      escalationRequest: z.nullable(escalationRequestSchema()),
      rating: z.nullable(ratingSchema()),
      /** New or open and nobody from support has answered yet (the customer's place in line). */
      waitingForFirstReply: z.boolean(),
      /** When it became solved, while it is; solved tickets close a number of days after this. */
      solvedAt: z.nullable(z.string()),
      /** The reply clock waiting for an answer, as of the ticket's last event; null when none is. */
      sla: z.nullable(clockSnapshotSchema()),
    }),
  ),
);
export type TicketSummary = z.infer<ReturnType<typeof ticketSummarySchema>>;
