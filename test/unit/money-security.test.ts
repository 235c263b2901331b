// The pure rules behind issue 15's money items: balance bounds and fixture headroom, phone codes
// (counted, expiring, void after five wrong tries), four eyes, and a payout's bounce.

import { describe, expect, it } from 'vitest';
import { fourEyesStep } from '../../src/domain/duties.js';
import { addToBalance, CUSTOMER_BALANCE_MAX_MINOR, SYSTEM_BALANCE_MAX_MINOR, type Transaction } from '../../src/domain/ledger.js';
import {
  assertNumberCodeAllowed,
  assertPhoneCodeAllowed,
  checkPhoneCode,
  logNumberCode,
  numberCodeLogKey,
  logPhoneEvent,
  newPhoneChallenge,
  parsePhoneCode,
  PHONE_CODE_MAX_ATTEMPTS,
  PHONE_CODE_TTL_MS,
  PHONE_CODE_WINDOW_MS,
  PHONE_CODES_PER_NUMBER_WINDOW,
  PHONE_CODES_PER_WINDOW,
} from '../../src/domain/phone-verification.js';
import type { User } from '../../src/domain/state.js';
import { assertSeedable } from '../../src/domain/wallet.js';
import { planBounce } from '../../src/domain/withdrawals.js';
import { appErrorOf } from '../support/app-error.js';

const USD = { code: 'USD', name: 'US dollar', exponent: 2, maxTransactionMinor: 100_000_000 };
const NOW_MS = Date.parse('2026-11-23T10:00:00.000Z');
const user = { id: 'usr_a', language: 'en' } as unknown as User;
const agent = (id: string) => ({ id, email: `${id}@support.example` }) as unknown as User;

describe('balance bounds', () => {
  it('refuses a posting past a customer bound or a system bound with LIMIT_EXCEEDED, never a bug', () => {
    expect(addToBalance('user:usr_a', 'USD', CUSTOMER_BALANCE_MAX_MINOR - 1, 1)).toBe(CUSTOMER_BALANCE_MAX_MINOR);
    expect(appErrorOf(() => addToBalance('user:usr_a', 'USD', CUSTOMER_BALANCE_MAX_MINOR, 1)).code).toBe('LIMIT_EXCEEDED');
    expect(appErrorOf(() => addToBalance('hold:usr_a', 'USD', CUSTOMER_BALANCE_MAX_MINOR, 1)).code).toBe('LIMIT_EXCEEDED');
    expect(addToBalance('world', 'USD', -CUSTOMER_BALANCE_MAX_MINOR, -1)).toBe(-CUSTOMER_BALANCE_MAX_MINOR - 1);
    expect(appErrorOf(() => addToBalance('world', 'USD', -SYSTEM_BALANCE_MAX_MINOR, -1)).code).toBe('LIMIT_EXCEEDED');
    // Four system accounts at their bound still sum exactly.
    expect(4 * SYSTEM_BALANCE_MAX_MINOR).toBeLessThan(Number.MAX_SAFE_INTEGER / 20);
  });

  it('lets a balance past its bound (an old store) come back towards zero', () => {
    expect(addToBalance('user:usr_a', 'USD', CUSTOMER_BALANCE_MAX_MINOR + 10, -5)).toBe(CUSTOMER_BALANCE_MAX_MINOR + 5);
  });

  it('fixtures seed at most one account’s bound, and half of the store’s room in all', () => {
    expect(() => assertSeedable(CUSTOMER_BALANCE_MAX_MINOR, USD, 0)).not.toThrow();
    expect(appErrorOf(() => assertSeedable(CUSTOMER_BALANCE_MAX_MINOR + 1, USD, 0)).message).toBe(
      '10000000000.01 USD is more than one account may hold (10000000000.00 USD)',
    );
    expect(() => assertSeedable(1, USD, SYSTEM_BALANCE_MAX_MINOR / 2 - 1)).not.toThrow();
    expect(appErrorOf(() => assertSeedable(2, USD, SYSTEM_BALANCE_MAX_MINOR / 2 - 1)).code).toBe('LIMIT_EXCEEDED');
  });
});

