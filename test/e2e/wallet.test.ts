// The wallet from the real binary: deposits, binding quotes, transfers (converted, to people with
// and without an account), idempotency, history, receipts, limits and identity checks, batches,
// every refusal with its exit code, `verify` against tampering, and concurrent writers.

import { describe, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Okpay, Run } from '../support/okpay.js';
import { forgeRecord, userIdOf } from '../support/store-files.js';
import {
  Account,
  activate,
  advance,
  DAY_MS,
  expectError,
  expectOk,
  expectVerified,
  mails,
  MINUTE_MS,
  register,
  scenarioAt,
  signUp,
  signUpAdmin,
} from '../support/accounts.js';

const START = '2026-11-20T16:00:00.000Z';

const scenario = (name: string, body: (o: Okpay) => Promise<void>): void => scenarioAt(START, name, body);

interface TxDoc {
  id: string;
  type: string;
  status: string;
  direction: string;
  amount: string;
  currency: string;
  fee: string | null;
  receiveAmount: string | null;
  receiveCurrency: string | null;
  rate: string | null;
  to: string | null;
  createdAt: string;
}

interface QuoteDoc {
  id: string;
  amount: string;
  currency: string;
  fee: string;
  rate: string;
  receiveAmount: string;
  receiveCurrency: string;
  expiresAt: string;
  scope: string;
}

const quoteOf = async (a: Account, args: readonly string[]) => (await a.json<{ quote: QuoteDoc }>(['fee', 'quote', 'transfer', ...args])).quote;
const send = async (a: Account, args: readonly string[]) => await a.json<{ transaction: TxDoc; replayed?: boolean }>(['transfer', ...args, '--yes']);
const history = async (a: Account, args: readonly string[] = []) =>
  await a.json<{ transactions: TxDoc[]; page: number; limit: number; more: boolean }>(['history', ...args]);

