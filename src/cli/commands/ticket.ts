// ticket: the customer's side (new, list, show, reply, escalate, rate, export) and the agents'
// (assign, note, set, escalate --tier, resolve, close, reopen, merge, why). Customers see only
// their own tickets and never internal notes; agent verbs need the agent role.

import type { Command } from '@commander-js/extra-typings';
import {
  agentView,
  replyWithMacro,
  assignAsAgent,
  escalateAsAgent,
  mergeAsAgent,
  noteAsAgent,
  replyAsAgent,
  setStatusAsAgent,
  updateAsAgent,
  whyTicket,
  type TicketChanges,
} from '../../app/agent.js';
import type { Actor } from '../../app/authenticate.js';
import {
  audienceOf,
  customerReply,
  exportTicket,
  listTickets,
  rateOwnTicket,
  requestTicketEscalation,
  showTicket,
  type TicketDetail,
} from '../../app/tickets.js';
import { requireRole } from '../../domain/accounts.js';
import { AppError } from '../../domain/errors.js';
import type { User } from '../../domain/state.js';
import { parseCategory, parsePriority, parseStatus, parseTags, parseTicketNumber, parseTier, validateReason } from '../../domain/ticket-input.js';
import { type Ticket, type TicketStatus } from '../../domain/ticket-record.js';
import { normalizeEmail } from '../../domain/validate.js';
import type { RecordsTransaction } from '../../store/store.js';
import { confirmSignedIn, sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, group, subcommand, type App } from '../command-builder.js';
import { emptyPageText, noteNextPage, offsetOf, pagingDocument, pagingOptions, parsePaging } from '../paging.js';
import { promptText, YES_FLAG } from '../prompts.js';
import { openRequestedFile } from '../requested-file.js';
import { humanTimeLeft } from '../time.js';
import { exportMarkdown } from '../ticket-markdown.js';
import { emptyTicketsText, filterOptions, parseSelection } from '../ticket-filters.js';
import { runBulk, ticketTarget } from '../ticket-bulk.js';
import { localTime } from '../../app/desk.js';
import { readBody } from '../message-body.js';
import { actAs } from '../signed-in.js';
import { printTicket, ticketDocument, ticketRowDocument } from '../ticket-output.js';

/** `ticket new` and `ticket import` have their own files; index.ts passes their registrars (`new` comes first in help). */
export function registerTicketCommands(
  program: Command,
  app: App,
  registerNew: (ticket: Command, app: App) => void,
  registerImport: (ticket: Command, app: App) => void,
): void {
  const ticket = group(program, 'ticket', 'support tickets: open, follow and rate yours; agents answer and manage them');
  registerNew(ticket, app);
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
  registerImport(ticket, app);
}

/** Who is asking, read in its own short transaction (before any prompt). */
async function whoIsAsking(ctx: Context): Promise<{ token: string | null; user: User }> {
  const token = await sessionToken(ctx);
  const user = await actAs(ctx, token, {}, async (_t, actor) => actor.user);
  return { token, user };
}

function numberArg(args: string[]): number {
  return parseTicketNumber(args[0] ?? '');
}

function shown(ctx: Context, detail: TicketDetail, extra: Record<string, unknown> = {}) {
  return { document: { ticket: ticketDocument(detail), ...extra }, print: () => printTicket(ctx, detail) };
}

const LIST_LIMIT = 100;

