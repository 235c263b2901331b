// okpay fixtures generate: a realistic store made through the same use-cases as the real commands
// (src/app: deposits, transfers, claims, withdrawals, settlement), on a clock that walks through
// the generated months, so every invariant holds and `verify` passes; from a seed. Only the
// mails and audit lines the commands add are left out. The same seed and the same
// "now" give the same store, byte for byte apart from bcrypt salts.

import { performance } from 'node:perf_hooks';
import { createAccount, lockAccount } from '../domain/accounts.js';
import { nextOpeningMs } from '../domain/business-time.js';
import { parseCalendars } from '../domain/calendar.js';
import { payoutRegion, regionForCountry } from '../domain/support-regions.js';
import { AppError, isAppError } from '../domain/errors.js';
import { LANGUAGES, type Language } from '../domain/language.js';
import { userAccount, type Transaction } from '../domain/ledger.js';
import { findCurrency, formatAmount, type Currency } from '../domain/money.js';
import { compareCodeUnits } from '../domain/code-unit-order.js';
import { parseGeneratorData, type GeneratorData } from '../domain/generator-data.js';
import { Prng } from '../domain/prng.js';
import type { UnclaimedTransfer, User, Withdrawal, WithdrawalMethod } from '../domain/state.js';
import { parseSupport, type SupportData } from '../domain/support.js';
import { saveTicket } from '../app/desk.js';
import { requestEscalation } from '../domain/ticket-assignment.js';
import { TICKET_CATEGORIES } from '../domain/ticket-kinds.js';
import { ACTIVE_STATUSES, type Ticket, type TicketStatus } from '../domain/ticket-record.js';
import { addAgentReply, addCustomerReply, addNote, changeStatus, mergeTickets, openTicket, rateTicket } from '../domain/tickets.js';
import { parsePositiveInt } from '../domain/validate.js';
import { ibanCheckDigits } from '../domain/validate-bank.js';
import { usdEquivalentMinor } from '../domain/fx.js';
import { remainingAllowance } from '../domain/limits.js';
import { currentWindow, windowUsdMinor, type TransferRequest } from '../domain/wallet.js';
import { addMethod } from '../domain/withdrawals.js';
import type { RecordsTransaction } from '../store/store.js';
import { assertTestable } from '../app/test-store.js';
import { depsAt, type AppDeps } from '../app/ports.js';
import { movePayout, returnToSender, type PayoutMove } from '../app/settle.js';
import { claimWaiting, receiveDeposit, sendMoney, type Paid } from '../app/wallet.js';
import { holdForPayout, payoutRef, releaseToCustomer } from '../app/withdrawals.js';
import type { Context } from './context.js';
import { startProgress } from './progress.js';
import { newId, type Random } from './random.js';

export interface GeneratorOptions {
  readonly users: number;
  readonly transactions: number;
  readonly tickets: number;
  readonly seed: string;
}

const PASSWORD = 'Generated-pass-1!';
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const SPAN_DAYS = 120;
const FLUSH_EVERY = 1000;

export function parseGeneratorOptions(o: { users: string; transactions: string; tickets: string; seed: string }): GeneratorOptions {
  const seed = o.seed.trim();
  if (seed.length === 0 || seed.length > 100) throw new AppError('INVALID_TEXT', '--seed must be 1–100 characters');
  return {
    users: parsePositiveInt(o.users, '--users', { min: 2, max: 1_000_000 }),
    transactions: o.transactions.trim() === '0' ? 0 : parsePositiveInt(o.transactions, '--transactions', { min: 1, max: 5_000_000 }),
    tickets: o.tickets.trim() === '0' ? 0 : parsePositiveInt(o.tickets, '--tickets', { min: 1, max: 100_000 }),
    seed,
  };
}

interface Person {
  readonly id: string;
  readonly currency: Currency;
  readonly methodId: string | null;
}

