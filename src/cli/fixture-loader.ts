// Applies a checked fixture plan in one store transaction, through the same domain functions the
// commands use, then checks the `expect` sections. Any failure leaves the store as it was.

import { createAccount, lockAccount, tokenRecord, UNLOCK_TOKEN_TTL_MS, ACTIVATION_TTL_MS, explainLock, type ExistingAccounts } from '../domain/accounts.js';
import { activationMail, lockedAfterFailuresMail } from '../domain/account-mails.js';
import { parseCalendars, regionForCountry } from '../domain/calendar.js';
import { AppError, isAppError } from '../domain/errors.js';
import { computeWithdrawalQuote } from '../domain/fees.js';
import { COUNTABLE, fixtureTime, resolveReferences, type FixtureEntry, type FixtureExpect, type FixturePlan, type FixtureTicket, type FixtureTransfer, type FixtureUser, type FixtureWithdrawal } from '../domain/fixtures.js';
import { holdAccount, sha256Hex, userAccount, type Transaction } from '../domain/ledger.js';
import { findCurrency, formatAmount, parseAmount } from '../domain/money.js';
import { planRefund } from '../domain/refunds.js';
import type { User, Withdrawal, WithdrawalMethod } from '../domain/state.js';
import { parseSupport } from '../domain/support.js';
import { saveTicket, saveTickets } from '../app/desk.js';
import { ACTIVE_STATUSES, addAgentReply, addCustomerReply, addNote, assignTicket, changeStatus, openTicket, parseCategory, parseChannel, parsePriority, parseStatus, rateTicket, requestEscalation, requireTicket, setPriority, type Ticket } from '../domain/tickets.js';
import { txStatus } from '../domain/tx-view.js';
import { checkPasswordPolicy, classifyRecipient, normalizeCountry, normalizeEmail, normalizePhone, validateMemo, validateName } from '../domain/validate.js';
import { planDeposit, planTransfer, priceTransfer, resolveRecipient, windowUsdMinor } from '../domain/wallet.js';
import { activeMethods, addMethod, planCompletion, planRelease, planWithdrawal } from '../domain/withdrawals.js';
import type { StoreTransaction } from '../store/store.js';
import { audit } from './auth.js';
import { countries, parseLanguage } from './commands/account.js';
import { payoutRef } from '../app/withdrawals.js';
import { bankFields, ewalletFields } from './wallet-kit.js';
import { phoneCountry } from '../domain/phone.js';
import type { Context } from './context.js';
import { currencyFlag, walletRef } from './money.js';
import { newId, newToken } from './random.js';

export type LoadedIds = Record<string, string | number>;

