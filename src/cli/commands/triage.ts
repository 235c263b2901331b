// agent triage: the full-screen triage console on a terminal (src/cli/triage-console.ts). Every
// key that changes something runs the same use-case as the matching `ticket`/`agent` command, in
// its own short transaction that first checks the ticket is still as the screen showed it; nothing
// is locked while the agent reads or types. Without a terminal it names those commands instead.

import type { Command } from '@commander-js/extra-typings';
import { assignAsAgent, escalateAsAgent, mergeAsAgent, noteAsAgent, replyAsAgent, replyWithMacro, setStatusAsAgent, updateAsAgent } from '../../app/agent.js';
import { changeLock } from '../../app/customer-account.js';
import type { Actor } from '../../app/authenticate.js';
import { refund } from '../../app/refunds.js';
import { assertUnchanged, triagePanel, triageQueue, type SeenVersion, type TriagePanel } from '../../app/triage.js';
import { requireRole } from '../../domain/accounts.js';
import { AppError } from '../../domain/errors.js';
import { normalizeEmail } from '../../domain/validate.js';
import { validateBody, validateReason } from '../../domain/ticket-input.js';
import { type Tier } from '../../domain/ticket-record.js';
import type { RecordsTransaction } from '../../store/store.js';
import { sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, subcommand, type App } from '../command-builder.js';
import { filterOptions, parseSelection } from '../ticket-filters.js';
import { actAs, auditedLookAs, lookAs } from '../signed-in.js';
import { runConsole } from '../triage-console.js';
import type { TriageAction, TriageDesk } from '../triage-desk.js';
import { draftText, editInEditor } from '../triage-editor.js';

const INSTEAD =
  'use `okpay agent queue`, `okpay ticket show N`, `okpay ticket reply N --body …` (or --faq ID, --macro NAME), `okpay ticket note N`, `okpay ticket assign N`, `okpay ticket escalate N --tier T`, `okpay ticket set N --priority P` (or --category C), `okpay ticket merge N --into M`, `okpay ticket resolve N` and `okpay ticket close N`';

export function registerTriage(agent: Command, app: App): void {
  const command = filterOptions(
    subcommand(agent, 'triage', 'the full-screen triage console: the queue, the selected ticket and a key for every move (needs a terminal)'),
    'urgency',
  );
  examples(command, ['okpay agent triage', 'okpay agent triage --assignee @me', 'okpay agent triage --breaching']);
  action(app, command, async (ctx, o) => {
    const selection = parseSelection(o, 'urgency');
    if (!ctx.io.stdinIsTTY || !ctx.io.stdoutIsTTY) throw new AppError('USAGE', '`agent triage` is interactive and needs a terminal', { hint: INSTEAD });
    const token = await sessionToken(ctx);
    const agent = await lookAs(ctx, token, {}, async (_t, actor) => actor.user);
    requireRole(agent, ['agent'], '`agent triage`');
    const looked = new Set<number>();
    const access = { roles: ['agent' as const], what: '`agent triage`' };
    const asAgent = <T>(work: (t: RecordsTransaction, actor: Actor) => Promise<T>) => actAs(ctx, token, access, work);
    const desk: TriageDesk = {
      // The queue and a ticket looked at again only read; the first look at a ticket is audited (a write).
      queue: () => lookAs(ctx, token, access, (t, actor) => triageQueue(t, ctx, actor, selection)),
      panel: async (number) => {
        const firstLook = !looked.has(number);
        const look = (t: RecordsTransaction, actor: Actor) => triagePanel(t, ctx, actor, number, firstLook);
        const panel = firstLook
          ? await auditedLookAs(ctx, token, access, 'a first look at a ticket in `agent triage`', look)
          : await lookAs(ctx, token, access, look);
        looked.add(number);
        return panel;
      },
      act: (seen, move) =>
        asAgent(async (t, actor) => {
          await assertUnchanged(t, seen);
          return perform(t, ctx, actor, seen, move);
        }),
      editor: ctx.env.editor === undefined ? null : (draft) => editInEditor(ctx.env.editor ?? '', draft),
      draft: draftOf,
    };
    const actions = await runConsole(desk);
    if (actions < 0) throw new AppError('INTERRUPTED', 'triage interrupted; every action before Ctrl-C was saved, none was half-done');
    ctx.out.success(`Triage ended after ${actions} action(s).`);
  });
}

