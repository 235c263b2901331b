// agent triage: an interactive loop for a terminal. It shows the most urgent ticket the agent may
// work on and offers the usual moves — reply (typed or an FAQ answer), note, assign, escalate,
// set priority, resolve, skip, quit — all from the keyboard. Each move is one short transaction;
// nothing is locked while the agent reads or types.

import type { Command } from '@commander-js/extra-typings';
import { assignAsAgent, escalateAsAgent, nextTriageTicket, noteAsAgent, replyAsAgent, setStatusAsAgent, updateAsAgent, type TriageTicket } from '../../app/agent.js';
import type { Actor } from '../../app/authenticate.js';
import { requireRole } from '../../domain/accounts.js';
import { AppError, isAppError } from '../../domain/errors.js';
import { searchFaq } from '../../domain/faq.js';
import { PRIORITIES, validateBody, validateReason, type Priority, type Tier } from '../../domain/tickets.js';
import { normalizeEmail } from '../../domain/validate.js';
import type { RecordsTransaction } from '../../store/store.js';
import { sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, subcommand, type App } from '../command-builder.js';
import { inquirer, interrupted, type Inquirer } from '../prompts.js';
import { faqArticles } from '../desk-data.js';
import { actAs } from '../signed-in.js';
import { printTicket } from '../ticket-output.js';

type Move = 'reply' | 'faq' | 'note' | 'assign' | 'escalate' | 'priority' | 'resolve' | 'skip' | 'quit';

const MAX_ROUNDS = 1000;

const INSTEAD =
  'use `okpay agent queue`, `okpay ticket show N`, `okpay ticket reply N --body …` (or --faq ID), `okpay ticket note N`, `okpay ticket assign N`, `okpay ticket escalate N --tier T`, `okpay ticket set N --priority P` and `okpay ticket resolve N`';

export function registerTriage(agent: Command, app: App): void {
  const command = subcommand(agent, 'triage', 'work through the queue interactively, most urgent ticket first (needs a terminal)');
  examples(command, ['okpay agent triage']);
  action(app, command, async (ctx) => {
    if (!ctx.io.stdinIsTTY || !ctx.io.stdoutIsTTY) throw new AppError('USAGE', '`agent triage` is interactive and needs a terminal', { hint: INSTEAD });
    const token = await sessionToken(ctx);
    const agent = await actAs(ctx, token, {}, async (_t, actor) => actor.user);
    requireRole(agent, ['agent'], '`agent triage`');
    const prompts = await inquirer();
    await triageLoop(ctx, prompts, token);
  });
}

function nextTicket(ctx: Context, token: string | null, skipped: ReadonlySet<number>): Promise<TriageTicket | null> {
  return actAs(ctx, token, { roles: ['agent'], what: '`agent triage`' }, (t, actor) => nextTriageTicket(t, ctx, actor, skipped));
}

/** One move of the loop: a short transaction as the signed-in agent. */
function asAgent<T>(ctx: Context, token: string | null, what: string, work: (t: RecordsTransaction, actor: Actor) => Promise<T>): Promise<T> {
  return actAs(ctx, token, { roles: ['agent'], what }, work);
}

async function triageLoop(ctx: Context, prompts: Inquirer, token: string | null): Promise<void> {
  const skipped = new Set<number>();
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const next = await nextTicket(ctx, token, skipped);
    if (next === null) {
      ctx.out.success(skipped.size > 0 ? `Nothing left but the ${skipped.size} ticket(s) you skipped.` : 'The queue is clear.');
      return;
    }
    ctx.out.line();
    ctx.out.line(ctx.out.style.cyan(`── urgency ${next.entry.urgency.score} ${'─'.repeat(50)}`));
    printTicket(ctx, next.detail);
    ctx.out.line();
    // Ctrl-C at any question ends triage with exit 130; the move it interrupted saved nothing.
    const move = await chooseMove(prompts, next.entry.ticket.number).catch(interrupted);
    if (move === 'quit') return;
    if (move === 'skip') {
      skipped.add(next.entry.ticket.number);
      continue;
    }
    await perform(ctx, prompts, token, next, move);
  }
}

function chooseMove(prompts: Inquirer, number: number): Promise<Move> {
  return prompts.select<Move>({
    message: `Ticket #${number} — what now? (arrows or the number, then Enter)`,
    choices: [
      { name: '1. Reply', value: 'reply' },
      { name: '2. Reply with an FAQ answer', value: 'faq' },
      { name: '3. Internal note', value: 'note' },
      { name: '4. Assign', value: 'assign' },
      { name: '5. Escalate', value: 'escalate' },
      { name: '6. Set priority', value: 'priority' },
      { name: '7. Resolve', value: 'resolve' },
      { name: '8. Skip', value: 'skip' },
      { name: '9. Quit', value: 'quit' },
    ],
    pageSize: 9,
  });
}

async function perform(ctx: Context, prompts: Inquirer, token: string | null, next: TriageTicket, move: Exclude<Move, 'skip' | 'quit'>): Promise<void> {
  const ticket = next.entry.ticket;
  try {
    const done = await MOVES[move](ctx, prompts, token, next).catch(interrupted);
    if (done !== '') ctx.out.success(done);
  } catch (error) {
    if (!isAppError(error) || error.code === 'INTERRUPTED') throw error;
    ctx.out.warn(`#${ticket.number}: ${error.message}${error.hint ? ` — ${error.hint}` : ''}`);
  }
}