describe('deposits, binding quotes, transfers, history and receipts', () => {
  scenario('charges exactly what was quoted, with and without --quote, converted or not, and shows it all in history', async (o) => {
    const ada = await signUp(o, 'ada@example.com', ['--country', 'GB']);
    const bob = await signUp(o, 'bob@example.com', ['--country', 'GB', '--phone', '+447700900123']);
    await bob.verifyPhone('+447700900123');

    const deposit = (await ada.json<{ transaction: TxDoc }>(['deposit', '--amount', '1000', '--currency', 'USD'])).transaction;
    expect(deposit).toMatchObject({ type: 'deposit', status: 'completed', direction: 'in', amount: '1000.00', currency: 'USD', createdAt: START });
    expect(await ada.json(['balance'])).toEqual({ balances: [{ currency: 'USD', available: '1000.00', held: '0.00' }] });

    const quote = await quoteOf(ada, ['--to', 'bob@example.com', '--amount', '100', '--currency', 'USD']);
    expect(quote).toMatchObject({
      amount: '100.00',
      currency: 'USD',
      fee: '0.50',
      rate: '1',
      receiveAmount: '100.00',
      receiveCurrency: 'USD',
      scope: 'domestic',
      expiresAt: '2026-11-20T16:30:00.000Z',
    });
    expect(quote.id).toMatch(/^qt_/);
    const paid = await send(ada, ['--quote', quote.id]);
    expect(paid.transaction).toMatchObject({
      status: 'completed',
      amount: '100.00',
      currency: 'USD',
      fee: quote.fee,
      receiveAmount: quote.receiveAmount,
      to: 'bob@example.com',
      createdAt: START,
    });
    expect(paid.transaction.id).toMatch(/^txn_\d{10}$/);
    expectError(await ada.run(['transfer', '--quote', quote.id, '--yes', '--json']), 6, 'INVALID_TRANSITION');

    // Converted, to a phone number, without --quote: the charge equals a quote made at the same moment.
    const toEur = ['--to', '+44 7700 900123', '--amount', '100', '--currency', 'USD', '--to-currency', 'EUR'];
    const fxQuote = await quoteOf(ada, toEur);
    expect(fxQuote).toMatchObject({ scope: 'cross-border', fee: '3.20', rate: '0.852025', receiveAmount: '85.20', receiveCurrency: 'EUR' });
    const converted = (await send(ada, [...toEur, '--memo', 'rent'])).transaction;
    // Shown by the number it was sent to, never the email of the account behind it (issue 15, item 8).
    expect(converted).toMatchObject({
      fee: fxQuote.fee,
      rate: fxQuote.rate,
      receiveAmount: fxQuote.receiveAmount,
      receiveCurrency: 'EUR',
      to: '+447700900123',
    });
    expect(await bob.balance('EUR')).toEqual({ available: '85.20', held: '0.00' });
    expect(await bob.balance('USD')).toEqual({ available: '100.00', held: '0.00' });
    expect(await ada.balance('USD')).toEqual({ available: '796.30', held: '0.00' });

    // A quote lasts 30 minutes.
    const late = await quoteOf(ada, ['--to', 'bob@example.com', '--amount', '10', '--currency', 'USD']);
    await advance(o, 31 * MINUTE_MS, ada, bob);
    const expired = expectError(await ada.run(['transfer', '--quote', late.id, '--yes', '--json']), 6, 'QUOTE_EXPIRED').error();
    expect(expired.message).toContain(late.expiresAt);

    const all = await history(ada);
    expect(all.transactions.map((t) => t.id)).toEqual([converted.id, paid.transaction.id, deposit.id]);
    expect(all).toMatchObject({ page: 1, more: false });
    expect(all.transactions[0]).toMatchObject({ type: 'transfer', direction: 'out', amount: '100.00', fee: '3.20' });
    expect((await history(ada, ['--type', 'deposit'])).transactions.map((t) => t.id)).toEqual([deposit.id]);
    expect((await history(ada, ['--since', '2026-11-21'])).transactions).toEqual([]);
    expect((await history(ada, ['--until', '2026-11-20'])).transactions).toHaveLength(3);
    expect(await history(ada, ['--limit', '2', '--page', '2'])).toMatchObject({ transactions: [{ id: deposit.id }], more: false });
    const csv = (await ada.ok(['history', '--csv'])).stdout.trim().split(/\r?\n/);
    expect(csv[0]).toBe('id,date,type,status,direction,amount,currency,fee,fee_currency,receive_amount,receive_currency,rate,from,to,memo,net,net_currency');
    expect(csv.slice(1).map((line) => line.split(',')[0])).toEqual([converted.id, paid.transaction.id, deposit.id]);
    expect(csv[3]).toContain(',deposit,completed,in,1000.00,USD,');

    const receipt = (await ada.json<{ transaction: Record<string, unknown> }>(['tx', 'show', converted.id])).transaction;
    expect(receipt).toMatchObject({
      id: converted.id,
      status: 'completed',
      memo: 'rent',
      from: 'ada@example.com',
      to: '+447700900123',
      rate: '0.852025',
      midRate: '0.865',
      receiveAmount: '85.20',
    });
    expect(receipt['feeLines']).toEqual([
      { code: 'transfer.percent', label: '2.90% cross-border transfer fee', amount: '2.90' },
      { code: 'transfer.fixed', label: 'fixed part of the cross-border transfer fee', amount: '0.30' },
    ]);
    expect(receipt['hash']).toMatch(/^[0-9a-f]{64}$/);
    expect((await bob.json<{ transaction: TxDoc }>(['tx', 'show', converted.id])).transaction.direction).toBe('in');
    expectError(await bob.run(['tx', 'show', deposit.id, '--json']), 5, 'TX_NOT_FOUND');
    await expectVerified(o);
  });
});

