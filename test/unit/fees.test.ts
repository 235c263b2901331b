import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import currenciesJson from '../../data/currencies.json' with { type: 'json' };
import feesJson from '../../data/fees.json' with { type: 'json' };
import ratesJson from '../../data/rates.json' with { type: 'json' };
import {
  computeTransferQuote,
  computeWithdrawalQuote,
  parseFeeSchedule,
  type FeeRule,
  type FeeSchedule,
  type TransferQuoteInput,
  type WithdrawalMethodType,
} from '../../src/domain/fees.js';
import { parseRateTable } from '../../src/domain/fx.js';
import { findCurrency, type Currency } from '../../src/domain/money.js';
import { appErrorOf } from '../support/app-error.js';

const currencies: readonly Currency[] = currenciesJson.currencies;
const schedule = parseFeeSchedule(feesJson);
const rates = parseRateTable(ratesJson);
const ref = { schedule, rates };
const usd = findCurrency(currencies, 'USD');
const eur = findCurrency(currencies, 'EUR');
const jpy = findCurrency(currencies, 'JPY');

function transfer(amountMinor: number, overrides: Partial<TransferQuoteInput> = {}) {
  return computeTransferQuote({ amountMinor, currency: usd, toCurrency: usd, senderCountry: 'US', recipientCountry: 'US', ...overrides }, ref);
}

function withdrawal(amountMinor: number, methodType: WithdrawalMethodType, currency: Currency = usd) {
  return computeWithdrawalQuote({ amountMinor, currency, methodType }, ref);
}

function codeAmounts(lines: readonly { code: string; amountMinor: number }[]): [string, number][] {
  return lines.map((line) => [line.code, line.amountMinor]);
}

/**
 * Any amount one transaction may carry, in one of the shipped currencies; half the runs stay
 * below 100000 minor units, where the minimum and maximum fees take over.
 */
const amountInCurrency = fc
  .constantFrom(...currencies)
  .chain((currency) =>
    fc.tuple(fc.constant(currency), fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: currency.maxTransactionMinor }))),
  );

function ruleTables(feeSchedule: FeeSchedule): [string, Readonly<Record<string, FeeRule>>][] {
  return [
    ['transfer.domestic', feeSchedule.transfer.domestic],
    ['transfer.crossBorder', feeSchedule.transfer.crossBorder],
    ['withdrawal.bank', feeSchedule.withdrawal.bank],
    ['withdrawal.ewallet', feeSchedule.withdrawal.ewallet],
  ];
}

describe('parseFeeSchedule', () => {
  it('has a rule for every shipped currency in every table, and documents its rounding', () => {
    expect(schedule.rounding).toMatch(/half up/);
    for (const [, rules] of ruleTables(schedule)) {
      for (const currency of currencies) expect(rules[currency.code]).toBeDefined();
    }
  });

  const usdRule = feesJson.transfer.domestic.USD;
  const withDomesticUsd = (rule: unknown) => ({ ...feesJson, transfer: { ...feesJson.transfer, domestic: { USD: rule } } });
  it.each([
    ['not an object', []],
    ['no rounding note', { ...feesJson, rounding: ' ' }],
    ['no transfer table', { ...feesJson, transfer: null }],
    ['a missing withdrawal method', { ...feesJson, withdrawal: { bank: feesJson.withdrawal.bank } }],
    ['an empty table', { ...feesJson, transfer: { ...feesJson.transfer, domestic: {} } }],
    ['a lower-case currency key', { ...feesJson, transfer: { ...feesJson.transfer, domestic: { usd: usdRule } } }],
    ['a negative fixed part', withDomesticUsd({ ...usdRule, fixedMinor: -1 })],
    ['a fractional minimum', withDomesticUsd({ ...usdRule, minMinor: 0.5 })],
    ['an amount as a string', withDomesticUsd({ ...usdRule, maxMinor: '500' })],
    ['a percentage above 100%', withDomesticUsd({ ...usdRule, percentBasisPoints: 10_001 })],
    ['a minimum above the maximum', withDomesticUsd({ ...usdRule, minMinor: 600 })],
  ])('refuses %s', (_name, json) => {
    expect(() => parseFeeSchedule(json)).toThrow(/^fees: /);
  });
});

describe('computeTransferQuote: scope', () => {
  it.each([
    ['same country and currency', { senderCountry: 'US', recipientCountry: 'US' }, 'domestic'],
    ['country codes in any case and padding', { senderCountry: 'us', recipientCountry: ' US ' }, 'domestic'],
    ['an unknown recipient country', { recipientCountry: null }, 'cross-border'],
    ['an unknown sender country', { senderCountry: null }, 'cross-border'],
    ['a blank country', { recipientCountry: '' }, 'cross-border'],
    ['two different countries', { senderCountry: 'US', recipientCountry: 'DE' }, 'cross-border'],
    ['a conversion within one country', { toCurrency: eur }, 'cross-border'],
    ['a conversion to an unknown country', { toCurrency: eur, recipientCountry: null }, 'cross-border'],
  ] as const)('%s → %s', (_name, overrides, scope) => {
    expect(transfer(10_000, overrides).scope).toBe(scope);
  });
});

