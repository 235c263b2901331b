import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import currenciesJson from '../../data/currencies.json' with { type: 'json' };
import ratesJson from '../../data/rates.json' with { type: 'json' };
import { convertMinor, parseRateTable, quoteRate, usdEquivalentMinor } from '../../src/domain/fx.js';
import { findCurrency, type Currency } from '../../src/domain/money.js';
import { AppError } from '../../src/domain/errors.js';

const currencies: readonly Currency[] = currenciesJson.currencies;
const table = parseRateTable(ratesJson);
const usd = findCurrency(currencies, 'USD');
const eur = findCurrency(currencies, 'EUR');
const jpy = findCurrency(currencies, 'JPY');

/** A rate string as an exact fraction, for comparing against integer results. */
function rateFraction(rate: string): { numerator: bigint; denominator: bigint } {
  const [whole = '0', fraction = ''] = rate.split('.');
  return { numerator: BigInt(whole + fraction), denominator: 10n ** BigInt(fraction.length) };
}

describe('parseRateTable', () => {
  it('accepts the shipped rates with every shipped currency', () => {
    expect(table.base).toBe('USD');
    for (const currency of currencies) expect(table.mid[currency.code]).toBeDefined();
  });

  it.each([
    ['not an object', null],
    ['a bad base', { ...ratesJson, base: 'usd' }],
    ['a bad date', { ...ratesJson, asOf: '1 Nov 2026' }],
    ['a fractional spread', { ...ratesJson, spreadBasisPoints: 1.5 }],
    ['a spread of 100%', { ...ratesJson, spreadBasisPoints: 10_000 }],
    ['a number instead of a decimal string', { ...ratesJson, mid: { ...ratesJson.mid, EUR: 0.865 } }],
    ['a zero rate', { ...ratesJson, mid: { ...ratesJson.mid, EUR: '0' } }],
    ['a negative rate', { ...ratesJson, mid: { ...ratesJson.mid, EUR: '-0.865' } }],
    ['an exponent', { ...ratesJson, mid: { ...ratesJson.mid, EUR: '8.65e-1' } }],
    ['too many decimals', { ...ratesJson, mid: { ...ratesJson.mid, EUR: '0.123456789' } }],
    ['a base rate other than 1', { ...ratesJson, mid: { ...ratesJson.mid, USD: '1.01' } }],
    ['a lower-case code', { ...ratesJson, mid: { ...ratesJson.mid, eur: '0.865' } }],
  ])('refuses %s', (_name, json) => {
    expect(() => parseRateTable(json)).toThrow(/^rates: /);
  });
});

describe('quoteRate', () => {
  it('gives "1" and no spread within one currency', () => {
    expect(quoteRate(table, 'JPY', 'JPY')).toEqual({ midRate: '1', appliedRate: '1', spreadBasisPoints: 0 });
  });

  it('takes the spread off the mid rate', () => {
    expect(quoteRate(table, 'USD', 'EUR')).toEqual({ midRate: '0.865', appliedRate: '0.852025', spreadBasisPoints: 150 });
    expect(quoteRate(table, 'USD', 'JPY')).toEqual({ midRate: '152.3', appliedRate: '150.0155', spreadBasisPoints: 150 });
  });

  it('crosses through the base: mid rounded half up, applied rounded down', () => {
    expect(quoteRate(table, 'EUR', 'USD')).toMatchObject({ midRate: '1.15606936', appliedRate: '1.13872832' });
    expect(quoteRate(table, 'JPY', 'USD')).toMatchObject({ midRate: '0.00656599', appliedRate: '0.00646749' });
    expect(quoteRate(table, 'GBP', 'CNY')).toMatchObject({ midRate: '9.36842105', appliedRate: '9.22789473' });
    expect(quoteRate(table, 'CNY', 'JPY')).toMatchObject({ midRate: '21.39044944', appliedRate: '21.06959269' });
  });

  it('never gives the customer more than the mid rate', () => {
    const codes = Object.keys(table.mid);
    for (const from of codes) {
      for (const to of codes) {
        const { midRate, appliedRate } = quoteRate(table, from, to);
        const mid = rateFraction(midRate);
        const applied = rateFraction(appliedRate);
        expect(applied.numerator * mid.denominator <= mid.numerator * applied.denominator).toBe(true);
      }
    }
  });

  it('refuses a currency without a rate with INVALID_CURRENCY', () => {
    expect(() => quoteRate(table, 'USD', 'CHF')).toThrow(AppError);
    expect(() => quoteRate(table, 'USD', 'CHF')).toThrow(/no exchange rate for CHF/);
  });
});

