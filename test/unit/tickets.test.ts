import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTags, parseTicketNumber, validateBody, validateSubject } from '../../src/domain/ticket-input.js';
import { TICKET_STATUSES, type Ticket, type TicketStatus } from '../../src/domain/ticket-record.js';
import * as rules from '../../src/domain/tickets.js';
import { canTransition } from '../../src/domain/ticket-state.js';
import { duplicateKey, initialPriority, setCategory, visibleEvents, visibleMessages } from '../../src/domain/tickets.js';
import {
  addAgentReply,
  addCustomerReply,
  addNote,
  agentLoad,
  assignTicket,
  changeStatus,
  closeSolvedTickets,
  escalateTicket,
  mergeTickets,
  openTicket,
  pickAgent,
  rateTicket,
  requestEscalation,
  requireOwnTicket,
  requireTicket,
} from '../support/desk-state.js';
import { LANGUAGES } from '../../src/domain/language.js';
import { ticketReceivedMail, ticketReplyMail, ticketStatusMail } from '../../src/domain/ticket-mails.js';
import { agent, customer, errorCode, iso, newState, open, support } from '../support/desk.js';

const T0 = Date.parse('2026-11-23T09:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('the state machine', () => {
  const allowed: Record<TicketStatus, TicketStatus[]> = {
    // `merged` only by a merge, which names the target (mergeTickets).
    new: ['open', 'pending', 'on-hold', 'solved'],
    open: ['pending', 'on-hold', 'solved'],
    pending: ['open', 'on-hold', 'solved'],
    'on-hold': ['open', 'pending', 'solved'],
    solved: ['open', 'closed'],
    closed: [],
    merged: [],
  };

  it('allows exactly the transitions of the table', () => {
    for (const from of TICKET_STATUSES) {
      for (const to of TICKET_STATUSES) expect(canTransition(from, to), `${from} → ${to}`).toBe(allowed[from].includes(to));
    }
  });

  it('refuses an invalid transition with INVALID_TRANSITION and says what to do', () => {
    const state = newState();
    const ticket = open(state, customer(state, 'ada'), T0);
    expect(errorCode(() => changeStatus(state, ticket, 'closed', null, iso(T0)))).toBe('INVALID_TRANSITION');
    try {
      changeStatus(state, ticket, 'closed', null, iso(T0));
    } catch (error) {
      expect((error as { hint?: string }).hint).toMatch(/resolve it first/);
    }
    const solved = changeStatus(state, ticket, 'solved', null, iso(T0));
    const closed = changeStatus(state, solved, 'closed', null, iso(T0));
    for (const to of TICKET_STATUSES) expect(errorCode(() => changeStatus(state, closed, to, null, iso(T0)))).toBe('INVALID_TRANSITION');
  });

  it('never leaves closed or merged, whatever the agents try (random walks)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TICKET_STATUSES), { maxLength: 30 }), (walk) => {
        const state = newState();
        let ticket = open(state, customer(state, 'walker'), T0);
        for (const to of walk) {
          const before = ticket.status;
          try {
            ticket = changeStatus(state, ticket, to, null, iso(T0));
            expect(canTransition(before, to)).toBe(true);
          } catch {
            expect(canTransition(before, to)).toBe(false);
            expect(ticket.status).toBe(before);
          }
        }
        const reached = ticket.events.flatMap((event) => (event.type === 'status' ? [event.to] : []));
        const firstFinal = reached.findIndex((status) => status === 'closed' || status === 'merged');
        expect(firstFinal === -1 || firstFinal === reached.length - 1).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('opening tickets', () => {
  it('numbers tickets one after another', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    expect(open(state, ada, T0, { subject: 'a' }).number).toBe(1);
    expect(open(state, ada, T0, { subject: 'b' }).number).toBe(2);
    expect(state.meta.ticketSeq).toBe(2);
  });

  it('starts disputes and identity checks high, feedback low, the rest normal', () => {
    expect(initialPriority(support, 'dispute', false)).toBe('high');
    expect(initialPriority(support, 'identity', false)).toBe('high');
    expect(initialPriority(support, 'feedback', false)).toBe('low');
    expect(initialPriority(support, 'account', false)).toBe('normal');
    expect(initialPriority(support, 'funds', false)).toBe('normal');
  });

  it('starts tickets from locked accounts high, and remembers the lock', () => {
    const state = newState();
    const locked = customer(state, 'locked', { locked: true });
    const ticket = open(state, locked, T0, { category: 'feedback' });
    expect(ticket.priority).toBe('high');
    expect(ticket.lockedAccount).toBe(true);
  });

  it('keeps the first message as a public customer message and logs the creation', () => {
    const state = newState();
    const ticket = open(state, customer(state, 'ada'), T0);
    expect(ticket.status).toBe('new');
    expect(ticket.tier).toBe(1);
    expect(ticket.messages).toEqual([expect.objectContaining({ id: 1, author: 'customer', visibility: 'public', body: 'It says my password is wrong.' })]);
    expect(ticket.events.map((event) => event.type)).toEqual(['created', 'message']);
  });
});

describe('duplicates', () => {
  it('returns the earlier ticket, marked as a duplicate, for the same subject and body within 24 hours', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const first = open(state, ada, T0, { subject: 'Refund missing', body: 'Where is my refund?' });
    const again = openTicket(
      state,
      {
        customer: ada,
        category: 'dispute',
        subject: '  refund   MISSING ',
        body: 'where is my\n refund?',
        channel: 'chat',
        language: 'en',
        regionId: 'europe',
        txId: null,
      },
      support,
      T0 + 23 * HOUR,
    );
    expect(again.duplicate).toBe(true);
    expect(again.ticket.number).toBe(first.number);
    expect(again.ticket.events.at(-1)).toMatchObject({ type: 'duplicate', by: ada.id });
    expect(state.meta.ticketSeq).toBe(1);
    expect(Object.keys(state.tickets)).toHaveLength(1);
  });

  it('opens a new ticket after 24 hours, for another customer, another text, or when the earlier one is closed or merged', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const bob = customer(state, 'bob');
    const input = {
      category: 'account' as const,
      subject: 'Locked',
      body: 'Help',
      channel: 'email' as const,
      language: 'en' as const,
      regionId: 'europe',
      txId: null,
    };
    const first = openTicket(state, { ...input, customer: ada }, support, T0).ticket;
    expect(openTicket(state, { ...input, customer: ada }, support, T0 + DAY).duplicate).toBe(false);
    expect(openTicket(state, { ...input, customer: bob }, support, T0 + HOUR).duplicate).toBe(false);
    expect(openTicket(state, { ...input, customer: ada, body: 'Help me' }, support, T0 + HOUR).duplicate).toBe(false);
    const other = newState();
    const carl = customer(other, 'carl');
    const earlier = openTicket(other, { ...input, customer: carl }, support, T0).ticket;
    changeStatus(other, changeStatus(other, earlier, 'solved', null, iso(T0)), 'closed', null, iso(T0));
    expect(openTicket(other, { ...input, customer: carl }, support, T0 + HOUR).duplicate).toBe(false);
    expect(first.number).toBe(1);
  });

  it('normalises case, width and blanks only', () => {
    expect(duplicateKey(' Ｈｅｌｌｏ \t World ')).toBe('hello world');
    expect(duplicateKey('hello, world')).not.toBe(duplicateKey('hello world'));
  });
});

