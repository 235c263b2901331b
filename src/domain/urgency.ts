// How urgent a ticket is: a weighted sum of named terms, with the weights in data/support.json,
// so the queue order can always be explained term by term (`okpay ticket why N`).

import type { ReplyClock, SlaState } from './sla.js';
import { formatBusinessMinutes } from './sla.js';
import type { UrgencyTermName, UrgencyWeights } from './support.js';
import { BAD_RATING_MAX, type Ticket } from './tickets.js';

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

function slaTerm(sla: SlaNow, cap: number): { value: number; detail: string } {
  const clock = sla.current;
  if (clock === null) return { value: 0, detail: 'no answer is due' };
  const used = `${formatBusinessMinutes(clock.elapsedMinutes)} of ${formatBusinessMinutes(clock.targetMinutes)} (${clock.kind})`;
  if (clock.paused) return { value: 0, detail: `clock paused; ${used} used` };
  const share = Math.min(cap, Math.max(0, clock.elapsedMinutes / clock.targetMinutes));
  return { value: roundHundredth(share), detail: `${used} used${clock.breached ? ', target missed' : ''}` };
}

function measures(ticket: UrgencySubject, sla: SlaNow, weights: UrgencyWeights, nowMs: number): Record<UrgencyTermName, { value: number; detail: string }> {
  const ageDays = Math.max(0, (nowMs - Date.parse(ticket.createdAt)) / DAY_MS);
  const badRating = ticket.origin === 'rating' || (ticket.rating !== null && ticket.rating.score <= BAD_RATING_MAX);
  const waiting = ticket.status === 'pending' || ticket.status === 'on-hold';
  return {
    sla: slaTerm(sla, weights.slaCap),
    priority: { value: weights.priorityValues[ticket.priority], detail: `priority ${ticket.priority}` },
    tier: { value: (ticket.tier - 1) / 2, detail: `tier ${ticket.tier}` },
    age: { value: roundHundredth(Math.min(1, ageDays / weights.ageFullDays)), detail: `opened ${ageDays.toFixed(1)} days ago` },
    escalationRequest: ticket.escalationRequest
      ? { value: 1, detail: `customer asked for tier ${ticket.escalationRequest.tier}: ${ticket.escalationRequest.reason.slice(0, 60)}` }
      : { value: 0, detail: 'no open request' },
    badRating: badRating ? { value: 1, detail: ticket.origin === 'rating' ? 'follow-up of a bad rating' : `rated ${ticket.rating?.score ?? '?'}/5` } : { value: 0, detail: 'no bad rating' },
    waiting: waiting ? { value: 1, detail: ticket.status === 'pending' ? 'waiting on the customer' : 'on hold' } : { value: 0, detail: 'not waiting' },
  };
}

/** Every term with its value, weight and points; the score is their sum. */
export function explainUrgency(ticket: UrgencySubject, sla: SlaNow, weights: UrgencyWeights, nowMs: number): Urgency {
  const measured = measures(ticket, sla, weights, nowMs);
  const terms = (Object.keys(measured) as UrgencyTermName[]).map((name): UrgencyTerm => {
    const { value, detail } = measured[name];
    const weight = weights.weights[name];
    return { name, detail, value, weight, points: roundTenth(weight * value) };
  });
  return { score: roundTenth(terms.reduce((sum, term) => sum + term.points, 0)), terms };
}

/** A ticket (or its summary) with its SLA and urgency at one instant. */
export interface QueueEntry<T extends UrgencySubject = Ticket> {
  readonly ticket: T;
  readonly sla: SlaNow;
  readonly urgency: Urgency;
}

/** Most urgent first; on a tie the answer due soonest, then the oldest ticket. */
export function compareQueueEntries(a: QueueEntry<UrgencySubject>, b: QueueEntry<UrgencySubject>): number {
  const dueA = a.sla.current?.dueAtMs ?? Number.POSITIVE_INFINITY;
  const dueB = b.sla.current?.dueAtMs ?? Number.POSITIVE_INFINITY;
  return b.urgency.score - a.urgency.score || (dueA === dueB ? 0 : dueA < dueB ? -1 : 1) || a.ticket.number - b.ticket.number;
}
