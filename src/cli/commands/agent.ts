// agent: the support agent's desk — the urgency-ordered queue, the interactive triage loop, a
// customer's account and ledger at a glance, account locks, and statistics. Also
// `admin agent add`, which gives an existing account the agent role.

import type { Command } from 'commander';
import { describeUser, explainLock, unlockAccount } from '../../domain/accounts.js';
import { lockUser, userByEmail } from '../../app/users.js';
import { lockNoticeMail, unlockedMail } from '../../domain/account-mails.js';
import { AppError } from '../../domain/errors.js';
import { holdAccount, userAccount, type Transaction } from '../../domain/ledger.js';
import { findCurrency, formatAmount } from '../../domain/money.js';
import type { User } from '../../domain/state.js';
import { addNote, parseCategory, parseTicketNumber, parseTier, requireTicket, type Ticket } from '../../domain/tickets.js';
import { followUpsOf, viewTransaction, type TxView } from '../../domain/tx-view.js';
import { boundedText, normalizeEmail, parsePositiveInt } from '../../domain/validate.js';
import type { StoreTransaction } from '../../store/store.js';
import { audit, authenticate, sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, group, subcommand, type App } from '../kit.js';
import { parseLanguage } from './account.js';
import { registerAgentStats } from './agent-stats.js';
import { activeQueue, emailOf, slaCell } from './ticket-kit.js';
import { registerTriage } from './triage.js';

export function registerAgentCommands(program: Command, app: App): Command {
  const agent = group(program, 'agent', 'the support desk for agents: queue, triage, customer accounts, statistics');
  registerQueue(agent, app);
  registerTriage(agent, app);
  const user = group(agent, 'user', 'a customer’s account as support sees it');
  registerUserShow(user, app);
  registerLockVerbs(agent, app);
  registerAgentStats(agent, app);
  return agent;
}

interface QueueOptions {
  mine?: boolean;
  unassigned?: boolean;
  language?: string;
  category?: string;
  breaching?: boolean;
  limit?: string;
}

