// Issue 15, money items 3 and 4 through the real binary: only transfers are refunded by agents (a
// completed payout that bounced is the operator's `admin payout bounce`, reversing the payout's
// own entries once), and every balance is bounded so sums stay exact and deposits keep working.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Desk, expectError, expectOk, fixturePerson, mails, PASSWORD } from '../support/desk-cli.js';

const ANN = 'ann@example.com';
const BOB = 'bob@example.com';
const T2 = 'tomas@support.okpay.example';
const OPS = 'ops@okpay.example';

function fixtureFile(desk: Desk, name: string, content: unknown): string {
  const directory = `${desk.o.home}-files`;
  mkdirSync(directory, { recursive: true });
  const file = path.join(directory, name);
  writeFileSync(file, JSON.stringify(content));
  return file;
}

interface TxJson {
  id: string;
  type: string;
  status: string;
  postings: { account: string; currency: string; amount: string }[];
  followedBy: string[];
}

const usd = async (desk: Desk, email: string) =>
  expectOk(await desk.as(email, ['balance', '--json']))
    .json<{ balances: { currency: string; available: string; held: string }[] }>()
    .balances.find((b) => b.currency === 'USD');
const exported = async (desk: Desk) => expectOk(await desk.o.run(['fixtures', 'export'])).stdout;

