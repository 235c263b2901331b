// What the ticket and agent use-cases share: the shipped support data, storing a ticket with its
// summary, finding tickets by number, and the open queue in urgency order from the summaries.

import { DateTime } from 'luxon';
import { parseCalendars, type CalendarData, type Region } from '../domain/calendar.js';
import { regionById } from '../domain/support-regions.js';
import { parseFaq, type FaqArticle } from '../domain/faq.js';
import { LANGUAGES, type Language } from '../domain/language.js';
import { macroBook, macroFileName, parseMacroFile, type MacroBook, type MacroFile } from '../domain/macros.js';
import { slaReport, type SlaReport } from '../domain/sla.js';
import { parseSupport, type SupportData } from '../domain/support.js';
import { slaOfSummary, summarizeTicket, type TicketSummary } from '../domain/ticket-summary.js';
import { ACTIVE_STATUSES, type Ticket } from '../domain/ticket-record.js';
import { MAX_MERGE_HOPS, mergedInto, requireOwnTicket, requireTicket } from '../domain/tickets.js';
import { compareQueueEntries, explainUrgency, urgencyScore, type QueueEntry, type Ranked } from '../domain/urgency.js';
import { queueGroupKey, queueShapeKey, type QueueGroupFacts } from '../domain/queue-group-facts.js';
import {
  groupCannotEnter,
  groupCeiling,
  groupDueCeilingMs,
  groupDueFloorMs,
  groupFloor,
  queueGroupShape,
  queueShapeOf,
  type PageEdge,
  type QueueGroupShape,
} from '../domain/queue-groups.js';
import { printable } from '../domain/money.js';
import { compareBy, summaryMatches, textMatches, type AssigneeFilter, type TicketFilter, type TicketSort } from '../domain/ticket-filter.js';
import type { User, UserId } from '../domain/state.js';
import { AppError } from '../domain/errors.js';
import type { Records } from '../store/records.js';
import type { ReferenceData } from './ports.js';

export const supportData = (ref: ReferenceData): SupportData => ref.load('support.json', parseSupport);
export const calendarData = (ref: ReferenceData): CalendarData => ref.load('calendars.json', parseCalendars);
export const faqArticles = (ref: ReferenceData): FaqArticle[] => ref.load('faq.json', parseFaq);

const macroBooks = new WeakMap<ReferenceData, MacroBook>();

/** The saved replies of every language (data/macros/), read and checked once per set of reference data. */
export function macros(ref: ReferenceData): MacroBook {
  let book = macroBooks.get(ref);
  if (!book) {
    const files = Object.fromEntries(
      LANGUAGES.map((language) => [language, ref.load(macroFileName(language), (json) => parseMacroFile(json, language, `data/${macroFileName(language)}`))]),
    ) as Record<Language, MacroFile>;
    macroBooks.set(ref, (book = macroBook(files)));
  }
  return book;
}

// The queue looks up a region for every open ticket: by id once per set of reference data.
const regionCaches = new WeakMap<ReferenceData, Map<string, Region>>();

export function ticketRegion(ref: ReferenceData, regionId: string): Region {
  let cache = regionCaches.get(ref);
  if (!cache) regionCaches.set(ref, (cache = new Map()));
  let region = cache.get(regionId);
  if (!region) cache.set(regionId, (region = regionById(calendarData(ref), regionId)));
  return region;
}

export function summaryOf(ref: ReferenceData, ticket: Ticket): TicketSummary {
  return summarizeTicket(ticket, supportData(ref), ticketRegion(ref, ticket.regionId));
}

/** Every change to a ticket goes through here, so its summary never lags behind it. */
export function saveTicket(t: Records, ref: ReferenceData, ticket: Ticket): Ticket {
  t.tickets.put(ticket, summaryOf(ref, ticket));
  return ticket;
}

export function saveTickets(t: Records, ref: ReferenceData, tickets: readonly Ticket[]): void {
  for (const ticket of tickets) saveTicket(t, ref, ticket);
}

export async function findTicket(t: Records, number: number): Promise<Ticket> {
  return requireTicket(await t.tickets.get(number), number);
}