class Generation {
  readonly prng: Prng;
  readonly random: Random;
  readonly data: GeneratorData;
  readonly people: Person[] = [];
  readonly pending: string[] = [];
  readonly agents: User[] = [];
  readonly support: SupportData;
  clockMs: number;
  posted = 0;
  prospects = 0;
  readonly transfers: Transaction[] = [];
  readonly emails = new Map<string, User>();
  readonly phones = new Map<string, User>();
  /** The last number given out in each country's mobile range. */
  private readonly mobiles = new Map<string, number>();
  /** Users with a payout in flight (one at a time each). */
  readonly paying = new Set<string>();
  /** When each payout in flight next needs settling. */
  readonly dueAt = new Map<string, number>();
  /** Payouts in flight, in the order they were requested: the generator made each of them. */
  readonly inFlight = new Map<string, Withdrawal>();
  /** Users who have paid since their limit window was last pruned. */
  readonly windowed = new Set<string>();
  /** What the use-cases run on: the generator's clock, and ids from the seed. */
  readonly deps: AppDeps;

  constructor(
    readonly ctx: Context,
    readonly t: RecordsTransaction,
    readonly options: GeneratorOptions,
    readonly anchorMs: number,
    readonly passwordHash: string,
  ) {
    this.prng = new Prng(options.seed);
    // Ids come from a stream of their own, so a change in how ids are drawn moves no other value.
    this.random = new Prng(`${options.seed}:ids`);
    this.data = ctx.ref.load('generator.json', parseGeneratorData);
    this.support = ctx.ref.load('support.json', parseSupport);
    this.clockMs = anchorMs - SPAN_DAYS * DAY_MS;
    this.deps = depsAt(ctx, () => new Date(this.clockMs), this.random);
  }

  get nowIso(): string {
    return new Date(this.clockMs).toISOString();
  }

  /** A use-case's journal entry, counted: the timeline runs until enough are written. */
  async counted<T>(posting: Promise<T>): Promise<T> {
    const posted = await posting;
    this.posted += 1;
    return posted;
  }

  // ---- people -------------------------------------------------------------------------------

  /** A name from the names of those who speak `speaks` (a support language, or another such as ja). */
  name(speaks: string, index: number): { display: string; local: string } {
    const names = this.data.names[speaks];
    if (!names) throw new Error(`generator data: no names for ${speaks}`);
    const given = this.prng.pick(names.given);
    const family = this.prng.pick(names.family);
    const text = (n: string | [string, string]) => (typeof n === 'string' ? n : n[0]);
    const latin = (n: string | [string, string]) => (typeof n === 'string' ? n : n[1]);
    const display = names.order === 'family-given' ? `${text(family)}${text(given)}` : `${text(given)} ${text(family)}`;
    const local = `${latin(given)}.${latin(family)}.${index}`
      .normalize('NFD')
      .replace(/[^\x20-\x7e]/g, '')
      .toLowerCase();
    return { display, local };
  }

  /** The next mobile number of a country's range; null once the range is used up. */
  private mobileNumber(country: GeneratorData['countries'][number]): string | null {
    const next = (this.mobiles.get(country.code) ?? 0) + 1;
    if (next >= 10 ** country.mobile.digits) return null;
    this.mobiles.set(country.code, next);
    return `${country.mobile.prefix}${String(next).padStart(country.mobile.digits, '0')}`;
  }

  async createPeople(): Promise<void> {
    const nowIso = this.nowIso;
    this.createAdminAndAgents(nowIso);
    for (let i = 1; i <= this.options.users; i += 1) {
      await this.createCustomer(i, nowIso);
      if (i % FLUSH_EVERY === 0) await this.t.flush();
    }
  }

  private account(
    email: string,
    name: string,
    country: string | null,
    language: Language | null,
    role: User['role'],
    pending: boolean,
    phone: string | null,
  ): User {
    // Generated addresses are unique by construction; the index only guards against a mistake.
    const user = createAccount(
      {
        id: newId(this.random, 'usr'),
        email,
        phone,
        country,
        name,
        language,
        passwordHash: this.passwordHash,
        role,
        activation: pending ? { tokenHash: newId(this.random, 'act'), expiresAt: new Date(this.anchorMs + DAY_MS).toISOString() } : null,
      },
      this.nowIso,
      { byEmail: this.emails.get(email), byPhone: phone ? this.phones.get(phone) : undefined },
    );
    this.t.users.put(user);
    this.emails.set(email, user);
    if (phone) this.phones.set(phone, user);
    return user;
  }

