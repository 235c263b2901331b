// A ticket's summary as the store keeps it, and its schema; how a summary is made (ticket-summary.ts)
// and how its reply clock runs (sla.ts) are apart, so that checking the records read back loads
// neither the SLA rules nor the calendars.

import * as v from 'valibot';
import { int, number, object, onFirstUse, readonly } from './schema.js';
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
  readonly(
    object({
      kind: v.picklist(REPLY_KINDS),
      startedAtMs: number(),
      targetMinutes: number(),
      /** Business minutes counted before `runningSinceMs` (all of them while paused). */
      elapsedMinutes: number(),
      /** Since when the clock runs on; null while paused (pending or on hold). */
      runningSinceMs: v.nullable(number()),
      /** When the target was reached before `runningSinceMs`, if it was. */
      dueAtMs: v.nullable(number()),
    }),
  ),
);
export type ClockSnapshot = v.InferOutput<ReturnType<typeof clockSnapshotSchema>>;

export const ticketSummarySchema = onFirstUse(() =>
  readonly(
    object({
      number: int(),
      customerId: v.string(),
      status: v.picklist(TICKET_STATUSES),
      assigneeId: v.nullable(v.string()),
      createdAt: v.string(),
      updatedAt: v.string(),
      priority: v.picklist(PRIORITIES),
      tier: v.picklist([1, 2, 3]),
      category: v.picklist(TICKET_CATEGORIES),
      language: v.picklist(LANGUAGES),
      channel: v.picklist(TICKET_CHANNELS),
      subject: v.string(),
      /** The support region whose business hours the SLA counts in. */
      regionId: v.string(),
      origin: v.picklist(['customer', 'follow-up', 'rating']),
      escalationRequest: v.nullable(escalationRequestSchema()),
      rating: v.nullable(ratingSchema()),
      /** New or open and nobody from support has answered yet (the customer's place in line). */
      waitingForFirstReply: v.boolean(),
      /** When it became solved, while it is; solved tickets close a number of days after this. */
      solvedAt: v.nullable(v.string()),
      /** The reply clock waiting for an answer, as of the ticket's last event; null when none is. */
      sla: v.nullable(clockSnapshotSchema()),
    }),
  ),
);
export type TicketSummary = v.InferOutput<ReturnType<typeof ticketSummarySchema>>;