describe('refusals', () => {
  scenario('hostile amounts and flags are usage errors that change nothing', async (o) => {
    const ada = await signUp(o, 'ada@example.com');
    await ada.ok(['deposit', '--amount', '100', '--currency', 'USD']);
    const hostile = ['-1', '0', '1e3', '1,000', '12.345', 'NaN', ' 12', '１２', '', 'Infinity'];
    for (const amount of hostile) {
      const refused = await ada.run(['transfer', '--to', 'bob@example.com', '--amount', amount, '--currency', 'USD', '--yes', '--json']);
      expectError(refused, 2, 'INVALID_AMOUNT');
    }
    expectError(await ada.run(['transfer', '--to', 'bob@example.com', '--amount', '1.5', '--currency', 'JPY', '--yes', '--json']), 2, 'INVALID_AMOUNT');
    expectError(await ada.run(['deposit', '--amount', '-5', '--currency', 'USD', '--json']), 2, 'INVALID_AMOUNT');
    expectError(await ada.run(['fee', 'quote', 'transfer', '--to', 'bob@example.com', '--amount', '0', '--currency', 'USD', '--json']), 2, 'INVALID_AMOUNT');
    expectError(await ada.run(['deposit', '--amount', '5', '--currency', 'USD', '--source', 'paypal', '--json']), 2, 'INVALID_CHOICE');
    expectError(await ada.run(['history', '--limit', '0', '--json']), 2, 'INVALID_NUMBER');
    expectError(await ada.run(['history', '--type', 'bogus', '--json']), 2, 'INVALID_CHOICE');
    expectError(await ada.run(['tx', 'show', 'txn_0000000099', '--json']), 5, 'TX_NOT_FOUND');
    expect(await ada.balance()).toEqual({ available: '100.00', held: '0.00' });
    const verified = await o.run(['verify', '--json']);
    expect(verified.json()).toMatchObject({ ok: true, checked: { journalEntries: 1 } });
  });

  scenario('insufficient funds, oneself, no confirmation, a bad currency or memo; idempotency keys; a locked sender', async (o) => {
    const ada = await signUp(o, 'ada@example.com', ['--country', 'GB']);
    const bob = await signUp(o, 'bob@example.com', ['--country', 'GB']);
    await ada.ok(['deposit', '--amount', '100', '--currency', 'USD']);
    const toBob = ['--to', 'bob@example.com', '--currency', 'USD', '--yes', '--json'];

    const poor = expectError(await ada.run(['transfer', '--amount', '100', ...toBob]), 7, 'INSUFFICIENT_FUNDS').error();
    expect(poor.message).toContain('100.00 USD available');
    expect(poor.message).toContain('needs 100.50 USD');
    expect(
      expectError(await ada.run(['transfer', '--to', 'ADA@example.com', '--amount', '1', '--currency', 'USD', '--yes', '--json']), 2, 'SELF_TRANSFER').error()
        .message,
    ).toContain('yourself');
    expectError(await ada.run(['transfer', '--to', 'bob@example.com', '--amount', '1', '--currency', 'USD', '--json']), 2, 'CONFIRMATION_REQUIRED');
    expectError(await ada.run(['transfer', '--to', 'bob@example.com', '--amount', '1', '--currency', 'XYZ', '--yes', '--json']), 2, 'INVALID_CURRENCY');
    expectError(await ada.run(['transfer', '--amount', '1', '--memo', 'x'.repeat(141), ...toBob]), 2, 'INVALID_TEXT');
    expectError(await ada.run(['transfer', '--amount', '1', '--idempotency-key', 'has space', ...toBob]), 2, 'INVALID_IDEMPOTENCY_KEY');

    const first = await send(ada, ['--to', 'bob@example.com', '--amount', '10', '--currency', 'USD', '--idempotency-key', 'inv-42']);
    const again = await send(ada, ['--to', 'bob@example.com', '--amount', '10', '--currency', 'USD', '--idempotency-key', 'inv-42']);
    expect(again).toEqual({ ...first, replayed: true });
    const conflict = expectError(await ada.run(['transfer', '--amount', '11', '--idempotency-key', 'inv-42', ...toBob]), 6, 'IDEMPOTENCY_CONFLICT').error();
    expect(conflict.message).toContain(first.transaction.id);
    expect(await ada.balance()).toEqual({ available: '89.95', held: '0.00' });
    expect(await bob.balance()).toEqual({ available: '10.00', held: '0.00' });

    await ada.ok(['lock', '--reason', 'lost my phone', '--yes']);
    // The locked sender is told why, and how to unlock — and nothing moves.
    expect(expectError(await ada.run(['transfer', '--amount', '1', ...toBob]), 6, 'ACCOUNT_LOCKED').error().message).toContain('lost my phone');
    const login = await o.run(['login', '--email', 'ada@example.com', '--password-stdin', '--json'], { stdin: 'Harbour-lights-42!\n' });
    expect(expectError(login, 6, 'ACCOUNT_LOCKED').error().message).toContain('lost my phone');
    expect(await bob.balance()).toEqual({ available: '10.00', held: '0.00' });
    await expectVerified(o);
  });
});