  private putUser(user: User): User {
    this.t.users.put(user);
    return user;
  }

  private createAdminAndAgents(nowIso: string): void {
    this.account('admin@okpay.test', 'OKPay Operator', null, 'en', 'admin', false, null);
    const count = Math.min(50, Math.max(6, Math.ceil(this.options.users / 50)));
    for (let i = 1; i <= count; i += 1) {
      const language = LANGUAGES[(i - 1) % LANGUAGES.length] ?? 'en';
      const tier = (i <= LANGUAGES.length ? 1 : i <= 2 * LANGUAGES.length ? 2 : 3) as 1 | 2 | 3;
      const second = this.prng.pick(LANGUAGES);
      const languages = second === language ? [language] : [language, second];
      const agent = this.account(`agent${i}@okpay.test`, this.name(language, i).display, null, language, 'agent', false, null);
      this.agents.push(this.putUser({ ...agent, agent: { tier, languages }, kyc: { ...agent.kyc, status: 'approved', decidedAt: nowIso } }));
    }
  }

  private async createCustomer(index: number, nowIso: string): Promise<void> {
    const mix = this.prng.weighted(this.data.countries.map((c) => [c, c.weight] as const));
    // A country where one language is spoken draws nothing here, so its people come out as before.
    const people = mix.people.length === 1 ? mix.people[0] : this.prng.weighted(mix.people.map((p) => [p, p.weight] as const));
    if (!people) throw new Error(`generator data: nobody lives in ${mix.code}`);
    const language = people.language;
    const { display, local } = this.name(people.speaks, index);
    const pending = index > 2 && this.prng.chance(0.03);
    const phone = this.prng.chance(0.6) ? this.mobileNumber(mix) : null;
    let user = this.account(`${local}@example.com`, display, mix.code, language, 'user', pending, phone);
    user = this.putUser({
      ...user,
      kyc: this.prng.chance(0.75)
        ? { ...user.kyc, status: 'approved', documentType: 'passport', documentMasked: '•••• 0000', submittedAt: nowIso, decidedAt: nowIso }
        : user.kyc,
      twoFactor: this.prng.chance(0.2) ? { ...user.twoFactor, enabled: true, secret: base32(this.prng.bytes(32)), changedAt: nowIso } : user.twoFactor,
    });
    if (pending) {
      this.pending.push(user.id);
      return;
    }
    const currency = findCurrency(this.ctx.ref.currencies, mix.currency);
    await this.counted(receiveDeposit(this.t, this.deps, user, { amountMinor: major(currency, this.prng.int(500, 5000)), currency, source: 'bank' }));
    const method = this.prng.chance(0.5) ? this.addMethod(user, index) : null;
    // A generated customer has no sessions, so there are none for the lock to end.
    if (index > 2 && this.prng.chance(0.02))
      this.putUser(lockAccount(user, { reason: this.prng.chance(0.5) ? 'self' : 'agent', note: 'generated', at: nowIso, by: null }));
    else this.people.push({ id: user.id, currency, methodId: method?.id ?? null });
  }

  private addMethod(user: User, index: number): WithdrawalMethod {
    const failing = this.prng.chance(0.05);
    const bank = this.prng.chance(0.75);
    const base = { id: newId(this.random, 'wm'), userId: user.id, createdAt: this.nowIso, removedAt: null, country: user.country };
    if (!bank) {
      const account = failing ? 'fail@payout.test' : `wallet${index}@example.net`;
      return this.keepMethod({
        ...base,
        type: 'ewallet',
        label: `PayPal •••• ${account.slice(-4)}`,
        holder: null,
        iban: null,
        accountNumber: null,
        routingNumber: null,
        provider: 'PayPal',
        walletAccount: account,
      });
    }
    const bban = failing ? '500105170000000000' : `37040044${index.toString().padStart(10, '0')}`;
    const iban = failing ? 'DE27500105170000000000' : `DE${ibanCheckDigits('DE', bban)}${bban}`;
    return this.keepMethod({
      ...base,
      type: 'bank',
      label: `${user.name ?? user.email} •••• ${iban.slice(-4)}`,
      holder: user.name,
      iban,
      accountNumber: null,
      routingNumber: null,
      provider: null,
      walletAccount: null,
      country: 'DE',
    });
  }