describe('a completed payout is never refunded by an agent; a bounce is the operator’s, once', () => {
  const desk = new Desk();
  let completion = '';
  let hold = '';
  let ticket = 0;

  beforeAll(async () => {
    const fixture = {
      users: [fixturePerson('ann', ANN, { kyc: 'approved', balances: { USD: '1000.00' } }), fixturePerson('ops', OPS, { role: 'admin' })],
      agents: [fixturePerson('tomas', T2, { tier: 2, languages: ['en'] })],
      withdrawals: [
        {
          name: 'paid',
          user: 'ann',
          method: { type: 'bank', holder: 'Ann Example', accountNumber: '123456789', routingNumber: '011000015' },
          amount: '150.50',
          currency: 'USD',
          status: 'completed',
          at: '-5d',
        },
      ],
    };
    expectOk(await desk.o.run(['fixtures', 'load', fixtureFile(desk, 'payout.json', fixture)]));
    for (const email of [ANN, T2, OPS]) await desk.signIn(email);
    const list = expectOk(await desk.as(ANN, ['history', '--type', 'withdrawal', '--json'])).json<{ transactions: TxJson[] }>().transactions;
    completion = list.find((tx) => tx.type === 'withdrawal.complete')?.id ?? '';
    hold = list.find((tx) => tx.type === 'withdrawal.hold')?.id ?? '';
    const opened = expectOk(
      await desk.as(ANN, ['ticket', 'new', '--category', 'dispute', '--subject', 'Payout', '--body', 'Please refund my payout.', '--tx', completion, '--json']),
    );
    ticket = opened.json<{ ticket: { number: number } }>().ticket.number;
  });

  afterAll(() => desk.cleanup());

  it('an agent refund of the completed payout is refused and changes nothing', async () => {
    const before = await exported(desk);
    const refused = expectError(
      await desk.as(T2, ['agent', 'refund', completion, '--ticket', String(ticket), '--yes', '--json']),
      6,
      'INVALID_TRANSITION',
    ).error();
    expect(refused.message).toBe(`${completion} is a withdrawal.complete; only transfers can be refunded by an agent`);
    expect(refused.hint).toContain('okpay admin payout bounce');
    expect(await exported(desk)).toBe(before);
    expect((await usd(desk, ANN))?.available).toBe('849.00');
  });

  it('only an administrator may record a bounce, with a reason', async () => {
    expectError(await desk.as(T2, ['admin', 'payout', 'bounce', completion, '--reason', 'returned by the bank', '--yes', '--json']), 4, 'FORBIDDEN');
    expectError(await desk.as(ANN, ['admin', 'payout', 'bounce', completion, '--reason', 'returned by the bank', '--yes', '--json']), 4, 'FORBIDDEN');
    expectError(await desk.as(OPS, ['admin', 'payout', 'bounce', completion, '--yes', '--json']), 2, 'USAGE');
    expectError(await desk.as(OPS, ['admin', 'payout', 'bounce', hold, '--reason', 'returned by the bank', '--yes', '--json']), 6, 'INVALID_TRANSITION');
  });

  it('the bounce reverses exactly the payout’s own entries, once, and tells the customer', async () => {
    const done = expectOk(await desk.as(OPS, ['admin', 'payout', 'bounce', completion, '--reason', 'returned by the bank', '--yes', '--json'])).json<{
      bounce: TxJson;
      of: string;
    }>();
    expect(done.of).toBe(completion);
    const original = expectOk(await desk.as(ANN, ['tx', 'show', completion, '--json'])).json<{ transaction: TxJson }>().transaction;
    const reversal = expectOk(await desk.as(ANN, ['tx', 'show', done.bounce.id, '--json'])).json<{ transaction: TxJson }>().transaction;
    expect(reversal.type).toBe('withdrawal.return');
    const flip = (amount: string) => (amount.startsWith('-') ? amount.slice(1) : `-${amount}`);
    const byAccount = (list: TxJson['postings']) => [...list].sort((a, b) => a.account.localeCompare(b.account));
    const expected = original.postings.map((p) => ({ account: p.account.replace(/^hold:/, 'user:'), currency: p.currency, amount: flip(p.amount) }));
    expect(byAccount(reversal.postings)).toEqual(byAccount(expected));
    expect(await usd(desk, ANN)).toMatchObject({ available: '1000.00', held: '0.00' });
    const payout = expectOk(await desk.as(ANN, ['tx', 'show', hold, '--json'])).json<{ transaction: TxJson }>().transaction;
    expect(payout.status).toBe('returned');
    expect(await mails(desk.o, ANN, 'payout-returned')).toHaveLength(1);
    expectError(await desk.as(OPS, ['admin', 'payout', 'bounce', completion, '--reason', 'again', '--yes', '--json']), 6, 'INVALID_TRANSITION');
    expectOk(await desk.o.run(['verify']));
  });

  it('a deposit cannot be refunded by an agent either', async () => {
    const deposit = expectOk(await desk.as(ANN, ['deposit', '--amount', '10.00', '--currency', 'USD', '--json'])).json<{ transaction: { id: string } }>()
      .transaction.id;
    const opened = expectOk(
      await desk.as(ANN, ['ticket', 'new', '--category', 'dispute', '--subject', 'Card', '--body', 'Refund my deposit.', '--tx', deposit, '--json']),
    );
    const number = opened.json<{ ticket: { number: number } }>().ticket.number;
    expectError(await desk.as(T2, ['agent', 'refund', deposit, '--ticket', String(number), '--yes', '--json']), 6, 'INVALID_TRANSITION');
  });
});

