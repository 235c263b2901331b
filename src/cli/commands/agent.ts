// agent: the support agent's desk — the urgency-ordered queue, the interactive triage loop, a
// customer's account and ledger at a glance, account locks, and statistics. Also
// `admin agent add`, which gives an existing account the agent role.

import type { Command } from '@commander-js/extra-typings';
import { addAgent, agentQueue, listMacros } from '../../app/agent.js';
import { changeLock, showCustomer, type CustomerView } from '../../app/customer-account.js';
import { describeUser } from '../../domain/accounts.js';
import { MACRO_PLACEHOLDERS } from '../../domain/macros.js';
import { AppError } from '../../domain/errors.js';
import { parseTicketNumber, parseTier } from '../../domain/ticket-input.js';
import { boundedText, normalizeEmail, parsePositiveInt } from '../../domain/validate.js';
import { confirmSignedIn, sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, group, subcommand, type App } from '../command-builder.js';
import { YES_FLAG } from '../prompts.js';
import { parseLanguage } from '../../domain/language.js';
import { emptyPageText, noteNextPage, offsetOf, pagingDocument, pagingOptions, parsePaging } from '../paging.js';
import { actAs, auditedLookAs, lookAs } from '../signed-in.js';
import { slaCell } from '../ticket-output.js';
import { emptyTicketsText, filterOptions, parseSelection } from '../ticket-filters.js';

type Registrar = (agent: Command, app: App) => void;

/** `agent triage` and `agent stats` have their own files; index.ts passes their registrars, in help order. */
export function registerAgentCommands(program: Command, app: App, subcommands: { readonly triage: Registrar; readonly stats: Registrar }): Command {
  const agent = group(program, 'agent', 'the support desk for agents: queue, triage, customer accounts, statistics');
  registerQueue(agent, app);
  subcommands.triage(agent, app);
  const user = group(agent, 'user', 'a customer’s account as support sees it');
  registerUserShow(user, app);
  registerLockVerbs(agent, app);
  registerMacros(agent, app);
  subcommands.stats(agent, app);
  return agent;
}

const QUEUE_LIMIT = 50;
/** What the queue's marks and colours mean: under `agent queue --help`, and under the table on a terminal. */
const QUEUE_LEGEND = [
  '⇡ after the urgency: the customer asked for escalation',
  'SLA left: business time to the next reply target; red when overdue, yellow when at risk, green on time',
  'paused: the SLA clock stops while the ticket waits on the customer or is on hold',
] as const;
const QUEUE_FOOTER = '⇡ escalation asked · SLA left: red overdue, yellow at risk, green on time · paused: waiting on the customer or on hold';

function registerQueue(agent: Command, app: App): void {
  const queue = subcommand(agent, 'queue', 'tickets still being worked on, most urgent first (see `okpay ticket why N`)')
    .option('--mine', 'only tickets assigned to me (same as --assignee @me)')
    .option('--unassigned', 'only tickets nobody holds (same as --assignee none)');
  const command = pagingOptions(filterOptions(queue, 'urgency'), QUEUE_LIMIT, 'tickets').addHelpText(
    'after',
    `\nSymbols:\n${QUEUE_LEGEND.map((l) => `  ${l}`).join('\n')}\n`,
  );
  examples(command, [
    'okpay agent queue',
    'okpay agent queue --unassigned --language zh',
    'okpay agent queue --search "退款" --priority urgent,high',
    'okpay agent queue --assignee lin@okpay.example --sort updated',
    'okpay agent queue --limit 20 --page 2',
    'okpay agent queue --breaching --json | jq ".tickets[0].number"',
  ]);
  action(app, command, async (ctx, o) => {
    const selection = parseSelection(o, 'urgency');
    const paging = parsePaging(o, QUEUE_LIMIT);
    const token = await sessionToken(ctx);
    const { entries, names, total } = await lookAs(ctx, token, { roles: ['agent'], what: '`agent queue`' }, (t, actor) =>
      agentQueue(t, ctx, actor, { selection, limit: paging.limit, offset: offsetOf(paging) }),
    );
    const document = entries.map(({ ticket, sla, urgency }) => ({
      number: ticket.number,
      urgency: urgency.score,
      sla: {
        state: sla.state,
        kind: sla.current?.kind ?? null,
        leftMinutes: sla.current?.leftMinutes ?? null,
        dueAt: sla.current?.dueAtMs ? new Date(sla.current.dueAtMs).toISOString() : null,
      },
      status: ticket.status,
      priority: ticket.priority,
      tier: ticket.tier,
      category: ticket.category,
      language: ticket.language,
      subject: ticket.subject,
      customer: names[ticket.customerId] ?? ticket.customerId,
      assignee: ticket.assigneeId === null ? null : (names[ticket.assigneeId] ?? ticket.assigneeId),
      escalationRequested: ticket.escalationRequest !== null,
      createdAt: ticket.createdAt,
    }));
    const shown = { total, more: total > offsetOf(paging) + entries.length };
    ctx.out.data({ tickets: document, ...pagingDocument(paging, shown) }, () => {
      ctx.out.table(
        [
          { key: 'number', title: '#', align: 'right' },
          { key: 'urgency', title: 'Urgency', align: 'right' },
          { key: 'left', title: 'SLA left', align: 'right' },
          { key: 'status', title: 'Status' },
          { key: 'priority', title: 'Priority', hide: 3 },
          { key: 'tier', title: 'Tier', align: 'right', hide: 1 },
          { key: 'category', title: 'Category', hide: 4 },
          { key: 'language', title: 'Lang', hide: 2 },
          { key: 'assignee', title: 'Assignee' },
          { key: 'subject', title: 'Subject' },
        ],
        entries.map(({ ticket, sla, urgency }) => ({
          number: ticket.number,
          urgency: `${urgency.score}${ticket.escalationRequest ? ' ⇡' : ''}`,
          left: slaCell(ctx, sla),
          status: ticket.status,
          priority: ticket.priority,
          tier: ticket.tier,
          category: ticket.category,
          language: ticket.language,
          assignee: ticket.assigneeId === null ? '' : (names[ticket.assigneeId] ?? ''),
          subject: ticket.subject,
        })),
        emptyPageText(paging, shown, emptyTicketsText(o, 'agent', 'queue')),
      );
      // Piped rows stay plain data; a person at a terminal gets the key to the marks.
      if (ctx.io.stdoutIsTTY && entries.length > 0) ctx.out.text(QUEUE_FOOTER);
      noteNextPage(ctx, command, paging, shown);
    });
  });
}

