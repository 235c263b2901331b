// The desk's use-cases (src/app/tickets.ts, src/app/agent.ts) against the record-native memory store: what they
// store (tickets with their summaries), mail and audit, and what they return.

import { describe, expect, it } from 'vitest';
import { agentQueue, assignAsAgent, mergeAsAgent, noteAsAgent, replyAsAgent, setStatusAsAgent } from '../../src/app/agent.js';
import { closeSolvedTickets } from '../../src/app/close-solved.js';
import { agentStats } from '../../src/app/stats-report.js';
import { changeLock } from '../../src/app/customer-account.js';
import type { Actor } from '../../src/app/authenticate.js';
import { BulkRefused, bulkChange, MAX_BULK_TICKETS } from '../../src/app/bulk.js';
import type { AppDeps } from '../../src/app/ports.js';
import type { PasswordCheck } from '../../src/app/passwords.js';
import { customerReply, listTickets, openTicketFor, openTicketWithPassword, rateOwnTicket, showTicket, type TicketRequest } from '../../src/app/tickets.js';
import type { TicketSelection } from '../../src/app/desk.js';
import { RefData } from '../../src/cli/refdata.js';
import { AppError } from '../../src/domain/errors.js';
import { NO_FILTER, type TicketSort } from '../../src/domain/ticket-filter.js';
import { slaReport } from '../../src/domain/sla.js';
import type { User } from '../../src/domain/state.js';
import { summarizeTicket } from '../../src/domain/ticket-summary.js';
import type { Ticket } from '../../src/domain/ticket-record.js';
import { explainUrgency } from '../../src/domain/urgency.js';
import { MemoryRecordStore } from '../../src/store/memory-record-store.js';
import type { RecordsTransaction } from '../../src/store/store.js';
import { appErrorOf } from '../support/app-error.js';
import { agent, customer, europe, newState, support } from '../support/desk.js';

const MONDAY_10 = '2026-11-23T09:00:00.000Z';
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const ref = new RefData();

function depsAt(iso: string): AppDeps {
  const unused = () => {
    throw new Error('not used by the desk');
  };
  return {
    now: () => new Date(iso),
    random: { bytes: unused },
    passwords: { hash: unused, verify: unused, verifyNothing: unused },
    totp: { generateSecret: unused, uri: unused, verify: unused, generate: unused },
    ref,
  };
}

const later = (hours: number): AppDeps => depsAt(new Date(Date.parse(MONDAY_10) + hours * HOUR_MS).toISOString());
const actor = (user: User): Actor => ({ user, sessionHash: `session-of-${user.id}` });

function request(overrides: Partial<TicketRequest> = {}): TicketRequest {
  return { category: 'account', subject: 'Cannot sign in', body: 'It says my password is wrong.', channel: 'email', language: null, tx: null, ...overrides };
}

function selection(sort: TicketSort, overrides: Partial<TicketSelection> = {}): TicketSelection {
  return { ...NO_FILTER, assignee: { kind: 'any' }, sort, ...overrides };
}

function desk() {
  const people = newState();
  const ada = customer(people, 'ada');
  const bob = customer(people, 'bob', { language: 'zh' });
  const lin = agent(people, 'lin', 1, ['en']);
  const mei = agent(people, 'mei', 2, ['en', 'zh']);
  const store = new MemoryRecordStore(MONDAY_10);
  const run = <T>(work: (t: RecordsTransaction) => Promise<T>) => store.transaction(work);
  return { store, run, ada, bob, lin, mei, ready: run(async (t) => [ada, bob, lin, mei].forEach((user) => t.users.put(user))) };
}

