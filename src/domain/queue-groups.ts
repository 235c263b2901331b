// The open queue in groups whose urgency has a ceiling at any instant, so that the first page of
// the queue reads only the groups that can reach it instead of every open ticket. Urgency
// (urgency.ts) is a sum of terms. The fixed ones (priority, tier, escalation request, bad rating,
// waiting) are the same for every ticket of a group, since they are part of its key. The two that
// move with time grow with what a running clock has counted (the SLA share used) and with the
// time since the ticket opened (age): so the most any member's clock had counted before it ran
// on, counted on from the earliest instant any member's clock runs since, and the earliest
// opening give a score that no member of the group can exceed, whatever the instant. The key
// also holds the clock's region and target (its calendar and its scale) and the UTC day since
// which it runs, so that a group's ceiling stays close to the scores of its members.
//
// The same facts read the other way (the least-counted clock running on from the latest start, the
// latest opening) give a floor no member scores below: a ticket's place among those waiting for
// their first answer counts the groups wholly above it by their counts, and ranks only the
// members of the groups whose range holds its score.
//
// A group's facts are folded from its members' facts with count, max and min only, so that a
// database can keep them with an aggregate query over plain columns (queue-group-facts.ts, which the
// store loads without the ceilings here).
//
// The groups of one shape (the key without its day) fold the same way into the shape's facts, whose
// ceiling and floor bound every group of the shape: the queue starts from the shapes, a few dozen
// however many days the open tickets span, and reads the groups of a shape only when the shape can
// reach the page (or, for a place, when its range holds the ticket's score).

import type { Region } from './calendar.js';
import { addBusinessMinutes, businessMinutesBetween, MAX_BUSINESS_MINUTES } from './business-time.js';
import { queueShapeKey, type QueueGroupFacts } from './queue-group-facts.js';
import { PRIORITIES, type Priority } from './ticket-kinds.js';
import type { UrgencyTermName, UrgencyWeights } from './support.js';
import { ageValue, scoreOfValues, slaShare } from './urgency.js';

/** What every ticket of a group shares, read back from its key. */
export interface QueueGroupShape {
  readonly priority: Priority;
  readonly tier: 1 | 2 | 3;
  readonly escalationRequest: boolean;
  readonly badRating: boolean;
  readonly waiting: boolean;
  readonly regionId: string;
  /** The target of the members' running clocks; null when their clocks are paused or none is due. */
  readonly runningTargetMinutes: number | null;
}

const SHAPE_PATTERN = /^([a-z]+)\/([123])\/([01])\/([01])\/([01])\/(n|p|r[1-9][0-9]{0,6})\/([^/]+)$/;
/** A group key: a shape's six fields, the day, the region. */
const GROUP_PATTERN = /^(?:[^/]+\/){6}\d{4}-\d{2}-\d{2}\/[^/]+$/;

/** The shape a group key names; null when the text is not a group key. */
export function queueGroupShape(key: string): QueueGroupShape | null {
  return GROUP_PATTERN.test(key) ? queueShapeOf(queueShapeKey(key)) : null;
}

/** The shape a shape key (queue-group-facts.ts queueShapeKey) names; null when the text is not a shape key. */
export function queueShapeOf(shapeKey: string): QueueGroupShape | null {
  const match = SHAPE_PATTERN.exec(shapeKey);
  if (match === null) return null;
  const [, priority, tier, escalation, bad, waiting, clock, region] = match as unknown as string[];
  if (!(PRIORITIES as readonly string[]).includes(priority as string)) return null;
  let regionId: string;
  try {
    regionId = decodeURIComponent(region as string);
  } catch {
    return null;
  }
  return {
    priority: priority as Priority,
    tier: Number(tier) as 1 | 2 | 3,
    escalationRequest: escalation === '1',
    badRating: bad === '1',
    waiting: waiting === '1',
    regionId,
    runningTargetMinutes: clock?.startsWith('r') ? Number(clock.slice(1)) : null,
  };
}

/**
 * The highest urgency any member of the group can have at `nowMs`: the fixed terms of the shape,
 * the SLA share of the most-counted clock running on from the earliest start, the age of the
 * earliest opening. Each measure only grows along these, and the score is summed exactly as a
 * ticket's, so no member scores above it. A time term with a negative weight counts as 0.
 */
export function groupCeiling(shape: QueueGroupShape, facts: QueueGroupFacts, region: Region, weights: UrgencyWeights, nowMs: number): number {
  const { sla, age } = groupCeilingValues(shape, facts, region, weights, nowMs);
  return scoreOfValues(
    {
      ...fixedValues(shape, weights),
      sla: weights.weights.sla >= 0 ? sla : 0,
      age: weights.weights.age >= 0 ? age : 0,
    },
    weights,
  );
}

/** The terms every member of a group shares, from its key. */
function fixedValues(shape: QueueGroupShape, weights: UrgencyWeights): Omit<Record<UrgencyTermName, number>, 'sla' | 'age'> {
  return {
    priority: weights.priorityValues[shape.priority],
    tier: (shape.tier - 1) / 2,
    escalationRequest: shape.escalationRequest ? 1 : 0,
    badRating: shape.badRating ? 1 : 0,
    waiting: shape.waiting ? 1 : 0,
  };
}

