// The agent's side of the support desk: answering, notes, assignment, escalation, status changes
// and merges on a ticket; the urgency-ordered queue and why a ticket stands where it does; giving an
// account the agent role (a customer's account and its locks are in customer-account.ts, `agent
// stats` in stats-report.ts, the automatic close of solved tickets in close-solved.ts). Each is one
// atomic, audited change (or one look), and mails the customer when they should hear about it.

import { assertNotAssignedToOwner, assertNotOwnTicket } from '../domain/duties.js';
import { requireRole } from '../domain/accounts.js';
import type { AuditValue } from '../domain/audit.js';
import { AppError } from '../domain/errors.js';
import { findArticle, localizeArticle } from '../domain/faq.js';
import type { Language } from '../domain/language.js';
import { findMacro, renderMacro, type Macro } from '../domain/macros.js';
import type { OutgoingMail } from '../domain/mail.js';
import type { User } from '../domain/state.js';
import { ticketReplyMail, ticketStatusMail, type CustomerMailIds } from '../domain/ticket-mails.js';
import { summarizeTicket, type TicketSummary } from '../domain/ticket-summary.js';
import { agentLoads, assignTicket, escalateTicket, pickAgent, requireTierFor } from '../domain/ticket-assignment.js';
import type { Priority, TicketCategory } from '../domain/ticket-kinds.js';
import { ACTIVE_STATUSES, type Ticket, type TicketStatus, type Tier } from '../domain/ticket-record.js';
import { addAgentReply, addNote, changeStatus, mergeTickets, setCategory, setPriority, setTags } from '../domain/tickets.js';
import type { QueueEntry, Ranked } from '../domain/urgency.js';
import type { Records } from '../store/records.js';
import type { RecordsTransaction } from '../store/store.js';
import type { Actor } from './authenticate.js';
import {
  emailsOf,
  explained,
  faqArticles,
  filterOf,
  macros,
  findTicket,
  mostUrgent,
  queueEntryOf,
  saveTicket,
  selectTickets,
  slaOf,
  supportData,
  ticketRegion,
  type TicketSelection,
} from './desk.js';
import type { AppDeps } from './ports.js';
import { userByEmail } from './users.js';
import { auditTicket, ticketDetail, type TicketDetail } from './tickets.js';

export function requireAgent(actor: Actor, what: string): User {
  requireRole(actor.user, ['agent'], what);
  return actor.user;
}

/** Mails the ticket's customer; `thread` holds the Message-IDs of their mails on it, so the answer threads in their mail client. */
export async function mailCustomer(
  t: RecordsTransaction,
  ticket: Ticket,
  nowIso: string,
  make: (customer: User, thread: CustomerMailIds) => OutgoingMail,
): Promise<void> {
  const customer = await t.users.get(ticket.customerId);
  if (!customer) return;
  const thread = (await t.mailImports.ofTicket(ticket.number)).map((imported) => imported.messageId);
  t.mail(make(customer, thread), nowIso);
}

async function mailStatusChange(t: RecordsTransaction, before: Ticket, after: Ticket, nowIso: string): Promise<void> {
  if (after.status !== before.status && after.status !== 'new') {
    const to = after.status;
    await mailCustomer(t, after, nowIso, (customer, thread) => ticketStatusMail(customer, after, to, thread));
  }
}

interface AgentStep {
  readonly agent: User;
  readonly ticket: Ticket;
  readonly nowIso: string;
}

/**
 * The acting agent and the ticket, checked: not their own, and (unless `change` is null: a note)
 * at the agent's tier or below, since a ticket above it is not theirs to change.
 */
async function agentStep(t: Records, deps: AppDeps, actor: Actor, number: number, what: string, change: string | null = 'change'): Promise<AgentStep> {
  const agent = requireAgent(actor, what);
  const ticket = await findTicket(t, number);
  assertNotOwnTicket(agent, ticket);
  if (change !== null) requireTierFor(ticket, agent, change);
  return { agent, ticket, nowIso: deps.now().toISOString() };
}

function audited(t: RecordsTransaction, step: AgentStep, type: string, ticket: Ticket, details: Record<string, AuditValue> = {}): void {
  auditTicket(t, step.nowIso, type, step.agent, ticket, details);
}

// ---- on one ticket -----------------------------------------------------------------------------

export interface ReplyInput {
  readonly body: string | null;
  readonly faqId: string | null;
  readonly status: TicketStatus | null;
  /** The saved reply the body was made from, for the audit log. */
  readonly macro?: string;
}

