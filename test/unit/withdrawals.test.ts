// Withdrawals over time: settlement steps, the hold released exactly once, arrival dates across
// weekends and holidays, cancellation, the 30-day limit window with payouts that come back, and
// the identity-check transitions that lift a customer to the verified limits.

import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import calendarsJson from '../../data/calendars.json' with { type: 'json' };
import currenciesJson from '../../data/currencies.json' with { type: 'json' };
import feesJson from '../../data/fees.json' with { type: 'json' };
import limitsJson from '../../data/limits.json' with { type: 'json' };
import payoutsJson from '../../data/payouts.json' with { type: 'json' };
import ratesJson from '../../data/rates.json' with { type: 'json' };
import { createAccount } from '../../src/domain/accounts.js';
import { parseCalendars } from '../../src/domain/calendar.js';
import { computeWithdrawalQuote, parseFeeSchedule } from '../../src/domain/fees.js';
import { parseRateTable } from '../../src/domain/fx.js';
import { decideKyc, kycDecisionMail, submitKyc } from '../../src/domain/kyc.js';
import {
  addToBalance,
  addToLimitWindow,
  holdAccount,
  transactionEffects,
  txIdForSeq,
  userAccount,
  type NewTransaction,
  type Transaction,
  type TxEffect,
} from '../../src/domain/ledger.js';
import { parseLimitTable, windowUsdMinor } from '../../src/domain/limits.js';
import { findCurrency, type Currency } from '../../src/domain/money.js';
import {
  settleDueAt,
  type Balances,
  type LimitWindow,
  type UnclaimedTransfer,
  type User,
  type Withdrawal,
  type WithdrawalMethod,
} from '../../src/domain/state.js';
import { maskAccountNumber, normalizeIban, parseIbanLengths, validateAccountNumber } from '../../src/domain/validate-bank.js';
import { compareWithState, type Totals } from '../../src/domain/integrity-check.js';
import { addPostings, liveRecords } from '../support/live-records.js';
import { planDeposit, type WalletRef } from '../../src/domain/wallet.js';
import { payoutMail } from '../../src/domain/wallet-mails.js';
import {
  activeMethods,
  addMethod,
  assertCancellable,
  expectedArrivalMs,
  isTestFailure,
  parsePayoutRules,
  planCompletion,
  planRelease,
  planWithdrawal,
  removeMethod,
  requireWithdrawal,
  settleSteps,
  type SettleStep,
} from '../../src/domain/withdrawals.js';
import { appErrorOf } from '../support/app-error.js';

const currencies: readonly Currency[] = currenciesJson.currencies;
const calendars = parseCalendars(calendarsJson);
const rules = parsePayoutRules(payoutsJson);
const ref: WalletRef & { calendars: typeof calendars; payouts: typeof rules } = {
  currencies,
  schedule: parseFeeSchedule(feesJson),
  rates: parseRateTable(ratesJson),
  limits: parseLimitTable(limitsJson, currencies),
  calendars,
  payouts: rules,
};
const USD = findCurrency(currencies, 'USD');
const ms = (iso: string): number => Date.parse(iso);
const iso = (atMs: number): string => new Date(atMs).toISOString();
const DAY_MS = 24 * 60 * 60 * 1000;
/** Friday 20 November 2026, 16:00 UTC: 17:00 in Berlin, 11:00 in New York — both desks open. */
const FRIDAY = '2026-11-20T16:00:00.000Z';

/** A tiny ledger: the records a payout touches and the journal, posting the effects every store applies. */
class Books {
  readonly balances: Balances = {};
  readonly users: Record<string, User> = {};
  readonly methods: Record<string, WithdrawalMethod> = {};
  readonly withdrawals: Record<string, Withdrawal> = {};
  readonly unclaimed: Record<string, UnclaimedTransfer> = {};
  readonly limitWindows: Record<string, LimitWindow> = {};
  readonly journal: Transaction[] = [];

  post(newTx: NewTransaction): Transaction {
    const seq = this.journal.length + 1;
    const tx: Transaction = { ...newTx, id: txIdForSeq(seq), seq };
    for (const effect of transactionEffects(tx)) this.apply(effect);
    this.journal.push(tx);
    return tx;
  }

