// Support tickets: opening one (with its duplicates), replies, follow-ups, changes by agents,
// ratings and merges. Every change appends to the ticket's event log (ticket-state.ts), which is
// the record the SLA clock (sla.ts) and the exports are derived from. The record itself is in
// ticket-record.ts, typed input in ticket-input.ts, agents and tiers in ticket-assignment.ts.
// Pure: "now" comes in.

import { AppError } from './errors.js';
import type { Language } from './language.js';
import type { ReplyClock } from './sla.js';
import type { SupportData } from './support.js';
import { requireTierFor } from './ticket-assignment.js';
import type { Priority, TicketCategory, TicketChannel } from './ticket-kinds.js';
import { SUBJECT_MAX_CHARS } from './ticket-input.js';
import {
  ACTIVE_STATUSES,
  type CarriedClock,
  type Rating,
  type Ticket,
  type TicketEvent,
  type TicketMessage,
  type TicketStatus,
  type Tier,
} from './ticket-record.js';
import { assertTransition, MAX_MESSAGES, toMerged, withEvent, withMessage, withStatus } from './ticket-state.js';
import type { TxId, User, UserId } from './user.js';

const HOUR_MS = 3_600_000;
const DUPLICATE_WINDOW_MS = 24 * HOUR_MS;

// ---- reading -------------------------------------------------------------------------------

/** The ticket found under `number` (by the store), or TICKET_NOT_FOUND. */
export function requireTicket(ticket: Ticket | null, number: number): Ticket {
  if (!ticket) throw new AppError('TICKET_NOT_FOUND', `there is no ticket #${number}`, { hint: 'see `okpay ticket list`' });
  return ticket;
}

/**
 * The ticket as a customer may see it: their own only. Another customer's ticket is "not found",
 * exactly like a number nobody uses, so nobody learns which tickets exist.
 */
export function requireOwnTicket(ticket: Ticket | null, number: number, customerId: UserId): Ticket {
  if (!ticket || ticket.customerId !== customerId)
    throw new AppError('TICKET_NOT_FOUND', `you have no ticket #${number}`, { hint: 'see your tickets with `okpay ticket list`' });
  return ticket;
}

function hasAgentReply(ticket: Ticket): boolean {
  return ticket.events.some((event) => event.type === 'message' && event.author === 'agent' && event.visibility === 'public');
}

/** Still being worked on and nobody from support has answered yet. */
export function isWaitingForFirstReply(ticket: Ticket): boolean {
  return (ticket.status === 'new' || ticket.status === 'open') && !hasAgentReply(ticket);
}

/** Public messages only (for the customer), or everything (for agents); oldest first. */
export function visibleMessages(ticket: Ticket, audience: 'customer' | 'agent'): TicketMessage[] {
  const shown = audience === 'agent' ? [...ticket.messages] : ticket.messages.filter((message) => message.visibility === 'public');
  return shown.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id - b.id);
}

const INTERNAL_EVENTS: ReadonlySet<TicketEvent['type']> = new Set(['assigned', 'tags']);

/** The history without what only agents may see: internal notes, assignments, tags. */
export function visibleEvents(ticket: Ticket, audience: 'customer' | 'agent'): TicketEvent[] {
  if (audience === 'agent') return [...ticket.events];
  return ticket.events.filter((event) => !INTERNAL_EVENTS.has(event.type) && !(event.type === 'message' && event.visibility === 'internal'));
}

/** Hands out the next ticket number (the store's counter); called only when a ticket is made. */
export type NextNumber = () => number;

const PRIORITY_RANK: Readonly<Record<Priority, number>> = { urgent: 0, high: 1, normal: 2, low: 3 };

function higherPriority(a: Priority, b: Priority): Priority {
  return PRIORITY_RANK[a] <= PRIORITY_RANK[b] ? a : b;
}

/** Disputes and identity checks start where the data says (high), and so does anything from a locked account. */
export function initialPriority(support: SupportData, category: TicketCategory, lockedAccount: boolean): Priority {
  const byCategory = support.priorities.byCategory[category];
  return lockedAccount ? higherPriority(byCategory, support.priorities.lockedAccount) : byCategory;
}

export interface NewTicket {
  readonly customer: User;
  readonly category: TicketCategory;
  readonly subject: string;
  readonly body: string;
  readonly channel: TicketChannel;
  readonly language: Language;
  readonly regionId: string;
  readonly txId: TxId | null;
}