describe('opening a ticket', () => {
  it('numbers, stores with its summary, mails the customer, and queues it', async () => {
    const d = desk();
    await d.ready;
    const opened = await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request()));
    expect(opened.duplicate).toBe(false);
    expect(opened.detail.ticket.number).toBe(1);
    expect(opened.detail.queue).toMatchObject({ position: 1, of: 1 });
    expect(d.store.mails.map((m) => [m.to, m.kind])).toEqual([[d.ada.email, 'ticket-received']]);
    const stored = await d.store.read(async (t) => [await t.tickets.get(1), await t.tickets.withStatus(['new'])] as const);
    expect(stored[1]).toEqual([summarizeTicket(stored[0] as Ticket, support, europe)]);
  });

  it('answers the same request within a day with the earlier ticket, taking no number and sending no mail', async () => {
    const d = desk();
    await d.ready;
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request()));
    const again = await d.run((t) => openTicketFor(t, later(23), d.ada, request({ subject: '  CANNOT sign in ', channel: 'chat' })));
    expect(again).toMatchObject({ duplicate: true, detail: { ticket: { number: 1 } } });
    expect(again.detail.ticket.events.at(-1)?.type).toBe('duplicate');
    expect(d.store.mails).toHaveLength(1);
    const next = await d.run((t) => openTicketFor(t, later(25), d.ada, request()));
    expect(next).toMatchObject({ duplicate: false, detail: { ticket: { number: 2 } } });
  });
});

describe('opening a ticket with the password (a locked account)', () => {
  const withPassword = (check: PasswordCheck, email: string) => ({ email, check, otp: undefined, unlockToken: 'unl_test', request: request() });

  it('opens for a password checked against the stored hash', async () => {
    const d = desk();
    await d.ready;
    const opened = await d.run((t) => openTicketWithPassword(t, depsAt(MONDAY_10), withPassword({ user: d.ada, ok: true }, d.ada.email)));
    expect(opened).toMatchObject({ duplicate: false, detail: { ticket: { number: 1, customerId: d.ada.id } } });
  });

  it('counts a wrong password as a failed sign-in, commits that, and refuses', async () => {
    const d = desk();
    await d.ready;
    const refused = await d
      .run((t) => openTicketWithPassword(t, depsAt(MONDAY_10), withPassword({ user: d.ada, ok: false }, d.ada.email)))
      .catch((error: unknown) => error);
    expect(
      appErrorOf(() => {
        throw refused;
      }).code,
    ).toBe('BAD_CREDENTIALS');
    expect((await d.store.read((t) => t.users.get(d.ada.id)))?.failedLogins).toBe(1);
    expect(d.store.auditEntries.map((e) => e.event.type)).toEqual(['ticket.sign-in-failure']);
    expect(await d.store.read((t) => t.tickets.get(1))).toBeNull();
  });

  it('does not act on a check made against a password that has changed since (it is checked again), nor count it', async () => {
    const d = desk();
    await d.ready;
    const refused = await d
      .run((t) => openTicketWithPassword(t, depsAt(MONDAY_10), withPassword({ user: { ...d.ada, passwordHash: 'an older hash' }, ok: true }, d.ada.email)))
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Error);
    expect(refused).not.toBeInstanceOf(AppError);
    expect((await d.store.read((t) => t.users.get(d.ada.id)))?.failedLogins).toBe(0);
    expect(d.store.auditEntries).toEqual([]);
    expect(await d.store.read((t) => t.tickets.get(1))).toBeNull();
  });
});

