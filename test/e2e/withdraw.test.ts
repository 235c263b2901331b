// Withdrawals from the real binary: payout methods, binding withdrawal quotes, the two-phase payout
// moved along by `admin settle` as OKPAY_NOW moves forward (completed, failed on a documented test
// account, cancelled), the hold released exactly once, mails, and the limits a payout counts toward.

import { describe, expect } from 'vitest';
import type { Okpay } from '../support/okpay.js';
import { advance, expectError, expectVerified, mails, scenarioAt, signUp, signUpAdmin, type Account } from '../support/accounts.js';

/** Friday 20 November 2026, 16:00 UTC: 17:00 in Berlin, where GB payouts are processed. */
const START = '2026-11-20T16:00:00.000Z';
const GOOD_IBAN = 'GB33 BUKB 2020 1555 5555 55';
/** Documented in data/payouts.json: payouts to it are accepted, then fail at settlement. */
const FAILING_IBAN = 'GB54NWBK60161399999999';

const scenario = (name: string, body: (o: Okpay) => Promise<void>): void => scenarioAt(START, name, body);

interface WithdrawalDoc {
  id: string;
  status: string;
  amount: string;
  currency: string;
  fee: string;
  methodId: string;
  expectedBy: string;
  failureReason: string | null;
}

async function addBank(a: Account, args: readonly string[]): Promise<string> {
  return (await a.json<{ method: { id: string } }>(['withdraw', 'methods', 'add', 'bank', '--holder', 'Ada Lovelace', ...args])).method.id;
}

async function withdraw(a: Account, method: string, amount: string): Promise<WithdrawalDoc> {
  return (await a.json<{ withdrawal: WithdrawalDoc }>(['withdraw', '--method', method, '--amount', amount, '--currency', 'USD', '--yes'])).withdrawal;
}

async function settle(ops: Account): Promise<Record<string, unknown>> {
  return (await ops.json<{ settled: Record<string, unknown> }>(['admin', 'settle'])).settled;
}

describe('withdrawal methods and quotes', () => {
  scenario('checks and masks account numbers; a bank payout costs less than an e-wallet one; --quote charges the quote', async (o) => {
    const ada = await signUp(o, 'ada@example.com', ['--country', 'GB']);
    await ada.ok(['deposit', '--amount', '500', '--currency', 'USD']);
    const bank = await addBank(ada, ['--iban', GOOD_IBAN]);
    expectError(
      await ada.run(['withdraw', 'methods', 'add', 'bank', '--holder', 'Ada Lovelace', '--iban', 'GB34 BUKB 2020 1555 5555 55', '--json']),
      2,
      'INVALID_IBAN',
    );
    expectError(
      await ada.run([
        'withdraw',
        'methods',
        'add',
        'bank',
        '--holder',
        'Ada Lovelace',
        '--account-number',
        '000123456789',
        '--routing-number',
        '011000016',
        '--json',
      ]),
      2,
      'INVALID_ROUTING_NUMBER',
    );
    await addBank(ada, ['--account-number', '000123456789', '--routing-number', '011000015']);
    expectError(await ada.run(['withdraw', 'methods', 'add', 'bank', '--holder', 'Ada Lovelace', '--iban', GOOD_IBAN, '--json']), 6, 'ALREADY_EXISTS');
    const wallet = (
      await ada.json<{ method: { id: string } }>(['withdraw', 'methods', 'add', 'ewallet', '--provider', 'PayPal', '--account', 'ada.pay@example.com'])
    ).method.id;
    const listed = await ada.ok(['withdraw', 'methods', 'list', '--json']);
    expect(
      listed
        .json<{ methods: { type: string; number: string }[] }>()
        .methods.map((m) => `${m.type} ${m.number}`)
        .sort(),
    ).toEqual(['bank •••• 5555', 'bank •••• 6789', 'ewallet •••• ecom']);
    expect(listed.stdout).not.toContain('20201555555555');
    expect(listed.stdout).not.toContain('000123456789');

    const quote = async (method: string) =>
      (
        await ada.json<{ quote: { id: string; fee: string; amount: string; receiveAmount: string; expiresAt: string } }>([
          'fee',
          'quote',
          'withdraw',
          '--method',
          method,
          '--amount',
          '100',
          '--currency',
          'USD',
        ])
      ).quote;
    const byBank = await quote(bank);
    const byWallet = await quote(wallet);
    expect(byBank).toMatchObject({ amount: '100.00', fee: '0.50', receiveAmount: '100.00', expiresAt: '2026-11-20T16:30:00.000Z' });
    expect(byWallet.fee).toBe('1.30');
    const paid = (await ada.json<{ withdrawal: WithdrawalDoc }>(['withdraw', '--quote', byWallet.id, '--yes'])).withdrawal;
    expect(paid).toMatchObject({ amount: '100.00', fee: byWallet.fee, methodId: wallet, status: 'requested', expectedBy: '2026-11-23T17:00:00.000Z' });
    expectError(await ada.run(['withdraw', '--quote', byWallet.id, '--yes', '--json']), 6, 'INVALID_TRANSITION');
    expect(await ada.balance()).toEqual({ available: '398.70', held: '101.30' });
    expectError(await ada.run(['withdraw', 'methods', 'remove', wallet, '--yes', '--json']), 6, 'INVALID_TRANSITION');
    await ada.ok(['withdraw', 'methods', 'remove', bank, '--yes']);
    expect((await ada.json<{ methods: unknown[] }>(['withdraw', 'methods', 'list'])).methods).toHaveLength(2);
    expectError(await ada.run(['withdraw', '--method', bank, '--amount', '1', '--currency', 'USD', '--yes', '--json']), 5, 'METHOD_NOT_FOUND');
    await expectVerified(o);
  });
});