  private apply(effect: TxEffect): void {
    switch (effect.kind) {
      case 'balance': {
        const row = (this.balances[effect.account] ??= {});
        row[effect.currency] = addToBalance(effect.account, effect.currency, row[effect.currency] ?? 0, effect.amountMinor);
        return;
      }
      case 'limit':
        this.limitWindows[effect.userId] = addToLimitWindow(this.limitWindows[effect.userId] ?? {}, effect.day, effect.usdMinor);
        return;
      case 'withdrawal-put':
        this.withdrawals[effect.withdrawal.id] = effect.withdrawal;
        return;
      case 'withdrawal-ended':
        delete this.withdrawals[effect.id];
        return;
      default:
        throw new Error(`a payout does not ${effect.kind}`);
    }
  }

  methodsOf(userId: string): WithdrawalMethod[] {
    return Object.values(this.methods).filter((m) => m.userId === userId);
  }

  addMethod(method: WithdrawalMethod): WithdrawalMethod {
    const added = addMethod(this.methodsOf(method.userId), method);
    this.methods[added.id] = added;
    return added;
  }

  removeMethod(userId: string, methodId: string, nowIso: string): WithdrawalMethod {
    const inFlight = Object.values(this.withdrawals).filter((w) => w.userId === userId);
    const removed = removeMethod(this.methods[methodId] ?? null, userId, methodId, inFlight, nowIso);
    this.methods[methodId] = removed;
    return removed;
  }

  /** The balance checks of `okpay verify` (the hash chain is the store's business). */
  problems(): string[] {
    const problems: string[] = [];
    const replayed: Totals = new Map();
    for (const tx of this.journal) addPostings(replayed, tx.postings);
    compareWithState(liveRecords(this), replayed, problems);
    return problems;
  }
}

function member(books: Books, country = 'GB'): User {
  const user = createAccount(
    {
      id: `usr_${country.toLowerCase()}`,
      email: `${country.toLowerCase()}@example.com`,
      phone: null,
      country,
      name: null,
      language: 'en',
      passwordHash: 'x',
      role: 'user',
      activation: null,
    },
    FRIDAY,
    { byEmail: null, byPhone: null },
  );
  books.users[user.id] = user;
  books.post(planDeposit(user, 200_000, USD, 'bank', FRIDAY));
  return user;
}

function method(user: Pick<User, 'id' | 'country'>, fields: Partial<WithdrawalMethod> = {}): WithdrawalMethod {
  return {
    id: `wm_${Object.keys(fields).join('_') || 'plain'}_${user.id}`,
    userId: user.id,
    type: 'bank',
    label: 'Ada Lovelace •••• 5555',
    holder: 'Ada Lovelace',
    iban: 'GB33BUKB20201555555555',
    accountNumber: null,
    routingNumber: null,
    country: user.country,
    provider: null,
    walletAccount: null,
    createdAt: FRIDAY,
    removedAt: null,
    ...fields,
  };
}

function request(books: Books, user: User, payTo: WithdrawalMethod, amountMinor: number, atIso: string, id = 'wd_1'): Withdrawal {
  const quote = computeWithdrawalQuote({ amountMinor, currency: USD, methodType: payTo.type }, ref);
  const availableMinor = books.balances[userAccount(user.id)]?.['USD'] ?? 0;
  const window = windowUsdMinor(books.limitWindows[user.id] ?? {}, ms(atIso));
  const tx = books.post(
    planWithdrawal(ref, {
      id,
      user: books.users[user.id] ?? user,
      method: payTo,
      quote,
      currency: USD,
      quoteId: null,
      nowMs: ms(atIso),
      availableMinor,
      windowUsdMinor: window,
    }),
  );
  const withdrawal = books.withdrawals[id];
  if (!withdrawal) throw new Error('no withdrawal in the books');
  expect(withdrawal.holdTxId).toBe(tx.id);
  return withdrawal;
}