  private keepMethod(method: WithdrawalMethod): WithdrawalMethod {
    const added = addMethod([], method);
    this.t.methods.put(added);
    return added;
  }

  // ---- money --------------------------------------------------------------------------------

  async runTimeline(progress: (done: number) => void): Promise<void> {
    const target = this.options.transactions;
    const startMs = this.clockMs;
    const first = this.posted;
    let settledDay = -1;
    for (let step = 0; this.posted < target; step += 1) {
      // The clock follows the share of the journal written (settling and refusals post entries
      // too), so the timeline ends at "now" and the latest payouts and unclaimed money are in flight.
      this.clockMs = startMs + Math.floor((this.anchorMs - startMs) * ((this.posted - first + 1) / Math.max(target - first, 1)));
      // The operator settles once a day: payouts move on in business days, not per entry written.
      const day = Math.floor(this.clockMs / DAY_MS);
      if (day !== settledDay) {
        settledDay = day;
        await this.settle();
        // As payment commands do: limit-window days older than the window are dropped (weekly
        // here), so a payment's limit check reads about a month of days, not the whole timeline.
        if (day % 7 === 0) await this.pruneWindows();
      }
      await this.operation();
      if (this.posted % FLUSH_EVERY === 0 || step % FLUSH_EVERY === 0) {
        progress(this.posted);
        await this.t.flush();
      }
    }
    this.clockMs = this.anchorMs;
    await this.settle();
    progress(this.posted);
  }

  private async pruneWindows(): Promise<void> {
    for (const userId of this.windowed) {
      const window = await this.t.limits.get(userId);
      const kept = currentWindow(window, this.clockMs);
      if (kept !== window) this.t.limits.put(userId, kept);
      if (Object.keys(kept).length === 0) this.windowed.delete(userId);
    }
  }

  private operation(): Promise<void> {
    const roll = this.prng.next();
    const person = this.prng.pick(this.people);
    if (roll < 0.7) return this.transfer(person);
    if (roll < 0.83) return this.deposit(person);
    if (roll < 0.95) return this.withdraw(person);
    if (roll < 0.985) return this.unclaimedTransfer(person);
    return this.activatePending();
  }

  private async deposit(person: Person): Promise<void> {
    const user = await this.user(person.id);
    const amountMinor = major(person.currency, this.prng.int(100, 2000));
    await this.counted(receiveDeposit(this.t, this.deps, user, { amountMinor, currency: person.currency, source: this.prng.chance(0.5) ? 'card' : 'bank' }));
  }

  private async amountFor(person: Person, shareMax: number): Promise<number> {
    const available = await this.available(person.id, person.currency);
    const unit = 10 ** person.currency.exponent;
    return Math.floor((available * this.prng.int(1, shareMax)) / 100 / unit) * unit;
  }

  /**
   * Tries a payment; a refusal (funds, limits) makes the payer top up instead, as a person would.
   * Payments the limits would refuse are skipped up front: exceptions are slow in a hot loop.
   */
  private async attempt(person: Person, pay: () => Promise<void>, amountMinor = 0): Promise<void> {
    if (amountMinor > 0 && !(await this.withinLimits(person, amountMinor))) return this.deposit(person);
    this.windowed.add(person.id);
    try {
      await pay();
    } catch (error) {
      if (!isAppError(error)) throw error;
      await this.deposit(person);
    }
  }