describe('the queue from the summaries', () => {
  it('orders by urgency exactly as the whole tickets would, with names, and filters', async () => {
    const d = desk();
    await d.ready;
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request({ category: 'feedback', subject: 'low' })));
    await d.run((t) => openTicketFor(t, later(1), d.ada, request({ category: 'dispute', subject: 'high' })));
    await d.run((t) => openTicketFor(t, later(2), d.bob, request({ subject: '问题', body: '无法登录' })));
    await d.run((t) => assignAsAgent(t, later(3), actor(d.mei), 3, d.mei.email));
    const nowDeps = later(30);
    const nowMs = nowDeps.now().getTime();
    const all = { selection: selection('urgency'), limit: 50 };
    const queue = await d.store.read((t) => agentQueue(t, nowDeps, actor(d.lin), all));
    const tickets = await d.store.read(async (t) => Promise.all([1, 2, 3].map(async (n) => (await t.tickets.get(n)) as Ticket)));
    const expected = tickets
      .map((ticket) => ({ ticket, urgency: explainUrgency(ticket, slaReport(ticket, support, europe, nowMs), support.urgency, nowMs) }))
      .sort((a, b) => b.urgency.score - a.urgency.score || a.ticket.number - b.ticket.number);
    expect(queue.entries.map((e) => [e.ticket.number, e.urgency])).toEqual(expected.map((e) => [e.ticket.number, e.urgency]));
    expect(queue.names[d.mei.id]).toBe(d.mei.email);
    const mine = await d.store.read((t) => agentQueue(t, nowDeps, actor(d.mei), { ...all, selection: selection('urgency', { assignee: { kind: 'me' } }) }));
    expect(mine.entries.map((e) => e.ticket.number)).toEqual([3]);
    const english = await d.store.read((t) => agentQueue(t, nowDeps, actor(d.lin), { selection: selection('urgency', { languages: ['en'] }), limit: 1 }));
    expect(english.entries.map((e) => e.ticket.number)).toEqual([2]);
  });

  it('is refused to a customer', async () => {
    const d = desk();
    await d.ready;
    const all = { selection: selection('urgency'), limit: 50 };
    const refused = await d.store.read((t) => agentQueue(t, later(1), actor(d.ada), all).catch((error: unknown) => error));
    expect(
      appErrorOf(() => {
        throw refused;
      }).code,
    ).toBe('FORBIDDEN');
  });
});

describe('agents at work', () => {
  it('gives a ticket to the least-loaded agent who speaks its language, counting loads from the queue', async () => {
    const d = desk();
    await d.ready;
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request({ subject: 'one' })));
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request({ subject: 'two' })));
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.bob, request({ subject: 'three', language: 'zh' })));
    const first = await d.run((t) => assignAsAgent(t, later(1), actor(d.lin), 1, null));
    expect(first.assignee.id).toBe(d.lin.id);
    const second = await d.run((t) => assignAsAgent(t, later(1), actor(d.lin), 2, null));
    expect(second.assignee.id).toBe(d.mei.id);
    const chinese = await d.run((t) => assignAsAgent(t, later(1), actor(d.lin), 3, null));
    expect(chinese.assignee.id).toBe(d.mei.id);
    const stored = await d.store.read((t) => t.tickets.withStatus(['new']));
    expect(stored.map((s) => [s.number, s.assigneeId])).toEqual([
      [1, d.lin.id],
      [2, d.mei.id],
      [3, d.mei.id],
    ]);
  });

  it('replies, notes and resolves with mails and audit entries, and the summary follows each change', async () => {
    const d = desk();
    await d.ready;
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request()));
    await d.run((t) => replyAsAgent(t, later(1), actor(d.lin), 1, { body: 'Try a reset.', faqId: null, status: 'pending' }));
    await d.run((t) => noteAsAgent(t, later(2), actor(d.lin), 1, 'waiting for the customer'));
    const solved = await d.run((t) => setStatusAsAgent(t, later(3), actor(d.lin), 1, 'solved', 'resolve'));
    expect(solved.status).toBe('solved');
    expect(d.store.mails.map((m) => m.kind)).toEqual(['ticket-received', 'ticket-reply', 'ticket-status']);
    expect(d.store.auditEntries.map((e) => e.event.type)).toEqual(['ticket.created', 'ticket.reply', 'ticket.note', 'ticket.resolve']);
    const summary = (await d.store.read((t) => t.tickets.withStatus(['solved'])))[0];
    expect(summary).toMatchObject({
      number: 1,
      status: 'solved',
      assigneeId: d.lin.id,
      waitingForFirstReply: false,
      solvedAt: later(3).now().toISOString(),
      sla: null,
    });
  });

  it('sends a customer reply to a merged ticket on to the ticket it was merged into', async () => {
    const d = desk();
    await d.ready;
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request({ subject: 'a' })));
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request({ subject: 'b' })));
    await d.run((t) => mergeAsAgent(t, later(1), actor(d.lin), 2, 1));
    const reply = await d.run((t) => customerReply(t, later(2), actor(d.ada), 2, 'any news?'));
    expect(reply.detail.ticket.number).toBe(1);
    expect(await d.store.read(async (t) => (await t.tickets.withStatus(['merged'])).map((s) => s.number))).toEqual([2]);
  });

  it('locks a customer with a reason: sessions end, the customer is mailed, the ticket noted', async () => {
    const d = desk();
    await d.ready;
    await d.run(async (t) => t.sessions.put('hash-of-ada', { userId: d.ada.id, createdAt: MONDAY_10, lastSeenAt: MONDAY_10 }));
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request()));
    const locked = await d.run((t) => changeLock(t, later(1), actor(d.lin), 'lock', { email: d.ada.email, reason: 'card reported stolen', ticket: 1 }));
    expect(locked.lock).toMatchObject({ reason: 'agent', note: 'card reported stolen', by: d.lin.id });
    const after = await d.store.read(async (t) => ({ session: await t.sessions.get('hash-of-ada'), ticket: await t.tickets.get(1) }));
    expect(after.session?.endedByLockAt).toBe(later(1).now().toISOString());
    expect(after.ticket?.messages.at(-1)).toMatchObject({ visibility: 'internal', body: `Account locked by ${d.lin.email}: card reported stolen` });
    expect(d.store.mails.at(-1)?.kind).toBe('account-locked');
  });
});

