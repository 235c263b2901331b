// Fixture tickets: opened as a customer opens one, then the entry's priority, assignee, messages,
// escalation, refund, status and rating, in that order and forward in time.

import { parseCalendars } from '../domain/calendar.js';
import { regionForCountry } from '../domain/support-regions.js';
import type { FixtureTicket } from '../domain/fixture-schemas.js';
import { planRefund } from '../domain/refunds.js';
import { refundBooks, refundRequest } from '../app/refunds.js';
import type { User } from '../domain/state.js';
import { parseSupport } from '../domain/support.js';
import { saveTicket, saveTickets } from '../app/desk.js';
import { assignTicket, requestEscalation } from '../domain/ticket-assignment.js';
import { parseCategory, parseChannel, parsePriority, parseStatus } from '../domain/ticket-input.js';
import type { Ticket } from '../domain/ticket-record.js';
import { addAgentReply, addCustomerReply, addNote, changeStatus, openTicket, rateTicket, requireTicket, setPriority } from '../domain/tickets.js';
import type { RecordsTransaction } from '../store/store.js';
import { parseLanguage } from '../domain/language.js';
import { at, atAsync, failAt, nowIso, post, resolve, userRef, type Loader } from './fixture-load-state.js';

export async function applyTicket(l: Loader, f: FixtureTicket): Promise<void> {
  const { ctx, t } = l;
  const support = ctx.ref.load('support.json', parseSupport);
  const customer = await userRef(l, f.where, 'customer', f.customer);
  const recent = await recentTicketsOf(t, customer);
  const when = nowIso(l, f.at);
  const region = regionForCountry(ctx.ref.load('calendars.json', parseCalendars), customer.country);
  const txId = f.tx === null ? null : resolve(l, f.tx);
  const opened = at(f.where, 'category', () =>
    openTicket(
      {
        customer,
        category: parseCategory(f.category),
        subject: resolve(l, f.subject),
        body: resolve(l, f.body),
        channel: f.channel === null ? 'email' : parseChannel(f.channel),
        language: f.language === null ? (customer.language ?? 'en') : parseLanguage(f.language),
        regionId: region.id,
        txId,
      },
      recent,
      () => t.tickets.nextNumber(),
      support,
      Date.parse(when),
    ),
  );
  let ticket = saveTicket(t, ctx.ref, opened.ticket);
  ticket = await ticketActions(l, f, ticket, customer, when);
  if (f.name) {
    l.tickets.set(f.name, ticket.number);
    l.values.set(f.name, { number: String(ticket.number) });
    l.ids[f.name] = ticket.number;
  }
}

/** A bound on the customer's tickets compared for a duplicate (fixtures hold a handful each). */
const RECENT_TICKETS_MAX = 200;

async function recentTicketsOf(t: RecordsTransaction, customer: User): Promise<Ticket[]> {
  const page = await t.tickets.ofCustomer(customer.id, null, { limit: RECENT_TICKETS_MAX, offset: 0 });
  const tickets: Ticket[] = [];
  for (const summary of page.items) tickets.push(requireTicket(await t.tickets.get(summary.number), summary.number));
  return tickets.sort((a, b) => a.number - b.number);
}

async function ticketActions(l: Loader, f: FixtureTicket, opened: Ticket, customer: User, when: string): Promise<Ticket> {
  const { t } = l;
  const keep = (changed: Ticket): Ticket => saveTicket(t, l.ctx.ref, changed);
  const nextNumber = () => t.tickets.nextNumber();
  let ticket = opened;
  // Whatever follows the messages (escalation, refund, status, rating) happens after the last of
  // them, so that the ticket's event log, from which its SLA is derived, runs forward in time.
  let latest = when;
  const agentOf = async (text: string, field: string) => {
    const agent = await userRef(l, f.where, field, text);
    return agent.role === 'agent' ? agent : failAt(f.where, field, `${agent.email} is not an agent`);
  };
  if (f.priority) ticket = at(f.where, 'priority', () => keep(setPriority(ticket, parsePriority(f.priority ?? ''), customer, when)));
  if (f.assignee) {
    const agent = await agentOf(f.assignee, 'assignee');
    ticket = at(f.where, 'assignee', () => keep(assignTicket(ticket, agent, agent, when)));
  }
  for (const [i, m] of f.messages.entries()) {
    const field = `messages[${i}]`;
    const stamp = m.at === null ? latest : nowIso(l, m.at);
    if (stamp < latest) failAt(f.where, `${field}.at`, `${stamp} is before ${i === 0 ? 'the ticket was opened' : 'the message above it'} (${latest})`);
    latest = stamp;
    if (m.from === 'customer') {
      ticket = at(f.where, field, () => {
        const reply = addCustomerReply(ticket, customer, resolve(l, m.body), nextNumber, stamp);
        saveTickets(t, l.ctx.ref, reply.changed);
        return reply.ticket;
      });
    } else {
      const agent = await agentOf(m.from, `${field}.from`);
      ticket = at(f.where, field, () =>
        keep(
          m.internal
            ? addNote(ticket, agent, resolve(l, m.body), stamp)
            : addAgentReply(ticket, agent, { body: resolve(l, m.body), faqId: null, status: null }, stamp),
        ),
      );
    }
  }
  if (f.escalation) ticket = at(f.where, 'escalation', () => keep(requestEscalation(ticket, customer, resolve(l, f.escalation ?? ''), false, latest)));
  if (f.refund) ticket = await fixtureRefund(l, f, ticket, await agentOf(f.refund.agent, 'refund.agent'), latest);
  if (f.status && f.status !== ticket.status) {
    const status = at(f.where, 'status', () => parseStatus(f.status ?? ''));
    const agent = ticket.assigneeId ? await t.users.get(ticket.assigneeId) : null;
    ticket = at(f.where, 'status', () => keep(changeStatus(ticket, status, agent, latest)));
  }
  if (f.rating) {
    ticket = at(f.where, 'rating', () => {
      const rated = rateTicket(ticket, customer, f.rating?.score ?? 5, f.rating?.comment ?? null, nextNumber, latest);
      saveTickets(t, l.ctx.ref, rated.changed);
      return rated.ticket;
    });
  }
  return requireTicket(await t.tickets.get(ticket.number), ticket.number);
}

async function fixtureRefund(l: Loader, f: FixtureTicket, ticket: Ticket, agent: User, when: string): Promise<Ticket> {
  const { t } = l;
  const original =
    [...l.transfers.values()].find((tx) => tx.id === ticket.txId) ??
    failAt(f.where, 'refund', 'a refund needs the ticket’s tx to be a transfer defined earlier in the fixtures');
  const request = await refundRequest(t, original, agent, ticket, 'refund of a disputed payment', when);
  const books = await refundBooks(t, original);
  await atAsync(f.where, 'refund', () => post(l, planRefund(request, books, l.ctx.ref.currencies)));
  return requireTicket(await t.tickets.get(ticket.number), ticket.number);
}