describe('phone codes', () => {
  const challenge = newPhoneChallenge(user, '+14155550123', '123456', NOW_MS);

  it('verifies the right code before it expires, and refuses it after', () => {
    expect(checkPhoneCode(user, challenge, '123456', NOW_MS + PHONE_CODE_TTL_MS - 1)).toEqual({ kind: 'verified', phone: '+14155550123' });
    expect(appErrorOf(() => checkPhoneCode(user, challenge, '123456', NOW_MS + PHONE_CODE_TTL_MS)).code).toBe('BAD_OTP');
    expect(appErrorOf(() => checkPhoneCode(user, null, '123456', NOW_MS)).code).toBe('INVALID_TRANSITION');
  });

  it('counts wrong codes and voids the challenge at the last try', () => {
    let current = challenge;
    for (let i = 1; i < PHONE_CODE_MAX_ATTEMPTS; i += 1) {
      const check = checkPhoneCode(user, current, '000000', NOW_MS);
      if (check.kind !== 'wrong' || check.challenge === null) throw new Error('expected a counted wrong code');
      expect(check.challenge.wrongAttempts).toBe(i);
      current = check.challenge;
    }
    expect(checkPhoneCode(user, current, '000000', NOW_MS)).toMatchObject({ kind: 'wrong', challenge: null });
  });

  it('is bound to the account: another account’s challenge does not take the code', () => {
    const other = { ...user, id: 'usr_b' } as User;
    expect(checkPhoneCode(other, challenge, '123456', NOW_MS).kind).toBe('wrong');
  });

  it('sends an account at most five codes in 24 hours, and carries a number’s wrong codes into its next challenge', () => {
    const phone = '+447700900555';
    let me = user;
    for (let i = 0; i < PHONE_CODES_PER_WINDOW; i += 1) {
      assertPhoneCodeAllowed(me, `+4477009001${i}0`, NOW_MS + i);
      me = logPhoneEvent(me, `+4477009001${i}0`, 'sent', NOW_MS + i);
    }
    const capped = appErrorOf(() => assertPhoneCodeAllowed(me, phone, NOW_MS + 10));
    expect(capped).toMatchObject({ code: 'LIMIT_EXCEEDED', hint: 'a new code can be asked for from 2026-11-24T10:00:00.000Z' });
    // A day after the first, one more may go; the log keeps only the window.
    assertPhoneCodeAllowed(me, phone, NOW_MS + PHONE_CODE_WINDOW_MS);
    expect(logPhoneEvent(me, phone, 'sent', NOW_MS + PHONE_CODE_WINDOW_MS).phoneCodeLog).toHaveLength(PHONE_CODES_PER_WINDOW);

    let guesser = logPhoneEvent(user, phone, 'wrong', NOW_MS);
    guesser = logPhoneEvent(guesser, phone, 'wrong', NOW_MS + 1);
    expect(newPhoneChallenge(guesser, phone, '123456', NOW_MS + 2).wrongAttempts).toBe(2);
    expect(newPhoneChallenge(guesser, '+14155550123', '123456', NOW_MS + 2).wrongAttempts).toBe(0);
    expect(newPhoneChallenge(guesser, phone, '123456', NOW_MS + PHONE_CODE_WINDOW_MS + 1).wrongAttempts).toBe(0);
    for (let i = 2; i < PHONE_CODE_MAX_ATTEMPTS; i += 1) guesser = logPhoneEvent(guesser, phone, 'wrong', NOW_MS + i);
    expect(appErrorOf(() => assertPhoneCodeAllowed(guesser, phone, NOW_MS + 10)).code).toBe('LIMIT_EXCEEDED');
    assertPhoneCodeAllowed(guesser, '+14155550123', NOW_MS + 10);
  });

  it('texts one number at most five codes in 24 hours, whichever accounts ask; its log is keyed by a hash and keeps only the window', () => {
    const phone = '+447700900777';
    let log = null as ReturnType<typeof logNumberCode> | null;
    for (let i = 0; i < PHONE_CODES_PER_NUMBER_WINDOW; i += 1) {
      assertNumberCodeAllowed(log, phone, NOW_MS + i);
      log = logNumberCode(log, `usr_${i}`, NOW_MS + i);
    }
    const capped = appErrorOf(() => assertNumberCodeAllowed(log, phone, NOW_MS + 10));
    expect(capped).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: '5 codes were texted to +447700900777 in the last 24 hours, the most one number is sent',
      hint: 'a new code can be asked for from 2026-11-24T10:00:00.000Z',
    });
    assertNumberCodeAllowed(log, phone, NOW_MS + PHONE_CODE_WINDOW_MS);
    expect(logNumberCode(log, 'usr_9', NOW_MS + PHONE_CODE_WINDOW_MS).sent).toHaveLength(PHONE_CODES_PER_NUMBER_WINDOW);
    expect(numberCodeLogKey(phone)).toMatch(/^[0-9a-f]{64}$/);
    expect(numberCodeLogKey(phone)).not.toContain('447700900777');
  });

  it('reads only six ASCII digits', () => {
    expect(parsePhoneCode(' 123456 ')).toBe('123456');
    for (const bad of ['12345', '１２３４５６', '12345a', '']) expect(appErrorOf(() => parsePhoneCode(bad)).code).toBe('BAD_OTP');
  });
});

