// How support works, from data/support.json: the ways to reach it and how soon each answers, the
// service levels per priority, the priority a ticket starts with, the urgency weights and the
// refund rule. Also what a customer sees in `okpay support`: which desks are open now and when
// an answer can be expected. Pure: the clock comes in as `nowMs`.

import { addBusinessMinutes, isOpenAt, nextOpeningMs, upcomingHolidays, type UpcomingHoliday } from './business-time.js';
import type { Region } from './calendar.js';
import { PRIORITIES, TICKET_CATEGORIES, TICKET_CHANNELS, type Priority, type TicketCategory, type TicketChannel } from './tickets.js';

export const URGENCY_TERMS = ['sla', 'priority', 'tier', 'age', 'escalationRequest', 'badRating', 'waiting'] as const;
export type UrgencyTermName = (typeof URGENCY_TERMS)[number];

export interface FirstReply {
  readonly fromHours: number | null;
  readonly withinHours: number | null;
  readonly withinMinutes: number | null;
}

export interface SupportChannel {
  readonly id: string;
  readonly name: string;
  readonly contact: string;
  /** True when a ticket can come in through this channel (`ticket new --channel`). */
  readonly tickets: boolean;
  /** Live channels (chat, phone) answer only while the region's desk is open. */
  readonly live: boolean;
  readonly firstReply: FirstReply;
  /** The most business minutes a first reply may take on this channel, whatever the priority. */
  readonly slaFirstReplyMaxBusinessMinutes: number | null;
  readonly use: string;
}

export interface SlaTarget {
  readonly firstReplyBusinessMinutes: number;
  readonly nextReplyBusinessMinutes: number;
}

export interface UrgencyWeights {
  readonly weights: Readonly<Record<UrgencyTermName, number>>;
  readonly priorityValues: Readonly<Record<Priority, number>>;
  readonly slaCap: number;
  readonly ageFullDays: number;
}

export interface RefundRule {
  /** Decimal amount a tier-1 agent may refund, in `currency` (other currencies at the mid rate). */
  readonly tier1MaxAmount: string;
  readonly currency: string;
  readonly description: string;
}

export interface SupportData {
  readonly channels: readonly SupportChannel[];
  readonly sla: Readonly<Record<Priority, SlaTarget>>;
  readonly priorities: { readonly byCategory: Readonly<Record<TicketCategory, Priority>>; readonly lockedAccount: Priority };
  readonly urgency: UrgencyWeights;
  readonly refunds: RefundRule;
  /** Solved tickets close by themselves after this many days without a reply. */
  readonly closeSolvedAfterDays: number;
}

// ---- parsing the shipped data -------------------------------------------------------------
// A mistake in data/support.json is a bug in what we ship: plain Errors naming the field.

type JsonObject = Readonly<Record<string, unknown>>;

const MAX_MINUTES = 100_000;
const MAX_TEXT_CHARS = 600;

function bad(path: string, problem: string): never {
  throw new Error(`support data: ${path} ${problem}`);
}

function objectAt(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(path, 'must be an object');
  return value as JsonObject;
}

function textAt(record: JsonObject, key: string, path: string): string {
  const value = record[key];
  if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT_CHARS) bad(`${path}.${key}`, `must be a text of 1 to ${MAX_TEXT_CHARS} characters`);
  return value;
}

