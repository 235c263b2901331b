import * as v from 'valibot';
import { AppError } from './errors.js';
import { assertMinor, formatAmount, type Currency, type MinorUnits } from './money.js';
import { int, object, onFirstUse, parseShippedData } from './schema.js';
import type { LimitWindow } from './state.js';

const LIMIT_CURRENCY = 'USD';
const LIMIT_PROBLEM = 'must be a positive integer of minor units';
const limitMinor = () => v.pipe(int(LIMIT_PROBLEM), v.gtValue(0, LIMIT_PROBLEM));

const limitTierSchema = onFirstUse(() =>
  v.pipe(
    object({ perTransactionMinor: limitMinor(), rolling30DaysMinor: limitMinor() }),
    v.check((tier) => tier.perTransactionMinor <= tier.rolling30DaysMinor, 'allows more in one payment than in 30 days'),
  ),
);

const limitFileSchema = onFirstUse(() =>
  v.pipe(
    object({
      currency: v.literal(LIMIT_CURRENCY, `must be ${LIMIT_CURRENCY}, the currency limits are counted in`),
      unverified: limitTierSchema(),
      verified: limitTierSchema(),
    }),
    v.check(
      (file) =>
        file.verified.perTransactionMinor >= file.unverified.perTransactionMinor && file.verified.rolling30DaysMinor >= file.unverified.rolling30DaysMinor,
      'verified limits must not be lower than unverified ones',
    ),
  ),
);

export type LimitTier = v.InferOutput<ReturnType<typeof limitTierSchema>>;

/**
 * Outgoing limits from data/limits.json, in USD-equivalent minor units. Parsing resolves the
 * limit currency against the currency list so messages format it from the one source.
 */
export interface LimitTable {
  readonly currency: Currency;
  readonly unverified: LimitTier;
  readonly verified: LimitTier;
}

export interface WindowEntry {
  readonly atMs: number;
  readonly usdMinor: MinorUnits;
}

export interface Allowance {
  readonly verified: boolean;
  readonly perTransactionMinor: MinorUnits;
  readonly rolling30DaysMinor: MinorUnits;
  readonly usedRolling30DaysMinor: MinorUnits;
  /** Never negative, even when a limit was lowered below what was already sent. */
  readonly remainingRolling30DaysMinor: MinorUnits;
  /** The largest next payment both limits allow. */
  readonly nextPaymentMaxMinor: MinorUnits;
}

export interface OutgoingLimitInput {
  readonly verified: boolean;
  readonly amountUsdMinor: MinorUnits;
  /** What was already sent in the last 30 days, USD equivalent (see `windowTotal`). */
  readonly windowUsdMinor: MinorUnits;
}

export const LIMIT_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;
const KYC_HINT = 'submit an identity check: okpay kyc submit --document-type TYPE --document-number NUMBER';

/** Validates the shipped limit file; bad data is our bug, so this throws a plain Error. */
export function parseLimitTable(json: unknown, currencies: readonly Currency[]): LimitTable {
  const { unverified, verified } = parseShippedData(limitFileSchema(), json, 'limits');
  const currency = currencies.find((c) => c.code === LIMIT_CURRENCY);
  if (!currency) throw new Error(`limits: the currency list has no ${LIMIT_CURRENCY}`);
  return { currency, unverified, verified };
}

/**
 * The entries still inside the rolling 30-day window at `nowMs`. An entry counts while it is
 * younger than 30 days and drops out at exactly 30 days; entries stamped after `nowMs` (a
 * clock moved back) are kept, since counting them can only make the check stricter.
 */
export function pruneWindow<T extends WindowEntry>(entries: readonly T[], nowMs: number): T[] {
  return entries.filter((entry) => nowMs - entry.atMs < LIMIT_WINDOW_MS);
}

export function windowTotal(entries: readonly WindowEntry[], nowMs: number): MinorUnits {
  return assertMinor(
    pruneWindow(entries, nowMs).reduce((sum, entry) => sum + entry.usdMinor, 0),
    '30-day total',
  );
}