describe('a transfer by quote retried under its key', () => {
  scenario('gets the original answer after admin settle removed the expired quote; another memo is a conflict (review)', async (o) => {
    const ada = await signUp(o, 'ada@example.com', ['--country', 'GB']);
    const bob = await signUp(o, 'bob@example.com', ['--country', 'GB']);
    const ops = await signUpAdmin(o);
    await ada.ok(['deposit', '--amount', '100', '--currency', 'USD']);
    const quote = await quoteOf(ada, ['--to', 'bob@example.com', '--amount', '10', '--currency', 'USD']);
    const retry = ['transfer', '--quote', quote.id, '--memo', 'rent', '--idempotency-key', 'rent-2026-11', '--yes', '--json'];
    const first = expectOk(await ada.run(retry)).json<{ transaction: TxDoc }>();
    const before = expectOk(await ada.run(retry));
    expect(before.json()).toEqual({ ...first, replayed: true });

    await advance(o, 60 * MINUTE_MS, ada, bob, ops);
    expect((await ops.json<{ settled: unknown }>(['admin', 'settle'])).settled).toMatchObject({ quotesPruned: 1, idempotencyKeysPruned: 0 });
    const after = expectOk(await ada.run(retry));
    expect(after.stdout).toBe(before.stdout);
    const otherMemo = retry.map((arg) => (arg === 'rent' ? 'deposit' : arg));
    expect(expectError(await ada.run(otherMemo), 6, 'IDEMPOTENCY_CONFLICT').error().message).toContain(first.transaction.id);
    expectError(await ada.run(['transfer', '--quote', quote.id, '--yes', '--json']), 5, 'QUOTE_NOT_FOUND');
    expect(await ada.balance()).toEqual({ available: '89.95', held: '0.00' });
    expect(await bob.balance()).toEqual({ available: '10.00', held: '0.00' });
    await expectVerified(o);
  });
});

