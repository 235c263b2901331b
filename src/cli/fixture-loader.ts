// Applies a checked fixture plan in one store transaction, through the same use-cases the commands
// use (src/app: deposits, transfers, withdrawals), each entry on a clock stopped at its moment,
// then checks the `expect` sections. Any failure leaves the store as it was.

import { createAccount, lockAccount, tokenRecord, UNLOCK_TOKEN_TTL_MS, ACTIVATION_TTL_MS, explainLock } from '../domain/accounts.js';
import { activationMail, lockedAfterFailuresMail } from '../domain/account-mails.js';
import { parseCalendars } from '../domain/calendar.js';
import { regionForCountry } from '../domain/support-regions.js';
import { AppError, isAppError, type ErrorCode } from '../domain/errors.js';
import { fixtureTime, resolveReferences, type FixtureEntry, type FixtureExpect, type FixturePlan } from '../domain/fixture-plan.js';
import { COUNTABLE, type FixtureTicket, type FixtureTransfer, type FixtureUser, type FixtureWithdrawal } from '../domain/fixture-schemas.js';
import { holdAccount, sha256Hex, SYSTEM_ACCOUNTS, userAccount, type Transaction } from '../domain/ledger.js';
import { findCurrency, formatAmount, parseAmount } from '../domain/money.js';
import { planRefund } from '../domain/refunds.js';
import { refundBooks } from '../app/refunds.js';
import type { User, Withdrawal, WithdrawalMethod } from '../domain/state.js';
import { parseSupport } from '../domain/support.js';
import { saveTicket, saveTickets } from '../app/desk.js';
import { assignTicket, requestEscalation } from '../domain/ticket-assignment.js';
import { parseCategory, parseChannel, parsePriority, parseStatus } from '../domain/ticket-input.js';
import { ACTIVE_STATUSES, type Ticket } from '../domain/ticket-record.js';
import { addAgentReply, addCustomerReply, addNote, changeStatus, openTicket, rateTicket, requireTicket, setPriority } from '../domain/tickets.js';
import { txStatus } from '../domain/tx-view.js';
import { checkPasswordPolicy, normalizeCountry, normalizeEmail, normalizePhone, validateMemo, validateName } from '../domain/validate.js';
import { assertSeedable } from '../domain/wallet.js';
import { activeMethods, addMethod } from '../domain/withdrawals.js';
import type { RecordsTransaction } from '../store/store.js';
import { parseLanguage } from '../domain/language.js';
import { countries } from './countries.js';
import { bankFields, ewalletFields } from './wallet-kit.js';
import type { Context } from './context.js';
import { currencyFlag } from './money-flags.js';
import { depsAt, type AppDeps } from '../app/ports.js';
import { receiveDeposit, sendMoney } from '../app/wallet.js';
import { holdForPayout, releaseToCustomer } from '../app/withdrawals.js';
import { settleStep } from '../app/settle.js';
import { newId, newToken } from './random.js';

export type LoadedIds = Record<string, string | number>;

interface Loader {
  readonly ctx: Context;
  readonly t: RecordsTransaction;
  readonly hashes: ReadonlyMap<string, string>;
  /** name → fields that `${name.field}` may read */
  readonly values: Map<string, Record<string, string>>;
  readonly users: Map<string, User>;
  readonly transfers: Map<string, Transaction>;
  readonly withdrawals: Map<string, Withdrawal>;
  readonly tickets: Map<string, number>;
  readonly ids: LoadedIds;
  posted: number;
}

/** Passwords are checked and hashed before the store is touched (bcrypt is slow; hash each once). */
export async function hashFixturePasswords(ctx: Context, plan: FixturePlan): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  for (const entry of plan.entries) {
    if (entry.kind !== 'user' || hashes.has(entry.value.password)) continue;
    at(entry.value.where, 'password', () => checkPasswordPolicy(entry.value.password));
    hashes.set(entry.value.password, await ctx.passwords.hash(entry.value.password));
  }
  return hashes;
}

