// ticket: the customers' verbs (list, show, reply, escalate, rate, export); agents list, show,
// reply and escalate too, with more power. `new`, `import` and the agents' own verbs (assign, note,
// set, resolve, close, reopen, merge, why) have their own files. Customers see only their own
// tickets and never internal notes.

import type { Command } from '@commander-js/extra-typings';
import { replyWithMacro, escalateAsAgent, replyAsAgent } from '../../app/agent.js';
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
import { AppError } from '../../domain/errors.js';
import { parseSettableStatus, parseTier, validateReason } from '../../domain/ticket-input.js';
import type { TicketStatus } from '../../domain/ticket-record.js';
import { readSignedIn, sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, group, subcommand, type App } from '../command-builder.js';
import { emptyPageText, noteNextPage, offsetOf, pagingDocument, pagingOptions, parsePaging } from '../paging.js';
import { promptText } from '../prompts.js';
import { openRequestedFile } from '../requested-file.js';
import { exportMarkdown } from '../ticket-markdown.js';
import { emptyTicketsText, filterOptions, parseSelection } from '../ticket-filters.js';
import { readBody } from '../message-body.js';
import { actAs, auditedLookAs } from '../signed-in.js';
import { ticketDocument, ticketRowDocument } from '../ticket-output.js';
import { asAgent, numberArg, shown, whoIsAsking } from '../ticket-steps.js';

/** `ticket new`, `ticket import` and the agents' verbs have their own files; index.ts passes their registrars (`new` comes first in help). */
export function registerTicketCommands(
  program: Command,
  app: App,
  registerNew: (ticket: Command, app: App) => void,
  registerAgentVerbs: (ticket: Command, app: App) => void,
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
  registerAgentVerbs(ticket, app);
  registerImport(ticket, app);
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
    // A look: no lock, nothing written (a read-only store answers it too).
    const list = await readSignedIn(ctx, token, (t, actor) => listTickets(t, ctx, actor, { selection, limit: paging.limit, offset: offsetOf(paging) }));
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
    // A customer's look takes no lock and writes nothing; an agent's is audited (ticket.viewed), a change.
    const looked = await readSignedIn(ctx, token, (t, actor) => (audienceOf(actor.user) === 'agent' ? null : showTicket(t, ctx, actor, number)));
    const detail = looked ?? (await auditedLookAs(ctx, token, {}, '`ticket show` by an agent', (t, actor) => showTicket(t, ctx, actor, number)));
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
    const view = shown(ctx, reply.detail, { followUpOf: reply.followUpOf, followUp: reply.followUp });
    ctx.out.data(view.document, () => {
      const replied = reply.detail.ticket.number;
      if (reply.followUp === 'opened') ctx.out.success(`Ticket #${reply.followUpOf} is closed, so your message opened follow-up ticket #${replied}.`);
      else if (reply.followUp === 'joined') ctx.out.success(`Ticket #${reply.followUpOf} is closed; your message was added to its follow-up #${replied}.`);
      else if (reply.followUp === 'duplicate')
        ctx.out.success(
          `Ticket #${reply.followUpOf} is closed and follow-up #${replied} already holds this message (sent within a day): nothing new was added.`,
        );
      else ctx.out.success(`Added to ticket #${replied}${reply.reopened ? ', which is open again' : ''}.`);
      view.print();
    });
  });
}

async function agentReply(ctx: Context, token: string | null, number: number, o: ReplyOptions): Promise<void> {
  const sources = [o.body !== undefined || o.bodyFile !== undefined, o.faq !== undefined, o.macro !== undefined].filter(Boolean).length;
  if (sources > 1) throw new AppError('USAGE', 'pass one of a message, --faq and --macro');
  const status: TicketStatus | null = o.status === undefined ? null : parseSettableStatus(o.status);
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
    const detail = await auditedLookAs(ctx, token, {}, '`ticket export`', async (t, actor) => {
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
