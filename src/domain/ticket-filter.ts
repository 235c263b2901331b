// Which tickets a list shows and in what order (`ticket list`, `agent queue` and the bulk verbs
// that select by filter): every filter is checked on the ticket's summary first, and the
// free-text search, which needs the conversation, only on the tickets that are left.

import type { Language } from './language.js';
import { searchTerms } from './search-terms.js';
import type { TicketSummary } from './ticket-summary.js';
import { PRIORITIES, type Priority, type TicketCategory, type TicketChannel } from './ticket-kinds.js';
import { type Ticket, type TicketStatus } from './ticket-record.js';
import { visibleMessages } from './tickets.js';
import { compareQueueEntries, type Ranked } from './urgency.js';
import type { UserId } from './user.js';

export const TICKET_SORTS = ['urgency', 'created', 'updated', 'priority'] as const;
export type TicketSort = (typeof TICKET_SORTS)[number];

/** Who holds the ticket: anyone (no filter), nobody, or one person. */
export type AssigneeFilter = { readonly kind: 'any' } | { readonly kind: 'none' } | { readonly kind: 'user'; readonly id: UserId };

export interface TicketFilter {
  /** null: any value; otherwise one of these. */
  readonly statuses: readonly TicketStatus[] | null;
  readonly priorities: readonly Priority[] | null;
  readonly categories: readonly TicketCategory[] | null;
  readonly languages: readonly Language[] | null;
  readonly channels: readonly TicketChannel[] | null;
  readonly assignee: AssigneeFilter;
  /** Only tickets whose running reply clock is missed or at risk. */
  readonly breaching: boolean;
  /** Terms every matching ticket holds in its subject or messages (see search-terms.ts); null: no search. */
  readonly search: readonly string[] | null;
}

export const NO_FILTER: TicketFilter = {
  statuses: null,
  priorities: null,
  categories: null,
  languages: null,
  channels: null,
  assignee: { kind: 'any' },
  breaching: false,
  search: null,
};

const within = <T>(allowed: readonly T[] | null, value: T): boolean => allowed === null || allowed.includes(value);

function assigneeMatches(filter: AssigneeFilter, assigneeId: UserId | null): boolean {
  if (filter.kind === 'any') return true;
  return filter.kind === 'none' ? assigneeId === null : assigneeId === filter.id;
}

/** Everything but the search, from the summary and its SLA state now. */
export function summaryMatches(filter: TicketFilter, entry: Ranked<TicketSummary>): boolean {
  const { ticket, sla } = entry;
  return (
    within(filter.statuses, ticket.status) &&
    within(filter.priorities, ticket.priority) &&
    within(filter.categories, ticket.category) &&
    within(filter.languages, ticket.language) &&
    within(filter.channels, ticket.channel) &&
    assigneeMatches(filter.assignee, ticket.assigneeId) &&
    (!filter.breaching || sla.state === 'breached' || sla.state === 'at-risk')
  );
}

/**
 * The distinct search terms of a query. A query with no word to look for (only punctuation or
 * words too common to rank, such as "the" or "的") is null, so the caller can refuse it.
 */
export function queryTerms(query: string): string[] | null {
  const terms = [...new Set(searchTerms(query))];
  return terms.length === 0 ? null : terms;
}

/**
 * Whether the ticket's subject or a message holds every term. A customer's search sees only
 * what the customer sees, so internal notes never answer it.
 */
export function textMatches(terms: readonly string[], ticket: Ticket, audience: 'customer' | 'agent'): boolean {
  const texts = [ticket.subject, ...visibleMessages(ticket, audience).map((message) => message.body)];
  const found = new Set(texts.flatMap((text) => searchTerms(text)));
  return terms.every((term) => found.has(term));
}

const byNewest = (a: string, b: string): number => (a === b ? 0 : a < b ? 1 : -1);
const priorityRank = (priority: Priority): number => PRIORITIES.indexOf(priority);

/** The order of a list: most urgent, newest opened, latest changed, or highest priority (then most urgent) first. */
export function compareBy(sort: TicketSort): (a: Ranked<TicketSummary>, b: Ranked<TicketSummary>) => number {
  switch (sort) {
    case 'urgency':
      return compareQueueEntries;
    case 'created':
      return (a, b) => byNewest(a.ticket.createdAt, b.ticket.createdAt) || b.ticket.number - a.ticket.number;
    case 'updated':
      return (a, b) => byNewest(a.ticket.updatedAt, b.ticket.updatedAt) || b.ticket.number - a.ticket.number;
    case 'priority':
      return (a, b) => priorityRank(a.ticket.priority) - priorityRank(b.ticket.priority) || compareQueueEntries(a, b);
  }
}
