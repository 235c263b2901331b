// Service levels of a ticket, derived from its event log (never from stored counters): each time
// the customer is waiting for an answer a reply clock starts — the first reply from the moment
// the ticket came in, a next reply from each customer message after an answer — and it stops at
// the next public answer from an agent. Clocks count business minutes of the ticket's support
// region and pause while the ticket is pending (on the customer) or on hold; a ticket that comes
// in outside opening hours starts counting at the next opening.

import { addBusinessMinutes, businessMinutesBetween } from './business-time.js';
import type { Region } from './calendar.js';
import type { SupportData } from './support.js';
import { ticketChannel } from './support.js';
import type { Ticket, TicketEvent, TicketStatus } from './ticket-record.js';
import type { ClockSnapshot, ReplyKind } from './ticket-summary-record.js';

/** ok; at-risk (a quarter of the target or less left); breached; paused; none (nothing due). */
export type SlaState = 'ok' | 'at-risk' | 'breached' | 'paused' | 'none';

/** Share of the target left under which a running clock counts as at risk. */
const AT_RISK_SHARE = 0.25;

export interface ReplyClock {
  readonly kind: ReplyKind;
  readonly startedAtMs: number;
  /** When the answer came (or the ticket stopped needing one); null while waiting. */
  readonly endedAtMs: number | null;
  readonly endedBy: 'reply' | 'stopped' | null;
  readonly targetMinutes: number;
  readonly elapsedMinutes: number;
  /** Negative once the target is missed. */
  readonly leftMinutes: number;
  /** When the target is (or was) reached; null while paused with time still left. */
  readonly dueAtMs: number | null;
  readonly breached: boolean;
  readonly paused: boolean;
}

export interface SlaReport {
  readonly regionId: string;
  readonly timeZone: string;
  readonly firstReplyTargetMinutes: number;
  readonly nextReplyTargetMinutes: number;
  /** The clock that is waiting for an answer now, if any. */
  readonly current: ReplyClock | null;
  /** Clocks that ended, oldest first. */
  readonly past: readonly ReplyClock[];
  readonly breaches: number;
  readonly state: SlaState;
}

const RUNNING: ReadonlySet<TicketStatus> = new Set(['new', 'open']);
const FINISHED: ReadonlySet<TicketStatus> = new Set(['solved', 'closed', 'merged']);

interface Interval {
  readonly fromMs: number;
  readonly toMs: number;
}

interface RunningTime {
  /** Spans that ended (the ticket left new/open), oldest first. */
  readonly closed: readonly Interval[];
  /** Since when the ticket has been new or open, if it still is. */
  readonly sinceMs: number | null;
}

/** The spans during which reply clocks run: the ticket is new or open. */
function runningTime(events: readonly TicketEvent[], createdMs: number): RunningTime {
  const closed: Interval[] = [];
  let status: TicketStatus = 'new';
  let sinceMs = createdMs;
  for (const event of events) {
    if (event.type !== 'status') continue;
    const atMs = Date.parse(event.at);
    if (RUNNING.has(status) && atMs > sinceMs) closed.push({ fromMs: sinceMs, toMs: atMs });
    status = event.to;
    sinceMs = atMs;
  }
  return { closed, sinceMs: RUNNING.has(status) ? sinceMs : null };
}

function runningIntervals(running: RunningTime, nowMs: number): Interval[] {
  return running.sinceMs !== null && nowMs > running.sinceMs ? [...running.closed, { fromMs: running.sinceMs, toMs: nowMs }] : [...running.closed];
}

export function targetMinutes(ticket: Ticket, support: SupportData, kind: ReplyKind): number {
  const target = support.sla[ticket.priority];
  if (kind === 'next-reply') return target.nextReplyBusinessMinutes;
  const cap = ticketChannel(support, ticket.channel).slaFirstReplyMaxBusinessMinutes;
  return cap === null ? target.firstReplyBusinessMinutes : Math.min(target.firstReplyBusinessMinutes, cap);
}

/** Minutes a merged ticket's clock had counted by `fromMs` (the merge); this ticket counts on from there. */
interface Carried {
  readonly elapsed: number;
  readonly dueAtMs: number | null;
  readonly fromMs: number;
}