describe('limits and identity checks', () => {
  scenario('KYC_REQUIRED above the unverified limits until an administrator approves; LIMIT_EXCEEDED above the verified ones', async (o) => {
    const ada = await signUp(o, 'ada@example.com', ['--country', 'GB']);
    const bob = await signUp(o, 'bob@example.com', ['--country', 'GB']);
    const ops = await signUpAdmin(o);
    await ada.ok(['deposit', '--amount', '60000', '--currency', 'USD']);
    const over = ['transfer', '--to', 'bob@example.com', '--amount', '1000.01', '--currency', 'USD', '--yes', '--json'];

    const kyc = expectError(await ada.run(over), 8, 'KYC_REQUIRED').error();
    expect(kyc.message).toContain('per-transaction limit of 1000.00 USD');
    expect(kyc.message).toContain('you can send up to 1000.00 USD now');
    expect(kyc.hint).toContain('okpay kyc submit');
    await send(ada, ['--to', 'bob@example.com', '--amount', '1000', '--currency', 'USD']);
    expect((await ada.json<{ kyc: unknown }>(['kyc', 'status'])).kyc).toMatchObject({
      status: 'none',
      limits: { perTransaction: '1000.00', rolling30Days: '2500.00', remaining30Days: '1500.00' },
    });

    expectError(await ada.run(['kyc', 'submit', '--document-type', 'library-card', '--document-number', 'X1234567', '--json']), 2, 'INVALID_DOCUMENT');
    expect((await ada.json<{ kyc: unknown }>(['kyc', 'submit', '--document-type', 'passport', '--document-number', 'X1234567'])).kyc).toMatchObject({
      status: 'pending',
      document: 'passport •••• 4567',
    });
    expectError(await ada.run(over), 8, 'KYC_REQUIRED');
    expectError(await bob.run(['admin', 'kyc', 'approve', 'ada@example.com', '--yes', '--json']), 4, 'FORBIDDEN');
    expect((await ops.json<{ user: unknown }>(['admin', 'kyc', 'approve', 'ada@example.com', '--yes'])).user).toMatchObject({
      email: 'ada@example.com',
      kyc: 'approved',
    });
    expect(await mails(o, 'ada@example.com', 'kyc-approved')).toHaveLength(1);

    expect((await ada.json<{ transaction: TxDoc }>(over)).transaction).toMatchObject({ status: 'completed', amount: '1000.01' });
    const limit = expectError(
      await ada.run(['transfer', '--to', 'bob@example.com', '--amount', '50000.01', '--currency', 'USD', '--yes', '--json']),
      8,
      'LIMIT_EXCEEDED',
    ).error();
    expect(limit.message).toContain('per-transaction limit of 50000.00 USD');

    await bob.ok(['kyc', 'submit', '--document-type', 'id-card', '--document-number', 'AB123456']);
    expectError(await ops.run(['admin', 'kyc', 'reject', 'bob@example.com', '--yes', '--json']), 2, 'USAGE');
    await ops.ok(['admin', 'kyc', 'reject', 'bob@example.com', '--reason', 'the photo is unreadable', '--yes']);
    expect((await bob.json<{ kyc: unknown }>(['kyc', 'status'])).kyc).toMatchObject({ status: 'rejected', reason: 'the photo is unreadable' });
    expect((await mails(o, 'bob@example.com', 'kyc-rejected')).pop()?.text).toContain('the photo is unreadable');
    await expectVerified(o);
  });
});

