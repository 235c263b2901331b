// Property tests of the ledger: random sequences of deposits, transfers (same and cross currency,
// to people with and without an account), claims, returns, withdrawals and refused operations are
// run through the domain functions on the memory store, next to a small model that says what every
// balance should be. After each step the books must balance, close and replay clean.

import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import calendarsJson from '../../data/calendars.json' with { type: 'json' };
import currenciesJson from '../../data/currencies.json' with { type: 'json' };
import feesJson from '../../data/fees.json' with { type: 'json' };
import limitsJson from '../../data/limits.json' with { type: 'json' };
import payoutsJson from '../../data/payouts.json' with { type: 'json' };
import ratesJson from '../../data/rates.json' with { type: 'json' };
import { createAccount } from '../../src/domain/accounts.js';
import { parseCalendars } from '../../src/domain/calendar.js';
import { AppError, type ErrorCode } from '../../src/domain/errors.js';
import { computeTransferQuote, computeWithdrawalQuote, parseFeeSchedule } from '../../src/domain/fees.js';
import { parseRateTable, usdEquivalentMinor } from '../../src/domain/fx.js';
import { decideKyc, submitKyc } from '../../src/domain/kyc.js';
import { holdAccount, SYSTEM_ACCOUNTS, userAccount, type Posting, type Transaction } from '../../src/domain/ledger.js';
import { currentWindow, LIMIT_WINDOW_MS, parseLimitTable, windowUsdMinor } from '../../src/domain/limits.js';
import { findCurrency, type Currency } from '../../src/domain/money.js';
import type { Balances, LimitWindow, StoreMeta, UnclaimedTransfer, User, Withdrawal } from '../../src/domain/state.js';
import type { Recipient } from '../../src/domain/validate.js';
import { compareWithState, LedgerReplay, type Totals } from '../../src/domain/integrity-check.js';
import { addPostings, liveRecords } from '../support/live-records.js';
import {
  describeRequest,
  planClaim,
  planDeposit,
  planReturn,
  planTransfer,
  priceTransfer,
  quoteFromStored,
  resolveRecipient,
  transferQuoteRecord,
  UNCLAIMED_TTL_MS,
  type WalletRef,
} from '../../src/domain/wallet.js';
import { fingerprint, IDEMPOTENCY_TTL_MS } from '../../src/domain/idempotency.js';
import { addMethod, parsePayoutRules, planCompletion, planRelease, planWithdrawal, assertCancellable, settleSteps } from '../../src/domain/withdrawals.js';
import { MemoryRecordStore } from '../../src/store/memory-record-store.js';
import { RecordTransaction } from '../../src/store/record-transaction.js';
import type { AppDeps } from '../../src/app/ports.js';
import { transfer } from '../../src/app/wallet.js';
import { RefData } from '../../src/cli/refdata.js';
import type { RecordsTransaction } from '../../src/store/store.js';
import { recordsOf } from '../support/records.js';

const currencies: readonly Currency[] = currenciesJson.currencies;
const schedule = parseFeeSchedule(feesJson);
const rates = parseRateTable(ratesJson);
const limits = parseLimitTable(limitsJson, currencies);
const ref: WalletRef = { currencies, schedule, rates, limits };
const refData = new RefData();
const payoutRef = { ...ref, calendars: parseCalendars(calendarsJson), payouts: parsePayoutRules(payoutsJson) };
const CODES = ['USD', 'EUR', 'GBP', 'CNY', 'JPY'] as const;
type Code = (typeof CODES)[number];
const currency = (code: string): Currency => findCurrency(currencies, code);

const START_MS = Date.parse('2026-11-20T16:00:00.000Z');
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

const MEMBERS = [
  { id: 'usr_us', email: 'us@example.com', phone: '+14155550100', country: 'US' },
  { id: 'usr_de', email: 'de@example.com', phone: null, country: 'DE' },
  { id: 'usr_jp', email: 'jp@example.com', phone: '+81312345678', country: 'JP' },
] as const;
/** People without an account when the run starts; a `register` step opens theirs. */
const NEWCOMERS: readonly { id: string; recipient: Recipient; country: string | null }[] = [
  { id: 'usr_new0', recipient: { kind: 'email', email: 'new0@example.com' }, country: null },
  { id: 'usr_new1', recipient: { kind: 'email', email: 'new1@example.com' }, country: 'GB' },
  { id: 'usr_new2', recipient: { kind: 'phone', phone: '+4915112345678' }, country: 'DE' },
];

/** +49 is Germany; +1 is shared by several countries, so it names none (as in the CLI). */
function countryOfPhone(phone: string): string | null {
  if (phone.startsWith('+49')) return 'DE';
  if (phone.startsWith('+81')) return 'JP';
  return null;
}

function recipientText(recipient: Recipient): string {
  return recipient.kind === 'email' ? recipient.email : recipient.phone;
}

// ---- the operations ---------------------------------------------------------------------------

type Target = { readonly member: number } | { readonly newcomer: number };

type Op =
  | { readonly kind: 'deposit'; readonly user: number; readonly code: Code; readonly amountMinor: number }
  | {
      readonly kind: 'transfer';
      readonly user: number;
      readonly to: Target;
      readonly code: Code;
      readonly toCode: Code;
      readonly amountMinor: number;
      readonly key: string | null;
    }
  | { readonly kind: 'retry'; readonly user: number; readonly key: string; readonly same: boolean }
  | { readonly kind: 'register'; readonly newcomer: number }
  | { readonly kind: 'withdraw'; readonly user: number; readonly code: Code; readonly amountMinor: number; readonly methodType: 'bank' | 'ewallet' }
  | { readonly kind: 'finish'; readonly pick: number; readonly outcome: 'complete' | 'failed' | 'cancelled' }
  | { readonly kind: 'settle' }
  | { readonly kind: 'kyc'; readonly user: number }
  | { readonly kind: 'advance'; readonly ms: number };

