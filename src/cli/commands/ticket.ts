// ticket: the customer's side (new, list, show, reply, escalate, rate, export) and the agents'
// (assign, note, set, escalate --tier, resolve, close, reopen, merge, why). Customers see only
// their own tickets and never internal notes; agent verbs need the agent role.

import type { Command } from 'commander';
import { requireRole } from '../../domain/accounts.js';
import { AppError } from '../../domain/errors.js';
import { formatBusinessMinutes } from '../../domain/sla.js';
import type { User } from '../../domain/state.js';
import { ticketReceivedMail } from '../../domain/ticket-mails.js';
import {
  addCustomerReply,
  parsePriority,
  parseStatus,
  parseTags,
  parseTicketNumber,
  parseTier,
  rateTicket,
  requestEscalation,
  requireOwnTicket,
  requireTicket,
  validateReason,
  type Ticket,
  type TicketStatus,
} from '../../domain/tickets.js';
import { parsePositiveInt } from '../../domain/validate.js';
import type { StoreTransaction } from '../../store/store.js';
import { audit, authenticate, sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, group, subcommand, type App } from '../kit.js';
import { promptText } from '../prompts.js';
import { exportMarkdown } from './ticket-export.js';
import { assignAsAgent, escalateAsAgent, mergeAsAgent, noteAsAgent, replyAsAgent, setStatusAsAgent, updateAsAgent, type TicketChanges } from './ticket-actions.js';
import { audienceOf, localTime, printTicket, queueEntry, readBody, ticketDetail, ticketDocument, ticketSummary, type Audience } from './ticket-kit.js';
import { registerTicketNew } from './ticket-new.js';

export function registerTicketCommands(program: Command, app: App): void {
  const ticket = group(program, 'ticket', 'support tickets: open, follow and rate yours; agents answer and manage them');
  registerTicketNew(ticket, app);
  registerList(ticket, app);
  registerShow(ticket, app);
  registerReply(ticket, app);
  registerEscalate(ticket, app);
  registerRate(ticket, app);
  registerExport(ticket, app);
  registerAssign(ticket, app);
  registerNote(ticket, app);
  registerSet(ticket, app);
  registerStatusVerbs(ticket, app);
  registerMerge(ticket, app);
  registerWhy(ticket, app);
}

/** Who is asking, read in its own short transaction (before any prompt). */
async function whoIsAsking(ctx: Context): Promise<{ token: string | null; user: User }> {
  const token = await sessionToken(ctx);
  const user = await ctx.store.transaction((t) => authenticate(ctx, t, token).user);
  return { token, user };
}

/** The ticket as the user may see it: any ticket for an agent, only their own for anyone else. */
function ticketFor(t: StoreTransaction, user: User, number: number): Ticket {
  return audienceOf(user) === 'agent' ? requireTicket(t.state, number) : requireOwnTicket(t.state, number, user.id);
}

function numberArg(args: string[]): number {
  return parseTicketNumber(args[0] ?? '');
}

async function showTicket(ctx: Context, t: StoreTransaction, ticket: Ticket, audience: Audience, extra: Record<string, unknown> = {}) {
  const detail = await ticketDetail(ctx, t, ticket, audience, ctx.now().getTime());
  return { document: { ticket: ticketDocument(detail), ...extra }, print: () => printTicket(ctx, detail) };
}

