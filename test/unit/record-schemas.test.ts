import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { checkedRecord } from '../../src/store/record-schemas.js';

const WITHDRAWAL = {
  id: 'wd_1',
  userId: 'usr_1',
  methodId: 'wm_1',
  methodType: 'bank',
  methodLabel: 'Ada Lovelace •••• 4321',
  amountMinor: 10_000,
  currency: 'USD',
  feeMinor: 100,
  feeLines: [{ code: 'payout', label: 'Bank payout', amountMinor: 100 }],
  status: 'requested',
  requestedAt: '2026-11-23T10:00:00.000Z',
  processingAt: null,
  expectedBy: '2026-11-26T10:00:00.000Z',
  finishedAt: null,
  failureReason: null,
  holdTxId: 'txn_0000000001',
  quoteId: null,
  outgoingUsdMinor: 10_000,
};

function refusal(kind: Parameters<typeof checkedRecord>[0], key: string, value: unknown): AppError {
  try {
    checkedRecord(kind, key, value);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('the record was accepted');
}

describe('records read back from a store', () => {
  it('a record that matches its kind comes back as it was read, the very object', () => {
    expect(checkedRecord('withdrawals', 'wd_1', WITHDRAWAL)).toBe(WITHDRAWAL);
    expect(checkedRecord('balances', 'user:usr_1', { USD: -5, EUR: 0 })).toEqual({ USD: -5, EUR: 0 });
    expect(checkedRecord('sessions', 'h', { userId: 'usr_1', createdAt: 'a', lastSeenAt: 'b', endedByLockAt: 'c' })).toBeDefined();
  });

  it('an absent record stays absent', () => {
    expect(checkedRecord('withdrawals', 'wd_1', undefined)).toBeUndefined();
  });

  it('a damaged record is STORE_CORRUPT naming the kind, the key and every bad field with what was expected', () => {
    const damaged = { ...WITHDRAWAL, amountMinor: 100.5, status: 'lost', feeLines: [{ code: 'payout', label: 'Bank payout' }] };
    delete (damaged as Partial<typeof WITHDRAWAL>).holdTxId;
    const error = refusal('withdrawals', 'wd_1', damaged);
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toBe(
      "the store's withdrawals record wd_1 is damaged: amountMinor must be a whole number; feeLines[0].amountMinor is required; " +
        'status must be "requested" or "processing" or "completed" or "failed" or "cancelled" or "returned"; holdTxId is required',
    );
  });

  it('a balance that is not whole minor units is refused with its currency', () => {
    expect(refusal('balances', 'user:usr_1', { USD: '500.00', EUR: 1.5, GBP: 1e300 }).message).toBe(
      "the store's balances record user:usr_1 is damaged: USD must be a number; EUR must be a whole number; GBP must be at most 9007199254740991",
    );
  });
});