interface Loader {
  readonly ctx: Context;
  readonly t: StoreTransaction;
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

export async function applyFixtures(ctx: Context, t: StoreTransaction, plan: FixturePlan, hashes: ReadonlyMap<string, string>): Promise<LoadedIds> {
  const loader: Loader = { ctx, t, hashes, values: new Map(), users: new Map(), transfers: new Map(), withdrawals: new Map(), tickets: new Map(), ids: {}, posted: 0 };
  const checkAfter = (applied: number) => {
    const failures = plan.expectations.filter((e) => e.afterEntries === applied).flatMap((e) => checkExpectation(loader, e).map((f) => `${e.where.file}: ${f}`));
    if (failures.length > 0) {
      throw new AppError('EXPECTATION_FAILED', `the fixtures loaded but their expectations did not hold: ${failures.join('; ')}`, { hint: 'nothing was written; fix the fixtures or their expect section' });
    }
  };
  checkAfter(0);
  for (const [index, entry] of plan.entries.entries()) {
    await applyEntry(loader, entry);
    checkAfter(index + 1);
  }
  t.state.meta = { ...t.state.meta, testStore: true };
  audit(ctx, t, 'fixtures.loaded', null, null, { entries: plan.entries.length, transactions: loader.posted });
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
    throw new AppError('INVALID_FILE', `${where.file}: ${where.entry}: ${field}: ${error.message}`, { hint: 'nothing was written', details: { cause: error.code } });
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
function userRef(l: Loader, where: FixtureUser['where'], field: string, text: string): User {
  const resolved = resolve(l, text);
  const byName = l.users.get(resolved);
  if (byName) return l.t.state.users[byName.id] ?? byName;
  const email = at(where, field, () => normalizeEmail(resolved));
  const user = Object.values(l.t.state.users).find((u) => u.email === email);
  return user ?? failAt(where, field, `no user ${email} (define it earlier in the fixtures)`);
}

function post(l: Loader, tx: Parameters<StoreTransaction['post']>[0]): Transaction {
  l.posted += 1;
  return l.t.postNow(tx);
}

function applyUser(l: Loader, u: FixtureUser): void {
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
  const created = at(u.where, 'email', () => createAccount({ id: newId(ctx.random, 'usr'), ...fields, passwordHash: l.hashes.get(u.password) ?? '', role: u.role, activation }, when, existingAccounts(l, fields.email, fields.phone)));
  let user: User = {
    ...created,
    antiPhishingPhrase: u.antiPhishingPhrase,
    agent: u.kind === 'agent' && u.tier ? { tier: u.tier, languages: u.languages } : null,
    twoFactor: u.twoFactorSecret ? { ...created.twoFactor, enabled: true, secret: u.twoFactorSecret, changedAt: when } : created.twoFactor,
    kyc: u.kyc === 'none' ? created.kyc : { status: u.kyc, documentType: 'passport', documentMasked: '•••• 0000', submittedAt: when, decidedAt: u.kyc === 'pending' ? null : when, decidedBy: null, reason: u.kyc === 'rejected' ? 'the document could not be read' : null },
  };
  t.state.users[user.id] = user;
  if (activation) t.mail(activationMail(user, activationToken), when);
  for (const [code, amountText] of Object.entries(u.balances)) {
    const currency = at(u.where, `balances.${code}`, () => findCurrency(ctx.ref.currencies, code));
    const amountMinor = at(u.where, `balances.${code}`, () => parseAmount(amountText, currency, { ignoreMaximum: true }));
    post(l, planDeposit(user, amountMinor, currency, 'fixture', when));
  }
  if (u.lock) user = lockFixtureUser(l, user, u.lock, when);
  l.users.set(u.name, user);
  l.values.set(u.name, { id: user.id, email: user.email, phone: user.phone ?? '', name: user.name ?? '' });
  l.ids[u.name] = user.id;
}

function existingAccounts(l: Loader, email: string, phone: string | null): ExistingAccounts {
  const users = Object.values(l.t.state.users);
  return { byEmail: users.find((x) => x.email === email), byPhone: phone === null ? null : users.find((x) => x.phone === phone) };
}

function lockFixtureUser(l: Loader, user: User, lock: NonNullable<FixtureUser['lock']>, when: string): User {
  // A fixture user has no sessions yet, so there are none for the lock to end.
  const locked = lockAccount(user, { reason: lock.reason, note: lock.note, at: when, by: null });
  l.t.state.users[user.id] = locked;
  if (lock.reason !== 'failed-logins') return locked;
  // The way out of this lock is the mailed unlock token, so the fixture mails one as the service would.
  const token = newToken(l.ctx.random, 'unl');
  const withToken: User = { ...locked, failedLogins: 5, unlockToken: tokenRecord(sha256Hex(token), Date.parse(when), UNLOCK_TOKEN_TTL_MS) };
  l.t.state.users[user.id] = withToken;
  l.t.mail(lockedAfterFailuresMail(withToken, token, explainLock(withToken)), when);
  return withToken;
}

function applyTransfer(l: Loader, f: FixtureTransfer): void {
  const { ctx, t } = l;
  const sender = userRef(l, f.where, 'from', f.from);
  const nowMs = Date.parse(nowIso(l, f.at));
  const currency = at(f.where, 'currency', () => currencyFlag(ctx, f.currency));
  const toCurrency = f.toCurrency === null ? currency : at(f.where, 'toCurrency', () => currencyFlag(ctx, f.toCurrency ?? ''));
  const amountMinor = at(f.where, 'amount', () => parseAmount(resolve(l, f.amount), currency));
  const memo = f.memo === null ? null : at(f.where, 'memo', () => validateMemo(f.memo ?? ''));
  const to = at(f.where, 'to', () => {
    const recipient = classifyRecipient(resolve(l, f.to));
    const found = Object.values(t.state.users).find((u) => (recipient.kind === 'email' ? u.email === recipient.email : u.phone === recipient.phone)) ?? null;
    return resolveRecipient(sender, recipient, found, phoneCountry);
  });
  const tx = at(f.where, 'amount', () => {
    const quote = priceTransfer(walletRef(ctx), sender, to, amountMinor, currency, toCurrency);
    const availableMinor = t.state.balances[userAccount(sender.id)]?.[currency.code] ?? 0;
    return post(l, planTransfer(walletRef(ctx), { sender, to, quote, currency, memo, quoteId: null, idempotency: null, nowMs, availableMinor, windowUsdMinor: windowUsdMinor(t.state.limitWindows[sender.id] ?? {}, nowMs) }));
  });
  if (f.name) {
    l.transfers.set(f.name, tx);
    l.values.set(f.name, { id: tx.id });
    l.ids[f.name] = tx.id;
  }
}

function fixtureMethod(l: Loader, w: FixtureWithdrawal, user: User, when: string): WithdrawalMethod {
  const m = w.method;
  const base = { id: newId(l.ctx.random, 'wm'), userId: user.id, createdAt: when, removedAt: null };
  const method: WithdrawalMethod =
    m.type === 'bank'
      ? { ...base, type: 'bank', provider: null, walletAccount: null, ...at(w.where, 'method', () => bankFields(l.ctx, { holder: m.holder, ...(m.iban ? { iban: m.iban } : {}), ...(m.accountNumber ? { accountNumber: m.accountNumber } : {}), ...(m.routingNumber ? { routingNumber: m.routingNumber } : {}), ...(m.country ? { country: m.country } : {}) })) }
      : { ...base, type: 'ewallet', holder: null, iban: null, accountNumber: null, routingNumber: null, country: user.country, ...at(w.where, 'method', () => ewalletFields(m.provider, m.account)) };
  const mine = Object.values(l.t.state.methods).filter((x) => x.userId === user.id);
  const existing = activeMethods(mine).find((x) => x.label === method.label && x.type === method.type);
  if (existing) return existing;
  const added = addMethod(mine, method);
  l.t.methods.put(added);
  return added;
}

function applyWithdrawal(l: Loader, w: FixtureWithdrawal): void {
  const { ctx, t } = l;
  const user = userRef(l, w.where, 'user', w.user);
  const when = nowIso(l, w.at);
  const method = fixtureMethod(l, w, user, when);
  const currency = at(w.where, 'currency', () => currencyFlag(ctx, w.currency));
  const amountMinor = at(w.where, 'amount', () => parseAmount(resolve(l, w.amount), currency));
  const quote = computeWithdrawalQuote({ amountMinor, currency, methodType: method.type }, { schedule: ctx.ref.fees });
  const tx = at(w.where, 'amount', () => post(l, planWithdrawal(payoutRef(ctx), { id: newId(ctx.random, 'wd'), user, method, quote, currency, quoteId: null, nowMs: Date.parse(when), availableMinor: t.state.balances[userAccount(user.id)]?.[currency.code] ?? 0, windowUsdMinor: windowUsdMinor(t.state.limitWindows[user.id] ?? {}, Date.parse(when)) })));
  let withdrawal = Object.values(t.state.withdrawals).find((x) => x.holdTxId === tx.id);
  if (!withdrawal) throw new Error('fixture withdrawal missing after posting');
  withdrawal = moveWithdrawal(l, withdrawal, w.status, when);
  if (w.name) {
    l.withdrawals.set(w.name, withdrawal);
    l.values.set(w.name, { id: withdrawal.id, methodId: method.id });
    l.ids[w.name] = withdrawal.id;
  }
}

/** Fixtures may put a payout in any status: the same transitions settlement and cancel make. */
function moveWithdrawal(l: Loader, w: Withdrawal, status: FixtureWithdrawal['status'], when: string): Withdrawal {
  if (status === 'requested') return w;
  const processing: Withdrawal = { ...w, status: 'processing', processingAt: when };
  if (status === 'processing') {
    l.t.state.withdrawals[w.id] = processing;
    return processing;
  }
  if (status === 'completed') {
    post(l, planCompletion(processing, when));
    return { ...processing, status: 'completed', finishedAt: when };
  }
  const reason = status === 'failed' ? 'the receiving account refused the payout' : 'cancelled by the customer';
  post(l, planRelease(status === 'failed' ? processing : w, status, reason, status === 'cancelled' ? w.userId : null, when));
  return { ...w, status, finishedAt: when, failureReason: reason };
}

function applyTicket(l: Loader, f: FixtureTicket): void {
  const { ctx, t } = l;
  const support = ctx.ref.load('support.json', parseSupport);
  const customer = userRef(l, f.where, 'customer', f.customer);
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
      Object.values(t.state.tickets),
      () => t.tickets.nextNumber(),
      support,
      Date.parse(when),
    ),
  );
  let ticket = saveTicket(t, ctx.ref, opened.ticket);
  ticket = ticketActions(l, f, ticket, customer, when);
  if (f.name) {
    l.tickets.set(f.name, ticket.number);
    l.values.set(f.name, { number: String(ticket.number) });
    l.ids[f.name] = ticket.number;
  }
}