  /** Whether the limits would let this person send `amountMinor` (fees included, with a margin). */
  private async withinLimits(person: Person, amountMinor: number): Promise<boolean> {
    const user = await this.user(person.id);
    const usd = usdEquivalentMinor(Math.ceil(amountMinor * 1.05), person.currency, this.ctx.ref.rates, this.ctx.ref.currencies);
    const allowance = remainingAllowance({ verified: user.kyc.status === 'approved', windowUsdMinor: await this.window(user.id) }, this.ctx.ref.limits);
    return usd <= allowance.nextPaymentMaxMinor;
  }

  private async transfer(person: Person): Promise<void> {
    const other = this.prng.pick(this.people);
    if (other.id === person.id) return this.deposit(person);
    const amountMinor = await this.amountFor(person, 6);
    if (amountMinor <= 0) return this.deposit(person);
    const sender = await this.user(person.id);
    const recipient = await this.user(other.id);
    const toCurrency = this.prng.chance(0.8) ? other.currency : person.currency;
    await this.attempt(
      person,
      async () => {
        const memo = this.prng.chance(0.3) ? `invoice ${this.posted}` : null;
        const { tx } = await this.pay(sender, { to: recipient.email, amountMinor, currency: person.currency.code, toCurrency: toCurrency.code }, memo);
        if (this.transfers.length < 5000) this.transfers.push(tx);
      },
      amountMinor,
    );
  }

  private pay(sender: User, request: TransferRequest, memo: string | null): Promise<Paid> {
    return this.counted(sendMoney(this.t, this.deps, sender, { request, memo, quote: null, idempotency: null }));
  }

  private async unclaimedTransfer(person: Person): Promise<void> {
    // The cap is spread over the whole timeline, so some money is still waiting at the end.
    const cap = Math.max(20, Math.floor(this.options.users / 2));
    if (this.prospects >= Math.ceil(cap * (this.posted / Math.max(this.options.transactions, 1)))) return this.transfer(person);
    this.prospects += 1;
    const amountMinor = Math.min(await this.amountFor(person, 3), major(person.currency, 200));
    if (amountMinor <= 0) return this.deposit(person);
    const sender = await this.user(person.id);
    const email = `prospect${this.prospects}@example.org`;
    await this.attempt(
      person,
      async () => {
        await this.pay(sender, { to: email, amountMinor, currency: person.currency.code, toCurrency: person.currency.code }, null);
      },
      amountMinor,
    );
  }

  private async withdraw(person: Person): Promise<void> {
    if (!person.methodId || this.paying.has(person.id)) return this.transfer(person);
    const method = await this.t.methods.get(person.methodId);
    const amountMinor = await this.amountFor(person, 10);
    if (!method || amountMinor <= 0) return this.deposit(person);
    const user = await this.user(person.id);
    await this.attempt(
      person,
      async () => {
        const { withdrawal } = await this.counted(
          holdForPayout(this.t, this.deps, user, { methodId: method.id, currency: person.currency, amountMinor }, null),
        );
        if (this.prng.chance(0.1)) await this.counted(releaseToCustomer(this.t, this.deps, user, withdrawal.id));
        else {
          this.paying.add(person.id);
          this.inFlight.set(withdrawal.id, withdrawal);
        }
      },
      amountMinor,
    );
  }

  /** Someone who was sent money before they joined opens an account: the money lands. */
  private async activatePending(): Promise<void> {
    const id = this.pending.shift();
    if (!id) return;
    const pending = await this.t.users.get(id);
    if (!pending) return;
    const user = this.putUser({ ...pending, status: 'active', activatedAt: this.nowIso, activation: null });
    this.posted += (await claimWaiting(this.t, this.deps, user)).length;
  }

