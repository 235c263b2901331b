import * as v from 'valibot';
import { AppError } from './errors.js';
import { int, object, parseShippedData } from './schema.js';

/** An amount in the smallest unit of its currency (cents, yen). Always a safe integer. */
export type MinorUnits = number;

const currencySchema = object({
  code: v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, 'must be an upper-case ISO 4217 code')),
  name: v.pipe(v.string(), v.minLength(1)),
  /** Digits after the decimal point: 2 for USD, 0 for JPY. */
  exponent: v.pipe(int(), v.minValue(0), v.maxValue(8)),
  /** The largest amount one transaction may carry, in minor units. */
  maxTransactionMinor: v.pipe(int(), v.gtValue(0)),
});

const currencyFileSchema = object({ currencies: v.pipe(v.array(currencySchema), v.minLength(1)) });

export type Currency = v.InferOutput<typeof currencySchema>;

/** Validates the parsed contents of data/currencies.json; bad data is our bug, so this throws a plain Error. */
export function parseCurrencies(json: unknown): Currency[] {
  return parseShippedData(currencyFileSchema, json, 'currencies').currencies;
}

export interface Money {
  readonly amountMinor: MinorUnits;
  readonly currency: string;
}

const AMOUNT_PATTERN = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;
const CURRENCY_PATTERN = /^[A-Za-z]{3}$/;
const MAX_AMOUNT_TEXT_LENGTH = 32;

export function assertMinor(value: number, what = 'amount'): MinorUnits {
  if (!Number.isSafeInteger(value)) throw new Error(`${what} is not a safe integer of minor units: ${value}`);
  return value;
}

export function findCurrency(currencies: readonly Currency[], code: string): Currency {
  const text = code.trim();
  if (!CURRENCY_PATTERN.test(text)) {
    throw new AppError('INVALID_CURRENCY', `"${printable(code)}" is not a currency code`, { hint: `use one of ${currencies.map((c) => c.code).join(', ')}` });
  }
  const upper = text.toUpperCase();
  const found = currencies.find((c) => c.code === upper);
  if (!found)
    throw new AppError('INVALID_CURRENCY', `${upper} is not a supported currency`, { hint: `use one of ${currencies.map((c) => c.code).join(', ')}` });
  return found;
}

/**
 * Parses a decimal amount such as "12.50" into minor units. Only plain ASCII digits with an
 * optional point are accepted: no sign, exponent, separators, blanks or more decimals than
 * the currency has. Zero is refused unless `allowZero` is set.
 */
export function parseAmount(text: string, currency: Currency, options: { allowZero?: boolean; ignoreMaximum?: boolean } = {}): MinorUnits {
  const shown = printable(text);
  if (text.length === 0 || text.length > MAX_AMOUNT_TEXT_LENGTH) {
    throw new AppError('INVALID_AMOUNT', text.length === 0 ? 'the amount is empty' : 'the amount is too long', { hint: 'write it like 12.50' });
  }
  const match = AMOUNT_PATTERN.exec(text);
  if (!match)
    throw new AppError('INVALID_AMOUNT', `"${shown}" is not an amount`, { hint: `write it with digits and at most one point, like ${example(currency)}` });
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > currency.exponent) {
    throw new AppError(
      'INVALID_AMOUNT',
      currency.exponent === 0
        ? `${currency.code} amounts have no decimals: "${shown}"`
        : `${currency.code} amounts have at most ${currency.exponent} decimals: "${shown}"`,
      { hint: `for example ${example(currency)}` },
    );
  }
  const digits = whole + fraction.padEnd(currency.exponent, '0');
  const minor = Number(digits);
  if (!Number.isSafeInteger(minor) || (!options.ignoreMaximum && minor > currency.maxTransactionMinor)) {
    throw new AppError('INVALID_AMOUNT', `${shown} ${currency.code} is more than one transaction may carry`, {
      hint: `the maximum is ${formatAmount(currency.maxTransactionMinor, currency)} ${currency.code}`,
    });
  }
  if (minor === 0 && !options.allowZero) throw new AppError('INVALID_AMOUNT', 'the amount must be more than zero');
  return minor;
}

/** Formats minor units as a plain decimal string: 1250 USD → "12.50", 1200 JPY → "1200". */
export function formatAmount(amountMinor: MinorUnits, currency: Pick<Currency, 'exponent'>): string {
  assertMinor(amountMinor);
  const negative = amountMinor < 0;
  const digits = Math.abs(amountMinor).toString();
  if (currency.exponent === 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(currency.exponent + 1, '0');
  const whole = padded.slice(0, padded.length - currency.exponent);
  const fraction = padded.slice(padded.length - currency.exponent);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

function example(currency: Currency): string {
  return currency.exponent === 0 ? `1200 ${currency.code}` : `12.${'5'.padEnd(currency.exponent, '0')} ${currency.code}`;
}

/** Shows user input safely inside a one-line message: control characters escaped, length bounded. */
export function printable(text: string, max = 40): string {
  const escaped = JSON.stringify(text).slice(1, -1);
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}