function registerList(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'list', 'list your tickets (agents: every ticket), newest first')
    .option('--status <status>', 'only tickets in this status, e.g. open, solved')
    .option('--limit <n>', 'at most this many tickets', '100');
  examples(command, ['okpay ticket list', 'okpay ticket list --status solved --json']);
  action<{ status?: string; limit?: string }>(app, command, async (ctx, o) => {
    const status = o.status === undefined ? null : parseStatus(o.status);
    const limit = parsePositiveInt(o.limit ?? '100', '--limit', { max: 10_000 });
    const token = await sessionToken(ctx);
    const { rows, audience } = await ctx.store.transaction((t) => {
      const { user } = authenticate(ctx, t, token);
      const audience = audienceOf(user);
      const mine = Object.values(t.state.tickets).filter((x) => (audience === 'agent' || x.customerId === user.id) && (status === null || x.status === status));
      return { rows: mine.sort((a, b) => b.number - a.number).slice(0, limit).map((x) => ticketSummary(t.state, x, audience)), audience };
    });
    ctx.out.data({ tickets: rows }, () =>
      ctx.out.table(
        [
          { key: 'number', title: '#', align: 'right' },
          { key: 'status', title: 'Status' },
          { key: 'priority', title: 'Priority' },
          { key: 'category', title: 'Category' },
          ...(audience === 'agent' ? [{ key: 'customer', title: 'Customer' }] : []),
          { key: 'subject', title: 'Subject' },
          { key: 'updated', title: 'Updated' },
        ],
        rows.map((row) => ({ ...row, updated: row.updatedAt.slice(0, 16).replace('T', ' ') })),
        'no tickets; open one with `okpay ticket new`',
      ),
    );
  });
}

function registerShow(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'show', 'show a ticket: conversation, status, linked transaction, SLA and queue position').argument('<number>', 'the ticket number');
  examples(command, ['okpay ticket show 12', 'okpay ticket show 12 --json | jq .ticket.sla']);
  action(app, command, async (ctx, _o, args) => {
    const number = numberArg(args);
    const token = await sessionToken(ctx);
    const shown = await ctx.store.transaction(async (t) => {
      const { user } = authenticate(ctx, t, token);
      const found = ticketFor(t, user, number);
      // An agent reading a customer's ticket is an agent action, and every agent action is audited.
      if (audienceOf(user) === 'agent') audit(ctx, t, 'ticket.viewed', user.id, found.customerId, { ticket: number });
      return showTicket(ctx, t, found, audienceOf(user));
    });
    ctx.out.data(shown.document, shown.print);
  });
}

function registerReply(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'reply', 'add a message to a ticket (agents: a public answer, mailed to the customer)')
    .argument('<number>', 'the ticket number')
    .option('--body <text>', 'the message')
    .option('--body-file <file>', 'read the message from a file (- for standard input)')
    .option('--faq <id>', 'agents: answer with an FAQ article, in the ticket’s language')
    .option('--status <status>', 'agents: leave the ticket open, pending (waiting on the customer), on-hold or solved');
  examples(command, [
    'okpay ticket reply 12 --body "The payee was ada@example.org, on 3 Nov at 14:05."',
    'okpay ticket reply 12 --faq withdraw-funds --status pending',
  ]);
  action<{ body?: string; bodyFile?: string; faq?: string; status?: string }>(app, command, async (ctx, o, args) => {
    const number = numberArg(args);
    const { token, user } = await whoIsAsking(ctx);
    if (audienceOf(user) === 'agent') return agentReply(ctx, token, number, o);
    if (o.faq !== undefined || o.status !== undefined) throw new AppError('FORBIDDEN', '--faq and --status are for support agents');
    const body = (await readBody(ctx, o, true)) ?? '';
    const result = await ctx.store.transaction(async (t) => {
      const { user: me } = authenticate(ctx, t, token);
      const reply = addCustomerReply(t.state, requireOwnTicket(t.state, number, me.id), me, body, ctx.now().toISOString());
      if (reply.followUpOf !== null) t.mail(ticketReceivedMail(me, reply.ticket, null), ctx.now().toISOString());
      audit(ctx, t, 'ticket.customer-reply', me.id, me.id, { ticket: reply.ticket.number, followUpOf: reply.followUpOf, reopened: reply.reopened });
      return { reply, shown: await showTicket(ctx, t, reply.ticket, 'customer', { followUpOf: reply.followUpOf }) };
    });
    ctx.out.data(result.shown.document, () => {
      const { reply } = result;
      if (reply.followUpOf !== null) ctx.out.success(`Ticket #${reply.followUpOf} is closed, so your message opened follow-up ticket #${reply.ticket.number}.`);
      else ctx.out.success(`Added to ticket #${reply.ticket.number}${reply.reopened ? ', which is open again' : ''}.`);
      result.shown.print();
    });
  });
}