function registerList(ticket: Command, app: App): void {
  const command = pagingOptions(
    filterOptions(subcommand(ticket, 'list', 'list your tickets (agents: every ticket), newest first'), 'created'),
    LIST_LIMIT,
    'tickets',
  );
  examples(command, [
    'okpay ticket list',
    'okpay ticket list --status solved --json',
    'okpay ticket list --search "refund card" --sort updated',
    'okpay ticket list --assignee none --channel email,chat --language de',
    'okpay ticket list --limit 20 --page 2',
  ]);
  action(app, command, async (ctx, o) => {
    const selection = parseSelection(o, 'created');
    const paging = parsePaging(o, LIST_LIMIT);
    const token = await sessionToken(ctx);
    const list = await actAs(ctx, token, {}, (t, actor) => listTickets(t, ctx, actor, { selection, limit: paging.limit, offset: offsetOf(paging) }));
    const audience = list.audience;
    const rows = list.rows.map((row) => ticketRowDocument(row, audience));
    const shown = { total: list.total, more: list.total > offsetOf(paging) + rows.length };
    ctx.out.data({ tickets: rows, ...pagingDocument(paging, shown) }, () => {
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
        rows.map((row) => ({ ...row, updated: ctx.out.time(row.updatedAt) })),
        emptyPageText(paging, shown, emptyTicketsText(o, audience, 'list')),
      );
      noteNextPage(ctx, command, paging, shown);
    });
  });
}

function registerShow(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'show', 'show a ticket: conversation, status, linked transaction, SLA and queue position').argument(
    '<number>',
    'the ticket number',
  );
  examples(command, ['okpay ticket show 12', 'okpay ticket show 12 --json | jq .ticket.sla']);
  action(app, command, async (ctx, _o, args) => {
    const number = numberArg(args);
    const token = await sessionToken(ctx);
    const detail = await actAs(ctx, token, {}, (t, actor) => showTicket(t, ctx, actor, number));
    const view = shown(ctx, detail);
    ctx.out.data(view.document, view.print);
  });
}

function defineReply(ticket: Command) {
  return subcommand(ticket, 'reply', 'add a message to a ticket (agents: a public answer, mailed to the customer)')
    .argument('<number>', 'the ticket number')
    .option('--body <text>', 'the message')
    .option('--body-file <file>', 'read the message from a file (- for standard input)')
    .option('--faq <id>', 'agents: answer with an FAQ article, in the ticket’s language')
    .option('--macro <name>', 'agents: answer with a saved reply, in the ticket’s language (see `okpay agent macros`)')
    .option('--status <status>', 'agents: leave the ticket open, pending (waiting on the customer), on-hold or solved');
}

/** The flags as `okpay ticket reply` defines them, so a flag's type is written once. */
type ReplyOptions = ReturnType<ReturnType<typeof defineReply>['opts']>;

function registerReply(ticket: Command, app: App): void {
  const command = defineReply(ticket);
  examples(command, [
    'okpay ticket reply 12 --body "The payee was ada@example.org, on 3 Nov at 14:05."',
    'okpay ticket reply 12 --faq withdraw-funds --status pending',
    'okpay ticket reply 12 --macro ask-for-details',
  ]);
  action(app, command, async (ctx, o, args) => {
    const number = numberArg(args);
    const { token, user } = await whoIsAsking(ctx);
    if (audienceOf(user) === 'agent') return agentReply(ctx, token, number, o);
    if (o.faq !== undefined || o.macro !== undefined || o.status !== undefined)
      throw new AppError('FORBIDDEN', '--faq, --macro and --status are for support agents');
    const body = (await readBody(ctx, o, true)) ?? '';
    const reply = await actAs(ctx, token, {}, (t, actor) => customerReply(t, ctx, actor, number, body));
    const view = shown(ctx, reply.detail, { followUpOf: reply.followUpOf });
    ctx.out.data(view.document, () => {
      const replied = reply.detail.ticket.number;
      if (reply.followUpOf !== null) ctx.out.success(`Ticket #${reply.followUpOf} is closed, so your message opened follow-up ticket #${replied}.`);
      else ctx.out.success(`Added to ticket #${replied}${reply.reopened ? ', which is open again' : ''}.`);
      view.print();
    });
  });
}