describe('replies', () => {
  it('an agent reply opens a new ticket, takes it for the agent and is public', () => {
    const state = newState();
    const lin = agent(state, 'lin', 1);
    const ticket = open(state, customer(state, 'ada'), T0);
    const answered = addAgentReply(state, ticket, lin, { body: 'Try a reset.', faqId: 'reset-password', status: null }, iso(T0 + HOUR));
    expect(answered.status).toBe('open');
    expect(answered.assigneeId).toBe(lin.id);
    expect(answered.messages.at(-1)).toMatchObject({ author: 'agent', visibility: 'public', faqId: 'reset-password' });
  });

  it('an agent may leave the ticket pending; the customer reply opens it again', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const lin = agent(state, 'lin', 1);
    const pending = addAgentReply(state, open(state, ada, T0), lin, { body: 'Which card?', faqId: null, status: 'pending' }, iso(T0));
    expect(pending.status).toBe('pending');
    const reply = addCustomerReply(state, pending, ada, 'Visa', iso(T0 + HOUR));
    expect(reply.ticket.status).toBe('open');
    expect(reply.reopened).toBe(false);
  });

  it('a customer reply reopens a solved ticket', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const solved = changeStatus(state, open(state, ada, T0), 'solved', null, iso(T0));
    const reply = addCustomerReply(state, solved, ada, 'Still broken', iso(T0 + HOUR));
    expect(reply.ticket.number).toBe(solved.number);
    expect(reply.ticket.status).toBe('open');
    expect(reply.reopened).toBe(true);
  });

  it('a customer reply to a closed ticket opens a linked follow-up and leaves the closed one closed', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const original = open(state, ada, T0, { category: 'dispute', subject: 'Refund' });
    const closed = changeStatus(state, changeStatus(state, original, 'solved', null, iso(T0)), 'closed', null, iso(T0));
    const reply = addCustomerReply(state, closed, ada, 'It happened again', iso(T0 + DAY));
    expect(reply.followUpOf).toBe(closed.number);
    expect(reply.ticket).toMatchObject({
      number: 2,
      status: 'new',
      origin: 'follow-up',
      relatedTo: 1,
      category: 'dispute',
      subject: 'Follow-up to #1: Refund',
    });
    expect(reply.ticket.messages[0]?.body).toBe('It happened again');
    const after = requireTicket(state, 1);
    expect(after.status).toBe('closed');
    expect(after.events.at(-1)).toMatchObject({ type: 'follow-up', ticket: 2 });
  });

  it('a customer reply to a merged ticket goes to the ticket it was merged into', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const lin = agent(state, 'lin', 1);
    const a = open(state, ada, T0, { subject: 'a' });
    const b = open(state, ada, T0, { subject: 'b' });
    const { source } = mergeTickets(state, b, a, lin, iso(T0));
    const reply = addCustomerReply(state, source, ada, 'more', iso(T0 + HOUR));
    expect(reply.ticket.number).toBe(a.number);
  });

  it('refuses agent replies to closed tickets and to tickets above the agent’s tier', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const junior = agent(state, 'junior', 1);
    const senior = agent(state, 'senior', 2);
    const ticket = open(state, ada, T0);
    const escalated = escalateTicket(state, ticket, 2, senior, null, iso(T0));
    expect(errorCode(() => addAgentReply(state, escalated, junior, { body: 'x', faqId: null, status: null }, iso(T0)))).toBe('FORBIDDEN');
    expect(addAgentReply(state, escalated, senior, { body: 'x', faqId: null, status: null }, iso(T0)).status).toBe('open');
    const closed = changeStatus(state, changeStatus(state, requireTicket(state, 1), 'solved', null, iso(T0)), 'closed', null, iso(T0));
    expect(errorCode(() => addAgentReply(state, closed, senior, { body: 'x', faqId: null, status: null }, iso(T0)))).toBe('INVALID_TRANSITION');
  });
});

