// ticket, the agents' verbs: assign, note, set, resolve, close, reopen, merge and why. Each needs
// the agent role; assign, set, resolve and close also take filters and change many tickets at once.

import type { Command } from '@commander-js/extra-typings';
import { assignAsAgent, mergeAsAgent, noteAsAgent, setStatusAsAgent, updateAsAgent, whyTicket, type TicketChanges } from '../../app/agent.js';
import type { Actor } from '../../app/authenticate.js';
import { requireRole } from '../../domain/accounts.js';
import { AppError } from '../../domain/errors.js';
import { parseCategory, parsePriority, parseSettableStatus, parseTags, parseTicketNumber } from '../../domain/ticket-input.js';
import type { Ticket, TicketStatus } from '../../domain/ticket-record.js';
import { normalizeEmail } from '../../domain/validate.js';
import type { RecordsTransaction } from '../../store/store.js';
import { confirmSignedIn, sessionToken } from '../auth.js';
import { action, examples, subcommand, type App } from '../command-builder.js';
import { YES_FLAG } from '../prompts.js';
import { humanTimeLeft } from '../time.js';
import { filterOptions } from '../ticket-filters.js';
import { runBulk, ticketTarget } from '../ticket-bulk.js';
import { localTime } from '../../app/desk.js';
import { readBody } from '../message-body.js';
import { lookAs } from '../signed-in.js';
import { asAgent, numberArg, whoIsAsking } from '../ticket-steps.js';

/** The verbs only agents may use; `ticket` lists them after the customers' verbs and before `import`. */
export function registerTicketAgentVerbs(ticket: Command, app: App): void {
  registerAssign(ticket, app);
  registerNote(ticket, app);
  registerSet(ticket, app);
  registerStatusVerbs(ticket, app);
  registerMerge(ticket, app);
  registerWhy(ticket, app);
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
      ...(o.status === undefined ? {} : { status: parseSettableStatus(o.status) }),
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
    const { entry, timeZone } = await lookAs(ctx, token, { roles: ['agent'], what: '`ticket why`' }, (t, actor) => whyTicket(t, ctx, actor, number));
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