/** What `admin settle` does to the withdrawals at one moment; returns the step kinds per id. */
function settle(books: Books, atIso: string): Record<string, SettleStep['kind'][]> {
  const done: Record<string, SettleStep['kind'][]> = {};
  for (const w of Object.values(books.withdrawals)) {
    for (const step of settleSteps(w, books.methods[w.methodId] ?? null, calendars, rules, ms(atIso))) {
      (done[w.id] ??= []).push(step.kind);
      if (step.kind === 'processing') books.withdrawals[w.id] = step.withdrawal;
      else if (step.kind === 'complete') books.post(planCompletion(step.withdrawal, atIso));
      else books.post(planRelease(step.withdrawal, 'failed', 'refused by the bank', null, atIso));
    }
  }
  return done;
}

describe('settlement over time', () => {
  it('a request made while the desk is open starts processing at once and completes at its expected arrival', () => {
    const books = new Books();
    const ada = member(books);
    const bank = books.addMethod(method(ada));
    const w = request(books, ada, bank, 10_000, FRIDAY);
    // Three business days after Friday in Berlin: Monday, Tuesday, Wednesday at 18:00 local.
    expect(w.expectedBy).toBe('2026-11-25T17:00:00.000Z');
    expect(books.balances[holdAccount(ada.id)]?.['USD']).toBe(10_050);
    expect(settle(books, FRIDAY)).toEqual({ wd_1: ['processing'] });
    expect(books.withdrawals['wd_1']).toMatchObject({ status: 'processing', processingAt: FRIDAY });
    expect(settle(books, '2026-11-25T16:59:59.999Z')).toEqual({});
    expect(settle(books, '2026-11-25T17:00:00.000Z')).toEqual({ wd_1: ['complete'] });
    expect(books.withdrawals).toEqual({});
    expect(books.balances[holdAccount(ada.id)]?.['USD']).toBe(0);
    expect(books.balances['world']?.['USD']).toBe(-200_000 + 10_000);
    expect(books.balances['fees']?.['USD']).toBe(50);
    expect(books.problems()).toEqual([]);
  });

  it('a request made after hours waits for the next opening, which may be after a weekend', () => {
    const books = new Books();
    const ada = member(books);
    const bank = books.addMethod(method(ada));
    request(books, ada, bank, 10_000, '2026-11-20T18:30:00.000Z');
    expect(books.withdrawals['wd_1']?.expectedBy).toBe('2026-11-26T17:00:00.000Z');
    // Recorded with the request, and what settlement indexes it by: no run before reads it.
    expect(books.withdrawals['wd_1']?.processingFrom).toBe('2026-11-23T08:00:00.000Z');
    expect(settleDueAt(books.withdrawals['wd_1'] as Withdrawal)).toBe('2026-11-23T08:00:00.000Z');
    expect(settle(books, '2026-11-21T12:00:00.000Z')).toEqual({});
    expect(settle(books, '2026-11-23T07:59:59.000Z')).toEqual({});
    expect(settle(books, '2026-11-23T08:00:00.000Z')).toEqual({ wd_1: ['processing'] });
    expect(books.withdrawals['wd_1']?.processingAt).toBe('2026-11-23T08:00:00.000Z');
    expect(settleDueAt(books.withdrawals['wd_1'] as Withdrawal)).toBe('2026-11-26T17:00:00.000Z');
  });

  it('a request recorded before processingFrom existed is due from its request and starts at the same next opening', () => {
    const books = new Books();
    const ada = member(books);
    const bank = books.addMethod(method(ada));
    request(books, ada, bank, 10_000, '2026-11-20T18:30:00.000Z');
    const { processingFrom: _recorded, ...older } = books.withdrawals['wd_1'] as Withdrawal;
    books.withdrawals['wd_1'] = older;
    expect(settleDueAt(older)).toBe('2026-11-20T18:30:00.000Z');
    expect(settle(books, '2026-11-23T07:59:59.000Z')).toEqual({});
    expect(settle(books, '2026-11-23T08:00:00.000Z')).toEqual({ wd_1: ['processing'] });
    expect(books.withdrawals['wd_1']?.processingAt).toBe('2026-11-23T08:00:00.000Z');
  });

  it('a settle run that comes late takes every step due at once', () => {
    const books = new Books();
    const ada = member(books);
    const wallet = books.addMethod(method(ada, { type: 'ewallet', iban: null, provider: 'PayPal', walletAccount: 'ada@example.com' }));
    const w = request(books, ada, wallet, 2_000, FRIDAY);
    // E-wallets take one business day: Monday at 18:00 in Berlin.
    expect(w.expectedBy).toBe('2026-11-23T17:00:00.000Z');
    expect(settle(books, '2026-12-01T00:00:00.000Z')).toEqual({ wd_1: ['processing', 'complete'] });
    expect(books.problems()).toEqual([]);
  });

  it('payouts to the documented test accounts fail at settlement and give the money back, fee included', () => {
    const books = new Books();
    const ada = member(books);
    const us = member(books, 'US');
    const failing = [
      books.addMethod(method(ada, { iban: rules.testFailures.ibans[0] ?? '' })),
      books.addMethod(method(us, { iban: null, accountNumber: rules.testFailures.usAccountNumbers[0] ?? '', routingNumber: '011000015', country: 'US' })),
      books.addMethod(method(ada, { type: 'ewallet', iban: null, provider: 'PayPal', walletAccount: rules.testFailures.ewalletAccounts[0] ?? '' })),
    ];
    for (const m of failing) expect(isTestFailure(m, rules)).toBe(true);
    expect(isTestFailure(method(ada), rules)).toBe(false);
    failing.forEach((m, index) => request(books, m.userId === ada.id ? ada : us, m, 5_000, FRIDAY, `wd_${index + 1}`));
    expect(settle(books, '2026-12-15T12:00:00.000Z')).toEqual({ wd_1: ['processing', 'fail'], wd_2: ['processing', 'fail'], wd_3: ['processing', 'fail'] });
    expect(books.balances[userAccount(ada.id)]?.['USD']).toBe(200_000);
    expect(books.balances[userAccount(us.id)]?.['USD']).toBe(200_000);
    expect(books.balances[holdAccount(ada.id)]?.['USD']).toBe(0);
    const released = books.journal.filter((tx) => tx.type === 'withdrawal.release');
    expect(released.map((tx) => tx.details.record?.status)).toEqual(['failed', 'failed', 'failed']);
    expect(books.problems()).toEqual([]);
  });

  it('the documented test accounts are ones the validators accept, so testers can add them', () => {
    const lengths = parseIbanLengths(JSON.parse(readFileSync(new URL('../../data/iban.json', import.meta.url), 'utf8')));
    for (const iban of rules.testFailures.ibans) expect(normalizeIban(iban, lengths).iban).toBe(iban);
    for (const account of rules.testFailures.usAccountNumbers) expect(validateAccountNumber(account)).toBe(account);
  });
});