describe('the payout lifecycle', () => {
  scenario('request, refusals, cancel, settle to processing, completed and failed, each hold released once, mails sent', async (o) => {
    const ada = await signUp(o, 'ada@example.com', ['--country', 'GB']);
    const ops = await signUpAdmin(o);
    await ada.ok(['deposit', '--amount', '1000', '--currency', 'USD']);
    const bank = await addBank(ada, ['--iban', GOOD_IBAN]);
    const failing = await addBank(ada, ['--iban', FAILING_IBAN]);
    const wallet = (
      await ada.json<{ method: { id: string } }>(['withdraw', 'methods', 'add', 'ewallet', '--provider', 'PayPal', '--account', 'ada.pay@example.com'])
    ).method.id;

    const good = await withdraw(ada, bank, '100');
    // Three business days in Berlin after Friday: Wednesday at 18:00 local time.
    expect(good).toMatchObject({ status: 'requested', amount: '100.00', currency: 'USD', fee: '0.50', methodId: bank, expectedBy: '2026-11-25T17:00:00.000Z' });
    expect(await ada.balance()).toEqual({ available: '899.50', held: '100.50' });
    expectError(await ada.run(['withdraw', '--method', bank, '--amount', '1', '--currency', 'USD', '--json']), 2, 'CONFIRMATION_REQUIRED');
    for (const amount of ['-1', '0', '1e3', '12.345', ' 12', '１２'])
      expectError(await ada.run(['withdraw', '--method', bank, '--amount', amount, '--currency', 'USD', '--yes', '--json']), 2, 'INVALID_AMOUNT');
    const poor = expectError(
      await ada.run(['withdraw', '--method', bank, '--amount', '899.50', '--currency', 'USD', '--yes', '--json']),
      7,
      'INSUFFICIENT_FUNDS',
    ).error();
    expect(poor.message).toContain('899.50 USD available');
    expect(poor.message).toContain('needs 901.75 USD');
    expect(await ada.balance()).toEqual({ available: '899.50', held: '100.50' });

    const cancelled = await withdraw(ada, wallet, '20');
    expect((await ada.json<{ withdrawal: WithdrawalDoc }>(['withdraw', 'cancel', cancelled.id, '--yes'])).withdrawal.status).toBe('cancelled');
    // The withdrawal exists but is over: a conflict, not "not found".
    const again = expectError(await ada.run(['withdraw', 'cancel', cancelled.id, '--yes', '--json']), 6, 'INVALID_TRANSITION').error();
    expect(again.message).toContain(`withdrawal ${cancelled.id} is cancelled`);
    expectError(await ada.run(['withdraw', 'cancel', 'wd_nosuchthing', '--yes', '--json']), 5, 'WITHDRAWAL_NOT_FOUND');
    const bad = await withdraw(ada, failing, '50');
    expect(await ada.balance()).toEqual({ available: '849.00', held: '151.00' });

    expect(await settle(ops)).toMatchObject({ processing: 2, completed: 0, failed: 0 });
    expect(await settle(ops)).toMatchObject({ processing: 0, completed: 0, failed: 0, transactions: [] });
    const started = expectError(await ada.run(['withdraw', 'cancel', good.id, '--yes', '--json']), 6, 'INVALID_TRANSITION').error();
    expect(started.message).toContain('processing');

    await advance(o, Date.parse('2026-11-25T16:59:00.000Z') - Date.parse(START), ops);
    expect(await settle(ops)).toMatchObject({ completed: 0, failed: 0 });
    await advance(o, 60_000, ops, ada);
    const done = await settle(ops);
    expect(done).toMatchObject({ processing: 0, completed: 1, failed: 1 });
    expect(await settle(ops)).toMatchObject({ processing: 0, completed: 0, failed: 0, unclaimedReturned: 0, transactions: [] });
    expect(await ada.balance()).toEqual({ available: '899.50', held: '0.00' });

    const list = (await ada.json<{ withdrawals: WithdrawalDoc[] }>(['withdraw', 'list'])).withdrawals;
    expect(Object.fromEntries(list.map((w) => [w.id, w.status]))).toEqual({ [bad.id]: 'failed', [cancelled.id]: 'cancelled', [good.id]: 'completed' });
    expect(list.find((w) => w.id === bad.id)?.failureReason).toContain('refused');
    expect(list.every((w) => typeof w.expectedBy === 'string')).toBe(true);
    expect((await mails(o, 'ada@example.com', 'payout-completed')).map((m) => m.subject)).toEqual(['Your withdrawal of 100.00 USD is complete']);
    expect((await mails(o, 'ada@example.com', 'payout-failed')).pop()?.text).toMatch(/amount and the fee are back/);

    const payouts = (await ada.json<{ transactions: { type: string; status: string; direction: string }[] }>(['history', '--type', 'withdrawal'])).transactions;
    expect(payouts.map((t) => t.type).sort()).toEqual([
      'withdrawal.complete',
      'withdrawal.hold',
      'withdrawal.hold',
      'withdrawal.hold',
      'withdrawal.release',
      'withdrawal.release',
    ]);
    expect(payouts.filter((t) => t.type === 'withdrawal.release').map((t) => t.direction)).toEqual(['in', 'in']);
    const hold = (await ada.json<{ transaction: { status: string; followedBy: string[] } }>(['tx', 'show', 'txn_0000000002'])).transaction;
    expect(hold).toMatchObject({ status: 'completed' });
    expect(hold.followedBy).toHaveLength(1);
    await expectVerified(o);
  });
});

