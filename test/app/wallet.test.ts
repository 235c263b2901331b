// The wallet's use-cases on the memory stores, without the CLI: deposits, transfers (priced now or
// by a quote, idempotent, to people without an account), batches, withdrawals with settlement,
// unclaimed money, and history a page at a time. Each runs on the store that keeps one State, on
// the one that keeps records natively in memory and on PostgreSQL, so the use-cases rely on the
// records API alone.

import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/app/authenticate.js';
import { AtomicBatchFailed, payBatch, type BatchRow } from '../../src/app/batch.js';
import { history, showTransaction } from '../../src/app/history.js';
import type { AppDeps } from '../../src/app/ports.js';
import { settleMoney } from '../../src/app/settle.js';
import { balance, claimUnclaimedFor, deposit, quoteTransfer, transfer } from '../../src/app/wallet.js';
import { addWithdrawalMethod, cancelWithdrawal, listWithdrawals, removeWithdrawalMethod, withdraw } from '../../src/app/withdrawals.js';
import { RefData } from '../../src/cli/refdata.js';
import { CUSTOMER_BALANCE_MAX_MINOR, holdAccount, SYSTEM_ACCOUNTS, txIdForSeq, userAccount } from '../../src/domain/ledger.js';
import { findCurrency } from '../../src/domain/money.js';
import type { User } from '../../src/domain/state.js';
import { UNCLAIMED_TTL_MS } from '../../src/domain/wallet.js';
import { MemoryRecordStore } from '../../src/store/memory-record-store.js';
import type { JournalReader, RecordsTransaction } from '../../src/store/store.js';
import type { Receipt } from '../../src/domain/tx-view.js';
import { AppError } from '../../src/domain/errors.js';
import { adjustment } from '../support/adjustment.js';
import { pgStores, withLogs } from '../support/pg-store.js';

/** Friday 20 November 2026, 10:00 UTC: payout desks open. */
const START = '2026-11-20T10:00:00.000Z';
const ref = new RefData();
const USD = findCurrency(ref.currencies, 'USD');
const EUR = findCurrency(ref.currencies, 'EUR');

interface Store {
  transaction<T>(work: (t: RecordsTransaction) => Promise<T>): Promise<T>;
  read<T>(work: (t: RecordsTransaction) => Promise<T>): Promise<T>;
  readonly mails: readonly { to: string; subject: string }[];
  readonly auditEntries: readonly { event: { type: string } }[];
}

const postgres = await pgStores({ segmentSize: 8 });

const STORES: readonly [string, () => Store][] = [
  ['the memory store', () => new MemoryRecordStore(START, 8)],
  ['the PostgreSQL store', () => withLogs(postgres.make(START))],
];

class World {
  readonly store: Store;
  nowMs = Date.parse(START);
  private counter = 0;
  readonly deps: AppDeps;

  constructor(make: () => Store) {
    this.store = make();
    const unused = () => {
      throw new Error('not used by the wallet');
    };
    this.deps = {
      now: () => new Date(this.nowMs),
      random: { bytes: (count) => Buffer.from(Array.from({ length: count }, () => (this.counter += 7) & 255)) },
      passwords: { hash: unused, verify: unused, verifyNothing: unused },
      totp: { generateSecret: unused, uri: unused, verify: unused, generate: unused },
      ref,
    };
  }

  async member(name: string, country = 'US', fields: Partial<User> = {}): Promise<Actor> {
    const user = userRecord(name, country, fields);
    await this.store.transaction(async (t) => t.users.put(user));
    return { user, sessionHash: `session-of-${name}` };
  }

  run<T>(work: (t: RecordsTransaction, deps: AppDeps) => Promise<T>): Promise<T> {
    return this.store.transaction((t) => work(t, this.deps));
  }

  balanceOf(account: string, code: string): Promise<number> {
    return this.store.read((t) => t.balances.get(account, code));
  }
}