describe('a hold is released exactly once', () => {
  it('an ended withdrawal leaves the state: no second completion, release or cancellation can find it', () => {
    const books = new Books();
    const ada = member(books);
    const bank = books.addMethod(method(ada));
    request(books, ada, bank, 10_000, FRIDAY);
    settle(books, '2026-11-25T17:00:00.000Z');
    expect(appErrorOf(() => requireWithdrawal(books.withdrawals['wd_1'] ?? null, ada.id, 'wd_1')).code).toBe('WITHDRAWAL_NOT_FOUND');
    expect(settle(books, '2026-11-25T17:00:00.000Z')).toEqual({});
    expect(settle(books, '2027-01-25T17:00:00.000Z')).toEqual({});
    expect(books.journal.filter((tx) => tx.type === 'withdrawal.complete')).toHaveLength(1);
    expect(books.problems()).toEqual([]);
  });

  it('posting a second end for the same withdrawal would leave the hold negative, which verify reports', () => {
    const books = new Books();
    const ada = member(books);
    const bank = books.addMethod(method(ada));
    const w = request(books, ada, bank, 10_000, FRIDAY);
    books.post(planRelease(w, 'cancelled', 'cancelled by the customer', ada.id, FRIDAY));
    books.post(planRelease(w, 'cancelled', 'cancelled by the customer', ada.id, FRIDAY));
    expect(books.problems().join('\n')).toMatch(/hold:usr_gb has a negative USD balance/);
  });

  it('a withdrawal belongs to its user: another user cannot find it', () => {
    const books = new Books();
    const ada = member(books);
    const us = member(books, 'US');
    request(books, ada, books.addMethod(method(ada)), 10_000, FRIDAY);
    expect(appErrorOf(() => requireWithdrawal(books.withdrawals['wd_1'] ?? null, us.id, 'wd_1')).code).toBe('WITHDRAWAL_NOT_FOUND');
    expect(requireWithdrawal(books.withdrawals['wd_1'] ?? null, ada.id, 'wd_1').id).toBe('wd_1');
  });
});