describe('privacy', () => {
  it('customers see public messages only, and no internal events', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const lin = agent(state, 'lin', 1);
    let ticket = open(state, ada, T0);
    ticket = addNote(state, ticket, lin, 'customer sounds upset', iso(T0 + 1));
    ticket = addAgentReply(state, ticket, lin, { body: 'Hello', faqId: null, status: null }, iso(T0 + 2));
    expect(visibleMessages(ticket, 'customer').map((m) => m.body)).toEqual(['It says my password is wrong.', 'Hello']);
    expect(visibleMessages(ticket, 'agent')).toHaveLength(3);
    const customerEvents = visibleEvents(ticket, 'customer');
    expect(customerEvents.some((e) => e.type === 'assigned' || (e.type === 'message' && e.visibility === 'internal'))).toBe(false);
    expect(visibleEvents(ticket, 'agent').some((e) => e.type === 'assigned')).toBe(true);
  });

  it('another customer’s ticket is "not found", like a number nobody uses', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const bob = customer(state, 'bob');
    const ticket = open(state, ada, T0);
    expect(requireOwnTicket(state, ticket.number, ada.id).number).toBe(1);
    expect(errorCode(() => requireOwnTicket(state, ticket.number, bob.id))).toBe('TICKET_NOT_FOUND');
    expect(errorCode(() => requireOwnTicket(state, 99, bob.id))).toBe('TICKET_NOT_FOUND');
  });
});

