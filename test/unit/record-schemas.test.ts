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

  it('a ticket whose event log holds an event of an unknown shape is refused, naming the event and its field', () => {
    const ticket = {
      number: 7,
      customerId: 'usr_1',
      category: 'funds',
      subject: 'Where is my money?',
      channel: 'email',
      language: 'en',
      regionId: 'eu',
      status: 'open',
      priority: 'normal',
      tier: 1,
      assigneeId: null,
      tags: [],
      txId: null,
      lockedAccount: false,
      origin: 'customer',
      relatedTo: null,
      mergedInto: null,
      escalationRequest: null,
      rating: null,
      createdAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T10:00:00.000Z',
      messages: [
        { id: 1, at: '2026-11-23T10:00:00.000Z', authorId: 'usr_1', author: 'customer', visibility: 'public', body: 'Hello', faqId: null, fromTicket: null },
      ],
      events: [
        { type: 'created', at: '2026-11-23T10:00:00.000Z', by: 'usr_1' },
        { type: 'status', at: '2026-11-23T10:00:00.000Z', by: null, from: 'new', to: 'open' },
      ],
    };
    expect(checkedRecord('tickets', '7', ticket)).toBe(ticket);
    const damaged = { ...ticket, tier: 4, events: [...ticket.events, { type: 'escalated', at: 'x', by: null, from: 1, to: 5, reason: null }] };
    expect(refusal('tickets', '7', damaged).message).toBe(
      "the store's tickets record 7 is damaged: tier must be 1 or 2 or 3; events[2].to must be 1 or 2 or 3",
    );
  });
});