describe('cancelling', () => {
  it('is allowed while requested and releases amount and fee', () => {
    const books = new Books();
    const ada = member(books);
    const w = request(books, ada, books.addMethod(method(ada)), 10_000, '2026-11-20T18:30:00.000Z');
    expect(() => assertCancellable(w)).not.toThrow();
    const tx = books.post(planRelease(w, 'cancelled', 'cancelled by the customer', ada.id, '2026-11-21T10:00:00.000Z'));
    expect(tx.details.record).toMatchObject({ status: 'cancelled', finishedAt: '2026-11-21T10:00:00.000Z' });
    expect(books.balances[userAccount(ada.id)]?.['USD']).toBe(200_000);
    expect(books.withdrawals).toEqual({});
    expect(books.problems()).toEqual([]);
  });

  it('is refused with INVALID_TRANSITION once processing has started', () => {
    const books = new Books();
    const ada = member(books);
    request(books, ada, books.addMethod(method(ada)), 10_000, FRIDAY);
    settle(books, FRIDAY);
    const error = appErrorOf(() => assertCancellable(books.withdrawals['wd_1'] as Withdrawal));
    expect(error.code).toBe('INVALID_TRANSITION');
    expect(error.message).toContain('processing');
  });
});

describe('expected arrival in business days', () => {
  const us = { ...method({ id: 'usr_us', country: 'US' }), iban: null, accountNumber: '000123456789', routingNumber: '011000015', country: 'US' };
  const de = { ...method({ id: 'usr_de', country: 'DE' }), iban: 'DE89370400440532013000', country: 'DE' };
  const arrival = (m: WithdrawalMethod, atIso: string) => iso(expectedArrivalMs(calendars, rules, m, ms(atIso)));

  it('skips the weekend and Thanksgiving for a US bank account', () => {
    // Tuesday 24 November 2026, 11:00 in New York: Wednesday, (Thursday is Thanksgiving) Friday, (weekend) Monday.
    expect(arrival(us, '2026-11-24T16:00:00.000Z')).toBe('2026-11-30T23:00:00.000Z');
    // Requested on Thanksgiving itself: processing starts on Friday.
    expect(arrival(us, '2026-11-26T15:00:00.000Z')).toBe('2026-12-02T23:00:00.000Z');
  });

  it('skips Christmas, Boxing Day and the weekend for a German bank account', () => {
    // Wednesday 23 December 2026, 11:00 in Berlin: Thursday 24, (25 and 26 holidays, 27 Sunday) Monday 28, Tuesday 29.
    expect(arrival(de, '2026-12-23T10:00:00.000Z')).toBe('2026-12-29T17:00:00.000Z');
  });

  it('gives an e-wallet one business day, on the calendar of the payouts region when the country is unknown', () => {
    const wallet = { ...de, type: 'ewallet' as const, iban: null, provider: 'PayPal', walletAccount: 'x@example.com', country: null };
    // Thursday 24 December, 12:00 in Berlin: the next business day is Monday 28.
    expect(arrival(wallet, '2026-12-24T11:00:00.000Z')).toBe('2026-12-28T17:00:00.000Z');
  });
});