describe('assignment', () => {
  it('picks the least-loaded agent who speaks the language at the ticket’s tier', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const busy = agent(state, 'busy', 1, ['zh']);
    const idle = agent(state, 'idle', 1, ['zh', 'en']);
    agent(state, 'english', 1, ['en']);
    const first = open(state, ada, T0, { language: 'zh', subject: '1' });
    assignTicket(state, first, busy, busy, iso(T0));
    const second = open(state, ada, T0, { language: 'zh', subject: '2' });
    expect(pickAgent(state, second)?.id).toBe(idle.id);
    expect(agentLoad(state, busy.id)).toBe(1);
  });

  it('prefers the lower tier on a tie, and finds nobody when no one speaks the language', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    agent(state, 'manager', 3, ['fr']);
    const junior = agent(state, 'junior', 1, ['fr']);
    expect(pickAgent(state, open(state, ada, T0, { language: 'fr' }))?.id).toBe(junior.id);
    expect(pickAgent(state, open(state, ada, T0, { language: 'de', subject: 'x' }))).toBeUndefined();
  });

  it('refuses customers and agents below the tier as assignees', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const junior = agent(state, 'junior', 1);
    const senior = agent(state, 'senior', 2);
    const ticket = escalateTicket(state, open(state, ada, T0), 2, senior, 'needs a refund', iso(T0));
    expect(errorCode(() => assignTicket(state, ticket, ada, senior, iso(T0)))).toBe('FORBIDDEN');
    expect(errorCode(() => assignTicket(state, ticket, junior, senior, iso(T0)))).toBe('FORBIDDEN');
    expect(assignTicket(state, ticket, senior, senior, iso(T0)).assigneeId).toBe(senior.id);
  });
});

describe('category', () => {
  it('changes with an event saying from what to what, and does nothing when it is already that', () => {
    const state = newState();
    const lin = agent(state, 'lin', 1);
    const ticket = open(state, customer(state, 'ada'), T0);
    const moved = setCategory(ticket, 'funds', lin, iso(T0));
    expect(moved.category).toBe('funds');
    expect(moved.events.at(-1)).toEqual({ type: 'category', at: iso(T0), by: lin.id, from: ticket.category, to: 'funds' });
    expect(setCategory(moved, 'funds', lin, iso(T0))).toBe(moved);
  });
});