  /** The operator's settlement, through its use-cases, of the payouts that are due and the money that expired. */
  private async settle(): Promise<void> {
    for (const withdrawal of [...this.inFlight.values()]) {
      // Business-day arithmetic is costly: a payout is looked at again only once it is due.
      if ((this.dueAt.get(withdrawal.id) ?? 0) > this.clockMs) continue;
      const moves = await movePayout(this.t, this.deps, withdrawal);
      if (moves.length === 0)
        this.dueAt.set(withdrawal.id, dueMs(withdrawal, (await this.t.methods.get(withdrawal.methodId)) ?? undefined, payoutRef(this.ctx), this.clockMs));
      for (const move of moves) this.settled(move);
    }
    const expired = await this.t.unclaimed.expiredBy(this.nowIso, Number.MAX_SAFE_INTEGER);
    for (const item of [...expired].sort(byTxId)) await this.counted(returnToSender(this.t, this.deps, item));
  }

  private settled({ step, tx }: PayoutMove): void {
    const id = step.withdrawal.id;
    if (!tx) {
      this.inFlight.set(id, step.withdrawal);
      this.dueAt.set(id, Date.parse(step.withdrawal.expectedBy));
      return;
    }
    this.posted += 1;
    this.paying.delete(step.withdrawal.userId);
    this.dueAt.delete(id);
    this.inFlight.delete(id);
  }

  private available(userId: string, currency: Currency): Promise<number> {
    return this.t.balances.get(userAccount(userId), currency.code);
  }

  private async window(userId: string): Promise<number> {
    return windowUsdMinor(await this.t.limits.get(userId), this.clockMs);
  }

  private async user(id: string): Promise<User> {
    const user = await this.t.users.get(id);
    if (!user) throw new Error(`generated user ${id} is missing`);
    return user;
  }

  // ---- tickets ------------------------------------------------------------------------------

  async createTickets(): Promise<void> {
    const statuses: TicketStatus[] = ['new', 'open', 'pending', 'on-hold', 'solved', 'closed', 'merged'];
    const calendars = this.ctx.ref.load('calendars.json', parseCalendars);
    // Each merged ticket joins the last new one: same customer, opened a few hours before it.
    let lastNew: MergeTarget | null = null;
    for (let n = 1; n <= this.options.tickets; n += 1) {
      const target = statuses[(n - 1) % statuses.length] ?? 'open';
      const into: MergeTarget | null = target === 'merged' ? lastNew : null;
      this.clockMs = into ? into.atMs - 6 * HOUR_MS : this.anchorMs - storyMs(target) - this.prng.int(1, 30 * 24) * HOUR_MS;
      const person: Person = into ? into.person : this.prng.pick(this.people);
      const customer = await this.user(person.id);
      const category = TICKET_CATEGORIES[(n - 1) % TICKET_CATEGORIES.length] ?? 'account';
      const language = customer.language ?? 'en';
      const [subject, body] = this.ticketText(category, language, n, person);
      const region = regionForCountry(calendars, customer.country);
      const tx = category === 'dispute' ? this.transfers.find((x) => x.parties[0] === customer.id) : undefined;
      const input = {
        customer,
        category,
        subject,
        body,
        channel: this.prng.pick(['email', 'chat', 'phone', 'social'] as const),
        language,
        regionId: region.id,
        txId: tx?.id ?? null,
      };
      const opened = openTicket(input, await this.recentTickets(customer.id), () => this.t.tickets.nextNumber(), this.support, this.clockMs);
      this.keep(opened.ticket);
      if (target === 'new') lastNew = { person, number: opened.ticket.number, atMs: this.clockMs };
      await this.advanceTicket(opened.ticket, target, customer, into);
    }
  }

  /** The customer's latest tickets, which a new one could repeat. */
  private async recentTickets(customerId: string): Promise<Ticket[]> {
    const page = await this.t.tickets.ofCustomer(customerId, null, { limit: 20, offset: 0 });
    const tickets: Ticket[] = [];
    for (const summary of page.items) {
      const ticket = await this.t.tickets.get(summary.number);
      if (ticket) tickets.push(ticket);
    }
    return tickets.sort((a, b) => a.number - b.number);
  }

