// `okpay ticket import`: one customer mail, already judged (domain/inbound-mail.ts), becomes a
// ticket on the email channel or a reply on the ticket it answers, inside one store transaction:
// the ticket, its Message-ID (imported once) and the audit entry are written together or not at all.

import type { AcceptedMail } from '../domain/inbound-mail.js';
import type { FollowUpWay } from '../domain/tickets.js';
import type { User } from '../domain/state.js';
import type { RecordsTransaction } from '../store/store.js';
import type { Actor } from './authenticate.js';
import type { AppDeps } from './ports.js';
import { openTicketFor, replyAsCustomer } from './tickets.js';

export type ImportOutcome =
  | { readonly outcome: 'opened' | 'duplicate-request'; readonly ticket: number }
  | {
      readonly outcome: 'replied';
      readonly ticket: number;
      readonly threadedBy: 'message-id' | 'subject-tag';
      readonly followUpOf: number | null;
      readonly followUp: FollowUpWay | null;
    }
  /** The same Message-ID was imported before: nothing was written. */
  | { readonly outcome: 'already-imported'; readonly ticket: number }
  /** No customer account has the sender's address: nothing was written; the mail can be imported once they have one. */
  | { readonly outcome: 'held'; readonly reason: string };

export async function importMail(t: RecordsTransaction, deps: AppDeps, actor: Actor, mail: AcceptedMail): Promise<ImportOutcome> {
  const before = await t.mailImports.get(mail.messageId);
  if (before !== null) return { outcome: 'already-imported', ticket: before.ticket };
  const customer = await t.users.byEmail(mail.from);
  if (customer === null || customer.role !== 'user') return { outcome: 'held', reason: `no customer account has the address ${mail.from}` };
  const nowIso = deps.now().toISOString();
  const thread = await threadOf(t, customer, mail);
  const result = thread === null ? await openFromMail(t, deps, customer, mail) : await replyFromMail(t, deps, customer, mail, thread);
  t.mailImports.put({ messageId: mail.messageId, ticket: result.ticket, importedAt: nowIso });
  t.audit({
    at: nowIso,
    type: 'ticket.mail-imported',
    actor: actor.user.id,
    subject: customer.id,
    details: { ticket: result.ticket, outcome: result.outcome, messageId: mail.messageId, neutralised: mail.neutralised.length },
  });
  return result;
}

interface Thread {
  readonly ticket: number;
  readonly by: 'message-id' | 'subject-tag';
}

/**
 * The customer's own ticket this mail answers: one named by a Message-ID it refers to, else by the
 * subject's tag. A reference to someone else's ticket is not followed (it opens a new ticket), so a
 * forged header never writes into another customer's conversation.
 */
async function threadOf(t: RecordsTransaction, customer: User, mail: AcceptedMail): Promise<Thread | null> {
  for (const id of mail.threadIds) {
    const earlier = await t.mailImports.get(id);
    if (earlier !== null && (await ownsTicket(t, customer, earlier.ticket))) return { ticket: earlier.ticket, by: 'message-id' };
  }
  if (mail.ticketTag !== null && (await ownsTicket(t, customer, mail.ticketTag))) return { ticket: mail.ticketTag, by: 'subject-tag' };
  return null;
}

async function ownsTicket(t: RecordsTransaction, customer: User, number: number): Promise<boolean> {
  return (await t.tickets.get(number))?.customerId === customer.id;
}

async function openFromMail(t: RecordsTransaction, deps: AppDeps, customer: User, mail: AcceptedMail): Promise<ImportOutcome & { ticket: number }> {
  const request = { category: mail.category, subject: mail.subject, body: mail.body, channel: 'email' as const, language: mail.language, tx: null };
  const { detail, duplicate } = await openTicketFor(t, deps, customer, request);
  return { outcome: duplicate ? 'duplicate-request' : 'opened', ticket: detail.ticket.number };
}

async function replyFromMail(
  t: RecordsTransaction,
  deps: AppDeps,
  customer: User,
  mail: AcceptedMail,
  thread: Thread,
): Promise<ImportOutcome & { ticket: number }> {
  const reply = await replyAsCustomer(t, deps, customer, thread.ticket, mail.body);
  return { outcome: 'replied', ticket: reply.detail.ticket.number, threadedBy: thread.by, followUpOf: reply.followUpOf, followUp: reply.followUp };
}