type MoveRunner = (ctx: Context, prompts: Inquirer, token: string | null, next: TriageTicket) => Promise<string>;

async function chooseReplyStatus(prompts: Inquirer): Promise<'open' | 'pending' | 'solved'> {
  return prompts.select({
    message: 'Leave the ticket',
    choices: [
      { name: 'open (we work on it)', value: 'open' as const },
      { name: 'pending (waiting on the customer)', value: 'pending' as const },
      { name: 'solved', value: 'solved' as const },
    ],
  });
}

const MOVES: Readonly<Record<Exclude<Move, 'skip' | 'quit'>, MoveRunner>> = {
  reply: async (ctx, prompts, token, { entry }) => {
    const body = validateBody(await prompts.input({ message: 'Reply to the customer:', validate: (text) => text.trim() !== '' || 'the reply is empty' }));
    const status = await chooseReplyStatus(prompts);
    const updated = await asAgent(ctx, token, '`ticket reply` for an agent', (t, actor) => replyAsAgent(t, ctx, actor, entry.ticket.number, { body, faqId: null, status }));
    return `Answer sent on #${updated.number}; it is ${updated.status}.`;
  },
  faq: async (ctx, prompts, token, { entry, detail }) => {
    const query = `${entry.ticket.subject}\n${detail.ticket.messages[0]?.body ?? ''}`;
    const hits = searchFaq(faqArticles(ctx), query, entry.ticket.language, 5);
    const choices = [...hits.map((hit) => ({ name: `${hit.article.title} (${hit.article.id})`, value: hit.article.id })), { name: 'cancel', value: '' }];
    const faqId = await prompts.select({ message: 'Answer with', choices });
    if (faqId === '') return '';
    const status = await chooseReplyStatus(prompts);
    const updated = await asAgent(ctx, token, '`ticket reply` for an agent', (t, actor) => replyAsAgent(t, ctx, actor, entry.ticket.number, { body: null, faqId, status }));
    return `FAQ answer "${faqId}" sent on #${updated.number}; it is ${updated.status}.`;
  },
  note: async (ctx, prompts, token, { entry }) => {
    const body = validateBody(await prompts.input({ message: 'Internal note:', validate: (text) => text.trim() !== '' || 'the note is empty' }));
    await asAgent(ctx, token, '`ticket note`', (t, actor) => noteAsAgent(t, ctx, actor, entry.ticket.number, body));
    return `Note added to #${entry.ticket.number}.`;
  },
  assign: async (ctx, prompts, token, { entry }) => {
    const choice = await prompts.select({
      message: 'Assign to',
      choices: [
        { name: 'me', value: 'me' },
        { name: 'the least-loaded agent for it', value: 'auto' },
        { name: 'someone else (email)', value: 'other' },
      ],
    });
    const me = await actAs(ctx, token, {}, async (_t, actor) => actor.user.email);
    const to = choice === 'me' ? me : choice === 'auto' ? null : normalizeEmail(await prompts.input({ message: 'Agent’s email:' }));
    const { assignee } = await asAgent(ctx, token, '`ticket assign`', (t, actor) => assignAsAgent(t, ctx, actor, entry.ticket.number, to));
    return `#${entry.ticket.number} assigned to ${assignee.email}.`;
  },
  escalate: async (ctx, prompts, token, { entry }) => {
    const tiers = ([2, 3] as const).filter((tier) => tier > entry.ticket.tier);
    if (tiers.length === 0) return `#${entry.ticket.number} is already with a manager (tier 3).`;
    const tier: Tier = await prompts.select({ message: 'Escalate to', choices: tiers.map((value) => ({ name: value === 3 ? 'tier 3 (manager)' : 'tier 2', value })) });
    const reasonText = (await prompts.input({ message: 'Reason (optional):' })).trim();
    const reason = reasonText === '' ? null : validateReason(reasonText);
    const updated = await asAgent(ctx, token, '`ticket escalate --tier`', (t, actor) => escalateAsAgent(t, ctx, actor, entry.ticket.number, { tier, reason }));
    return `#${updated.number} is now at tier ${updated.tier}.`;
  },
  priority: async (ctx, prompts, token, { entry }) => {
    const priority: Priority = await prompts.select({ message: 'Priority', choices: PRIORITIES.map((value) => ({ name: value, value })), default: entry.ticket.priority });
    const updated = await asAgent(ctx, token, '`ticket set`', (t, actor) => updateAsAgent(t, ctx, actor, entry.ticket.number, { priority }));
    return `#${updated.number} is now ${updated.priority}.`;
  },
  resolve: async (ctx, _prompts, token, { entry }) => {
    const updated = await asAgent(ctx, token, '`ticket resolve`', (t, actor) => setStatusAsAgent(t, ctx, actor, entry.ticket.number, 'solved', 'resolve'));
    return `#${updated.number} is solved; the customer was told by mail.`;
  },
};
