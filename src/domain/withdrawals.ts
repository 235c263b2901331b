// Withdrawals: payout methods (bank accounts, e-wallets) and the two-phase payout. A request holds
// amount + fee in the user's hold account; settlement moves it to the outside world (completed)
// or back to the user (failed, cancelled). A withdrawal leaves the state when it ends, so a hold
// is released exactly once.

import * as v from 'valibot';
import { addBusinessDays, nextOpeningMs } from './business-time.js';
import { type CalendarData } from './calendar.js';
import { payoutRegion } from './support-regions.js';
import { AppError } from './errors.js';
import type { WithdrawalQuote } from './fees.js';
import { holdAccount, SYSTEM_ACCOUNTS, userAccount, utcDay, type NewTransaction, type Transaction } from './ledger.js';
import { formatAmount, type Currency, type MinorUnits } from './money.js';
import type { TxId, User, UserId, Withdrawal, WithdrawalMethod } from './state.js';
import { assertFunds, assertWithinLimits, type WalletRef } from './wallet.js';
import { compareCodeUnits } from './code-unit-order.js';
import { int, object, parseShippedData } from './schema.js';

const accountList = v.array(v.pipe(v.string(), v.minLength(1)));

const payoutRulesSchema = object({
  etaBusinessDays: object({ bank: v.pipe(int(), v.minValue(0)), ewallet: v.pipe(int(), v.minValue(0)) }),
  /** Accounts whose payouts fail at settlement, so testers can exercise the failure path. */
  testFailures: object({ ibans: accountList, usAccountNumbers: accountList, ewalletAccounts: accountList }),
});

export type PayoutRules = v.InferOutput<typeof payoutRulesSchema>;

export function parsePayoutRules(json: unknown): PayoutRules {
  return parseShippedData(payoutRulesSchema, json, 'payouts');
}

// ---- methods --------------------------------------------------------------------------------

/** The methods still in use among a user's methods, oldest first. */
export function activeMethods(methods: readonly WithdrawalMethod[]): WithdrawalMethod[] {
  return methods.filter((m) => m.removedAt === null).sort((a, b) => compareCodeUnits(a.createdAt, b.createdAt) || compareCodeUnits(a.id, b.id));
}

/** `method` is what the store holds under `methodId`, or null. */
export function requireMethod(method: WithdrawalMethod | null, userId: string, methodId: string): WithdrawalMethod {
  if (!method || method.userId !== userId || method.removedAt !== null) {
    throw new AppError('METHOD_NOT_FOUND', `you have no withdrawal method ${methodId.slice(0, 40)}`, { hint: 'see yours with `okpay withdraw methods list`' });
  }
  return method;
}

function sameDestination(a: WithdrawalMethod, b: WithdrawalMethod): boolean {
  return (
    a.type === b.type &&
    a.iban === b.iban &&
    a.accountNumber === b.accountNumber &&
    a.routingNumber === b.routingNumber &&
    a.provider === b.provider &&
    a.walletAccount === b.walletAccount
  );
}

/** A new method, checked against the user's methods (`existing`): the record to keep. */
export function addMethod(existing: readonly WithdrawalMethod[], method: WithdrawalMethod): WithdrawalMethod {
  if (activeMethods(existing).some((m) => sameDestination(m, method))) {
    throw new AppError('ALREADY_EXISTS', 'you already have this withdrawal method', { hint: 'see it with `okpay withdraw methods list`' });
  }
  return method;
}

/** The method as removed; `inFlight` are the user's withdrawals still in flight. */
export function removeMethod(
  method: WithdrawalMethod | null,
  userId: string,
  methodId: string,
  inFlight: readonly Withdrawal[],
  nowIso: string,
): WithdrawalMethod {
  const live = requireMethod(method, userId, methodId);
  if (inFlight.some((w) => w.methodId === methodId)) {
    throw new AppError('INVALID_TRANSITION', `withdrawal method ${methodId} has a payout in flight`, {
      hint: 'remove it once the payout has completed, failed or been cancelled',
    });
  }
  return { ...live, removedAt: nowIso };
}

/** Documented test accounts: payouts to them fail at settlement. */
export function isTestFailure(method: WithdrawalMethod, rules: PayoutRules): boolean {
  const f = rules.testFailures;
  return (
    (method.iban !== null && f.ibans.includes(method.iban)) ||
    (method.accountNumber !== null && f.usAccountNumbers.includes(method.accountNumber)) ||
    (method.walletAccount !== null && f.ewalletAccounts.includes(method.walletAccount))
  );
}

// ---- the payout -----------------------------------------------------------------------------

