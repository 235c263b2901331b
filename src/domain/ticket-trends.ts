// What a team lead reads off charts (`okpay agent stats`): per day of a period, tickets opened and
// solved, reply targets missed, and satisfaction; and how long first replies took. Days are UTC
// calendar days. Everything comes from the tickets' events, ratings and SLA reports.

import type { SlaReport } from './sla.js';
import type { Ticket } from './ticket-record.js';

const DAY_MS = 86_400_000;

export interface DayTrend {
  /** YYYY-MM-DD (UTC). */
  readonly date: string;
  /** Tickets opened that day. */
  readonly opened: number;
  /** Tickets marked solved that day (a ticket solved, reopened and solved again counts twice). */
  readonly resolved: number;
  /** Reply targets that passed unmet that day. */
  readonly breaches: number;
  /** Ratings given that day, and the share of them that were 4 or 5 (null without ratings). */
  readonly ratings: number;
  readonly csat: number | null;
}

export interface ReplyBucket {
  readonly label: string;
  /** Business minutes, from (inclusive) to (exclusive; null: no upper bound). */
  readonly fromMinutes: number;
  readonly toMinutes: number | null;
  readonly tickets: number;
}

export interface TicketTrends {
  readonly days: readonly DayTrend[];
  /** First replies to the tickets opened in the period, by business time taken. */
  readonly firstReply: readonly ReplyBucket[];
}

const REPLY_BUCKETS: readonly Omit<ReplyBucket, 'tickets'>[] = [
  { label: 'under 1 h', fromMinutes: 0, toMinutes: 60 },
  { label: '1–4 h', fromMinutes: 60, toMinutes: 240 },
  { label: '4–8 h', fromMinutes: 240, toMinutes: 480 },
  { label: '8–24 h', fromMinutes: 480, toMinutes: 1440 },
  { label: '24 h and more', fromMinutes: 1440, toMinutes: null },
];

interface Tally {
  opened: number;
  resolved: number;
  breaches: number;
  ratings: number;
  satisfied: number;
}

/** The UTC days the period [fromMs, toMs) touches, each with an empty tally. */
function emptyDays(fromMs: number, toMs: number): { firstDayMs: number; tallies: Tally[] } {
  const firstDayMs = Math.floor(fromMs / DAY_MS) * DAY_MS;
  const count = Math.max(1, Math.ceil((toMs - firstDayMs) / DAY_MS));
  return { firstDayMs, tallies: Array.from({ length: count }, () => ({ opened: 0, resolved: 0, breaches: 0, ratings: 0, satisfied: 0 })) };
}

function firstReplyMinutes(sla: SlaReport): number | null {
  return sla.past.find((clock) => clock.kind === 'first-reply' && clock.endedBy === 'reply')?.elapsedMinutes ?? null;
}

function missedTargets(sla: SlaReport): number[] {
  return [...sla.past, ...(sla.current ? [sla.current] : [])].flatMap((clock) => (clock.breached && clock.dueAtMs !== null ? [clock.dueAtMs] : []));
}

/** Adds one ticket's events of the period to the day tallies; its first-reply time when it was opened in the period. */
function tallyTicket(ticket: Ticket, sla: SlaReport, tallyAt: (ms: number) => Tally | undefined): number | null {
  const opened = tallyAt(Date.parse(ticket.createdAt));
  if (opened) opened.opened += 1;
  for (const event of ticket.events) {
    const day = event.type === 'status' && event.to === 'solved' ? tallyAt(Date.parse(event.at)) : undefined;
    if (day) day.resolved += 1;
  }
  for (const dueMs of missedTargets(sla)) {
    const day = tallyAt(dueMs);
    if (day) day.breaches += 1;
  }
  const rated = ticket.rating === null ? undefined : tallyAt(Date.parse(ticket.rating.at));
  if (rated && ticket.rating) {
    rated.ratings += 1;
    if (ticket.rating.score >= 4) rated.satisfied += 1;
  }
  return opened ? firstReplyMinutes(sla) : null;
}

/** Per-day trends and the first-reply distribution of the period [fromMs, toMs). */
export function ticketTrends(tickets: readonly Ticket[], slaOf: (ticket: Ticket) => SlaReport, fromMs: number, toMs: number): TicketTrends {
  const { firstDayMs, tallies } = emptyDays(fromMs, toMs);
  const tallyAt = (ms: number): Tally | undefined => (ms >= fromMs && ms < toMs ? tallies[Math.floor((ms - firstDayMs) / DAY_MS)] : undefined);
  const replies = tickets.flatMap((ticket) => {
    const minutes = tallyTicket(ticket, slaOf(ticket), tallyAt);
    return minutes === null ? [] : [minutes];
  });
  return {
    days: tallies.map((t, index) => ({
      date: new Date(firstDayMs + index * DAY_MS).toISOString().slice(0, 10),
      opened: t.opened,
      resolved: t.resolved,
      breaches: t.breaches,
      ratings: t.ratings,
      csat: t.ratings === 0 ? null : Math.round((t.satisfied / t.ratings) * 1000) / 1000,
    })),
    firstReply: REPLY_BUCKETS.map((bucket) => ({
      ...bucket,
      tickets: replies.filter((m) => m >= bucket.fromMinutes && (bucket.toMinutes === null || m < bucket.toMinutes)).length,
    })),
  };
}