/** A customer's own ticket; anyone else's is "not found", like a number nobody uses. */
export async function findOwnTicket(t: Records, number: number, customerId: UserId): Promise<Ticket> {
  return requireOwnTicket(await t.tickets.get(number), number, customerId);
}

/** Where a reply to this ticket goes: along "merged into" links to the ticket that carries on. */
export async function followMerges(t: Records, ticket: Ticket): Promise<Ticket> {
  let current = ticket;
  for (let hops = 0; hops < MAX_MERGE_HOPS; hops += 1) {
    const next = mergedInto(current);
    if (next === null) return current;
    current = await findTicket(t, next);
  }
  return current;
}

export function slaOf(ref: ReferenceData, ticket: Ticket, nowMs: number): SlaReport {
  return slaReport(ticket, supportData(ref), ticketRegion(ref, ticket.regionId), nowMs);
}

export function queueEntryOf(ref: ReferenceData, summary: TicketSummary, nowMs: number): QueueEntry<TicketSummary> {
  return explained(ref, rankOf(ref, summary, nowMs), nowMs);
}

function rankOf(ref: ReferenceData, summary: TicketSummary, nowMs: number): Ranked<TicketSummary> {
  const sla = slaOfSummary(summary, ticketRegion(ref, summary.regionId), nowMs);
  return { ticket: summary, sla, urgency: { score: urgencyScore(summary, sla, supportData(ref).urgency, nowMs) } };
}

/** A ranked entry with its urgency explained term by term (for the entries shown). */
export function explained(ref: ReferenceData, entry: Ranked<TicketSummary>, nowMs: number): QueueEntry<TicketSummary> {
  return { ...entry, urgency: explainUrgency(entry.ticket, entry.sla, supportData(ref).urgency, nowMs) };
}

/** Every ticket still being worked on, most urgent first, from the summaries alone. */
export async function openQueue(t: Records, ref: ReferenceData, nowMs: number): Promise<Ranked<TicketSummary>[]> {
  const summaries = await t.tickets.withStatus(ACTIVE_STATUSES);
  return summaries.map((summary) => rankOf(ref, summary, nowMs)).sort(compareQueueEntries);
}

/** A shape or a group of the open queue, with the bounds of its tickets' places at one instant. */
interface RankedGroup {
  readonly key: string;
  /** A shape (whose groups are read when it can reach the page), or a group (whose tickets are). */
  readonly isShape: boolean;
  readonly count: number;
  readonly ceiling: number;
  readonly dueFloorMs: number;
}

function shapeOfKey(key: string, isShape: boolean): QueueGroupShape {
  const shape = isShape ? queueShapeOf(key) : queueGroupShape(key);
  if (shape === null)
    throw new AppError('STORE_CORRUPT', `the store's open queue names a ${isShape ? 'shape' : 'group'} it cannot read (${printable(key)})`, {
      hint: 'run `okpay verify`',
    });
  return shape;
}

function rankedGroup(ref: ReferenceData, key: string, isShape: boolean, facts: QueueGroupFacts, nowMs: number): RankedGroup {
  const shape = shapeOfKey(key, isShape);
  const ceiling = groupCeiling(shape, facts, ticketRegion(ref, shape.regionId), supportData(ref).urgency, nowMs);
  return { key, isShape, count: facts.count, ceiling, dueFloorMs: groupDueFloorMs(shape, facts, nowMs) };
}

const edgeOf = (entry: Ranked<TicketSummary>): PageEdge => ({ score: entry.urgency.score, dueAtMs: entry.sla.current?.dueAtMs ?? Number.POSITIVE_INFINITY });

const byCeiling = (a: RankedGroup, b: RankedGroup): number => b.ceiling - a.ceiling || a.dueFloorMs - b.dueFloorMs;

/**
 * The `count` most urgent open tickets in queue order, and how many are open: exactly the head of
 * `openQueue`, read from the shapes down (domain/queue-groups.ts) in the order of their ceilings:
 * a shape that can reach the page is opened into its groups, a group that can is read, until
 * nothing left can place a ticket on the page.
 */