async function agentReply(ctx: Context, token: string | null, number: number, o: { body?: string; bodyFile?: string; faq?: string; status?: string }): Promise<void> {
  if (o.faq !== undefined && (o.body !== undefined || o.bodyFile !== undefined)) throw new AppError('USAGE', 'pass either a message or --faq, not both');
  const status: TicketStatus | null = o.status === undefined ? null : parseStatus(o.status);
  const body = o.faq === undefined ? await readBody(ctx, o, true) : null;
  const updated = await replyAsAgent(ctx, token, number, { body, faqId: o.faq ?? null, status });
  await printForAgent(ctx, updated, `Answer sent to the customer of #${updated.number}; the ticket is ${updated.status}.`);
}

async function printForAgent(ctx: Context, ticket: Ticket, message: string): Promise<void> {
  const shown = await ctx.store.transaction((t) => showTicket(ctx, t, ticket, 'agent'));
  ctx.out.data(shown.document, () => {
    ctx.out.success(message);
    shown.print();
  });
}

function registerEscalate(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'escalate', 'customers: ask for a higher support tier or a manager; agents: move the ticket up a tier')
    .argument('<number>', 'the ticket number')
    .option('--reason <text>', 'why (required from customers)')
    .option('--manager', 'customers: ask for a manager (tier 3)')
    .option('--tier <tier>', 'agents: the tier to move to, 2 or 3 (default: the next one)');
  examples(command, ['okpay ticket escalate 12 --reason "Three weeks and still no refund"', 'okpay ticket escalate 12 --manager --reason "…"', 'okpay ticket escalate 12 --tier 3']);
  action<{ reason?: string; manager?: boolean; tier?: string }>(app, command, async (ctx, o, args) => {
    const number = numberArg(args);
    const reason = o.reason === undefined ? null : validateReason(o.reason);
    const { token, user } = await whoIsAsking(ctx);
    if (audienceOf(user) === 'agent') {
      const updated = await escalateAsAgent(ctx, token, number, o.tier === undefined ? null : parseTier(o.tier), reason);
      return printForAgent(ctx, updated, `Ticket #${updated.number} is now at tier ${updated.tier}.`);
    }
    if (o.tier !== undefined) throw new AppError('FORBIDDEN', '--tier is for support agents', { hint: 'ask for a higher tier with --reason, or for a manager with --manager' });
    const why = reason ?? validateReason(await promptText(ctx, 'Why do you want to escalate?', 'pass --reason "…"'));
    const shown = await ctx.store.transaction(async (t) => {
      const { user: me } = authenticate(ctx, t, token);
      const updated = requestEscalation(t.state, requireOwnTicket(t.state, number, me.id), me, why, o.manager === true, ctx.now().toISOString());
      audit(ctx, t, 'ticket.escalation-requested', me.id, me.id, { ticket: number, tier: updated.escalationRequest?.tier ?? null });
      return showTicket(ctx, t, updated, 'customer');
    });
    ctx.out.data(shown.document, () => {
      ctx.out.success(`Your request to escalate ticket #${number} is noted; the support team sees it at the top of the queue.`);
      shown.print();
    });
  });
}

function registerRate(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'rate', 'rate how a solved ticket was handled (1 = very bad, 5 = very good)')
    .argument('<number>', 'the ticket number')
    .requiredOption('--score <n>', 'from 1 to 5')
    .option('--comment <text>', 'what went well or wrong (required for 1 or 2)');
  examples(command, ['okpay ticket rate 12 --score 5', 'okpay ticket rate 12 --score 2 --comment "It took a week and I had to repeat everything"']);
  action<{ score: string; comment?: string }>(app, command, async (ctx, o, args) => {
    const number = numberArg(args);
    const score = /^[1-5]$/.test(o.score.trim()) ? Number(o.score.trim()) : Number.NaN;
    if (Number.isNaN(score)) throw new AppError('INVALID_INPUT', `--score must be a whole number from 1 to 5, not "${o.score.slice(0, 10)}"`);
    let comment = o.comment === undefined ? null : validateReason(o.comment, '--comment');
    if (comment === null && score <= 2 && ctx.io.stdinIsTTY) comment = validateReason(await promptText(ctx, 'Sorry to hear that. What went wrong?', 'pass --comment "…"'), '--comment');
    const { token } = await whoIsAsking(ctx);
    const result = await ctx.store.transaction(async (t) => {
      const { user: me } = authenticate(ctx, t, token);
      const rated = rateTicket(t.state, requireOwnTicket(t.state, number, me.id), me, score, comment, ctx.now().toISOString());
      if (rated.followUp) t.mail(ticketReceivedMail(me, rated.followUp, null), ctx.now().toISOString());
      audit(ctx, t, 'ticket.rated', me.id, me.id, { ticket: number, score, followUp: rated.followUp?.number ?? null });
      return { rated, shown: await showTicket(ctx, t, rated.ticket, 'customer', { followUp: rated.followUp?.number ?? null }) };
    });
    ctx.out.data(result.shown.document, () => {
      ctx.out.success(`Thank you: ticket #${number} rated ${score}/5.`);
      if (result.rated.followUp) ctx.out.note(`A senior agent will follow up in ticket #${result.rated.followUp.number}.`);
    });
  });
}