function faqBody(deps: AppDeps, faqId: string | null, language: Language): string {
  if (faqId === null) throw new AppError('USAGE', 'the reply has no text', { hint: 'pass --body TEXT, --body-file FILE or --faq ID' });
  const article = localizeArticle(findArticle(faqArticles(deps.ref), faqId), language);
  return `${article.title}\n\n${article.body}`;
}

/** A public answer (typed, or an FAQ article in the ticket's language); mailed to the customer. */
export async function replyAsAgent(t: RecordsTransaction, deps: AppDeps, actor: Actor, number: number, input: ReplyInput): Promise<Ticket> {
  const step = await agentStep(t, deps, actor, number, '`ticket reply` for an agent', 'answer');
  const body = input.body ?? faqBody(deps, input.faqId, step.ticket.language);
  const updated = saveTicket(t, deps.ref, addAgentReply(step.ticket, step.agent, { body, faqId: input.faqId, status: input.status }, step.nowIso));
  await mailCustomer(t, updated, step.nowIso, (customer, thread) => ticketReplyMail(customer, updated, body, thread));
  audited(t, step, 'ticket.reply', updated, { faq: input.faqId, ...(input.macro === undefined ? {} : { macro: input.macro }), status: updated.status });
  return updated;
}

/** A saved reply in the ticket's language with its placeholders filled in; the ticket takes the macro's status unless `status` is given. */
export async function replyWithMacro(
  t: RecordsTransaction,
  deps: AppDeps,
  actor: Actor,
  number: number,
  input: { macro: string; status: TicketStatus | null },
): Promise<Ticket> {
  const agent = requireAgent(actor, '`ticket reply --macro`');
  const ticket = await findTicket(t, number);
  const macro = findMacro(macros(deps.ref), input.macro, ticket.language);
  const customer = (await t.users.get(ticket.customerId)) ?? { name: null, email: ticket.customerId };
  const body = renderMacro(macro, { customer, agent, ticket });
  return replyAsAgent(t, deps, actor, number, { body, faqId: null, status: input.status ?? macro.status, macro: macro.name });
}

/** `agent macros`: the saved replies in one language (by default the agent's first), in the order the files give them. */
export function listMacros(deps: AppDeps, actor: Actor, language: Language | null): { language: Language; macros: Macro[] } {
  const agent = requireAgent(actor, '`agent macros`');
  const shown = language ?? agent.agent?.languages[0] ?? 'en';
  return { language: shown, macros: [...macros(deps.ref)[shown].values()] };
}

/** An answer written by the system for an agent's action elsewhere (a refund): noted on the ticket and mailed. */
export async function replyOnTicket(t: RecordsTransaction, deps: AppDeps, agent: User, ticket: Ticket, body: string, nowIso: string): Promise<Ticket> {
  const updated = saveTicket(t, deps.ref, addAgentReply(ticket, agent, { body, faqId: null, status: null }, nowIso));
  await mailCustomer(t, updated, nowIso, (customer, thread) => ticketReplyMail(customer, updated, body, thread));
  return updated;
}

export async function noteAsAgent(t: RecordsTransaction, deps: AppDeps, actor: Actor, number: number, body: string): Promise<Ticket> {
  const step = await agentStep(t, deps, actor, number, '`ticket note`', null);
  const updated = saveTicket(t, deps.ref, addNote(step.ticket, step.agent, body, step.nowIso));
  audited(t, step, 'ticket.note', updated);
  return updated;
}

/** The least-loaded available agent who speaks the ticket's language at its tier or above. */
async function leastLoadedAgent(t: Records, ticket: Ticket): Promise<User | undefined> {
  const loads = agentLoads(await t.tickets.withStatus(ACTIVE_STATUSES));
  return pickAgent(
    (await t.users.staff()).filter((staff) => staff.id !== ticket.customerId),
    loads,
    ticket,
  );
}

/** To the named agent (`toEmail`, normalised), or to the least-loaded one who fits. */
export async function assignAsAgent(
  t: RecordsTransaction,
  deps: AppDeps,
  actor: Actor,
  number: number,
  toEmail: string | null,
): Promise<{ ticket: Ticket; assignee: User }> {
  const step = await agentStep(t, deps, actor, number, '`ticket assign`', 'assign');
  const assignee = toEmail === null ? await leastLoadedAgent(t, step.ticket) : await t.users.byEmail(toEmail);
  if (!assignee) {
    if (toEmail !== null) throw new AppError('USER_NOT_FOUND', `no account uses ${toEmail}`);
    throw new AppError('AGENT_NOT_FOUND', `no available agent of tier ${step.ticket.tier} or higher speaks ${step.ticket.language}`, {
      hint: 'choose one with --to EMAIL, or add one with `okpay admin agent add`',
    });
  }
  assertNotAssignedToOwner(assignee, step.ticket);
  const updated = saveTicket(t, deps.ref, assignTicket(step.ticket, assignee, step.agent, step.nowIso));
  audited(t, step, 'ticket.assign', updated, { to: assignee.id, picked: toEmail === null });
  return { ticket: updated, assignee };
}

