import { describe, expect, it } from 'vitest';
import type { Region } from '../../src/domain/calendar.js';
import { formatBusinessMinutes, slaReport, targetMinutes } from '../../src/domain/sla.js';
import { channelNow, expectedFirstReplyText, parseSupport, regionNow } from '../../src/domain/support.js';
import { type Ticket } from '../../src/domain/ticket-record.js';
import { addAgentReply, addCustomerReply, changeStatus, mergeTickets } from '../support/desk-state.js';
import { agent, americas, asia, at, customer, europe, iso, local, newState, open, support } from '../support/desk.js';
import { readFileSync } from 'node:fs';

function opened(
  region: Region,
  localTime: string,
  category: 'account' | 'dispute' | 'feedback' = 'account',
  channel: 'email' | 'chat' | 'phone' | 'social' = 'email',
) {
  const state = newState();
  const ada = customer(state, 'ada');
  const ticket = open(state, ada, at(region, localTime), { category, channel, regionId: region.id });
  return { state, ada, ticket };
}

function report(ticket: Ticket, region: Region, nowMs: number) {
  return slaReport(ticket, support, region, nowMs);
}

describe('first-reply deadlines in business hours', () => {
  it('counts within one open day and ends exactly at closing time', () => {
    const { ticket } = opened(europe, '2026-11-23T10:00');
    const sla = report(ticket, europe, at(europe, '2026-11-23T10:00'));
    expect(sla.current).toMatchObject({ kind: 'first-reply', targetMinutes: 480, elapsedMinutes: 0, leftMinutes: 480, paused: false, breached: false });
    expect(local(europe, sla.current?.dueAtMs ?? null)).toBe('2026-11-23T18:00');
    expect(sla.state).toBe('ok');
  });

  it('skips the weekend', () => {
    const { ticket } = opened(europe, '2026-11-27T16:00', 'dispute');
    const sla = report(ticket, europe, at(europe, '2026-11-28T12:00'));
    expect(sla.current?.targetMinutes).toBe(240);
    expect(sla.current?.elapsedMinutes).toBe(120);
    expect(local(europe, sla.current?.dueAtMs ?? null)).toBe('2026-11-30T11:00');
  });

  it('starts counting at the next opening for a ticket opened outside hours', () => {
    const { ticket } = opened(europe, '2026-11-28T12:00');
    const sla = report(ticket, europe, at(europe, '2026-11-29T20:00'));
    expect(sla.current?.elapsedMinutes).toBe(0);
    expect(local(europe, sla.current?.dueAtMs ?? null)).toBe('2026-11-30T17:00');
  });

  it('skips holidays', () => {
    const { ticket } = opened(europe, '2026-12-24T17:00');
    const sla = report(ticket, europe, at(europe, '2026-12-24T17:00'));
    expect(local(europe, sla.current?.dueAtMs ?? null)).toBe('2026-12-28T16:00');
  });

  it('counts announced make-up working days and skips announced breaks (Asia-Pacific)', () => {
    const before = opened(asia, '2026-02-13T17:00');
    expect(local(asia, report(before.ticket, asia, at(asia, '2026-02-13T17:00')).current?.dueAtMs ?? null)).toBe('2026-02-14T16:00');
    const during = opened(asia, '2026-02-14T17:00');
    expect(local(asia, report(during.ticket, asia, at(asia, '2026-02-14T17:00')).current?.dueAtMs ?? null)).toBe('2026-02-24T16:00');
  });

  it('keeps local opening hours across the autumn clock change in Europe', () => {
    const { ticket } = opened(europe, '2026-10-23T17:00', 'dispute');
    const sla = report(ticket, europe, at(europe, '2026-10-23T17:00'));
    expect(local(europe, sla.current?.dueAtMs ?? null)).toBe('2026-10-26T12:00');
    expect(iso(sla.current?.dueAtMs ?? 0)).toBe('2026-10-26T11:00:00.000Z');
  });

  it('keeps local opening hours across the spring clock change in the Americas', () => {
    const { ticket } = opened(americas, '2026-03-06T17:00', 'dispute');
    const sla = report(ticket, americas, at(americas, '2026-03-09T10:00'));
    expect(sla.current?.elapsedMinutes).toBe(120);
    expect(local(americas, sla.current?.dueAtMs ?? null)).toBe('2026-03-09T12:00');
    expect(iso(sla.current?.dueAtMs ?? 0)).toBe('2026-03-09T16:00:00.000Z');
  });
});