function numberAt(record: JsonObject, key: string, path: string, min: number, max: number, integer = true): number {
  const value = record[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    bad(`${path}.${key}`, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return value;
}

function optionalNumberAt(record: JsonObject, key: string, path: string): number | null {
  return record[key] === undefined ? null : numberAt(record, key, path, 1, MAX_MINUTES);
}

function booleanAt(record: JsonObject, key: string, path: string): boolean {
  const value = record[key];
  if (typeof value !== 'boolean') bad(`${path}.${key}`, 'must be true or false');
  return value;
}

function priorityAt(record: JsonObject, key: string, path: string): Priority {
  const value = record[key];
  if (!(PRIORITIES as readonly unknown[]).includes(value)) bad(`${path}.${key}`, `must be one of ${PRIORITIES.join(', ')}`);
  return value as Priority;
}

function parseChannel(raw: unknown, path: string): SupportChannel {
  const record = objectAt(raw, path);
  const id = textAt(record, 'id', path);
  const tickets = booleanAt(record, 'tickets', path);
  if (tickets && !(TICKET_CHANNELS as readonly string[]).includes(id)) bad(`${path}.id`, `"${id}" takes tickets but is not one of ${TICKET_CHANNELS.join(', ')}`);
  const reply = objectAt(record['firstReply'], `${path}.firstReply`);
  const firstReply = {
    fromHours: optionalNumberAt(reply, 'fromHours', `${path}.firstReply`),
    withinHours: optionalNumberAt(reply, 'withinHours', `${path}.firstReply`),
    withinMinutes: optionalNumberAt(reply, 'withinMinutes', `${path}.firstReply`),
  };
  if (firstReply.withinHours === null && firstReply.withinMinutes === null) bad(`${path}.firstReply`, 'needs withinHours or withinMinutes');
  const cap = optionalNumberAt(record, 'slaFirstReplyMaxBusinessMinutes', path);
  if (tickets && cap === null) bad(path, 'takes tickets, so it needs slaFirstReplyMaxBusinessMinutes');
  return { id, name: textAt(record, 'name', path), contact: textAt(record, 'contact', path), tickets, live: booleanAt(record, 'live', path), firstReply, slaFirstReplyMaxBusinessMinutes: cap, use: textAt(record, 'use', path) };
}

function parseSla(raw: unknown): Record<Priority, SlaTarget> {
  const record = objectAt(raw, 'sla');
  const entries = PRIORITIES.map((priority): [Priority, SlaTarget] => {
    const target = objectAt(record[priority], `sla.${priority}`);
    return [
      priority,
      {
        firstReplyBusinessMinutes: numberAt(target, 'firstReplyBusinessMinutes', `sla.${priority}`, 1, MAX_MINUTES),
        nextReplyBusinessMinutes: numberAt(target, 'nextReplyBusinessMinutes', `sla.${priority}`, 1, MAX_MINUTES),
      },
    ];
  });
  return Object.fromEntries(entries) as Record<Priority, SlaTarget>;
}

function parseUrgency(raw: unknown): UrgencyWeights {
  const record = objectAt(raw, 'urgency');
  const weightsRecord = objectAt(record['weights'], 'urgency.weights');
  const valuesRecord = objectAt(record['priorityValues'], 'urgency.priorityValues');
  const weights = Object.fromEntries(URGENCY_TERMS.map((term) => [term, numberAt(weightsRecord, term, 'urgency.weights', -1000, 1000, false)]));
  const priorityValues = Object.fromEntries(PRIORITIES.map((priority) => [priority, numberAt(valuesRecord, priority, 'urgency.priorityValues', 0, 1, false)]));
  return {
    weights: weights as Record<UrgencyTermName, number>,
    priorityValues: priorityValues as Record<Priority, number>,
    slaCap: numberAt(record, 'slaCap', 'urgency', 1, 10, false),
    ageFullDays: numberAt(record, 'ageFullDays', 'urgency', 1, 365),
  };
}

function parsePriorities(raw: unknown): SupportData['priorities'] {
  const record = objectAt(raw, 'priorities');
  const byCategory = objectAt(record['byCategory'], 'priorities.byCategory');
  return {
    byCategory: Object.fromEntries(TICKET_CATEGORIES.map((category) => [category, priorityAt(byCategory, category, 'priorities.byCategory')])) as Record<TicketCategory, Priority>,
    lockedAccount: priorityAt(record, 'lockedAccount', 'priorities'),
  };
}

function parseRefunds(raw: unknown): RefundRule {
  const record = objectAt(raw, 'refunds');
  const tier1MaxAmount = textAt(record, 'tier1MaxAmount', 'refunds');
  if (!/^[0-9]{1,12}(\.[0-9]{1,3})?$/.test(tier1MaxAmount)) bad('refunds.tier1MaxAmount', 'must be a decimal amount such as "100.00"');
  const currency = textAt(record, 'currency', 'refunds');
  if (!/^[A-Z]{3}$/.test(currency)) bad('refunds.currency', 'must be a three-letter currency code');
  return { tier1MaxAmount, currency, description: textAt(record, 'description', 'refunds') };
}

export function parseSupport(json: unknown): SupportData {
  const record = objectAt(json, 'the file');
  const rawChannels = record['channels'];
  if (!Array.isArray(rawChannels) || rawChannels.length === 0 || rawChannels.length > 20) bad('channels', 'must be a list of 1 to 20 channels');
  const channels = rawChannels.map((raw: unknown, index) => parseChannel(raw, `channels[${index}]`));
  for (const id of TICKET_CHANNELS) {
    if (!channels.some((channel) => channel.id === id && channel.tickets)) bad('channels', `has no ticket channel "${id}"`);
  }
  const closeSolvedAfterDays = record['closeSolvedAfterDays'];
  if (typeof closeSolvedAfterDays !== 'number' || !Number.isInteger(closeSolvedAfterDays) || closeSolvedAfterDays < 1 || closeSolvedAfterDays > 90) bad('closeSolvedAfterDays', 'must be a whole number of days from 1 to 90');
  return { channels, sla: parseSla(record['sla']), priorities: parsePriorities(record['priorities']), urgency: parseUrgency(record['urgency']), refunds: parseRefunds(record['refunds']), closeSolvedAfterDays };
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
  const span = withinMinutes !== null ? `within ${withinMinutes} minutes` : fromHours !== null ? `in ${fromHours}–${withinHours} hours` : `within ${withinHours} hours`;
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
    return { channel, availableNow, nextOpeningMs: availableNow ? null : openingMs, expectedReplyByMs: openingMs + (channel.firstReply.withinMinutes ?? 0) * MINUTE_MS };
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