/** The editor's starting text: the customer's language, how to cancel, and the best FAQ answer. */
function draftOf(panel: TriagePanel, kind: 'reply' | 'note'): string {
  const ticket = panel.detail.ticket;
  const header = [
    `${kind === 'reply' ? 'Reply to' : 'Internal note on'} ticket #${ticket.number}: ${ticket.subject}`,
    `Customer's language: ${ticket.language}`,
    'Lines starting with # are left out; an empty text cancels.',
  ];
  const best = panel.suggestions[0];
  return draftText(
    kind === 'reply' && best ? [...header, `Suggested FAQ answer below: ${best.id}`] : header,
    kind === 'reply' && best ? `${best.title}\n\n${best.body}` : '',
  );
}

async function perform(t: RecordsTransaction, ctx: Context, actor: Actor, seen: SeenVersion, move: TriageAction): Promise<string> {
  const number = seen.number;
  switch (move.kind) {
    case 'reply': {
      const updated = await replyAsAgent(t, ctx, actor, number, { body: move.body === null ? null : validateBody(move.body), faqId: move.faqId, status: null });
      return `#${number}: ${move.faqId === null ? 'answer' : `FAQ answer "${move.faqId}"`} sent; it is ${updated.status}.`;
    }
    case 'macro': {
      const updated = await replyWithMacro(t, ctx, actor, number, { macro: move.name, status: null });
      return `#${number}: saved reply "${move.name}" sent; it is ${updated.status}.`;
    }
    case 'note':
      await noteAsAgent(t, ctx, actor, number, validateBody(move.body));
      return `#${number}: note added.`;
    case 'assign': {
      const to = move.to === 'me' ? actor.user.email : move.to === 'auto' ? null : normalizeEmail(move.to.email);
      const { assignee } = await assignAsAgent(t, ctx, actor, number, to);
      return `#${number} assigned to ${assignee.email}.`;
    }
    case 'priority':
      return `#${number} is now ${(await updateAsAgent(t, ctx, actor, number, { priority: move.priority })).priority}.`;
    case 'category':
      return `#${number} is now in ${(await updateAsAgent(t, ctx, actor, number, { category: move.category })).category}.`;
    case 'merge':
      await mergeAsAgent(t, ctx, actor, number, move.into);
      return `#${number} was merged into #${move.into}.`;
    case 'status': {
      const updated =
        move.to === 'solved' || move.to === 'closed'
          ? await setStatusAsAgent(t, ctx, actor, number, move.to, move.to === 'solved' ? 'resolve' : 'close')
          : await updateAsAgent(t, ctx, actor, number, { status: move.to });
      return `#${number} is ${updated.status}.`;
    }
    case 'escalate':
      return escalate(t, ctx, actor, number);
    case 'refund': {
      const done = await refund(t, ctx, actor, { txText: move.txId, ticketNumber: number, reason: null });
      return done.view === null
        ? `#${number}: refund of ${done.of} waits for a second agent's approval.`
        : `#${number}: ${done.of} refunded (${done.view.id}).`;
    }
    case 'lock':
      await changeLock(t, ctx, actor, 'lock', { email: move.email, reason: validateReason(move.reason), ticket: number });
      return `#${number}: ${move.email} is locked.`;
  }
}

async function escalate(t: RecordsTransaction, ctx: Context, actor: Actor, number: number): Promise<string> {
  const current = (await t.tickets.get(number))?.tier ?? 3;
  if (current >= 3) return `#${number} is already with a manager (tier 3).`;
  const tier = (current + 1) as Tier;
  const updated = await escalateAsAgent(t, ctx, actor, number, { tier, reason: null });
  return `#${number} is now at tier ${updated.tier}.`;
}
