// The state of one `okpay fixtures generate` run (generator.ts) and its money timeline: deposits,
// transfers, claims, withdrawals and settlement, posted through the use-cases on a clock that walks
// through the generated months.

import { nextOpeningMs } from '../domain/business-time.js';
import { payoutRegion } from '../domain/support-regions.js';
import { isAppError } from '../domain/errors.js';
import { userAccount, type Transaction } from '../domain/ledger.js';
import { type Currency } from '../domain/money.js';
import { compareCodeUnits } from '../domain/code-unit-order.js';
import { parseGeneratorData, type GeneratorData } from '../domain/generator-data.js';
import { Prng } from '../domain/prng.js';
import type { UnclaimedTransfer, User, Withdrawal, WithdrawalMethod } from '../domain/state.js';
import { parseSupport, type SupportData } from '../domain/support.js';
import { usdEquivalentMinor } from '../domain/fx.js';
import { currentWindow, firstWindowDay, remainingAllowance, windowUsdMinor } from '../domain/limits.js';
import type { TransferRequest } from '../domain/wallet.js';
import type { RecordsTransaction } from '../store/store.js';
import { depsAt, type AppDeps } from '../app/ports.js';
import { movePayout, returnToSender, type PayoutMove } from '../app/settle.js';
import { claimWaiting, receiveDeposit, sendMoney, type Paid } from '../app/wallet.js';
import { holdForPayout, payoutRef, releaseToCustomer } from '../app/withdrawals.js';
import type { Context } from './context.js';
import { type Random } from './random.js';

export interface GeneratorOptions {
  readonly users: number;
  readonly transactions: number;
  readonly tickets: number;
  readonly seed: string;
}

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;
const SPAN_DAYS = 120;
export const FLUSH_EVERY = 1000;
const TRANSFERS_KEPT = 5000;

export interface Person {
  readonly id: string;
  readonly currency: Currency;
  readonly methodId: string | null;
}

export class Generation {
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
  /** Each payer's first transfer among the first TRANSFERS_KEPT of the timeline: what a dispute ticket names. */
  readonly firstTransferOf = new Map<string, Transaction>();
  private transfersKept = 0;
  readonly emails = new Map<string, User>();
  readonly phones = new Map<string, User>();
  /** Users with a payout in flight (one at a time each). */
  readonly paying = new Set<string>();
  /** When each payout in flight next needs settling. */
  readonly dueAt = new Map<string, number>();
  /** Payouts in flight, in the order they were requested: the generator made each of them. */
  readonly inFlight = new Map<string, Withdrawal>();
  /**
   * Users who have paid since their limit window was last found empty, each with a day no later
   * than the oldest day their window holds: a window none of whose days can have left it is not
   * read at the weekly pruning (it would be left as it is).
   */
  readonly windowed = new Map<string, string>();
  /** The UTC day of the clock, as limit windows name days (set once a day by the timeline). */
  private today = '';
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

  putUser(user: User): User {
    this.t.users.put(user);
    return user;
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
        this.today = new Date(day * DAY_MS).toISOString().slice(0, 10);
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
    // The same pruning whichever windows are read: a window with no day before the window's first
    // is left as it is, and days are only ever added on the day they happen (a payment's), so the
    // oldest day kept for each user here is never later than the oldest in their window.
    const first = firstWindowDay(this.clockMs);
    for (const [userId, oldest] of this.windowed) {
      if (oldest >= first) continue;
      const window = await this.t.limits.get(userId);
      const kept = currentWindow(window, this.clockMs);
      if (kept !== window) this.t.limits.put(userId, kept);
      const days = Object.keys(kept);
      if (days.length === 0) this.windowed.delete(userId);
      else
        this.windowed.set(
          userId,
          days.reduce((a, b) => (b < a ? b : a)),
        );
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
  private async attempt(person: Person, payer: User, pay: () => Promise<void>, amountMinor = 0): Promise<void> {
    if (amountMinor > 0 && !(await this.withinLimits(person, payer, amountMinor))) return this.deposit(person);
    if (!this.windowed.has(person.id)) this.windowed.set(person.id, this.today);
    try {
      await pay();
    } catch (error) {
      if (!isAppError(error)) throw error;
      await this.deposit(person);
    }
  }

  /** Whether the limits would let this person send `amountMinor` (fees included, with a margin). */
  private async withinLimits(person: Person, user: User, amountMinor: number): Promise<boolean> {
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
      sender,
      async () => {
        const memo = this.prng.chance(0.3) ? `invoice ${this.posted}` : null;
        const { tx } = await this.pay(sender, { to: recipient.email, amountMinor, currency: person.currency.code, toCurrency: toCurrency.code }, memo);
        this.keepTransfer(tx);
      },
      amountMinor,
    );
  }

  private keepTransfer(tx: Transaction): void {
    if (this.transfersKept >= TRANSFERS_KEPT) return;
    this.transfersKept += 1;
    const payer = tx.parties[0];
    if (payer !== undefined && !this.firstTransferOf.has(payer)) this.firstTransferOf.set(payer, tx);
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
      sender,
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
      user,
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

  async user(id: string): Promise<User> {
    const user = await this.t.users.get(id);
    if (!user) throw new Error(`generated user ${id} is missing`);
    return user;
  }
}

function byTxId(a: UnclaimedTransfer, b: UnclaimedTransfer): number {
  return compareCodeUnits(a.txId, b.txId);
}

/** The next moment a payout needs settling: when processing can start, or when it is expected. */
function dueMs(withdrawal: Withdrawal, method: WithdrawalMethod | undefined, ref: ReturnType<typeof payoutRef>, nowMs: number): number {
  if (withdrawal.status !== 'requested') return Date.parse(withdrawal.expectedBy);
  return Math.max(nowMs + 1, nextOpeningMs(payoutRegion(ref.calendars, method?.country ?? null), Date.parse(withdrawal.requestedAt)));
}

export function major(currency: Currency, units: number): number {
  return units * 10 ** currency.exponent;
}

/** One base32 character per byte: 32 bytes make a 160-bit secret, the length `2fa enable` uses. */
export function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return [...bytes].map((b) => alphabet[b & 31]).join('');
}