async function agentReply(ctx: Context, token: string | null, number: number, o: ReplyOptions): Promise<void> {
  const sources = [o.body !== undefined || o.bodyFile !== undefined, o.faq !== undefined, o.macro !== undefined].filter(Boolean).length;
  if (sources > 1) throw new AppError('USAGE', 'pass one of a message, --faq and --macro');
  const status: TicketStatus | null = o.status === undefined ? null : parseStatus(o.status);
  if (o.macro !== undefined) {
    const macro = o.macro;
    return asAgent(
      ctx,
      token,
      '`ticket reply --macro`',
      (t, actor) => replyWithMacro(t, ctx, actor, number, { macro, status }),
      (updated) => `Saved reply "${macro}" sent to the customer of #${updated.number}; the ticket is ${updated.status}.`,
    );
  }
  const body = o.faq === undefined ? await readBody(ctx, o, true) : null;
  await asAgent(
    ctx,
    token,
    '`ticket reply` for an agent',
    (t, actor) => replyAsAgent(t, ctx, actor, number, { body, faqId: o.faq ?? null, status }),
    (updated) => `Answer sent to the customer of #${updated.number}; the ticket is ${updated.status}.`,
  );
}

/** An agent's change in one transaction, then the ticket as the agent sees it, with a message. */
async function asAgent(
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

function registerEscalate(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'escalate', 'customers: ask for a higher support tier or a manager; agents: move the ticket up a tier')
    .argument('<number>', 'the ticket number')
    .option('--reason <text>', 'why (required from customers)')
    .option('--manager', 'customers: ask for a manager (tier 3)')
    .option('--tier <tier>', 'agents: the tier to move to, 2 or 3 (default: the next one)');
  examples(command, [
    'okpay ticket escalate 12 --reason "Three weeks and still no refund"',
    'okpay ticket escalate 12 --manager --reason "…"',
    'okpay ticket escalate 12 --tier 3',
  ]);
  action(app, command, async (ctx, o, args) => {
    const number = numberArg(args);
    const reason = o.reason === undefined ? null : validateReason(o.reason);
    const { token, user } = await whoIsAsking(ctx);
    if (audienceOf(user) === 'agent') {
      const tier = o.tier === undefined ? null : parseTier(o.tier);
      return asAgent(
        ctx,
        token,
        '`ticket escalate --tier`',
        (t, actor) => escalateAsAgent(t, ctx, actor, number, { tier, reason }),
        (updated) => `Ticket #${updated.number} is now at tier ${updated.tier}.`,
      );
    }
    if (o.tier !== undefined)
      throw new AppError('FORBIDDEN', '--tier is for support agents', { hint: 'ask for a higher tier with --reason, or for a manager with --manager' });
    const why = reason ?? validateReason(await promptText(ctx, 'Why do you want to escalate?', 'pass --reason "…"'));
    const detail = await actAs(ctx, token, {}, (t, actor) => requestTicketEscalation(t, ctx, actor, number, { reason: why, manager: o.manager === true }));
    const view = shown(ctx, detail);
    ctx.out.data(view.document, () => {
      ctx.out.success(`Your request to escalate ticket #${number} is noted; the support team sees it at the top of the queue.`);
      view.print();
    });
  });
}

function registerRate(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'rate', 'rate how a solved ticket was handled (1 = very bad, 5 = very good)')
    .argument('<number>', 'the ticket number')
    .requiredOption('--score <n>', 'from 1 to 5')
    .option('--comment <text>', 'what went well or wrong (required for 1 or 2)');
  examples(command, ['okpay ticket rate 12 --score 5', 'okpay ticket rate 12 --score 2 --comment "It took a week and I had to repeat everything"']);
  action(app, command, async (ctx, o, args) => {
    const number = numberArg(args);
    const score = /^[1-5]$/.test(o.score.trim()) ? Number(o.score.trim()) : Number.NaN;
    if (Number.isNaN(score)) throw new AppError('INVALID_NUMBER', `--score must be a whole number from 1 to 5, not "${o.score.slice(0, 10)}"`);
    let comment = o.comment === undefined ? null : validateReason(o.comment, '--comment');
    if (comment === null && score <= 2 && ctx.io.stdinIsTTY)
      comment = validateReason(await promptText(ctx, 'Sorry to hear that. What went wrong?', 'pass --comment "…"'), '--comment');
    const { token } = await whoIsAsking(ctx);
    const rated = await actAs(ctx, token, {}, (t, actor) => rateOwnTicket(t, ctx, actor, number, { score, comment }));
    const view = shown(ctx, rated.detail, { followUp: rated.followUp });
    ctx.out.data(view.document, () => {
      ctx.out.success(`Thank you: ticket #${number} rated ${score}/5.`);
      if (rated.followUp !== null) ctx.out.note(`A senior agent will follow up in ticket #${rated.followUp}.`);
    });
  });
}