export async function mostUrgent(t: Records, ref: ReferenceData, nowMs: number, count: number): Promise<{ entries: Ranked<TicketSummary>[]; total: number }> {
  const shapes = await t.tickets.queueShapes();
  if (shapes === null) {
    const whole = await openQueue(t, ref, nowMs);
    return { entries: whole.slice(0, count), total: whole.length };
  }
  let waiting = [...shapes].map(([key, facts]) => rankedGroup(ref, key, true, facts, nowMs));
  let page: Ranked<TicketSummary>[] = [];
  while (count > 0 && waiting.length > 0) {
    const edge = page.length >= count ? edgeOf(page[count - 1] as Ranked<TicketSummary>) : null;
    waiting = (edge === null ? waiting : waiting.filter((node) => !groupCannotEnter(node.ceiling, node.dueFloorMs, edge))).sort(byCeiling);
    // Enough at once to fill the page, so that a store across a network answers in few queries.
    let taken = 0;
    for (let members = 0; taken < waiting.length && members < count; taken += 1) members += (waiting[taken] as RankedGroup).count;
    const batch = waiting.slice(0, taken);
    waiting = waiting.slice(taken);
    const opened = batch.filter((node) => node.isShape).map((node) => node.key);
    if (opened.length > 0) for (const [key, facts] of await t.tickets.queueGroups(opened)) waiting.push(rankedGroup(ref, key, false, facts, nowMs));
    const groups = batch.filter((node) => !node.isShape).map((node) => node.key);
    if (groups.length === 0) continue;
    const read = (await t.tickets.inQueueGroups(groups)).map((summary) => rankOf(ref, summary, nowMs));
    page = [...page, ...read].sort(compareQueueEntries).slice(0, count);
  }
  return { entries: page, total: [...shapes.values()].reduce((sum, facts) => sum + facts.count, 0) };
}

/** Where a ticket stands among the open tickets waiting for their first answer. */
export interface FirstReplyPlace {
  readonly position: number;
  readonly of: number;
  readonly entry: Ranked<TicketSummary>;
}

/** How a shape or group stands against a ticket's place: no member ranks before it, every member does, or it must be looked into. */
type Standing = 'after' | 'before' | 'around';

function standing(ref: ReferenceData, key: string, isShape: boolean, facts: QueueGroupFacts, edge: PageEdge, nowMs: number): Standing {
  if (facts.firstReplyCount === 0) return 'after';
  const ranked = rankedGroup(ref, key, isShape, facts, nowMs);
  if (groupCannotEnter(ranked.ceiling, ranked.dueFloorMs, edge)) return 'after';
  const shape = shapeOfKey(key, isShape);
  const region = ticketRegion(ref, shape.regionId);
  const floor = groupFloor(shape, facts, region, supportData(ref).urgency, nowMs);
  // Tickets past every cap score alike (a busy desk's oldest): their due times then decide.
  if (floor > edge.score || (floor === edge.score && groupDueCeilingMs(shape, facts, region, nowMs) < edge.dueAtMs)) return 'before';
  return 'around';
}

/**
 * The place of an open ticket among those waiting for their first answer, in queue order: exactly
 * its index in `openQueue` filtered to them, read from the shapes down. A shape or group no member
 * of which can rank before the ticket adds nothing; one whose floor is above the ticket's score, or
 * at it with every member due before it (groupDueCeilingMs), adds all its tickets waiting for a
 * first answer; a shape around the ticket's score is opened into its groups, and only the groups
 * around it (the ticket's own among them) are read and ranked. Null when the ticket is not among them.
 */
