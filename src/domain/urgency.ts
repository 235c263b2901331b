// How urgent a ticket is: a weighted sum of named terms, with the weights in data/support.json,
// so the queue order can always be explained term by term (`okpay ticket why N`).

import type { ReplyClock, SlaState } from './sla.js';
import { formatBusinessMinutes } from './sla.js';
import { URGENCY_TERMS, type UrgencyTermName, type UrgencyWeights } from './support.js';
import { type Ticket } from './ticket-record.js';
import { hasBadRating, isWaiting } from './tickets.js';

/** What urgency is measured on: a whole ticket, or its summary (ticket-summary.ts). */
export type UrgencySubject = Pick<Ticket, 'number' | 'status' | 'priority' | 'tier' | 'createdAt' | 'origin' | 'escalationRequest' | 'rating'>;

/** The SLA as urgency and the queue see it: the clock waiting for an answer, if any. */
export interface SlaNow {
  readonly current: ReplyClock | null;
  readonly state: SlaState;
}

export interface UrgencyTerm {
  readonly name: UrgencyTermName;
  /** What was measured, in words. */
  readonly detail: string;
  /** The measure, usually from 0 to 1. */
  readonly value: number;
  readonly weight: number;
  /** weight × value, rounded to one decimal. */
  readonly points: number;
}

export interface Urgency {
  /** The sum of the terms' points. */
  readonly score: number;
  readonly terms: readonly UrgencyTerm[];
}

const DAY_MS = 86_400_000;

function roundTenth(value: number): number {
  return Math.round(value * 10) / 10;
}

function roundHundredth(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The SLA term's measure for a running clock: the share of its target used, at most `cap`. */
export function slaShare(elapsedMinutes: number, targetMinutes: number, cap: number): number {
  return roundHundredth(Math.min(cap, Math.max(0, elapsedMinutes / targetMinutes)));
}

function slaValue(sla: SlaNow, cap: number): number {
  const clock = sla.current;
  if (clock === null || clock.paused) return 0;
  return slaShare(clock.elapsedMinutes, clock.targetMinutes, cap);
}

function slaDetail(sla: SlaNow): string {
  const clock = sla.current;
  if (clock === null) return 'no answer is due';
  const used = `${formatBusinessMinutes(clock.elapsedMinutes)} of ${formatBusinessMinutes(clock.targetMinutes)} (${clock.kind})`;
  if (clock.paused) return `clock paused; ${used} used`;
  return `${used} used${clock.breached ? ', target missed' : ''}`;
}

const ageDaysOf = (ticket: UrgencySubject, nowMs: number): number => Math.max(0, (nowMs - Date.parse(ticket.createdAt)) / DAY_MS);

/** The age term's measure of a ticket opened at `createdMs`. */
export function ageValue(createdMs: number, weights: UrgencyWeights, nowMs: number): number {
  return roundHundredth(Math.min(1, Math.max(0, (nowMs - createdMs) / DAY_MS) / weights.ageFullDays));
}

/** The measure of each term, in the order of URGENCY_TERMS. */
function termValues(ticket: UrgencySubject, sla: SlaNow, weights: UrgencyWeights, nowMs: number): Record<UrgencyTermName, number> {
  return {
    sla: slaValue(sla, weights.slaCap),
    priority: weights.priorityValues[ticket.priority],
    tier: (ticket.tier - 1) / 2,
    age: ageValue(Date.parse(ticket.createdAt), weights, nowMs),
    escalationRequest: ticket.escalationRequest ? 1 : 0,
    badRating: hasBadRating(ticket) ? 1 : 0,
    waiting: isWaiting(ticket) ? 1 : 0,
  };
}

/** What each term measured, in words (only for explaining: the queue ranks without them). */
function termDetails(ticket: UrgencySubject, sla: SlaNow, nowMs: number): Record<UrgencyTermName, string> {
  const request = ticket.escalationRequest;
  return {
    sla: slaDetail(sla),
    priority: `priority ${ticket.priority}`,
    tier: `tier ${ticket.tier}`,
    age: `opened ${ageDaysOf(ticket, nowMs).toFixed(1)} days ago`,
    escalationRequest: request ? `customer asked for tier ${request.tier}: ${request.reason.slice(0, 60)}` : 'no open request',
    badRating: hasBadRating(ticket) ? (ticket.origin === 'rating' ? 'follow-up of a bad rating' : `rated ${ticket.rating?.score ?? '?'}/5`) : 'no bad rating',
    waiting: isWaiting(ticket) ? (ticket.status === 'pending' ? 'waiting on the customer' : 'on hold') : 'not waiting',
  };
}

function pointsOf(values: Record<UrgencyTermName, number>, weights: UrgencyWeights): [UrgencyTermName, number][] {
  return URGENCY_TERMS.map((name) => [name, roundTenth(weights.weights[name] * values[name])]);
}

const scoreOf = (points: readonly [UrgencyTermName, number][]): number => roundTenth(points.reduce((sum, [, p]) => sum + p, 0));

/** The score of given measures, summed exactly as a ticket's are (so that a ceiling built from measures is one). */
export function scoreOfValues(values: Record<UrgencyTermName, number>, weights: UrgencyWeights): number {
  return scoreOf(pointsOf(values, weights));
}

/** The score alone (what the queue sorts by), exactly `explainUrgency`'s, without the words. */
export function urgencyScore(ticket: UrgencySubject, sla: SlaNow, weights: UrgencyWeights, nowMs: number): number {
  return scoreOf(pointsOf(termValues(ticket, sla, weights, nowMs), weights));
}

/** Every term with its value, weight and points; the score is their sum. */
export function explainUrgency(ticket: UrgencySubject, sla: SlaNow, weights: UrgencyWeights, nowMs: number): Urgency {
  const values = termValues(ticket, sla, weights, nowMs);
  const details = termDetails(ticket, sla, nowMs);
  const points = pointsOf(values, weights);
  const terms = points.map(([name, p]): UrgencyTerm => ({ name, detail: details[name], value: values[name], weight: weights.weights[name], points: p }));
  return { score: scoreOf(points), terms };
}

/** A ticket (or its summary) with its SLA and urgency at one instant. */
export interface QueueEntry<T extends UrgencySubject = Ticket> {
  readonly ticket: T;
  readonly sla: SlaNow;
  readonly urgency: Urgency;
}

/** A place in the queue: enough to sort by (the urgency's score, without its explanation). */
export interface Ranked<T extends UrgencySubject = Ticket> {
  readonly ticket: T;
  readonly sla: SlaNow;
  readonly urgency: Pick<Urgency, 'score'>;
}

/** Most urgent first; on a tie the answer due soonest, then the oldest ticket. */
export function compareQueueEntries(a: Ranked<UrgencySubject>, b: Ranked<UrgencySubject>): number {
  const dueA = a.sla.current?.dueAtMs ?? Number.POSITIVE_INFINITY;
  const dueB = b.sla.current?.dueAtMs ?? Number.POSITIVE_INFINITY;
  return b.urgency.score - a.urgency.score || (dueA === dueB ? 0 : dueA < dueB ? -1 : 1) || a.ticket.number - b.ticket.number;
}