function registerExport(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'export', 'the full record of a ticket, to keep (Markdown or JSON)')
    .argument('<number>', 'the ticket number')
    .option('--format <format>', 'md or json', 'md')
    .option('--output <file>', 'write to this file (a new file, mode 0600) instead of stdout');
  examples(command, ['okpay ticket export 12 > ticket-12.md', 'okpay ticket export 12 --format json --output ticket-12.json']);
  action(app, command, async (ctx, o, args) => {
    const number = numberArg(args);
    const format = o.format.trim().toLowerCase();
    if (format !== 'md' && format !== 'json') throw new AppError('INVALID_CHOICE', `--format must be md or json, not "${o.format.slice(0, 10)}"`);
    const token = await sessionToken(ctx);
    const rendered = (detail: TicketDetail) =>
      format === 'json'
        ? `${JSON.stringify({ ticket: ticketDocument(detail, { history: true }) }, null, 2)}\n`
        : exportMarkdown(detail, ctx.now().toISOString());
    const detail = await actAs(ctx, token, {}, async (t, actor) => {
      const found = await exportTicket(t, ctx, actor, number, format);
      // Written before the export's audit entry commits: a file that cannot be written leaves no trace.
      if (o.output !== undefined) await writeExport(o.output, rendered(found));
      return found;
    });
    if (o.output !== undefined) return;
    if (ctx.json) ctx.out.data({ ticket: ticketDocument(detail, { history: true }) }, () => undefined);
    else ctx.out.document(rendered(detail));
  });
}

async function writeExport(file: string, text: string): Promise<void> {
  const sink = await openRequestedFile(file);
  await sink.write(text);
  await sink.close();
}

function registerAssign(ticket: Command, app: App): void {
  const unfiltered = subcommand(
    ticket,
    'assign',
    'agents: give tickets to an agent (default: the least-loaded one who speaks each ticket’s language at its tier)',
  )
    .argument('[numbers...]', 'the ticket number(s); or select tickets with filters instead')
    .option('--to <email>', 'the agent to give them to')
    .option('-y, --yes', 'do not ask for confirmation (needed to change several tickets without a terminal, and always with filters)');
  const command = filterOptions(unfiltered, null);
  examples(command, [
    'okpay ticket assign 12',
    'okpay ticket assign 12 --to lin@okpay.example',
    'okpay ticket assign 12 14 15 --to lin@okpay.example --yes',
    'okpay ticket assign --assignee none --language zh --yes',
  ]);
  action(app, command, async (ctx, o, args) => {
    const target = ticketTarget(args, o);
    const to = o.to === undefined ? null : normalizeEmail(o.to);
    if (!('single' in target)) return runBulk(ctx, target, { verb: 'assign', done: 'assigned', action: { verb: 'assign', toEmail: to }, yes: o.yes });
    const token = await sessionToken(ctx);
    let assigneeEmail = '';
    const assign = async (t: RecordsTransaction, actor: Actor): Promise<Ticket> => {
      const { ticket: updated, assignee } = await assignAsAgent(t, ctx, actor, target.single, to);
      assigneeEmail = assignee.email;
      return updated;
    };
    await asAgent(ctx, token, '`ticket assign`', assign, (updated) => `Ticket #${updated.number} is assigned to ${assigneeEmail}.`);
  });
}