interface Span {
  readonly kind: ReplyKind;
  readonly startMs: number;
  readonly endMs: number | null;
  readonly endedBy: 'reply' | 'stopped' | null;
  readonly carried: Carried | null;
}

type OpenSpan = Pick<Span, 'kind' | 'startMs' | 'carried'>;

/**
 * A merged ticket's waiting clock (recorded on `merged-from`) replaces this ticket's when it
 * started earlier, or when this ticket was not waiting: the customer has waited since then.
 */
function withMergedClock(open: OpenSpan | null, event: TicketEvent & { type: 'merged-from' }): OpenSpan | null {
  const waiting = event.waiting ?? null;
  if (waiting === null) return open;
  const sinceMs = Date.parse(waiting.since);
  if (open !== null && open.startMs <= sinceMs) return open;
  const dueAtMs = waiting.dueAt === null ? null : Date.parse(waiting.dueAt);
  return { kind: waiting.kind, startMs: sinceMs, carried: { elapsed: waiting.elapsedMinutes, dueAtMs, fromMs: Date.parse(event.at) } };
}

/** Cuts the event log into the spans during which the customer waited for an answer. */
function waitingSpans(ticket: Ticket): Span[] {
  const spans: Span[] = [];
  let open: OpenSpan | null = { kind: 'first-reply', startMs: Date.parse(ticket.createdAt), carried: null };
  let answered = false;
  for (const event of ticket.events) {
    const atMs = Date.parse(event.at);
    if (event.type === 'message' && event.visibility === 'public' && event.author === 'agent') {
      if (open) spans.push({ ...open, endMs: atMs, endedBy: 'reply' });
      open = null;
      answered = true;
    } else if (event.type === 'message' && event.visibility === 'public' && event.author === 'customer' && open === null) {
      open = { kind: answered ? 'next-reply' : 'first-reply', startMs: atMs, carried: null };
    } else if (event.type === 'merged-from') {
      open = withMergedClock(open, event);
    } else if (event.type === 'status' && FINISHED.has(event.to) && open) {
      spans.push({ ...open, endMs: atMs, endedBy: 'stopped' });
      open = null;
    }
  }
  if (open) spans.push({ ...open, endMs: null, endedBy: null });
  return spans;
}

interface Count {
  readonly elapsed: number;
  readonly dueAtMs: number | null;
}

/** Adds the business minutes of one running span to a clock, noting when the target was reached. */
function countSpan(count: Count, target: number, region: Region, fromMs: number, toMs: number): Count {
  if (toMs <= fromMs) return count;
  const minutes = businessMinutesBetween(region, fromMs, toMs);
  const reached = count.dueAtMs === null && count.elapsed + minutes >= target;
  return { elapsed: count.elapsed + minutes, dueAtMs: reached ? addBusinessMinutes(region, fromMs, target - count.elapsed) : count.dueAtMs };
}

/** From when this ticket's own running time counts towards the span's clock. */
const countsFromMs = (span: Span): number => span.carried?.fromMs ?? span.startMs;

function countIntervals(span: Span, endMs: number, target: number, region: Region, running: readonly Interval[]): Count {
  const { carried } = span;
  // A carried clock past a target it had not reached (the merge raised the priority) was due by the merge at the latest.
  let count: Count =
    carried === null
      ? { elapsed: 0, dueAtMs: null }
      : { elapsed: carried.elapsed, dueAtMs: carried.dueAtMs ?? (carried.elapsed >= target ? carried.fromMs : null) };
  const fromMs = countsFromMs(span);
  for (const interval of running) count = countSpan(count, target, region, Math.max(interval.fromMs, fromMs), Math.min(interval.toMs, endMs));
  return count;
}

function finishClock(
  kind: ReplyKind,
  startMs: number,
  end: Pick<ReplyClock, 'endedAtMs' | 'endedBy'>,
  target: number,
  count: Count,
  paused: boolean,
  region: Region,
  nowMs: number,
): ReplyClock {
  const { elapsed } = count;
  const dueAtMs = count.dueAtMs === null && end.endedAtMs === null && !paused ? addBusinessMinutes(region, nowMs, target - elapsed) : count.dueAtMs;
  return {
    kind,
    startedAtMs: startMs,
    ...end,
    targetMinutes: target,
    elapsedMinutes: elapsed,
    leftMinutes: target - elapsed,
    dueAtMs,
    breached: elapsed > target,
    paused,
  };
}

