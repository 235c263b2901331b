// Which tickets a filter keeps and in what order (src/domain/ticket-filter.ts).

import { describe, expect, it } from 'vitest';
import { compareBy, NO_FILTER, queryTerms, summaryMatches, textMatches, type TicketFilter } from '../../src/domain/ticket-filter.js';
import { summarizeTicket, type TicketSummary } from '../../src/domain/ticket-summary.js';
import { type Ticket } from '../../src/domain/ticket-record.js';
import { addNote } from '../../src/domain/tickets.js';
import type { Ranked } from '../../src/domain/urgency.js';
import { agent, customer, europe, newState, open, support } from '../support/desk.js';

const NOW = Date.parse('2026-11-23T10:00:00.000Z');
const state = newState();
const ada = customer(state, 'ada');
const lin = agent(state, 'lin', 1);

function ranked(ticket: Ticket, score = 0, slaState: 'ok' | 'at-risk' | 'breached' | 'none' = 'ok'): Ranked<TicketSummary> {
  return { ticket: summarizeTicket(ticket, support, europe), sla: { current: null, state: slaState }, urgency: { score } };
}

const filter = (overrides: Partial<TicketFilter>): TicketFilter => ({ ...NO_FILTER, ...overrides });

describe('filters on the summary', () => {
  const email = open(state, ada, NOW, { channel: 'email', category: 'funds', language: 'de' });
  const chat = { ...open(state, ada, NOW, { channel: 'chat', subject: 'Another one' }), assigneeId: lin.id, priority: 'urgent' as const };

  it('keeps a ticket only when every given filter matches one of its values', () => {
    expect(summaryMatches(NO_FILTER, ranked(email))).toBe(true);
    expect(summaryMatches(filter({ channels: ['chat', 'phone'] }), ranked(email))).toBe(false);
    expect(summaryMatches(filter({ channels: ['chat', 'email'], categories: ['funds'], languages: ['de'] }), ranked(email))).toBe(true);
    expect(summaryMatches(filter({ channels: ['email'], languages: ['en'] }), ranked(email))).toBe(false);
    expect(summaryMatches(filter({ priorities: ['urgent'] }), ranked(chat))).toBe(true);
    expect(summaryMatches(filter({ statuses: ['open'] }), ranked(email))).toBe(false);
  });

  it('tells nobody, one person and anyone apart', () => {
    expect(summaryMatches(filter({ assignee: { kind: 'none' } }), ranked(email))).toBe(true);
    expect(summaryMatches(filter({ assignee: { kind: 'none' } }), ranked(chat))).toBe(false);
    expect(summaryMatches(filter({ assignee: { kind: 'user', id: lin.id } }), ranked(chat))).toBe(true);
    expect(summaryMatches(filter({ assignee: { kind: 'user', id: ada.id } }), ranked(chat))).toBe(false);
  });

  it('keeps breached and at-risk tickets when asked for breaching ones', () => {
    const breaching = filter({ breaching: true });
    expect(summaryMatches(breaching, ranked(email, 0, 'breached'))).toBe(true);
    expect(summaryMatches(breaching, ranked(email, 0, 'at-risk'))).toBe(true);
    expect(summaryMatches(breaching, ranked(email, 0, 'ok'))).toBe(false);
  });
});

describe('free-text search', () => {
  const ticket = addNote(
    open(state, ada, NOW, { subject: '退款没有到账', body: 'Refunded twice? 我十一月二日退货。' }),
    lin,
    'Treasury says batch 77 is late.',
    new Date(NOW).toISOString(),
  );

  it('needs every word, folded and stemmed, in the subject or a message', () => {
    expect(textMatches(queryTerms('退款')!, ticket, 'agent')).toBe(true);
    expect(textMatches(queryTerms('十一月，退货')!, ticket, 'agent')).toBe(true);
    expect(textMatches(queryTerms('REFUNDS')!, ticket, 'agent')).toBe(true);
    expect(textMatches(queryTerms('refund card')!, ticket, 'agent')).toBe(false);
    expect(textMatches(queryTerms('退钱')!, ticket, 'agent')).toBe(false);
  });

  it('never finds a customer’s ticket by its internal notes', () => {
    expect(textMatches(queryTerms('treasury')!, ticket, 'agent')).toBe(true);
    expect(textMatches(queryTerms('treasury')!, ticket, 'customer')).toBe(false);
  });

  it('has nothing to look for in common words or punctuation alone', () => {
    expect(queryTerms('the')).toBeNull();
    expect(queryTerms('我的？')).toBeNull();
    expect(queryTerms('!!!')).toBeNull();
    expect(queryTerms('refund refunds')).toEqual(['refund']);
  });
});

describe('sort orders', () => {
  const at = (hours: number) => new Date(NOW + hours * 3_600_000).toISOString();
  const make = (number: number, priority: 'urgent' | 'high' | 'normal' | 'low', created: number, updated: number, score: number): Ranked<TicketSummary> => {
    const base = ranked(open(state, ada, NOW), score);
    return { ...base, ticket: { ...base.ticket, number, priority, createdAt: at(created), updatedAt: at(updated) } };
  };
  const entries = [make(1, 'low', -5, -1, 90), make(2, 'urgent', -3, -4, 10), make(3, 'normal', -1, -2, 50)];
  const order = (sort: Parameters<typeof compareBy>[0]) => [...entries].sort(compareBy(sort)).map((e) => e.ticket.number);

  it('urgency, newest created, latest updated, and priority with urgency between equals', () => {
    expect(order('urgency')).toEqual([1, 3, 2]);
    expect(order('created')).toEqual([3, 2, 1]);
    expect(order('updated')).toEqual([1, 3, 2]);
    expect(order('priority')).toEqual([2, 3, 1]);
  });
});
