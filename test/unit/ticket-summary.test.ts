import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Region } from '../../src/domain/calendar.js';
import { slaReport } from '../../src/domain/sla.js';
import { slaOfSummary, summarizeTicket } from '../../src/domain/ticket-summary.js';
import { requestEscalation } from '../../src/domain/ticket-assignment.js';
import { PRIORITIES, TICKET_CATEGORIES, TICKET_CHANNELS } from '../../src/domain/ticket-kinds.js';
import { type Ticket, type TicketStatus } from '../../src/domain/ticket-record.js';
import { addAgentReply, addCustomerReply, addNote, changeStatus, openTicket, setPriority } from '../../src/domain/tickets.js';
import { explainUrgency, urgencyScore } from '../../src/domain/urgency.js';
import { agent, americas, asia, customer, europe, newState, support } from '../support/desk.js';

const state = newState();
const ada = customer(state, 'ada');
const lin = agent(state, 'lin', 3);
const REGIONS: readonly Region[] = [europe, americas, asia];
const START_MS = Date.parse('2026-11-01T00:00:00Z');
const DAY_MS = 86_400_000;

type Step =
  | { readonly kind: 'agent-reply' | 'customer-reply' | 'note' | 'escalation'; readonly gapMs: number }
  | { readonly kind: 'status'; readonly gapMs: number; readonly to: TicketStatus }
  | { readonly kind: 'priority'; readonly gapMs: number; readonly to: (typeof PRIORITIES)[number] };

const gap = fc.integer({ min: 0, max: 3 * DAY_MS });
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constantFrom('agent-reply' as const, 'customer-reply' as const, 'note' as const, 'escalation' as const), gapMs: gap }),
  fc.record({ kind: fc.constant('status' as const), gapMs: gap, to: fc.constantFrom<TicketStatus>('open', 'pending', 'on-hold', 'solved') }),
  fc.record({ kind: fc.constant('priority' as const), gapMs: gap, to: fc.constantFrom(...PRIORITIES) }),
);

function apply(ticket: Ticket, s: Step, atIso: string): Ticket {
  switch (s.kind) {
    case 'agent-reply':
      return addAgentReply(ticket, lin, { body: 'an answer', faqId: null, status: null }, atIso);
    case 'customer-reply':
      return addCustomerReply(ticket, ada, 'more detail', () => 999, atIso).ticket;
    case 'note':
      return addNote(ticket, lin, 'a note', atIso);
    case 'escalation':
      return requestEscalation(ticket, ada, 'no answer yet', false, atIso);
    case 'status':
      return changeStatus(ticket, s.to, lin, atIso);
    case 'priority':
      return setPriority(ticket, s.to, lin, atIso);
  }
}

/** A ticket with a random history; steps the rules refuse (a closed ticket's reply, say) are left out. */
function history(
  startMs: number,
  region: Region,
  channel: (typeof TICKET_CHANNELS)[number],
  category: (typeof TICKET_CATEGORIES)[number],
  steps: readonly Step[],
): { ticket: Ticket; lastMs: number } {
  const input = {
    customer: ada,
    category,
    subject: 'Where is my money?',
    body: 'It has been days.',
    channel,
    language: 'en' as const,
    regionId: region.id,
    txId: null,
  };
  let ticket = openTicket(input, [], () => 1, support, startMs).ticket;
  let atMs = startMs;
  for (const s of steps) {
    atMs += s.gapMs;
    try {
      ticket = apply(ticket, s, new Date(atMs).toISOString());
    } catch {
      // refused by the rules: the history goes on without it
    }
  }
  return { ticket, lastMs: atMs };
}

describe('a ticket summary', () => {
  it('gives the SLA clock and the urgency that the whole ticket gives, at any later instant (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 * DAY_MS }),
        fc.constantFrom(...REGIONS),
        fc.constantFrom(...TICKET_CHANNELS),
        fc.constantFrom(...TICKET_CATEGORIES),
        fc.array(step, { maxLength: 12 }),
        fc.integer({ min: 0, max: 20 * DAY_MS }),
        (offsetMs, region, channel, category, steps, laterMs) => {
          const { ticket, lastMs } = history(START_MS + offsetMs, region, channel, category, steps);
          const nowMs = lastMs + laterMs;
          const sla = slaReport(ticket, support, region, nowMs);
          // Stored as JSON in the file store: the summary must come back the same.
          const summary = JSON.parse(JSON.stringify(summarizeTicket(ticket, support, region))) as ReturnType<typeof summarizeTicket>;
          const fromSummary = slaOfSummary(summary, region, nowMs);
          expect(fromSummary.current).toEqual(sla.current);
          expect(fromSummary.state).toBe(sla.state);
          const urgency = explainUrgency(ticket, sla, support.urgency, nowMs);
          expect(explainUrgency(summary, fromSummary, support.urgency, nowMs)).toEqual(urgency);
          expect(urgencyScore(summary, fromSummary, support.urgency, nowMs)).toBe(urgency.score);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('depends on the ticket alone, not on when it was made', () => {
    const { ticket } = history(START_MS, europe, 'email', 'dispute', [
      { kind: 'agent-reply', gapMs: 3_600_000 },
      { kind: 'customer-reply', gapMs: 7_200_000 },
    ]);
    const summary = summarizeTicket(ticket, support, europe);
    expect(summary).toMatchObject({ number: 1, status: 'open', priority: 'high', waitingForFirstReply: false, solvedAt: null });
    expect(summary.sla).toMatchObject({ kind: 'next-reply', runningSinceMs: START_MS + 3 * 3_600_000 });
    expect(summarizeTicket(ticket, support, europe)).toEqual(summary);
  });

  it('keeps no clock for a solved ticket, and when it was solved', () => {
    const { ticket, lastMs } = history(START_MS, europe, 'chat', 'account', [{ kind: 'status', gapMs: DAY_MS, to: 'solved' }]);
    const summary = summarizeTicket(ticket, support, europe);
    expect(summary.sla).toBeNull();
    expect(summary.solvedAt).toBe(new Date(lastMs).toISOString());
    expect(slaOfSummary(summary, europe, lastMs + DAY_MS)).toEqual({ current: null, state: 'none' });
  });
});
