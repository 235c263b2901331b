import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { slaReport } from '../../src/domain/sla.js';
import { URGENCY_TERMS } from '../../src/domain/support.js';
import { type Ticket } from '../../src/domain/ticket-record.js';
import { changeStatus, escalateTicket, rateTicket, requestEscalation } from '../support/desk-state.js';
import { compareQueueEntries, explainUrgency, type QueueEntry } from '../../src/domain/urgency.js';
import { agent, at, customer, europe, iso, newState, open, support } from '../support/desk.js';

const weights = support.urgency;
const MONDAY_10 = at(europe, '2026-11-23T10:00');

function entry(ticket: Ticket, nowMs: number): QueueEntry {
  const sla = slaReport(ticket, support, europe, nowMs);
  return { ticket, sla, urgency: explainUrgency(ticket, sla, weights, nowMs) };
}

function term(ticket: Ticket, nowMs: number, name: string) {
  const found = entry(ticket, nowMs).urgency.terms.find((t) => t.name === name);
  if (!found) throw new Error(`no term ${name}`);
  return found;
}

describe('urgency terms', () => {
  it('lists every named term with its weight from the data, and the score is their sum', () => {
    const state = newState();
    const ticket = open(state, customer(state, 'ada'), MONDAY_10, { category: 'dispute' });
    const { urgency } = entry(ticket, at(europe, '2026-11-23T12:00'));
    expect(urgency.terms.map((t) => t.name)).toEqual([...URGENCY_TERMS]);
    for (const t of urgency.terms) expect(t.weight).toBe(weights.weights[t.name]);
    expect(urgency.score).toBeCloseTo(
      urgency.terms.reduce((sum, t) => sum + t.points, 0),
      5,
    );
    // Two of four business hours used (0.5 × 40), high priority (0.6 × 40), two hours of age (0.1).
    expect(urgency.score).toBe(44.1);
  });

  it('measures the share of the SLA target used, capped, and nothing while paused', () => {
    const state = newState();
    const ticket = open(state, customer(state, 'ada'), MONDAY_10, { category: 'dispute' });
    expect(term(ticket, MONDAY_10, 'sla').value).toBe(0);
    expect(term(ticket, at(europe, '2026-11-23T13:00'), 'sla')).toMatchObject({ value: 0.75, points: 30 });
    expect(term(ticket, at(europe, '2026-11-25T17:00'), 'sla').value).toBe(weights.slaCap);
    const pending = changeStatus(state, ticket, 'pending', null, iso(at(europe, '2026-11-23T11:00')));
    expect(term(pending, at(europe, '2026-11-23T15:00'), 'sla')).toMatchObject({ value: 0, points: 0 });
    expect(term(pending, at(europe, '2026-11-23T15:00'), 'sla').detail).toMatch(/paused/);
  });

  it('values priority and tier from the data', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const lin = agent(state, 'lin', 3);
    expect(term(open(state, ada, MONDAY_10, { category: 'feedback' }), MONDAY_10, 'priority').points).toBe(0);
    expect(term(open(state, ada, MONDAY_10, { category: 'account', subject: 'n' }), MONDAY_10, 'priority').points).toBe(12);
    const ticket = open(state, ada, MONDAY_10, { subject: 't' });
    expect(term(ticket, MONDAY_10, 'tier').points).toBe(0);
    expect(term(escalateTicket(state, ticket, 2, lin, null, iso(MONDAY_10)), MONDAY_10, 'tier').points).toBe(5);
    expect(term(escalateTicket(state, ticket, 3, lin, null, iso(MONDAY_10)), MONDAY_10, 'tier').points).toBe(10);
  });

  it('grows with age up to a cap', () => {
    const state = newState();
    const ticket = open(state, customer(state, 'ada'), MONDAY_10);
    expect(term(ticket, MONDAY_10 + 7 * 86_400_000, 'age')).toMatchObject({ value: 0.5, points: 5 });
    expect(term(ticket, MONDAY_10 + 40 * 86_400_000, 'age').value).toBe(1);
  });

  it('adds the customer’s escalation request and a bad rating, and takes off for waiting on the customer', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const ticket = open(state, ada, MONDAY_10);
    expect(term(ticket, MONDAY_10, 'escalationRequest').points).toBe(0);
    const asked = requestEscalation(state, ticket, ada, 'nobody answers', false, iso(MONDAY_10));
    expect(term(asked, MONDAY_10, 'escalationRequest').points).toBe(20);
    const solved = changeStatus(state, asked, 'solved', null, iso(MONDAY_10));
    const rated = rateTicket(state, solved, ada, 1, 'bad', iso(MONDAY_10));
    expect(term(rated.ticket, MONDAY_10, 'badRating').points).toBe(15);
    expect(rated.followUp && term(rated.followUp, MONDAY_10, 'badRating').points).toBe(15);
    const waiting = changeStatus(state, open(state, ada, MONDAY_10, { subject: 'w' }), 'pending', null, iso(MONDAY_10));
    expect(term(waiting, MONDAY_10, 'waiting')).toMatchObject({ value: 1, points: -30 });
  });
});

describe('queue order', () => {
  it('puts the higher score first, then the earlier deadline, then the older ticket', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const nowMs = at(europe, '2026-11-23T12:00');
    const low = open(state, ada, MONDAY_10, { category: 'feedback', subject: 'low' });
    const high = open(state, ada, MONDAY_10, { category: 'dispute', subject: 'high' });
    const normalEarly = open(state, ada, MONDAY_10, { subject: 'early' });
    const normalLate = open(state, ada, at(europe, '2026-11-23T11:00'), { subject: 'late' });
    const sorted = [low, normalLate, high, normalEarly].map((t) => entry(t, nowMs)).sort(compareQueueEntries);
    expect(sorted.map((e) => e.ticket.subject)).toEqual(['high', 'early', 'late', 'low']);
  });

  it('is a total order that ignores input order (property)', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const nowMs = at(europe, '2026-11-24T12:00');
    const categories = ['account', 'dispute', 'feedback', 'funds'] as const;
    const tickets = Array.from({ length: 8 }, (_, i) => open(state, ada, MONDAY_10 + i * 3_600_000, { category: categories[i % 4], subject: `t${i}` }));
    const entries = tickets.map((t) => entry(t, nowMs));
    const reference = [...entries].sort(compareQueueEntries).map((e) => e.ticket.number);
    fc.assert(
      fc.property(fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }), (shuffled) => {
        expect([...shuffled].sort(compareQueueEntries).map((e) => e.ticket.number)).toEqual(reference);
      }),
    );
  });
});