describe('escalation', () => {
  it('moves up a tier, releases an assignee below it and answers the customer’s request', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const junior = agent(state, 'junior', 1);
    let ticket = assignTicket(state, open(state, ada, T0), junior, junior, iso(T0));
    ticket = requestEscalation(state, ticket, ada, 'I want a manager', true, iso(T0));
    expect(ticket.escalationRequest).toMatchObject({ tier: 3, reason: 'I want a manager' });
    ticket = escalateTicket(state, ticket, null, junior, null, iso(T0));
    expect(ticket).toMatchObject({ tier: 2, assigneeId: null, escalationRequest: null });
    ticket = escalateTicket(state, ticket, 3, junior, 'refund above the limit', iso(T0));
    expect(ticket.tier).toBe(3);
    expect(errorCode(() => escalateTicket(state, ticket, null, junior, null, iso(T0)))).toBe('INVALID_TRANSITION');
    expect(errorCode(() => requestEscalation(state, ticket, ada, 'again', false, iso(T0)))).toBe('INVALID_TRANSITION');
  });

  it('a customer’s request asks for the next tier unless a manager is wanted', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    expect(requestEscalation(state, open(state, ada, T0), ada, 'slow', false, iso(T0)).escalationRequest?.tier).toBe(2);
  });
});

describe('ratings', () => {
  it('can be given once the ticket is solved, once', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const ticket = open(state, ada, T0);
    expect(errorCode(() => rateTicket(state, ticket, ada, 5, null, iso(T0)))).toBe('INVALID_TRANSITION');
    const solved = changeStatus(state, ticket, 'solved', null, iso(T0));
    const rated = rateTicket(state, solved, ada, 5, null, iso(T0));
    expect(rated.followUp).toBeNull();
    expect(rated.ticket.rating).toMatchObject({ score: 5 });
    expect(errorCode(() => rateTicket(state, rated.ticket, ada, 4, null, iso(T0)))).toBe('ALREADY_EXISTS');
    expect(errorCode(() => rateTicket(state, solved, ada, 6, null, iso(T0)))).toBe('INVALID_NUMBER');
  });

  it('a score of 1 or 2 needs a reason and opens a follow-up task for tier 2', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const solved = changeStatus(state, open(state, ada, T0, { subject: 'Payout late' }), 'solved', null, iso(T0));
    expect(errorCode(() => rateTicket(state, solved, ada, 2, null, iso(T0)))).toBe('USAGE');
    const rated = rateTicket(state, solved, ada, 1, 'Nobody read my messages', iso(T0));
    expect(rated.followUp).toMatchObject({ tier: 2, priority: 'high', origin: 'rating', relatedTo: solved.number, status: 'new' });
    expect(rated.followUp?.messages[0]?.body).toBe('Nobody read my messages');
    expect(rated.ticket.events.at(-1)).toMatchObject({ type: 'follow-up', ticket: rated.followUp?.number });
  });
});

describe('merging', () => {
  it('folds the duplicate into the other ticket of the same customer', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const lin = agent(state, 'lin', 1);
    const keep = open(state, ada, T0, { subject: 'keep', category: 'account' });
    const dup = open(state, ada, T0 + HOUR, { subject: 'dup', category: 'dispute' });
    const { source, target } = mergeTickets(state, dup, keep, lin, iso(T0 + 2 * HOUR));
    expect(source).toMatchObject({ status: 'merged', mergedInto: keep.number });
    expect(target.messages).toHaveLength(2);
    expect(target.messages[1]).toMatchObject({ fromTicket: dup.number, id: 2 });
    expect(target.priority).toBe('high');
    expect(target.events.at(-1)).toMatchObject({ type: 'merged-from', ticket: dup.number });
  });

  it('refuses merging into itself, across customers, or into a finished ticket', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const bob = customer(state, 'bob');
    const lin = agent(state, 'lin', 1);
    const a = open(state, ada, T0, { subject: 'a' });
    const b = open(state, bob, T0, { subject: 'b' });
    const solved = changeStatus(state, open(state, ada, T0, { subject: 'c' }), 'solved', null, iso(T0));
    expect(errorCode(() => mergeTickets(state, a, a, lin, iso(T0)))).toBe('INVALID_MERGE');
    expect(errorCode(() => mergeTickets(state, a, b, lin, iso(T0)))).toBe('INVALID_TRANSITION');
    expect(errorCode(() => mergeTickets(state, a, solved, lin, iso(T0)))).toBe('INVALID_TRANSITION');
  });
});