describe('limits on payouts', () => {
  scenario('an unverified user is stopped at the 30-day limit; a cancelled payout gives its allowance back', async (o) => {
    const ada = await signUp(o, 'ada@example.com', ['--country', 'GB']);
    await ada.ok(['deposit', '--amount', '3000', '--currency', 'USD']);
    const bank = await addBank(ada, ['--iban', GOOD_IBAN]);

    expectError(await ada.run(['withdraw', '--method', bank, '--amount', '1000.01', '--currency', 'USD', '--yes', '--json']), 8, 'KYC_REQUIRED');
    const first = await withdraw(ada, bank, '1000');
    const shown = await ada.ok(['withdraw', '--method', bank, '--amount', '1000', '--currency', 'USD', '--yes']);
    expect(shown.stderr).toContain('Expected by 2026-11-25 17:00 UTC');
    const window = expectError(
      await ada.run(['withdraw', '--method', bank, '--amount', '600', '--currency', 'USD', '--yes', '--json']),
      8,
      'KYC_REQUIRED',
    ).error();
    expect(window.message).toContain('30-day limit of 2500.00 USD');
    expect(window.message).toContain('you can send up to 500.00 USD now');
    await ada.ok(['withdraw', 'cancel', first.id, '--yes']);
    expect((await withdraw(ada, bank, '600')).status).toBe('requested');
    expect((await ada.json<{ kyc: { limits: unknown } }>(['kyc', 'status'])).kyc.limits).toMatchObject({ remaining30Days: '900.00' });
    await expectVerified(o);
  });
});