function registerNote(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'note', 'agents: add an internal note (never shown to the customer)')
    .argument('<number>', 'the ticket number')
    .option('--body <text>', 'the note')
    .option('--body-file <file>', 'read the note from a file (- for standard input)');
  examples(command, ['okpay ticket note 12 --body "Bank confirms the payout left on 4 Nov; waiting for the trace."']);
  action(app, command, async (ctx, o, args) => {
    const number = numberArg(args);
    const { token, user } = await whoIsAsking(ctx);
    requireRole(user, ['agent'], '`ticket note`');
    const body = (await readBody(ctx, o, true)) ?? '';
    await asAgent(
      ctx,
      token,
      '`ticket note`',
      (t, actor) => noteAsAgent(t, ctx, actor, number, body),
      (updated) => `Internal note added to #${updated.number}.`,
    );
  });
}

function registerSet(ticket: Command, app: App): void {
  const unfiltered = subcommand(ticket, 'set', 'agents: change the priority, category, tags or status of tickets')
    .argument('[numbers...]', 'the ticket number(s); or select tickets with filters instead')
    .option('--priority <priority>', 'urgent, high, normal or low')
    .option('--category <category>', 'account, funds, identity, dispute, technical or feedback')
    .option('--tags <tags>', 'comma-separated tags (replaces the current ones; "" clears them)')
    .option('--status <status>', 'open, pending, on-hold or solved')
    .option('-y, --yes', 'do not ask for confirmation (needed to change several tickets without a terminal, and always with filters)');
  const command = filterOptions(unfiltered, null, true);
  examples(command, [
    'okpay ticket set 12 --priority urgent --tags refund,card',
    'okpay ticket set 12 --status on-hold',
    'okpay ticket set 12 --category funds',
    'okpay ticket set 12 14 --priority high --yes',
    'okpay ticket set --search "card stolen" --where-priority normal,low --priority urgent --yes',
  ]);
  action(app, command, async (ctx, o, args) => {
    const changes: TicketChanges = {
      ...(o.priority === undefined ? {} : { priority: parsePriority(o.priority) }),
      ...(o.category === undefined ? {} : { category: parseCategory(o.category) }),
      ...(o.tags === undefined ? {} : { tags: parseTags(o.tags) }),
      ...(o.status === undefined ? {} : { status: parseStatus(o.status) }),
    };
    if (Object.keys(changes).length === 0) throw new AppError('USAGE', 'nothing to change', { hint: 'pass --priority, --category, --tags or --status' });
    const target = ticketTarget(args, { ...o, status: o.whereStatus, priority: o.wherePriority, category: o.whereCategory });
    if (!('single' in target)) return runBulk(ctx, target, { verb: 'set', done: 'updated', action: { verb: 'set', changes }, yes: o.yes });
    const token = await sessionToken(ctx);
    await asAgent(
      ctx,
      token,
      '`ticket set`',
      (t, actor) => updateAsAgent(t, ctx, actor, target.single, changes),
      (updated) => `Ticket #${updated.number} updated.`,
    );
  });
}

const STATUS_VERBS: readonly { verb: 'resolve' | 'close'; to: TicketStatus; description: string; done: string }[] = [
  { verb: 'resolve', to: 'solved', description: 'agents: mark tickets solved (each closes by itself after 7 days without a reply)', done: 'solved' },
  { verb: 'close', to: 'closed', description: 'agents: close solved tickets now', done: 'closed' },
];