describe('merged only by a merge', () => {
  it('refuses a status change to merged from every status (no ticket is merged into nothing)', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const lin = agent(state, 'lin', 1);
    for (const status of ['open', 'pending', 'on-hold', 'solved'] as const) {
      const ticket = open(state, ada, T0, { subject: status });
      const there = changeStatus(state, ticket, status, lin, iso(T0));
      expect(
        errorCode(() => changeStatus(state, there, 'merged', lin, iso(T0 + HOUR))),
        status,
      ).toBe('INVALID_TRANSITION');
      expect(requireTicket(state, there.number)).toMatchObject({ status, mergedInto: null });
    }
    const fresh = open(state, ada, T0, { subject: 'new' });
    expect(errorCode(() => changeStatus(state, fresh, 'merged', lin, iso(T0 + HOUR)))).toBe('INVALID_TRANSITION');
  });
});

describe('replies to a closed ticket', () => {
  const closedTicket = (state: ReturnType<typeof newState>, ada: ReturnType<typeof customer>) => {
    const original = open(state, ada, T0, { subject: 'Refund' });
    return changeStatus(state, changeStatus(state, original, 'solved', null, iso(T0)), 'closed', null, iso(T0));
  };
  const context = (state: ReturnType<typeof newState>, closed: Ticket, openFollowUp: number | null) => ({
    open: openFollowUp === null ? null : requireTicket(state, openFollowUp),
    recent: Object.values(state.tickets).filter((t) => t.subject === `Follow-up to #${closed.number}: ${closed.subject}`),
  });

  it('go to the open follow-up; the same text within a day is a duplicate; after a day it is a new follow-up', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const closed = closedTicket(state, ada);
    const first = rules.addCustomerReply(closed, ada, 'It happened again', () => 2, iso(T0 + HOUR), context(state, closed, null));
    expect(first).toMatchObject({ followUpOf: 1, followUp: 'opened', ticket: { number: 2, status: 'new' } });
    for (const changed of first.changed) state.tickets[String(changed.number)] = changed;
    const again = rules.addCustomerReply(closed, ada, ' it  happened AGAIN ', () => 3, iso(T0 + 2 * HOUR), context(state, closed, 2));
    expect(again).toMatchObject({ followUpOf: 1, followUp: 'duplicate', ticket: { number: 2 } });
    expect(again.ticket.messages).toHaveLength(1);
    expect(again.ticket.events.at(-1)).toMatchObject({ type: 'duplicate', by: ada.id });
    const more = rules.addCustomerReply(closed, ada, 'And the card too', () => 3, iso(T0 + 2 * HOUR), context(state, closed, 2));
    expect(more).toMatchObject({ followUp: 'joined', ticket: { number: 2 } });
    expect(more.ticket.messages.map((m) => m.body)).toEqual(['It happened again', 'And the card too']);
    expect(more.changed.map((t) => t.number)).toEqual([2]);
    const nextDay = rules.addCustomerReply(closed, ada, 'It happened again', () => 3, iso(T0 + 2 * DAY), {
      open: null,
      recent: context(state, closed, null).recent,
    });
    expect(nextDay).toMatchObject({ followUp: 'opened', ticket: { number: 3 } });
  });
});

describe('closing solved tickets', () => {
  it('closes tickets solved at least 7 days ago and leaves the rest', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const old = changeStatus(state, open(state, ada, T0, { subject: 'old' }), 'solved', null, iso(T0));
    const recent = changeStatus(state, open(state, ada, T0, { subject: 'recent' }), 'solved', null, iso(T0 + 2 * DAY));
    open(state, ada, T0, { subject: 'still open' });
    const closed = closeSolvedTickets(state, T0 + 7 * DAY, 7);
    expect(closed.map((ticket) => ticket.number)).toEqual([old.number]);
    expect(requireTicket(state, old.number)).toMatchObject({ status: 'closed' });
    expect(requireTicket(state, old.number).events.at(-1)).toMatchObject({ type: 'status', from: 'solved', to: 'closed', by: null });
    expect(requireTicket(state, recent.number).status).toBe('solved');
    expect(closeSolvedTickets(state, T0 + 7 * DAY, 7)).toEqual([]);
  });
});