export interface WithdrawalRequest {
  readonly id: string;
  readonly user: User;
  readonly method: WithdrawalMethod;
  readonly quote: WithdrawalQuote;
  readonly currency: Currency;
  readonly quoteId: string | null;
  readonly nowMs: number;
  /** The user's available balance in the currency. */
  readonly availableMinor: MinorUnits;
  /** What the user sent in the last 30 days (`windowUsdMinor`), USD equivalent. */
  readonly windowUsdMinor: MinorUnits;
}

/** When a payout requested now is expected to arrive: business days on the calendar of the method's country. */
export function expectedArrivalMs(calendars: CalendarData, rules: PayoutRules, method: WithdrawalMethod, requestedMs: number): number {
  return addBusinessDays(payoutRegion(calendars, method.country), requestedMs, rules.etaBusinessDays[method.type]);
}

/** When a payout requested at `requestedMs` may start processing: the next opening of its payout region. */
function processingStartMs(calendars: CalendarData, method: WithdrawalMethod | null, requestedMs: number): number {
  return nextOpeningMs(payoutRegion(calendars, method?.country ?? null), requestedMs);
}

export function planWithdrawal(ref: WalletRef & { calendars: CalendarData; payouts: PayoutRules }, request: WithdrawalRequest): NewTransaction {
  const { user, method, quote, currency, nowMs } = request;
  const total = quote.amountMinor + quote.feeMinor;
  assertFunds(
    request.availableMinor,
    currency,
    total,
    `this withdrawal (${formatAmount(quote.amountMinor, currency)} + ${formatAmount(quote.feeMinor, currency)} fee)`,
  );
  const outgoingUsdMinor = assertWithinLimits(ref, user, quote.amountMinor, currency, request.windowUsdMinor);
  const nowIso = new Date(nowMs).toISOString();
  const record: Omit<Withdrawal, 'holdTxId'> = {
    outgoingUsdMinor,
    id: request.id,
    userId: user.id,
    methodId: method.id,
    methodType: method.type,
    methodLabel: method.label,
    amountMinor: quote.amountMinor,
    currency: currency.code,
    feeMinor: quote.feeMinor,
    feeLines: quote.feeLines,
    status: 'requested',
    requestedAt: nowIso,
    processingFrom: new Date(processingStartMs(ref.calendars, method, nowMs)).toISOString(),
    processingAt: null,
    expectedBy: new Date(expectedArrivalMs(ref.calendars, ref.payouts, method, nowMs)).toISOString(),
    finishedAt: null,
    failureReason: null,
    quoteId: request.quoteId,
  };
  return {
    type: 'withdrawal.hold',
    at: nowIso,
    memo: null,
    links: [],
    parties: [user.id],
    postings: [
      { account: userAccount(user.id), currency: currency.code, amountMinor: -total },
      { account: holdAccount(user.id), currency: currency.code, amountMinor: total },
    ],
    details: {
      initiator: user.id,
      amountMinor: quote.amountMinor,
      currency: currency.code,
      fee: { amountMinor: quote.feeMinor, currency: currency.code, lines: quote.feeLines },
      outgoingUsdMinor,
      record,
      ...(request.quoteId ? { quoteId: request.quoteId } : {}),
    },
  };
}

/** `withdrawal` is what the store holds in flight under `id`, or null. */
export function requireWithdrawal(withdrawal: Withdrawal | null, userId: string, id: string): Withdrawal {
  if (!withdrawal || withdrawal.userId !== userId) {
    throw new AppError('WITHDRAWAL_NOT_FOUND', `there is no withdrawal ${id.slice(0, 40)} in flight`, { hint: 'see yours with `okpay withdraw list`' });
  }
  return withdrawal;
}

/** Completion: the held money leaves for the payee's account; the fee becomes revenue. */
export function planCompletion(withdrawal: Withdrawal, nowIso: string): NewTransaction {
  const record: Withdrawal = { ...withdrawal, status: 'completed', finishedAt: nowIso };
  return {
    type: 'withdrawal.complete',
    at: nowIso,
    memo: null,
    links: [withdrawal.holdTxId],
    parties: [withdrawal.userId],
    postings: [
      { account: holdAccount(withdrawal.userId), currency: withdrawal.currency, amountMinor: -(withdrawal.amountMinor + withdrawal.feeMinor) },
      { account: SYSTEM_ACCOUNTS.world, currency: withdrawal.currency, amountMinor: withdrawal.amountMinor },
      ...(withdrawal.feeMinor > 0 ? [{ account: SYSTEM_ACCOUNTS.fees, currency: withdrawal.currency, amountMinor: withdrawal.feeMinor }] : []),
    ],
    details: { initiator: null, amountMinor: withdrawal.amountMinor, currency: withdrawal.currency, record },
  };
}