function registerExport(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'export', 'the full record of a ticket, to keep (Markdown or JSON)')
    .argument('<number>', 'the ticket number')
    .option('--format <format>', 'md or json', 'md');
  examples(command, ['okpay ticket export 12 > ticket-12.md', 'okpay ticket export 12 --format json > ticket-12.json']);
  action<{ format: string }>(app, command, async (ctx, o, args) => {
    const number = numberArg(args);
    const format = o.format.trim().toLowerCase();
    if (format !== 'md' && format !== 'json') throw new AppError('INVALID_INPUT', `--format must be md or json, not "${o.format.slice(0, 10)}"`);
    const token = await sessionToken(ctx);
    const detail = await ctx.store.transaction(async (t) => {
      const { user } = authenticate(ctx, t, token);
      const found = ticketFor(t, user, number);
      audit(ctx, t, 'ticket.exported', user.id, found.customerId, { ticket: number, format });
      return ticketDetail(ctx, t, found, audienceOf(user), ctx.now().getTime());
    });
    if (format === 'json' || ctx.json) ctx.io.writeOut(`${JSON.stringify({ ticket: ticketDocument(detail, { history: true }) }, null, 2)}\n`);
    else ctx.io.writeOut(exportMarkdown(detail, ctx.now().toISOString()));
  });
}

function registerAssign(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'assign', 'agents: give a ticket to an agent (default: the least-loaded one who speaks its language at its tier)')
    .argument('<number>', 'the ticket number')
    .option('--to <email>', 'the agent to give it to');
  examples(command, ['okpay ticket assign 12', 'okpay ticket assign 12 --to lin@okpay.example']);
  action<{ to?: string }>(app, command, async (ctx, o, args) => {
    const number = numberArg(args);
    const token = await sessionToken(ctx);
    const { ticket: updated, assignee } = await assignAsAgent(ctx, token, number, o.to ?? null);
    await printForAgent(ctx, updated, `Ticket #${updated.number} is assigned to ${assignee.email}.`);
  });
}

function registerNote(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'note', 'agents: add an internal note (never shown to the customer)')
    .argument('<number>', 'the ticket number')
    .option('--body <text>', 'the note')
    .option('--body-file <file>', 'read the note from a file (- for standard input)');
  examples(command, ['okpay ticket note 12 --body "Bank confirms the payout left on 4 Nov; waiting for the trace."']);
  action<{ body?: string; bodyFile?: string }>(app, command, async (ctx, o, args) => {
    const number = numberArg(args);
    const { token, user } = await whoIsAsking(ctx);
    requireRole(user, ['agent'], '`ticket note`');
    const body = (await readBody(ctx, o, true)) ?? '';
    const updated = await noteAsAgent(ctx, token, number, body);
    await printForAgent(ctx, updated, `Internal note added to #${updated.number}.`);
  });
}