function registerMacros(agent: Command, app: App): void {
  const command = subcommand(agent, 'macros', 'saved replies for `ticket reply N --macro NAME` (data/macros/, one file per language)').option(
    '--language <lang>',
    'show them in this language (default: your first language)',
  );
  examples(command, ['okpay agent macros', 'okpay agent macros --language zh --json | jq ".macros[0].body"']);
  action(app, command, async (ctx, o) => {
    const language = o.language === undefined ? null : parseLanguage(o.language);
    const token = await sessionToken(ctx);
    const shown = await lookAs(ctx, token, { roles: ['agent'], what: '`agent macros`' }, async (_t, actor) => listMacros(ctx, actor, language));
    const document = shown.macros.map((macro) => ({ name: macro.name, language: shown.language, status: macro.status, title: macro.title, body: macro.body }));
    ctx.out.data({ macros: document }, () => {
      ctx.out.table(
        [
          { key: 'name', title: 'Name' },
          { key: 'status', title: 'Sets status' },
          { key: 'title', title: `Title (${shown.language})` },
        ],
        document,
        'no saved replies',
      );
      ctx.out.note(`Placeholders: ${MACRO_PLACEHOLDERS.join(', ')}; a reply goes out in the ticket’s language.`);
    });
  });
}

// ---- a customer's account ------------------------------------------------------------------

function registerUserShow(user: Command, app: App): void {
  const command = subcommand(user, 'show', 'profile, lock state, identity check, balances and recent transactions of a customer')
    .argument('<email>', 'the customer’s email')
    .option('--ticket <number>', 'the ticket this look-up is for (noted on it and in the audit log)')
    .option('--limit <n>', 'how many recent transactions', '10');
  examples(command, ['okpay agent user show ada@example.com --ticket 12', 'okpay agent user show ada@example.com --json | jq .balances']);
  action(app, command, async (ctx, o, args) => {
    const email = normalizeEmail(args[0] ?? '');
    const limit = parsePositiveInt(o.limit ?? '10', '--limit', { max: 200 });
    const token = await sessionToken(ctx);
    const ticket = o.ticket === undefined ? null : parseTicketNumber(o.ticket);
    const view = await auditedLookAs(ctx, token, { roles: ['agent'], what: '`agent user show`' }, '`agent user show`', (t, actor) =>
      showCustomer(t, ctx, actor, { email, ticket, limit }),
    );
    ctx.out.data(view, () => printUser(ctx, view));
  });
}

