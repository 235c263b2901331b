// `agent stats`: a report over the tickets of a period (replies, SLA, per agent) and its day-by-day
// trends, read from the store a page of tickets at a time.

import { ticketStats, type TicketStats } from '../domain/ticket-stats.js';
import { ticketTrends, type TicketTrends } from '../domain/ticket-trends.js';
import { ACTIVE_STATUSES, type Ticket } from '../domain/ticket-record.js';
import type { Records } from '../store/records.js';
import { requireAgent } from './agent.js';
import type { Actor } from './authenticate.js';
import { emailsOf, slaOf } from './desk.js';
import type { AppDeps } from './ports.js';

const STATS_PAGE_SIZE = 500;

export interface AgentStats {
  readonly stats: TicketStats;
  readonly trends: TicketTrends;
  /** Emails of the agents in the per-agent rows. */
  readonly names: Readonly<Record<string, string>>;
}

/** Whether anything about the ticket can fall in a period starting at `fromMs`: a change since, or a reply clock still running. */
function touchesPeriod(ticket: Ticket, fromMs: number): boolean {
  return Date.parse(ticket.updatedAt) >= fromMs || ACTIVE_STATUSES.includes(ticket.status);
}

/** `agent stats`: a report over the tickets opened in [fromMs, toMs), and day-by-day trends, read a page at a time. */
export async function agentStats(t: Records, deps: AppDeps, actor: Actor, period: { fromMs: number; toMs: number }): Promise<AgentStats> {
  requireAgent(actor, '`agent stats`');
  const nowMs = deps.now().getTime();
  const touching: Ticket[] = [];
  for await (const page of t.tickets.scan(STATS_PAGE_SIZE)) touching.push(...page.filter((ticket) => touchesPeriod(ticket, period.fromMs)));
  const slaNow = (ticket: Ticket) => slaOf(deps.ref, ticket, nowMs);
  const stats = ticketStats(touching, slaNow, period.fromMs, period.toMs);
  const trends = ticketTrends(touching, slaNow, period.fromMs, period.toMs);
  return {
    stats,
    trends,
    names: await emailsOf(
      t,
      stats.byAgent.map((row) => row.key),
    ),
  };
}