function userRecord(name: string, country: string, fields: Partial<User>): User {
  return {
    id: `usr_${name}`,
    email: `${name}@example.com`,
    phone: null,
    country,
    name: null,
    language: 'en',
    idNumberMasked: null,
    antiPhishingPhrase: null,
    role: 'user',
    agent: null,
    status: 'active',
    passwordHash: 'x',
    passwordChangedAt: START,
    createdAt: START,
    termsAcceptedAt: START,
    activatedAt: START,
    activation: null,
    passwordReset: null,
    unlockToken: null,
    twoFactor: { enabled: false, secret: null, pendingSecret: null, pendingRecoveryCodes: [], lastTimeStep: null, recoveryCodes: [], changedAt: null },
    failedLogins: 0,
    lock: null,
    kyc: { status: 'none', documentType: null, documentMasked: null, submittedAt: null, decidedAt: null, decidedBy: null, reason: null },
    lastLoginAt: null,
    ...fields,
  };
}

/**
 * `tx show` of one transaction, with the journal entries it read (by number, in order); a look at a
 * user's whole history (seqsOfUser) is counted as a read of entry 0.
 */
async function readsOfShow(w: World, viewer: Actor, txId: string): Promise<{ receipt: Receipt; read: number[] }> {
  const read: number[] = [];
  const receipt = await w.store.read((t) => {
    const journal: JournalReader = {
      ...t.journal,
      head: () => t.journal.head(),
      get: (seq) => {
        read.push(seq);
        return t.journal.get(seq);
      },
      getMany: (seqs) => {
        read.push(...seqs);
        return t.journal.getMany(seqs);
      },
      seqsOfUser: (userId) => {
        read.push(0);
        return t.journal.seqsOfUser(userId);
      },
      seqsLinkingTo: (id) => t.journal.seqsLinkingTo(id),
    };
    return showTransaction(new Proxy(t, { get: (target, key) => (key === 'journal' ? journal : Reflect.get(target, key, target)) }), w.deps, viewer, txId);
  });
  return { receipt, read };
}

/** The AppError a use-case refused with; resolving, or failing otherwise, fails the test. */
async function refusalOf(work: Promise<unknown>): Promise<AppError> {
  const outcome = await work.then(
    () => new Error('expected an AppError'),
    (error: unknown) => error,
  );
  if (outcome instanceof AppError) return outcome;
  throw outcome;
}

const send = (to: string, amountMinor: number, extra: { key?: string; memo?: string; toCurrency?: string } = {}) => ({
  request: { to, amountMinor, currency: 'USD', toCurrency: extra.toCurrency ?? 'USD' },
  memo: extra.memo ?? null,
  idempotencyKey: extra.key ?? null,
  quoteId: null,
});