describe('computeTransferQuote: amounts', () => {
  it('quotes a domestic transfer: 0.50% of the amount, no conversion', () => {
    expect(transfer(10_000)).toEqual({
      amountMinor: 10_000,
      currency: 'USD',
      feeMinor: 50,
      feeCurrency: 'USD',
      feeLines: [{ code: 'transfer.percent', label: '0.50% domestic transfer fee', amountMinor: 50 }],
      scope: 'domestic',
      midRate: '1',
      rate: '1',
      spreadBasisPoints: 0,
      receiveAmountMinor: 10_000,
      receiveCurrency: 'USD',
      totalDebitMinor: 10_050,
    });
  });

  it('rounds the percentage half up to the minor unit', () => {
    expect(transfer(99).feeMinor).toBe(0);
    expect(transfer(100).feeMinor).toBe(1);
    expect(transfer(300).feeMinor).toBe(2);
  });

  it('leaves no lines when the fee is zero', () => {
    expect(transfer(99)).toMatchObject({ feeMinor: 0, feeLines: [], totalDebitMinor: 99 });
  });

  it('shows a cap as its own negative line', () => {
    const quote = transfer(200_000);
    expect(quote.feeMinor).toBe(500);
    expect(codeAmounts(quote.feeLines)).toEqual([
      ['transfer.percent', 1_000],
      ['transfer.cap', -500],
    ]);
    expect(quote.feeLines[1]?.label).toBe('capped at the maximum fee of 5.00 USD');
  });

  it('quotes a conversion: 2.90% + fixed, received at the applied rate rounded down', () => {
    const quote = transfer(10_000, { toCurrency: eur });
    expect(quote).toMatchObject({ scope: 'cross-border', feeMinor: 320, midRate: '0.865', rate: '0.852025', spreadBasisPoints: 150 });
    expect(quote).toMatchObject({ receiveAmountMinor: 8_520, receiveCurrency: 'EUR', feeCurrency: 'USD', totalDebitMinor: 10_320 });
    expect(codeAmounts(quote.feeLines)).toEqual([
      ['transfer.percent', 290],
      ['transfer.fixed', 30],
    ]);
  });

  it('raises a small cross-border fee to the minimum with its own line', () => {
    const quote = transfer(100, { recipientCountry: 'GB' });
    expect(quote.feeMinor).toBe(99);
    expect(codeAmounts(quote.feeLines)).toEqual([
      ['transfer.percent', 3],
      ['transfer.fixed', 30],
      ['transfer.minimum', 66],
    ]);
    expect(quote.feeLines[2]?.label).toBe('raised to the minimum fee of 0.99 USD');
  });

  it('caps a large cross-border fee and converts between exponents', () => {
    const quote = transfer(usd.maxTransactionMinor, { toCurrency: jpy });
    expect(quote.feeMinor).toBe(25_000);
    expect(codeAmounts(quote.feeLines)).toEqual([
      ['transfer.percent', 2_900_000],
      ['transfer.fixed', 30],
      ['transfer.cap', -2_875_030],
    ]);
    expect(quote.receiveAmountMinor).toBe(150_015_500);
  });

  it('refuses an amount worth less than one minor unit of the receiving currency', () => {
    const error = appErrorOf(() => transfer(1, { currency: jpy, toCurrency: usd }));
    expect(error.code).toBe('INVALID_AMOUNT');
    expect(error.message).toBe('1 JPY is worth less than the smallest unit of USD');
  });

  it.each([0, -100, 1.5, Number.NaN])('refuses the amount %s', (amountMinor) => {
    expect(appErrorOf(() => transfer(amountMinor)).code).toBe('INVALID_AMOUNT');
  });

  it('refuses an amount above what one transaction may carry', () => {
    expect(appErrorOf(() => transfer(usd.maxTransactionMinor + 1)).message).toMatch(/more than one transaction may carry/);
  });

  it('refuses a currency the schedule does not price', () => {
    const chf: Currency = { code: 'CHF', name: 'Swiss franc', exponent: 2, maxTransactionMinor: 100_000_000 };
    const error = appErrorOf(() => transfer(10_000, { currency: chf, toCurrency: chf }));
    expect(error.code).toBe('INVALID_CURRENCY');
    expect(error.message).toBe('domestic transfers in CHF are not offered');
  });
});