describe('the 30-day limit window with payouts that come back', () => {
  it('a cancelled or failed payout stops counting, a completed one keeps counting', () => {
    const books = new Books();
    const ada = member(books);
    const bank = books.addMethod(method(ada));
    const nowMs = ms(FRIDAY);
    const first = request(books, ada, bank, 30_000, FRIDAY, 'wd_1');
    const second = request(books, ada, bank, 20_000, FRIDAY, 'wd_2');
    expect(windowUsdMinor(books.limitWindows[ada.id] ?? {}, nowMs)).toBe(50_000);
    books.post(planRelease(first, 'cancelled', 'cancelled by the customer', ada.id, FRIDAY));
    expect(windowUsdMinor(books.limitWindows[ada.id] ?? {}, nowMs)).toBe(20_000);
    books.post(planCompletion({ ...second, status: 'processing' }, FRIDAY));
    expect(windowUsdMinor(books.limitWindows[ada.id] ?? {}, nowMs)).toBe(20_000);
  });

  it('an unverified user is stopped at the 30-day limit with KYC_REQUIRED until a release frees room', () => {
    const books = new Books();
    const ada = member(books);
    books.post(planDeposit(ada, 500_000, USD, 'bank', FRIDAY));
    const bank = books.addMethod(method(ada));
    // Unverified: 1,000 USD per payment, 2,500 USD in 30 days.
    request(books, ada, bank, 100_000, FRIDAY, 'wd_1');
    request(books, ada, bank, 100_000, FRIDAY, 'wd_2');
    const third = request(books, ada, bank, 50_000, FRIDAY, 'wd_3');
    const refused = appErrorOf(() => request(books, ada, bank, 1, FRIDAY, 'wd_4'));
    expect(refused.code).toBe('KYC_REQUIRED');
    expect(refused.message).toContain('you can send up to 0.00 USD now');
    books.post(planRelease(third, 'cancelled', 'cancelled by the customer', ada.id, FRIDAY));
    expect(request(books, ada, bank, 50_000, FRIDAY, 'wd_5').status).toBe('requested');
  });

  it('what was sent drops out of the window on the 30th UTC day after it', () => {
    const books = new Books();
    const ada = member(books);
    request(books, ada, books.addMethod(method(ada)), 30_000, FRIDAY);
    expect(windowUsdMinor(books.limitWindows[ada.id] ?? {}, ms('2026-12-19T23:59:59.999Z'))).toBe(30_000);
    expect(windowUsdMinor(books.limitWindows[ada.id] ?? {}, ms('2026-12-20T00:00:00.000Z'))).toBe(0);
  });

  it('a verified user gets the higher limits, and LIMIT_EXCEEDED above them', () => {
    const books = new Books();
    const ada = member(books);
    books.post(planDeposit(ada, 10_000_000, USD, 'bank', FRIDAY));
    const bank = books.addMethod(method(ada));
    expect(appErrorOf(() => request(books, ada, bank, 100_001, FRIDAY, 'wd_1')).code).toBe('KYC_REQUIRED');
    books.users[ada.id] = decideKyc(submitKyc(ada, { type: 'passport', masked: '•••• 4567' }, FRIDAY), 'approve', null, 'usr_admin', FRIDAY);
    expect(request(books, ada, bank, 100_001, FRIDAY, 'wd_2').status).toBe('requested');
    const over = appErrorOf(() => request(books, ada, bank, 5_000_001, FRIDAY, 'wd_3'));
    expect(over.code).toBe('LIMIT_EXCEEDED');
    expect(over.message).toContain('per-transaction limit of 50000.00 USD');
  });
});

describe('withdrawal methods', () => {
  it('the same destination cannot be added twice, and a method with a payout in flight cannot be removed', () => {
    const books = new Books();
    const ada = member(books);
    const bank = books.addMethod(method(ada));
    expect(appErrorOf(() => books.addMethod({ ...method(ada), id: 'wm_other' })).code).toBe('ALREADY_EXISTS');
    request(books, ada, bank, 1_000, FRIDAY);
    expect(appErrorOf(() => books.removeMethod(ada.id, bank.id, FRIDAY)).code).toBe('INVALID_TRANSITION');
    settle(books, '2026-12-01T00:00:00.000Z');
    expect(books.removeMethod(ada.id, bank.id, FRIDAY).removedAt).toBe(FRIDAY);
    expect(activeMethods(books.methodsOf(ada.id))).toEqual([]);
    expect(books.addMethod({ ...method(ada), id: 'wm_again' }).id).toBe('wm_again');
  });

  it('shows only the last four characters of a number', () => {
    expect(maskAccountNumber('GB33BUKB20201555555555')).toBe('•••• 5555');
  });
});