function ticketActions(l: Loader, f: FixtureTicket, opened: Ticket, customer: User, when: string): Ticket {
  const { t } = l;
  const keep = (changed: Ticket): Ticket => saveTicket(t, l.ctx.ref, changed);
  const nextNumber = () => t.tickets.nextNumber();
  let ticket = opened;
  // Whatever follows the messages (escalation, refund, status, rating) happens after the last of
  // them, so that the ticket's event log, from which its SLA is derived, runs forward in time.
  let latest = when;
  const agentOf = (text: string, field: string) => {
    const agent = userRef(l, f.where, field, text);
    return agent.role === 'agent' ? agent : failAt(f.where, field, `${agent.email} is not an agent`);
  };
  if (f.priority) ticket = at(f.where, 'priority', () => keep(setPriority(ticket, parsePriority(f.priority ?? ''), customer, when)));
  if (f.assignee) {
    const agent = agentOf(f.assignee, 'assignee');
    ticket = at(f.where, 'assignee', () => keep(assignTicket(ticket, agent, agent, when)));
  }
  f.messages.forEach((m, i) => {
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
      const agent = agentOf(m.from, `${field}.from`);
      ticket = at(f.where, field, () => keep(m.internal ? addNote(ticket, agent, resolve(l, m.body), stamp) : addAgentReply(ticket, agent, { body: resolve(l, m.body), faqId: null, status: null }, stamp)));
    }
  });
  if (f.escalation) ticket = at(f.where, 'escalation', () => keep(requestEscalation(ticket, customer, resolve(l, f.escalation ?? ''), false, latest)));
  if (f.refund) ticket = fixtureRefund(l, f, ticket, agentOf(f.refund.agent, 'refund.agent'), latest);
  if (f.status && f.status !== ticket.status) {
    const status = at(f.where, 'status', () => parseStatus(f.status ?? ''));
    const agent = ticket.assigneeId ? (t.state.users[ticket.assigneeId] ?? null) : null;
    ticket = at(f.where, 'status', () => keep(changeStatus(ticket, status, agent, latest)));
  }
  if (f.rating) {
    ticket = at(f.where, 'rating', () => {
      const rated = rateTicket(ticket, customer, f.rating?.score ?? 5, f.rating?.comment ?? null, nextNumber, latest);
      saveTickets(t, l.ctx.ref, rated.changed);
      return rated.ticket;
    });
  }
  return requireTicket(t.state.tickets[String(ticket.number)] ?? null, ticket.number);
}