const userIndex = fc.integer({ min: 0, max: MEMBERS.length - 1 });
const code = fc.constantFrom(...CODES);
/** Small, everyday and large amounts: large ones meet the limits and empty wallets. */
const amount = fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 5_000, max: 150_000 }), fc.integer({ min: 100_000, max: 400_000 }));
const target: fc.Arbitrary<Target> = fc.oneof(
  userIndex.map((member) => ({ member })),
  fc.integer({ min: 0, max: NEWCOMERS.length - 1 }).map((newcomer) => ({ newcomer })),
);

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deposit' as const), user: userIndex, code, amountMinor: fc.integer({ min: 1, max: 600_000 }) }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('transfer' as const),
      user: userIndex,
      to: target,
      code,
      toCode: fc.oneof(code, fc.constant('USD' as const)),
      amountMinor: amount,
      key: fc.constantFrom(null, 'k1', 'k2'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('retry' as const), user: userIndex, key: fc.constantFrom('k1', 'k2'), same: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('register' as const), newcomer: fc.integer({ min: 0, max: NEWCOMERS.length - 1 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('withdraw' as const),
      user: userIndex,
      code,
      amountMinor: amount,
      methodType: fc.constantFrom('bank' as const, 'ewallet' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('finish' as const),
      pick: fc.nat(),
      outcome: fc.constantFrom('complete' as const, 'failed' as const, 'cancelled' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'settle' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('kyc' as const), user: userIndex }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.oneof(fc.integer({ min: MINUTE_MS, max: DAY_MS }), fc.integer({ min: DAY_MS, max: 40 * DAY_MS })),
    }),
  },
);

// ---- the model: what every user balance should be, written without the ledger ---------------

interface ModelUnclaimed {
  readonly txId: string;
  readonly senderId: string;
  readonly newcomer: number;
  readonly code: string;
  readonly totalMinor: number;
  readonly receiveCode: string;
  readonly receiveMinor: number;
  readonly expiresAtMs: number;
}

interface ModelKey {
  readonly print: string;
  readonly txId: string;
  readonly expiresAtMs: number;
  readonly op: Extract<Op, { kind: 'transfer' }>;
}

class Model {
  nowMs = START_MS;
  readonly balances = new Map<string, number>();
  readonly window = new Map<string, { txId: string; atMs: number; usdMinor: number }[]>();
  readonly verified = new Set<string>();
  readonly registered = new Set<number>();
  readonly unclaimed = new Map<string, ModelUnclaimed>();
  readonly liveWithdrawals = new Map<string, { userId: string; code: string; totalMinor: number; holdTxId: string }>();
  readonly keys = new Map<string, ModelKey>();
  /** Refusal codes met so far: lets a test check that the generator reaches them. */
  readonly refusalsSeen = new Set<ErrorCode>();
  withdrawalCount = 0;

  expectRefusal(result: { ok: boolean; code?: ErrorCode }, code: ErrorCode): void {
    expect(result).toEqual({ ok: false, code });
    this.refusalsSeen.add(code);
  }

  balance(account: string, code: string): number {
    return this.balances.get(`${account}|${code}`) ?? 0;
  }

  add(account: string, code: string, amountMinor: number): void {
    this.balances.set(`${account}|${code}`, this.balance(account, code) + amountMinor);
  }

  /** Limits count what was sent today and on the 29 UTC days before. */
  windowTotal(userId: string): number {
    const firstDay = Math.floor(this.nowMs / DAY_MS) - (LIMIT_WINDOW_MS / DAY_MS - 1);
    return (this.window.get(userId) ?? []).filter((e) => Math.floor(e.atMs / DAY_MS) >= firstDay).reduce((sum, e) => sum + e.usdMinor, 0);
  }

  release(userId: string, txId: string): void {
    this.window.set(
      userId,
      (this.window.get(userId) ?? []).filter((e) => e.txId !== txId),
    );
  }

  /** The refusal the rules call for, in the order the wallet checks them; null when it may go ahead. */
  refusal(userId: string, code: string, totalMinor: number, amountMinor: number): ErrorCode | null {
    if (this.balance(userAccount(userId), code) < totalMinor) return 'INSUFFICIENT_FUNDS';
    const usdMinor = usdEquivalentMinor(amountMinor, currency(code), rates, currencies);
    const tier = this.verified.has(userId) ? limits.verified : limits.unverified;
    const remainingMinor = Math.max(0, tier.rolling30DaysMinor - this.windowTotal(userId));
    if (usdMinor <= tier.perTransactionMinor && usdMinor <= remainingMinor) return null;
    return this.verified.has(userId) ? 'LIMIT_EXCEEDED' : 'KYC_REQUIRED';
  }
}

// ---- driving the domain the way the commands do -----------------------------------------------

function recipientOf(model: Model, to: Target): { recipient: Recipient; userId: string | null; country: string | null } {
  if ('member' in to) {
    const member = MEMBERS[to.member] ?? MEMBERS[0];
    return { recipient: { kind: 'email', email: member.email }, userId: member.id, country: member.country };
  }
  const newcomer = NEWCOMERS[to.newcomer] ?? NEWCOMERS[0];
  if (!newcomer) throw new Error('no newcomer');
  const active = model.registered.has(to.newcomer);
  const phoneCountry = newcomer.recipient.kind === 'phone' ? countryOfPhone(newcomer.recipient.phone) : null;
  return { recipient: newcomer.recipient, userId: active ? newcomer.id : null, country: active ? newcomer.country : phoneCountry };
}

function transferPrint(to: Recipient, o: { amountMinor: number; code: string; toCode: string }): string {
  return fingerprint({ ...describeRequest({ to: recipientText(to), amountMinor: o.amountMinor, currency: o.code, toCurrency: o.toCode }), memo: null });
}