  private ticketText(category: string, language: Language, n: number, person: Person): [string, string] {
    const [subject, body] = this.data.tickets[category]?.[language] ?? this.data.tickets['account']?.['en'] ?? ['Question', 'Please help.'];
    const amount = `${formatAmount(major(person.currency, this.prng.int(20, 900)), person.currency)} ${person.currency.code}`;
    const fill = (text: string) =>
      text
        .replace('{n}', String(n))
        .replace('{amount}', amount)
        .replace('{date}', new Date(this.clockMs - 3 * DAY_MS).toISOString().slice(0, 10))
        .replace('{tx}', 'txn_0000000001');
    return [fill(subject), fill(body)];
  }

  private later(minutes: number): string {
    this.clockMs += minutes * 60 * 1000;
    return this.nowIso;
  }

  /** A ticket is stored with its summary once its story is told (or at each step that needs it stored). */
  private keep(ticket: Ticket): Ticket {
    return saveTicket(this.t, this.ctx.ref, ticket);
  }

  private async advanceTicket(opened: Ticket, target: TicketStatus, customer: User, into: MergeTarget | null): Promise<void> {
    if (target === 'new') return;
    const agent = this.agents.find((a) => a.agent?.languages.includes(opened.language) && (a.agent?.tier ?? 0) >= opened.tier) ?? this.agents[0];
    if (!agent) return;
    const nextNumber = () => this.t.tickets.nextNumber();
    let ticket = addAgentReply(opened, agent, { body: this.data.agentReplies[opened.language], faqId: null, status: null }, this.later(this.prng.int(20, 300)));
    if (this.prng.chance(0.3)) ticket = addNote(ticket, agent, 'Checked the ledger; nothing unusual.', this.later(5));
    if (target === 'open' && this.prng.chance(0.3))
      ticket = requestEscalation(ticket, customer, 'I would like to speak to a manager.', this.prng.chance(0.5), this.later(60));
    if (target === 'pending' || target === 'on-hold') ticket = changeStatus(ticket, target, agent, this.later(10));
    if (target === 'solved' || target === 'closed') {
      ticket = changeStatus(ticket, 'solved', agent, this.later(30));
      if (this.prng.chance(0.5)) {
        const score = this.prng.int(1, 5);
        const rated = rateTicket(ticket, customer, score, score <= 2 ? 'It took too long.' : null, nextNumber, this.later(120));
        for (const changed of rated.changed) this.keep(changed);
        ticket = rated.ticket;
      }
      if (target === 'closed' && ticket.status === 'solved') ticket = changeStatus(ticket, 'closed', agent, this.later(60 * 24 * 8));
    }
    this.keep(ticket);
    if (target === 'merged') await this.mergeInto(ticket, agent, customer, into);
  }

  private async mergeInto(ticket: Ticket, agent: User, customer: User, into: MergeTarget | null): Promise<void> {
    const earlier = into ? await this.t.tickets.get(into.number) : null;
    if (!into || !earlier || !ACTIVE_STATUSES.includes(earlier.status) || (agent.agent?.tier ?? 0) < Math.max(earlier.tier, ticket.tier)) {
      for (const changed of addCustomerReply(ticket, customer, 'Any news?', () => this.t.tickets.nextNumber(), this.later(60)).changed) this.keep(changed);
      return;
    }
    // Merged once both tickets exist, so that each ticket's event log runs forward in time.
    this.clockMs = Math.max(this.clockMs, into.atMs) + 15 * 60 * 1000;
    const merged = mergeTickets(ticket, earlier, agent, this.nowIso);
    this.keep(merged.source);
    this.keep(merged.target);
  }
}

interface MergeTarget {
  readonly person: Person;
  readonly number: number;
  readonly atMs: number;
}

function byTxId(a: UnclaimedTransfer, b: UnclaimedTransfer): number {
  return compareCodeUnits(a.txId, b.txId);
}

/** How long before now a ticket must open for its whole story (replies, rating, closing) to fit. */
function storyMs(target: TicketStatus): number {
  if (target === 'new') return 0;
  return 8 * HOUR_MS + (target === 'closed' ? 8 * DAY_MS : 0);
}