describe('bulk changes', () => {
  async function threeTickets() {
    const d = desk();
    await d.ready;
    for (const subject of ['one', 'two', 'three']) await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request({ subject })));
    return { d, audits: d.store.auditEntries.length, mails: d.store.mails.length };
  }

  it('runs the one-ticket use-case on each: one audit entry and one mail per ticket', async () => {
    const { d, audits, mails } = await threeTickets();
    const outcomes = await d.run((t) => bulkChange(t, later(1), actor(d.lin), { numbers: [3, 1] }, { verb: 'resolve', to: 'solved' }));
    expect(outcomes.map((o) => [o.number, o.result, o.ticket?.status])).toEqual([
      [3, 'changed', 'solved'],
      [1, 'changed', 'solved'],
    ]);
    expect(d.store.auditEntries.slice(audits).map((e) => [e.event.type, e.event.details['ticket']])).toEqual([
      ['ticket.resolve', 3],
      ['ticket.resolve', 1],
    ]);
    expect(d.store.mails.slice(mails).map((m) => m.kind)).toEqual(['ticket-status', 'ticket-status']);
  });

  it('selects by filter, and writes nothing at all when one ticket refuses', async () => {
    const { d, audits, mails } = await threeTickets();
    await d.run((t) => setStatusAsAgent(t, later(1), actor(d.lin), 2, 'solved', 'resolve'));
    const before = await d.store.read((t) => Promise.all([1, 2, 3].map((n) => t.tickets.get(n))));
    const refused = await d
      .run((t) => bulkChange(t, later(2), actor(d.lin), { selection: selection('created', { statuses: ['new', 'solved'] }) }, { verb: 'close', to: 'closed' }))
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BulkRefused);
    expect((refused as BulkRefused).outcomes.map((o) => [o.number, o.result, o.error?.code ?? null])).toEqual([
      [1, 'failed', 'INVALID_TRANSITION'],
      [2, 'not-changed', null],
      [3, 'failed', 'INVALID_TRANSITION'],
    ]);
    expect(await d.store.read((t) => Promise.all([1, 2, 3].map((n) => t.tickets.get(n))))).toEqual(before);
    expect(d.store.auditEntries.length).toBe(audits + 1);
    expect(d.store.mails.length).toBe(mails + 1);
  });

  it('refuses more tickets than one change takes', async () => {
    const { d } = await threeTickets();
    const numbers = Array.from({ length: MAX_BULK_TICKETS + 1 }, (_, i) => i + 1);
    const refused = await d.run((t) => bulkChange(t, later(1), actor(d.lin), { numbers }, { verb: 'resolve', to: 'solved' })).catch((error: unknown) => error);
    expect(
      appErrorOf(() => {
        throw refused;
      }).code,
    ).toBe('TOO_MANY_TICKETS');
  });
});