export async function firstReplyPlace(t: Records, ref: ReferenceData, ticket: Ticket, nowMs: number): Promise<FirstReplyPlace | null> {
  const shapes = await t.tickets.queueShapes();
  const own = rankOf(ref, summaryOf(ref, ticket), nowMs);
  if (shapes === null) {
    const waiting = (await openQueue(t, ref, nowMs)).filter((entry) => entry.ticket.waitingForFirstReply);
    const index = waiting.findIndex((entry) => entry.ticket.number === ticket.number);
    return index < 0 ? null : { position: index + 1, of: waiting.length, entry: waiting[index] as Ranked<TicketSummary> };
  }
  const ownKey = queueGroupKey(own.ticket);
  const edge = edgeOf(own);
  let before = 0;
  let of = 0;
  const opened: string[] = [];
  for (const [key, facts] of shapes) {
    of += facts.firstReplyCount;
    const stands = key === queueShapeKey(ownKey) ? 'around' : standing(ref, key, true, facts, edge, nowMs);
    if (stands === 'before') before += facts.firstReplyCount;
    else if (stands === 'around') opened.push(key);
  }
  const toRank = [ownKey];
  for (const [key, facts] of opened.length === 0 ? [] : await t.tickets.queueGroups(opened)) {
    if (key === ownKey) continue;
    const stands = standing(ref, key, false, facts, edge, nowMs);
    if (stands === 'before') before += facts.firstReplyCount;
    else if (stands === 'around') toRank.push(key);
  }
  let found: Ranked<TicketSummary> | null = null;
  for (const summary of await t.tickets.inQueueGroups(toRank)) {
    if (!summary.waitingForFirstReply) continue;
    const entry = rankOf(ref, summary, nowMs);
    if (summary.number === ticket.number) found = entry;
    else if (compareQueueEntries(entry, own) < 0) before += 1;
  }
  return found === null ? null : { position: before + 1, of, entry: found };
}

/** Who holds the ticket, as asked for: `me` is the person asking. */
export type AssigneeQuery = { readonly kind: 'any' } | { readonly kind: 'none' } | { readonly kind: 'me' } | { readonly kind: 'email'; readonly email: string };

/** A filter as typed (the assignee by email) and the order of the list. */
export interface TicketSelection extends Omit<TicketFilter, 'assignee'> {
  readonly assignee: AssigneeQuery;
  readonly sort: TicketSort;
}

/** The filter of a selection: the assignee found by email (a missing account is "not found"). */
export async function filterOf(t: Records, me: User, selection: TicketSelection): Promise<TicketFilter> {
  return { ...selection, assignee: await assigneeFilter(t, me, selection.assignee) };
}

async function assigneeFilter(t: Records, me: User, query: AssigneeQuery): Promise<AssigneeFilter> {
  if (query.kind === 'any' || query.kind === 'none') return query;
  if (query.kind === 'me') return { kind: 'user', id: me.id };
  const user = await t.users.byEmail(query.email);
  if (!user) throw new AppError('USER_NOT_FOUND', `no account uses ${query.email}`);
  return { kind: 'user', id: user.id };
}

/**
 * The summaries that pass the filter, in the given order. The search reads the conversation of
 * each ticket left after the other filters, so it costs one ticket read per candidate.
 */
export async function selectTickets(
  t: Records,
  ref: ReferenceData,
  candidates: readonly TicketSummary[],
  filter: TicketFilter,
  sort: TicketSort,
  audience: 'customer' | 'agent',
  nowMs: number,
): Promise<Ranked<TicketSummary>[]> {
  const ranked = candidates.map((summary) => rankOf(ref, summary, nowMs)).filter((entry) => summaryMatches(filter, entry));
  const terms = filter.search;
  const found: Ranked<TicketSummary>[] = [];
  if (terms === null) found.push(...ranked);
  else for (const entry of ranked) if (textMatches(terms, await findTicket(t, entry.ticket.number), audience)) found.push(entry);
  return found.sort(compareBy(sort));
}

/** Emails of the given people for display (an id whose account is gone shows as itself). */
export async function emailsOf(t: Records, ids: readonly (UserId | null)[]): Promise<Record<string, string>> {
  // One read of them all: in a database, one query however many people a page shows; in the file
  // store, the index of addresses by id (a few bytes a person), not each person's bucket of users.
  const wanted = [...new Set(ids.filter((id): id is UserId => id !== null))];
  const emails = await t.users.emailsOf(wanted);
  return Object.fromEntries(wanted.map((id, index) => [id, emails[index] ?? id]));
}

/** "2026-11-24 09:00 Europe/Berlin": local time of the region, which is what business hours mean. */
export function localTime(ms: number, timeZone: string): string {
  return `${DateTime.fromMillis(ms, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm')} ${timeZone}`;
}
