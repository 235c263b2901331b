// What the store keeps of the open queue's groups (queue-groups.ts says why there are groups): the
// key of an open ticket's group, and each group's facts folded from its members' with count, max
// and min only. Apart from the groups' ceilings, which count business time in calendars, so that
// reading and writing records loads neither.

import * as v from 'valibot';
import { int, number, object, onFirstUse, readonly } from './schema.js';
import type { TicketSummary } from './ticket-summary-record.js';
import { hasBadRating, isWaiting } from './tickets.js';

/** What bounds the urgency of a group's tickets at any instant (for one ticket, or folded over many). */
export const queueGroupFactsSchema = onFirstUse(() =>
  readonly(
    object({
      count: v.pipe(int(), v.gtValue(0)),
      /** The most business minutes a member's running clock counted before it ran on (0 when no clock runs). */
      elapsedMinutes: number(),
      /** The earliest instant since which a member's clock runs; null when none runs. */
      runningSinceMs: v.nullable(number()),
      /** Whether a running clock has not reached its target yet (its due time moves with the clock). */
      unreached: v.boolean(),
      /** The earliest instant a member's clock reached its target, if any did. */
      dueAtMs: v.nullable(number()),
      /** The earliest opening of a member. */
      createdMs: number(),
      /** How many members wait for their first answer (the ones `ticket show` gives a place among). */
      firstReplyCount: v.pipe(int(), v.minValue(0)),
      /** The fewest business minutes a member's clock counted before it ran on (0 for a member whose clock does not run). */
      leastElapsedMinutes: number(),
      /** The latest instant since which a member's clock runs; null when none runs. */
      latestRunningSinceMs: v.nullable(number()),
      /** The latest opening of a member. */
      latestCreatedMs: number(),
    }),
  ),
);
export type QueueGroupFacts = v.InferOutput<ReturnType<typeof queueGroupFactsSchema>>;

const DAY_CHARS = 10;
const flag = (value: boolean): string => (value ? '1' : '0');

/** The group of an open ticket: "priority/tier/escalation/bad rating/waiting/clock/day/region". */
export function queueGroupKey(summary: TicketSummary): string {
  const clock = summary.sla;
  const running = clock !== null && clock.runningSinceMs !== null;
  const sinceMs = running ? (clock.runningSinceMs as number) : Date.parse(summary.createdAt);
  const shape = running ? `r${clock.targetMinutes}` : clock === null ? 'n' : 'p';
  const day = new Date(sinceMs).toISOString().slice(0, DAY_CHARS);
  const fixed = [summary.priority, summary.tier, flag(summary.escalationRequest !== null), flag(hasBadRating(summary)), flag(isWaiting(summary))];
  return [...fixed, shape, day, encodeURIComponent(summary.regionId)].join('/');
}

/** Where a group key holds its day: after the six fields of its shape. */
const DAY_FIELD = 6;

/**
 * The shape of a group: its key without the day ("priority/tier/escalation/bad rating/waiting/clock/region").
 * The groups of one shape differ only in the day their clocks run since, so a shape's facts folded
 * over its groups bound all of them at once, and the queue reads a shape's groups only when the shape
 * can reach the page.
 */
export function queueShapeKey(groupKey: string): string {
  const fields = groupKey.split('/');
  fields.splice(DAY_FIELD, 1);
  return fields.join('/');
}

/**
 * The queue's two levels of facts from its groups' facts: each shape's groups with their facts,
 * and each shape's facts folded over them.
 */
export function foldShapes(groups: Iterable<readonly [string, QueueGroupFacts]>): {
  shapes: Map<string, QueueGroupFacts>;
  groupsOfShape: Map<string, Record<string, QueueGroupFacts>>;
} {
  const shapes = new Map<string, QueueGroupFacts>();
  const groupsOfShape = new Map<string, Record<string, QueueGroupFacts>>();
  for (const [key, facts] of groups) {
    const shape = queueShapeKey(key);
    const known = shapes.get(shape);
    shapes.set(shape, known === undefined ? facts : combineFacts(known, facts));
    const ofShape = groupsOfShape.get(shape);
    if (ofShape) ofShape[key] = facts;
    else groupsOfShape.set(shape, { [key]: facts });
  }
  return { shapes, groupsOfShape };
}

/** One ticket's facts. */
export function memberFacts(summary: TicketSummary): QueueGroupFacts {
  const clock = summary.sla;
  const running = clock !== null && clock.runningSinceMs !== null;
  return {
    count: 1,
    elapsedMinutes: running ? clock.elapsedMinutes : 0,
    runningSinceMs: running ? clock.runningSinceMs : null,
    unreached: running && clock.dueAtMs === null,
    dueAtMs: clock?.dueAtMs ?? null,
    createdMs: Date.parse(summary.createdAt),
    firstReplyCount: summary.waitingForFirstReply ? 1 : 0,
    leastElapsedMinutes: running ? clock.elapsedMinutes : 0,
    latestRunningSinceMs: running ? clock.runningSinceMs : null,
    latestCreatedMs: Date.parse(summary.createdAt),
  };
}

const earliest = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));
const latest = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/** The facts of two sets of tickets together. */
export function combineFacts(a: QueueGroupFacts, b: QueueGroupFacts): QueueGroupFacts {
  return {
    count: a.count + b.count,
    elapsedMinutes: Math.max(a.elapsedMinutes, b.elapsedMinutes),
    runningSinceMs: earliest(a.runningSinceMs, b.runningSinceMs),
    unreached: a.unreached || b.unreached,
    dueAtMs: earliest(a.dueAtMs, b.dueAtMs),
    createdMs: Math.min(a.createdMs, b.createdMs),
    firstReplyCount: a.firstReplyCount + b.firstReplyCount,
    leastElapsedMinutes: Math.min(a.leastElapsedMinutes, b.leastElapsedMinutes),
    latestRunningSinceMs: latest(a.latestRunningSinceMs, b.latestRunningSinceMs),
    latestCreatedMs: Math.max(a.latestCreatedMs, b.latestCreatedMs),
  };
}

/** The facts of a group's members; null for no member. */
export function groupFacts(members: Iterable<TicketSummary>): QueueGroupFacts | null {
  let facts: QueueGroupFacts | null = null;
  for (const summary of members) facts = facts === null ? memberFacts(summary) : combineFacts(facts, memberFacts(summary));
  return facts;
}

/** The facts of several sets of tickets together (a shape's from its groups'); null for none. */
export function foldFacts(all: Iterable<QueueGroupFacts>): QueueGroupFacts | null {
  let folded: QueueGroupFacts | null = null;
  for (const facts of all) folded = folded === null ? facts : combineFacts(folded, facts);
  return folded;
}
