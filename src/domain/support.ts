// How support works, from data/support.json: the ways to reach it and how soon each answers, the
// service levels per priority, the priority a ticket starts with, the urgency weights and the
// refund rule. Also what a customer sees in `okpay support`: which desks are open now and when
// an answer can be expected. Pure: the clock comes in as `nowMs`.

import * as z from 'zod/mini';
import { addBusinessMinutes, isOpenAt, nextOpeningMs, upcomingHolidays, type UpcomingHoliday } from './business-time.js';
import type { Region } from './calendar.js';
import { parseShippedData } from './schema.js';
import { PRIORITIES, TICKET_CATEGORIES, TICKET_CHANNELS, type TicketChannel } from './ticket-kinds.js';

export const URGENCY_TERMS = ['sla', 'priority', 'tier', 'age', 'escalationRequest', 'badRating', 'waiting'] as const;
export type UrgencyTermName = (typeof URGENCY_TERMS)[number];

const MAX_MINUTES = 100_000;
const MAX_TEXT_CHARS = 600;
const TEXT_PROBLEM = `must be a text of 1 to ${MAX_TEXT_CHARS} characters`;

const text = () => z.string({ error: TEXT_PROBLEM }).check(z.refine((value) => value.trim() !== '' && value.length <= MAX_TEXT_CHARS, { error: TEXT_PROBLEM }));
const boolean = () => z.boolean({ error: 'must be true or false' });

function numberIn(min: number, max: number, integer = true) {
  const error = `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
  return (integer ? z.int({ error }) : z.number({ error })).check(z.minimum(min, { error }), z.maximum(max, { error }));
}

/** Absent is null: the channel does not promise that kind of figure. */
const optionalMinutes = () =>
  z.pipe(
    z.optional(numberIn(1, MAX_MINUTES)),
    z.transform((value) => value ?? null),
  );
const priority = z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(', ')}` });

const firstReplySchema = z
  .object({ fromHours: optionalMinutes(), withinHours: optionalMinutes(), withinMinutes: optionalMinutes() })
  .check(z.refine((reply) => reply.withinHours !== null || reply.withinMinutes !== null, { error: 'needs withinHours or withinMinutes' }));

const channelSchema = z
  .object({
    id: text(),
    name: text(),
    contact: text(),
    /** True when a ticket can come in through this channel (`ticket new --channel`). */
    tickets: boolean(),
    /** Live channels (chat, phone) answer only while the region's desk is open. */
    live: boolean(),
    firstReply: firstReplySchema,
    /** The most business minutes a first reply may take on this channel, whatever the priority. */
    slaFirstReplyMaxBusinessMinutes: optionalMinutes(),
    use: text(),
  })
  .check(
    z.refine((channel) => !channel.tickets || (TICKET_CHANNELS as readonly string[]).includes(channel.id), {
      path: ['id'],
      error: (issue) => `"${String((issue.input as { id?: unknown }).id)}" takes tickets but is not one of ${TICKET_CHANNELS.join(', ')}`,
    }),
    z.refine((channel) => !channel.tickets || channel.slaFirstReplyMaxBusinessMinutes !== null, {
      error: 'takes tickets, so it needs slaFirstReplyMaxBusinessMinutes',
    }),
  );

const slaTargetSchema = z.object({ firstReplyBusinessMinutes: numberIn(1, MAX_MINUTES), nextReplyBusinessMinutes: numberIn(1, MAX_MINUTES) });

const urgencySchema = z.object({
  weights: z.record(z.enum(URGENCY_TERMS), numberIn(-1000, 1000, false)),
  priorityValues: z.record(z.enum(PRIORITIES), numberIn(0, 1, false)),
  slaCap: numberIn(1, 10, false),
  ageFullDays: numberIn(1, 365),
});

const refundRuleSchema = z.object({
  /** Decimal amount a tier-1 agent may refund, in `currency` (other currencies at the mid rate). */
  tier1MaxAmount: text().check(z.regex(/^[0-9]{1,12}(\.[0-9]{1,3})?$/, { error: 'must be a decimal amount such as "100.00"' })),
  /** Above this amount (in `currency`, others at the mid rate) a refund needs a second agent's approval, whatever the tiers. */
  fourEyesAboveAmount: text().check(z.regex(/^[0-9]{1,12}(\.[0-9]{1,3})?$/, { error: 'must be a decimal amount such as "500.00"' })),
  currency: text().check(z.regex(/^[A-Z]{3}$/, { error: 'must be a three-letter currency code' })),
  description: text(),
});

const CHANNELS_PROBLEM = 'must be a list of 1 to 20 channels';

