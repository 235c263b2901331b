// The customer's side of the support desk (open, list, show, reply, escalate, rate, export) and
// how a ticket is presented to whoever looks at it: its customer (public messages only) or an
// agent (everything). Each use-case runs inside one store transaction and returns plain data.

import type { AuditValue } from '../domain/audit.js';
import { regionForCountry } from '../domain/support-regions.js';
import { AppError } from '../domain/errors.js';
import { detectLanguage, type Language } from '../domain/language.js';
import { seqOfTxId, type Transaction } from '../domain/ledger.js';
import { printable } from '../domain/money.js';
import type { SlaReport } from '../domain/sla.js';
import { replyPromise, type ReplyPromise } from '../domain/support.js';
import type { User } from '../domain/state.js';
import { ticketReceivedMail } from '../domain/ticket-mails.js';
import type { TicketSummary } from '../domain/ticket-summary.js';
import { requestEscalation } from '../domain/ticket-assignment.js';
import { type TicketCategory, type TicketChannel } from '../domain/ticket-kinds.js';
import { ACTIVE_STATUSES, TICKET_STATUSES, type Ticket } from '../domain/ticket-record.js';
import {
  addCustomerReply,
  DUPLICATE_WINDOW_HOURS,
  duplicateKey,
  followUpNumbers,
  followUpSubjectOf,
  isWaitingForFirstReply,
  openTicket,
  rateTicket,
  type FollowUpContext,
  type FollowUpWay,
} from '../domain/tickets.js';
import { followUpsOf, type TxView } from '../domain/tx-view.js';
import { viewOf } from './tx-views.js';
import type { Records } from '../store/records.js';
import type { RecordsTransaction } from '../store/store.js';
import type { Actor } from './authenticate.js';
import {
  calendarData,
  emailsOf,
  filterOf,
  findOwnTicket,
  findTicket,
  firstReplyPlace,
  followMerges,
  localTime,
  saveTicket,
  saveTickets,
  selectTickets,
  slaOf,
  supportData,
  ticketRegion,
  type TicketSelection,
} from './desk.js';
import type { AppDeps } from './ports.js';
import { currentChecked, type PasswordCheck } from './passwords.js';
import { NEED_OTP } from './second-factor.js';
import { BAD_CREDENTIALS, passwordRefusal, signInCode } from './sessions.js';

export type Audience = 'customer' | 'agent';

/** Agents see everything; everyone else (admins included) sees a ticket as its customer does. */
export function audienceOf(user: User): Audience {
  return user.role === 'agent' ? 'agent' : 'customer';
}

export function auditTicket(
  t: RecordsTransaction,
  nowIso: string,
  type: string,
  actor: User,
  ticket: Pick<Ticket, 'number' | 'customerId'>,
  details: Record<string, AuditValue> = {},
): void {
  t.audit({ at: nowIso, type, actor: actor.id, subject: ticket.customerId, details: { ticket: ticket.number, ...details } });
}

// ---- presenting a ticket ---------------------------------------------------------------------

export interface QueuePlace {
  readonly position: number;
  readonly of: number;
  /** When the first answer may be expected; never a time already gone (see replyPromise). */
  readonly expectedReply: ReplyPromise | null;
}

/** Where a ticket waiting for its first answer stands among all tickets waiting for theirs. */
async function queuePlace(t: Records, deps: AppDeps, ticket: Ticket, nowMs: number): Promise<QueuePlace | null> {
  if (!isWaitingForFirstReply(ticket)) return null;
  const place = await firstReplyPlace(t, deps.ref, ticket, nowMs);
  if (place === null) return null;
  const dueAtMs = place.entry.sla.current?.dueAtMs ?? null;
  const expectedReply = dueAtMs === null ? null : replyPromise(supportData(deps.ref), ticketRegion(deps.ref, ticket.regionId), dueAtMs, nowMs);
  return { position: place.position, of: place.of, expectedReply };
}