/** What the transfer use-case needs besides the store: the clock of the step and the shipped data. */
function depsAt(nowMs: number): AppDeps {
  const unused = () => {
    throw new Error('not used by transfers');
  };
  return {
    now: () => new Date(nowMs),
    random: { bytes: unused },
    passwords: { hash: unused, verify: unused, verifyNothing: unused },
    totp: { generateSecret: unused, uri: unused, verify: unused, generate: unused },
    ref: refData,
  };
}

/** The transfer use-case the command runs: idempotency key, payee, price, then the checks inside planTransfer. */
async function sendTransfer(
  t: RecordsTransaction,
  o: Extract<Op, { kind: 'transfer' }>,
  recipient: Recipient,
  nowMs: number,
): Promise<{ txId: string; replayed: boolean }> {
  const sender = await userOf(t, MEMBERS[o.user]?.id ?? '');
  const request = { to: recipientText(recipient), amountMinor: o.amountMinor, currency: o.code, toCurrency: o.toCode };
  const sent = await transfer(t, depsAt(nowMs), { user: sender, sessionHash: '' }, { request, memo: null, idempotencyKey: o.key, quoteId: null });
  return { txId: sent.tx.id, replayed: sent.replayed };
}

async function userOf(t: RecordsTransaction, id: string): Promise<User> {
  const user = await t.users.get(id);
  if (!user) throw new Error(`no user ${id}`);
  return user;
}

/** The records that hold money, and the limit windows, as the store has committed them. */
function committed(store: MemoryRecordStore): {
  balances: Balances;
  unclaimed: Record<string, UnclaimedTransfer>;
  withdrawals: Record<string, Withdrawal>;
  limitWindows: Record<string, LimitWindow>;
  meta: StoreMeta;
} {
  const records = recordsOf(store);
  return {
    balances: (records.balances ?? {}) as Balances,
    unclaimed: (records.unclaimed ?? {}) as Record<string, UnclaimedTransfer>,
    withdrawals: (records.withdrawals ?? {}) as Record<string, Withdrawal>,
    limitWindows: (records.limits ?? {}) as Record<string, LimitWindow>,
    meta: records.meta?.['meta'] as StoreMeta,
  };
}

async function setUp(): Promise<MemoryRecordStore> {
  const store = new MemoryRecordStore(new Date(START_MS).toISOString(), 4);
  await store.transaction((t) => {
    const nowIso = new Date(START_MS).toISOString();
    for (const m of MEMBERS) {
      t.users.put(
        createAccount(
          { id: m.id, email: m.email, phone: m.phone, country: m.country, name: null, language: 'en', passwordHash: 'x', role: 'user', activation: null },
          nowIso,
          { byEmail: null, byPhone: null },
        ),
      );
      for (const type of ['bank', 'ewallet'] as const) {
        t.methods.put(
          addMethod([], {
            id: `wm_${type}_${m.id}`,
            userId: m.id,
            type,
            label: `${type} of ${m.id}`,
            holder: m.id,
            iban: null,
            accountNumber: type === 'bank' ? `12345${m.id}` : null,
            routingNumber: null,
            country: m.country,
            provider: type === 'ewallet' ? 'PayPal' : null,
            walletAccount: type === 'ewallet' ? m.email : null,
            createdAt: nowIso,
            removedAt: null,
          }),
        );
      }
    }
  });
  return store;
}

/** `okpay verify` over the whole store: the journal replayed segment by segment, hash chain included. */
function verifyStore(store: MemoryRecordStore): string[] {
  const problems: string[] = [];
  const replay = new LedgerReplay(store.segmentSize, problems);
  for (let first = 0; first < store.journalEntries.length; first += store.segmentSize) {
    replay.addSegment(first / store.segmentSize, store.journalEntries.slice(first, first + store.segmentSize), `segment ${first / store.segmentSize}`);
  }
  const state = committed(store);
  replay.chain.finish(state.meta.journal);
  compareWithState(liveRecords(state), replay.balances, problems);
  return problems;
}

/**
 * The checks after every step: the balances replayed so far (kept up to date entry by entry, so a
 * long run stays fast) against the state, the books closing, and the model's balances.
 */
function checkBooks(store: MemoryRecordStore, model: Model, replayed: Totals, from: number): void {
  const state = committed(store);
  for (const entry of store.journalEntries.slice(from)) addPostings(replayed, entry.tx.postings);
  // Collected into one list and asserted once: thousands of steps make per-value asserts slow.
  const problems: string[] = [];
  compareWithState(liveRecords(state), replayed, problems);
  const totals = new Map<string, number>();
  for (const [account, row] of Object.entries(state.balances)) {
    for (const [code, amountMinor] of Object.entries(row)) {
      totals.set(code, (totals.get(code) ?? 0) + amountMinor);
      const wallet = account.startsWith('user:') || account.startsWith('hold:');
      if (wallet && amountMinor < 0) problems.push(`${account} ${code} is negative: ${amountMinor}`);
      if (wallet && amountMinor !== model.balance(account, code))
        problems.push(`${account} ${code} is ${amountMinor}, the model says ${model.balance(account, code)}`);
    }
  }
  for (const [code, total] of totals) if (total !== 0) problems.push(`the books in ${code} sum to ${total}`);
  for (const [key, amountMinor] of model.balances) {
    const [account = '', code = ''] = key.split('|');
    if ((state.balances[account]?.[code] ?? 0) !== amountMinor) problems.push(`${key} is missing from the state (model: ${amountMinor})`);
  }
  for (const m of MEMBERS) {
    const windowMinor = windowUsdMinor(state.limitWindows[m.id] ?? {}, model.nowMs);
    if (windowMinor !== model.windowTotal(m.id)) problems.push(`30-day window of ${m.id} is ${windowMinor}, the model says ${model.windowTotal(m.id)}`);
  }
  expect(problems).toEqual([]);
  expect(Object.keys(state.unclaimed).sort()).toEqual([...model.unclaimed.keys()].sort());
  expect(Object.keys(state.withdrawals).sort()).toEqual([...model.liveWithdrawals.keys()].sort());
}

