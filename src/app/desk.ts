// What the ticket and agent use-cases share: the shipped support data, storing a ticket with its
// summary, finding tickets by number, and the open queue in urgency order from the summaries.

import { DateTime } from 'luxon';
import { parseCalendars, regionById, type CalendarData, type Region } from '../domain/calendar.js';
import { parseFaq, type FaqArticle } from '../domain/faq.js';
import { slaReport, type SlaReport } from '../domain/sla.js';
import { parseSupport, type SupportData } from '../domain/support.js';
import { slaOfSummary, summarizeTicket, type TicketSummary } from '../domain/ticket-summary.js';
import { ACTIVE_STATUSES, MAX_MERGE_HOPS, mergedInto, requireOwnTicket, requireTicket, type Ticket } from '../domain/tickets.js';
import { compareQueueEntries, explainUrgency, urgencyScore, type QueueEntry, type Ranked } from '../domain/urgency.js';
import type { UserId } from '../domain/state.js';
import type { Records } from '../store/records.js';
import type { ReferenceData } from './ports.js';

export const supportData = (ref: ReferenceData): SupportData => ref.load('support.json', parseSupport);
export const calendarData = (ref: ReferenceData): CalendarData => ref.load('calendars.json', parseCalendars);
export const faqArticles = (ref: ReferenceData): FaqArticle[] => ref.load('faq.json', parseFaq);

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

/** Emails of the given people for display (an id whose account is gone shows as itself). */
export async function emailsOf(t: Records, ids: readonly (UserId | null)[]): Promise<Record<string, string>> {
  const names: Record<string, string> = {};
  for (const id of ids) {
    if (id === null || names[id] !== undefined) continue;
    names[id] = (await t.users.get(id))?.email ?? id;
  }
  return names;
}

/** "2026-11-24 09:00 Europe/Berlin": local time of the region, which is what business hours mean. */
export function localTime(ms: number, timeZone: string): string {
  return `${DateTime.fromMillis(ms, { zone: timeZone }).toFormat('yyyy-MM-dd HH:mm')} ${timeZone}`;
}