/** The linked transaction as its customer sees it, with its status now. */
async function linkedTransaction(t: RecordsTransaction, deps: AppDeps, ticket: Ticket): Promise<TxView | null> {
  if (ticket.txId === null) return null;
  // One read by id and the index of links, as `tx show` does: never the customer's whole history.
  const found = await t.journal.get(seqOfTxId(ticket.txId) ?? 0);
  if (!found || found.tx.id !== ticket.txId || !found.tx.parties.includes(ticket.customerId)) return null;
  const linking: Transaction[] = (await t.journal.getMany(await t.journal.seqsLinkingTo(found.tx.id))).map((entry) => entry.tx);
  return viewOf(t, found.tx, ticket.customerId, followUpsOf(found.tx.id, linking), deps.ref.currencies);
}

export interface TicketDetail {
  readonly ticket: Ticket;
  readonly audience: Audience;
  readonly sla: SlaReport;
  readonly queue: QueuePlace | null;
  readonly transaction: TxView | null;
  readonly followUps: readonly number[];
  /** Emails of the people named on the ticket, for display. */
  readonly names: Readonly<Record<string, string>>;
}

export async function ticketDetail(t: RecordsTransaction, deps: AppDeps, ticket: Ticket, audience: Audience, nowMs: number): Promise<TicketDetail> {
  const names = await emailsOf(t, [ticket.customerId, ticket.assigneeId, ...ticket.messages.map((m) => m.authorId), ...ticket.events.map((e) => e.by)]);
  return {
    ticket,
    audience,
    sla: slaOf(deps.ref, ticket, nowMs),
    queue: await queuePlace(t, deps, ticket, nowMs),
    transaction: await linkedTransaction(t, deps, ticket),
    followUps: ticket.events.flatMap((event) => (event.type === 'follow-up' ? [event.ticket] : [])),
    names,
  };
}

/** The ticket as the user may see it: any ticket for an agent, only their own for anyone else. */
async function ticketFor(t: Records, user: User, number: number): Promise<Ticket> {
  return audienceOf(user) === 'agent' ? findTicket(t, number) : findOwnTicket(t, number, user.id);
}

/** `ticket show`: an agent reading a customer's ticket is an agent action, and is audited. */
export async function showTicket(t: RecordsTransaction, deps: AppDeps, actor: Actor, number: number): Promise<TicketDetail> {
  const now = deps.now();
  const ticket = await ticketFor(t, actor.user, number);
  if (audienceOf(actor.user) === 'agent') auditTicket(t, now.toISOString(), 'ticket.viewed', actor.user, ticket);
  return ticketDetail(t, deps, ticket, audienceOf(actor.user), now.getTime());
}

/** `ticket export`: the whole record, audited for anyone. */
export async function exportTicket(t: RecordsTransaction, deps: AppDeps, actor: Actor, number: number, format: 'md' | 'json'): Promise<TicketDetail> {
  const now = deps.now();
  const ticket = await ticketFor(t, actor.user, number);
  auditTicket(t, now.toISOString(), 'ticket.exported', actor.user, ticket, { format });
  return ticketDetail(t, deps, ticket, audienceOf(actor.user), now.getTime());
}

// ---- listing ---------------------------------------------------------------------------------

export interface TicketRow {
  readonly summary: TicketSummary;
  readonly customer: string;
  readonly assignee: string | null;
}

export interface TicketList {
  readonly audience: Audience;
  readonly rows: readonly TicketRow[];
  /** How many tickets match, on every page. */
  readonly total: number;
}

export interface ListRequest {
  readonly selection: TicketSelection;
  readonly limit: number;
  /** How many of the first matches to skip (earlier pages); 0 when absent. */
  readonly offset?: number;
}

/** A bound on one customer's tickets read for their list, far above what a person opens. */
const OWN_TICKETS_MAX = 10_000;

/** Who holds a ticket is the desk's business: a customer filters by what they see. */
function requireCustomerFilters(selection: TicketSelection): void {
  if (selection.assignee.kind !== 'any') throw new AppError('FORBIDDEN', '--assignee, --mine and --unassigned are for support agents');
}

