// The open queue read group by group (domain/queue-groups.ts, app/desk.ts mostUrgent) against the
// whole queue ranked (openQueue): random desks of tickets with every kind of clock (running,
// paused and resumed, overdue, none due), random instants (before some tickets' last change too)
// and random page sizes give the same first page, in the same order, and the same total; and a
// ticket's place among those waiting for their first answer, counted from the groups, is its index
// among them in the whole queue.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstReplyPlace, mostUrgent, openQueue, saveTicket } from '../../src/app/desk.js';
import { RefData } from '../../src/cli/refdata.js';
import { combineFacts, foldShapes, groupFacts, memberFacts, queueGroupKey, type QueueGroupFacts } from '../../src/domain/queue-group-facts.js';
import { groupCeiling, groupDueCeilingMs, groupDueFloorMs, groupFloor, queueGroupShape } from '../../src/domain/queue-groups.js';
import { AppError } from '../../src/domain/errors.js';
import { TICKET_CATEGORIES, TICKET_CHANNELS } from '../../src/domain/ticket-kinds.js';
import { ACTIVE_STATUSES, type Ticket } from '../../src/domain/ticket-record.js';
import { slaOfSummary, summarizeTicket, type TicketSummary } from '../../src/domain/ticket-summary.js';
import { urgencyScore } from '../../src/domain/urgency.js';
import { MemoryRecordStore } from '../../src/store/memory-record-store.js';
import type { Records } from '../../src/store/records.js';
import { americas, asia, europe, support } from '../support/desk-data.js';
import { agent, customer, newState } from '../support/desk.js';
import type { DeskState } from '../support/desk-state.js';
import { everyQueueGroup } from '../support/records.js';
import * as desk from '../support/desk-state.js';

const ref = new RefData();
const BASE_MS = Date.parse('2026-11-02T08:00:00.000Z');
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const REGIONS = [europe, americas, asia] as const;
const STEPS = ['agent-reply', 'customer-reply', 'pending', 'on-hold', 'open', 'ask-escalation', 'escalate', 'solve-and-rate-badly'] as const;
type Step = (typeof STEPS)[number];

interface Script {
  readonly openedAfterMinutes: number;
  readonly category: number;
  readonly channel: number;
  readonly region: number;
  readonly steps: readonly { readonly step: Step; readonly afterMinutes: number }[];
}

const scriptArbitrary: fc.Arbitrary<Script> = fc.record({
  openedAfterMinutes: fc.integer({ min: 0, max: 30 * 24 * 60 }),
  category: fc.nat(TICKET_CATEGORIES.length - 1),
  channel: fc.nat(TICKET_CHANNELS.length - 1),
  region: fc.nat(REGIONS.length - 1),
  steps: fc.array(fc.record({ step: fc.constantFrom(...STEPS), afterMinutes: fc.integer({ min: 1, max: 4 * 24 * 60 }) }), { maxLength: 5 }),
});

/** One step of a ticket's story; a step its status does not allow is left out, as a desk would refuse it. */
function apply(
  state: DeskState,
  ticket: Ticket,
  step: Step,
  atMs: number,
  people: { ada: ReturnType<typeof customer>; lin: ReturnType<typeof agent> },
): Ticket {
  const iso = new Date(atMs).toISOString();
  const attempt = (change: () => Ticket): Ticket => {
    try {
      return change();
    } catch (error) {
      if (error instanceof AppError) return ticket;
      throw error;
    }
  };
  switch (step) {
    case 'agent-reply':
      return attempt(() => desk.addAgentReply(state, ticket, people.lin, { body: 'Looking into it.', faqId: null, status: null }, iso));
    case 'customer-reply':
      return attempt(() => desk.addCustomerReply(state, ticket, people.ada, `Any news on ${ticket.number}?`, iso).ticket);
    case 'pending':
    case 'on-hold':
    case 'open':
      return attempt(() => desk.changeStatus(state, ticket, step, people.lin, iso));
    case 'ask-escalation':
      return attempt(() => desk.requestEscalation(state, ticket, people.ada, 'nobody answers', false, iso));
    case 'escalate':
      return attempt(() => desk.escalateTicket(state, ticket, null, people.lin, null, iso));
    case 'solve-and-rate-badly':
      return attempt(() => desk.rateTicket(state, desk.changeStatus(state, ticket, 'solved', people.lin, iso), people.ada, 1, 'slow', iso).ticket);
  }
}

