// What an agent does to a ticket, each as one atomic, audited change that mails the customer
// when they should hear about it: shared by the `ticket …` commands and `agent triage`.

import { AppError } from '../../domain/errors.js';
import { findArticle, localizeArticle } from '../../domain/faq.js';
import type { OutgoingMail } from '../../domain/mail.js';
import type { User } from '../../domain/state.js';
import { ticketReplyMail, ticketStatusMail } from '../../domain/ticket-mails.js';
import {
  addAgentReply,
  addNote,
  assignTicket,
  changeStatus,
  escalateTicket,
  mergeTickets,
  pickAgent,
  requireTicket,
  setPriority,
  setTags,
  type Priority,
  type Ticket,
  type TicketStatus,
  type Tier,
} from '../../domain/tickets.js';
import type { AuditValue } from '../../domain/audit.js';
import { normalizeEmail } from '../../domain/validate.js';
import type { StoreTransaction } from '../../store/store.js';
import { audit, authenticate } from '../auth.js';
import type { Context } from '../context.js';
import { faqArticles } from './ticket-kit.js';

interface AgentWork<R> {
  (t: StoreTransaction, agent: User, ticket: Ticket, nowIso: string): R | Promise<R>;
}

/** One transaction as a signed-in agent, on an existing ticket. */
function asAgent<R>(ctx: Context, token: string | null, number: number, what: string, work: AgentWork<R>): Promise<R> {
  return ctx.store.transaction((t) => {
    const { user: agent } = authenticate(ctx, t, token, { roles: ['agent'], what });
    return work(t, agent, requireTicket(t.state, number), ctx.now().toISOString());
  });
}

function mailCustomer(ctx: Context, t: StoreTransaction, ticket: Ticket, make: (customer: User) => OutgoingMail): void {
  const customer = t.state.users[ticket.customerId];
  if (customer) t.mail(make(customer), ctx.now().toISOString());
}

function mailStatusChange(ctx: Context, t: StoreTransaction, before: Ticket, after: Ticket): void {
  if (after.status !== before.status && after.status !== 'new') {
    const to = after.status;
    mailCustomer(ctx, t, after, (customer) => ticketStatusMail(customer, after, to));
  }
}

function auditTicket(ctx: Context, t: StoreTransaction, type: string, agent: User, ticket: Ticket, details: Record<string, AuditValue> = {}): void {
  audit(ctx, t, type, agent.id, ticket.customerId, { ticket: ticket.number, ...details });
}

export interface ReplyInput {
  readonly body: string | null;
  readonly faqId: string | null;
  readonly status: TicketStatus | null;
}

/** A public answer (typed, or an FAQ article in the ticket's language); mails it to the customer. */
export function replyAsAgent(ctx: Context, token: string | null, number: number, input: ReplyInput): Promise<Ticket> {
  return asAgent(ctx, token, number, '`ticket reply` for an agent', (t, agent, ticket, nowIso) => {
    const body = input.body ?? faqBody(ctx, input.faqId, ticket);
    const updated = addAgentReply(t.state, ticket, agent, { body, faqId: input.faqId, status: input.status }, nowIso);
    mailCustomer(ctx, t, updated, (customer) => ticketReplyMail(customer, updated, body));
    auditTicket(ctx, t, 'ticket.reply', agent, updated, { faq: input.faqId, status: updated.status });
    return updated;
  });
}

function faqBody(ctx: Context, faqId: string | null, ticket: Ticket): string {
  if (faqId === null) throw new AppError('USAGE', 'the reply has no text', { hint: 'pass --body TEXT, --body-file FILE or --faq ID' });
  const article = localizeArticle(findArticle(faqArticles(ctx), faqId), ticket.language);
  return `${article.title}\n\n${article.body}`;
}

