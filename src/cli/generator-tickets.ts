// The tickets of a generated store: each status in turn, with replies, notes, escalations,
// ratings and merges, each ticket's events running forward in time.

import { parseCalendars } from '../domain/calendar.js';
import { regionForCountry } from '../domain/support-regions.js';
import { type Language } from '../domain/language.js';
import { formatAmount } from '../domain/money.js';
import type { User } from '../domain/state.js';
import { saveTicket, slaOf } from '../app/desk.js';
import { requestEscalation } from '../domain/ticket-assignment.js';
import { TICKET_CATEGORIES } from '../domain/ticket-kinds.js';
import { ACTIVE_STATUSES, type Ticket, type TicketStatus } from '../domain/ticket-record.js';
import { addAgentReply, addCustomerReply, addNote, changeStatus, mergeTickets, openTicket, rateTicket } from '../domain/tickets.js';
import { DAY_MS, HOUR_MS, major, type Generation, type Person } from './generation.js';

export class GeneratedTickets {
  constructor(private readonly g: Generation) {}

  async createTickets(): Promise<void> {
    const statuses: TicketStatus[] = ['new', 'open', 'pending', 'on-hold', 'solved', 'closed', 'merged'];
    const calendars = this.g.ctx.ref.load('calendars.json', parseCalendars);
    // Each merged ticket joins the last new one: same customer, opened a few hours before it.
    let lastNew: MergeTarget | null = null;
    for (let n = 1; n <= this.g.options.tickets; n += 1) {
      const target = statuses[(n - 1) % statuses.length] ?? 'open';
      const into: MergeTarget | null = target === 'merged' ? lastNew : null;
      this.g.clockMs = into ? into.atMs - 6 * HOUR_MS : this.g.anchorMs - storyMs(target) - this.g.prng.int(1, 30 * 24) * HOUR_MS;
      const person: Person = into ? into.person : this.g.prng.pick(this.g.people);
      const customer = await this.g.user(person.id);
      const category = TICKET_CATEGORIES[(n - 1) % TICKET_CATEGORIES.length] ?? 'account';
      const language = customer.language ?? 'en';
      const [subject, body] = this.ticketText(category, language, n, person);
      const region = regionForCountry(calendars, customer.country);
      const tx = category === 'dispute' ? this.g.firstTransferOf.get(customer.id) : undefined;
      const input = {
        customer,
        category,
        subject,
        body,
        channel: this.g.prng.pick(['email', 'chat', 'phone', 'social'] as const),
        language,
        regionId: region.id,
        txId: tx?.id ?? null,
      };
      const opened = openTicket(input, await this.recentTickets(customer.id), () => this.g.t.tickets.nextNumber(), this.g.support, this.g.clockMs);
      this.keep(opened.ticket);
      if (target === 'new') lastNew = { person, number: opened.ticket.number, atMs: this.g.clockMs };
      await this.advanceTicket(opened.ticket, target, customer, into);
    }
  }

  /** The customer's latest tickets, which a new one could repeat. */
  private async recentTickets(customerId: string): Promise<Ticket[]> {
    const page = await this.g.t.tickets.ofCustomer(customerId, null, { limit: 20, offset: 0 });
    const tickets: Ticket[] = [];
    for (const summary of page.items) {
      const ticket = await this.g.t.tickets.get(summary.number);
      if (ticket) tickets.push(ticket);
    }
    return tickets.sort((a, b) => a.number - b.number);
  }

  private ticketText(category: string, language: Language, n: number, person: Person): [string, string] {
    const [subject, body] = this.g.data.tickets[category]?.[language] ?? this.g.data.tickets['account']?.['en'] ?? ['Question', 'Please help.'];
    const amount = `${formatAmount(major(person.currency, this.g.prng.int(20, 900)), person.currency)} ${person.currency.code}`;
    const fill = (text: string) =>
      text
        .replace('{n}', String(n))
        .replace('{amount}', amount)
        .replace('{date}', new Date(this.g.clockMs - 3 * DAY_MS).toISOString().slice(0, 10))
        .replace('{tx}', 'txn_0000000001');
    return [fill(subject), fill(body)];
  }

  private later(minutes: number): string {
    this.g.clockMs += minutes * 60 * 1000;
    return this.g.nowIso;
  }

  /** A ticket is stored with its summary once its story is told (or at each step that needs it stored). */
  private keep(ticket: Ticket): Ticket {
    return saveTicket(this.g.t, this.g.ctx.ref, ticket);
  }

  private async advanceTicket(opened: Ticket, target: TicketStatus, customer: User, into: MergeTarget | null): Promise<void> {
    if (target === 'new') return;
    const agent = this.g.agents.find((a) => a.agent?.languages.includes(opened.language) && (a.agent?.tier ?? 0) >= opened.tier) ?? this.g.agents[0];
    if (!agent) return;
    const nextNumber = () => this.g.t.tickets.nextNumber();
    let ticket = addAgentReply(
      opened,
      agent,
      { body: this.g.data.agentReplies[opened.language], faqId: null, status: null },
      this.later(this.g.prng.int(20, 300)),
    );
    if (this.g.prng.chance(0.3)) ticket = addNote(ticket, agent, 'Checked the ledger; nothing unusual.', this.later(5));
    if (target === 'open' && this.g.prng.chance(0.3))
      ticket = requestEscalation(ticket, customer, 'I would like to speak to a manager.', this.g.prng.chance(0.5), this.later(60));
    if (target === 'pending' || target === 'on-hold') ticket = changeStatus(ticket, target, agent, this.later(10));
    if (target === 'solved' || target === 'closed') {
      ticket = changeStatus(ticket, 'solved', agent, this.later(30));
      if (this.g.prng.chance(0.5)) {
        const score = this.g.prng.int(1, 5);
        const rated = rateTicket(ticket, customer, score, score <= 2 ? 'It took too long.' : null, nextNumber, this.later(120));
        for (const changed of rated.changed) this.keep(changed);
        ticket = rated.ticket;
      }
      if (target === 'closed' && ticket.status === 'solved') ticket = changeStatus(ticket, 'closed', agent, this.later(60 * 24 * 8));
    }
    this.keep(ticket);
    if (target === 'merged') await this.mergeInto(ticket, agent, customer, into);
  }

  private async mergeInto(ticket: Ticket, agent: User, customer: User, into: MergeTarget | null): Promise<void> {
    const earlier = into ? await this.g.t.tickets.get(into.number) : null;
    if (!into || !earlier || !ACTIVE_STATUSES.includes(earlier.status) || (agent.agent?.tier ?? 0) < Math.max(earlier.tier, ticket.tier)) {
      for (const changed of addCustomerReply(ticket, customer, 'Any news?', () => this.g.t.tickets.nextNumber(), this.later(60)).changed) this.keep(changed);
      return;
    }
    // Merged once both tickets exist, so that each ticket's event log runs forward in time.
    this.g.clockMs = Math.max(this.g.clockMs, into.atMs) + 15 * 60 * 1000;
    const merged = mergeTickets(ticket, earlier, agent, this.g.nowIso, slaOf(this.g.ctx.ref, ticket, this.g.clockMs).current);
    this.keep(merged.source);
    this.keep(merged.target);
  }
}

interface MergeTarget {
  readonly person: Person;
  readonly number: number;
  readonly atMs: number;
}

/** How long before now a ticket must open for its whole story (replies, rating, closing) to fit. */
function storyMs(target: TicketStatus): number {
  if (target === 'new') return 0;
  return 8 * HOUR_MS + (target === 'closed' ? 8 * DAY_MS : 0);
}