export async function applyFixtures(ctx: Context, t: RecordsTransaction, plan: FixturePlan, hashes: ReadonlyMap<string, string>): Promise<LoadedIds> {
  const loader: Loader = {
    ctx,
    t,
    hashes,
    values: new Map(),
    users: new Map(),
    transfers: new Map(),
    withdrawals: new Map(),
    tickets: new Map(),
    ids: {},
    posted: 0,
  };
  const checkAfter = async (applied: number) => {
    const failures: string[] = [];
    for (const e of plan.expectations.filter((x) => x.afterEntries === applied))
      failures.push(...(await checkExpectation(loader, e)).map((f) => `${e.where.file}: ${f}`));
    if (failures.length > 0) {
      throw new AppError('EXPECTATION_FAILED', `the fixtures loaded but their expectations did not hold: ${failures.join('; ')}`, {
        hint: 'nothing was written; fix the fixtures or their expect section',
      });
    }
  };
  await checkAfter(0);
  for (const [index, entry] of plan.entries.entries()) {
    await applyEntry(loader, entry);
    await checkAfter(index + 1);
  }
  t.meta.markTestStore();
  t.audit({
    at: ctx.now().toISOString(),
    type: 'fixtures.loaded',
    actor: null,
    subject: null,
    details: { entries: plan.entries.length, transactions: loader.posted },
  });
  return loader.ids;
}

function failAt(where: { file: string; entry: string }, field: string, message: string): never {
  throw new AppError('INVALID_FILE', `${where.file}: ${where.entry}: ${field}: ${message}`, { hint: 'nothing was written' });
}

/** Runs `work`, turning a refusal into a message that names the file, the entry and the field. */
function at<T>(where: { file: string; entry: string }, field: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (!isAppError(error)) throw error;
    throw new AppError('INVALID_FILE', `${where.file}: ${where.entry}: ${field}: ${error.message}`, {
      hint: 'nothing was written',
      details: { cause: error.code },
    });
  }
}

async function applyEntry(l: Loader, entry: FixtureEntry): Promise<void> {
  switch (entry.kind) {
    case 'user':
      return applyUser(l, entry.value);
    case 'transfer':
      return applyTransfer(l, entry.value);
    case 'withdrawal':
      return applyWithdrawal(l, entry.value);
    case 'ticket':
      return applyTicket(l, entry.value);
  }
}

const resolve = (l: Loader, text: string): string => resolveReferences(text, l.values);
const nowIso = (l: Loader, when: string | null): string => fixtureTime(when, l.ctx.now().getTime());

/** A user named in the fixtures, or by email. */
async function userRef(l: Loader, where: FixtureUser['where'], field: string, text: string): Promise<User> {
  const resolved = resolve(l, text);
  const byName = l.users.get(resolved);
  if (byName) return (await l.t.users.get(byName.id)) ?? byName;
  const email = at(where, field, () => normalizeEmail(resolved));
  const user = await l.t.users.byEmail(email);
  return user ?? failAt(where, field, `no user ${email} (define it earlier in the fixtures)`);
}

function post(l: Loader, tx: Parameters<RecordsTransaction['post']>[0]): Promise<Transaction> {
  l.posted += 1;
  return l.t.post(tx);
}

/** A use-case's journal entry, counted for `counts.transactions`. */
async function counted<T>(l: Loader, posting: Promise<T>): Promise<T> {
  const posted = await posting;
  l.posted += 1;
  return posted;
}

/** The command's dependencies with the clock stopped at the entry's moment. */
function depsOf(l: Loader, when: string): AppDeps {
  const moment = new Date(when);
  return depsAt(l.ctx, () => moment);
}

/** Like `at`, for work that waits on the store; `field` may depend on what was refused. */
async function atAsync<T>(where: { file: string; entry: string }, field: string | ((code: ErrorCode) => string), work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!isAppError(error)) throw error;
    const name = typeof field === 'string' ? field : field(error.code);
    throw new AppError('INVALID_FILE', `${where.file}: ${where.entry}: ${name}: ${error.message}`, {
      hint: 'nothing was written',
      details: { cause: error.code },
    });
  }
}