const supportSchema = z.object({
  channels: z.array(channelSchema, { error: CHANNELS_PROBLEM }).check(
    z.minLength(1, { error: CHANNELS_PROBLEM }),
    z.maxLength(20, { error: CHANNELS_PROBLEM }),
    z.superRefine((channels, context) => {
      for (const id of TICKET_CHANNELS) {
        if (!channels.some((channel) => channel.id === id && channel.tickets))
          context.addIssue({ code: 'custom', message: `has no ticket channel "${id}"`, input: channels });
      }
    }),
  ),
  sla: z.record(z.enum(PRIORITIES), slaTargetSchema),
  priorities: z.object({ byCategory: z.record(z.enum(TICKET_CATEGORIES), priority), lockedAccount: priority }),
  urgency: urgencySchema,
  refunds: refundRuleSchema,
  /** Solved tickets close by themselves after this many days without a reply. */
  closeSolvedAfterDays: z
    .int({ error: 'must be a whole number of days from 1 to 90' })
    .check(z.minimum(1, { error: 'must be a whole number of days from 1 to 90' }), z.maximum(90, { error: 'must be a whole number of days from 1 to 90' })),
});

export type FirstReply = z.infer<typeof firstReplySchema>;
export type SupportChannel = z.infer<typeof channelSchema>;
export type SlaTarget = z.infer<typeof slaTargetSchema>;
export type UrgencyWeights = z.infer<typeof urgencySchema>;
export type RefundRule = z.infer<typeof refundRuleSchema>;
export type SupportData = z.infer<typeof supportSchema>;

/** Reads data/support.json. A mistake there is a bug in what we ship: a plain Error naming every bad field. */
export function parseSupport(json: unknown): SupportData {
  return parseShippedData(supportSchema, json, 'support data');
}

// ---- reading it ---------------------------------------------------------------------------

export function ticketChannel(data: SupportData, id: TicketChannel): SupportChannel {
  const channel = data.channels.find((candidate) => candidate.id === id && candidate.tickets);
  if (!channel) throw new Error(`support data: no ticket channel "${id}"`);
  return channel;
}

/** "within 24 hours", "in 24–48 hours", "within 5 minutes while the desk is open". */
export function expectedFirstReplyText(channel: SupportChannel): string {
  const { fromHours, withinHours, withinMinutes } = channel.firstReply;
  const span =
    withinMinutes !== null ? `within ${withinMinutes} minutes` : fromHours !== null ? `in ${fromHours}–${withinHours} hours` : `within ${withinHours} hours`;
  return channel.live ? `${span} while the desk is open` : span;
}

export interface ChannelNow {
  readonly channel: SupportChannel;
  /** Live channels: whether someone answers right now. Other channels take messages at any time. */
  readonly availableNow: boolean;
  readonly nextOpeningMs: number | null;
  /** When a first answer can be expected for a message sent now; null for mailboxes without a ticket. */
  readonly expectedReplyByMs: number | null;
}

const MINUTE_MS = 60_000;

/**
 * Where a channel stands at `nowMs` for a customer of `region`. A ticket sent now on an offline
 * channel is expected within the normal-priority first-reply target (never beyond the channel's
 * cap), counted in the region's business hours.
 */
export function channelNow(data: SupportData, channel: SupportChannel, region: Region, nowMs: number): ChannelNow {
  if (channel.live) {
    const openingMs = nextOpeningMs(region, nowMs);
    const availableNow = isOpenAt(region, nowMs);
    return {
      channel,
      availableNow,
      nextOpeningMs: availableNow ? null : openingMs,
      expectedReplyByMs: openingMs + (channel.firstReply.withinMinutes ?? 0) * MINUTE_MS,
    };
  }
  if (channel.slaFirstReplyMaxBusinessMinutes === null) return { channel, availableNow: true, nextOpeningMs: null, expectedReplyByMs: null };
  const minutes = Math.min(data.sla.normal.firstReplyBusinessMinutes, channel.slaFirstReplyMaxBusinessMinutes);
  return { channel, availableNow: true, nextOpeningMs: null, expectedReplyByMs: addBusinessMinutes(region, nowMs, minutes) };
}

export interface RegionNow {
  readonly region: Region;
  readonly openNow: boolean;
  /** Null while open. */
  readonly nextOpeningMs: number | null;
  readonly holidays: readonly UpcomingHoliday[];
}

/** Whether the region's desk is open at `nowMs`, when it opens next, and its holidays in the coming `days`. */
export function regionNow(region: Region, nowMs: number, days: number): RegionNow {
  const openNow = isOpenAt(region, nowMs);
  return { region, openNow, nextOpeningMs: openNow ? null : nextOpeningMs(region, nowMs), holidays: upcomingHolidays(region, nowMs, days) };
}

/** When a customer may expect the first answer: the SLA's due time, or, once that has passed, a new one. */
export interface ReplyPromise {
  readonly byMs: number;
  /** The due time had passed: `byMs` is the new estimate and `dueAtMs` the time that was missed. */
  readonly late: boolean;
  readonly dueAtMs: number;
}

/**
 * A missed due time is never shown as a promise. An overdue ticket leads the queue (its urgency
 * includes the breach), so it is now expected within the most urgent priority's first-reply target,
 * counted in the region's business time from now.
 */
export function replyPromise(data: SupportData, region: Region, dueAtMs: number, nowMs: number): ReplyPromise {
  if (dueAtMs > nowMs) return { byMs: dueAtMs, late: false, dueAtMs };
  return { byMs: addBusinessMinutes(region, nowMs, data.sla.urgent.firstReplyBusinessMinutes), late: true, dueAtMs };
}