function deskOf(scripts: readonly Script[]): DeskState {
  const state = newState();
  const people = { ada: customer(state, 'ada'), lin: agent(state, 'lin', 3) };
  scripts.forEach((script, index) => {
    let atMs = BASE_MS + script.openedAfterMinutes * MINUTE_MS;
    let ticket = desk.openTicket(
      state,
      {
        customer: people.ada,
        category: TICKET_CATEGORIES[script.category] ?? 'account',
        subject: `Question ${index}`,
        body: `Details of question ${index}.`,
        channel: TICKET_CHANNELS[script.channel] ?? 'email',
        language: 'en',
        regionId: (REGIONS[script.region] ?? europe).id,
        txId: null,
      },
      support,
      atMs,
    ).ticket;
    for (const { step, afterMinutes } of script.steps) {
      atMs += afterMinutes * MINUTE_MS;
      ticket = apply(state, ticket, step, atMs, people);
    }
  });
  return state;
}

async function storeOf(state: DeskState): Promise<MemoryRecordStore> {
  const store = new MemoryRecordStore('2026-11-01T00:00:00.000Z');
  const tickets = Object.values(state.tickets);
  // Two commits, so that the second changes groups the first made.
  const half = Math.ceil(tickets.length / 2);
  await store.transaction((t) => tickets.slice(0, half).forEach((ticket) => saveTicket(t, ref, ticket)));
  await store.transaction((t) => tickets.slice(half).forEach((ticket) => saveTicket(t, ref, ticket)));
  return store;
}

const numbersAndScores = (entries: readonly { ticket: { number: number }; urgency: { score: number } }[]) =>
  entries.map((entry) => [entry.ticket.number, entry.urgency.score]);

describe('the queue read group by group', () => {
  it('gives the whole queue’s first page, in its order, at any instant and for any page size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(scriptArbitrary, { minLength: 1, maxLength: 50 }),
        fc.integer({ min: -3 * 24 * 60, max: 50 * 24 * 60 }),
        fc.integer({ min: 1, max: 8 }),
        async (scripts, nowAfterMinutes, count) => {
          const store = await storeOf(deskOf(scripts));
          const nowMs = BASE_MS + nowAfterMinutes * MINUTE_MS;
          await store.read(async (t) => {
            const whole = await openQueue(t, ref, nowMs);
            const read = await mostUrgent(t, ref, nowMs, count);
            expect(numbersAndScores(read.entries)).toEqual(numbersAndScores(whole.slice(0, count)));
            expect(read.total).toBe(whole.length);
          });
        },
      ),
      { numRuns: 100 },
    );
  });

  it('sees the transaction’s own changes to the queue before they are committed', async () => {
    const state = deskOf([
      { openedAfterMinutes: 0, category: 0, channel: 0, region: 0, steps: [] },
      { openedAfterMinutes: 60, category: 3, channel: 1, region: 1, steps: [] },
    ]);
    const store = await storeOf(state);
    const nowMs = BASE_MS + 3 * DAY_MS;
    await store.transaction(async (t) => {
      const first = state.tickets['1'] as Ticket;
      saveTicket(t, ref, desk.changeStatus(state, first, 'pending', null, new Date(BASE_MS + DAY_MS).toISOString()));
      const whole = await openQueue(t, ref, nowMs);
      expect(numbersAndScores((await mostUrgent(t, ref, nowMs, 5)).entries)).toEqual(numbersAndScores(whole));
      expect(whole.map((entry) => entry.ticket.status)).toContain('pending');
    });
  });
});

