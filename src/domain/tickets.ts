// Support tickets: what a ticket is, the states it moves through and the rules between them,
// duplicates, follow-ups and merges. Every change appends to the ticket's event log, which is
// the record the SLA clock (sla.ts) and the exports are derived from. Pure: "now" comes in.

import * as z from 'zod/mini';
import { AppError } from './errors.js';
import { LANGUAGES, type Language } from './language.js';
import { printable } from './money.js';
import type { TxId, User, UserId } from './user.js';
import type { SupportData } from './support.js';
import { boundedText } from './validate.js';

import { PRIORITIES, TICKET_CATEGORIES, TICKET_CHANNELS, type Priority, type TicketCategory, type TicketChannel } from './ticket-kinds.js';

export { PRIORITIES, TICKET_CATEGORIES, TICKET_CHANNELS, type Priority, type TicketCategory, type TicketChannel } from './ticket-kinds.js';
export const TICKET_STATUSES = ['new', 'open', 'pending', 'on-hold', 'solved', 'closed', 'merged'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type Tier = 1 | 2 | 3;

const SUBJECT_MAX_CHARS = 150;
const BODY_MAX_CHARS = 5000;
const REASON_MAX_CHARS = 500;
const MAX_TAGS = 10;
const TAG_PATTERN = /^[a-z0-9][a-z0-9-]{0,29}$/;
/** A bound on every ticket's conversation: beyond it, the customer opens a new ticket. */
const MAX_MESSAGES = 500;
const HOUR_MS = 3_600_000;
const DUPLICATE_WINDOW_MS = 24 * HOUR_MS;
/** Statuses in which a ticket still needs work: an agent's load, duplicates, merges. */
export const ACTIVE_STATUSES: readonly TicketStatus[] = ['new', 'open', 'pending', 'on-hold'];

const AUTHORS = ['customer', 'agent', 'system'] as const;
export type Author = (typeof AUTHORS)[number];
const VISIBILITIES = ['public', 'internal'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

// The ticket record is a schema and its type is inferred from it: the store checks every ticket it
// reads back (store/record-schemas.ts).
const text = z.string();
const optionalText = z.nullable(z.string());
const ticketNumber = z.int();
const tierSchema = z.literal([1, 2, 3]);
const statusSchema = z.enum(TICKET_STATUSES);
const prioritySchema = z.enum(PRIORITIES);
const categorySchema = z.enum(TICKET_CATEGORIES);

const ticketMessageSchema = z.readonly(
  z.object({
    /** 1, 2, 3 … within the ticket. */
    id: z.int(),
    at: text,
    authorId: optionalText,
    author: z.enum(AUTHORS),
    visibility: z.enum(VISIBILITIES),
    body: text,
    /** The FAQ article an agent answered with. */
    faqId: optionalText,
    /** Set on messages copied in when another ticket was merged into this one. */
    fromTicket: z.nullable(ticketNumber),
  }),
);
export type TicketMessage = z.infer<typeof ticketMessageSchema>;

/** An event: when, who did it (null for the system, e.g. auto-close), and what. */
const event = <Shape extends Record<string, z.core.SomeType>>(shape: Shape) => z.readonly(z.object({ at: text, by: optionalText, ...shape }));

const ticketEventSchema = z.discriminatedUnion('type', [
  event({ type: z.literal('created') }),
  event({ type: z.literal('status'), from: statusSchema, to: statusSchema }),
  event({ type: z.literal('message'), author: z.enum(['customer', 'agent']), visibility: z.enum(VISIBILITIES), messageId: z.int() }),
  event({ type: z.literal('assigned'), to: optionalText }),
  event({ type: z.literal('priority'), from: prioritySchema, to: prioritySchema }),
  event({ type: z.literal('category'), from: categorySchema, to: categorySchema }),
  event({ type: z.literal('tags'), tags: z.readonly(z.array(text)) }),
  event({ type: z.literal('escalated'), from: tierSchema, to: tierSchema, reason: optionalText }),
  event({ type: z.literal('escalation-requested'), tier: tierSchema, reason: text }),
  event({ type: z.literal('rated'), score: z.int(), comment: optionalText }),
  event({ type: z.literal('duplicate') }),
  event({ type: z.literal('merged-into'), ticket: ticketNumber }),
  event({ type: z.literal('merged-from'), ticket: ticketNumber }),
  event({ type: z.literal('follow-up'), ticket: ticketNumber }),
]);
export type TicketEvent = z.infer<typeof ticketEventSchema>;

const escalationRequestSchema = z.readonly(z.object({ at: text, tier: tierSchema, reason: text }));
export type EscalationRequest = z.infer<typeof escalationRequestSchema>;

const ratingSchema = z.readonly(z.object({ at: text, score: z.int(), comment: optionalText }));
export type Rating = z.infer<typeof ratingSchema>;

/** A refund above the four-eyes amount that one agent requested and a second must approve (duties.ts). */
const refundApprovalRequestSchema = z.readonly(z.object({ txId: text, requestedBy: text, requestedAt: text }));
export type RefundApprovalRequest = z.infer<typeof refundApprovalRequestSchema>;

export const ticketSchema = z.readonly(
  z.object({
    number: ticketNumber,
    customerId: text,
    category: categorySchema,
    subject: text,
    channel: z.enum(TICKET_CHANNELS),
    language: z.enum(LANGUAGES),
    /** Support region (calendars.json) whose business hours the SLA counts in. */
    regionId: text,
    status: statusSchema,
    priority: prioritySchema,
    tier: tierSchema,
    assigneeId: optionalText,
    tags: z.readonly(z.array(text)),
    txId: optionalText,
    /** The customer's account was locked when the ticket came in. */
    lockedAccount: z.boolean(),
    /** Why the ticket exists: the customer wrote, or it follows up a closed ticket or a bad rating. */
    origin: z.enum(['customer', 'follow-up', 'rating']),
    relatedTo: z.nullable(ticketNumber),
    mergedInto: z.nullable(ticketNumber),
    /** The customer's open request for a higher tier; cleared when an agent escalates. */
    escalationRequest: z.nullable(escalationRequestSchema),
    rating: z.nullable(ratingSchema),
    refundRequest: z.optional(z.nullable(refundApprovalRequestSchema)),
    createdAt: text,
    updatedAt: text,
    messages: z.readonly(z.array(ticketMessageSchema)),
    events: z.readonly(z.array(ticketEventSchema)),
  }),
);
export type Ticket = z.infer<typeof ticketSchema>;

// ---- input ---------------------------------------------------------------------------------

function oneOf<T extends string>(values: readonly T[], text: string, what: string): T {
  const lower = text.trim().toLowerCase();
  const found = values.find((value) => value === lower);
  if (found === undefined) throw new AppError('INVALID_CHOICE', `"${printable(text)}" is not a ${what}`, { hint: `use one of ${values.join(', ')}` });
  return found;
}

export const parseCategory = (text: string): TicketCategory => oneOf(TICKET_CATEGORIES, text, 'ticket category');
export const parseChannel = (text: string): TicketChannel => oneOf(TICKET_CHANNELS, text, 'support channel for tickets');
export const parsePriority = (text: string): Priority => oneOf(PRIORITIES, text, 'priority');
export const parseStatus = (text: string): TicketStatus => oneOf(TICKET_STATUSES, text, 'ticket status');

export function parseTier(text: string): Tier {
  const trimmed = text.trim();
  if (trimmed !== '1' && trimmed !== '2' && trimmed !== '3')
    throw new AppError('INVALID_CHOICE', `"${printable(text)}" is not a support tier`, { hint: 'use 1, 2 or 3 (3 is a manager)' });
  return Number(trimmed) as Tier;
}

/** "12" or "#12". */
export function parseTicketNumber(text: string): number {
  const match = /^#?([0-9]{1,9})$/.exec(text.trim());
  const value = match?.[1] === undefined ? 0 : Number(match[1]);
  if (value < 1)
    throw new AppError('INVALID_NUMBER', `"${printable(text)}" is not a ticket number`, {
      hint: 'ticket numbers look like 12 or #12 (see `okpay ticket list`)',
    });
  return value;
}

/** Comma-separated tags: lowercase letters, digits and hyphens; an empty list clears them. */
export function parseTags(text: string): string[] {
  const tags = [
    ...new Set(
      text
        .split(',')
        .map((tag) => tag.trim().toLowerCase())
        .filter((tag) => tag !== ''),
    ),
  ];
  const wrong = tags.find((tag) => !TAG_PATTERN.test(tag));
  if (wrong !== undefined)
    throw new AppError('INVALID_TAG', `the tag "${printable(wrong)}" may hold only a-z, 0-9 and hyphens (at most 30)`, {
      hint: 'for example --tags refund,card-payment',
    });
  if (tags.length > MAX_TAGS) throw new AppError('INVALID_TAG', `at most ${MAX_TAGS} tags, not ${tags.length}`);
  return tags;
}

export const validateSubject = (text: string): string => boundedText(text, 'subject', { min: 1, max: SUBJECT_MAX_CHARS });
export const validateBody = (text: string): string => boundedText(text, 'message', { min: 1, max: BODY_MAX_CHARS, multiline: true });
export const validateReason = (text: string, field = '--reason'): string => boundedText(text, field, { min: 1, max: REASON_MAX_CHARS, multiline: true });

// ---- the state machine ---------------------------------------------------------------------

const TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  new: ['open', 'pending', 'on-hold', 'solved', 'merged'],
  open: ['pending', 'on-hold', 'solved', 'merged'],
  pending: ['open', 'on-hold', 'solved', 'merged'],
  'on-hold': ['open', 'pending', 'solved', 'merged'],
  solved: ['open', 'closed'],
  closed: [],
  merged: [],
};

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

function transitionHint(ticket: Ticket, to: TicketStatus): string {
  if (ticket.status === 'closed') return 'a closed ticket stays closed; a reply from the customer opens a linked follow-up';
  if (ticket.status === 'merged') return `it was merged into #${ticket.mergedInto ?? '?'}: work on that ticket`;
  if (to === 'closed') return `resolve it first (\`okpay ticket resolve ${ticket.number}\`); solved tickets close by themselves after 7 days`;
  const allowed = TRANSITIONS[ticket.status];
  return allowed.length > 0 ? `from ${ticket.status} it can go to ${allowed.join(', ')}` : '';
}

function assertTransition(ticket: Ticket, to: TicketStatus): void {
  if (!canTransition(ticket.status, to)) {
    throw new AppError('INVALID_TRANSITION', `ticket #${ticket.number} is ${ticket.status} and cannot become ${to}`, {
      hint: transitionHint(ticket, to),
      details: { from: ticket.status, to },
    });
  }
}

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

// ---- changing ------------------------------------------------------------------------------

function withEvent(ticket: Ticket, event: TicketEvent, changes: Partial<Ticket> = {}): Ticket {
  return { ...ticket, ...changes, events: [...ticket.events, event], updatedAt: event.at };
}

function withMessage(ticket: Ticket, input: Omit<TicketMessage, 'id' | 'fromTicket'>): Ticket {
  if (ticket.messages.length >= MAX_MESSAGES) {
    throw new AppError('INVALID_TRANSITION', `ticket #${ticket.number} has reached ${MAX_MESSAGES} messages`, {
      hint: 'open a new ticket that refers to this one',
    });
  }
  const message: TicketMessage = { ...input, id: ticket.messages.length + 1, fromTicket: null };
  const author = input.author === 'system' ? 'agent' : input.author;
  const event: TicketEvent = { type: 'message', at: input.at, by: input.authorId, author, visibility: input.visibility, messageId: message.id };
  return withEvent({ ...ticket, messages: [...ticket.messages, message] }, event);
}

function withStatus(ticket: Ticket, to: TicketStatus, by: UserId | null, at: string): Ticket {
  if (ticket.status === to) return ticket;
  assertTransition(ticket, to);
  return withEvent(ticket, { type: 'status', at, by, from: ticket.status, to }, { status: to });
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

export interface CustomerReply {
  /** The ticket that received the reply: the one asked for, the one it was merged into, or a new follow-up. */
  readonly ticket: Ticket;
  readonly followUpOf: number | null;
  readonly reopened: boolean;
  /** Every ticket the reply changed or made, to be stored. */
  readonly changed: readonly Ticket[];
}

/**
 * A customer's reply to `target` (a merged ticket's reply goes to the ticket it was merged into:
 * follow `mergedInto` first). Waiting on the customer, on hold or solved, the ticket becomes open
 * again; a closed ticket stays closed and the reply starts a linked follow-up.
 */
export function addCustomerReply(target: Ticket, customer: User, body: string, nextNumber: NextNumber, nowIso: string): CustomerReply {
  if (target.status === 'closed') {
    const { followUp, closed } = openFollowUp(target, customer, body, nextNumber, nowIso);
    return { ticket: followUp, followUpOf: target.number, reopened: false, changed: [closed, followUp] };
  }
  const replied = withMessage(target, { at: nowIso, authorId: customer.id, author: 'customer', visibility: 'public', body, faqId: null });
  const reopen = target.status === 'pending' || target.status === 'on-hold' || target.status === 'solved';
  const updated = reopen ? withStatus(replied, 'open', customer.id, nowIso) : replied;
  return { ticket: updated, followUpOf: null, reopened: target.status === 'solved', changed: [updated] };
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
      subject: followUpSubject(`Follow-up to #${closed.number}:`, closed.subject),
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

function requireTierFor(ticket: Ticket, agent: User, what: string): void {
  const tier = agent.agent?.tier ?? 0;
  if (tier < ticket.tier) {
    throw new AppError('FORBIDDEN', `ticket #${ticket.number} is at tier ${ticket.tier}; ${agent.email} is a tier-${tier} agent and cannot ${what} it`, {
      hint: 'a note (`okpay ticket note`) is always possible',
    });
  }
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

export const BAD_RATING_MAX = 2;

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

/**
 * Folds a duplicate into the ticket that carries on: its conversation is copied over (marked
 * with where it came from), the higher priority and tier win, and it is left as "merged".
 */
export function mergeTickets(source: Ticket, target: Ticket, by: User, nowIso: string): { source: Ticket; target: Ticket } {
  if (source.number === target.number) throw new AppError('INVALID_MERGE', 'a ticket cannot be merged into itself');
  if (source.customerId !== target.customerId)
    throw new AppError('INVALID_TRANSITION', `tickets #${source.number} and #${target.number} belong to different customers and cannot be merged`);
  if (!ACTIVE_STATUSES.includes(target.status))
    throw new AppError('INVALID_TRANSITION', `ticket #${target.number} is ${target.status}; merge into a ticket that is still being worked on`);
  assertTransition(source, 'merged');
  if (target.messages.length + source.messages.length > MAX_MESSAGES)
    throw new AppError('INVALID_TRANSITION', `together the tickets hold more than ${MAX_MESSAGES} messages`);
  const copies = source.messages.map((message, index) => ({ ...message, id: target.messages.length + index + 1, fromTicket: source.number }));
  const merged = withEvent(
    withStatus(source, 'merged', by.id, nowIso),
    { type: 'merged-into', at: nowIso, by: by.id, ticket: target.number },
    { mergedInto: target.number },
  );
  const grown = withEvent(
    target,
    { type: 'merged-from', at: nowIso, by: by.id, ticket: source.number },
    {
      messages: [...target.messages, ...copies],
      priority: higherPriority(source.priority, target.priority),
      tier: Math.max(source.tier, target.tier) as Tier,
    },
  );
  return { source: merged, target: grown };
}
