// Who works on a ticket: agents' loads, the pick of the least-loaded agent who speaks the
// ticket's language at its tier, taking a ticket, and escalating it to a higher tier.

import { AppError } from './errors.js';
import { ACTIVE_STATUSES, type EscalationRequest, type Ticket, type Tier } from './ticket-record.js';
import { assertTransition, withEvent } from './ticket-state.js';
import type { User, UserId } from './user.js';

/** An agent may answer or take a ticket at their tier or below; a note is always possible. */
export function requireTierFor(ticket: Ticket, agent: User, what: string): void {
  const tier = agent.agent?.tier ?? 0;
  if (tier < ticket.tier) {
    throw new AppError('FORBIDDEN', `ticket #${ticket.number} is at tier ${ticket.tier}; ${agent.email} is a tier-${tier} agent and cannot ${what} it`, {
      hint: 'a note (`okpay ticket note`) is always possible',
    });
  }
}

function isAvailableAgent(user: User, ticket: Pick<Ticket, 'tier'>): boolean {
  return user.role === 'agent' && user.agent !== null && user.lock === null && user.status === 'active' && user.agent.tier >= ticket.tier;
}

/** What an agent's load is counted from: the summaries of the open queue will do. */
export type Held = Pick<Ticket, 'assigneeId' | 'status'>;

/** Active tickets an agent holds, among `tickets`. */
export function agentLoad(tickets: readonly Held[], agentId: UserId): number {
  return tickets.filter((ticket) => ticket.assigneeId === agentId && ACTIVE_STATUSES.includes(ticket.status)).length;
}

/** Every agent's load at once (one pass over the open queue). */
export function agentLoads(tickets: readonly Held[]): Map<UserId, number> {
  const loads = new Map<UserId, number>();
  for (const ticket of tickets) {
    if (ticket.assigneeId !== null && ACTIVE_STATUSES.includes(ticket.status)) loads.set(ticket.assigneeId, (loads.get(ticket.assigneeId) ?? 0) + 1);
  }
  return loads;
}

/**
 * The least-loaded agent among `staff` who speaks the ticket's language at the ticket's tier or
 * above; on a tie the lower tier (managers stay free for what needs them), then the address.
 */
export function pickAgent(staff: readonly User[], loads: ReadonlyMap<UserId, number>, ticket: Pick<Ticket, 'tier' | 'language'>): User | undefined {
  const candidates = staff.filter((user) => isAvailableAgent(user, ticket) && (user.agent?.languages ?? []).includes(ticket.language));
  const load = new Map(candidates.map((user) => [user.id, loads.get(user.id) ?? 0]));
  return candidates.sort(
    (a, b) => (load.get(a.id) ?? 0) - (load.get(b.id) ?? 0) || (a.agent?.tier ?? 0) - (b.agent?.tier ?? 0) || (a.email < b.email ? -1 : 1),
  )[0];
}

export function assignTicket(ticket: Ticket, agent: User, by: User, nowIso: string): Ticket {
  if (ticket.status === 'closed' || ticket.status === 'merged') assertTransition(ticket, 'open');
  if (agent.role !== 'agent' || agent.agent === null)
    throw new AppError('FORBIDDEN', `${agent.email} is not a support agent`, { hint: 'make them one with `okpay admin agent add`' });
  requireTierFor(ticket, agent, 'take');
  if (ticket.assigneeId === agent.id) return ticket;
  return withEvent(ticket, { type: 'assigned', at: nowIso, by: by.id, to: agent.id }, { assigneeId: agent.id });
}

/**
 * Moves the ticket up a tier (by default the next one). An assignee (`assignee`, the ticket's own)
 * below the new tier lets go, so the ticket goes back to the queue of the higher tier; the
 * customer's request is answered.
 */
export function escalateTicket(ticket: Ticket, assignee: User | null, to: Tier | null, by: User, reason: string | null, nowIso: string): Ticket {
  if (ticket.status === 'closed' || ticket.status === 'merged') assertTransition(ticket, 'open');
  const target = to ?? (Math.min(3, ticket.tier + 1) as Tier);
  if (target <= ticket.tier) {
    throw new AppError('INVALID_TRANSITION', `ticket #${ticket.number} is already at tier ${ticket.tier}`, {
      hint: ticket.tier === 3 ? 'tier 3 (a manager) is the highest' : `escalate to a tier above ${ticket.tier}`,
    });
  }
  const keepsAssignee = assignee !== null && assignee.id === ticket.assigneeId && (assignee.agent?.tier ?? 0) >= target;
  const escalated = withEvent(
    ticket,
    { type: 'escalated', at: nowIso, by: by.id, from: ticket.tier, to: target, reason },
    { tier: target, escalationRequest: null },
  );
  const released =
    keepsAssignee || ticket.assigneeId === null ? escalated : withEvent(escalated, { type: 'assigned', at: nowIso, by: by.id, to: null }, { assigneeId: null });
  return released;
}

/** The customer asks for a higher tier (3 = a manager) and says why; agents see it in the queue. */
export function requestEscalation(ticket: Ticket, customer: User, reason: string, manager: boolean, nowIso: string): Ticket {
  if (ticket.status === 'closed' || ticket.status === 'merged') assertTransition(ticket, 'open');
  if (ticket.tier === 3) throw new AppError('INVALID_TRANSITION', `ticket #${ticket.number} is already with a manager (tier 3)`);
  const tier = manager ? 3 : (Math.min(3, ticket.tier + 1) as Tier);
  const request: EscalationRequest = { at: nowIso, tier, reason };
  return withEvent(ticket, { type: 'escalation-requested', at: nowIso, by: customer.id, tier, reason }, { escalationRequest: request });
}