interface Opening extends NewTicket {
  readonly priority: Priority;
  readonly tier: Tier;
  readonly origin: Ticket['origin'];
  readonly relatedTo: number | null;
}

function createTicket(number: number, input: Opening, nowIso: string): Ticket {
  const blank: Ticket = {
    number,
    customerId: input.customer.id,
    category: input.category,
    subject: input.subject,
    channel: input.channel,
    language: input.language,
    regionId: input.regionId,
    status: 'new',
    priority: input.priority,
    tier: input.tier,
    assigneeId: null,
    tags: [],
    txId: input.txId,
    lockedAccount: input.customer.lock !== null,
    origin: input.origin,
    relatedTo: input.relatedTo,
    mergedInto: null,
    escalationRequest: null,
    rating: null,
    createdAt: nowIso,
    updatedAt: nowIso,
    messages: [],
    events: [{ type: 'created', at: nowIso, by: input.customer.id }],
  };
  return withMessage(blank, { at: nowIso, authorId: input.customer.id, author: 'customer', visibility: 'public', body: input.body, faqId: null });
}

/** Case, width and runs of blanks do not make a message different. */
export function duplicateKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** How far back an earlier ticket can be the same request (`openTicket`'s `recent`). */
export const DUPLICATE_WINDOW_HOURS = DUPLICATE_WINDOW_MS / HOUR_MS;

/**
 * The customer's earlier ticket with the same subject and first message, opened less than 24
 * hours ago and neither closed nor merged.
 */
function findDuplicate(recent: readonly Ticket[], customerId: UserId, subject: string, body: string, nowMs: number): Ticket | undefined {
  const subjectKey = duplicateKey(subject);
  const bodyKey = duplicateKey(body);
  return recent.find(
    (ticket) =>
      ticket.customerId === customerId &&
      ticket.status !== 'closed' &&
      ticket.status !== 'merged' &&
      nowMs - Date.parse(ticket.createdAt) < DUPLICATE_WINDOW_MS &&
      duplicateKey(ticket.subject) === subjectKey &&
      duplicateKey(ticket.messages[0]?.body ?? '') === bodyKey,
  );
}

export interface OpenedTicket {
  readonly ticket: Ticket;
  /** True when the same request came in earlier: the earlier ticket is returned and nothing new is queued. */
  readonly duplicate: boolean;
}

/**
 * A new ticket, or — when `recent` (the customer's tickets of the last 24 hours) holds the same
 * request — that earlier ticket, marked as asked again. A number is taken only for a new ticket.
 */
export function openTicket(input: NewTicket, recent: readonly Ticket[], nextNumber: NextNumber, support: SupportData, nowMs: number): OpenedTicket {
  const nowIso = new Date(nowMs).toISOString();
  const earlier = findDuplicate(recent, input.customer.id, input.subject, input.body, nowMs);
  if (earlier) return { ticket: withEvent(earlier, { type: 'duplicate', at: nowIso, by: input.customer.id }), duplicate: true };
  const priority = initialPriority(support, input.category, input.customer.lock !== null);
  return { ticket: createTicket(nextNumber(), { ...input, priority, tier: 1, origin: 'customer', relatedTo: null }, nowIso), duplicate: false };
}

// ---- replies -------------------------------------------------------------------------------

/** A bound on following "merged into" links (each merge target is an active ticket, so chains are short). */
export const MAX_MERGE_HOPS = 100;

/** Where a customer's reply to this ticket goes next: the ticket it was merged into, or itself (null). */
export function mergedInto(ticket: Ticket): number | null {
  return ticket.status === 'merged' ? ticket.mergedInto : null;
}

/** How a reply to a closed ticket was taken: a new follow-up, the open one, or the same request again. */
export type FollowUpWay = 'opened' | 'joined' | 'duplicate';

export interface CustomerReply {
  /** The ticket that received the reply: the one asked for, the one it was merged into, or a follow-up. */
  readonly ticket: Ticket;
  /** The closed ticket the reply was about, when it went to a follow-up. */
  readonly followUpOf: number | null;
  readonly followUp: FollowUpWay | null;
  readonly reopened: boolean;
  /** Every ticket the reply changed or made, to be stored. */
  readonly changed: readonly Ticket[];
}

/** What a reply to a closed ticket is compared with (looked up by the caller; nothing when the ticket is not closed). */
export interface FollowUpContext {
  /** The closed ticket's latest follow-up (after its merges) when it is still being worked on. */
  readonly open: Ticket | null;
  /** The customer's tickets of the last 24 hours with the follow-up's subject (`followUpSubjectOf`). */
  readonly recent: readonly Ticket[];
}

const NO_FOLLOW_UP: FollowUpContext = { open: null, recent: [] };

/**
 * A customer's reply to `target` (a merged ticket's reply goes to the ticket it was merged into:
 * follow `mergedInto` first). Waiting on the customer, on hold or solved, the ticket becomes open
 * again. A closed ticket stays closed: the reply goes to its follow-up while one is being worked
 * on, else it opens a new linked follow-up — unless the same request (the follow-up's subject and
 * this body) came in within 24 hours, which is flagged as a duplicate, as `openTicket` does.
 */
export function addCustomerReply(
  target: Ticket,
  customer: User,
  body: string,
  nextNumber: NextNumber,
  nowIso: string,
  followUps: FollowUpContext = NO_FOLLOW_UP,
): CustomerReply {
  if (target.status === 'closed') return replyToClosed(target, customer, body, nextNumber, nowIso, followUps);
  const replied = withMessage(target, { at: nowIso, authorId: customer.id, author: 'customer', visibility: 'public', body, faqId: null });
  const reopen = target.status === 'pending' || target.status === 'on-hold' || target.status === 'solved';
  const updated = reopen ? withStatus(replied, 'open', customer.id, nowIso) : replied;
  return { ticket: updated, followUpOf: null, followUp: null, reopened: target.status === 'solved', changed: [updated] };
}

function replyToClosed(closed: Ticket, customer: User, body: string, nextNumber: NextNumber, nowIso: string, followUps: FollowUpContext): CustomerReply {
  const earlier = findDuplicate(followUps.recent, customer.id, followUpSubjectOf(closed), body, Date.parse(nowIso));
  if (earlier) {
    const flagged = withEvent(earlier, { type: 'duplicate', at: nowIso, by: customer.id });
    return { ticket: flagged, followUpOf: closed.number, followUp: 'duplicate', reopened: false, changed: [flagged] };
  }
  if (followUps.open !== null && ACTIVE_STATUSES.includes(followUps.open.status)) {
    const joined = addCustomerReply(followUps.open, customer, body, nextNumber, nowIso);
    return { ...joined, followUpOf: closed.number, followUp: 'joined' };
  }
  const { followUp, closed: linked } = openFollowUp(closed, customer, body, nextNumber, nowIso);
  return { ticket: followUp, followUpOf: closed.number, followUp: 'opened', reopened: false, changed: [linked, followUp] };
}

/** The ticket numbers of `ticket`'s follow-ups, latest first. */
export function followUpNumbers(ticket: Ticket): number[] {
  return ticket.events.flatMap((event) => (event.type === 'follow-up' ? [event.ticket] : [])).reverse();
}

/** The subject of a follow-up to `closed` (what a repeated reply is compared by). */
export function followUpSubjectOf(closed: Pick<Ticket, 'number' | 'subject'>): string {
  return followUpSubject(`Follow-up to #${closed.number}:`, closed.subject);
}

function followUpSubject(prefix: string, subject: string): string {
  const text = `${prefix} ${subject}`;
  const characters = [...text];
  return characters.length <= SUBJECT_MAX_CHARS ? text : `${characters.slice(0, SUBJECT_MAX_CHARS - 1).join('')}…`;
}

function openFollowUp(closed: Ticket, customer: User, body: string, nextNumber: NextNumber, nowIso: string): { followUp: Ticket; closed: Ticket } {
  const followUp = createTicket(
    nextNumber(),
    {
      ...ticketBasics(closed, customer),
      subject: followUpSubjectOf(closed),
      body,
      priority: closed.priority,
      tier: closed.tier,
      origin: 'follow-up',
      relatedTo: closed.number,
    },
    nowIso,
  );
  return { followUp, closed: withEvent(closed, { type: 'follow-up', at: nowIso, by: customer.id, ticket: followUp.number }) };
}

function ticketBasics(ticket: Ticket, customer: User): Omit<NewTicket, 'subject' | 'body'> {
  return { customer, category: ticket.category, channel: ticket.channel, language: ticket.language, regionId: ticket.regionId, txId: ticket.txId };
}

function assignedIfFree(ticket: Ticket, agent: User, at: string): Ticket {
  if (ticket.assigneeId !== null) return ticket;
  return withEvent(ticket, { type: 'assigned', at, by: agent.id, to: agent.id }, { assigneeId: agent.id });
}

export interface AgentReply {
  readonly body: string;
  readonly faqId: string | null;
  /** The status to leave the ticket in; by default a new ticket becomes open and others keep theirs. */
  readonly status: TicketStatus | null;
}

/** A public answer from an agent, who takes the ticket if nobody has it. */
export function addAgentReply(ticket: Ticket, agent: User, reply: AgentReply, nowIso: string): Ticket {
  if (ticket.status === 'closed' || ticket.status === 'merged') assertTransition(ticket, 'open');
  requireTierFor(ticket, agent, 'answer');
  const answered = withMessage(assignedIfFree(ticket, agent, nowIso), {
    at: nowIso,
    authorId: agent.id,
    author: 'agent',
    visibility: 'public',
    body: reply.body,
    faqId: reply.faqId,
  });
  const status = reply.status ?? (ticket.status === 'new' ? 'open' : ticket.status);
  return withStatus(answered, status, agent.id, nowIso);
}

/** An internal note: agents only, never shown to the customer, no change of status. */
export function addNote(ticket: Ticket, agent: User, body: string, nowIso: string): Ticket {
  return withMessage(ticket, { at: nowIso, authorId: agent.id, author: 'agent', visibility: 'internal', body, faqId: null });
}

// ---- agents' changes -----------------------------------------------------------------------

export function changeStatus(ticket: Ticket, to: TicketStatus, by: User | null, nowIso: string): Ticket {
  if (ticket.status === to) throw new AppError('INVALID_TRANSITION', `ticket #${ticket.number} is already ${to}`);
  return withStatus(ticket, to, by?.id ?? null, nowIso);
}

/** When the ticket last became solved (its last change, for a log without that event). */
export function solvedAtOf(ticket: Ticket): string {
  return [...ticket.events].reverse().find((event) => event.type === 'status' && event.to === 'solved')?.at ?? ticket.updatedAt;
}

/** Solved tickets close by themselves `afterDays` (data/support.json) after they were solved. */
export function isDueToClose(solvedAt: string, nowMs: number, afterDays: number): boolean {
  return nowMs - Date.parse(solvedAt) >= afterDays * 24 * HOUR_MS;
}

/** The automatic close of a solved ticket whose time has come (see `isDueToClose`). */
export function autoClose(ticket: Ticket, nowMs: number): Ticket {
  return changeStatus(ticket, 'closed', null, new Date(nowMs).toISOString());
}

export function setPriority(ticket: Ticket, priority: Priority, by: User, nowIso: string): Ticket {
  if (ticket.priority === priority) return ticket;
  return withEvent(ticket, { type: 'priority', at: nowIso, by: by.id, from: ticket.priority, to: priority }, { priority });
}

export function setCategory(ticket: Ticket, category: TicketCategory, by: User, nowIso: string): Ticket {
  if (ticket.category === category) return ticket;
  return withEvent(ticket, { type: 'category', at: nowIso, by: by.id, from: ticket.category, to: category }, { category });
}

export function setTags(ticket: Ticket, tags: readonly string[], by: User, nowIso: string): Ticket {
  return withEvent(ticket, { type: 'tags', at: nowIso, by: by.id, tags }, { tags: [...tags] });
}

export const BAD_RATING_MAX = 2;

export const hasBadRating = (ticket: Pick<Ticket, 'origin' | 'rating'>): boolean =>
  ticket.origin === 'rating' || (ticket.rating !== null && ticket.rating.score <= BAD_RATING_MAX);
export const isWaiting = (ticket: Pick<Ticket, 'status'>): boolean => ticket.status === 'pending' || ticket.status === 'on-hold';

export interface RatedTicket {
  readonly ticket: Ticket;
  /** A task for a tier-2 agent, opened when the score is 1 or 2. */
  readonly followUp: Ticket | null;
  /** Every ticket the rating changed or made, to be stored. */
  readonly changed: readonly Ticket[];
}

/** A score from 1 to 5 once the ticket is solved or closed; 1 or 2 needs a reason and opens a tier-2 follow-up. */
export function rateTicket(ticket: Ticket, customer: User, score: number, comment: string | null, nextNumber: NextNumber, nowIso: string): RatedTicket {
  if (!Number.isInteger(score) || score < 1 || score > 5) throw new AppError('INVALID_NUMBER', `the score must be a whole number from 1 to 5, not ${score}`);
  if (ticket.status !== 'solved' && ticket.status !== 'closed') {
    throw new AppError('INVALID_TRANSITION', `ticket #${ticket.number} is ${ticket.status}; it can be rated once it is solved`);
  }
  if (ticket.rating !== null) throw new AppError('ALREADY_EXISTS', `ticket #${ticket.number} was already rated ${ticket.rating.score}/5`);
  if (score <= BAD_RATING_MAX && comment === null)
    throw new AppError('USAGE', 'a score of 1 or 2 needs a reason', { hint: 'say what went wrong with --comment "…"' });
  const rating: Rating = { at: nowIso, score, comment };
  const rated = withEvent(ticket, { type: 'rated', at: nowIso, by: customer.id, score, comment }, { rating });
  if (score > BAD_RATING_MAX || comment === null) return { ticket: rated, followUp: null, changed: [rated] };
  const followUp = createTicket(
    nextNumber(),
    {
      ...ticketBasics(ticket, customer),
      subject: followUpSubject(`Rated ${score}/5 on #${ticket.number}:`, ticket.subject),
      body: comment,
      priority: 'high',
      tier: 2,
      origin: 'rating',
      relatedTo: ticket.number,
    },
    nowIso,
  );
  const linked = withEvent(rated, { type: 'follow-up', at: nowIso, by: customer.id, ticket: followUp.number });
  return { ticket: linked, followUp, changed: [linked, followUp] };
}

/** The source's waiting clock as the merge records it (null when no answer is due). */
function carriedClock(clock: ReplyClock | null): CarriedClock | null {
  if (clock === null || clock.endedAtMs !== null) return null;
  const reached = clock.elapsedMinutes >= clock.targetMinutes && clock.dueAtMs !== null;
  return {
    kind: clock.kind,
    since: new Date(clock.startedAtMs).toISOString(),
    elapsedMinutes: clock.elapsedMinutes,
    dueAt: reached && clock.dueAtMs !== null ? new Date(clock.dueAtMs).toISOString() : null,
  };
}

/**
 * Folds a duplicate into the ticket that carries on: its conversation is copied over (marked
 * with where it came from), the higher priority and tier win, and it is left as "merged". The
 * source's reply clock (`sourceClock`, its SLA report's current clock at the merge) is recorded on
 * the target, whose clock carries on from it when it started earlier (sla.ts): a customer who has
 * waited since the duplicate came in is not made to start waiting again, and a breach stays one.
 */
export function mergeTickets(source: Ticket, target: Ticket, by: User, nowIso: string, sourceClock: ReplyClock | null): { source: Ticket; target: Ticket } {
  if (source.number === target.number) throw new AppError('INVALID_MERGE', 'a ticket cannot be merged into itself');
  if (source.customerId !== target.customerId)
    throw new AppError('INVALID_TRANSITION', `tickets #${source.number} and #${target.number} belong to different customers and cannot be merged`);
  if (!ACTIVE_STATUSES.includes(target.status))
    throw new AppError('INVALID_TRANSITION', `ticket #${target.number} is ${target.status}; merge into a ticket that is still being worked on`);
  if (target.messages.length + source.messages.length > MAX_MESSAGES)
    throw new AppError('INVALID_TRANSITION', `together the tickets hold more than ${MAX_MESSAGES} messages`);
  const copies = source.messages.map((message, index) => ({ ...message, id: target.messages.length + index + 1, fromTicket: source.number }));
  const merged = toMerged(source, target.number, by.id, nowIso);
  const grown = withEvent(
    target,
    { type: 'merged-from', at: nowIso, by: by.id, ticket: source.number, waiting: carriedClock(sourceClock) },
    {
      messages: [...target.messages, ...copies],
      priority: higherPriority(source.priority, target.priority),
      tier: Math.max(source.tier, target.tier) as Tier,
    },
  );
  return { source: merged, target: grown };
}