async function applyUser(l: Loader, u: FixtureUser): Promise<void> {
  const { ctx, t } = l;
  const when = nowIso(l, u.at);
  const fields = {
    email: at(u.where, 'email', () => normalizeEmail(resolve(l, u.email))),
    phone: u.phone === null ? null : at(u.where, 'phone', () => normalizePhone(resolve(l, u.phone ?? ''))),
    country: u.country === null ? null : at(u.where, 'country', () => normalizeCountry(u.country ?? '', countries(ctx))),
    name: u.fullName === null ? null : at(u.where, 'fullName', () => validateName(resolve(l, u.fullName ?? ''))),
    language: u.language === null ? null : parseLanguage(u.language),
  };
  const activationToken = newToken(ctx.random, 'act');
  const activation = u.status === 'pending' ? tokenRecord(sha256Hex(activationToken), Date.parse(when), ACTIVATION_TTL_MS) : null;
  const existing = { byEmail: await t.users.byEmail(fields.email), byPhone: fields.phone === null ? null : await t.users.byPhone(fields.phone) };
  const created = at(u.where, 'email', () =>
    createAccount({ id: newId(ctx.random, 'usr'), ...fields, passwordHash: l.hashes.get(u.password) ?? '', role: u.role, activation }, when, existing),
  );
  let user: User = {
    ...created,
    antiPhishingPhrase: u.antiPhishingPhrase,
    agent: u.kind === 'agent' && u.tier ? { tier: u.tier, languages: u.languages } : null,
    twoFactor: u.twoFactorSecret ? { ...created.twoFactor, enabled: true, secret: u.twoFactorSecret, changedAt: when } : created.twoFactor,
    kyc:
      u.kyc === 'none'
        ? created.kyc
        : {
            status: u.kyc,
            documentType: 'passport',
            documentMasked: '•••• 0000',
            submittedAt: when,
            decidedAt: u.kyc === 'pending' ? null : when,
            decidedBy: null,
            reason: u.kyc === 'rejected' ? 'the document could not be read' : null,
          },
  };
  t.users.put(user);
  if (activation) t.mail(activationMail(user, activationToken), when);
  for (const [code, amountText] of Object.entries(u.balances)) {
    const currency = at(u.where, `balances.${code}`, () => findCurrency(ctx.ref.currencies, code));
    const amountMinor = at(u.where, `balances.${code}`, () => parseAmount(amountText, currency, { ignoreMaximum: true }));
    const takenInMinor = -(await t.balances.get(SYSTEM_ACCOUNTS.world, currency.code));
    await atAsync(u.where, `balances.${code}`, async () => {
      assertSeedable(amountMinor, currency, takenInMinor);
      return counted(l, receiveDeposit(t, depsOf(l, when), user, { amountMinor, currency, source: 'fixture' }));
    });
  }
  if (u.lock) user = lockFixtureUser(l, user, u.lock, when);
  l.users.set(u.name, user);
  l.values.set(u.name, { id: user.id, email: user.email, phone: user.phone ?? '', name: user.name ?? '' });
  l.ids[u.name] = user.id;
}

function lockFixtureUser(l: Loader, user: User, lock: NonNullable<FixtureUser['lock']>, when: string): User {
  // A fixture user has no sessions yet, so there are none for the lock to end.
  const locked = lockAccount(user, { reason: lock.reason, note: lock.note, at: when, by: null });
  l.t.users.put(locked);
  if (lock.reason !== 'failed-logins') return locked;
  // The way out of this lock is the mailed unlock token, so the fixture mails one as the service would.
  const token = newToken(l.ctx.random, 'unl');
  const withToken: User = { ...locked, failedLogins: 5, unlockToken: tokenRecord(sha256Hex(token), Date.parse(when), UNLOCK_TOKEN_TTL_MS) };
  l.t.users.put(withToken);
  l.t.mail(lockedAfterFailuresMail(withToken, token, explainLock(withToken)), when);
  return withToken;
}

/** Refusals of the transfer flow that are about the payee; any other is about the amount. */
const PAYEE_ERRORS: ReadonlySet<ErrorCode> = new Set(['INVALID_EMAIL', 'INVALID_PHONE', 'INVALID_RECIPIENT', 'SELF_TRANSFER']);

async function applyTransfer(l: Loader, f: FixtureTransfer): Promise<void> {
  const { ctx, t } = l;
  const sender = await userRef(l, f.where, 'from', f.from);
  const currency = at(f.where, 'currency', () => currencyFlag(ctx, f.currency));
  const toCurrency = f.toCurrency === null ? currency : at(f.where, 'toCurrency', () => currencyFlag(ctx, f.toCurrency ?? ''));
  const amountMinor = at(f.where, 'amount', () => parseAmount(resolve(l, f.amount), currency));
  const memo = f.memo === null ? null : at(f.where, 'memo', () => validateMemo(f.memo ?? ''));
  const request = { to: resolve(l, f.to), amountMinor, currency: currency.code, toCurrency: toCurrency.code };
  const field = (code: ErrorCode) => (PAYEE_ERRORS.has(code) ? 'to' : 'amount');
  const { tx } = await atAsync(f.where, field, () =>
    counted(l, sendMoney(t, depsOf(l, nowIso(l, f.at)), sender, { request, memo, quote: null, idempotency: null })),
  );
  if (f.name) {
    l.transfers.set(f.name, tx);
    l.values.set(f.name, { id: tx.id });
    l.ids[f.name] = tx.id;
  }
}