export function noteAsAgent(ctx: Context, token: string | null, number: number, body: string): Promise<Ticket> {
  return asAgent(ctx, token, number, '`ticket note`', (t, agent, ticket, nowIso) => {
    const updated = addNote(t.state, ticket, agent, body, nowIso);
    auditTicket(ctx, t, 'ticket.note', agent, updated);
    return updated;
  });
}

/** To the named agent, or to the least-loaded agent who speaks the language at the right tier. */
export function assignAsAgent(ctx: Context, token: string | null, number: number, toEmail: string | null): Promise<{ ticket: Ticket; assignee: User }> {
  const email = toEmail === null ? null : normalizeEmail(toEmail);
  return asAgent(ctx, token, number, '`ticket assign`', async (t, agent, ticket, nowIso) => {
    const assignee = email === null ? pickAgent(t.state, ticket) : await t.users.byEmail(email);
    if (!assignee) {
      if (email !== null) throw new AppError('USER_NOT_FOUND', `no account uses ${email}`);
      throw new AppError('NOT_FOUND', `no available agent of tier ${ticket.tier} or higher speaks ${ticket.language}`, { hint: 'choose one with --to EMAIL, or add one with `okpay admin agent add`' });
    }
    const updated = assignTicket(t.state, ticket, assignee, agent, nowIso);
    auditTicket(ctx, t, 'ticket.assign', agent, updated, { to: assignee.id, picked: email === null });
    return { ticket: updated, assignee };
  });
}

export function escalateAsAgent(ctx: Context, token: string | null, number: number, tier: Tier | null, reason: string | null): Promise<Ticket> {
  return asAgent(ctx, token, number, '`ticket escalate --tier`', (t, agent, ticket, nowIso) => {
    const updated = escalateTicket(t.state, ticket, tier, agent, reason, nowIso);
    auditTicket(ctx, t, 'ticket.escalate', agent, updated, { from: ticket.tier, to: updated.tier, reason });
    return updated;
  });
}

export interface TicketChanges {
  readonly priority?: Priority;
  readonly tags?: readonly string[];
  readonly status?: TicketStatus;
}

export function updateAsAgent(ctx: Context, token: string | null, number: number, changes: TicketChanges): Promise<Ticket> {
  return asAgent(ctx, token, number, '`ticket set`', (t, agent, ticket, nowIso) => {
    let updated = ticket;
    if (changes.priority !== undefined) updated = setPriority(t.state, updated, changes.priority, agent, nowIso);
    if (changes.tags !== undefined) updated = setTags(t.state, updated, changes.tags, agent, nowIso);
    if (changes.status !== undefined && changes.status !== updated.status) updated = changeStatus(t.state, updated, changes.status, agent, nowIso);
    mailStatusChange(ctx, t, ticket, updated);
    auditTicket(ctx, t, 'ticket.update', agent, updated, { priority: changes.priority ?? null, tags: changes.tags?.join(',') ?? null, status: changes.status ?? null });
    return updated;
  });
}

/** resolve (→ solved), close (→ closed), reopen (→ open). */
export function setStatusAsAgent(ctx: Context, token: string | null, number: number, to: TicketStatus, verb: string): Promise<Ticket> {
  return asAgent(ctx, token, number, `\`ticket ${verb}\``, (t, agent, ticket, nowIso) => {
    const updated = changeStatus(t.state, ticket, to, agent, nowIso);
    mailStatusChange(ctx, t, ticket, updated);
    auditTicket(ctx, t, `ticket.${verb}`, agent, updated, { from: ticket.status, to });
    return updated;
  });
}

export function mergeAsAgent(ctx: Context, token: string | null, number: number, into: number): Promise<{ source: Ticket; target: Ticket }> {
  return asAgent(ctx, token, number, '`ticket merge`', (t, agent, ticket, nowIso) => {
    const result = mergeTickets(t.state, ticket, requireTicket(t.state, into), agent, nowIso);
    mailStatusChange(ctx, t, ticket, result.source);
    auditTicket(ctx, t, 'ticket.merge', agent, result.source, { into });
    return result;
  });
}
