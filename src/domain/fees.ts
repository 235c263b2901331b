import * as v from 'valibot';
import { AppError } from './errors.js';
import { convertMinor, quoteRate, type RateTable } from './fx.js';
import { assertMinor, formatAmount, type Currency, type MinorUnits } from './money.js';
import { int, object, onFirstUse, parseShippedData, record } from './schema.js';

const MAX_BASIS_POINTS = 10_000;
const currencyKey = () => v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, 'is not keyed by a currency code'));
const nonNegativeInteger = () => v.pipe(int('must be a non-negative integer'), v.minValue(0, 'must be a non-negative integer'));

/** One fee tier for one currency, as in data/fees.json. All amounts in that currency's minor units. */
const feeRuleSchema = onFirstUse(() =>
  v.pipe(
    object({
      percentBasisPoints: v.pipe(nonNegativeInteger(), v.maxValue(MAX_BASIS_POINTS, 'is above 100%')),
      fixedMinor: nonNegativeInteger(),
      minMinor: nonNegativeInteger(),
      maxMinor: nonNegativeInteger(),
    }),
    v.check((rule) => rule.minMinor <= rule.maxMinor, 'has minMinor above maxMinor'),
  ),
);

const feeRulesSchema = onFirstUse(() =>
  v.pipe(
    record(currencyKey(), feeRuleSchema()),
    v.check((rules) => Object.keys(rules).length > 0, 'lists no currency'),
  ),
);

const feeScheduleSchema = onFirstUse(() =>
  object({
    /** The rounding rule in words, shipped with the numbers so the two are read together. */
    rounding: v.pipe(
      v.string(),
      v.check((text) => text.trim() !== '', 'must describe the rounding rule'),
    ),
    transfer: object({ domestic: feeRulesSchema(), crossBorder: feeRulesSchema() }),
    withdrawal: object({ bank: feeRulesSchema(), ewallet: feeRulesSchema() }),
  }),
);

export type FeeRule = v.InferOutput<ReturnType<typeof feeRuleSchema>>;
type FeeRulesByCurrency = v.InferOutput<ReturnType<typeof feeRulesSchema>>;
export type FeeSchedule = v.InferOutput<ReturnType<typeof feeScheduleSchema>>;

export type TransferScope = 'domestic' | 'cross-border';
export type WithdrawalMethodType = 'bank' | 'ewallet';

/** One part of a fee. The lines of a quote always add up to its `feeMinor`. */
export interface FeeLine {
  readonly code: string;
  readonly label: string;
  readonly amountMinor: MinorUnits;
}

export interface TransferQuote {
  readonly amountMinor: MinorUnits;
  readonly currency: string;
  readonly feeMinor: MinorUnits;
  /** Always the currency sent: the sender pays the fee on top of the amount. */
  readonly feeCurrency: string;
  readonly feeLines: readonly FeeLine[];
  readonly scope: TransferScope;
  readonly midRate: string;
  /** The applied rate (mid minus the spread); "1" when no conversion happens. */
  readonly rate: string;
  /** The margin already inside `rate`; informational, not a fee line. */
  readonly spreadBasisPoints: number;
  readonly receiveAmountMinor: MinorUnits;
  readonly receiveCurrency: string;
  readonly totalDebitMinor: MinorUnits;
}

export interface WithdrawalQuote {
  readonly amountMinor: MinorUnits;
  readonly currency: string;
  readonly methodType: WithdrawalMethodType;
  readonly feeMinor: MinorUnits;
  readonly feeLines: readonly FeeLine[];
  /** The whole amount is paid out; the fee is charged on top. */
  readonly receiveAmountMinor: MinorUnits;
  readonly totalDebitMinor: MinorUnits;
}

export interface TransferQuoteInput {
  readonly amountMinor: MinorUnits;
  readonly currency: Currency;
  readonly toCurrency: Currency;
  readonly senderCountry: string | null;
  readonly recipientCountry: string | null;
}

export interface WithdrawalQuoteInput {
  readonly amountMinor: MinorUnits;
  readonly currency: Currency;
  readonly methodType: WithdrawalMethodType;
}

/** Validates the shipped fee schedule; bad data is our bug, so this throws a plain Error. */
export function parseFeeSchedule(json: unknown): FeeSchedule {
  return parseShippedData(feeScheduleSchema(), json, 'fees');
}

/**
 * Quotes a transfer. The same input and reference data always give the same quote, and the
 * ledger charges exactly what it says. The fee is in the currency sent, by the rule of the
 * transfer's scope (see `transferScope`); a conversion uses the applied rate, rounded down.
 */
export function computeTransferQuote(input: TransferQuoteInput, ref: { readonly schedule: FeeSchedule; readonly rates: RateTable }): TransferQuote {
  const { amountMinor, currency, toCurrency } = input;
  assertPositiveAmount(amountMinor, currency);
  const scope = transferScope(input);
  const rules = scope === 'domestic' ? ref.schedule.transfer.domestic : ref.schedule.transfer.crossBorder;
  const rule = ruleFor(rules, currency.code, `${scope} transfers`);
  const fee = computeFee(amountMinor, currency, rule, 'transfer', `${scope} transfer fee`);
  const { midRate, appliedRate, spreadBasisPoints } = quoteRate(ref.rates, currency.code, toCurrency.code);
  const receiveAmountMinor = convertMinor(amountMinor, currency, toCurrency, appliedRate);
  if (receiveAmountMinor === 0) {
    throw new AppError('INVALID_AMOUNT', `${formatAmount(amountMinor, currency)} ${currency.code} is worth less than the smallest unit of ${toCurrency.code}`, {
      hint: 'send a larger amount',
    });
  }
  return {
    amountMinor,
    currency: currency.code,
    feeMinor: fee.feeMinor,
    feeCurrency: currency.code,
    feeLines: fee.feeLines,
    scope,
    midRate,
    rate: appliedRate,
    spreadBasisPoints,
    receiveAmountMinor,
    receiveCurrency: toCurrency.code,
    totalDebitMinor: assertMinor(amountMinor + fee.feeMinor, 'total debit'),
  };
}

