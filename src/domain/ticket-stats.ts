// Support statistics over a period (`okpay agent stats`): volume, first-reply times, SLA
// compliance and customer satisfaction, per agent and per category. Everything is derived from
// the tickets' event logs and their SLA reports.

import type { SlaReport } from './sla.js';
import type { UserId } from './state.js';
import type { Ticket } from './ticket-record.js';

export interface StatsRow {
  /** The agent's id, the category, or "all". */
  readonly key: string;
  /** Tickets opened in the period (per agent: those the agent holds). */
  readonly volume: number;
  readonly firstReplies: number;
  readonly medianFirstReplyMinutes: number | null;
  /** First replies within target, and how many were measured (answered, or overdue and still waiting). */
  readonly slaMet: number;
  readonly slaMeasured: number;
  readonly ratings: number;
  readonly averageScore: number | null;
  /** Share of ratings that were 4 or 5, from 0 to 1. */
  readonly csat: number | null;
}

export interface TicketStats {
  readonly total: StatsRow;
  readonly byAgent: readonly StatsRow[];
  readonly byCategory: readonly StatsRow[];
}

interface Measured {
  readonly ticket: Ticket;
  /** Business minutes to the first answer, and who gave it. */
  readonly firstReply: { readonly minutes: number; readonly breached: boolean; readonly by: UserId | null } | null;
  readonly overdue: boolean;
}

function measure(ticket: Ticket, sla: SlaReport): Measured {
  const answered = sla.past.find((clock) => clock.kind === 'first-reply' && clock.endedBy === 'reply');
  const by = answered
    ? (ticket.events.find((event) => event.type === 'message' && event.author === 'agent' && event.visibility === 'public')?.by ?? null)
    : null;
  return {
    ticket,
    firstReply: answered ? { minutes: answered.elapsedMinutes, breached: answered.breached, by } : null,
    overdue: sla.current !== null && sla.current.kind === 'first-reply' && sla.current.breached,
  };
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : Math.round(((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2);
}

function row(key: string, volumeOf: readonly Measured[], repliesOf: readonly Measured[]): StatsRow {
  const replies = repliesOf.flatMap((entry) => (entry.firstReply ? [entry.firstReply] : []));
  const overdue = repliesOf.filter((entry) => entry.overdue).length;
  const scores = volumeOf.flatMap((entry) => (entry.ticket.rating ? [entry.ticket.rating.score] : []));
  return {
    key,
    volume: volumeOf.length,
    firstReplies: replies.length,
    medianFirstReplyMinutes: median(replies.map((reply) => reply.minutes)),
    slaMet: replies.filter((reply) => !reply.breached).length,
    slaMeasured: replies.length + overdue,
    ratings: scores.length,
    averageScore: scores.length === 0 ? null : Math.round((scores.reduce((sum, score) => sum + score, 0) / scores.length) * 100) / 100,
    csat: scores.length === 0 ? null : Math.round((scores.filter((score) => score >= 4).length / scores.length) * 1000) / 1000,
  };
}

/**
 * Statistics of the tickets opened from `fromMs` (inclusive) to `toMs` (exclusive). An agent's
 * volume and ratings are the tickets they hold; their first replies are the ones they wrote.
 */
export function ticketStats(tickets: readonly Ticket[], slaOf: (ticket: Ticket) => SlaReport, fromMs: number, toMs: number): TicketStats {
  const inPeriod = tickets.filter((ticket) => {
    const createdMs = Date.parse(ticket.createdAt);
    return createdMs >= fromMs && createdMs < toMs;
  });
  const measured = inPeriod.map((ticket) => measure(ticket, slaOf(ticket)));
  const agents = [
    ...new Set(measured.flatMap((entry) => [entry.ticket.assigneeId, entry.firstReply?.by ?? null]).filter((id): id is UserId => id !== null)),
  ].sort();
  const categories = [...new Set(inPeriod.map((ticket) => ticket.category))].sort();
  return {
    total: row('all', measured, measured),
    byAgent: agents.map((id) =>
      row(
        id,
        measured.filter((entry) => entry.ticket.assigneeId === id),
        measured.filter((entry) => entry.firstReply?.by === id || (entry.overdue && entry.ticket.assigneeId === id)),
      ),
    ),
    byCategory: categories.map((category) => {
      const ofCategory = measured.filter((entry) => entry.ticket.category === category);
      return row(category, ofCategory, ofCategory);
    }),
  };
}
