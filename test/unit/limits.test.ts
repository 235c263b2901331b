import { describe, it, expect } from 'vitest';
import currenciesJson from '../../data/currencies.json' with { type: 'json' };
import limitsJson from '../../data/limits.json' with { type: 'json' };
import { checkOutgoingLimits, parseLimitTable, pruneWindow, remainingAllowance, windowTotal } from '../../src/domain/limits.js';
import type { Currency } from '../../src/domain/money.js';
import { appErrorOf } from '../support/app-error.js';

const currencies: readonly Currency[] = currenciesJson.currencies;
const table = parseLimitTable(limitsJson, currencies);
const DAY_MS = 24 * 60 * 60 * 1000;
const NOW_MS = Date.UTC(2026, 10, 15, 12, 0, 0);

describe('parseLimitTable', () => {
  it('reads the shipped limits in USD cents', () => {
    expect(table.currency.code).toBe('USD');
    expect(table.unverified).toEqual({ perTransactionMinor: 100_000, rolling30DaysMinor: 250_000 });
    expect(table.verified).toEqual({ perTransactionMinor: 5_000_000, rolling30DaysMinor: 25_000_000 });
  });

  it.each([
    ['not an object', 'limits'],
    ['another currency', { ...limitsJson, currency: 'EUR' }],
    ['a missing tier', { ...limitsJson, verified: undefined }],
    ['a zero limit', { ...limitsJson, unverified: { ...limitsJson.unverified, perTransactionMinor: 0 } }],
    ['a fractional limit', { ...limitsJson, unverified: { ...limitsJson.unverified, rolling30DaysMinor: 10.5 } }],
    ['one payment above the 30-day limit', { ...limitsJson, unverified: { perTransactionMinor: 300_000, rolling30DaysMinor: 250_000 } }],
    ['verified limits below unverified ones', { ...limitsJson, verified: { perTransactionMinor: 50_000, rolling30DaysMinor: 25_000_000 } }],
  ])('refuses %s', (_name, json) => {
    expect(() => parseLimitTable(json, currencies)).toThrow(/^limits: /);
  });

  it('refuses a currency list without USD', () => {
    expect(() =>
      parseLimitTable(
        limitsJson,
        currencies.filter((c) => c.code !== 'USD'),
      ),
    ).toThrow(/no USD/);
  });
});

describe('rolling 30-day window', () => {
  const entries = [
    { atMs: NOW_MS - 30 * DAY_MS - 1, usdMinor: 1 },
    { atMs: NOW_MS - 30 * DAY_MS, usdMinor: 10 },
    { atMs: NOW_MS - 30 * DAY_MS + 1, usdMinor: 100 },
    { atMs: NOW_MS - DAY_MS, usdMinor: 1_000 },
    { atMs: NOW_MS, usdMinor: 10_000 },
    { atMs: NOW_MS + 60_000, usdMinor: 100_000 },
  ];

  it('drops entries once they are 30 days old, keeps younger and future ones', () => {
    expect(pruneWindow(entries, NOW_MS).map((entry) => entry.usdMinor)).toEqual([100, 1_000, 10_000, 100_000]);
    expect(windowTotal(entries, NOW_MS)).toBe(111_100);
  });

  it('lets an entry leave the window one millisecond later', () => {
    expect(windowTotal(entries, NOW_MS + 1)).toBe(111_000);
    expect(windowTotal(entries, NOW_MS + 30 * DAY_MS)).toBe(100_000);
  });

  it('keeps the other fields of an entry', () => {
    expect(pruneWindow([{ atMs: NOW_MS, usdMinor: 5, id: 'tx_1' }], NOW_MS)).toEqual([{ atMs: NOW_MS, usdMinor: 5, id: 'tx_1' }]);
  });

  it('totals an empty window as zero', () => {
    expect(windowTotal([], NOW_MS)).toBe(0);
  });
});