async function fixtureMethod(l: Loader, w: FixtureWithdrawal, user: User, when: string): Promise<WithdrawalMethod> {
  const m = w.method;
  const base = { id: newId(l.ctx.random, 'wm'), userId: user.id, createdAt: when, removedAt: null };
  const method: WithdrawalMethod =
    m.type === 'bank'
      ? {
          ...base,
          type: 'bank',
          provider: null,
          walletAccount: null,
          ...at(w.where, 'method', () =>
            bankFields(l.ctx, {
              holder: m.holder,
              ...(m.iban ? { iban: m.iban } : {}),
              ...(m.accountNumber ? { accountNumber: m.accountNumber } : {}),
              ...(m.routingNumber ? { routingNumber: m.routingNumber } : {}),
              ...(m.country ? { country: m.country } : {}),
            }),
          ),
        }
      : {
          ...base,
          type: 'ewallet',
          holder: null,
          iban: null,
          accountNumber: null,
          routingNumber: null,
          country: user.country,
          ...at(w.where, 'method', () => ewalletFields(m.provider, m.account)),
        };
  const mine = await l.t.methods.ofUser(user.id);
  const existing = activeMethods(mine).find((x) => x.label === method.label && x.type === method.type);
  if (existing) return existing;
  const added = addMethod(mine, method);
  l.t.methods.put(added);
  return added;
}

async function applyWithdrawal(l: Loader, w: FixtureWithdrawal): Promise<void> {
  const { ctx, t } = l;
  const user = await userRef(l, w.where, 'user', w.user);
  const when = nowIso(l, w.at);
  const method = await fixtureMethod(l, w, user, when);
  const currency = at(w.where, 'currency', () => currencyFlag(ctx, w.currency));
  const amountMinor = at(w.where, 'amount', () => parseAmount(resolve(l, w.amount), currency));
  const held = await atAsync(w.where, 'amount', () =>
    counted(l, holdForPayout(t, depsOf(l, when), user, { methodId: method.id, currency, amountMinor }, null)),
  );
  const withdrawal = await moveWithdrawal(l, user, held.withdrawal, w.status, when);
  if (w.name) {
    l.withdrawals.set(w.name, withdrawal);
    l.values.set(w.name, { id: withdrawal.id, methodId: method.id });
    l.ids[w.name] = withdrawal.id;
  }
}

/**
 * Fixtures may put a payout in any status at once: the steps settlement and cancel take, through
 * their use-cases, without waiting for business days.
 */
async function moveWithdrawal(l: Loader, user: User, w: Withdrawal, status: FixtureWithdrawal['status'], when: string): Promise<Withdrawal> {
  const deps = depsOf(l, when);
  if (status === 'requested') return w;
  if (status === 'cancelled') return (await counted(l, releaseToCustomer(l.t, deps, user, w.id))).withdrawal;
  const processing: Withdrawal = { ...w, status: 'processing', processingAt: when };
  if (status === 'processing') {
    await settleStep(l.t, deps, { kind: 'processing', withdrawal: processing });
    return processing;
  }
  const tx = await counted(l, settleStep(l.t, deps, { kind: status === 'completed' ? 'complete' : 'fail', withdrawal: processing }));
  const finished = tx?.details.record;
  return finished ? { ...finished, holdTxId: w.holdTxId } : processing;
}