describe('money for someone without an account', () => {
  scenario('waits as unclaimed, lands when they activate, and otherwise comes back with its fee after 30 days', async (o) => {
    const ada = await signUp(o, 'ada@example.com', ['--country', 'GB']);
    const ops = await signUpAdmin(o);
    await ada.ok(['deposit', '--amount', '500', '--currency', 'USD']);

    const toCarol = (await send(ada, ['--to', 'carol@example.com', '--amount', '100', '--currency', 'USD', '--idempotency-key', 'gift-1'])).transaction;
    const unused = await quoteOf(ada, ['--to', 'carol@example.com', '--amount', '1', '--currency', 'USD']);
    // A payee without an account is priced cross-border: their country is not known (docs/SECURITY.md 14).
    expect(toCarol).toMatchObject({ type: 'transfer.unclaimed', status: 'unclaimed', fee: '3.20', to: 'carol@example.com' });
    expect(await mails(o, 'carol@example.com', 'money-waiting')).toHaveLength(1);
    const toDave = (await send(ada, ['--to', 'dave@example.com', '--amount', '50', '--currency', 'USD', '--to-currency', 'EUR'])).transaction;
    expect(toDave).toMatchObject({ status: 'unclaimed', fee: '1.75', receiveCurrency: 'EUR' });
    expect(await ada.balance()).toEqual({ available: '345.05', held: '0.00' });

    await register(o, 'carol@example.com');
    expect((await ada.json<{ transaction: TxDoc }>(['tx', 'show', toCarol.id])).transaction.status).toBe('unclaimed');
    await activate(o, 'carol@example.com');
    const carol = await new Account(o, 'carol@example.com').signIn();
    expect(await carol.balance()).toEqual({ available: '100.00', held: '0.00' });
    expect((await ada.json<{ transaction: TxDoc }>(['tx', 'show', toCarol.id])).transaction.status).toBe('claimed');

    await advance(o, 29 * DAY_MS, ada, ops);
    // The quote expired after 30 minutes and goes; the key lasts 30 days.
    expect((await ops.json<{ settled: unknown }>(['admin', 'settle'])).settled).toMatchObject({
      unclaimedReturned: 0,
      idempotencyKeysPruned: 0,
      quotesPruned: 1,
    });
    await advance(o, 2 * DAY_MS, ada, ops);
    expect((await ops.json<{ settled: unknown }>(['admin', 'settle'])).settled).toMatchObject({
      unclaimedReturned: 1,
      idempotencyKeysPruned: 1,
      quotesPruned: 0,
    });
    expect((await ops.json<{ settled: unknown }>(['admin', 'settle'])).settled).toMatchObject({ unclaimedReturned: 0, quotesPruned: 0, transactions: [] });
    expectError(await ada.run(['transfer', '--quote', unused.id, '--yes', '--json']), 5, 'QUOTE_NOT_FOUND');
    expect(await ada.balance()).toEqual({ available: '396.80', held: '0.00' });
    expect((await mails(o, 'ada@example.com', 'transfer-returned')).pop()?.text).toContain('51.75 USD');
    const latest = (await history(ada, ['--limit', '1'])).transactions[0];
    expect(latest).toMatchObject({ type: 'unclaimed.return', direction: 'in', amount: '51.75' });
    expect((await ada.json<{ transaction: TxDoc }>(['tx', 'show', toDave.id])).transaction.status).toBe('returned');
    await expectVerified(o);
  });
});