/** The highest SLA share and age any member can show at `nowMs`. */
function groupCeilingValues(
  shape: QueueGroupShape,
  facts: QueueGroupFacts,
  region: Region,
  weights: UrgencyWeights,
  nowMs: number,
): { sla: number; age: number } {
  const target = shape.runningTargetMinutes;
  const since = facts.runningSinceMs;
  const elapsed = since === null ? facts.elapsedMinutes : facts.elapsedMinutes + Math.max(0, businessMinutesBetween(region, since, nowMs));
  return { sla: target === null ? 0 : slaShare(elapsed, target, weights.slaCap), age: ageValue(facts.createdMs, weights, nowMs) };
}

/**
 * The lowest urgency any member of the group can have at `nowMs`: the fixed terms of the shape,
 * the SLA share of the least-counted clock running on from the latest start, the age of the latest
 * opening. A time term with a negative weight counts at the most any member can have (as in
 * groupCeiling), so no member scores below it.
 */
export function groupFloor(shape: QueueGroupShape, facts: QueueGroupFacts, region: Region, weights: UrgencyWeights, nowMs: number): number {
  const target = shape.runningTargetMinutes;
  const since = facts.latestRunningSinceMs;
  const least = since === null || since >= nowMs ? facts.leastElapsedMinutes : facts.leastElapsedMinutes + businessMinutesBetween(region, since, nowMs);
  const sla = target === null ? 0 : slaShare(least, target, weights.slaCap);
  const age = ageValue(facts.latestCreatedMs, weights, nowMs);
  // The most any member has, only for a term with a negative weight (it counts calendar time again).
  const highest = weights.weights.sla >= 0 && weights.weights.age >= 0 ? { sla, age } : groupCeilingValues(shape, facts, region, weights, nowMs);
  return scoreOfValues(
    {
      ...fixedValues(shape, weights),
      sla: weights.weights.sla >= 0 ? sla : highest.sla,
      age: weights.weights.age >= 0 ? age : highest.age,
    },
    weights,
  );
}

/**
 * The earliest due time a member can show at `nowMs` (the queue's first tie-break; +∞ for none).
 * A clock that reached its target shows when it did; one still short of it shows a time at least
 * the business minutes it lacks after its start (or after now, when now is earlier), and business
 * minutes are never fewer than wall-clock ones.
 */
export function groupDueFloorMs(shape: QueueGroupShape, facts: QueueGroupFacts, nowMs: number): number {
  const reached = facts.dueAtMs ?? Number.POSITIVE_INFINITY;
  const target = shape.runningTargetMinutes;
  if (!facts.unreached || target === null || facts.runningSinceMs === null) return reached;
  const moving = Math.min(nowMs, facts.runningSinceMs) + (target - facts.elapsedMinutes) * 60_000;
  return Math.min(reached, moving);
}

/**
 * The latest due time a member can show at `nowMs` (+∞ when the group's clocks do not run, or for
 * a target beyond what business time counts): with `groupFloor`, what tells that every member of a
 * group whose tickets all score the same (clocks past the SLA cap, old enough for the whole age
 * term) ranks before a ticket of that score due later. A member's clock runs since the latest start
 * at most and had counted the fewest minutes at least. One that had reached its target before it
 * ran on shows when it did, before its start; one that reached it since shows its start plus the
 * minutes it lacked; one still short shows now plus the minutes it still lacks. Business time
 * only grows with its start and its length, so the latest start plus what the fewest minutes lack
 * bounds the first two, and now plus that the third, which only a member short of its target at
 * its last change can be, and none is once the fewest minutes counted on from the latest start
 * reach it.
 */
export function groupDueCeilingMs(shape: QueueGroupShape, facts: QueueGroupFacts, region: Region, nowMs: number): number {
  const target = shape.runningTargetMinutes;
  const since = facts.latestRunningSinceMs;
  if (target === null || since === null) return Number.POSITIVE_INFINITY;
  const lacking = Math.max(0, target - facts.leastElapsedMinutes);
  if (!Number.isSafeInteger(lacking) || lacking > MAX_BUSINESS_MINUTES || !Number.isSafeInteger(nowMs)) return Number.POSITIVE_INFINITY;
  const reachedSince = addBusinessMinutes(region, since, lacking);
  // Past the target by now counted from the latest start with the fewest minutes, every member is.
  const allReached = !facts.unreached || (since < nowMs && facts.leastElapsedMinutes + businessMinutesBetween(region, since, nowMs) >= target);
  return allReached ? reachedSince : Math.max(reachedSince, addBusinessMinutes(region, nowMs, lacking));
}

/** Where the last entry of a full page stands: its score and its due time (+∞ for none). */
export interface PageEdge {
  readonly score: number;
  readonly dueAtMs: number;
}

/**
 * Whether no member of a group can rank before the page's last entry: its ceiling is lower, or
 * equal with every member due later (the queue's order: score, then due time, then number).
 */
export function groupCannotEnter(ceiling: number, dueFloorMs: number, edge: PageEdge): boolean {
  return ceiling < edge.score || (ceiling === edge.score && dueFloorMs > edge.dueAtMs);
}