describe('the queue’s shapes', () => {
  it('hold each shape’s facts folded over its groups, and each group’s facts, as the open tickets give them', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(scriptArbitrary, { minLength: 1, maxLength: 40 }), async (scripts) => {
        const store = await storeOf(deskOf(scripts));
        await store.read(async (t) => {
          const byGroup = new Map<string, TicketSummary[]>();
          for (const summary of await t.tickets.withStatus(ACTIVE_STATUSES))
            byGroup.set(queueGroupKey(summary), [...(byGroup.get(queueGroupKey(summary)) ?? []), summary]);
          const expected = foldShapes([...byGroup].map(([key, members]) => [key, groupFacts(members) as QueueGroupFacts] as const));
          const shapes = (await t.tickets.queueShapes()) ?? new Map();
          expect(Object.fromEntries(shapes)).toEqual(Object.fromEntries(expected.shapes));
          for (const shape of shapes.keys()) expect(Object.fromEntries(await t.tickets.queueGroups([shape]))).toEqual(expected.groupsOfShape.get(shape));
        });
      }),
      { numRuns: 60 },
    );
  });

  it('let the first page open only the shapes that can reach it, and read only the groups that can', async () => {
    // Tickets opened every few hours over three weeks, in three regions: many shapes, each over many days.
    const scripts: Script[] = Array.from({ length: 120 }, (_, i) => ({
      openedAfterMinutes: i * 4 * 60,
      category: i % TICKET_CATEGORIES.length,
      channel: i % TICKET_CHANNELS.length,
      region: i % REGIONS.length,
      steps: i % 5 === 2 ? [{ step: 'pending', afterMinutes: 60 }] : i % 7 === 3 ? [{ step: 'ask-escalation', afterMinutes: 30 }] : [],
    }));
    const store = await storeOf(deskOf(scripts));
    const nowMs = BASE_MS + 22 * DAY_MS;
    const read = { opened: 0, groups: 0 };
    await store.read(async (t) => {
      const counting: Records = {
        ...t,
        tickets: {
          ...t.tickets,
          queueGroups: (shapes) => {
            read.opened += shapes.length;
            return t.tickets.queueGroups(shapes);
          },
          inQueueGroups: (keys) => {
            read.groups += keys.length;
            return t.tickets.inQueueGroups(keys);
          },
        },
      };
      const whole = await openQueue(t, ref, nowMs);
      expect(numbersAndScores((await mostUrgent(counting, ref, nowMs, 5)).entries)).toEqual(numbersAndScores(whole.slice(0, 5)));
      const shapes = (await t.tickets.queueShapes()) ?? new Map();
      const groups = await t.tickets.queueGroups([...shapes.keys()]);
      expect(shapes.size).toBeGreaterThan(5);
      expect(groups.size).toBeGreaterThan(3 * shapes.size);
      expect(read.opened).toBeLessThan(shapes.size / 2);
      expect(read.groups).toBeLessThan(groups.size / 10);
    });
  });
});

/** Every open ticket waiting for its first answer, with its place as the whole queue gives it. */
async function placesInWholeQueue(store: MemoryRecordStore, nowMs: number): Promise<{ number: number; position: number; of: number }[]> {
  return store.read(async (t) => {
    const waiting = (await openQueue(t, ref, nowMs)).filter((entry) => entry.ticket.waitingForFirstReply);
    return waiting.map((entry, index) => ({ number: entry.ticket.number, position: index + 1, of: waiting.length }));
  });
}

/** The places `firstReplyPlace` gives every ticket that the whole queue places, beside the whole queue's. */
async function placesOfDesk(scripts: readonly Script[], nowMs: number) {
  const state = deskOf(scripts);
  const store = await storeOf(state);
  const whole = await placesInWholeQueue(store, nowMs);
  const fromGroups = await store.read(async (t) => {
    const places = [];
    for (const { number } of whole) {
      const place = await firstReplyPlace(t, ref, state.tickets[String(number)] as Ticket, nowMs);
      places.push({ number, position: place?.position, of: place?.of });
    }
    return places;
  });
  return { state, store, whole, fromGroups };
}