async function applyTicket(l: Loader, f: FixtureTicket): Promise<void> {
  const { ctx, t } = l;
  const support = ctx.ref.load('support.json', parseSupport);
  const customer = await userRef(l, f.where, 'customer', f.customer);
  const recent = await recentTicketsOf(t, customer);
  const when = nowIso(l, f.at);
  const region = regionForCountry(ctx.ref.load('calendars.json', parseCalendars), customer.country);
  const txId = f.tx === null ? null : resolve(l, f.tx);
  const opened = at(f.where, 'category', () =>
    openTicket(
      {
        customer,
        category: parseCategory(f.category),
        subject: resolve(l, f.subject),
        body: resolve(l, f.body),
        channel: f.channel === null ? 'email' : parseChannel(f.channel),
        language: f.language === null ? (customer.language ?? 'en') : parseLanguage(f.language),
        regionId: region.id,
        txId,
      },
      recent,
      () => t.tickets.nextNumber(),
      support,
      Date.parse(when),
    ),
  );
  let ticket = saveTicket(t, ctx.ref, opened.ticket);
  ticket = await ticketActions(l, f, ticket, customer, when);
  if (f.name) {
    l.tickets.set(f.name, ticket.number);
    l.values.set(f.name, { number: String(ticket.number) });
    l.ids[f.name] = ticket.number;
  }
}

/** A bound on the customer's tickets compared for a duplicate (fixtures hold a handful each). */
const RECENT_TICKETS_MAX = 200;

async function recentTicketsOf(t: RecordsTransaction, customer: User): Promise<Ticket[]> {
  const page = await t.tickets.ofCustomer(customer.id, null, { limit: RECENT_TICKETS_MAX, offset: 0 });
  const tickets: Ticket[] = [];
  for (const summary of page.items) tickets.push(requireTicket(await t.tickets.get(summary.number), summary.number));
  return tickets.sort((a, b) => a.number - b.number);
}

async function ticketActions(l: Loader, f: FixtureTicket, opened: Ticket, customer: User, when: string): Promise<Ticket> {
  const { t } = l;
  const keep = (changed: Ticket): Ticket => saveTicket(t, l.ctx.ref, changed);
  const nextNumber = () => t.tickets.nextNumber();
  let ticket = opened;
  // Whatever follows the messages (escalation, refund, status, rating) happens after the last of
  // them, so that the ticket's event log, from which its SLA is derived, runs forward in time.
  let latest = when;
  const agentOf = async (text: string, field: string) => {
    const agent = await userRef(l, f.where, field, text);
    return agent.role === 'agent' ? agent : failAt(f.where, field, `${agent.email} is not an agent`);
  };
  if (f.priority) ticket = at(f.where, 'priority', () => keep(setPriority(ticket, parsePriority(f.priority ?? ''), customer, when)));
  if (f.assignee) {
    const agent = await agentOf(f.assignee, 'assignee');
    ticket = at(f.where, 'assignee', () => keep(assignTicket(ticket, agent, agent, when)));
  }
  for (const [i, m] of f.messages.entries()) {
    const field = `messages[${i}]`;
    const stamp = m.at === null ? latest : nowIso(l, m.at);
    if (stamp < latest) failAt(f.where, `${field}.at`, `${stamp} is before ${i === 0 ? 'the ticket was opened' : 'the message above it'} (${latest})`);
    latest = stamp;
    if (m.from === 'customer') {
      ticket = at(f.where, field, () => {
        const reply = addCustomerReply(ticket, customer, resolve(l, m.body), nextNumber, stamp);
        saveTickets(t, l.ctx.ref, reply.changed);
        return reply.ticket;
      });
    } else {
      const agent = await agentOf(m.from, `${field}.from`);
      ticket = at(f.where, field, () =>
        keep(
          m.internal
            ? addNote(ticket, agent, resolve(l, m.body), stamp)
            : addAgentReply(ticket, agent, { body: resolve(l, m.body), faqId: null, status: null }, stamp),
        ),
      );
    }
  }
  if (f.escalation) ticket = at(f.where, 'escalation', () => keep(requestEscalation(ticket, customer, resolve(l, f.escalation ?? ''), false, latest)));
  if (f.refund) ticket = await fixtureRefund(l, f, ticket, await agentOf(f.refund.agent, 'refund.agent'), latest);
  if (f.status && f.status !== ticket.status) {
    const status = at(f.where, 'status', () => parseStatus(f.status ?? ''));
    const agent = ticket.assigneeId ? await t.users.get(ticket.assigneeId) : null;
    ticket = at(f.where, 'status', () => keep(changeStatus(ticket, status, agent, latest)));
  }
  if (f.rating) {
    ticket = at(f.where, 'rating', () => {
      const rated = rateTicket(ticket, customer, f.rating?.score ?? 5, f.rating?.comment ?? null, nextNumber, latest);
      saveTickets(t, l.ctx.ref, rated.changed);
      return rated.ticket;
    });
  }
  return requireTicket(await t.tickets.get(ticket.number), ticket.number);
}