/** `ticket list`: the customer's own tickets (agents: everyone's), filtered and sorted (newest first by default). */
export async function listTickets(t: Records, deps: AppDeps, actor: Actor, request: ListRequest): Promise<TicketList> {
  const audience = audienceOf(actor.user);
  if (audience === 'customer') requireCustomerFilters(request.selection);
  const filter = await filterOf(t, actor.user, request.selection);
  const candidates =
    audience === 'agent'
      ? await t.tickets.withStatus(filter.statuses ?? TICKET_STATUSES)
      : (await t.tickets.ofCustomer(actor.user.id, filter.statuses, { limit: OWN_TICKETS_MAX, offset: 0 })).items;
  const all = await selectTickets(t, deps.ref, candidates, filter, request.selection.sort, audience, deps.now().getTime());
  const offset = request.offset ?? 0;
  const shown = all.slice(offset, offset + request.limit).map((entry) => entry.ticket);
  const names =
    audience === 'agent'
      ? await emailsOf(
          t,
          shown.flatMap((s) => [s.customerId, s.assigneeId]),
        )
      : {};
  const rows = shown.map((summary) => ({
    summary,
    customer: names[summary.customerId] ?? summary.customerId,
    assignee: summary.assigneeId === null ? null : (names[summary.assigneeId] ?? summary.assigneeId),
  }));
  return { audience, rows, total: all.length };
}

// ---- opening ---------------------------------------------------------------------------------

export interface TicketRequest {
  readonly category: TicketCategory;
  readonly subject: string;
  readonly body: string;
  readonly channel: TicketChannel;
  /** null: the customer's profile language, else the text's. */
  readonly language: Language | null;
  /** The customer's transaction the ticket is about, as typed. */
  readonly tx: string | null;
}

export interface OpenedTicket {
  readonly detail: TicketDetail;
  /** The same request came in earlier: that ticket is shown and nothing new was queued. */
  readonly duplicate: boolean;
}

/** The customer's own transaction, or "not found" — never a hint that someone else's exists. */
async function ownTransaction(t: RecordsTransaction, customer: User, text: string): Promise<string> {
  const seq = seqOfTxId(text);
  const entry = seq === null ? null : await t.journal.get(seq);
  if (!entry || !entry.tx.parties.includes(customer.id)) {
    throw new AppError('TX_NOT_FOUND', `you have no transaction ${printable(text.trim())}`, { hint: 'see your transactions with `okpay history`' });
  }
  return entry.tx.id;
}

/** A bound on the tickets one customer opens within the duplicate window that are compared. */
const RECENT_TICKETS_MAX = 200;

/** The customer's tickets opened within the duplicate window with the same subject, in full. */
async function sameSubjectRecently(t: Records, customer: User, subject: string, nowMs: number): Promise<Ticket[]> {
  const since = nowMs - DUPLICATE_WINDOW_HOURS * 3_600_000;
  const recent = await t.tickets.ofCustomer(customer.id, ['new', 'open', 'pending', 'on-hold', 'solved'], { limit: RECENT_TICKETS_MAX, offset: 0 });
  const key = duplicateKey(subject);
  const candidates = recent.items.filter((s) => Date.parse(s.createdAt) > since && duplicateKey(s.subject) === key);
  const tickets: Ticket[] = [];
  for (const summary of candidates) tickets.push(await findTicket(t, summary.number));
  return tickets.sort((a, b) => a.number - b.number);
}

/**
 * Opens a ticket for `customer` (signed in, or checked by password for a locked account), or
 * finds that the same request came in within a day and shows that one instead.
 */