describe('convertMinor', () => {
  it('handles different exponents and rounds down', () => {
    expect(convertMinor(10_000, usd, jpy, '150.0155')).toBe(15_001);
    expect(convertMinor(1_000, jpy, usd, '0.00646749')).toBe(646);
    expect(convertMinor(1, jpy, usd, '0.00646749')).toBe(0);
    expect(convertMinor(999, usd, eur, '0.852025')).toBe(851);
  });

  it('is the identity at rate "1" within one exponent', () => {
    expect(convertMinor(12_345, usd, usd, '1')).toBe(12_345);
  });

  it('stays exact for the largest amounts (no float rounding)', () => {
    expect(convertMinor(usd.maxTransactionMinor, usd, jpy, '150.0155')).toBe(150_015_500);
    expect(convertMinor(9_007_199_254_740_991, jpy, jpy, '0.99999999')).toBe(9_007_199_164_668_998);
  });

  it('refuses a negative amount or a malformed rate', () => {
    expect(() => convertMinor(-1, usd, eur, '0.9')).toThrow(/negative/);
    expect(() => convertMinor(100, usd, eur, '0.9x')).toThrow(/not a rate/);
    expect(() => convertMinor(100, usd, eur, '0')).toThrow(/not a rate/);
  });

  it('never produces more than exact math, and less by under one minor unit', () => {
    const currency = fc.constantFrom(...currencies);
    const rate = fc
      .tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 99_999_999 }))
      .filter(([whole, fraction]) => whole > 0 || fraction > 0)
      .map(([whole, fraction]) => `${whole}.${String(fraction).padStart(8, '0')}`);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000 }), currency, currency, rate, (amountMinor, from, to, rateText) => {
        const result = BigInt(convertMinor(amountMinor, from, to, rateText));
        const { numerator, denominator } = rateFraction(rateText);
        const exactNumerator = BigInt(amountMinor) * numerator * 10n ** BigInt(to.exponent);
        const exactDenominator = denominator * 10n ** BigInt(from.exponent);
        expect(result * exactDenominator <= exactNumerator).toBe(true);
        expect((result + 1n) * exactDenominator > exactNumerator).toBe(true);
      }),
    );
  });
});

describe('usdEquivalentMinor', () => {
  it('returns USD amounts unchanged', () => {
    expect(usdEquivalentMinor(12_345, usd, table, currencies)).toBe(12_345);
  });

  it('values other currencies at the mid rate, rounding up', () => {
    expect(usdEquivalentMinor(10_000, eur, table, currencies)).toBe(11_561);
    expect(usdEquivalentMinor(123_456, jpy, table, currencies)).toBe(81_062);
    expect(usdEquivalentMinor(1, jpy, table, currencies)).toBe(1);
    expect(usdEquivalentMinor(0, jpy, table, currencies)).toBe(0);
  });

  it('is never below the exact value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000_000 }), fc.constantFrom(...currencies), (amountMinor, currency) => {
        const result = BigInt(usdEquivalentMinor(amountMinor, currency, table, currencies));
        const mid = rateFraction(table.mid[currency.code] ?? '');
        const exactNumerator = BigInt(amountMinor) * mid.denominator * 10n ** BigInt(usd.exponent);
        const exactDenominator = mid.numerator * 10n ** BigInt(currency.exponent);
        expect(result * exactDenominator >= exactNumerator).toBe(true);
        expect((result - 1n) * exactDenominator < exactNumerator).toBe(true);
      }),
    );
  });
});