function fixtureRefund(l: Loader, f: FixtureTicket, ticket: Ticket, agent: User, when: string): Ticket {
  const original = [...l.transfers.values()].find((tx) => tx.id === ticket.txId) ?? failAt(f.where, 'refund', 'a refund needs the ticket’s tx to be a transfer defined earlier in the fixtures');
  at(f.where, 'refund', () => post(l, planRefund({ original, priorRefund: l.t.state.refunds[original.id] ?? null, agent, ticketNumber: ticket.number, ticketCustomerId: ticket.customerId, reason: 'refund of a disputed payment', nowIso: when }, { balances: l.t.state.balances, emails: Object.fromEntries(Object.values(l.t.state.users).map((u) => [u.id, u.email])) }, l.ctx.ref.currencies)));
  return requireTicket(l.t.state.tickets[String(ticket.number)] ?? null, ticket.number);
}

// ---- expectations -----------------------------------------------------------------------------

function checkExpectation(l: Loader, e: FixtureExpect): string[] {
  const failures: string[] = [];
  const { ctx, t } = l;
  const money = (field: 'balances' | 'held', read: (userId: string, code: string) => number) => {
    for (const [name, amounts] of Object.entries(e[field])) {
      const user = l.users.get(name);
      for (const [code, expected] of Object.entries(amounts)) {
        const currency = at(e.where, `${field}.${name}.${code}`, () => findCurrency(ctx.ref.currencies, code));
        const want = at(e.where, `${field}.${name}.${code}`, () => parseAmount(expected, currency, { allowZero: true, ignoreMaximum: true }));
        const have = user ? read(user.id, code) : 0;
        if (have !== want) failures.push(`${field}.${name}.${code} is ${formatAmount(have, currency)}, expected ${expected}`);
      }
    }
  };
  money('balances', (id, code) => t.state.balances[userAccount(id)]?.[code] ?? 0);
  money('held', (id, code) => t.state.balances[holdAccount(id)]?.[code] ?? 0);
  for (const [name, expected] of Object.entries(e.statuses)) {
    const actual = statusOf(l, name);
    if (actual !== expected) failures.push(`statuses.${name} is ${actual}, expected ${expected}`);
  }
  for (const [key, expected] of Object.entries(e.counts)) {
    const actual = countOf(l, key as (typeof COUNTABLE)[number]);
    if (actual !== expected) failures.push(`counts.${key} is ${actual}, expected ${expected}`);
  }
  return failures;
}