export async function openTicketFor(t: RecordsTransaction, deps: AppDeps, customer: User, request: TicketRequest): Promise<OpenedTicket> {
  const now = deps.now();
  const nowMs = now.getTime();
  const txId = request.tx === null ? null : await ownTransaction(t, customer, request.tx);
  const language = request.language ?? customer.language ?? detectLanguage(`${request.subject}\n${request.body}`) ?? 'en';
  const region = regionForCountry(calendarData(deps.ref), customer.country);
  const input = {
    customer,
    category: request.category,
    subject: request.subject,
    body: request.body,
    channel: request.channel,
    language,
    regionId: region.id,
    txId,
  };
  const recent = await sameSubjectRecently(t, customer, request.subject, nowMs);
  const { ticket, duplicate } = openTicket(input, recent, () => t.tickets.nextNumber(), supportData(deps.ref), nowMs);
  saveTicket(t, deps.ref, ticket);
  const detail = await ticketDetail(t, deps, ticket, 'customer', nowMs);
  if (!duplicate) {
    const dueAtMs = detail.sla.current?.dueAtMs ?? null;
    t.mail(ticketReceivedMail(customer, ticket, dueAtMs === null ? null : localTime(dueAtMs, region.timeZone)), now.toISOString());
  }
  auditTicket(t, now.toISOString(), duplicate ? 'ticket.duplicate' : 'ticket.created', customer, ticket, {
    category: ticket.category,
    priority: ticket.priority,
    lockedAccount: customer.lock !== null,
  });
  return { detail, duplicate };
}

export interface PasswordOpening {
  /** Normalised. */
  readonly email: string;
  readonly check: PasswordCheck;
  /** The one-time code, once asked for. */
  readonly otp: string | undefined;
  /** Mailed if this failure locks the account. */
  readonly unlockToken: string;
  readonly request: TicketRequest;
}

/**
 * `ticket new --email`: a customer who cannot sign in (a locked account) opens a ticket with the
 * password, checked outside the transaction (withPasswordChecked; currentChecked makes sure it is
 * still current), and the one-time code, asked for (NEED_OTP) when two-step verification is on.
 * It answers as `login` does, by the same code: a wrong password or code is counted and refused
 * after the commit (passwordRefusal, signInCode), and on a locked account the right password opens
 * a ticket only until the lock has been guessed at too often; then it gets the wrong one's answer.
 */
export async function openTicketWithPassword(t: RecordsTransaction, deps: AppDeps, input: PasswordOpening): Promise<OpenedTicket | typeof NEED_OTP> {
  const nowMs = deps.now().getTime();
  const failure = { type: 'ticket.sign-in-failure', wrong: BAD_CREDENTIALS, opensLocked: true };
  const user = currentChecked(input.check, await t.users.byEmail(input.email));
  const refusal = await passwordRefusal(t, nowMs, user, input.check.ok, input.unlockToken, failure);
  if (!user || refusal) {
    t.failAfterCommit(refusal ?? BAD_CREDENTIALS());
    return NEED_OTP;
  }
  if (user.status !== 'active')
    throw new AppError('NOT_ACTIVATED', `the account ${user.email} is not activated yet`, {
      hint: 'use the token from the activation mail: `okpay activate TOKEN`',
    });
  if (!user.twoFactor.enabled) return openTicketFor(t, deps, user, input.request);
  if (input.otp === undefined) return NEED_OTP;
  const outcome = await signInCode(t, deps, user, input.otp, { nowMs, unlockToken: input.unlockToken, type: failure.type });
  if (!outcome) return NEED_OTP;
  t.users.put(outcome.user);
  return openTicketFor(t, deps, outcome.user, input.request);
}

/** `ticket new` for a signed-in customer. */
export function newTicket(t: RecordsTransaction, deps: AppDeps, actor: Actor, request: TicketRequest): Promise<OpenedTicket> {
  return openTicketFor(t, deps, actor.user, request);
}

// ---- the customer's replies, escalation requests and ratings ----------------------------------

export interface CustomerReplyResult {
  readonly detail: TicketDetail;
  /** The closed ticket the reply was about, when it went to a follow-up (see `followUp`). */
  readonly followUpOf: number | null;
  readonly followUp: FollowUpWay | null;
  readonly reopened: boolean;
}

/** `ticket reply` from the customer: to the ticket (or the one it was merged into), or a follow-up. */
export function customerReply(t: RecordsTransaction, deps: AppDeps, actor: Actor, number: number, body: string): Promise<CustomerReplyResult> {
  return replyAsCustomer(t, deps, actor.user, number, body);
}