async function fixtureRefund(l: Loader, f: FixtureTicket, ticket: Ticket, agent: User, when: string): Promise<Ticket> {
  const { t } = l;
  const original =
    [...l.transfers.values()].find((tx) => tx.id === ticket.txId) ??
    failAt(f.where, 'refund', 'a refund needs the ticket’s tx to be a transfer defined earlier in the fixtures');
  const request = {
    original,
    priorRefund: await t.refunds.get(original.id),
    agent,
    ticketNumber: ticket.number,
    ticketCustomerId: ticket.customerId,
    ticketTxId: ticket.txId,
    approvedBy: null,
    reason: 'refund of a disputed payment',
    nowIso: when,
  };
  const books = await refundBooks(t, original);
  await atAsync(f.where, 'refund', () => post(l, planRefund(request, books, l.ctx.ref.currencies)));
  return requireTicket(await t.tickets.get(ticket.number), ticket.number);
}

// ---- expectations -----------------------------------------------------------------------------

async function checkExpectation(l: Loader, e: FixtureExpect): Promise<string[]> {
  const failures: string[] = [];
  const { ctx, t } = l;
  const money = async (field: 'balances' | 'held', read: (userId: string, code: string) => Promise<number>) => {
    for (const [name, amounts] of Object.entries(e[field])) {
      const user = l.users.get(name);
      for (const [code, expected] of Object.entries(amounts)) {
        const currency = at(e.where, `${field}.${name}.${code}`, () => findCurrency(ctx.ref.currencies, code));
        const want = at(e.where, `${field}.${name}.${code}`, () => parseAmount(expected, currency, { allowZero: true, ignoreMaximum: true }));
        const have = user ? await read(user.id, code) : 0;
        if (have !== want) failures.push(`${field}.${name}.${code} is ${formatAmount(have, currency)}, expected ${expected}`);
      }
    }
  };
  await money('balances', (id, code) => t.balances.get(userAccount(id), code));
  await money('held', (id, code) => t.balances.get(holdAccount(id), code));
  for (const [name, expected] of Object.entries(e.statuses)) {
    const actual = await statusOf(l, name);
    if (actual !== expected) failures.push(`statuses.${name} is ${actual}, expected ${expected}`);
  }
  for (const [key, expected] of Object.entries(e.counts)) {
    const actual = await countOf(l, key as (typeof COUNTABLE)[number]);
    if (actual !== expected) failures.push(`counts.${key} is ${actual}, expected ${expected}`);
  }
  return failures;
}

async function statusOf(l: Loader, name: string): Promise<string> {
  const { t } = l;
  const tx = l.transfers.get(name);
  if (tx)
    return txStatus(
      { refundedBy: await t.refunds.get(tx.id), stillUnclaimed: (await t.unclaimed.get(tx.id)) !== null, liveWithdrawal: null, emails: {} },
      tx,
      [],
    );
  const withdrawal = l.withdrawals.get(name);
  if (withdrawal) return (await t.withdrawals.get(withdrawal.id))?.status ?? withdrawal.status;
  const number = l.tickets.get(name);
  return number === undefined ? 'unknown' : ((await t.tickets.get(number))?.status ?? 'unknown');
}

/** Counts walk whole kinds a page at a time: fixture stores are small, and this runs only for `expect`. */
async function countOf(l: Loader, key: (typeof COUNTABLE)[number]): Promise<number> {
  const { t } = l;
  switch (key) {
    case 'users':
      return countIn(t.users.scan(PAGE), (u) => u.role === 'user');
    case 'agents':
      return countIn(t.users.scan(PAGE), (u) => u.role === 'agent');
    case 'transactions':
      return t.journal.head().seq + l.posted;
    case 'withdrawalsInFlight':
      return countIn(t.withdrawals.scan(PAGE), () => true);
    case 'tickets':
      return countIn(t.tickets.scan(PAGE), () => true);
    case 'openTickets':
      return countIn(t.tickets.scan(PAGE), (x) => ACTIVE_STATUSES.includes(x.status));
  }
}

const PAGE = 500;

async function countIn<T>(pages: AsyncIterable<T[]>, keep: (item: T) => boolean): Promise<number> {
  let count = 0;
  for await (const page of pages) count += page.filter(keep).length;
  return count;
}