describe('balances are bounded: sums stay exact and the store keeps taking deposits', () => {
  const desk = new Desk();

  beforeAll(async () => {
    const fixture = {
      users: [fixturePerson('ann', ANN, { kyc: 'approved', balances: { USD: '9999999990.00' } }), fixturePerson('bob', BOB, { kyc: 'approved' })],
    };
    expectOk(await desk.o.run(['fixtures', 'load', fixtureFile(desk, 'rich.json', fixture)]));
    for (const email of [ANN, BOB]) await desk.signIn(email);
  });

  afterAll(() => desk.cleanup());

  it('a balance near Number.MAX_SAFE_INTEGER is refused by fixtures load, and nothing is written', async () => {
    const before = await exported(desk);
    const huge = { users: [fixturePerson('max', 'max@example.com', { balances: { USD: '90071992547409.91' } })] };
    const refused = expectError(await desk.o.run(['fixtures', 'load', fixtureFile(desk, 'huge.json', huge), '--json']), 2, 'INVALID_FILE').error();
    expect(refused.message).toContain('balances.USD');
    expect(refused.message).toContain('10000000000.00 USD');
    expect(await exported(desk)).toBe(before);
    expectOk(await desk.as(BOB, ['deposit', '--amount', '5.00', '--currency', 'USD']));
  });

  it('fixtures may not fill the store: half of what it can hold stays free for real deposits', async () => {
    const many = { users: Array.from({ length: 50 }, (_, i) => fixturePerson(`rich${i}`, `rich${i}@example.com`, { balances: { USD: '9999999999.00' } })) };
    const refused = expectError(await desk.o.run(['fixtures', 'load', fixtureFile(desk, 'many.json', many), '--json']), 2, 'INVALID_FILE').error();
    expect(refused.message).toMatch(/rich49.*balances\.USD/);
    expectOk(await desk.as(BOB, ['deposit', '--amount', '5.00', '--currency', 'USD']));
  });

  it('a deposit or payment that would take a balance past the bound is refused with LIMIT_EXCEEDED (exit 8); others still deposit', async () => {
    expectOk(await desk.as(BOB, ['deposit', '--amount', '100.00', '--currency', 'USD']));
    const before = await exported(desk);
    const refused = expectError(await desk.as(ANN, ['deposit', '--amount', '10.01', '--currency', 'USD', '--json']), 8, 'LIMIT_EXCEEDED').error();
    expect(refused.message).toBe('this would take the USD balance of the receiving account past the most one account may hold (1000000000000 minor units)');
    expect(refused.message).not.toMatch(/bug/);
    const toAnn = expectError(
      await desk.as(BOB, ['transfer', '--to', ANN, '--amount', '10.01', '--currency', 'USD', '--yes', '--json']),
      8,
      'LIMIT_EXCEEDED',
    ).error();
    expect(toAnn.message).toBe(refused.message);
    expect(await exported(desk)).toBe(before);
    expectOk(await desk.as(ANN, ['deposit', '--amount', '10.00', '--currency', 'USD']));
    expect((await usd(desk, ANN))?.available).toBe('10000000000.00');
    expectOk(await desk.as(BOB, ['deposit', '--amount', '1000000.00', '--currency', 'USD']));
    expectOk(await desk.o.run(['verify']));
  });
});

describe('a batch row refused by the receiving bound takes nothing from the payer (found by review)', () => {
  const desk = new Desk();

  afterAll(() => desk.cleanup());

  it('the row fails with LIMIT_EXCEEDED, the other rows are paid, the payer is charged only for them, and verify is clean', async () => {
    const fixture = {
      users: [
        fixturePerson('ann', ANN, { kyc: 'approved', balances: { USD: '100.00' } }),
        fixturePerson('rich', 'rich@example.com', { kyc: 'approved', balances: { USD: '10000000000.00' } }),
        fixturePerson('bob', BOB, { kyc: 'approved' }),
      ],
    };
    expectOk(await desk.o.run(['fixtures', 'load', fixtureFile(desk, 'bound.json', fixture)]));
    for (const email of [ANN, 'rich@example.com']) await desk.signIn(email);
    const rows = fixtureFile(desk, 'rows.csv', 'x');
    writeFileSync(rows, ['to,amount,currency,memo,reference', 'rich@example.com,10.00,USD,,r1', `${BOB},1.00,USD,,r2`].join('\n'));
    const run = await desk.as(ANN, ['transfer', '--batch', rows, '--yes', '--json']);
    expect(run.code, run.stderr).toBe(8);
    expect(run.error()).toMatchObject({ code: 'LIMIT_EXCEEDED' });
    const results = (JSON.parse(run.stdout) as { results: { reference: string; status: string; fee: string | null }[] }).results;
    expect(results.map((r) => [r.reference, r.status])).toEqual([
      ['r1', 'failed'],
      ['r2', 'paid'],
    ]);
    const fee = Number(results[1]?.fee ?? NaN);
    // Before: 10.00 and its fee were taken from ann for r1 as well, with no journal entry (verify: the books do not close).
    expect((await usd(desk, ANN))?.available).toBe((100 - 1 - fee).toFixed(2));
    expect((await usd(desk, 'rich@example.com'))?.available).toBe('10000000000.00');
    expectOk(await desk.o.run(['verify']));
  });
});

