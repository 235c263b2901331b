// Terminal charts (src/cli/charts.ts) and the day-by-day trends they draw (src/domain/ticket-trends.ts).

import { describe, expect, it } from 'vitest';
import { barLines, fitSeries, sparkline, valuesPerColumn } from '../../src/cli/charts.js';
import { slaReport } from '../../src/domain/sla.js';
import { type Ticket } from '../../src/domain/ticket-record.js';
import { addAgentReply, changeStatus } from '../../src/domain/tickets.js';
import { ticketTrends } from '../../src/domain/ticket-trends.js';
import { agent, customer, europe, newState, open, support } from '../support/desk.js';

describe('sparklines and bars fit the width', () => {
  it('one mark per value, scaled to the largest; blanks for no value', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▂▃▅█');
    expect(sparkline([0.5, null, 1], 1)).toBe('▅ █');
    expect(sparkline([0, 0])).toBe('▁▁');
  });

  it('merges neighbours when the series is longer than the line: counts summed, rates weighted', () => {
    expect(valuesPerColumn(90, 40)).toBe(3);
    expect(valuesPerColumn(31, 100)).toBe(1);
    const days = Array.from({ length: 90 }, (_, i) => i % 3);
    const fitted = fitSeries(days, 40);
    expect(fitted).toHaveLength(30);
    expect(fitted.every((value) => value === 3)).toBe(true);
    expect(fitSeries([1, null, 0.5, null], 12)).toEqual([1, null, 0.5, null]);
    expect(
      fitSeries(
        Array.from({ length: 20 }, (_, i) => (i < 2 ? ([1, 0][i] ?? null) : null)),
        10,
        Array.from({ length: 20 }, (_, i) => (i === 0 ? 3 : i === 1 ? 1 : 0)),
      )[0],
    ).toBe(0.75);
  });

  it('draws bars no wider than the terminal, the longest filling it', () => {
    const lines = barLines(
      [
        { label: 'under 1 h', value: 4 },
        { label: '1–4 h', value: 2 },
        { label: 'more', value: 0 },
      ],
      40,
    );
    expect(lines).toEqual(['under 1 h  ██████████████████████████ 4', '1–4 h      █████████████ 2', 'more       0']);
    expect(Math.max(...lines.map((line) => [...line].length))).toBeLessThanOrEqual(40);
  });
});

describe('trends per UTC day', () => {
  const state = newState();
  const ada = customer(state, 'ada');
  const lin = agent(state, 'lin', 1);
  const at = (iso: string) => Date.parse(iso);
  const slaOf = (ticket: Ticket) => slaReport(ticket, support, europe, at('2026-11-26T12:00:00Z'));

  it('counts opened, solved, missed targets and ratings on the days they happened', () => {
    const answered = addAgentReply(
      open(state, ada, at('2026-11-23T09:00:00Z')),
      lin,
      { body: 'Done.', faqId: null, status: 'solved' },
      '2026-11-23T09:30:00.000Z',
    );
    const rated: Ticket = { ...answered, rating: { at: '2026-11-24T08:00:00.000Z', score: 5, comment: null } };
    const waiting = open(state, ada, at('2026-11-24T09:00:00Z'));
    const reopened = changeStatus(changeStatus(answered, 'open', lin, '2026-11-25T10:00:00.000Z'), 'solved', lin, '2026-11-25T11:00:00.000Z');
    const trends = ticketTrends([rated, waiting, { ...reopened, number: 99 }], slaOf, at('2026-11-23T00:00:00Z'), at('2026-11-26T00:00:00Z'));
    expect(trends.days.map((d) => [d.date, d.opened, d.resolved, d.ratings, d.csat])).toEqual([
      ['2026-11-23', 2, 2, 0, null],
      ['2026-11-24', 1, 0, 1, 1],
      ['2026-11-25', 0, 1, 0, null],
    ]);
    expect(trends.days.reduce((sum, d) => sum + d.breaches, 0)).toBe(1);
    expect(trends.days.find((d) => d.breaches === 1)?.date).toBe('2026-11-24');
    expect(trends.firstReply.map((b) => b.tickets)).toEqual([2, 0, 0, 0, 0]);
  });
});