function registerQueue(agent: Command, app: App): void {
  const command = subcommand(agent, 'queue', 'tickets still being worked on, most urgent first (see `okpay ticket why N`)')
    .option('--mine', 'only tickets assigned to me')
    .option('--unassigned', 'only tickets nobody holds')
    .option('--language <lang>', 'only tickets in this language')
    .option('--category <category>', 'only this category')
    .option('--breaching', 'only tickets whose running SLA is missed or at risk')
    .option('--limit <n>', 'at most this many tickets', '50');
  examples(command, ['okpay agent queue', 'okpay agent queue --unassigned --language zh', 'okpay agent queue --breaching --json | jq ".tickets[0].number"']);
  action<QueueOptions>(app, command, async (ctx, o) => {
    const language = o.language === undefined ? null : parseLanguage(o.language);
    const category = o.category === undefined ? null : parseCategory(o.category);
    const limit = parsePositiveInt(o.limit ?? '50', '--limit', { max: 1000 });
    const token = await sessionToken(ctx);
    const { entries, names } = await ctx.store.transaction((t) => {
      const { user: me } = authenticate(ctx, t, token, { roles: ['agent'], what: '`agent queue`' });
      const all = activeQueue(ctx, t.state, ctx.now().getTime()).filter(({ ticket, sla }) =>
        (!o.mine || ticket.assigneeId === me.id) &&
        (!o.unassigned || ticket.assigneeId === null) &&
        (language === null || ticket.language === language) &&
        (category === null || ticket.category === category) &&
        (!o.breaching || sla.state === 'breached' || sla.state === 'at-risk'),
      );
      const shown = all.slice(0, limit);
      const names = Object.fromEntries(shown.flatMap(({ ticket }) => [ticket.customerId, ticket.assigneeId]).filter((id): id is string => id !== null).map((id) => [id, emailOf(t.state, id) ?? id]));
      return { entries: shown, names };
    });
    const document = entries.map(({ ticket, sla, urgency }) => ({
      number: ticket.number,
      urgency: urgency.score,
      sla: { state: sla.state, kind: sla.current?.kind ?? null, leftMinutes: sla.current?.leftMinutes ?? null, dueAt: sla.current?.dueAtMs ? new Date(sla.current.dueAtMs).toISOString() : null },
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
    ctx.out.data({ tickets: document }, () =>
      ctx.out.table(
        [
          { key: 'number', title: '#', align: 'right' },
          { key: 'urgency', title: 'Urgency', align: 'right' },
          { key: 'left', title: 'SLA left', align: 'right' },
          { key: 'status', title: 'Status' },
          { key: 'priority', title: 'Priority' },
          { key: 'tier', title: 'Tier', align: 'right' },
          { key: 'category', title: 'Category' },
          { key: 'language', title: 'Lang' },
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
        'the queue is empty',
      ),
    );
  });
}

// ---- a customer's account ------------------------------------------------------------------

/** When an action names a ticket, it must be the customer's; the action is then noted on it. */
function ticketOfCustomer(t: StoreTransaction, numberText: string | undefined, customer: User): Ticket | null {
  if (numberText === undefined) return null;
  const ticket = requireTicket(t.state, parseTicketNumber(numberText));
  if (ticket.customerId !== customer.id) throw new AppError('INVALID_INPUT', `ticket #${ticket.number} is not from ${customer.email}`);
  return ticket;
}

function balancesOf(ctx: Context, t: StoreTransaction, user: User) {
  const available = t.state.balances[userAccount(user.id)] ?? {};
  const held = t.state.balances[holdAccount(user.id)] ?? {};
  const codes = [...new Set([...Object.keys(available), ...Object.keys(held)])].sort();
  return codes.map((code) => {
    const currency = findCurrency(ctx.ref.currencies, code);
    return { currency: code, available: formatAmount(available[code] ?? 0, currency), held: formatAmount(held[code] ?? 0, currency) };
  });
}

async function recentTransactions(ctx: Context, t: StoreTransaction, user: User, limit: number): Promise<TxView[]> {
  const seqs = await t.journal.seqsOfUser(user.id);
  const entries = await t.journal.getMany(seqs.slice(-limit * 2));
  const all: Transaction[] = entries.map((entry) => entry.tx);
  return all.slice(-limit).reverse().map((tx) => viewTransaction(t.state, tx, user.id, followUpsOf(tx.id, all), ctx.ref.currencies));
}

function registerUserShow(user: Command, app: App): void {
  const command = subcommand(user, 'show', 'profile, lock state, identity check, balances and recent transactions of a customer')
    .argument('<email>', 'the customer’s email')
    .option('--ticket <number>', 'the ticket this look-up is for (noted on it and in the audit log)')
    .option('--limit <n>', 'how many recent transactions', '10');
  examples(command, ['okpay agent user show ada@example.com --ticket 12', 'okpay agent user show ada@example.com --json | jq .balances']);
  action<{ ticket?: string; limit?: string }>(app, command, async (ctx, o, args) => {
    const email = normalizeEmail(args[0] ?? '');
    const limit = parsePositiveInt(o.limit ?? '10', '--limit', { max: 200 });
    const token = await sessionToken(ctx);
    const view = await ctx.store.transaction(async (t) => {
      const { user: agent } = authenticate(ctx, t, token, { roles: ['agent'], what: '`agent user show`' });
      const customer = await userByEmail(t, email);
      const ticket = ticketOfCustomer(t, o.ticket, customer);
      audit(ctx, t, 'agent.user-viewed', agent.id, customer.id, { ticket: ticket?.number ?? null });
      const lock = customer.lock ? explainLock(customer) : null;
      return { user: { ...describeUser(customer), lockExplanation: lock }, balances: balancesOf(ctx, t, customer), transactions: await recentTransactions(ctx, t, customer, limit) };
    });
    ctx.out.data(view, () => printUser(ctx, view));
  });
}

function printUser(ctx: Context, view: { user: Record<string, unknown>; balances: { currency: string; available: string; held: string }[]; transactions: TxView[] }): void {
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
    view.balances,
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
    view.transactions.map((tx) => ({ id: tx.id, date: tx.createdAt.slice(0, 16).replace('T', ' '), type: tx.type, amount: tx.net.map((n) => `${n.amount} ${n.currency}`).join(', ') || `${tx.amount ?? ''} ${tx.currency ?? ''}`, status: tx.status })),
    'no transactions',
  );
}

function registerLockVerbs(agent: Command, app: App): void {
  for (const verb of ['lock', 'unlock'] as const) {
    const command = subcommand(agent, verb, verb === 'lock' ? 'lock a customer’s account (only an agent can lift it)' : 'lift the lock on a customer’s account')
      .argument('<email>', 'the customer’s email')
      .requiredOption('--reason <text>', 'why (kept with the lock and mailed to the customer when locking)')
      .option('--ticket <number>', 'the ticket this is for (an internal note is added to it)');
    examples(command, [`okpay agent ${verb} ada@example.com --reason "${verb === 'lock' ? 'card reported stolen' : 'identity confirmed by phone'}" --ticket 12`]);
    action<{ reason: string; ticket?: string }>(app, command, async (ctx, o, args) => {
      const email = normalizeEmail(args[0] ?? '');
      const reason = validateLockReason(o.reason);
      const token = await sessionToken(ctx);
      const changed = await ctx.store.transaction((t) => changeLock(ctx, t, token, verb, email, reason, o.ticket));
      ctx.out.data({ user: describeUser(changed) }, () => ctx.out.success(verb === 'lock' ? `${email} is locked; the customer was told by mail.` : `${email} is unlocked; the customer was told by mail.`));
    });
  }
}

function validateLockReason(text: string): string {
  // The reason is shown to the customer and mailed: one line, no control or invisible characters.
  return boundedText(text, '--reason', { min: 1, max: 200 });
}

async function changeLock(ctx: Context, t: StoreTransaction, token: string | null, verb: 'lock' | 'unlock', email: string, reason: string, ticketText: string | undefined): Promise<User> {
  const { user: agent } = authenticate(ctx, t, token, { roles: ['agent'], what: `\`agent ${verb}\`` });
  const customer = await userByEmail(t, email);
  if (customer.role !== 'user') throw new AppError('FORBIDDEN', `${customer.email} is staff (${customer.role}); agents lock and unlock customers only`);
  const ticket = ticketOfCustomer(t, ticketText, customer);
  const nowIso = ctx.now().toISOString();
  let changed: User;
  if (verb === 'lock') {
    if (customer.lock?.reason === 'agent') throw new AppError('INVALID_TRANSITION', `${customer.email} is already locked by support`);
    changed = await lockUser(t, customer, { reason: 'agent', note: reason, at: nowIso, by: agent.id });
    t.mail(lockNoticeMail(changed, explainLock(changed)), nowIso);
  } else {
    if (!customer.lock) throw new AppError('INVALID_TRANSITION', `the account ${customer.email} is not locked`);
    changed = unlockAccount(customer);
    t.users.put(changed);
    t.mail(unlockedMail(changed), nowIso);
  }
  if (ticket) addNote(t.state, ticket, agent, `Account ${verb === 'lock' ? 'locked' : 'unlocked'} by ${agent.email}: ${reason}`, nowIso);
  audit(ctx, t, `agent.${verb}`, agent.id, customer.id, { reason, ticket: ticket?.number ?? null, previousLock: customer.lock?.reason ?? null });
  return changed;
}

// ---- admin agent add -----------------------------------------------------------------------

export function registerAdminAgentCommands(admin: Command, app: App): void {
  const agent = group(admin, 'agent', 'support agents');
  const add = subcommand(agent, 'add', 'give an existing account the agent role (tier 3 is a manager); run again to change tier or languages')
    .requiredOption('--email <email>', 'the account’s email')
    .requiredOption('--tier <tier>', '1, 2 or 3')
    .requiredOption('--languages <list>', 'languages the agent answers in, e.g. en,zh');
  examples(add, ['okpay admin agent add --email lin@okpay.example --tier 2 --languages en,zh']);
  action<{ email: string; tier: string; languages: string }>(app, add, async (ctx, o) => {
    const email = normalizeEmail(o.email);
    const tier = parseTier(o.tier);
    const languages = [...new Set(o.languages.split(',').map((l) => l.trim()).filter((l) => l !== '').map(parseLanguage))];
    if (languages.length === 0) throw new AppError('USAGE', '--languages needs at least one language', { hint: 'e.g. --languages en,zh' });
    const token = await sessionToken(ctx);
    const updated = await ctx.store.transaction(async (t) => {
      const { user: me } = authenticate(ctx, t, token, { roles: ['admin'], what: '`admin agent add`' });
      const target = await userByEmail(t, email);
      if (target.role === 'admin') throw new AppError('FORBIDDEN', `${email} is an administrator; administrators are not agents`, { hint: 'use a separate account for support work' });
      if (target.status !== 'active') throw new AppError('NOT_ACTIVATED', `the account ${email} is not activated yet`);
      const changed: User = { ...target, role: 'agent', agent: { tier, languages } };
      t.users.put(changed);
      audit(ctx, t, 'agent.added', me.id, target.id, { tier, languages: languages.join(','), wasAgent: target.role === 'agent' });
      return changed;
    });
    ctx.out.data({ user: describeUser(updated) }, () => ctx.out.success(`${updated.email} is a tier-${tier} agent (${languages.join(', ')}). They sign in with \`okpay login\` as before.`));
  });
}
