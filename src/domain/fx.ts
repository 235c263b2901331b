import * as v from 'valibot';
import { AppError } from './errors.js';
import { assertMinor, type Currency, type MinorUnits } from './money.js';
import { int, object, onFirstUse, parseShippedData, record } from './schema.js';

export interface RateQuote {
  /** Units of `to` per one unit of `from` at the mid-market rate, rounded half up. */
  readonly midRate: string;
  /** The rate the customer gets: mid minus the spread, rounded down. */
  readonly appliedRate: string;
  /** 0 when no conversion happens. */
  readonly spreadBasisPoints: number;
}

/**
 * Rates carry at most this many decimals. Eight keeps the relative error of even a small
 * cross rate (JPY → USD ≈ 0.0066) below one part in a million, far finer than a cent on
 * any amount one transaction may carry.
 */
const RATE_DECIMALS = 8;
const RATE_SCALE = 10n ** BigInt(RATE_DECIMALS);
const BASIS_POINTS = 10_000n;
const LIMITS_CURRENCY = 'USD';
const RATE_PATTERN = new RegExp(`^(0|[1-9][0-9]{0,11})(?:\\.([0-9]{1,${RATE_DECIMALS}}))?$`);
const currencyCode = () => v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, 'must be a currency code'));
const MID_RATE_PROBLEM = `must be a positive decimal string with at most ${RATE_DECIMALS} decimals`;
const midRate = () =>
  v.pipe(
    v.string(MID_RATE_PROBLEM),
    v.check((rate) => parseRateOrNull(rate) !== null, MID_RATE_PROBLEM),
  );

/**
 * Mid-market rates as shipped in data/rates.json: `mid[C]` is how many units of C one unit
 * of `base` buys, as a decimal string. `spreadBasisPoints` is the margin taken off the mid
 * rate whenever money changes currency.
 */
const rateTableSchema = onFirstUse(() =>
  v.pipe(
    object({
      base: currencyCode(),
      asOf: v.pipe(v.string(), v.regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/, 'must be a date like 2026-11-01')),
      spreadBasisPoints: v.pipe(
        int('must be an integer from 0 to 9999'),
        v.minValue(0, 'must be an integer from 0 to 9999'),
        v.maxValue(9_999, 'must be an integer from 0 to 9999'),
      ),
      mid: record(v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, 'is not a currency code')), midRate()),
    }),
    v.check(
      (table) => parseRateOrNull(table.mid[table.base] ?? '') === RATE_SCALE,
      (issue) => `the mid rate of the base ${String((issue.input as { base?: unknown }).base)} must be 1`,
    ),
  ),
);

export type RateTable = v.InferOutput<ReturnType<typeof rateTableSchema>>;

/** Validates the shipped rate file; bad data is our bug, so this throws a plain Error. */
export function parseRateTable(json: unknown): RateTable {
  return parseShippedData(rateTableSchema(), json, 'rates');
}

/**
 * The rate for converting `from` into `to`, crossed through the base currency. The applied
 * rate is computed from the exact cross rate (not the rounded mid) and rounded down, so the
 * customer never gets more than mid minus the spread.
 */
export function quoteRate(table: RateTable, from: string, to: string): RateQuote {
  if (from === to) return { midRate: '1', appliedRate: '1', spreadBasisPoints: 0 };
  const fromMid = midOf(table, from);
  const toMid = midOf(table, to);
  const midScaled = (2n * toMid * RATE_SCALE + fromMid) / (2n * fromMid);
  const keptBasisPoints = BASIS_POINTS - BigInt(table.spreadBasisPoints);
  const appliedScaled = (toMid * RATE_SCALE * keptBasisPoints) / (fromMid * BASIS_POINTS);
  if (appliedScaled === 0n) throw new AppError('INVALID_CURRENCY', `the rate from ${from} to ${to} is too small to quote`);
  return { midRate: formatRate(midScaled), appliedRate: formatRate(appliedScaled), spreadBasisPoints: table.spreadBasisPoints };
}

/**
 * Converts at `rate` (units of `to` per unit of `from`), rounding DOWN to the minor unit of
 * `to`: the recipient never receives a fraction of a minor unit more than the rate gives,
 * so the books never pay out money the conversion did not produce.
 */
export function convertMinor(amountMinor: MinorUnits, from: Currency, to: Currency, rate: string): MinorUnits {
  assertMinor(amountMinor);
  if (amountMinor < 0) throw new Error(`cannot convert a negative amount: ${amountMinor}`);
  const rateScaled = parseRateOrNull(rate);
  if (rateScaled === null) throw new Error(`not a rate: "${rate}"`);
  const numerator = BigInt(amountMinor) * rateScaled * 10n ** BigInt(to.exponent);
  const denominator = RATE_SCALE * 10n ** BigInt(from.exponent);
  return assertMinor(Number(numerator / denominator), 'converted amount');
}

/**
 * The USD value of an amount at the mid rate, rounded UP: limits are checked against it,
 * and rounding up means a payment can never slip under a limit by a fraction of a cent.
 */
export function usdEquivalentMinor(amountMinor: MinorUnits, currency: Currency, table: RateTable, currencies: readonly Currency[]): MinorUnits {
  assertMinor(amountMinor);
  if (amountMinor < 0) throw new Error(`cannot value a negative amount: ${amountMinor}`);
  if (currency.code === LIMITS_CURRENCY) return amountMinor;
  const usd = currencies.find((c) => c.code === LIMITS_CURRENCY);
  if (!usd) throw new Error(`the currency list has no ${LIMITS_CURRENCY}`);
  const numerator = BigInt(amountMinor) * midOf(table, LIMITS_CURRENCY) * 10n ** BigInt(usd.exponent);
  const denominator = midOf(table, currency.code) * 10n ** BigInt(currency.exponent);
  return assertMinor(Number((numerator + denominator - 1n) / denominator), 'USD equivalent');
}

function midOf(table: RateTable, code: string): bigint {
  const text = table.mid[code];
  const scaled = text === undefined ? null : parseRateOrNull(text);
  if (scaled === null)
    throw new AppError('INVALID_CURRENCY', `there is no exchange rate for ${code}`, { hint: `rates are published for ${Object.keys(table.mid).join(', ')}` });
  return scaled;
}

/** A positive decimal string as an integer scaled by 10^RATE_DECIMALS, or null. */
// Rates are a handful of fixed strings read on every payment: each is parsed once. The memo is
// bounded so that arbitrary input (quotes typed by hand) cannot grow it without end.
const parsedRates = new Map<string, bigint | null>();
const MAX_PARSED_RATES = 1_000;

function parseRateOrNull(text: string): bigint | null {
  const known = parsedRates.get(text);
  if (known !== undefined) return known;
  const parsed = parseRateText(text);
  if (parsedRates.size < MAX_PARSED_RATES) parsedRates.set(text, parsed);
  return parsed;
}

function parseRateText(text: string): bigint | null {
  const match = RATE_PATTERN.exec(text);
  if (!match) return null;
  const scaled = BigInt((match[1] ?? '0') + (match[2] ?? '').padEnd(RATE_DECIMALS, '0'));
  return scaled > 0n ? scaled : null;
}

/** Plain decimal with trailing zeros trimmed: one canonical string per rate ("1", "0.852025"). */
function formatRate(scaled: bigint): string {
  const whole = scaled / RATE_SCALE;
  const fraction = (scaled % RATE_SCALE).toString().padStart(RATE_DECIMALS, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}