describe('a ticket’s place among those waiting for their first answer', () => {
  it('is its index among them in the whole queue, at any instant', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(scriptArbitrary, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: -3 * 24 * 60, max: 50 * 24 * 60 }),
        async (scripts, nowAfterMinutes) => {
          const { whole, fromGroups } = await placesOfDesk(scripts, BASE_MS + nowAfterMinutes * MINUTE_MS);
          expect(fromGroups).toEqual(whole);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('counts the tickets of groups wholly above it and ranks only the groups around its score', async () => {
    // Tickets opened a day apart over two weeks, in three regions: many groups, most of them wholly
    // above or below any one ticket (older tickets have used more of their clock and are older).
    const scripts: Script[] = Array.from({ length: 42 }, (_, i) => ({
      openedAfterMinutes: Math.floor(i / 3) * 24 * 60 + (i % 3) * 7,
      category: i % TICKET_CATEGORIES.length,
      channel: i % TICKET_CHANNELS.length,
      region: i % REGIONS.length,
      steps: i % 7 === 3 ? [{ step: 'agent-reply', afterMinutes: 30 }] : [],
    }));
    const nowMs = BASE_MS + 16 * DAY_MS;
    const { state, store, whole, fromGroups } = await placesOfDesk(scripts, nowMs);
    const groups = await store.read(async (t) => (await everyQueueGroup(t)) ?? new Map());
    expect([...groups.values()].filter((facts) => facts.firstReplyCount > 0).length).toBeGreaterThan(5);
    expect(whole.length).toBe(36);
    expect(fromGroups).toEqual(whole);
    // A ticket answered once has no place.
    const answered = Object.values(state.tickets).find((ticket) => !ticket.messages.every((m) => m.authorId === ticket.customerId));
    expect(answered).toBeDefined();
    await store.read(async (t) => expect(await firstReplyPlace(t, ref, answered as Ticket, nowMs)).toBeNull());
  });

  it('counts groups whose tickets all score the same by their due times, without reading them', async () => {
    // A backlog past every cap: three weeks of tickets nobody answered, each with the SLA term at its
    // cap and the whole age term, all in one region and shape: only their due times order them.
    const scripts: Script[] = Array.from({ length: 63 }, (_, i) => ({
      openedAfterMinutes: Math.floor(i / 3) * 24 * 60 + (i % 3) * 97,
      category: 0,
      channel: 0,
      region: 0,
      steps: [],
    }));
    const nowMs = BASE_MS + 60 * DAY_MS;
    const state = deskOf(scripts);
    const store = await storeOf(state);
    const whole = await placesInWholeQueue(store, nowMs);
    expect(whole.length).toBe(63);
    const groups = await store.read(async (t) => (await everyQueueGroup(t)) ?? new Map());
    expect(groups.size).toBeGreaterThan(10);
    let read = 0;
    const fromGroups = await store.read(async (t) => {
      const counting: Records = {
        ...t,
        tickets: {
          ...t.tickets,
          inQueueGroups: (keys) => {
            read += keys.length;
            return t.tickets.inQueueGroups(keys);
          },
        },
      };
      const places = [];
      for (const { number } of whole) {
        const place = await firstReplyPlace(counting, ref, state.tickets[String(number)] as Ticket, nowMs);
        places.push({ number, position: place?.position, of: place?.of });
      }
      return places;
    });
    expect(fromGroups).toEqual(whole);
    // Each place reads its own group and the few whose due times straddle its own, not every group of the shape.
    expect(read).toBeLessThan(whole.length * 4);
  });
});

describe('a group’s ceiling, floor, due floor and due ceiling', () => {
  it('bound every member’s score and due time, and the key reads back as the shape it was made from', () => {
    fc.assert(
      fc.property(
        fc.array(scriptArbitrary, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: -3 * 24 * 60, max: 50 * 24 * 60 }),
        (scripts, nowAfterMinutes) => {
          const state = deskOf(scripts);
          const nowMs = BASE_MS + nowAfterMinutes * MINUTE_MS;
          const summaries = Object.values(state.tickets).map((ticket) =>
            summarizeTicket(ticket, support, REGIONS.find((r) => r.id === ticket.regionId) ?? europe),
          );
          for (const summary of summaries) {
            const key = queueGroupKey(summary);
            const shape = queueGroupShape(key);
            expect(shape).toMatchObject({ priority: summary.priority, tier: summary.tier, regionId: summary.regionId });
            const together = summaries.filter((s) => queueGroupKey(s) === key);
            const facts = groupFacts(together);
            if (shape === null || facts === null) throw new Error('a group without shape or facts');
            expect(facts).toEqual(together.map(memberFacts).reduce(combineFacts));
            const region = REGIONS.find((r) => r.id === summary.regionId) ?? europe;
            const sla = slaOfSummary(summary, region, nowMs);
            const score = urgencyScore(summary, sla, support.urgency, nowMs);
            expect(groupCeiling(shape, facts, region, support.urgency, nowMs)).toBeGreaterThanOrEqual(score);
            expect(groupFloor(shape, facts, region, support.urgency, nowMs)).toBeLessThanOrEqual(score);
            expect(facts.firstReplyCount).toBe(together.filter((s) => s.waitingForFirstReply).length);
            expect(groupDueFloorMs(shape, facts, nowMs)).toBeLessThanOrEqual(sla.current?.dueAtMs ?? Number.POSITIVE_INFINITY);
            expect(groupDueCeilingMs(shape, facts, region, nowMs)).toBeGreaterThanOrEqual(sla.current?.dueAtMs ?? Number.POSITIVE_INFINITY);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('refuses text that is not a group key', () => {
    for (const bad of [
      '',
      'urgent/1/0/0/0/n/2026-11-02',
      'urgent/4/0/0/0/n/2026-11-02/europe',
      'soon/1/0/0/0/n/2026-11-02/europe',
      'low/1/0/0/0/r0/2026-11-02/europe',
    ])
      expect(queueGroupShape(bad)).toBeNull();
  });
});
