// How support works, from data/support.json: the ways to reach it and how soon each answers, the
// service levels per priority, the priority a ticket starts with, the urgency weights and the
// refund rule. Also what a customer sees in `okpay support`: which desks are open now and when
// an answer can be expected. Pure: the clock comes in as `nowMs`.

import * as v from 'valibot';
import { addBusinessMinutes, isOpenAt, nextOpeningMs, upcomingHolidays, type UpcomingHoliday } from './business-time.js';
import type { Region } from './calendar.js';
import { hasItsShape, int, number, object, parseShippedData, recordOf } from './schema.js';
import { PRIORITIES, TICKET_CATEGORIES, TICKET_CHANNELS, type TicketChannel } from './ticket-kinds.js';

export const URGENCY_TERMS = ['sla', 'priority', 'tier', 'age', 'escalationRequest', 'badRating', 'waiting'] as const;
export type UrgencyTermName = (typeof URGENCY_TERMS)[number];

const MAX_MINUTES = 100_000;
const MAX_TEXT_CHARS = 600;
const TEXT_PROBLEM = `must be a text of 1 to ${MAX_TEXT_CHARS} characters`;

const text = () =>
  v.pipe(
    v.string(TEXT_PROBLEM),
    v.check((value) => value.trim() !== '' && value.length <= MAX_TEXT_CHARS, TEXT_PROBLEM),
  );
const boolean = () => v.boolean('must be true or false');

function numberIn(min: number, max: number, integer = true) {
  const error = `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
  return v.pipe(integer ? int(error) : number(error), v.minValue(min, error), v.maxValue(max, error));
}

/** Absent is null: the channel does not promise that kind of figure (with a default, the field is never typed as absent). */
const optionalMinutes = () =>
  v.pipe(
    v.optional(numberIn(1, MAX_MINUTES), () => undefined),
    v.transform((value) => value ?? null),
  );
const priority = v.picklist(PRIORITIES, `must be one of ${PRIORITIES.join(', ')}`);

const firstReplySchema = v.pipe(
  object({ fromHours: optionalMinutes(), withinHours: optionalMinutes(), withinMinutes: optionalMinutes() }),
  v.check((reply) => reply.withinHours !== null || reply.withinMinutes !== null, 'needs withinHours or withinMinutes'),
);

const channelSchema = v.pipe(
  object({
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
  }),
  v.forward(
    v.check(
      (channel) => !channel.tickets || (TICKET_CHANNELS as readonly string[]).includes(channel.id),
      (issue) => `"${String((issue.input as { id?: unknown }).id)}" takes tickets but is not one of ${TICKET_CHANNELS.join(', ')}`,
    ),
    ['id'],
  ),
  v.check((channel) => !channel.tickets || channel.slaFirstReplyMaxBusinessMinutes !== null, 'takes tickets, so it needs slaFirstReplyMaxBusinessMinutes'),
);

const slaTargetSchema = object({ firstReplyBusinessMinutes: numberIn(1, MAX_MINUTES), nextReplyBusinessMinutes: numberIn(1, MAX_MINUTES) });

const urgencySchema = object({
  weights: recordOf(URGENCY_TERMS, numberIn(-1000, 1000, false)),
  priorityValues: recordOf(PRIORITIES, numberIn(0, 1, false)),
  slaCap: numberIn(1, 10, false),
  ageFullDays: numberIn(1, 365),
});

const refundRuleSchema = object({
  /** Decimal amount a tier-1 agent may refund, in `currency` (other currencies at the mid rate). */
  tier1MaxAmount: v.pipe(text(), v.regex(/^[0-9]{1,12}(\.[0-9]{1,3})?$/, 'must be a decimal amount such as "100.00"')),
  /** Above this amount (in `currency`, others at the mid rate) a refund needs a second agent's approval, whatever the tiers. */
  fourEyesAboveAmount: v.pipe(text(), v.regex(/^[0-9]{1,12}(\.[0-9]{1,3})?$/, 'must be a decimal amount such as "500.00"')),
  currency: v.pipe(text(), v.regex(/^[A-Z]{3}$/, 'must be a three-letter currency code')),
  description: text(),
});

const CHANNELS_PROBLEM = 'must be a list of 1 to 20 channels';

const supportSchema = object({
  channels: v.pipe(
    v.array(channelSchema, CHANNELS_PROBLEM),
    v.minLength(1, CHANNELS_PROBLEM),
    v.maxLength(20, CHANNELS_PROBLEM),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!hasItsShape(dataset)) return;
      for (const id of TICKET_CHANNELS) {
        if (!(dataset.value as SupportChannel[]).some((channel) => channel.id === id && channel.tickets))
          addIssue({ message: `has no ticket channel "${id}"` });
      }
    }),
  ),
  sla: recordOf(PRIORITIES, slaTargetSchema),
  priorities: object({ byCategory: recordOf(TICKET_CATEGORIES, priority), lockedAccount: priority }),
  urgency: urgencySchema,
  refunds: refundRuleSchema,
  /** Solved tickets close by themselves after this many days without a reply. */
  closeSolvedAfterDays: v.pipe(
    int('must be a whole number of days from 1 to 90'),
    v.minValue(1, 'must be a whole number of days from 1 to 90'),
    v.maxValue(90, 'must be a whole number of days from 1 to 90'),
  ),
});

export type FirstReply = v.InferOutput<typeof firstReplySchema>;
export type SupportChannel = v.InferOutput<typeof channelSchema>;
export type SlaTarget = v.InferOutput<typeof slaTargetSchema>;
export type UrgencyWeights = v.InferOutput<typeof urgencySchema>;
export type RefundRule = v.InferOutput<typeof refundRuleSchema>;
export type SupportData = v.InferOutput<typeof supportSchema>;

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