describe('four eyes', () => {
  it('requests when nothing waits, refuses the requester, lets another agent approve', () => {
    expect(fourEyesStep(null, 'txn_1', agent('a'))).toBe('request');
    const pending = { txId: 'txn_1', requestedBy: 'a', requestedAt: '2026-11-23T10:00:00.000Z' };
    expect(appErrorOf(() => fourEyesStep(pending, 'txn_1', agent('a'))).code).toBe('FORBIDDEN');
    expect(fourEyesStep(pending, 'txn_1', agent('b'))).toBe('approve');
    expect(fourEyesStep(pending, 'txn_2', agent('b'))).toBe('request');
  });
});

describe('a payout’s bounce', () => {
  const record = {
    id: 'wd_1',
    userId: 'usr_a',
    methodId: 'wm_1',
    methodType: 'bank' as const,
    methodLabel: 'Ann •••• 6789',
    amountMinor: 15050,
    currency: 'USD',
    feeMinor: 50,
    feeLines: [],
    status: 'completed' as const,
    requestedAt: '2026-11-18T10:00:00.000Z',
    processingAt: null,
    expectedBy: '2026-11-20T10:00:00.000Z',
    finishedAt: '2026-11-20T10:00:00.000Z',
    failureReason: null,
    holdTxId: 'txn_0000000002',
    quoteId: null,
    outgoingUsdMinor: 15050,
  };
  const completion: Transaction = {
    id: 'txn_0000000003',
    seq: 3,
    type: 'withdrawal.complete',
    at: '2026-11-20T10:00:00.000Z',
    memo: null,
    links: ['txn_0000000002'],
    parties: ['usr_a'],
    postings: [
      { account: 'hold:usr_a', currency: 'USD', amountMinor: -15100 },
      { account: 'world', currency: 'USD', amountMinor: 15050 },
      { account: 'fees', currency: 'USD', amountMinor: 50 },
    ],
    details: { initiator: null, amountMinor: 15050, currency: 'USD', record },
  };

  it('negates the payout’s own entries into the available balance, once, with its limits given back', () => {
    const bounce = planBounce(completion, null, 'usr_ops', 'returned by the bank', '2026-11-23T10:00:00.000Z');
    expect(bounce.postings).toEqual([
      { account: 'user:usr_a', currency: 'USD', amountMinor: 15100 },
      { account: 'world', currency: 'USD', amountMinor: -15050 },
      { account: 'fees', currency: 'USD', amountMinor: -50 },
    ]);
    expect(bounce.details).toMatchObject({
      initiator: 'usr_ops',
      refundOf: 'txn_0000000003',
      limitRelease: { userId: 'usr_a', day: '2026-11-18', usdMinor: 15050 },
    });
    expect(appErrorOf(() => planBounce(completion, 'txn_0000000009', 'usr_ops', 'again', '2026-11-23T10:00:00.000Z')).code).toBe('INVALID_TRANSITION');
    expect(appErrorOf(() => planBounce({ ...completion, type: 'transfer' }, null, 'usr_ops', 'x', '2026-11-23T10:00:00.000Z')).code).toBe('INVALID_TRANSITION');
  });
});