interface HeldJson {
  kind: string;
  id: string;
  to: string;
  amount: string;
  currency: string;
  code: string;
  reason: string;
}
interface SettledJson {
  settled: { unclaimedReturned: number; failed: number; returnsHeld: number; heldReturns: HeldJson[]; transactions: string[] };
}

type AuditJson = { type: string; subject: string | null; details: Record<string, unknown> };
const audits = async (desk: Desk, type: string) =>
  (JSON.parse(await exported(desk)) as { audit: { event: AuditJson }[] }).audit.map((entry) => entry.event).filter((event) => event.type === type);

describe('admin settle holds back money going back to an account at the bound, and settles everything else', () => {
  const desk = new Desk();
  const FAILING = { type: 'bank', holder: 'Ann Example', accountNumber: '999999999', routingNumber: '011000015' };

  afterAll(() => desk.cleanup());

  it('the return and the failed payout to ann wait, reported and audited; bob’s return goes through; once ann has room, the next run returns both', async () => {
    const fixture = {
      users: [
        fixturePerson('ann', ANN, { kyc: 'approved', balances: { USD: '10000000000.00' }, at: '-40d' }),
        fixturePerson('bob', BOB, { kyc: 'approved', balances: { USD: '100.00' }, at: '-40d' }),
        fixturePerson('ops', OPS, { role: 'admin', at: '-40d' }),
      ],
      transfers: [
        { name: 'annGift', from: 'ann', to: 'nobody@example.com', amount: '100.00', currency: 'USD', at: '-31d' },
        { name: 'bobGift', from: 'bob', to: 'nobody@example.com', amount: '10.00', currency: 'USD', at: '-31d' },
      ],
      withdrawals: [{ name: 'payout', user: 'ann', method: FAILING, amount: '50.00', currency: 'USD', at: '-10d' }],
    };
    const ids = expectOk(await desk.o.run(['fixtures', 'load', fixtureFile(desk, 'returns.json', fixture)])).json<Record<string, string>>();
    for (const email of [ANN, BOB, OPS]) await desk.signIn(email);
    // ann fills her balance back up to the bound: what comes back has no room.
    const room = 1_000_000_000_000 - Math.round(Number((await usd(desk, ANN))?.available) * 100);
    expectOk(await desk.as(ANN, ['deposit', '--amount', (room / 100).toFixed(2), '--currency', 'USD']));
    const annBefore = await usd(desk, ANN);
    expect(annBefore?.available).toBe('10000000000.00');

    const run = await desk.as(OPS, ['admin', 'settle', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const settled = run.json<SettledJson>().settled;
    expect(settled).toMatchObject({ unclaimedReturned: 1, failed: 0, returnsHeld: 2 });
    expect(settled.heldReturns.map((h) => [h.kind, h.id, h.to, h.currency, h.code])).toEqual([
      ['failed-payout', ids['payout'], ANN, 'USD', 'LIMIT_EXCEEDED'],
      ['unclaimed-return', ids['annGift'], ANN, 'USD', 'LIMIT_EXCEEDED'],
    ]);
    // 100.00 and its cross-border fee (the payee had no account) come back together.
    expect(settled.heldReturns[1]?.amount).toBe('103.20');
    expect(settled.heldReturns[0]?.reason).toContain('past the most one account may hold');
    expect(await usd(desk, ANN)).toEqual(annBefore);
    expect((await usd(desk, BOB))?.available).toBe('100.00');
    expect(await audits(desk, 'settle.return-held')).toHaveLength(2);
    expectOk(await desk.o.run(['verify']));

    const human = await desk.as(OPS, ['admin', 'settle']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout + human.stderr).toContain('2 returns held back');
    expect(human.stderr).toContain(`103.20 USD could not go back to ${ANN} (unclaimed transfer ${ids['annGift']})`);

    expectOk(await desk.as(ANN, ['transfer', '--to', BOB, '--amount', '1000.00', '--currency', 'USD', '--yes']));
    const later = expectOk(await desk.as(OPS, ['admin', 'settle', '--json'])).json<SettledJson>().settled;
    expect(later).toMatchObject({ unclaimedReturned: 1, failed: 1, returnsHeld: 0, heldReturns: [] });
    expect(await usd(desk, ANN)).toMatchObject({ held: '0.00' });
    expectOk(await desk.o.run(['verify']));
  });
});

describe('activate opens the account when a payment waiting for it has no room, and that payment keeps waiting', () => {
  const desk = new Desk();

  afterAll(() => desk.cleanup());

  it('the EUR payment lands, the USD one stays unclaimed (reported, audited) and goes back to its sender at expiry', async () => {
    const CAROL = 'carol@example.com';
    const fixture = {
      users: [
        fixturePerson('ann', ANN, { kyc: 'approved', balances: { USD: '1000.00' } }),
        fixturePerson('carol', CAROL, { status: 'pending', balances: { USD: '10000000000.00' }, at: '-2h' }),
        fixturePerson('ops', OPS, { role: 'admin' }),
      ],
      transfers: [
        { name: 'usd', from: 'ann', to: CAROL, amount: '10.00', currency: 'USD', at: '-1h' },
        { name: 'eur', from: 'ann', to: CAROL, amount: '10.00', currency: 'USD', toCurrency: 'EUR', at: '-1h' },
      ],
    };
    const ids = expectOk(await desk.o.run(['fixtures', 'load', fixtureFile(desk, 'waiting.json', fixture)])).json<Record<string, string>>();
    const token = /\b(act_[A-Za-z0-9_-]+)/.exec((await mails(desk.o, CAROL, 'activation')).pop()?.text ?? '')?.[1] ?? '';
    const run = await desk.o.run(['activate', token, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(run.code, run.stderr).toBe(0);
    const done = run.json<{
      user: { status: string };
      claimed: string[];
      stillWaiting: { transaction: string; amount: string; currency: string; code: string }[];
    }>();
    expect(done.user.status).toBe('active');
    expect(done.claimed).toHaveLength(1);
    expect(done.stillWaiting).toEqual([expect.objectContaining({ transaction: ids['usd'], amount: '10.00', currency: 'USD', code: 'LIMIT_EXCEEDED' })]);
    expect((await audits(desk, 'transfer.claim-refused')).map((a) => a.details['of'])).toEqual([ids['usd']]);
    await desk.signIn(CAROL);
    expect(expectOk(await desk.as(CAROL, ['balance', '--json'])).json<{ balances: { currency: string; available: string }[] }>().balances).toEqual([
      expect.objectContaining({ currency: 'EUR' }),
      expect.objectContaining({ currency: 'USD', available: '10000000000.00' }),
    ]);
    await desk.signIn(ANN);
    const status = async () =>
      expectOk(await desk.as(ANN, ['tx', 'show', ids['usd'] ?? '', '--json'])).json<{ transaction: { status: string } }>().transaction.status;
    expect(await status()).toBe('unclaimed');
    expectOk(await desk.o.run(['verify']));
    await desk.signIn(OPS);
    desk.advance(31 * 24 * 60 * 60 * 1000);
    expect(expectOk(await desk.as(OPS, ['admin', 'settle', '--json'])).json<SettledJson>().settled).toMatchObject({ unclaimedReturned: 1, returnsHeld: 0 });
    expect(await status()).toBe('returned');
    expectOk(await desk.o.run(['verify']));
  });
});