describe('targets', () => {
  it('come from the priority, with the e-mail first reply never above 24 business hours', () => {
    const low = opened(europe, '2026-11-23T10:00', 'feedback').ticket;
    expect(targetMinutes(low, support, 'first-reply')).toBe(1440);
    expect(targetMinutes(low, support, 'next-reply')).toBe(1920);
    expect(support.channels.find((c) => c.id === 'email')?.slaFirstReplyMaxBusinessMinutes).toBe(24 * 60);
  });

  it('are capped by the channel (chat answers within an hour)', () => {
    const chat = opened(europe, '2026-11-23T10:00', 'feedback', 'chat').ticket;
    expect(targetMinutes(chat, support, 'first-reply')).toBe(60);
  });
});

describe('the clock, derived from the event log', () => {
  it('pauses while pending and goes on where it stopped', () => {
    const { state, ticket } = opened(europe, '2026-11-23T10:00');
    const pending = changeStatus(state, ticket, 'pending', null, iso(at(europe, '2026-11-23T11:00')));
    const paused = report(pending, europe, at(europe, '2026-11-23T12:00'));
    expect(paused.current).toMatchObject({ elapsedMinutes: 60, leftMinutes: 420, paused: true, dueAtMs: null });
    expect(paused.state).toBe('paused');
    const reopened = changeStatus(state, pending, 'open', null, iso(at(europe, '2026-11-23T13:00')));
    const running = report(reopened, europe, at(europe, '2026-11-23T14:00'));
    expect(running.current).toMatchObject({ elapsedMinutes: 120, leftMinutes: 360, paused: false });
    expect(local(europe, running.current?.dueAtMs ?? null)).toBe('2026-11-24T11:00');
  });

  it('pauses on hold as well', () => {
    const { state, ticket } = opened(europe, '2026-11-23T10:00');
    const held = changeStatus(state, ticket, 'on-hold', null, iso(at(europe, '2026-11-23T10:30')));
    expect(report(held, europe, at(europe, '2026-11-25T10:00')).current).toMatchObject({ elapsedMinutes: 30, paused: true });
  });

  it('stops at the first public answer, and a customer message starts the next-reply clock', () => {
    const { state, ada, ticket } = opened(europe, '2026-11-23T10:00');
    const lin = agent(state, 'lin', 1);
    const answered = addAgentReply(state, ticket, lin, { body: 'Hi', faqId: null, status: null }, iso(at(europe, '2026-11-23T11:00')));
    const quiet = report(answered, europe, at(europe, '2026-11-23T12:00'));
    expect(quiet.current).toBeNull();
    expect(quiet.state).toBe('none');
    expect(quiet.past).toEqual([expect.objectContaining({ kind: 'first-reply', endedBy: 'reply', elapsedMinutes: 60, breached: false })]);
    const asked = addCustomerReply(state, answered, ada, 'Thanks, but…', iso(at(europe, '2026-11-23T12:00'))).ticket;
    const next = report(asked, europe, at(europe, '2026-11-23T13:00'));
    expect(next.current).toMatchObject({ kind: 'next-reply', targetMinutes: 960, elapsedMinutes: 60 });
  });

  it('internal notes do not stop the clock', () => {
    const { state, ticket } = opened(europe, '2026-11-23T10:00');
    const lin = agent(state, 'lin', 1);
    const noted = {
      ...ticket,
      events: [
        ...ticket.events,
        {
          type: 'message' as const,
          at: iso(at(europe, '2026-11-23T10:30')),
          by: lin.id,
          author: 'agent' as const,
          visibility: 'internal' as const,
          messageId: 2,
        },
      ],
    };
    expect(report(noted, europe, at(europe, '2026-11-23T11:00')).current?.elapsedMinutes).toBe(60);
  });

  it('reports a missed target as a breach with the past deadline and negative time left', () => {
    const { state, ticket } = opened(europe, '2026-11-23T10:00', 'dispute');
    const late = report(ticket, europe, at(europe, '2026-11-23T15:30'));
    expect(late.current).toMatchObject({ elapsedMinutes: 330, leftMinutes: -90, breached: true });
    expect(local(europe, late.current?.dueAtMs ?? null)).toBe('2026-11-23T14:00');
    expect(late.state).toBe('breached');
    expect(late.breaches).toBe(1);
    const lin = agent(state, 'lin', 1);
    const answered = addAgentReply(state, ticket, lin, { body: 'Sorry', faqId: null, status: null }, iso(at(europe, '2026-11-23T16:00')));
    const after = report(answered, europe, at(europe, '2026-11-24T10:00'));
    expect(after.current).toBeNull();
    expect(after.breaches).toBe(1);
    expect(after.past[0]).toMatchObject({ breached: true, elapsedMinutes: 360 });
  });

  it('a merge carries the waiting clock of the ticket merged when it started earlier: the breach and its deadline stay', () => {
    const { state, ada, ticket: early } = opened(europe, '2026-11-23T10:00', 'dispute');
    const lin = agent(state, 'lin', 2);
    const late = open(state, ada, at(europe, '2026-11-23T15:00'), { subject: 'Still locked out', category: 'account', channel: 'email', regionId: europe.id });
    const mergeAt = at(europe, '2026-11-23T15:30');
    const sourceClock = report(early, europe, mergeAt).current;
    expect(sourceClock).toMatchObject({ elapsedMinutes: 330, breached: true });
    const { target } = mergeTickets(state, early, late, lin, iso(mergeAt), sourceClock);
    const sla = report(target, europe, at(europe, '2026-11-23T16:00'));
    expect(sla.current).toMatchObject({ kind: 'first-reply', startedAtMs: at(europe, '2026-11-23T10:00'), elapsedMinutes: 360, breached: true });
    expect(local(europe, sla.current?.dueAtMs ?? null)).toBe('2026-11-23T14:00');
    expect(sla.state).toBe('breached');
    // Without the recorded clock (a merge from before this rule), the target's own clock runs.
    const { target: plain } = mergeTickets(
      state,
      open(state, ada, at(europe, '2026-11-23T10:00'), { subject: 'x' }),
      open(state, ada, at(europe, '2026-11-23T15:00'), { subject: 'y' }),
      lin,
      iso(mergeAt),
    );
    expect(report(plain, europe, at(europe, '2026-11-23T16:00')).current?.elapsedMinutes).toBe(60);
  });

  it('a carried clock past a target it had not reached (the merge raised the priority) is due by the merge', () => {
    const { state, ada, ticket: early } = opened(europe, '2026-11-23T10:00', 'account');
    const lin = agent(state, 'lin', 2);
    const urgent = open(state, ada, at(europe, '2026-11-23T15:00'), { subject: 'Refund missing', category: 'dispute', regionId: europe.id });
    const mergeAt = at(europe, '2026-11-23T15:30');
    const sourceClock = report(early, europe, mergeAt).current;
    expect(sourceClock).toMatchObject({ elapsedMinutes: 330, breached: false });
    const { target } = mergeTickets(state, early, urgent, lin, iso(mergeAt), sourceClock);
    const sla = report(target, europe, at(europe, '2026-11-23T16:00'));
    expect(sla.current).toMatchObject({ targetMinutes: 240, elapsedMinutes: 360, breached: true, dueAtMs: mergeAt });
  });

  it('is at risk in the last quarter of the target', () => {
    const { ticket } = opened(europe, '2026-11-23T09:00');
    expect(report(ticket, europe, at(europe, '2026-11-23T14:00')).state).toBe('ok');
    expect(report(ticket, europe, at(europe, '2026-11-23T15:40')).state).toBe('at-risk');
  });

  it('stops when the ticket is solved without an answer', () => {
    const { state, ticket } = opened(europe, '2026-11-23T10:00');
    const solved = changeStatus(state, ticket, 'solved', null, iso(at(europe, '2026-11-23T10:10')));
    const sla = report(solved, europe, at(europe, '2026-11-30T10:00'));
    expect(sla.current).toBeNull();
    expect(sla.past[0]).toMatchObject({ endedBy: 'stopped', elapsedMinutes: 10 });
  });

  it('follows the current priority', () => {
    const { ticket } = opened(europe, '2026-11-23T10:00');
    const urgent = { ...ticket, priority: 'urgent' as const };
    expect(local(europe, report(urgent, europe, at(europe, '2026-11-23T10:00')).current?.dueAtMs ?? null)).toBe('2026-11-23T11:00');
  });
});