/** The next moment a payout needs settling: when processing can start, or when it is expected. */
function dueMs(withdrawal: Withdrawal, method: WithdrawalMethod | undefined, ref: ReturnType<typeof payoutRef>, nowMs: number): number {
  if (withdrawal.status !== 'requested') return Date.parse(withdrawal.expectedBy);
  return Math.max(nowMs + 1, nextOpeningMs(payoutRegion(ref.calendars, method?.country ?? null), Date.parse(withdrawal.requestedAt)));
}

function major(currency: Currency, units: number): number {
  return units * 10 ** currency.exponent;
}

/** One base32 character per byte: 32 bytes make a 160-bit secret, the length `2fa enable` uses. */
function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return [...bytes].map((b) => alphabet[b & 31]).join('');
}

export async function runGenerator(ctx: Context, options: GeneratorOptions): Promise<void> {
  const started = performance.now();
  const anchorMs = Math.floor(ctx.now().getTime() / 60_000) * 60_000;
  const passwordHash = await ctx.passwords.hash(PASSWORD);
  const progress = startProgress(ctx, 'generating', options.transactions, 10_000);
  const summary = await ctx.store.transaction(async (t) => {
    await assertTestable(t, 'fixtures generate');
    if ((await t.users.count()) > 0)
      throw new AppError('ALREADY_EXISTS', 'fixtures generate needs an empty store, so that the same seed gives the same store', {
        hint: 'use a fresh data directory: --data-dir or $OKPAY_HOME',
      });
    const g = new Generation(ctx, t, options, anchorMs, passwordHash);
    await g.createPeople();
    await g.runTimeline(progress.tick);
    await g.createTickets();
    t.meta.markTestStore();
    t.audit({
      at: ctx.now().toISOString(),
      type: 'fixtures.generated',
      actor: null,
      subject: null,
      details: { seed: options.seed, users: options.users, transactions: g.posted, tickets: options.tickets },
    });
    return summarise(g);
  });
  progress.stop();
  const seconds = (performance.now() - started) / 1000;
  ctx.out.line(
    JSON.stringify(
      { ...summary, seconds: Number(seconds.toFixed(2)), transactionsPerSecond: Math.round(summary.transactions / Math.max(seconds, 1e-6)) },
      null,
      2,
    ),
  );
}

async function summarise(g: Generation) {
  const { t } = g;
  const count = <T>(items: readonly T[], key: (item: T) => string) =>
    items.reduce<Record<string, number>>((acc, item) => ({ ...acc, [key(item)]: (acc[key(item)] ?? 0) + 1 }), {});
  const tickets: { status: string; language: string }[] = [];
  for await (const page of t.tickets.scan(SCAN_PAGE)) for (const x of page) tickets.push({ status: x.status, language: x.language });
  const withdrawals: Withdrawal[] = [];
  for await (const page of t.withdrawals.scan(SCAN_PAGE)) withdrawals.push(...page);
  let unclaimedWaiting = 0;
  for await (const page of t.unclaimed.scan(SCAN_PAGE)) unclaimedWaiting += page.length;
  const samples = [];
  for (const p of g.people.slice(0, 5)) {
    const u = await t.users.get(p.id);
    samples.push({
      email: u?.email,
      password: PASSWORD,
      country: u?.country,
      currency: p.currency.code,
      twoFactor: u?.twoFactor.enabled ?? false,
      kyc: u?.kyc.status,
    });
  }
  return {
    seed: g.options.seed,
    anchor: new Date(g.anchorMs).toISOString(),
    users: g.options.users,
    agents: g.agents.length,
    admin: { email: 'admin@okpay.test', password: PASSWORD },
    agentLogin: { email: g.agents[0]?.email, password: PASSWORD },
    sampleUsers: samples,
    transactions: g.posted,
    withdrawalsInFlight: count(withdrawals, (w) => w.status),
    unclaimedWaiting,
    tickets: { byStatus: count(tickets, (x) => x.status), byLanguage: count(tickets, (x) => x.language) },
    note: 'sign in with `okpay login --email EMAIL` (password above); users with twoFactor need `okpay dev otp --email EMAIL`',
  };
}

const SCAN_PAGE = 1000;