function balancedPerCurrency(postings: readonly Posting[]): boolean {
  const sums = new Map<string, number>();
  for (const p of postings) sums.set(p.currency, (sums.get(p.currency) ?? 0) + p.amountMinor);
  return [...sums.values()].every((sum) => sum === 0);
}

/** The housekeeping a payment does first: the days that left a sender's 30-day window are dropped. */
async function dropStaleLimitDays(t: RecordsTransaction, nowMs: number): Promise<void> {
  for (const { id } of [...MEMBERS, ...NEWCOMERS]) {
    const window = await t.limits.get(id);
    const current = currentWindow(window, nowMs);
    if (current !== window) t.limits.put(id, current);
  }
}

/** Everything a transaction has done so far: records written, entries posted, audit events, mails, counters. */
async function draftOf(t: RecordsTransaction): Promise<unknown> {
  if (!(t instanceof RecordTransaction)) throw new Error('not a record transaction');
  const changes = [...(await t.view.changes())].map(([kind, records]) => [kind, [...records]]);
  return { changes, posted: t.posted.length, events: t.events.length, mails: t.mails.length, meta: t.currentMeta };
}

/**
 * Runs one step in a store transaction after the housekeeping commands do first. A refusal must
 * leave the draft exactly as it found it (the plan functions never write before they are sure),
 * and the store keeps nothing of it.
 */
async function attempt<T>(
  store: MemoryRecordStore,
  nowMs: number,
  work: (t: RecordsTransaction) => T | Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; code: ErrorCode }> {
  const before = store.committed;
  const journalLength = store.journalEntries.length;
  try {
    const value = await store.transaction(async (t) => {
      await dropStaleLimitDays(t, nowMs);
      const draft = await draftOf(t);
      try {
        return await work(t);
      } catch (error) {
        expect(await draftOf(t)).toEqual(draft);
        throw error;
      }
    });
    for (const entry of store.journalEntries.slice(journalLength)) expect(balancedPerCurrency(entry.tx.postings), entry.tx.id).toBe(true);
    return { ok: true, value };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // The store swaps in new record maps only when a transaction commits.
    expect(store.committed).toBe(before);
    expect(store.journalEntries).toHaveLength(journalLength);
    return { ok: false, code: error.code };
  }
}

// ---- each operation with its expected outcome -------------------------------------------------

async function runTransfer(store: MemoryRecordStore, model: Model, o: Extract<Op, { kind: 'transfer' }>): Promise<void> {
  const senderId = MEMBERS[o.user]?.id ?? '';
  const payee = recipientOf(model, o.to);
  const print = transferPrint(payee.recipient, o);
  const keyName = o.key ? `${senderId}:${o.key}` : null;
  const prior = keyName ? model.keys.get(keyName) : undefined;
  const live = prior && prior.expiresAtMs > model.nowMs ? prior : undefined;
  const result = await attempt(store, model.nowMs, (t) => sendTransfer(t, o, payee.recipient, model.nowMs));
  if (live) {
    if (live.print === print) expect(result).toEqual({ ok: true, value: { txId: live.txId, replayed: true } });
    else model.expectRefusal(result, 'IDEMPOTENCY_CONFLICT');
    return;
  }
  if (payee.userId === senderId) return model.expectRefusal(result, 'SELF_TRANSFER');
  let quote;
  try {
    quote = computeTransferQuote(
      {
        amountMinor: o.amountMinor,
        currency: currency(o.code),
        toCurrency: currency(o.toCode),
        senderCountry: MEMBERS[o.user]?.country ?? null,
        recipientCountry: payee.country,
      },
      { schedule, rates },
    );
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return model.expectRefusal(result, error.code);
  }
  const totalMinor = quote.amountMinor + quote.feeMinor;
  const refusal = model.refusal(senderId, o.code, totalMinor, o.amountMinor);
  if (refusal) return model.expectRefusal(result, refusal);
  if (!result.ok) throw new Error(`transfer refused with ${result.code}, the model expected it to go through`);
  const txId = result.value.txId;
  model.add(userAccount(senderId), o.code, -totalMinor);
  if (payee.userId) model.add(userAccount(payee.userId), o.toCode, quote.receiveAmountMinor);
  else
    model.unclaimed.set(txId, {
      txId,
      senderId,
      newcomer: 'newcomer' in o.to ? o.to.newcomer : -1,
      code: o.code,
      totalMinor,
      receiveCode: o.toCode,
      receiveMinor: quote.receiveAmountMinor,
      expiresAtMs: model.nowMs + UNCLAIMED_TTL_MS,
    });
  model.window.set(senderId, [
    ...(model.window.get(senderId) ?? []),
    { txId, atMs: model.nowMs, usdMinor: usdEquivalentMinor(o.amountMinor, currency(o.code), rates, currencies) },
  ]);
  if (keyName) model.keys.set(keyName, { print, txId, expiresAtMs: model.nowMs + IDEMPOTENCY_TTL_MS, op: o });
}

async function runRetry(store: MemoryRecordStore, model: Model, o: Extract<Op, { kind: 'retry' }>): Promise<void> {
  const prior = model.keys.get(`${MEMBERS[o.user]?.id ?? ''}:${o.key}`);
  if (!prior) return;
  await runTransfer(store, model, o.same ? prior.op : { ...prior.op, amountMinor: prior.op.amountMinor + 1 });
}

