// What the triage console (`agent triage` on a terminal) reads, and the guard that keeps its
// actions from overwriting what another agent changed since the screen showed it. The actions
// themselves are the `ticket`/`agent` use-cases (agent.ts, refunds.ts); nothing here decides a rule.

import { requireRole } from '../domain/accounts.js';
import { AppError } from '../domain/errors.js';
import { searchFaq } from '../domain/faq.js';
import type { KycStatus, User } from '../domain/state.js';
import type { Ticket } from '../domain/ticket-record.js';
import type { RecordsTransaction } from '../store/store.js';
import { agentQueue, whyTicket, type AgentQueue, type WhyResult } from './agent.js';
import type { Actor } from './authenticate.js';
import { faqArticles, findTicket, macros, type TicketSelection } from './desk.js';
import type { AppDeps } from './ports.js';
import { showTicket, ticketDetail, type TicketDetail } from './tickets.js';

/** How many tickets the console lists at most; the queue command pages beyond that. */
export const CONSOLE_QUEUE_LIMIT = 200;

/** What the screen showed of a ticket: an action is refused when the ticket moved on since. */
export interface SeenVersion {
  readonly number: number;
  readonly updatedAt: string;
  readonly events: number;
}

export interface FaqSuggestion {
  readonly id: string;
  readonly title: string;
  readonly body: string;
}

export interface TriageCustomer {
  readonly email: string;
  readonly name: string | null;
  readonly locked: boolean;
  readonly lockReason: string | null;
  readonly kyc: KycStatus;
}

/** An agent the ticket can be handed to (the console lists them when assigning). */
export interface TriageAgent {
  readonly email: string;
  readonly tier: number;
  readonly languages: readonly string[];
}

/** A saved reply (data/macros/) in the ticket's language. */
export interface TriageMacro {
  readonly name: string;
  readonly title: string;
}

export interface TriagePanel {
  readonly detail: TicketDetail;
  readonly customer: TriageCustomer | null;
  readonly why: WhyResult;
  readonly suggestions: readonly FaqSuggestion[];
  readonly agents: readonly TriageAgent[];
  readonly macros: readonly TriageMacro[];
  readonly seen: SeenVersion;
}

export function versionOf(ticket: Ticket): SeenVersion {
  return { number: ticket.number, updatedAt: ticket.updatedAt, events: ticket.events.length };
}

/** The queue as `agent queue` gives it, with the same filters. */
export function triageQueue(t: RecordsTransaction, deps: AppDeps, actor: Actor, selection: TicketSelection): Promise<AgentQueue> {
  return agentQueue(t, deps, actor, { selection, limit: CONSOLE_QUEUE_LIMIT });
}

function customerOf(user: User | null): TriageCustomer | null {
  if (!user) return null;
  return { email: user.email, name: user.name, locked: user.lock !== null, lockReason: user.lock?.reason ?? null, kyc: user.kyc.status };
}

/** The agents of the ticket's tier or above, other than its customer, speakers of its language first. */
async function agentsFor(t: RecordsTransaction, ticket: Ticket): Promise<TriageAgent[]> {
  const agents = (await t.users.staff()).flatMap((user) =>
    user.agent === null || user.role !== 'agent' || user.id === ticket.customerId || user.agent.tier < ticket.tier
      ? []
      : [{ email: user.email, tier: user.agent.tier, languages: user.agent.languages }],
  );
  const speaks = (agent: TriageAgent) => (agent.languages.includes(ticket.language) ? 0 : 1);
  return agents.sort((a, b) => speaks(a) - speaks(b) || a.tier - b.tier || (a.email < b.email ? -1 : 1));
}

/** FAQ articles that match the ticket, in its language. */
export function faqSuggestions(deps: AppDeps, ticket: Ticket, limit = 5): FaqSuggestion[] {
  const query = `${ticket.subject}\n${ticket.messages[0]?.body ?? ''}`;
  return searchFaq(faqArticles(deps.ref), query, ticket.language, limit).map(({ article }) => ({ id: article.id, title: article.title, body: article.body }));
}

/**
 * The selected ticket with its customer, `ticket why` and FAQ suggestions. The first look at a
 * ticket in a session is audited like `ticket show`; looking again while moving through the queue is not.
 */
export async function triagePanel(t: RecordsTransaction, deps: AppDeps, actor: Actor, number: number, firstLook: boolean): Promise<TriagePanel> {
  requireRole(actor.user, ['agent'], '`agent triage`');
  const detail = firstLook ? await showTicket(t, deps, actor, number) : await ticketDetail(t, deps, await findTicket(t, number), 'agent', deps.now().getTime());
  const customer = customerOf(await t.users.get(detail.ticket.customerId));
  return {
    detail,
    customer,
    why: await whyTicket(t, deps, actor, number),
    suggestions: faqSuggestions(deps, detail.ticket),
    agents: await agentsFor(t, detail.ticket),
    macros: [...macros(deps.ref)[detail.ticket.language].values()].map(({ name, title }) => ({ name, title })),
    seen: versionOf(detail.ticket),
  };
}

/** Refuses an action on a ticket that changed since the screen showed it (in the action's own transaction). */
export async function assertUnchanged(t: RecordsTransaction, seen: SeenVersion): Promise<void> {
  const now = versionOf(await findTicket(t, seen.number));
  if (now.updatedAt !== seen.updatedAt || now.events !== seen.events) {
    throw new AppError('INVALID_TRANSITION', `ticket #${seen.number} changed since it was shown (someone else worked on it); nothing was done`, {
      hint: 'look at it again (the screen now shows it as it is) and repeat the action if it still fits',
    });
  }
}