describe('remainingAllowance', () => {
  it('reports both limits and the largest next payment', () => {
    expect(remainingAllowance({ verified: false, windowUsdMinor: 200_000 }, table)).toEqual({
      verified: false,
      perTransactionMinor: 100_000,
      rolling30DaysMinor: 250_000,
      usedRolling30DaysMinor: 200_000,
      remainingRolling30DaysMinor: 50_000,
      nextPaymentMaxMinor: 50_000,
    });
    expect(remainingAllowance({ verified: true, windowUsdMinor: 200_000 }, table)).toMatchObject({
      nextPaymentMaxMinor: 5_000_000,
      remainingRolling30DaysMinor: 24_800_000,
    });
  });

  it('never reports a negative remainder', () => {
    expect(remainingAllowance({ verified: false, windowUsdMinor: 400_000 }, table)).toMatchObject({ remainingRolling30DaysMinor: 0, nextPaymentMaxMinor: 0 });
  });
});

describe('checkOutgoingLimits', () => {
  const check =
    (verified: boolean, amountUsdMinor: number, windowUsdMinor = 0) =>
    () =>
      checkOutgoingLimits({ verified, amountUsdMinor, windowUsdMinor }, table);

  it('allows a payment that reaches a limit exactly', () => {
    expect(check(false, 100_000)).not.toThrow();
    expect(check(false, 50_000, 200_000)).not.toThrow();
    expect(check(true, 5_000_000)).not.toThrow();
    expect(check(true, 5_000_000, 20_000_000)).not.toThrow();
  });

  it('sends an unverified user one cent above the per-transaction limit to the identity check', () => {
    const error = appErrorOf(check(false, 100_001));
    expect(error.code).toBe('KYC_REQUIRED');
    expect(error.message).toBe(
      'this payment (1000.01 USD) is above the per-transaction limit of 1000.00 USD for unverified accounts; you can send up to 1000.00 USD now',
    );
    expect(error.hint).toMatch(/^submit an identity check: okpay kyc submit /);
    expect(error.details).toEqual({ limit: 'per-transaction', limitMinor: 100_000, remainingMinor: 100_000 });
  });

  it('sends an unverified user one cent above the 30-day limit to the identity check', () => {
    const error = appErrorOf(check(false, 50_001, 200_000));
    expect(error.code).toBe('KYC_REQUIRED');
    expect(error.message).toBe('this payment (500.01 USD) is above the 30-day limit of 2500.00 USD for unverified accounts; you can send up to 500.00 USD now');
  });

  it('lets a verified user send what an unverified one may not', () => {
    expect(check(true, 100_001)).not.toThrow();
    expect(check(true, 50_001, 200_000)).not.toThrow();
  });

  it('refuses a verified user above a verified limit with LIMIT_EXCEEDED and the remaining allowance', () => {
    const perTransaction = appErrorOf(check(true, 5_000_001));
    expect(perTransaction.code).toBe('LIMIT_EXCEEDED');
    expect(perTransaction.message).toBe('this payment (50000.01 USD) is above the per-transaction limit of 50000.00 USD; you can send up to 50000.00 USD now');
    expect(perTransaction.hint).toBe('split the payment into smaller ones');
    const rolling = appErrorOf(check(true, 1_000_001, 24_000_000));
    expect(rolling.code).toBe('LIMIT_EXCEEDED');
    expect(rolling.message).toBe('this payment (10000.01 USD) is above the 30-day limit of 250000.00 USD; you can send up to 10000.00 USD now');
  });

  it('names the per-transaction limit first when both are broken', () => {
    expect(appErrorOf(check(false, 200_000, 240_000)).message).toMatch(/per-transaction limit/);
  });

  it('refuses every payment once the window is used up', () => {
    expect(appErrorOf(check(false, 1, 250_000)).message).toMatch(/you can send up to 0\.00 USD now$/);
  });

  it('refuses amounts that are not whole minor units', () => {
    expect(check(false, 0.5)).toThrow(/not a safe integer/);
  });
});