describe.each(STORES)('wallet use-cases on %s', (_name, make) => {
  it('a deposit shows in the balance; a transfer moves amount and fee, mails the payee and is audited', async () => {
    const w = new World(make);
    const ada = await w.member('ada');
    const bob = await w.member('bob');
    await w.run((t, deps) => deposit(t, deps, ada, { amountMinor: 100_000, currency: USD, source: 'card' }));
    const sent = await w.run((t, deps) => transfer(t, deps, ada, send('bob@example.com', 25_000, { memo: 'rent' })));
    expect(sent.replayed).toBe(false);
    expect(sent.view).toMatchObject({ type: 'transfer', status: 'completed', amount: '250.00', currency: 'USD', to: 'bob@example.com', memo: 'rent' });
    expect(await w.balanceOf(userAccount(ada.user.id), 'USD')).toBe(100_000 - 25_000 - sent.feeMinor);
    expect(await w.balanceOf(userAccount(bob.user.id), 'USD')).toBe(25_000);
    expect(await w.balanceOf(SYSTEM_ACCOUNTS.fees, 'USD')).toBe(sent.feeMinor);
    expect(await w.store.read((t) => balance(t, bob))).toEqual([{ currency: 'USD', availableMinor: 25_000, heldMinor: 0 }]);
    expect(w.store.mails.map((m) => m.to)).toEqual(['bob@example.com']);
    expect(w.store.auditEntries.map((e) => e.event.type)).toEqual(['deposit', 'transfer.sent']);
  });

  it('the same idempotency key pays once; with another request it is a conflict; a refusal changes nothing', async () => {
    const w = new World(make);
    const ada = await w.member('ada');
    await w.member('bob');
    await w.run((t, deps) => deposit(t, deps, ada, { amountMinor: 10_000, currency: USD, source: 'bank' }));
    const first = await w.run((t, deps) => transfer(t, deps, ada, send('bob@example.com', 1_000, { key: 'inv-1' })));
    const again = await w.run((t, deps) => transfer(t, deps, ada, send('bob@example.com', 1_000, { key: 'inv-1' })));
    expect(again).toMatchObject({ replayed: true, tx: { id: first.tx.id } });
    expect((await refusalOf(w.run((t, deps) => transfer(t, deps, ada, send('bob@example.com', 1_001, { key: 'inv-1' }))))).code).toBe('IDEMPOTENCY_CONFLICT');
    const left = await w.balanceOf(userAccount(ada.user.id), 'USD');
    expect(left).toBe(10_000 - 1_000 - first.feeMinor);
    const refused = await refusalOf(w.run((t, deps) => transfer(t, deps, ada, send('bob@example.com', 9_000))));
    expect(refused.code).toBe('INSUFFICIENT_FUNDS');
    expect(await w.balanceOf(userAccount(ada.user.id), 'USD')).toBe(left);
    expect((await refusalOf(w.run((t, deps) => transfer(t, deps, ada, send('ada@example.com', 100))))).code).toBe('SELF_TRANSFER');
  });

  it('a quote is charged exactly, once, and not after it expired', async () => {
    const w = new World(make);
    const ada = await w.member('ada');
    const bob = await w.member('bob', 'DE');
    await w.run((t, deps) => deposit(t, deps, ada, { amountMinor: 100_000, currency: USD, source: 'card' }));
    const quote = await w.run((t, deps) => quoteTransfer(t, deps, ada, { to: 'bob@example.com', amountMinor: 10_000, currency: 'USD', toCurrency: 'EUR' }));
    const paid = await w.run((t, deps) => transfer(t, deps, ada, { request: null, memo: null, idempotencyKey: null, quoteId: quote.id }));
    expect(paid.feeMinor).toBe(quote.feeMinor);
    expect(await w.balanceOf(userAccount(bob.user.id), 'EUR')).toBe(quote.receiveAmountMinor);
    const reused = await refusalOf(w.run((t, deps) => transfer(t, deps, ada, { request: null, memo: null, idempotencyKey: null, quoteId: quote.id })));
    expect(reused.code).toBe('INVALID_TRANSITION');
    const late = await w.run((t, deps) => quoteTransfer(t, deps, ada, { to: 'bob@example.com', amountMinor: 500, currency: 'USD', toCurrency: 'USD' }));
    w.nowMs += 31 * 60 * 1000;
    expect((await refusalOf(w.run((t, deps) => transfer(t, deps, ada, { request: null, memo: null, idempotencyKey: null, quoteId: late.id })))).code).toBe(
      'QUOTE_EXPIRED',
    );
    expect(EUR.code).toBe(quote.receiveCurrency);
  });

  it('a payment by quote id retried under its key gets the original back once the quote is gone; another memo is a conflict', async () => {
    const w = new World(make);
    const ada = await w.member('ada');
    await w.member('bob');
    await w.run((t, deps) => deposit(t, deps, ada, { amountMinor: 10_000, currency: USD, source: 'card' }));
    const quote = await w.run((t, deps) => quoteTransfer(t, deps, ada, { to: 'bob@example.com', amountMinor: 1_000, currency: 'USD', toCurrency: 'USD' }));
    const byQuote = (memo: string | null) => ({ request: null, memo, idempotencyKey: 'inv-7', quoteId: quote.id });
    const first = await w.run((t, deps) => transfer(t, deps, ada, byQuote('rent')));
    await w.run(async (t) => t.quotes.delete(quote.id));
    const again = await w.run((t, deps) => transfer(t, deps, ada, byQuote('rent')));
    expect(again).toMatchObject({ replayed: true, tx: { id: first.tx.id }, feeMinor: first.feeMinor });
    expect((await refusalOf(w.run((t, deps) => transfer(t, deps, ada, byQuote('other'))))).code).toBe('IDEMPOTENCY_CONFLICT');
    const withoutKey = { request: null, memo: 'rent', idempotencyKey: null, quoteId: quote.id };
    expect((await refusalOf(w.run((t, deps) => transfer(t, deps, ada, withoutKey)))).code).toBe('QUOTE_NOT_FOUND');
    expect(await w.balanceOf(userAccount(ada.user.id), 'USD')).toBe(10_000 - 1_000 - first.feeMinor);
  });

  it('money for someone without an account waits, lands when they activate, or goes back after 30 days', async () => {
    const w = new World(make);
    const ada = await w.member('ada');
    await w.run((t, deps) => deposit(t, deps, ada, { amountMinor: 50_000, currency: USD, source: 'card' }));
    const waiting = await w.run((t, deps) => transfer(t, deps, ada, send('carol@example.com', 5_000)));
    const lost = await w.run((t, deps) => transfer(t, deps, ada, send('dave@example.com', 7_000)));
    expect(waiting.view.status).toBe('unclaimed');
    expect(w.store.mails.map((m) => m.to)).toEqual(['carol@example.com', 'dave@example.com']);
    const carol = await w.member('carol');
    const { claimed } = await w.run((t, deps) => claimUnclaimedFor(t, deps, carol.user));
    expect(claimed.map((tx) => tx.links[0])).toEqual([waiting.tx.id]);
    expect(await w.balanceOf(userAccount(carol.user.id), 'USD')).toBe(5_000);
    w.nowMs += UNCLAIMED_TTL_MS;
    const settled = await w.run((t, deps) => settleMoney(t, deps));
    expect(settled.unclaimedReturned).toBe(1);
    expect(await w.balanceOf(userAccount(ada.user.id), 'USD')).toBe(50_000 - 5_000 - waiting.feeMinor);
    expect(await w.balanceOf(SYSTEM_ACCOUNTS.unclaimed, 'USD')).toBe(0);
    expect((await w.store.read((t) => showTransaction(t, w.deps, ada, lost.tx.id))).status).toBe('returned');
    expect((await w.run((t, deps) => settleMoney(t, deps))).unclaimedReturned).toBe(0);
  });

  it('settle walks past returns it holds back: with three of ann’s held at the front and a batch of 2, bob’s two go back in the same run', async () => {
    const w = new World(make);
    const ann = await w.member('ann');
    const bob = await w.member('bob');
    await w.run((t, deps) => deposit(t, deps, ann, { amountMinor: 50_000, currency: USD, source: 'card' }));
    await w.run((t, deps) => deposit(t, deps, bob, { amountMinor: 50_000, currency: USD, source: 'card' }));
    const annGifts = [];
    for (const to of ['x1@example.com', 'x2@example.com', 'x3@example.com']) annGifts.push(await w.run((t, deps) => transfer(t, deps, ann, send(to, 1_000))));
    w.nowMs += 3_600_000;
    for (const to of ['y1@example.com', 'y2@example.com']) await w.run((t, deps) => transfer(t, deps, bob, send(to, 2_000)));
    // ann at her balance bound: nothing of hers can come back.
    const room = CUSTOMER_BALANCE_MAX_MINOR - (await w.balanceOf(userAccount(ann.user.id), 'USD'));
    await w.run((t) => t.post(adjustment(userAccount(ann.user.id), room, new Date(w.nowMs).toISOString())));
    w.nowMs += UNCLAIMED_TTL_MS + 3_600_000;
    const first = await w.run((t, deps) => settleMoney(t, deps, 2));
    expect(first).toMatchObject({ unclaimedReturned: 2, returnsHeld: 3 });
    expect(first.heldReturns.map((h) => h.id)).toEqual(annGifts.map((g) => g.tx.id));
    expect(await w.balanceOf(userAccount(bob.user.id), 'USD')).toBe(50_000);
    // Each held return is tried once a run (audited once), and tried again by the next run.
    expect(w.store.auditEntries.filter((e) => e.event.type === 'settle.return-held')).toHaveLength(3);
    const again = await w.run((t, deps) => settleMoney(t, deps, 2));
    expect(again).toMatchObject({ unclaimedReturned: 0, returnsHeld: 3 });
  });

  it('settle moves at most a batch per run, then the next run goes on', async () => {
    const w = new World(make);
    const bob = await w.member('bob');
    await w.run((t, deps) => deposit(t, deps, bob, { amountMinor: 50_000, currency: USD, source: 'card' }));
    for (const to of ['y1@example.com', 'y2@example.com', 'y3@example.com']) await w.run((t, deps) => transfer(t, deps, bob, send(to, 1_000)));
    w.nowMs += UNCLAIMED_TTL_MS;
    expect((await w.run((t, deps) => settleMoney(t, deps, 2))).unclaimedReturned).toBe(2);
    expect((await w.run((t, deps) => settleMoney(t, deps, 2))).unclaimedReturned).toBe(1);
    expect(await w.balanceOf(userAccount(bob.user.id), 'USD')).toBe(50_000);
  });

  it('tx show finds the follow-ups through the index of links: however long the payer’s history, it reads the transaction and its follow-ups only', async () => {
    const w = new World(make);
    const ada = await w.member('ada');
    await w.run((t, deps) => deposit(t, deps, ada, { amountMinor: 50_000, currency: USD, source: 'card' }));
    const lost = await w.run((t, deps) => transfer(t, deps, ada, send('dave@example.com', 7_000)));
    for (let i = 0; i < 30; i += 1) await w.run((t, deps) => deposit(t, deps, ada, { amountMinor: 100, currency: USD, source: 'card' }));
    w.nowMs += UNCLAIMED_TTL_MS;
    expect((await w.run((t, deps) => settleMoney(t, deps))).unclaimedReturned).toBe(1);
    const returnSeq = await w.store.read(async (t) => t.journal.head().seq);
    const short = await readsOfShow(w, ada, lost.tx.id);
    for (let i = 0; i < 40; i += 1) await w.run((t, deps) => deposit(t, deps, ada, { amountMinor: 100, currency: USD, source: 'card' }));
    const long = await readsOfShow(w, ada, lost.tx.id);
    expect(short.receipt.status).toBe('returned');
    expect(short.receipt.followedBy).toEqual([txIdForSeq(returnSeq)]);
    expect(long.receipt).toEqual(short.receipt);
    expect(short.read).toEqual([lost.tx.seq, returnSeq]);
    expect(long.read).toEqual(short.read);
  });

  it('a batch pays each row through the transfer use-case once; an atomic batch with a failing row pays none', async () => {
    const w = new World(make);
    const ada = await w.member('ada');
    await w.member('bob');
    await w.run((t, deps) => deposit(t, deps, ada, { amountMinor: 10_000, currency: USD, source: 'card' }));
    const row = (line: number, to: string, amountMinor: number): BatchRow => ({
      line,
      reference: `ref-${line}`,
      recipient: { kind: 'email', email: to },
      to,
      currency: USD,
      amountMinor,
      memo: null,
    });
    const rows = [row(2, 'bob@example.com', 1_000), row(3, 'erin@example.com', 2_000)];
    const first = await w.run((t, deps) => payBatch(t, deps, ada, rows, { atomic: false }));
    // Erin has no account: her row's money waits for her as unclaimed.
    expect(first.map((r) => r.status)).toEqual(['paid', 'waiting']);
    const again = await w.run((t, deps) => payBatch(t, deps, ada, rows, { atomic: false }));
    expect(again.map((r) => [r.status, r.transaction])).toEqual(first.map((r) => ['already-paid', r.transaction]));
    const before = await w.balanceOf(userAccount(ada.user.id), 'USD');
    const tooMuch = [row(4, 'bob@example.com', 500), row(5, 'bob@example.com', 1_000_000)];
    const atomic = await w.run((t, deps) => payBatch(t, deps, ada, tooMuch, { atomic: true })).catch((e: unknown) => e);
    expect(atomic).toBeInstanceOf(AtomicBatchFailed);
    expect((atomic as AtomicBatchFailed).results.map((r) => r.status)).toEqual(['not-sent', 'failed']);
    expect(await w.balanceOf(userAccount(ada.user.id), 'USD')).toBe(before);
    const partial = await w.run((t, deps) => payBatch(t, deps, ada, tooMuch, { atomic: false }));
    expect(partial.map((r) => [r.status, r.error?.code ?? null])).toEqual([
      ['paid', null],
      ['failed', 'INSUFFICIENT_FUNDS'],
    ]);
  });

  it('a withdrawal holds amount and fee, can be cancelled while requested, and settles to completed', async () => {
    const w = new World(make);
    const ada = await w.member('ada', 'DE');
    await w.run((t, deps) => deposit(t, deps, ada, { amountMinor: 100_000, currency: USD, source: 'card' }));
    const fields = {
      type: 'bank' as const,
      label: 'Ada •••• 3000',
      holder: 'Ada',
      iban: 'DE89370400440532013000',
      accountNumber: null,
      routingNumber: null,
      country: 'DE',
      provider: null,
      walletAccount: null,
    };
    const method = await w.run((t, deps) => addWithdrawalMethod(t, deps, ada, fields));
    expect((await refusalOf(w.run((t, deps) => addWithdrawalMethod(t, deps, ada, fields)))).code).toBe('ALREADY_EXISTS');
    const cancelled = await w.run((t, deps) => withdraw(t, deps, ada, { methodId: method.id, currency: USD, amountMinor: 10_000 }, null));
    expect(await w.balanceOf(holdAccount(ada.user.id), 'USD')).toBe(10_000 + cancelled.feeMinor);
    expect((await refusalOf(w.run((t, deps) => removeWithdrawalMethod(t, deps, ada, method.id)))).code).toBe('INVALID_TRANSITION');
    expect((await w.run((t, deps) => cancelWithdrawal(t, deps, ada, cancelled.id))).status).toBe('cancelled');
    expect(await w.balanceOf(userAccount(ada.user.id), 'USD')).toBe(100_000);
    w.nowMs += 60_000;
    const paid = await w.run((t, deps) => withdraw(t, deps, ada, { methodId: method.id, currency: USD, amountMinor: 20_000 }, null));
    expect((await w.run((t, deps) => settleMoney(t, deps))).processing).toBe(1);
    expect((await refusalOf(w.run((t, deps) => cancelWithdrawal(t, deps, ada, paid.id)))).code).toBe('INVALID_TRANSITION');
    w.nowMs = Date.parse(paid.expectedBy);
    expect(await w.run((t, deps) => settleMoney(t, deps))).toMatchObject({ processing: 0, completed: 1, failed: 0 });
    expect(await w.balanceOf(holdAccount(ada.user.id), 'USD')).toBe(0);
    expect((await w.run((t) => listWithdrawals(t, ada))).map((x) => [x.id, x.status])).toEqual([
      [paid.id, 'completed'],
      [cancelled.id, 'cancelled'],
    ]);
    expect((await w.run((t, deps) => removeWithdrawalMethod(t, deps, ada, method.id))).removedAt).not.toBeNull();
  });

  it('history comes a page at a time, newest first, with a hint that more follow', async () => {
    const w = new World(make);
    const ada = await w.member('ada');
    for (let i = 1; i <= 5; i += 1) {
      w.nowMs += 1_000;
      await w.run((t, deps) => deposit(t, deps, ada, { amountMinor: i * 100, currency: USD, source: 'card' }));
    }
    const query = { types: null, sinceMs: null, untilMs: null, limit: 2 };
    const first = await w.store.read((t) => history(t, w.deps, ada, { ...query, page: 1 }));
    const last = await w.store.read((t) => history(t, w.deps, ada, { ...query, page: 3 }));
    expect(first.views.map((v) => v.amount)).toEqual(['5.00', '4.00']);
    expect(first.more).toBe(true);
    expect(last.views.map((v) => v.amount)).toEqual(['1.00']);
    expect(last.more).toBe(false);
    const stranger = await w.member('eve');
    expect((await refusalOf(w.store.read((t) => showTransaction(t, w.deps, stranger, 'txn_0000000001')))).code).toBe('TX_NOT_FOUND');
  });
});