export async function escalateAsAgent(
  t: RecordsTransaction,
  deps: AppDeps,
  actor: Actor,
  number: number,
  input: { tier: Tier | null; reason: string | null },
): Promise<Ticket> {
  const step = await agentStep(t, deps, actor, number, '`ticket escalate --tier`', 'escalate');
  const assignee = step.ticket.assigneeId === null ? null : await t.users.get(step.ticket.assigneeId);
  const updated = saveTicket(t, deps.ref, escalateTicket(step.ticket, assignee, input.tier, step.agent, input.reason, step.nowIso));
  audited(t, step, 'ticket.escalate', updated, { from: step.ticket.tier, to: updated.tier, reason: input.reason });
  return updated;
}

export interface TicketChanges {
  readonly priority?: Priority;
  readonly category?: TicketCategory;
  readonly tags?: readonly string[];
  readonly status?: TicketStatus;
}

export async function updateAsAgent(t: RecordsTransaction, deps: AppDeps, actor: Actor, number: number, changes: TicketChanges): Promise<Ticket> {
  const step = await agentStep(t, deps, actor, number, '`ticket set`');
  let updated = step.ticket;
  if (changes.priority !== undefined) updated = setPriority(updated, changes.priority, step.agent, step.nowIso);
  if (changes.category !== undefined) updated = setCategory(updated, changes.category, step.agent, step.nowIso);
  if (changes.tags !== undefined) updated = setTags(updated, changes.tags, step.agent, step.nowIso);
  if (changes.status !== undefined && changes.status !== updated.status) updated = changeStatus(updated, changes.status, step.agent, step.nowIso);
  saveTicket(t, deps.ref, updated);
  await mailStatusChange(t, step.ticket, updated, step.nowIso);
  audited(t, step, 'ticket.update', updated, {
    priority: changes.priority ?? null,
    category: changes.category ?? null,
    tags: changes.tags?.join(',') ?? null,
    status: changes.status ?? null,
  });
  return updated;
}

/** resolve (→ solved), close (→ closed), reopen (→ open). */
export async function setStatusAsAgent(t: RecordsTransaction, deps: AppDeps, actor: Actor, number: number, to: TicketStatus, verb: string): Promise<Ticket> {
  const step = await agentStep(t, deps, actor, number, `\`ticket ${verb}\``, verb);
  const updated = saveTicket(t, deps.ref, changeStatus(step.ticket, to, step.agent, step.nowIso));
  await mailStatusChange(t, step.ticket, updated, step.nowIso);
  audited(t, step, `ticket.${verb}`, updated, { from: step.ticket.status, to });
  return updated;
}

export async function mergeAsAgent(
  t: RecordsTransaction,
  deps: AppDeps,
  actor: Actor,
  number: number,
  into: number,
): Promise<{ source: Ticket; target: Ticket }> {
  const step = await agentStep(t, deps, actor, number, '`ticket merge`', 'merge');
  const target = await findTicket(t, into);
  assertNotOwnTicket(step.agent, target);
  requireTierFor(target, step.agent, 'merge into');
  const sourceClock = slaOf(deps.ref, step.ticket, Date.parse(step.nowIso)).current;
  const result = mergeTickets(step.ticket, target, step.agent, step.nowIso, sourceClock);
  saveTicket(t, deps.ref, result.source);
  saveTicket(t, deps.ref, result.target);
  await mailStatusChange(t, step.ticket, result.source, step.nowIso);
  audited(t, step, 'ticket.merge', result.source, { into });
  return result;
}

/** The ticket as an agent sees it, after an agent's change. */
export function agentView(t: RecordsTransaction, deps: AppDeps, ticket: Ticket): Promise<TicketDetail> {
  return ticketDetail(t, deps, ticket, 'agent', deps.now().getTime());
}

// ---- the queue ---------------------------------------------------------------------------------

export interface WhyResult {
  readonly entry: QueueEntry<TicketSummary>;
  /** The ticket's support region's zone, in which its due time reads. */
  readonly timeZone: string;
}