async function runRegister(store: MemoryRecordStore, model: Model, newcomerIndex: number): Promise<void> {
  const newcomer = NEWCOMERS[newcomerIndex];
  if (!newcomer || model.registered.has(newcomerIndex)) return;
  const nowIso = new Date(model.nowMs).toISOString();
  const claimed = await attempt(store, model.nowMs, async (t) => {
    const user = createAccount(
      {
        id: newcomer.id,
        email: newcomer.recipient.kind === 'email' ? newcomer.recipient.email : `${newcomer.id}@example.com`,
        phone: newcomer.recipient.kind === 'phone' ? newcomer.recipient.phone : null,
        country: newcomer.country,
        name: null,
        language: 'en',
        passwordHash: 'x',
        role: 'user',
        activation: null,
      },
      nowIso,
      { byEmail: null, byPhone: null },
    );
    t.users.put(user);
    const claims = [];
    for (const item of await t.unclaimed.forRecipient({ email: user.email, phone: user.phone }))
      claims.push((await t.post(planClaim(item, user, nowIso))).links[0]);
    return claims;
  });
  if (!claimed.ok) throw new Error(`registering ${newcomer.id} failed with ${claimed.code}`);
  model.registered.add(newcomerIndex);
  const waiting = [...model.unclaimed.values()].filter((u) => u.newcomer === newcomerIndex);
  expect(claimed.value.sort()).toEqual(waiting.map((u) => u.txId).sort());
  for (const item of waiting) {
    model.add(userAccount(newcomer.id), item.receiveCode, item.receiveMinor);
    model.unclaimed.delete(item.txId);
  }
}

async function runWithdraw(store: MemoryRecordStore, model: Model, o: Extract<Op, { kind: 'withdraw' }>): Promise<void> {
  const userId = MEMBERS[o.user]?.id ?? '';
  const id = `wd_${(model.withdrawalCount += 1)}`;
  const quote = computeWithdrawalQuote({ amountMinor: o.amountMinor, currency: currency(o.code), methodType: o.methodType }, { schedule });
  const totalMinor = quote.amountMinor + quote.feeMinor;
  const result = await attempt(store, model.nowMs, async (t) => {
    const method = await t.methods.get(`wm_${o.methodType}_${userId}`);
    if (!method) throw new Error('method missing');
    const funds = {
      availableMinor: await t.balances.get(userAccount(userId), o.code),
      windowUsdMinor: windowUsdMinor(await t.limits.get(userId), model.nowMs),
    };
    return (
      await t.post(
        planWithdrawal(payoutRef, {
          id,
          user: await userOf(t, userId),
          method,
          quote,
          currency: currency(o.code),
          quoteId: null,
          nowMs: model.nowMs,
          ...funds,
        }),
      )
    ).id;
  });
  const refusal = model.refusal(userId, o.code, totalMinor, o.amountMinor);
  if (refusal) return model.expectRefusal(result, refusal);
  if (!result.ok) throw new Error(`withdrawal refused with ${result.code}, the model expected it to go through`);
  model.add(userAccount(userId), o.code, -totalMinor);
  model.add(holdAccount(userId), o.code, totalMinor);
  model.liveWithdrawals.set(id, { userId, code: o.code, totalMinor, holdTxId: result.value });
  model.window.set(userId, [
    ...(model.window.get(userId) ?? []),
    { txId: result.value, atMs: model.nowMs, usdMinor: usdEquivalentMinor(o.amountMinor, currency(o.code), rates, currencies) },
  ]);
}

function endWithdrawal(model: Model, id: string, outcome: 'complete' | 'failed' | 'cancelled'): void {
  const w = model.liveWithdrawals.get(id);
  if (!w) throw new Error(`withdrawal ${id} ended twice`);
  model.add(holdAccount(w.userId), w.code, -w.totalMinor);
  if (outcome !== 'complete') {
    model.add(userAccount(w.userId), w.code, w.totalMinor);
    model.release(w.userId, w.holdTxId);
  }
  model.liveWithdrawals.delete(id);
}

async function runFinish(store: MemoryRecordStore, model: Model, o: Extract<Op, { kind: 'finish' }>): Promise<void> {
  const ids = [...model.liveWithdrawals.keys()].sort();
  const id = ids[o.pick % Math.max(1, ids.length)];
  if (id === undefined) return;
  const nowIso = new Date(model.nowMs).toISOString();
  const status = committed(store).withdrawals[id]?.status;
  const result = await attempt(store, model.nowMs, async (t) => {
    const w = await t.withdrawals.get(id);
    if (!w) throw new Error(`withdrawal ${id} is not in the store`);
    if (o.outcome === 'complete') return t.post(planCompletion(w, nowIso));
    if (o.outcome === 'cancelled') assertCancellable(w);
    return t.post(planRelease(w, o.outcome, 'test', null, nowIso));
  });
  if (o.outcome === 'cancelled' && status !== 'requested') return model.expectRefusal(result, 'INVALID_TRANSITION');
  expect(result.ok).toBe(true);
  endWithdrawal(model, id, o.outcome);
}

