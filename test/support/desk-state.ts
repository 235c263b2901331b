// The ticket rules over one desk in memory, for the domain's unit tests: each call runs the pure
// rule from src/domain/tickets.ts and stores every ticket it changed or made, with its summary, the
// way a use-case does through the records.

import { regionById } from '../../src/domain/support-regions.js';
import type { User, UserId } from '../../src/domain/state.js';
import type { SupportData } from '../../src/domain/support.js';
import type { ReplyClock } from '../../src/domain/sla.js';
import { summarizeTicket, type TicketSummary } from '../../src/domain/ticket-summary.js';
import * as assignment from '../../src/domain/ticket-assignment.js';
import * as rules from '../../src/domain/tickets.js';
import type { Priority } from '../../src/domain/ticket-kinds.js';
import type { Ticket, TicketStatus, Tier } from '../../src/domain/ticket-record.js';
import type { AgentReply, CustomerReply, NewTicket, OpenedTicket, RatedTicket } from '../../src/domain/tickets.js';
import { calendars, support as shippedSupport } from './desk-data.js';

/** The people and tickets of a desk, by key, with the ticket counter. */
export interface DeskState {
  meta: { ticketSeq: number };
  users: Record<UserId, User>;
  tickets: Record<string, Ticket>;
  ticketSummaries: Record<string, TicketSummary>;
}

type State = DeskState;

function save(state: State, ticket: Ticket): Ticket {
  state.tickets[String(ticket.number)] = ticket;
  state.ticketSummaries[String(ticket.number)] = summarizeTicket(ticket, shippedSupport, regionById(calendars, ticket.regionId));
  return ticket;
}

function saveAll(state: State, tickets: readonly Ticket[]): void {
  for (const ticket of tickets) save(state, ticket);
}

const numbers = (state: State) => () => {
  state.meta.ticketSeq += 1;
  return state.meta.ticketSeq;
};

export function requireTicket(state: State, number: number): Ticket {
  return rules.requireTicket(state.tickets[String(number)] ?? null, number);
}

export function requireOwnTicket(state: State, number: number, customerId: UserId): Ticket {
  return rules.requireOwnTicket(state.tickets[String(number)] ?? null, number, customerId);
}

export function openTicket(state: State, input: NewTicket, support: SupportData, nowMs: number): OpenedTicket {
  const opened = rules.openTicket(input, Object.values(state.tickets), numbers(state), support, nowMs);
  save(state, opened.ticket);
  return opened;
}

export function addCustomerReply(state: State, ticket: Ticket, customer: User, body: string, nowIso: string): CustomerReply {
  let target = ticket;
  for (let next = rules.mergedInto(target); next !== null; next = rules.mergedInto(target)) target = requireTicket(state, next);
  const reply = rules.addCustomerReply(target, customer, body, numbers(state), nowIso);
  saveAll(state, reply.changed);
  return reply;
}

export function addAgentReply(state: State, ticket: Ticket, agent: User, reply: AgentReply, nowIso: string): Ticket {
  return save(state, rules.addAgentReply(ticket, agent, reply, nowIso));
}

export function addNote(state: State, ticket: Ticket, agent: User, body: string, nowIso: string): Ticket {
  return save(state, rules.addNote(ticket, agent, body, nowIso));
}

export function changeStatus(state: State, ticket: Ticket, to: TicketStatus, by: User | null, nowIso: string): Ticket {
  return save(state, rules.changeStatus(ticket, to, by, nowIso));
}

export function closeSolvedTickets(state: State, nowMs: number, afterDays: number): Ticket[] {
  const due = Object.values(state.tickets).filter((ticket) => ticket.status === 'solved' && rules.isDueToClose(rules.solvedAtOf(ticket), nowMs, afterDays));
  return due.map((ticket) => save(state, rules.autoClose(ticket, nowMs)));
}

export function setPriority(state: State, ticket: Ticket, priority: Priority, by: User, nowIso: string): Ticket {
  return save(state, rules.setPriority(ticket, priority, by, nowIso));
}

export function agentLoad(state: State, agentId: UserId): number {
  return assignment.agentLoad(Object.values(state.tickets), agentId);
}

export function pickAgent(state: State, ticket: Ticket): User | undefined {
  const staff = Object.values(state.users).filter((user) => user.role === 'agent' || user.role === 'admin');
  return assignment.pickAgent(staff, assignment.agentLoads(Object.values(state.tickets)), ticket);
}

export function assignTicket(state: State, ticket: Ticket, agent: User, by: User, nowIso: string): Ticket {
  return save(state, assignment.assignTicket(ticket, agent, by, nowIso));
}

export function escalateTicket(state: State, ticket: Ticket, to: Tier | null, by: User, reason: string | null, nowIso: string): Ticket {
  const assignee = ticket.assigneeId === null ? null : (state.users[ticket.assigneeId] ?? null);
  return save(state, assignment.escalateTicket(ticket, assignee, to, by, reason, nowIso));
}

export function requestEscalation(state: State, ticket: Ticket, customer: User, reason: string, manager: boolean, nowIso: string): Ticket {
  return save(state, assignment.requestEscalation(ticket, customer, reason, manager, nowIso));
}

export function rateTicket(state: State, ticket: Ticket, customer: User, score: number, comment: string | null, nowIso: string): RatedTicket {
  const rated = rules.rateTicket(ticket, customer, score, comment, numbers(state), nowIso);
  saveAll(state, rated.changed);
  return rated;
}

export function mergeTickets(
  state: State,
  source: Ticket,
  target: Ticket,
  by: User,
  nowIso: string,
  sourceClock: ReplyClock | null = null,
): { source: Ticket; target: Ticket } {
  const merged = rules.mergeTickets(source, target, by, nowIso, sourceClock);
  saveAll(state, [merged.source, merged.target]);
  return merged;
}