/** `ticket why`: the urgency of one ticket, term by term. */
export async function whyTicket(t: Records, deps: AppDeps, actor: Actor, number: number): Promise<WhyResult> {
  requireAgent(actor, '`ticket why`');
  const ticket = await findTicket(t, number);
  const region = ticketRegion(deps.ref, ticket.regionId);
  const summary = summarizeTicket(ticket, supportData(deps.ref), region);
  return { entry: queueEntryOf(deps.ref, summary, deps.now().getTime()), timeZone: region.timeZone };
}

export interface QueueRequest {
  readonly selection: TicketSelection;
  readonly limit: number;
  /** How many of the first matches to skip (earlier pages); 0 when absent. */
  readonly offset?: number;
}

export interface AgentQueue {
  readonly entries: readonly QueueEntry<TicketSummary>[];
  /** Emails of the customers and assignees of the entries shown. */
  readonly names: Readonly<Record<string, string>>;
  /** How many tickets pass the filters, on every page. */
  readonly total: number;
}

/** The queue holds the tickets still being worked on; a status outside it is a question for `ticket list`. */
function queueStatuses(statuses: readonly TicketStatus[] | null): readonly TicketStatus[] {
  const outside = (statuses ?? []).filter((status) => !ACTIVE_STATUSES.includes(status));
  if (outside.length > 0)
    throw new AppError('INVALID_CHOICE', `the queue holds only ${ACTIVE_STATUSES.join(', ')} tickets, not ${outside.join(', ')}`, {
      hint: 'list the others with `okpay ticket list --status …`',
    });
  return statuses ?? ACTIVE_STATUSES;
}

/** The whole queue, most urgent first: what its groups let the first pages read without every open ticket. */
function isWholeQueue(selection: TicketSelection): boolean {
  const { statuses, priorities, categories, languages, channels, assignee, breaching, search, sort } = selection;
  const everyStatus =
    statuses === null || (ACTIVE_STATUSES.every((status) => statuses.includes(status)) && statuses.every((status) => ACTIVE_STATUSES.includes(status)));
  return (
    everyStatus && [priorities, categories, languages, channels, search].every((v) => v === null) && assignee.kind === 'any' && !breaching && sort === 'urgency'
  );
}

/** The page of the queue asked for, and how many tickets pass the filters. */
async function queuePage(t: Records, deps: AppDeps, me: User, request: QueueRequest, nowMs: number): Promise<{ page: Ranked<TicketSummary>[]; total: number }> {
  const offset = request.offset ?? 0;
  if (isWholeQueue(request.selection)) {
    const { entries, total } = await mostUrgent(t, deps.ref, nowMs, offset + request.limit);
    return { page: entries.slice(offset), total };
  }
  const filter = await filterOf(t, me, request.selection);
  const candidates = await t.tickets.withStatus(queueStatuses(filter.statuses));
  const all = await selectTickets(t, deps.ref, candidates, filter, request.selection.sort, 'agent', nowMs);
  return { page: all.slice(offset, offset + request.limit), total: all.length };
}

/** `agent queue`: the open queue, filtered and sorted (most urgent first by default), from the summaries. */
export async function agentQueue(t: Records, deps: AppDeps, actor: Actor, request: QueueRequest): Promise<AgentQueue> {
  const me = requireAgent(actor, '`agent queue`');
  const nowMs = deps.now().getTime();
  const { page, total } = await queuePage(t, deps, me, request, nowMs);
  const entries = page.map((entry) => explained(deps.ref, entry, nowMs));
  return {
    entries,
    names: await emailsOf(
      t,
      entries.flatMap(({ ticket }) => [ticket.customerId, ticket.assigneeId]),
    ),
    total,
  };
}

// ---- admin agent add -----------------------------------------------------------------------------

/** `admin agent add`: an existing, active account (not an administrator) becomes an agent. */
export async function addAgent(
  t: RecordsTransaction,
  deps: AppDeps,
  actor: Actor,
  input: { email: string; tier: Tier; languages: readonly Language[] },
): Promise<User> {
  requireRole(actor.user, ['admin'], '`admin agent add`');
  const target = await userByEmail(t, input.email);
  if (target.role === 'admin')
    throw new AppError('FORBIDDEN', `${input.email} is an administrator; administrators are not agents`, { hint: 'use a separate account for support work' });
  if (target.status !== 'active') throw new AppError('NOT_ACTIVATED', `the account ${input.email} is not activated yet`);
  const changed: User = { ...target, role: 'agent', agent: { tier: input.tier, languages: [...input.languages] } };
  t.users.put(changed);
  t.audit({
    at: deps.now().toISOString(),
    type: 'agent.added',
    actor: actor.user.id,
    subject: target.id,
    details: { tier: input.tier, languages: input.languages.join(','), wasAgent: target.role === 'agent' },
  });
  return changed;
}
