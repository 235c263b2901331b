// The steps every `ticket` verb shares: who is asking, the ticket number argument, and a ticket
// shown after a change (an agent's change runs in one transaction and shows the ticket as agents see it).

import { agentView } from '../app/agent.js';
import type { Actor } from '../app/authenticate.js';
import type { TicketDetail } from '../app/tickets.js';
import type { User } from '../domain/state.js';
import { parseTicketNumber } from '../domain/ticket-input.js';
import type { Ticket } from '../domain/ticket-record.js';
import type { RecordsTransaction } from '../store/store.js';
import { sessionToken } from './auth.js';
import type { Context } from './context.js';
import { actAs, lookAs } from './signed-in.js';
import { printTicket, ticketDocument } from './ticket-output.js';

/** Who is asking, read without the store lock (before any prompt). */
export async function whoIsAsking(ctx: Context): Promise<{ token: string | null; user: User }> {
  const token = await sessionToken(ctx);
  const user = await lookAs(ctx, token, {}, async (_t, actor) => actor.user);
  return { token, user };
}

export function numberArg(args: string[]): number {
  return parseTicketNumber(args[0] ?? '');
}

export function shown(ctx: Context, detail: TicketDetail, extra: Record<string, unknown> = {}) {
  return { document: { ticket: ticketDocument(detail), ...extra }, print: () => printTicket(ctx, detail) };
}

/** An agent's change in one transaction, then the ticket as the agent sees it, with a message. */
export async function asAgent(
  ctx: Context,
  token: string | null,
  what: string,
  change: (t: RecordsTransaction, actor: Actor) => Promise<Ticket>,
  message: (ticket: Ticket) => string,
): Promise<void> {
  const { updated, detail } = await actAs(ctx, token, { roles: ['agent'], what }, async (t, actor) => {
    const updated = await change(t, actor);
    return { updated, detail: await agentView(t, ctx, updated) };
  });
  const view = shown(ctx, detail);
  ctx.out.data(view.document, () => {
    ctx.out.success(message(updated));
    view.print();
  });
}