/** A bound on the follow-ups of one closed ticket looked at, latest first, for one still being worked on. */
const FOLLOW_UPS_CHECKED_MAX = 20;

/** What a reply to the closed ticket `closed` is compared with: its open follow-up, and the same request within a day. */
async function followUpContext(t: Records, customer: User, closed: Ticket, nowMs: number): Promise<FollowUpContext> {
  let open: Ticket | null = null;
  for (const number of followUpNumbers(closed).slice(0, FOLLOW_UPS_CHECKED_MAX)) {
    const followUp = await followMerges(t, await findTicket(t, number));
    if (ACTIVE_STATUSES.includes(followUp.status) && followUp.customerId === customer.id) {
      open = followUp;
      break;
    }
  }
  return { open, recent: await sameSubjectRecently(t, customer, followUpSubjectOf(closed), nowMs) };
}

/** A customer's answer on one of their tickets (signed in, or by mail: `ticket import`). */
export async function replyAsCustomer(t: RecordsTransaction, deps: AppDeps, me: User, number: number, body: string): Promise<CustomerReplyResult> {
  const now = deps.now();
  const target = await followMerges(t, await findOwnTicket(t, number, me.id));
  const followUps = target.status === 'closed' ? await followUpContext(t, me, target, now.getTime()) : undefined;
  const reply = addCustomerReply(target, me, body, () => t.tickets.nextNumber(), now.toISOString(), followUps);
  saveTickets(t, deps.ref, reply.changed);
  if (reply.followUp === 'opened') t.mail(ticketReceivedMail(me, reply.ticket, null), now.toISOString());
  t.audit({
    at: now.toISOString(),
    type: reply.followUp === 'duplicate' ? 'ticket.duplicate' : 'ticket.customer-reply',
    actor: me.id,
    subject: me.id,
    details: { ticket: reply.ticket.number, followUpOf: reply.followUpOf, followUp: reply.followUp, reopened: reply.reopened },
  });
  const detail = await ticketDetail(t, deps, reply.ticket, 'customer', now.getTime());
  return { detail, followUpOf: reply.followUpOf, followUp: reply.followUp, reopened: reply.reopened };
}

/** `ticket escalate` from the customer: asks for a higher tier (or a manager), with a reason. */
export async function requestTicketEscalation(
  t: RecordsTransaction,
  deps: AppDeps,
  actor: Actor,
  number: number,
  input: { reason: string; manager: boolean },
): Promise<TicketDetail> {
  const now = deps.now();
  const me = actor.user;
  const updated = saveTicket(t, deps.ref, requestEscalation(await findOwnTicket(t, number, me.id), me, input.reason, input.manager, now.toISOString()));
  auditTicket(t, now.toISOString(), 'ticket.escalation-requested', me, updated, { tier: updated.escalationRequest?.tier ?? null });
  return ticketDetail(t, deps, updated, 'customer', now.getTime());
}

export interface RatedTicketResult {
  readonly detail: TicketDetail;
  /** The tier-2 follow-up a bad rating opened. */
  readonly followUp: number | null;
}

/** `ticket rate`: a score once the ticket is solved; a bad one opens a follow-up for a senior agent. */
export async function rateOwnTicket(
  t: RecordsTransaction,
  deps: AppDeps,
  actor: Actor,
  number: number,
  input: { score: number; comment: string | null },
): Promise<RatedTicketResult> {
  const now = deps.now();
  const me = actor.user;
  const rated = rateTicket(await findOwnTicket(t, number, me.id), me, input.score, input.comment, () => t.tickets.nextNumber(), now.toISOString());
  saveTickets(t, deps.ref, rated.changed);
  if (rated.followUp) t.mail(ticketReceivedMail(me, rated.followUp, null), now.toISOString());
  auditTicket(t, now.toISOString(), 'ticket.rated', me, rated.ticket, { score: input.score, followUp: rated.followUp?.number ?? null });
  const detail = await ticketDetail(t, deps, rated.ticket, 'customer', now.getTime());
  return { detail, followUp: rated.followUp?.number ?? null };
}