function registerSet(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'set', 'agents: change the priority, tags or status of a ticket')
    .argument('<number>', 'the ticket number')
    .option('--priority <priority>', 'urgent, high, normal or low')
    .option('--tags <tags>', 'comma-separated tags (replaces the current ones; "" clears them)')
    .option('--status <status>', 'open, pending, on-hold or solved');
  examples(command, ['okpay ticket set 12 --priority urgent --tags refund,card', 'okpay ticket set 12 --status on-hold']);
  action<{ priority?: string; tags?: string; status?: string }>(app, command, async (ctx, o, args) => {
    const number = numberArg(args);
    const changes: TicketChanges = {
      ...(o.priority === undefined ? {} : { priority: parsePriority(o.priority) }),
      ...(o.tags === undefined ? {} : { tags: parseTags(o.tags) }),
      ...(o.status === undefined ? {} : { status: parseStatus(o.status) }),
    };
    if (Object.keys(changes).length === 0) throw new AppError('USAGE', 'nothing to change', { hint: 'pass --priority, --tags or --status' });
    const token = await sessionToken(ctx);
    const updated = await updateAsAgent(ctx, token, number, changes);
    await printForAgent(ctx, updated, `Ticket #${updated.number} updated.`);
  });
}

function registerStatusVerbs(ticket: Command, app: App): void {
  const verbs: readonly [string, TicketStatus, string, string][] = [
    ['resolve', 'solved', 'agents: mark a ticket solved (it closes by itself after 7 days without a reply)', 'solved'],
    ['close', 'closed', 'agents: close a solved ticket now', 'closed'],
    ['reopen', 'open', 'agents: open a solved ticket again', 'open again'],
  ];
  for (const [verb, status, description, done] of verbs) {
    const command = subcommand(ticket, verb, description).argument('<number>', 'the ticket number');
    examples(command, [`okpay ticket ${verb} 12`]);
    action(app, command, async (ctx, _o, args) => {
      const number = numberArg(args);
      const token = await sessionToken(ctx);
      const updated = await setStatusAsAgent(ctx, token, number, status, verb);
      await printForAgent(ctx, updated, `Ticket #${updated.number} is ${done}; the customer was told by mail.`);
    });
  }
}

function registerMerge(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'merge', 'agents: merge a duplicate ticket into another of the same customer')
    .argument('<number>', 'the duplicate')
    .requiredOption('--into <number>', 'the ticket that carries on');
  examples(command, ['okpay ticket merge 14 --into 12']);
  action<{ into: string }>(app, command, async (ctx, o, args) => {
    const number = numberArg(args);
    const into = parseTicketNumber(o.into);
    const token = await sessionToken(ctx);
    const { target } = await mergeAsAgent(ctx, token, number, into);
    await printForAgent(ctx, target, `Ticket #${number} was merged into #${into}.`);
  });
}

function registerWhy(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'why', 'agents: explain a ticket’s place in the queue, term by term').argument('<number>', 'the ticket number');
  examples(command, ['okpay ticket why 12', 'okpay ticket why 12 --json']);
  action(app, command, async (ctx, _o, args) => {
    const number = numberArg(args);
    const token = await sessionToken(ctx);
    const entry = await ctx.store.transaction((t) => {
      authenticate(ctx, t, token, { roles: ['agent'], what: '`ticket why`' });
      return queueEntry(ctx, requireTicket(t.state, number), ctx.now().getTime());
    });
    const { urgency, sla } = entry;
    const document = { ticket: number, urgency: urgency.score, sla: { state: sla.state, leftMinutes: sla.current?.leftMinutes ?? null, dueAt: sla.current?.dueAtMs ? new Date(sla.current.dueAtMs).toISOString() : null }, terms: urgency.terms };
    ctx.out.data(document, () => {
      ctx.out.line(`Ticket #${number}: urgency ${urgency.score}`);
      ctx.out.table(
        [
          { key: 'name', title: 'Term' },
          { key: 'detail', title: 'Measured' },
          { key: 'value', title: 'Value', align: 'right' },
          { key: 'weight', title: 'Weight', align: 'right' },
          { key: 'points', title: 'Points', align: 'right' },
        ],
        urgency.terms.map((term) => ({ ...term })),
      );
      if (sla.current?.dueAtMs) ctx.out.note(`SLA ${sla.state}: ${formatBusinessMinutes(sla.current.leftMinutes)} left, due ${localTime(sla.current.dueAtMs, sla.timeZone)}`);
    });
  });
}