function statusOf(l: Loader, name: string): string {
  const tx = l.transfers.get(name);
  if (tx) return txStatus({ refundedBy: l.t.state.refunds[tx.id] ?? null, stillUnclaimed: l.t.state.unclaimed[tx.id] !== undefined, liveWithdrawal: null, emails: {} }, tx, []);
  const withdrawal = l.withdrawals.get(name);
  if (withdrawal) return l.t.state.withdrawals[withdrawal.id]?.status ?? withdrawal.status;
  const number = l.tickets.get(name);
  return number === undefined ? 'unknown' : (l.t.state.tickets[String(number)]?.status ?? 'unknown');
}

function countOf(l: Loader, key: (typeof COUNTABLE)[number]): number {
  const state = l.t.state;
  const users = Object.values(state.users);
  const tickets = Object.values(state.tickets);
  switch (key) {
    case 'users':
      return users.filter((u) => u.role === 'user').length;
    case 'agents':
      return users.filter((u) => u.role === 'agent').length;
    case 'transactions':
      return state.meta.journal.seq + l.posted;
    case 'withdrawalsInFlight':
      return Object.keys(state.withdrawals).length;
    case 'tickets':
      return tickets.length;
    case 'openTickets':
      return tickets.filter((x) => ACTIVE_STATUSES.includes(x.status)).length;
  }
}