describe('the customer’s side', () => {
  it('lists only the customer’s own tickets; agents see everyone’s, newest first, by status', async () => {
    const d = desk();
    await d.ready;
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request({ subject: 'a' })));
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.bob, request({ subject: 'b' })));
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request({ subject: 'c' })));
    await d.run((t) => setStatusAsAgent(t, later(1), actor(d.lin), 3, 'solved', 'resolve'));
    const own = await d.store.read((t) => listTickets(t, later(1), actor(d.ada), { selection: selection('created'), limit: 10 }));
    expect(own.rows.map((r) => r.summary.number)).toEqual([3, 1]);
    const all = await d.store.read((t) => listTickets(t, later(1), actor(d.lin), { selection: selection('created'), limit: 2 }));
    expect(all.rows.map((r) => [r.summary.number, r.customer])).toEqual([
      [3, d.ada.email],
      [2, d.bob.email],
    ]);
    const solved = await d.store.read((t) => listTickets(t, later(1), actor(d.lin), { selection: selection('created', { statuses: ['solved'] }), limit: 10 }));
    expect(solved.rows.map((r) => r.summary.number)).toEqual([3]);
  });

  it('shows another customer’s ticket as not found', async () => {
    const d = desk();
    await d.ready;
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request()));
    const refused = await d.run((t) => showTicket(t, later(1), actor(d.bob), 1).catch((error: unknown) => error));
    expect(
      appErrorOf(() => {
        throw refused;
      }).code,
    ).toBe('TICKET_NOT_FOUND');
  });

  it('opens a tier-2 follow-up for a bad rating, queued and mailed', async () => {
    const d = desk();
    await d.ready;
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request()));
    await d.run((t) => setStatusAsAgent(t, later(1), actor(d.lin), 1, 'solved', 'resolve'));
    const rated = await d.run((t) => rateOwnTicket(t, later(2), actor(d.ada), 1, { score: 1, comment: 'nobody helped' }));
    expect(rated.followUp).toBe(2);
    const queued = await d.store.read((t) => t.tickets.withStatus(['new']));
    expect(queued).toMatchObject([{ number: 2, tier: 2, priority: 'high', origin: 'rating' }]);
    expect(d.store.mails.at(-1)).toMatchObject({ to: d.ada.email, kind: 'ticket-received' });
  });
});

describe('settlement and reports', () => {
  it('closes solved tickets a week after they were solved, mails the customer, and a second run closes nothing', async () => {
    const d = desk();
    await d.ready;
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request({ subject: 'old' })));
    await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request({ subject: 'young' })));
    await d.run((t) => setStatusAsAgent(t, later(1), actor(d.lin), 1, 'solved', 'resolve'));
    await d.run((t) => setStatusAsAgent(t, later(5 * 24), actor(d.lin), 2, 'solved', 'resolve'));
    const atMs = Date.parse(MONDAY_10) + HOUR_MS + support.closeSolvedAfterDays * DAY_MS;
    const closed = await d.run((t) => closeSolvedTickets(t, depsAt(new Date(atMs).toISOString()), atMs));
    expect(closed.map((ticket) => [ticket.number, ticket.status])).toEqual([[1, 'closed']]);
    expect(d.store.mails.at(-1)).toMatchObject({ to: d.ada.email, kind: 'ticket-status' });
    expect(await d.run((t) => closeSolvedTickets(t, depsAt(new Date(atMs).toISOString()), atMs))).toEqual([]);
  });

  it('counts statistics over every ticket of the period, read a page at a time', async () => {
    const d = desk();
    await d.ready;
    for (let n = 0; n < 3; n += 1) await d.run((t) => openTicketFor(t, depsAt(MONDAY_10), d.ada, request({ subject: `s${n}` })));
    await d.run((t) => replyAsAgent(t, later(1), actor(d.lin), 2, { body: 'hi', faqId: null, status: null }));
    const period = { fromMs: Date.parse('2026-11-01T00:00:00Z'), toMs: Date.parse('2026-12-01T00:00:00Z') };
    const { stats, names } = await d.store.read((t) => agentStats(t, later(2), actor(d.lin), period));
    expect(stats.total).toMatchObject({ volume: 3, firstReplies: 1 });
    expect(stats.byAgent.map((row) => [names[row.key], row.firstReplies])).toEqual([[d.lin.email, 1]]);
  });
});