describe('computeWithdrawalQuote', () => {
  it('charges a bank payout less than an e-wallet payout, on top of the amount', () => {
    expect(withdrawal(10_000, 'bank')).toEqual({
      amountMinor: 10_000,
      currency: 'USD',
      methodType: 'bank',
      feeMinor: 50,
      feeLines: [
        { code: 'withdrawal.percent', label: '0.25% bank withdrawal fee', amountMinor: 25 },
        { code: 'withdrawal.minimum', label: 'raised to the minimum fee of 0.50 USD', amountMinor: 25 },
      ],
      receiveAmountMinor: 10_000,
      totalDebitMinor: 10_050,
    });
    const ewallet = withdrawal(10_000, 'ewallet');
    expect(ewallet).toMatchObject({ feeMinor: 130, receiveAmountMinor: 10_000, totalDebitMinor: 10_130 });
    expect(ewallet.feeLines.map((line) => line.label)).toEqual(['1.00% e-wallet withdrawal fee', 'fixed part of the e-wallet withdrawal fee']);
  });

  it('caps a large payout and works in a currency without decimals', () => {
    expect(withdrawal(1_000_000, 'bank').feeMinor).toBe(500);
    expect(withdrawal(100_000, 'ewallet', jpy)).toMatchObject({ feeMinor: 1_040, totalDebitMinor: 101_040 });
  });

  it('refuses a zero amount', () => {
    expect(appErrorOf(() => withdrawal(0, 'bank')).code).toBe('INVALID_AMOUNT');
  });
});

describe('fee properties over the shipped schedule', () => {
  const countries = fc.constantFrom('US', 'DE', 'GB', 'CN', 'JP', null);

  it('fee lines sum to the fee, the fee stays within [min, max], and total = amount + fee', () => {
    fc.assert(
      fc.property(
        amountInCurrency,
        fc.constantFrom(...currencies),
        countries,
        countries,
        ([currency, sentMinor], toCurrency, senderCountry, recipientCountry) => {
          // a conversion needs enough to be worth one minor unit of the other currency
          const amountMinor = currency.code === toCurrency.code ? sentMinor : Math.max(sentMinor, 1_000);
          const quote = computeTransferQuote({ amountMinor, currency, toCurrency, senderCountry, recipientCountry }, ref);
          const rules = quote.scope === 'domestic' ? schedule.transfer.domestic : schedule.transfer.crossBorder;
          const rule = rules[currency.code];
          expect(quote.feeLines.reduce((sum, line) => sum + line.amountMinor, 0)).toBe(quote.feeMinor);
          expect(quote.feeMinor).toBeGreaterThanOrEqual(rule?.minMinor ?? Number.NaN);
          expect(quote.feeMinor).toBeLessThanOrEqual(rule?.maxMinor ?? Number.NaN);
          expect(quote.totalDebitMinor).toBe(amountMinor + quote.feeMinor);
        },
      ),
    );
  });

  it('withdrawal lines sum to the fee, and total = amount + fee', () => {
    fc.assert(
      fc.property(amountInCurrency, fc.constantFrom<WithdrawalMethodType>('bank', 'ewallet'), ([currency, amountMinor], methodType) => {
        const quote = withdrawal(amountMinor, methodType, currency);
        const rule = schedule.withdrawal[methodType][currency.code];
        expect(quote.feeLines.reduce((sum, line) => sum + line.amountMinor, 0)).toBe(quote.feeMinor);
        expect(quote.feeMinor).toBeGreaterThanOrEqual(rule?.minMinor ?? Number.NaN);
        expect(quote.feeMinor).toBeLessThanOrEqual(rule?.maxMinor ?? Number.NaN);
        expect(quote.totalDebitMinor).toBe(amountMinor + quote.feeMinor);
        expect(quote.receiveAmountMinor).toBe(amountMinor);
      }),
    );
  });

  it('a bank payout costs strictly less than an e-wallet payout, for every amount and currency', () => {
    fc.assert(
      fc.property(amountInCurrency, ([currency, amountMinor]) => {
        expect(withdrawal(amountMinor, 'bank', currency).feeMinor).toBeLessThan(withdrawal(amountMinor, 'ewallet', currency).feeMinor);
      }),
      { numRuns: 2_000 },
    );
  });

  it('a cross-border transfer never costs less than a domestic one', () => {
    fc.assert(
      fc.property(amountInCurrency, ([currency, amountMinor]) => {
        const domestic = computeTransferQuote({ amountMinor, currency, toCurrency: currency, senderCountry: 'US', recipientCountry: 'US' }, ref);
        const crossBorder = computeTransferQuote({ amountMinor, currency, toCurrency: currency, senderCountry: 'US', recipientCountry: 'JP' }, ref);
        expect(crossBorder.feeMinor).toBeGreaterThanOrEqual(domestic.feeMinor);
      }),
      { numRuns: 2_000 },
    );
  });

  it('is deterministic: the same input gives the same quote', () => {
    fc.assert(
      fc.property(amountInCurrency, fc.constantFrom(...currencies), countries, ([currency, amountMinor], toCurrency, recipientCountry) => {
        const input = { amountMinor: Math.max(amountMinor, 1_000), currency, toCurrency, senderCountry: 'US', recipientCountry };
        expect(computeTransferQuote(input, ref)).toEqual(computeTransferQuote({ ...input }, ref));
      }),
    );
  });
});