describe('batch payouts', () => {
  scenario('checks every row first, pays each row once however often the file runs, and --atomic pays all or none', async (o) => {
    const ada = await signUp(o, 'ada@example.com', ['--country', 'GB']);
    const bob = await signUp(o, 'bob@example.com', ['--country', 'GB']);
    await ada.ok(['deposit', '--amount', '100', '--currency', 'USD']);
    const file = (name: string, rows: string[]): string => {
      const target = path.join(o.home, name);
      writeFileSync(target, ['to,amount,currency,memo,reference', ...rows].join('\n'));
      return target;
    };

    const bad = file('bad.csv', ['bob@example.com,10,USD,rent,r1', 'not-an-email,5,USD,,r2', 'bob@example.com,-3,USD,,r3', 'bob@example.com,1,USD,,r1']);
    const refused = expectError(await ada.run(['transfer', '--batch', bad, '--yes', '--json']), 2, 'INVALID_FILE').error();
    expect(refused.message).toContain('3 invalid rows; nothing was sent');
    const toSelf = await ada.run(['transfer', '--batch', file('self.csv', ['bob@example.com,1,USD,,s1', 'Ada@Example.com,1,USD,,s2']), '--yes', '--json']);
    expect(expectError(toSelf, 2, 'INVALID_FILE').error().message).toContain('1 invalid row; nothing was sent');
    expect(toSelf.stderr).toContain('line 3: you cannot send money to yourself');
    expect(await ada.balance()).toEqual({ available: '100.00', held: '0.00' });

    const good = file('good.csv', ['bob@example.com,10,USD,"rent, November",r1', 'carol@example.com,5,USD,,r2', '+447700900999,2,USD,,r3']);
    // A dry run through the real binary and the file store: the same totals, nothing written.
    const rehearsed = await ada.json<{ batch: { totals: unknown } }>(['transfer', '--batch', good, '--dry-run']);
    expect(await ada.balance()).toEqual({ available: '100.00', held: '0.00' });
    await expectVerified(o);
    const first = await ada.json<{ batch: { totals: unknown }; results: { reference: string; status: string; transaction: string; fee: string }[] }>([
      'transfer',
      '--batch',
      good,
      '--yes',
    ]);
    const totals = [{ currency: 'USD', amount: '17.00', fee: '2.03', total: '19.03' }];
    expect(first.batch).toEqual({ rows: 3, paid: 1, waiting: 2, alreadyPaid: 0, failed: 0, notSent: 0, atomic: false, totals });
    expect(rehearsed.batch).toMatchObject({ dryRun: true, totals });
    expect(first.results.map((r) => [r.reference, r.status, r.fee])).toEqual([
      ['r1', 'paid', '0.05'],
      ['r2', 'waiting', '0.99'],
      ['r3', 'waiting', '0.99'],
    ]);
    const rerun = await ada.json<{ batch: unknown; results: { status: string; transaction: string }[] }>(['transfer', '--batch', good, '--yes']);
    expect(rerun.batch).toMatchObject({ paid: 0, alreadyPaid: 3 });
    expect(rerun.results.map((r) => r.transaction)).toEqual(first.results.map((r) => r.transaction));
    expect(await ada.balance()).toEqual({ available: '80.97', held: '0.00' });

    const tooMuch = file('too-much.csv', ['bob@example.com,1,USD,,r4', 'bob@example.com,500,USD,,r5']);
    const atomic = await ada.run(['transfer', '--batch', tooMuch, '--atomic', '--yes', '--json']);
    expect(atomic.code).toBe(7);
    expect(atomic.json<{ results: { status: string }[] }>().results.map((r) => r.status)).toEqual(['not-sent', 'failed']);
    expect(atomic.error().message).toContain('nothing was sent');
    expect(await bob.balance()).toEqual({ available: '10.00', held: '0.00' });
    const partial = await ada.run(['transfer', '--batch', tooMuch, '--yes', '--json']);
    expect(partial.code).toBe(7);
    expect(partial.json<{ results: { status: string }[] }>().results.map((r) => r.status)).toEqual(['paid', 'failed']);
    expect(await bob.balance()).toEqual({ available: '11.00', held: '0.00' });
    await expectVerified(o);
  });
});