/** What `admin settle` does: payouts move on as of now, and unclaimed money older than 30 days goes back. */
async function runSettle(store: MemoryRecordStore, model: Model): Promise<void> {
  const nowIso = new Date(model.nowMs).toISOString();
  const result = await attempt(store, model.nowMs, async (t) => {
    const ended: { id: string; outcome: 'complete' | 'failed' }[] = [];
    for (const w of await t.withdrawals.dueBy(nowIso, Number.MAX_SAFE_INTEGER)) {
      for (const step of settleSteps(w, await t.methods.get(w.methodId), payoutRef.calendars, payoutRef.payouts, model.nowMs)) {
        if (step.kind === 'processing') t.withdrawals.put(step.withdrawal);
        else if (step.kind === 'complete') await t.post(planCompletion(step.withdrawal, nowIso));
        else await t.post(planRelease(step.withdrawal, 'failed', 'refused', null, nowIso));
        if (step.kind !== 'processing') ended.push({ id: w.id, outcome: step.kind === 'complete' ? 'complete' : 'failed' });
      }
    }
    const returned = [];
    for (const item of await t.unclaimed.expiredBy(nowIso, Number.MAX_SAFE_INTEGER)) returned.push((await t.post(planReturn(item, nowIso))).links[0] ?? '');
    return { ended, returned };
  });
  if (!result.ok) throw new Error(`settle failed with ${result.code}`);
  for (const end of result.value.ended) endWithdrawal(model, end.id, end.outcome);
  const expired = [...model.unclaimed.values()].filter((u) => u.expiresAtMs <= model.nowMs);
  expect(result.value.returned.sort()).toEqual(expired.map((u) => u.txId).sort());
  for (const item of expired) {
    model.add(userAccount(item.senderId), item.code, item.totalMinor);
    model.release(item.senderId, item.txId);
    model.unclaimed.delete(item.txId);
  }
}

async function runKyc(store: MemoryRecordStore, model: Model, userIndexValue: number): Promise<void> {
  const userId = MEMBERS[userIndexValue]?.id ?? '';
  if (model.verified.has(userId)) return;
  const nowIso = new Date(model.nowMs).toISOString();
  const result = await attempt(store, model.nowMs, async (t) => {
    const member = await userOf(t, userId);
    const verified = decideKyc(submitKyc(member, { type: 'passport', masked: '•••• 4567' }, nowIso), 'approve', null, 'usr_admin', nowIso);
    t.users.put(verified);
    return verified;
  });
  expect(result.ok).toBe(true);
  model.verified.add(userId);
}

async function runOp(store: MemoryRecordStore, model: Model, o: Op): Promise<void> {
  switch (o.kind) {
    case 'deposit': {
      const userId = MEMBERS[o.user]?.id ?? '';
      const result = await attempt(store, model.nowMs, async (t) =>
        t.post(planDeposit(await userOf(t, userId), o.amountMinor, currency(o.code), 'card', new Date(model.nowMs).toISOString())),
      );
      expect(result.ok).toBe(true);
      model.add(userAccount(userId), o.code, o.amountMinor);
      return;
    }
    case 'transfer':
      return runTransfer(store, model, o);
    case 'retry':
      return runRetry(store, model, o);
    case 'register':
      return runRegister(store, model, o.newcomer);
    case 'withdraw':
      return runWithdraw(store, model, o);
    case 'finish':
      return runFinish(store, model, o);
    case 'settle':
      return runSettle(store, model);
    case 'kyc':
      return runKyc(store, model, o.user);
    case 'advance':
      model.nowMs += o.ms;
      return;
  }
}

/** Every member starts with money in every currency, so that most random payments can go through. */
const FUNDING: readonly Op[] = MEMBERS.flatMap((_, user) => CODES.map((c) => ({ kind: 'deposit' as const, user, code: c, amountMinor: 200_000 })));
const opSequence = (minLength: number) => fc.array(op, { minLength, maxLength: 50, size: 'max' }).map((ops) => [...FUNDING, ...ops]);