export function remainingAllowance(input: { readonly verified: boolean; readonly windowUsdMinor: MinorUnits }, table: LimitTable): Allowance {
  const tier = input.verified ? table.verified : table.unverified;
  const remainingRolling30DaysMinor = Math.max(0, tier.rolling30DaysMinor - input.windowUsdMinor);
  return {
    verified: input.verified,
    perTransactionMinor: tier.perTransactionMinor,
    rolling30DaysMinor: tier.rolling30DaysMinor,
    usedRolling30DaysMinor: input.windowUsdMinor,
    remainingRolling30DaysMinor,
    nextPaymentMaxMinor: Math.min(tier.perTransactionMinor, remainingRolling30DaysMinor),
  };
}

/**
 * Refuses a payment that would go above a limit; reaching a limit exactly is allowed. An
 * unverified user is pointed to the identity check (KYC_REQUIRED), a verified one can only
 * wait or send less (LIMIT_EXCEEDED).
 */
export function checkOutgoingLimits(input: OutgoingLimitInput, table: LimitTable): void {
  assertMinor(input.amountUsdMinor, 'amount in USD');
  assertMinor(input.windowUsdMinor, '30-day total');
  const allowance = remainingAllowance(input, table);
  const broken = brokenLimit(input.amountUsdMinor, allowance);
  if (broken === null) return;
  const usd = (minor: MinorUnits): string => `${formatAmount(minor, table.currency)} ${table.currency.code}`;
  const limitMinor = broken === 'per-transaction' ? allowance.perTransactionMinor : allowance.rolling30DaysMinor;
  const details = { limit: broken, limitMinor, remainingMinor: allowance.nextPaymentMaxMinor };
  const what = `the ${broken === 'per-transaction' ? 'per-transaction' : '30-day'} limit of ${usd(limitMinor)}`;
  const remaining = `you can send up to ${usd(allowance.nextPaymentMaxMinor)} now`;
  if (!input.verified) {
    throw new AppError('KYC_REQUIRED', `this payment (${usd(input.amountUsdMinor)}) is above ${what} for unverified accounts; ${remaining}`, {
      hint: KYC_HINT,
      details: details,
    });
  }
  const hint = broken === 'per-transaction' ? 'split the payment into smaller ones' : 'earlier payments leave the 30-day window as they age';
  throw new AppError('LIMIT_EXCEEDED', `this payment (${usd(input.amountUsdMinor)}) is above ${what}; ${remaining}`, { hint: hint, details: details });
}

/** The per-transaction limit is reported first: it is the one that waiting cannot fix. */
function brokenLimit(amountUsdMinor: MinorUnits, allowance: Allowance): 'per-transaction' | 'rolling-30-days' | null {
  if (amountUsdMinor > allowance.perTransactionMinor) return 'per-transaction';
  if (amountUsdMinor > allowance.remainingRolling30DaysMinor) return 'rolling-30-days';
  return null;
}

// ---- the rolling window of what a user sent ----------------------------------------------------

const DAY_MS = 24 * 60 * 60 * 1000;

/** The first UTC day of the rolling window that ends today: today and the 29 days before it. */
let lastWindowDay = { fromMs: Number.NaN, toMs: Number.NaN, day: '' };

/** The first UTC day (YYYY-MM-DD) of the 30-day window at `nowMs`: earlier days have left it. */
export function firstWindowDay(nowMs: number): string {
  // Formatting a date is slow next to the rest; many payments in one UTC day share the answer.
  if (nowMs >= lastWindowDay.fromMs && nowMs < lastWindowDay.toMs) return lastWindowDay.day;
  const fromMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
  lastWindowDay = { fromMs, toMs: fromMs + DAY_MS, day: new Date(fromMs - LIMIT_WINDOW_MS + DAY_MS).toISOString().slice(0, 10) };
  return lastWindowDay.day;
}

/** What a user already sent in the rolling 30-day window, USD equivalent. */
export function windowUsdMinor(window: LimitWindow, nowMs: number): MinorUnits {
  const first = firstWindowDay(nowMs);
  let sum = 0;
  for (const day in window) if (day >= first) sum += window[day]!;
  return sum;
}

/** A user's window without the days that left it: what to keep when the window is written back. */
export function currentWindow(window: LimitWindow, nowMs: number): LimitWindow {
  const first = firstWindowDay(nowMs);
  let stale = false;
  for (const day in window) if (day < first) stale = true;
  if (!stale) return window;
  const kept: Record<string, MinorUnits> = {};
  for (const day in window) if (day >= first) kept[day] = window[day]!;
  return kept;
}