function registerStatusVerbs(ticket: Command, app: App): void {
  for (const { verb, to, description, done } of STATUS_VERBS) {
    const unfiltered = subcommand(ticket, verb, description)
      .argument('[numbers...]', 'the ticket number(s); or select tickets with filters instead')
      .option('-y, --yes', 'do not ask for confirmation (needed to close a ticket or change several without a terminal, and always with filters)');
    const command = filterOptions(unfiltered, null);
    examples(command, [
      `okpay ticket ${verb} 12`,
      `okpay ticket ${verb} 12 14 15 --yes`,
      `okpay ticket ${verb} --status ${verb === 'close' ? 'solved' : 'pending'} --search "duplicate" --yes`,
    ]);
    action(app, command, async (ctx, o, args) => {
      const target = ticketTarget(args, o);
      if (!('single' in target)) return runBulk(ctx, target, { verb, done, action: { verb, to }, yes: o.yes });
      const token = await sessionToken(ctx);
      const what = `\`ticket ${verb}\``;
      // Closing is final for the ticket (a reply then opens a new one): even one is confirmed.
      if (verb === 'close')
        await confirmSignedIn(
          ctx,
          token,
          { roles: ['agent'], what },
          `Close ticket #${target.single}? It cannot be reopened; a reply from the customer opens a new, linked ticket.`,
          o.yes,
        );
      await asAgent(
        ctx,
        token,
        what,
        (t, actor) => setStatusAsAgent(t, ctx, actor, target.single, to, verb),
        (updated) => `Ticket #${updated.number} is ${done}; the customer was told by mail.`,
      );
    });
  }
  const reopen = subcommand(ticket, 'reopen', 'agents: open a solved ticket again').argument('<number>', 'the ticket number');
  examples(reopen, ['okpay ticket reopen 12']);
  action(app, reopen, async (ctx, _o, args) => {
    const number = numberArg(args);
    const token = await sessionToken(ctx);
    await asAgent(
      ctx,
      token,
      '`ticket reopen`',
      (t, actor) => setStatusAsAgent(t, ctx, actor, number, 'open', 'reopen'),
      (updated) => `Ticket #${updated.number} is open again; the customer was told by mail.`,
    );
  });
}

function registerMerge(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'merge', 'agents: merge a duplicate ticket into another of the same customer')
    .argument('<number>', 'the duplicate')
    .requiredOption('--into <number>', 'the ticket that carries on')
    .option(...YES_FLAG);
  examples(command, ['okpay ticket merge 14 --into 12 --yes']);
  action(app, command, async (ctx, o, args) => {
    const number = numberArg(args);
    const into = parseTicketNumber(o.into);
    const token = await sessionToken(ctx);
    await confirmSignedIn(
      ctx,
      token,
      { roles: ['agent'], what: '`ticket merge`' },
      `Merge ticket #${number} into #${into}? #${number} ends as merged and its conversation carries on in #${into}.`,
      o.yes,
    );
    await asAgent(
      ctx,
      token,
      '`ticket merge`',
      async (t, actor) => (await mergeAsAgent(t, ctx, actor, number, into)).target,
      () => `Ticket #${number} was merged into #${into}.`,
    );
  });
}

function registerWhy(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'why', 'agents: explain a ticket’s place in the queue, term by term').argument('<number>', 'the ticket number');
  examples(command, ['okpay ticket why 12', 'okpay ticket why 12 --json']);
  action(app, command, async (ctx, _o, args) => {
    const number = numberArg(args);
    const token = await sessionToken(ctx);
    const { entry, timeZone } = await actAs(ctx, token, { roles: ['agent'], what: '`ticket why`' }, (t, actor) => whyTicket(t, ctx, actor, number));
    const { urgency, sla } = entry;
    const document = {
      ticket: number,
      urgency: urgency.score,
      sla: {
        state: sla.state,
        leftMinutes: sla.current?.leftMinutes ?? null,
        dueAt: sla.current?.dueAtMs ? new Date(sla.current.dueAtMs).toISOString() : null,
      },
      terms: urgency.terms,
    };
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
      if (sla.current?.dueAtMs) ctx.out.note(`SLA ${sla.state}: ${humanTimeLeft(sla.current.leftMinutes)}, due ${localTime(sla.current.dueAtMs, timeZone)}`);
    });
  });
}