/** Failure or cancellation: amount and fee go back to the user's available balance. */
export function planRelease(withdrawal: Withdrawal, status: 'failed' | 'cancelled', reason: string, initiator: string | null, nowIso: string): NewTransaction {
  const record: Withdrawal = { ...withdrawal, status, finishedAt: nowIso, failureReason: reason };
  const total = withdrawal.amountMinor + withdrawal.feeMinor;
  return {
    type: 'withdrawal.release',
    at: nowIso,
    memo: null,
    links: [withdrawal.holdTxId],
    parties: [withdrawal.userId],
    postings: [
      { account: holdAccount(withdrawal.userId), currency: withdrawal.currency, amountMinor: -total },
      { account: userAccount(withdrawal.userId), currency: withdrawal.currency, amountMinor: total },
    ],
    details: {
      initiator,
      amountMinor: total,
      currency: withdrawal.currency,
      reason,
      record,
      limitRelease: { userId: withdrawal.userId, day: utcDay(withdrawal.requestedAt), usdMinor: withdrawal.outgoingUsdMinor },
    },
  };
}

/**
 * A completed payout that the receiving bank or wallet sent back: every entry of its completion
 * negated (amount and fee back in the available balance, the limits it used given back), made once
 * (the refund record of the completion) and only by an operator, who gives the reason.
 */
export function planBounce(completion: Transaction, priorReversal: TxId | null, operatorId: UserId, reason: string, nowIso: string): NewTransaction {
  if (completion.type !== 'withdrawal.complete') {
    throw new AppError(
      'INVALID_TRANSITION',
      `${completion.id} is a ${completion.type}; only a completed payout (its withdrawal.complete transaction) can bounce`,
      { hint: 'find it with `okpay tx show` of the payout: its followedBy' },
    );
  }
  if (priorReversal)
    throw new AppError('INVALID_TRANSITION', `the payout ${completion.id} already came back with ${priorReversal}`, { hint: 'a payout bounces once' });
  const record = completion.details.record;
  if (!record) throw new Error(`${completion.id} carries no withdrawal record`);
  return {
    type: 'withdrawal.return',
    at: nowIso,
    memo: null,
    links: [record.holdTxId ?? completion.links[0] ?? completion.id, completion.id],
    parties: [record.userId],
    postings: completion.postings.map((p) => ({
      ...p,
      account: p.account.startsWith('hold:') ? userAccount(p.account.slice(5)) : p.account,
      amountMinor: -p.amountMinor,
    })),
    details: {
      initiator: operatorId,
      refundOf: completion.id,
      amountMinor: record.amountMinor + record.feeMinor,
      currency: record.currency,
      reason,
      record,
      limitRelease: { userId: record.userId, day: utcDay(record.requestedAt), usdMinor: record.outgoingUsdMinor },
    },
  };
}

export function assertCancellable(withdrawal: Withdrawal): void {
  if (withdrawal.status !== 'requested') {
    throw new AppError('INVALID_TRANSITION', `withdrawal ${withdrawal.id} is ${withdrawal.status}; only a requested withdrawal can be cancelled`, {
      hint: 'once processing has started the payout cannot be stopped',
    });
  }
}

export type SettleStep =
  { readonly kind: 'processing'; readonly withdrawal: Withdrawal } | { readonly kind: 'complete' | 'fail'; readonly withdrawal: Withdrawal };

/**
 * What settlement does to one withdrawal as of `nowMs`: processing starts when the payout desk of
 * the method's region opens after the request; at the expected arrival it completes, or fails for
 * a documented test account. Running it twice at the same moment finds nothing left to do.
 */
export function settleSteps(withdrawal: Withdrawal, method: WithdrawalMethod | null, calendars: CalendarData, rules: PayoutRules, nowMs: number): SettleStep[] {
  const steps: SettleStep[] = [];
  let current = withdrawal;
  if (current.status === 'requested') {
    const startMs =
      current.processingFrom === undefined ? processingStartMs(calendars, method, Date.parse(current.requestedAt)) : Date.parse(current.processingFrom);
    if (nowMs < startMs) return steps;
    current = { ...current, status: 'processing', processingAt: new Date(startMs).toISOString() };
    steps.push({ kind: 'processing', withdrawal: current });
  }
  if (current.status === 'processing' && nowMs >= Date.parse(current.expectedBy)) {
    steps.push({ kind: method && isTestFailure(method, rules) ? 'fail' : 'complete', withdrawal: current });
  }
  return steps;
}