/** Quotes a withdrawal: the fee depends on the amount and on where the money goes. */
export function computeWithdrawalQuote(input: WithdrawalQuoteInput, ref: { readonly schedule: FeeSchedule }): WithdrawalQuote {
  const { amountMinor, currency, methodType } = input;
  assertPositiveAmount(amountMinor, currency);
  const rules = methodType === 'bank' ? ref.schedule.withdrawal.bank : ref.schedule.withdrawal.ewallet;
  const what = methodType === 'bank' ? 'bank withdrawal' : 'e-wallet withdrawal';
  const rule = ruleFor(rules, currency.code, `${what}s`);
  const fee = computeFee(amountMinor, currency, rule, 'withdrawal', `${what} fee`);
  return {
    amountMinor,
    currency: currency.code,
    methodType,
    feeMinor: fee.feeMinor,
    feeLines: fee.feeLines,
    receiveAmountMinor: amountMinor,
    totalDebitMinor: assertMinor(amountMinor + fee.feeMinor, 'total debit'),
  };
}

/**
 * Domestic means same currency and no border: a conversion always makes a transfer cross-border,
 * and so does a country that is not known (a recipient without an account yet, an account
 * without a country): the conservative price, since the payee who later claims an unknown
 * address may live anywhere (docs/SECURITY.md, finding 14). Both countries known and equal is
 * domestic.
 */
function transferScope(input: TransferQuoteInput): TransferScope {
  if (input.currency.code !== input.toCurrency.code) return 'cross-border';
  const sender = normalizeCountry(input.senderCountry);
  const recipient = normalizeCountry(input.recipientCountry);
  return sender !== null && sender === recipient ? 'domestic' : 'cross-border';
}

/**
 * The percentage part is rounded half up to the minor unit, the fixed part is added, and
 * only then is the sum held within [min, max], so min and max bound the whole fee. A
 * clamp shows as its own line, which keeps the lines summing to the fee.
 */
function computeFee(
  amountMinor: MinorUnits,
  currency: Currency,
  rule: FeeRule,
  kind: 'transfer' | 'withdrawal',
  what: string,
): { feeMinor: MinorUnits; feeLines: FeeLine[] } {
  const percentMinor = Number((2n * BigInt(amountMinor) * BigInt(rule.percentBasisPoints) + 10_000n) / 20_000n);
  const rawMinor = percentMinor + rule.fixedMinor;
  const feeMinor = Math.min(Math.max(rawMinor, rule.minMinor), rule.maxMinor);
  const money = (minor: MinorUnits): string => `${formatAmount(minor, currency)} ${currency.code}`;
  const feeLines: FeeLine[] = [];
  if (percentMinor > 0) feeLines.push({ code: `${kind}.percent`, label: `${formatBasisPoints(rule.percentBasisPoints)} ${what}`, amountMinor: percentMinor });
  if (rule.fixedMinor > 0) feeLines.push({ code: `${kind}.fixed`, label: `fixed part of the ${what}`, amountMinor: rule.fixedMinor });
  if (feeMinor > rawMinor)
    feeLines.push({ code: `${kind}.minimum`, label: `raised to the minimum fee of ${money(rule.minMinor)}`, amountMinor: feeMinor - rawMinor });
  if (feeMinor < rawMinor)
    feeLines.push({ code: `${kind}.cap`, label: `capped at the maximum fee of ${money(rule.maxMinor)}`, amountMinor: feeMinor - rawMinor });
  return { feeMinor, feeLines };
}

function ruleFor(rules: FeeRulesByCurrency, code: string, what: string): FeeRule {
  const rule = rules[code];
  if (!rule) throw new AppError('INVALID_CURRENCY', `${what} in ${code} are not offered`, { hint: `use one of ${Object.keys(rules).join(', ')}` });
  return rule;
}

function assertPositiveAmount(amountMinor: MinorUnits, currency: Currency): void {
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) throw new AppError('INVALID_AMOUNT', 'the amount must be more than zero');
  if (amountMinor > currency.maxTransactionMinor) {
    throw new AppError('INVALID_AMOUNT', `${formatAmount(amountMinor, currency)} ${currency.code} is more than one transaction may carry`, {
      hint: `the maximum is ${formatAmount(currency.maxTransactionMinor, currency)} ${currency.code}`,
    });
  }
}

function normalizeCountry(country: string | null): string | null {
  const text = country?.trim().toUpperCase() ?? '';
  return text === '' ? null : text;
}

/** 290 → "2.90%". */
function formatBasisPoints(basisPoints: number): string {
  return `${Math.floor(basisPoints / 100)}.${String(basisPoints % 100).padStart(2, '0')}%`;
}
