// The effects of posting a transaction, as plain data (ledger.transactionEffects): what every
// store applies to its records when a transaction is posted.

import { describe, expect, it } from 'vitest';
import { addToBalance, addToLimitWindow, transactionEffects, type NewTransaction, type Transaction } from '../../src/domain/ledger.js';
import { MemoryRecordStore } from '../../src/store/memory-record-store.js';

const unclaimed: Transaction = {
  id: 'txn_0000000007',
  seq: 7,
  type: 'transfer.unclaimed',
  at: '2026-11-23T10:00:00.000Z',
  memo: null,
  links: [],
  parties: ['usr_a'],
  postings: [
    { account: 'user:usr_a', currency: 'USD', amountMinor: -2010 },
    { account: 'unclaimed', currency: 'USD', amountMinor: 2000 },
    { account: 'fees', currency: 'USD', amountMinor: 10 },
  ],
  details: {
    initiator: 'usr_a',
    amountMinor: 2000,
    currency: 'USD',
    recipient: { phone: '+447700900123' },
    unclaimedExpiresAt: '2026-12-23T10:00:00.000Z',
    outgoingUsdMinor: 2000,
    idempotency: { key: 'k1', fingerprint: 'f', expiresAt: '2026-12-23T10:00:00.000Z' },
  },
};

/** What is posted: the store gives the transaction its id and sequence number. */
function unposted({ id: _id, seq: _seq, ...tx }: Transaction): NewTransaction {
  return tx;
}

describe('transaction effects', () => {
  it('lists balances, the idempotency key, the limit day and the unclaimed transfer of a payment to a stranger', () => {
    const effects = transactionEffects(unclaimed);
    expect(effects.filter((e) => e.kind === 'balance')).toHaveLength(3);
    expect(effects).toContainEqual({
      kind: 'idempotency',
      userId: 'usr_a',
      key: 'k1',
      record: { fingerprint: 'f', txId: 'txn_0000000007', expiresAt: '2026-12-23T10:00:00.000Z' },
    });
    expect(effects).toContainEqual({ kind: 'limit', userId: 'usr_a', day: '2026-11-23', usdMinor: 2000 });
    expect(effects).toContainEqual({
      kind: 'unclaimed-created',
      transfer: expect.objectContaining({ txId: 'txn_0000000007', toPhone: '+447700900123', toEmail: null, receiveAmountMinor: 2000 }),
    });
  });

  it('ends the unclaimed transfer a return links to, and gives its limit back', async () => {
    const back: Transaction = {
      ...unclaimed,
      id: 'txn_0000000009',
      seq: 9,
      type: 'unclaimed.return',
      links: ['txn_0000000007'],
      postings: [
        { account: 'unclaimed', currency: 'USD', amountMinor: -2000 },
        { account: 'user:usr_a', currency: 'USD', amountMinor: 2000 },
      ],
      details: { initiator: null, limitRelease: { userId: 'usr_a', day: '2026-11-23', usdMinor: 2000 } },
    };
    expect(transactionEffects(back).filter((e) => e.kind !== 'balance')).toEqual([
      { kind: 'limit', userId: 'usr_a', day: '2026-11-23', usdMinor: -2000 },
      { kind: 'unclaimed-ended', txId: 'txn_0000000007' },
    ]);
    const store = new MemoryRecordStore('2026-11-01T00:00:00.000Z');
    const deposit: NewTransaction = {
      ...unposted(unclaimed),
      type: 'deposit',
      postings: [
        { account: 'world', currency: 'USD', amountMinor: -2010 },
        { account: 'user:usr_a', currency: 'USD', amountMinor: 2010 },
      ],
      details: { initiator: 'usr_a' },
    };
    const after = await store.transaction(async (t) => {
      await t.post(deposit);
      const sent = await t.post(unposted(unclaimed));
      expect(await t.unclaimed.get(sent.id)).not.toBeNull();
      await t.post({ ...unposted(back), links: [sent.id] });
      return { unclaimed: await t.unclaimed.get(sent.id), window: await t.limits.get('usr_a'), balance: await t.balances.ofAccount('user:usr_a') };
    });
    expect(after).toEqual({ unclaimed: null, window: {}, balance: { USD: 2000 } });
  });

  it('refuses an unbalanced transaction and a balance past the exact range', () => {
    expect(() => transactionEffects({ ...unclaimed, postings: unclaimed.postings.slice(0, 2) })).toThrow(/sum to -10/);
    expect(() => addToBalance('user:usr_a', 'USD', Number.MAX_SAFE_INTEGER, 1)).toThrow(/overflowed/);
    expect(addToBalance('user:usr_a', 'USD', Number.MAX_SAFE_INTEGER, -1)).toBe(Number.MAX_SAFE_INTEGER - 1);
  });

  it('adds to a limit window without changing the one it was given', () => {
    const window = Object.freeze({ '2026-11-20': 500, '2026-11-22': 300 });
    expect(addToLimitWindow(window, '2026-11-23', 100)).toEqual({ '2026-11-20': 500, '2026-11-22': 300, '2026-11-23': 100 });
    expect(addToLimitWindow(window, '2026-11-21', 50)).toEqual({ '2026-11-20': 500, '2026-11-21': 50, '2026-11-22': 300 });
    expect(Object.keys(addToLimitWindow(window, '2026-11-21', 50))).toEqual(['2026-11-20', '2026-11-21', '2026-11-22']);
    expect(addToLimitWindow(window, '2026-11-20', -900)).toEqual({ '2026-11-22': 300 });
    expect(window).toEqual({ '2026-11-20': 500, '2026-11-22': 300 });
  });
});
