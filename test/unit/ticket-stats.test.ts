import { describe, expect, it } from 'vitest';
import { slaReport } from '../../src/domain/sla.js';
import { ticketStats } from '../../src/domain/ticket-stats.js';
import { type Ticket } from '../../src/domain/ticket-record.js';
import { addAgentReply, assignTicket, changeStatus, rateTicket } from '../support/desk-state.js';
import { agent, at, customer, europe, iso, newState, open, support } from '../support/desk.js';

describe('support statistics', () => {
  const state = newState();
  const ada = customer(state, 'ada');
  const lin = agent(state, 'lin', 1);
  const max = agent(state, 'max', 2);
  const monday = (time: string) => at(europe, `2026-11-23T${time}`);

  // #1 answered by lin after 1 h (within 8 h), rated 5; #2 answered by max after 5 h (over 4 h), rated 2;
  // #3 still waiting and overdue, held by lin; #4 the tier-2 follow-up of the bad rating (not yet due);
  // one more opened after the period.
  let one = open(state, ada, monday('10:00'), { subject: 'one' });
  one = addAgentReply(state, one, lin, { body: 'a', faqId: null, status: 'solved' }, iso(monday('11:00')));
  rateTicket(state, one, ada, 5, null, iso(monday('12:00')));
  let two = open(state, ada, monday('10:00'), { subject: 'two', category: 'dispute' });
  two = addAgentReply(state, two, max, { body: 'b', faqId: null, status: null }, iso(monday('15:00')));
  rateTicket(state, changeStatus(state, two, 'solved', max, iso(monday('15:30'))), ada, 2, 'slow', iso(monday('16:00')));
  assignTicket(state, open(state, ada, monday('09:00'), { subject: 'three', category: 'dispute' }), lin, lin, iso(monday('09:00')));
  open(state, ada, at(europe, '2026-12-05T10:00'), { subject: 'four' });

  const nowMs = monday('17:00');
  const sla = (ticket: Ticket) => slaReport(ticket, support, europe, nowMs);
  const stats = ticketStats(Object.values(state.tickets), sla, Date.parse('2026-11-01T00:00:00Z'), Date.parse('2026-12-01T00:00:00Z'));

  it('counts the tickets opened in the period, with first replies, SLA compliance and CSAT', () => {
    expect(stats.total).toMatchObject({
      key: 'all',
      volume: 4,
      firstReplies: 2,
      medianFirstReplyMinutes: 180,
      slaMet: 1,
      slaMeasured: 3,
      ratings: 2,
      averageScore: 3.5,
      csat: 0.5,
    });
  });

  it('splits them per agent (tickets held, first replies written)', () => {
    const byAgent = Object.fromEntries(stats.byAgent.map((row) => [row.key, row]));
    expect(byAgent[lin.id]).toMatchObject({ volume: 2, firstReplies: 1, medianFirstReplyMinutes: 60, slaMet: 1, slaMeasured: 2, ratings: 1, csat: 1 });
    expect(byAgent[max.id]).toMatchObject({ volume: 1, firstReplies: 1, medianFirstReplyMinutes: 300, slaMet: 0, slaMeasured: 1, ratings: 1, csat: 0 });
  });

  it('and per category', () => {
    expect(stats.byCategory.map((row) => [row.key, row.volume])).toEqual([
      ['account', 1],
      ['dispute', 3],
    ]);
  });
});