function clockOf(span: Span, target: number, region: Region, running: readonly Interval[], runningNow: boolean, nowMs: number): ReplyClock {
  const count = countIntervals(span, span.endMs ?? nowMs, target, region, running);
  const paused = span.endMs === null && !runningNow;
  return finishClock(span.kind, span.startMs, { endedAtMs: span.endMs, endedBy: span.endedBy }, target, count, paused, region, nowMs);
}

/** The state of the clock that is waiting for an answer (null: nothing is due). */
export function slaStateOf(current: ReplyClock | null): SlaState {
  if (current === null) return 'none';
  if (current.breached) return 'breached';
  if (current.paused) return 'paused';
  return current.leftMinutes <= current.targetMinutes * AT_RISK_SHARE ? 'at-risk' : 'ok';
}

/** The ticket's reply clocks at `nowMs`, in the business hours of `region` (the ticket's own). */
export function slaReport(ticket: Ticket, support: SupportData, region: Region, nowMs: number): SlaReport {
  const running = runningIntervals(runningTime(ticket.events, Date.parse(ticket.createdAt)), nowMs);
  const clocks = waitingSpans(ticket).map((span) =>
    clockOf(span, targetMinutes(ticket, support, span.kind), region, running, RUNNING.has(ticket.status), nowMs),
  );
  const last = clocks[clocks.length - 1];
  const current = last !== undefined && last.endedAtMs === null ? last : null;
  const past = current === null ? clocks : clocks.slice(0, -1);
  return {
    regionId: region.id,
    timeZone: region.timeZone,
    firstReplyTargetMinutes: targetMinutes(ticket, support, 'first-reply'),
    nextReplyTargetMinutes: targetMinutes(ticket, support, 'next-reply'),
    current,
    past,
    breaches: clocks.filter((clock) => clock.breached).length,
    state: slaStateOf(current),
  };
}

/** The ticket's waiting clock as a snapshot; null when no answer is due. */
export function clockSnapshot(ticket: Ticket, support: SupportData, region: Region): ClockSnapshot | null {
  const last = waitingSpans(ticket).at(-1);
  if (last === undefined || last.endMs !== null) return null;
  const running = runningTime(ticket.events, Date.parse(ticket.createdAt));
  const target = targetMinutes(ticket, support, last.kind);
  const count = countIntervals(last, Number.POSITIVE_INFINITY, target, region, running.closed);
  const runningNow = RUNNING.has(ticket.status) && running.sinceMs !== null;
  return {
    kind: last.kind,
    startedAtMs: last.startMs,
    targetMinutes: target,
    elapsedMinutes: count.elapsed,
    runningSinceMs: runningNow && running.sinceMs !== null ? Math.max(running.sinceMs, countsFromMs(last)) : null,
    dueAtMs: count.dueAtMs,
  };
}

/** The waiting clock at `nowMs` (at or after the ticket's last event), from its snapshot. */
export function clockAt(snapshot: ClockSnapshot, region: Region, nowMs: number): ReplyClock {
  const before: Count = { elapsed: snapshot.elapsedMinutes, dueAtMs: snapshot.dueAtMs };
  const paused = snapshot.runningSinceMs === null;
  const count = paused ? before : countSpan(before, snapshot.targetMinutes, region, snapshot.runningSinceMs, nowMs);
  return finishClock(snapshot.kind, snapshot.startedAtMs, { endedAtMs: null, endedBy: null }, snapshot.targetMinutes, count, paused, region, nowMs);
}

/** "2 h 05 min", "45 min", "-1 h 10 min" (overdue). */
export function formatBusinessMinutes(minutes: number): string {
  const sign = minutes < 0 ? '-' : '';
  const whole = Math.abs(minutes);
  const hours = Math.floor(whole / 60);
  const rest = whole % 60;
  if (hours === 0) return `${sign}${rest} min`;
  return `${sign}${hours} h ${rest.toString().padStart(2, '0')} min`;
}