describe('the ledger under random sequences of operations', () => {
  it('keeps every invariant: balanced transactions, closed books, no negative wallet, a clean replay, refusals that change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(opSequence(1), async (ops) => {
        const store = await setUp();
        const model = new Model();
        const replayed: Totals = new Map();
        for (const o of ops) {
          const from = store.journalEntries.length;
          await runOp(store, model, o);
          checkBooks(store, model, replayed, from);
        }
        expect(verifyStore(store)).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('reaches every kind of transaction and refusal it is meant to exercise', async () => {
    // A guard on the generator: a property that never meets a refusal proves nothing about refusals.
    const types = new Set<string>();
    const refusals = new Set<ErrorCode>();
    await fc.assert(
      fc.asyncProperty(opSequence(20), async (ops) => {
        const store = await setUp();
        const model = new Model();
        for (const o of ops) await runOp(store, model, o);
        for (const entry of store.journalEntries) types.add(entry.tx.type);
        for (const code of model.refusalsSeen) refusals.add(code);
      }),
      { numRuns: 30, seed: 20261120 },
    );
    expect([...types].sort()).toEqual([
      'deposit',
      'transfer',
      'transfer.unclaimed',
      'unclaimed.claim',
      'unclaimed.return',
      'withdrawal.complete',
      'withdrawal.hold',
      'withdrawal.release',
    ]);
    expect([...refusals].sort()).toEqual(
      expect.arrayContaining(['IDEMPOTENCY_CONFLICT', 'INSUFFICIENT_FUNDS', 'SELF_TRANSFER', 'INVALID_TRANSITION', 'KYC_REQUIRED']),
    );
  });
});

// ---- quote equals charge ------------------------------------------------------------------------

function posted(postings: readonly Posting[], account: string, code: string): number {
  return postings.filter((p) => p.account === account && p.currency === code).reduce((sum, p) => sum + p.amountMinor, 0);
}

describe('quote equals charge', () => {
  // Limits are not what these properties are about: room for any amount one transaction may carry.
  const roomy = parseLimitTable(
    {
      currency: 'USD',
      unverified: { perTransactionMinor: 10 ** 12, rolling30DaysMinor: 10 ** 12 },
      verified: { perTransactionMinor: 10 ** 12, rolling30DaysMinor: 10 ** 12 },
    },
    currencies,
  );
  const roomyRef: WalletRef = { ...ref, limits: roomy };

  const members = MEMBERS.map((m) =>
    createAccount(
      { id: m.id, email: m.email, phone: m.phone, country: m.country, name: null, language: 'en', passwordHash: 'x', role: 'user', activation: null },
      new Date(START_MS).toISOString(),
      { byEmail: null, byPhone: null },
    ),
  );
  const memberAt = (recipient: Recipient): User | null =>
    members.find((u) => (recipient.kind === 'email' ? u.email === recipient.email : u.phone === recipient.phone)) ?? null;

  /** usr_us, with twice the largest payment in every currency. */
  function richSender(): { sender: User; availableMinor: (code: string) => number } {
    const sender = members.find((u) => u.id === 'usr_us');
    if (!sender) throw new Error('no usr_us');
    return { sender, availableMinor: (code) => currency(code).maxTransactionMinor * 2 };
  }

  const transferInput = code.chain((c) =>
    fc.record({
      code: fc.constant(c),
      toCode: code,
      amountMinor: fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: currency(c).maxTransactionMinor })),
      recipient: fc.constantFrom<Recipient>(
        { kind: 'email', email: 'de@example.com' },
        { kind: 'email', email: 'nobody@example.com' },
        { kind: 'phone', phone: '+4915112345678' },
        { kind: 'phone', phone: '+81312345678' },
      ),
    }),
  );

  it('a transfer moves exactly the quoted amount, fee and received amount, whether priced now or from a stored quote', () => {
    fc.assert(
      fc.property(transferInput, ({ code: c, toCode, amountMinor, recipient }) => {
        const { sender, availableMinor } = richSender();
        const cur = currency(c);
        const to = resolveRecipient(sender, recipient, memberAt(recipient), countryOfPhone);
        let quote;
        try {
          quote = computeTransferQuote(
            { amountMinor, currency: cur, toCurrency: currency(toCode), senderCountry: sender.country, recipientCountry: to.country },
            { schedule, rates },
          );
        } catch (error) {
          // Too small to be worth one minor unit of the other currency: refused before any charge.
          if (error instanceof AppError && error.code === 'INVALID_AMOUNT') return;
          throw error;
        }
        const stored = quoteFromStored(
          transferQuoteRecord('qt_1', sender.id, { to: recipientText(recipient), amountMinor, currency: c, toCurrency: toCode }, quote, START_MS),
        );
        const destination = to.user ? userAccount(to.user.id) : SYSTEM_ACCOUNTS.unclaimed;
        for (const charged of [priceTransfer(roomyRef, sender, to, amountMinor, cur, currency(toCode)), stored]) {
          const tx = planTransfer(roomyRef, {
            sender,
            to,
            quote: charged,
            currency: cur,
            memo: null,
            quoteId: null,
            idempotency: null,
            nowMs: START_MS,
            availableMinor: availableMinor(c),
            windowUsdMinor: 0,
          });
          expect(posted(tx.postings, userAccount(sender.id), c)).toBe(-(quote.amountMinor + quote.feeMinor));
          expect(posted(tx.postings, SYSTEM_ACCOUNTS.fees, c)).toBe(quote.feeMinor);
          expect(posted(tx.postings, destination, toCode)).toBe(quote.receiveAmountMinor);
          expect(quote.feeLines.reduce((sum, l) => sum + l.amountMinor, 0)).toBe(quote.feeMinor);
          expect(tx.details.fee?.amountMinor).toBe(quote.feeMinor);
          // A conversion records its rate; without one the journal stores none (the rate is 1).
          expect(tx.details.fx?.rate ?? '1').toBe(quote.rate);
          expect(tx.details.fx === undefined).toBe(c === toCode);
          expect(balancedPerCurrency(tx.postings)).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('a withdrawal holds exactly amount + quoted fee, and completion pays the amount out and the fee to revenue', () => {
    const withdrawal = code.chain((c) =>
      fc.record({
        code: fc.constant(c),
        amountMinor: fc.integer({ min: 1, max: currency(c).maxTransactionMinor }),
        methodType: fc.constantFrom('bank' as const, 'ewallet' as const),
      }),
    );
    fc.assert(
      fc.property(withdrawal, ({ code: c, amountMinor, methodType }) => {
        const { sender, availableMinor } = richSender();
        const cur = currency(c);
        const quote = computeWithdrawalQuote({ amountMinor, currency: cur, methodType }, { schedule });
        const method = {
          id: 'wm_1',
          userId: sender.id,
          type: methodType,
          label: 'x',
          holder: null,
          iban: null,
          accountNumber: '1',
          routingNumber: null,
          country: 'US',
          provider: null,
          walletAccount: null,
          createdAt: '',
          removedAt: null,
        };
        const hold = planWithdrawal(
          { ...payoutRef, limits: roomy },
          { id: 'wd_1', user: sender, method, quote, currency: cur, quoteId: null, nowMs: START_MS, availableMinor: availableMinor(c), windowUsdMinor: 0 },
        );
        expect(posted(hold.postings, userAccount(sender.id), c)).toBe(-(amountMinor + quote.feeMinor));
        expect(posted(hold.postings, holdAccount(sender.id), c)).toBe(amountMinor + quote.feeMinor);
        const record = hold.details.record;
        if (!record) throw new Error('no withdrawal record');
        const done = planCompletion({ ...record, holdTxId: 'txn_0000000001' }, new Date(START_MS).toISOString());
        expect(posted(done.postings, SYSTEM_ACCOUNTS.world, c)).toBe(amountMinor);
        expect(posted(done.postings, SYSTEM_ACCOUNTS.fees, c)).toBe(quote.feeMinor);
        expect(posted(done.postings, holdAccount(sender.id), c)).toBe(-(amountMinor + quote.feeMinor));
        expect(balancedPerCurrency(done.postings)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

// ---- idempotency ------------------------------------------------------------------------------

describe('idempotency keys', () => {
  async function prepared(): Promise<MemoryRecordStore> {
    const store = await setUp();
    await store.transaction(
      async (t) => void (await t.post(planDeposit(await userOf(t, 'usr_us'), 100_000, currency('USD'), 'card', new Date(START_MS).toISOString()))),
    );
    return store;
  }
  const send = (amountMinor: number, key = 'invoice-42'): Extract<Op, { kind: 'transfer' }> => ({
    kind: 'transfer',
    user: 0,
    to: { member: 1 },
    code: 'USD',
    toCode: 'USD',
    amountMinor,
    key,
  });
  const payee: Recipient = { kind: 'email', email: 'de@example.com' };

  it('the same key and request return the original transaction and move nothing', async () => {
    const store = await prepared();
    const first = await store.transaction((t) => sendTransfer(t, send(2_500), payee, START_MS));
    const balances = committed(store).balances;
    const again = await store.transaction((t) => sendTransfer(t, send(2_500), payee, START_MS + 60 * MINUTE_MS));
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ txId: first.txId, replayed: true });
    expect(committed(store).balances).toEqual(balances);
    expect(store.journalEntries).toHaveLength(2);
  });

  it('the same key with a different request is IDEMPOTENCY_CONFLICT naming the first transaction', async () => {
    const store = await prepared();
    const first = await store.transaction((t) => sendTransfer(t, send(2_500), payee, START_MS));
    const conflict = await store.transaction((t) => sendTransfer(t, send(2_501), payee, START_MS)).catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(AppError);
    expect((conflict as AppError).code).toBe('IDEMPOTENCY_CONFLICT');
    expect((conflict as AppError).message).toContain(first.txId);
    const otherPayee = await store
      .transaction((t) => sendTransfer(t, send(2_500), { kind: 'email', email: 'jp@example.com' }, START_MS))
      .catch((error: unknown) => error);
    expect((otherPayee as AppError).code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('keys belong to one sender, and are free again after 30 days', async () => {
    const store = await prepared();
    const first = await store.transaction((t) => sendTransfer(t, send(2_500), payee, START_MS));
    const later = await store.transaction((t) => sendTransfer(t, send(2_600), payee, START_MS + IDEMPOTENCY_TTL_MS));
    expect(later.replayed).toBe(false);
    expect(later.txId).not.toBe(first.txId);
    await store.transaction(
      async (t) => void (await t.post(planDeposit(await userOf(t, 'usr_jp'), 10_000, currency('USD'), 'card', new Date(START_MS).toISOString()))),
    );
    const byOther = await store.transaction((t) => sendTransfer(t, { ...send(2_500), user: 2 }, payee, START_MS + IDEMPOTENCY_TTL_MS));
    expect(byOther.replayed).toBe(false);
  });
});

describe('the 30-day window entries', () => {
  it('keep one total per UTC day in day order; a release on an earlier day leaves the later days alone', async () => {
    const store = new MemoryRecordStore('2026-11-01T00:00:00.000Z');
    const apply = async (at: string, details: Transaction['details']): Promise<Record<string, number>> => {
      const postings: Posting[] = [
        { account: SYSTEM_ACCOUNTS.world, currency: 'USD', amountMinor: -1 },
        { account: userAccount('usr_a'), currency: 'USD', amountMinor: 1 },
      ];
      await store.transaction(async (t) => void (await t.post({ type: 'deposit', at, memo: null, links: [], parties: ['usr_a'], postings, details })));
      return store.read((t) => t.limits.get('usr_a'));
    };
    await apply('2026-11-03T09:00:00.000Z', { initiator: 'usr_a', outgoingUsdMinor: 700 });
    await apply('2026-11-05T09:00:00.000Z', { initiator: 'usr_a', outgoingUsdMinor: 200 });
    expect(await apply('2026-11-05T18:00:00.000Z', { initiator: 'usr_a', outgoingUsdMinor: 50 })).toEqual({ '2026-11-03': 700, '2026-11-05': 250 });
    const released = await apply('2026-11-06T09:00:00.000Z', { initiator: 'usr_a', limitRelease: { userId: 'usr_a', day: '2026-11-03', usdMinor: 300 } });
    expect(Object.entries(released)).toEqual([
      ['2026-11-03', 400],
      ['2026-11-05', 250],
    ]);
    const emptied = await apply('2026-11-06T10:00:00.000Z', { initiator: 'usr_a', limitRelease: { userId: 'usr_a', day: '2026-11-03', usdMinor: 900 } });
    expect(Object.entries(emptied)).toEqual([['2026-11-05', 250]]);
    expect(await apply('2026-11-06T11:00:00.000Z', { initiator: 'usr_a', limitRelease: { userId: 'usr_a', day: '2026-11-05', usdMinor: 250 } })).toEqual({});
    expect(committed(store).limitWindows['usr_a']).toBeUndefined();
  });

  it('a returned unclaimed transfer stops counting toward the sender’s limits', async () => {
    const store = await setUp();
    const model = new Model();
    await runOp(store, model, { kind: 'deposit', user: 0, code: 'USD', amountMinor: 300_000 });
    await runOp(store, model, { kind: 'transfer', user: 0, to: { newcomer: 0 }, code: 'USD', toCode: 'USD', amountMinor: 90_000, key: null });
    expect(windowUsdMinor(committed(store).limitWindows['usr_us'] ?? {}, model.nowMs)).toBe(90_000);
    await runOp(store, model, { kind: 'advance', ms: UNCLAIMED_TTL_MS });
    await runOp(store, model, { kind: 'settle' });
    expect(windowUsdMinor(committed(store).limitWindows['usr_us'] ?? {}, model.nowMs)).toBe(0);
    expect(committed(store).balances[userAccount('usr_us')]?.['USD']).toBe(300_000);
    const types = store.journalEntries.map((e) => e.tx.type);
    expect(types).toEqual(['deposit', 'transfer.unclaimed', 'unclaimed.return']);
    expect(verifyStore(store)).toEqual([]);
  });
});