describe('identity checks', () => {
  function newcomer(): { books: Books; user: User } {
    const books = new Books();
    return { books, user: member(books) };
  }

  it('none → pending → approved, and an approved user cannot submit again', () => {
    const { user } = newcomer();
    const pending = submitKyc(user, { type: 'passport', masked: '•••• 4567' }, FRIDAY);
    expect(pending.kyc).toMatchObject({ status: 'pending', documentType: 'passport', documentMasked: '•••• 4567', submittedAt: FRIDAY });
    expect(appErrorOf(() => submitKyc(pending, { type: 'passport', masked: '•••• 4567' }, FRIDAY)).code).toBe('INVALID_TRANSITION');
    const approved = decideKyc(pending, 'approve', null, 'usr_admin', FRIDAY);
    expect(approved.kyc).toMatchObject({ status: 'approved', decidedBy: 'usr_admin', decidedAt: FRIDAY, reason: null });
    expect(appErrorOf(() => submitKyc(approved, { type: 'id-card', masked: '•••• 1111' }, FRIDAY)).code).toBe('ALREADY_EXISTS');
    expect(appErrorOf(() => decideKyc(approved, 'reject', 'late doubt', 'usr_admin', FRIDAY)).code).toBe('INVALID_TRANSITION');
    expect(kycDecisionMail(approved)).toMatchObject({ kind: 'kyc-approved', to: user.email });
  });

  it('pending → rejected needs a reason, which the mail carries; a rejected user may submit again', () => {
    const { user } = newcomer();
    const pending = submitKyc(user, { type: 'passport', masked: '•••• 4567' }, FRIDAY);
    expect(appErrorOf(() => decideKyc(pending, 'reject', null, 'usr_admin', FRIDAY)).code).toBe('USAGE');
    const rejected = decideKyc(pending, 'reject', 'the document has expired', 'usr_admin', FRIDAY);
    expect(rejected.kyc).toMatchObject({ status: 'rejected', reason: 'the document has expired' });
    const mail = kycDecisionMail(rejected);
    expect(mail.kind).toBe('kyc-rejected');
    expect(mail.text).toContain('the document has expired');
    expect(submitKyc(rejected, { type: 'id-card', masked: '•••• 9876' }, FRIDAY).kyc).toMatchObject({
      status: 'pending',
      documentType: 'id-card',
      reason: null,
      decidedAt: null,
    });
  });

  it('nothing to decide for a user who never submitted', () => {
    const { user } = newcomer();
    expect(appErrorOf(() => decideKyc(user, 'approve', null, 'usr_admin', FRIDAY)).code).toBe('INVALID_TRANSITION');
  });
});

describe('payout mails', () => {
  it('say what happened, where the money went, and for a failure that the money is back', () => {
    const books = new Books();
    const ada = member(books);
    const done = payoutMail(ada, 'completed', '100.00', 'USD', 'Ada Lovelace •••• 5555', null);
    expect(done).toMatchObject({ kind: 'payout-completed', to: ada.email });
    expect(done.subject).toContain('100.00 USD');
    expect(done.text).toContain('Ada Lovelace •••• 5555');
    const failed = payoutMail(ada, 'failed', '100.00', 'USD', 'Ada Lovelace •••• 9999', 'refused by the bank');
    expect(failed.kind).toBe('payout-failed');
    expect(failed.text).toContain('refused by the bank');
    expect(failed.text).toMatch(/back in your available balance/);
  });
});

describe('the window and settlement together', () => {
  it('days later, a failed payout has given back both the money and the allowance', () => {
    const books = new Books();
    const ada = member(books);
    const failing = books.addMethod(method(ada, { iban: rules.testFailures.ibans[1] ?? '' }));
    request(books, ada, failing, 90_000, FRIDAY);
    expect(windowUsdMinor(books.limitWindows[ada.id] ?? {}, ms(FRIDAY))).toBe(90_000);
    settle(books, iso(ms(FRIDAY) + 10 * DAY_MS));
    expect(windowUsdMinor(books.limitWindows[ada.id] ?? {}, ms(FRIDAY) + 10 * DAY_MS)).toBe(0);
    expect(books.balances[userAccount(ada.id)]?.['USD']).toBe(200_000);
    expect(books.problems()).toEqual([]);
  });
});