describe('input', () => {
  it('reads ticket numbers with or without #', () => {
    expect(parseTicketNumber('12')).toBe(12);
    expect(parseTicketNumber(' #7 ')).toBe(7);
    for (const bad of ['', '0', '-1', '1.5', 'abc', '#', '1234567890']) expect(errorCode(() => parseTicketNumber(bad))).toBe('INVALID_NUMBER');
  });

  it('reads tags, lowercased and de-duplicated, and refuses odd ones', () => {
    expect(parseTags('Refund, card-payment,refund')).toEqual(['refund', 'card-payment']);
    expect(parseTags('')).toEqual([]);
    expect(errorCode(() => parseTags('has space'))).toBe('INVALID_TAG');
    expect(errorCode(() => parseTags(Array.from({ length: 11 }, (_, i) => `t${i}`).join(',')))).toBe('INVALID_TAG');
  });

  it('bounds subjects and messages and refuses empty ones', () => {
    expect(validateSubject('  Refund missing ')).toBe('Refund missing');
    expect(errorCode(() => validateSubject('   '))).toBe('INVALID_TEXT');
    expect(errorCode(() => validateSubject('x'.repeat(151)))).toBe('INVALID_TEXT');
    expect(errorCode(() => validateSubject('two\nlines'))).toBe('INVALID_TEXT');
    expect(validateBody('line one\nline two')).toBe('line one\nline two');
    expect(errorCode(() => validateBody(''))).toBe('INVALID_TEXT');
    expect(errorCode(() => validateBody('x'.repeat(5001)))).toBe('INVALID_TEXT');
    expect(errorCode(() => validateBody('bell\u0007'))).toBe('INVALID_TEXT');
  });
});

describe('mails to the customer', () => {
  it('are written in the ticket’s language and carry the anti-phishing phrase', () => {
    const state = newState();
    const ada = { ...customer(state, 'ada'), antiPhishingPhrase: 'blue heron' };
    state.users[ada.id] = ada;
    for (const language of LANGUAGES) {
      const ticket = open(state, ada, T0, { language, subject: `Subject ${language}` });
      const received = ticketReceivedMail(ada, ticket, '2026-11-24 10:00 Europe/Berlin');
      const reply = ticketReplyMail(ada, ticket, 'The answer body');
      const solved = ticketStatusMail(ada, ticket, 'solved');
      for (const mail of [received, reply, solved]) {
        expect(mail).toMatchObject({ to: ada.email, userId: ada.id, language, antiPhishingPhrase: 'blue heron' });
        expect(mail.subject).toContain(`[OKPay #${ticket.number}]`);
        expect(mail.subject).toContain(`Subject ${language}`);
        expect(mail.text).toContain(`okpay ticket reply ${ticket.number}`);
      }
      expect(received.text).toContain('2026-11-24 10:00 Europe/Berlin');
      expect(reply.text).toContain('The answer body');
      expect(solved.text).toContain(`okpay ticket rate ${ticket.number}`);
    }
  });

  it('have their own words in each language', () => {
    const state = newState();
    const ada = customer(state, 'ada');
    const subjects = LANGUAGES.map((language) =>
      ticketStatusMail(ada, open(state, ada, T0, { language, subject: language }), 'pending').subject.replace(/#\d+/, '#'),
    );
    expect(new Set(subjects).size).toBe(LANGUAGES.length);
    const zh = open(state, ada, T0, { language: 'zh', subject: '退款' });
    expect(ticketStatusMail(ada, zh, 'merged').text).toContain('已合并');
    expect(ticketReplyMail(ada, zh, '好').subject).toBe(`[OKPay #${zh.number}] 新的答复：退款`);
  });
});