function printUser(ctx: Context, view: CustomerView): void {
  const u = view.user;
  const lock = u['lockExplanation'] as { message: string; hint: string } | null;
  ctx.out.fields([
    ['email', String(u['email'])],
    ['name', (u['name'] as string | null) ?? '(not set)'],
    ['id', String(u['id'])],
    ['country', (u['country'] as string | null) ?? '(not set)'],
    ['status', String(u['status'])],
    ['lock', lock ? `${lock.message} — ${lock.hint}` : 'not locked'],
    ['identity check', String(u['kyc'])],
    ['two-step verification', u['twoFactor'] ? 'on' : 'off'],
  ]);
  ctx.out.line();
  ctx.out.table(
    [
      { key: 'currency', title: 'Currency' },
      { key: 'available', title: 'Available', align: 'right' },
      { key: 'held', title: 'Held', align: 'right' },
    ],
    view.balances.map((line) => ({ ...line })),
    'no balances',
  );
  ctx.out.table(
    [
      { key: 'id', title: 'ID' },
      { key: 'date', title: 'Date' },
      { key: 'type', title: 'Type' },
      { key: 'amount', title: 'Amount', align: 'right' },
      { key: 'status', title: 'Status' },
    ],
    view.transactions.map((tx) => ({
      id: tx.id,
      date: ctx.out.time(tx.createdAt),
      type: tx.type,
      amount: tx.net.map((n) => `${n.amount} ${n.currency}`).join(', ') || `${tx.amount ?? ''} ${tx.currency ?? ''}`,
      status: tx.status,
    })),
    'no transactions',
  );
}

function registerLockVerbs(agent: Command, app: App): void {
  for (const verb of ['lock', 'unlock'] as const) {
    const command = subcommand(agent, verb, verb === 'lock' ? 'lock a customer’s account (only an agent can lift it)' : 'lift the lock on a customer’s account')
      .argument('<email>', 'the customer’s email')
      .requiredOption('--reason <text>', 'why (kept with the lock and mailed to the customer when locking)')
      .option('--ticket <number>', 'the ticket this is for (an internal note is added to it)')
      .option(...YES_FLAG);
    examples(command, [
      `okpay agent ${verb} ada@example.com --reason "${verb === 'lock' ? 'card reported stolen' : 'identity confirmed by phone'}" --ticket 12 --yes`,
    ]);
    action(app, command, async (ctx, o, args) => {
      const email = normalizeEmail(args[0] ?? '');
      const reason = validateLockReason(o.reason);
      const token = await sessionToken(ctx);
      const ticket = o.ticket === undefined ? null : parseTicketNumber(o.ticket);
      const access = { roles: ['agent'] as const, what: `\`agent ${verb}\`` };
      const question =
        verb === 'lock'
          ? `Lock ${email}? They cannot sign in, send or withdraw until an agent unlocks the account; they are told by mail.`
          : `Unlock ${email}? They can sign in and move money again; they are told by mail.`;
      await confirmSignedIn(ctx, token, access, question, o.yes);
      const changed = await actAs(ctx, token, access, (t, actor) => changeLock(t, ctx, actor, verb, { email, reason, ticket }));
      ctx.out.data({ user: describeUser(changed) }, () =>
        ctx.out.success(verb === 'lock' ? `${email} is locked; the customer was told by mail.` : `${email} is unlocked; the customer was told by mail.`),
      );
    });
  }
}

function validateLockReason(text: string): string {
  // The reason is shown to the customer and mailed: one line, no control or invisible characters.
  return boundedText(text, '--reason', { min: 1, max: 200 });
}

// ---- admin agent add -----------------------------------------------------------------------

export function registerAdminAgentCommands(admin: Command, app: App): void {
  const agent = group(admin, 'agent', 'support agents');
  const add = subcommand(agent, 'add', 'give an existing account the agent role (tier 3 is a manager); run again to change tier or languages')
    .requiredOption('--email <email>', 'the account’s email')
    .requiredOption('--tier <tier>', '1, 2 or 3')
    .requiredOption('--languages <list>', 'languages the agent answers in, e.g. en,zh');
  examples(add, ['okpay admin agent add --email lin@okpay.example --tier 2 --languages en,zh']);
  action(app, add, async (ctx, o) => {
    const email = normalizeEmail(o.email);
    const tier = parseTier(o.tier);
    const languages = [
      ...new Set(
        o.languages
          .split(',')
          .map((l) => l.trim())
          .filter((l) => l !== '')
          .map(parseLanguage),
      ),
    ];
    if (languages.length === 0) throw new AppError('USAGE', '--languages needs at least one language', { hint: 'e.g. --languages en,zh' });
    const token = await sessionToken(ctx);
    const updated = await actAs(ctx, token, { roles: ['admin'], what: '`admin agent add`' }, (t, actor) => addAgent(t, ctx, actor, { email, tier, languages }));
    ctx.out.data({ user: describeUser(updated) }, () =>
      ctx.out.success(`${updated.email} is a tier-${tier} agent (${languages.join(', ')}). They sign in with \`okpay login\` as before.`),
    );
  });
}