describe('formatting business minutes', () => {
  it('writes hours and minutes, negative when overdue', () => {
    expect(formatBusinessMinutes(45)).toBe('45 min');
    expect(formatBusinessMinutes(125)).toBe('2 h 05 min');
    expect(formatBusinessMinutes(-70)).toBe('-1 h 10 min');
    expect(formatBusinessMinutes(0)).toBe('0 min');
  });
});

describe('support data', () => {
  const shipped = JSON.parse(readFileSync(new URL('../../data/support.json', import.meta.url), 'utf8')) as Record<string, unknown>;

  it('describes every ticket channel and the contact mailbox', () => {
    expect(support.channels.map((channel) => channel.id)).toEqual(['email', 'mail', 'chat', 'phone', 'social']);
    const text = (id: string) => expectedFirstReplyText(support.channels.find((channel) => channel.id === id) ?? support.channels[0]!);
    expect(text('email')).toBe('within 24 hours');
    expect(text('mail')).toBe('in 24–48 hours');
    expect(text('chat')).toBe('within 5 minutes while the desk is open');
    expect(support.refunds).toMatchObject({ tier1MaxAmount: '100.00', currency: 'USD' });
  });

  it('refuses broken data, naming the field', () => {
    expect(() =>
      parseSupport({ ...shipped, sla: { ...(shipped['sla'] as object), urgent: { firstReplyBusinessMinutes: 0, nextReplyBusinessMinutes: 5 } } }),
    ).toThrow(/sla\.urgent\.firstReplyBusinessMinutes/);
    expect(() => parseSupport({ ...shipped, priorities: { byCategory: {}, lockedAccount: 'high' } })).toThrow(/priorities\.byCategory\.account/);
    expect(() => parseSupport({ ...shipped, channels: (shipped['channels'] as { id: string }[]).filter((channel) => channel.id !== 'email') })).toThrow(
      /no ticket channel "email"/,
    );
    expect(() => parseSupport(null)).toThrow(/must be an object/);
  });

  it('says when a live channel opens and when a written one answers', () => {
    const chat = support.channels.find((channel) => channel.id === 'chat')!;
    const email = support.channels.find((channel) => channel.id === 'email')!;
    const saturday = channelNow(support, chat, europe, at(europe, '2026-11-28T12:00'));
    expect(saturday.availableNow).toBe(false);
    expect(local(europe, saturday.nextOpeningMs)).toBe('2026-11-30T09:00');
    expect(local(europe, saturday.expectedReplyByMs)).toBe('2026-11-30T09:05');
    const monday = channelNow(support, chat, europe, at(europe, '2026-11-30T10:00'));
    expect(monday).toMatchObject({ availableNow: true, nextOpeningMs: null });
    expect(local(europe, channelNow(support, email, europe, at(europe, '2026-11-30T10:00')).expectedReplyByMs)).toBe('2026-11-30T18:00');
  });

  it('lists the holidays ahead and whether a desk is open', () => {
    const christmas = regionNow(europe, at(europe, '2026-12-20T10:00'), 30);
    expect(christmas.openNow).toBe(false);
    expect(christmas.holidays.map((holiday) => holiday.date)).toEqual(['2026-12-25', '2027-01-01']);
    expect(regionNow(europe, at(europe, '2026-12-21T10:00'), 1).openNow).toBe(true);
  });
});