describe('verify', () => {
  scenario('counts what it checked in words that agree with the numbers: one entry, one segment, one audit entry', async (o) => {
    const fresh = expectOk(await o.run(['verify']));
    expect(fresh.stdout).toMatch(/^checked 0 journal entries in 0 segments, 1 audit entry and 0 accounts in /);
    const ada = await signUp(o, 'ada@example.com');
    await ada.ok(['deposit', '--amount', '500', '--currency', 'USD']);
    const one = expectOk(await o.run(['verify']));
    expect(one.stdout).toMatch(/^checked 1 journal entry in 1 segment, \d+ audit entries and \d+ accounts in /);
  });

  scenario('[files] a record that no longer matches its schema is refused as damage, naming the record and the field, and nothing changes', async (o) => {
    const ada = await signUp(o, 'ada@example.com');
    await ada.ok(['deposit', '--amount', '500', '--currency', 'USD']);
    const key = `user:${userIdOf(o.home, 'ada@example.com')}`;
    const putBack = forgeRecord<Record<string, unknown>>(o.home, 'balances', key, (row) => ({ ...row, USD: '50000' }));
    const read = await ada.run(['balance', '--json']);
    expect(read.code, read.stderr).toBe(10);
    expect(read.error()).toMatchObject({ code: 'STORE_CORRUPT', message: `the store's balances record ${key} is damaged: USD must be a number` });
    const paid = await ada.run(['transfer', '--to', 'bob@example.com', '--amount', '1', '--currency', 'USD', '--yes', '--json']);
    expect(paid.code, paid.stderr).toBe(10);
    putBack();
    expect(await ada.balance()).toEqual({ available: '500.00', held: '0.00' });
    await expectVerified(o);
  });

  scenario('[files] exits 10 with one line per mismatch after a balance record or a journal entry was edited', async (o) => {
    const ada = await signUp(o, 'ada@example.com');
    await ada.ok(['deposit', '--amount', '500', '--currency', 'USD']);
    await expectVerified(o);
    const putBack = forgeRecord<Record<string, number>>(o.home, 'balances', `user:${userIdOf(o.home, 'ada@example.com')}`, (row) => ({ ...row, USD: 50001 }));
    const balance = await o.run(['verify', '--json']);
    // verify --json prints its report on stdout even when it finds damage.
    expect(balance.code, balance.stderr).toBe(10);
    expect(balance.error()).toMatchObject({ code: 'STORE_CORRUPT', exitCode: 10 });
    expect(balance.json()).toMatchObject({ ok: false });
    expect(balance.stderr).toMatch(/okpay: verify: balance of user:usr_\w+ in USD is 50001 in the state but 50000 from the journal/);
    expect(balance.stderr).toMatch(/books do not close in USD/);
    putBack();
    await expectVerified(o);

    const journalFile = path.join(o.home, 'journal', '00000000.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tx: { postings: { amountMinor: number }[] } }[] };
    const credit = journal.entries[0]?.tx.postings.find((p) => p.amountMinor === 50_000);
    if (!credit) throw new Error('no deposit posting in the journal');
    // The same byte length, so only a replay can tell: the entry's hash no longer matches and it does not balance.
    credit.amountMinor = 60_000;
    writeFileSync(journalFile, JSON.stringify(journal));
    const edited = await o.run(['verify']);
    expect(edited.code).toBe(10);
    expect(edited.stderr).toMatch(/journal entry 1 was changed after it was written/);
    expect(edited.stderr).toMatch(/txn_0000000001: postings in USD sum to 10000, not zero/);
  });
});

describe('concurrent writers', () => {
  scenario('6 processes × 5 transfers between two people lose no update', async (o) => {
    const ada = await signUp(o, 'ada@example.com', ['--country', 'GB']);
    const bob = await signUp(o, 'bob@example.com', ['--country', 'GB']);
    await ada.ok(['deposit', '--amount', '1000', '--currency', 'USD']);
    await bob.ok(['deposit', '--amount', '1000', '--currency', 'USD']);
    // Processes 0-2 send from Ada to Bob, 3-5 from Bob to Ada; process i sends i+1 dollars each time.
    const processes = [0, 1, 2, 3, 4, 5].map(async (i): Promise<Run[]> => {
      const [from, to] = i < 3 ? [ada, bob] : [bob, ada];
      const runs: Run[] = [];
      for (let n = 0; n < 5; n += 1) runs.push(await from.run(['transfer', '--to', to.email, '--amount', `${i + 1}`, '--currency', 'USD', '--yes']));
      return runs;
    });
    for (const run of (await Promise.all(processes)).flat()) expectOk(run);
    // Ada: − 5 × (1.01 + 2.01 + 3.02) + 5 × (4 + 5 + 6); Bob: − 5 × (4.02 + 5.03 + 6.03) + 5 × (1 + 2 + 3).
    expect(await ada.balance()).toEqual({ available: '1044.80', held: '0.00' });
    expect(await bob.balance()).toEqual({ available: '954.60', held: '0.00' });
    expect((await history(ada, ['--limit', '100'])).transactions).toHaveLength(31);
    await expectVerified(o);
  });
});
