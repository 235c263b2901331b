// Payout methods and withdrawals: add, list and remove a method; price, request, list and cancel a
// withdrawal. The money is held at request time; settlement (settle.ts) pays it out or gives it back.

import { parseCalendars, type CalendarData } from '../domain/calendar.js';
import { AppError } from '../domain/errors.js';
import { computeWithdrawalQuote, type WithdrawalQuote } from '../domain/fees.js';
import { findCurrency, type Currency, type MinorUnits } from '../domain/money.js';
import { compareCodeUnits } from '../domain/code-unit-order.js';
import type { Transaction } from '../domain/ledger.js';
import type { StoredQuote, User, Withdrawal, WithdrawalMethod } from '../domain/state.js';
import { QUOTE_TTL_MS, type WalletRef } from '../domain/wallet.js';
import {
  activeMethods,
  addMethod,
  assertCancellable,
  parsePayoutRules,
  planRelease,
  planWithdrawal,
  removeMethod,
  requireMethod,
  requireWithdrawal,
  type PayoutRules,
} from '../domain/withdrawals.js';
import type { Records } from '../store/records.js';
import type { RecordsTransaction } from '../store/store.js';
import type { Actor } from './authenticate.js';
import { newId } from './ids.js';
import type { AppDeps } from './ports.js';
import { audit } from './audit.js';
import { fundsOf, usableQuoteOf, walletRef } from './wallet.js';

export function payoutRef(deps: Pick<AppDeps, 'ref'>): WalletRef & { calendars: CalendarData; payouts: PayoutRules } {
  return { ...walletRef(deps), calendars: deps.ref.load('calendars.json', parseCalendars), payouts: deps.ref.load('payouts.json', parsePayoutRules) };
}

// ---- methods ------------------------------------------------------------------------------------

/** What a new method is made of, besides its id, owner and dates (see `bankFields`/`ewalletFields` in the CLI). */
export type MethodFields = Omit<WithdrawalMethod, 'id' | 'userId' | 'createdAt' | 'removedAt'>;

export async function addWithdrawalMethod(t: RecordsTransaction, deps: AppDeps, actor: Actor, fields: MethodFields): Promise<WithdrawalMethod> {
  const { user } = actor;
  const nowIso = deps.now().toISOString();
  const method = addMethod(await t.methods.ofUser(user.id), { ...fields, id: newId(deps.random, 'wm'), userId: user.id, createdAt: nowIso, removedAt: null });
  t.methods.put(method);
  audit(t, nowIso, 'withdrawal-method.added', user.id, user.id, { method: method.id, type: method.type });
  return method;
}

export async function listWithdrawalMethods(t: Records, actor: Actor): Promise<WithdrawalMethod[]> {
  return activeMethods(await t.methods.ofUser(actor.user.id));
}

export async function removeWithdrawalMethod(t: RecordsTransaction, deps: AppDeps, actor: Actor, methodId: string): Promise<WithdrawalMethod> {
  const { user } = actor;
  const nowIso = deps.now().toISOString();
  const removed = removeMethod(await t.methods.get(methodId), user.id, methodId, await t.withdrawals.ofUser(user.id), nowIso);
  t.methods.put(removed);
  audit(t, nowIso, 'withdrawal-method.removed', user.id, user.id, { method: removed.id });
  return removed;
}

// ---- quotes ---------------------------------------------------------------------------------------

export interface WithdrawInput {
  readonly methodId: string;
  readonly currency: Currency;
  readonly amountMinor: MinorUnits;
}

async function price(t: Records, deps: AppDeps, user: User, input: WithdrawInput): Promise<{ method: WithdrawalMethod; quote: WithdrawalQuote }> {
  const method = requireMethod(await t.methods.get(input.methodId), user.id, input.methodId);
  const quote = computeWithdrawalQuote({ amountMinor: input.amountMinor, currency: input.currency, methodType: method.type }, { schedule: deps.ref.fees });
  return { method, quote };
}

function withdrawalQuoteRecord(id: string, user: User, method: WithdrawalMethod, quote: WithdrawalQuote, nowMs: number): StoredQuote {
  return {
    id,
    userId: user.id,
    kind: 'withdrawal',
    request: { method: method.id, amount: String(quote.amountMinor), currency: quote.currency, to: method.label },
    amountMinor: quote.amountMinor,
    currency: quote.currency,
    feeMinor: quote.feeMinor,
    feeLines: quote.feeLines,
    scope: method.type,
    midRate: '1',
    rate: '1',
    receiveAmountMinor: quote.receiveAmountMinor,
    receiveCurrency: quote.currency,
    createdAt: new Date(nowMs).toISOString(),
    expiresAt: new Date(nowMs + QUOTE_TTL_MS).toISOString(),
    usedBy: null,
  };
}

/** A binding price for a withdrawal, kept 30 minutes under a new quote id. */
export async function quoteWithdrawal(t: RecordsTransaction, deps: AppDeps, actor: Actor, input: WithdrawInput): Promise<StoredQuote> {
  const priced = await price(t, deps, actor.user, input);
  const stored = withdrawalQuoteRecord(newId(deps.random, 'qt'), actor.user, priced.method, priced.quote, deps.now().getTime());
  t.quotes.put(stored);
  return stored;
}

// ---- the withdrawal -------------------------------------------------------------------------------

/** A quoted withdrawal pays the quote's fee; its method, amount and currency must match any given. */
function quotedInput(deps: AppDeps, stored: StoredQuote, given: WithdrawInput | null): WithdrawInput {
  const quoted = { methodId: stored.request['method'] ?? '', currency: findCurrency(deps.ref.currencies, stored.currency), amountMinor: stored.amountMinor };
  if (given && (given.methodId !== quoted.methodId || given.amountMinor !== quoted.amountMinor || given.currency.code !== quoted.currency.code)) {
    throw new AppError('QUOTE_MISMATCH', `quote ${stored.id} was made for a different withdrawal`, {
      hint: 'leave out --method/--amount/--currency to use the quote as it is',
    });
  }
  return quoted;
}

/** Holds amount + fee and records the withdrawal; `quoteId` pays exactly what that quote says. */
export async function withdraw(t: RecordsTransaction, deps: AppDeps, actor: Actor, input: WithdrawInput | null, quoteId: string | null): Promise<Withdrawal> {
  const { user } = actor;
  const stored = quoteId ? await usableQuoteOf(t, deps, actor, quoteId, 'withdrawal') : null;
  const request = stored ? quotedInput(deps, stored, input) : input;
  if (!request) throw new AppError('USAGE', '--method, --amount and --currency are required');
  const { withdrawal, tx } = await holdForPayout(t, deps, user, request, stored);
  audit(t, tx.at, 'withdrawal.requested', user.id, user.id, {
    withdrawal: withdrawal.id,
    tx: tx.id,
    amountMinor: withdrawal.amountMinor,
    currency: withdrawal.currency,
  });
  return withdrawal;
}

/**
 * The withdrawal flow: method, price (a stored quote's fee if it is paid by one), funds and
 * limits, the hold and the record. Fixture and generated history request payouts through it as
 * the command does; the command adds the quote check and the audit line.
 */
export async function holdForPayout(
  t: RecordsTransaction,
  deps: AppDeps,
  user: User,
  request: WithdrawInput,
  stored: StoredQuote | null,
): Promise<{ withdrawal: Withdrawal; tx: Transaction }> {
  const nowMs = deps.now().getTime();
  const priced = await price(t, deps, user, request);
  const quote: WithdrawalQuote = stored
    ? { ...priced.quote, feeMinor: stored.feeMinor, feeLines: stored.feeLines, totalDebitMinor: stored.amountMinor + stored.feeMinor }
    : priced.quote;
  const funds = await fundsOf(t, user, request.currency, nowMs);
  const tx = await t.post(
    planWithdrawal(payoutRef(deps), {
      id: newId(deps.random, 'wd'),
      user,
      method: priced.method,
      quote,
      currency: request.currency,
      quoteId: stored?.id ?? null,
      nowMs,
      ...funds,
    }),
  );
  const withdrawal = await t.withdrawals.byHoldTx(tx.id);
  if (!withdrawal) throw new Error(`withdrawal of ${tx.id} missing after posting`);
  return { withdrawal, tx };
}

export async function cancelWithdrawal(t: RecordsTransaction, deps: AppDeps, actor: Actor, id: string): Promise<Withdrawal> {
  const { user } = actor;
  const { withdrawal, tx } = await releaseToCustomer(t, deps, user, id);
  audit(t, tx.at, 'withdrawal.cancelled', user.id, user.id, { withdrawal: withdrawal.id, tx: tx.id });
  return withdrawal;
}

/** The cancel flow, without the command's audit line: a payout not yet sent gives its hold back. */
export async function releaseToCustomer(t: RecordsTransaction, deps: AppDeps, user: User, id: string): Promise<{ withdrawal: Withdrawal; tx: Transaction }> {
  // A finished withdrawal exists, so cancelling it is a conflict (exit 6), not "not found".
  const live = requireWithdrawal((await t.withdrawals.get(id)) ?? (await finishedWithdrawals(t, user)).get(id) ?? null, user.id, id);
  assertCancellable(live);
  const reason = 'cancelled by the customer';
  const tx = await t.post(planRelease(live, 'cancelled', reason, user.id, deps.now().toISOString()));
  return { withdrawal: { ...live, status: 'cancelled', finishedAt: tx.at, failureReason: reason }, tx };
}

/** Withdrawals in flight from their records, finished ones from the journal entries that ended them; newest first. */
export async function listWithdrawals(t: RecordsTransaction, actor: Actor): Promise<Withdrawal[]> {
  const { user } = actor;
  const byId = await finishedWithdrawals(t, user);
  for (const w of await t.withdrawals.ofUser(user.id)) byId.set(w.id, w);
  return [...byId.values()].sort((a, b) => compareCodeUnits(b.requestedAt, a.requestedAt) || compareCodeUnits(b.id, a.id));
}

/** A user's finished withdrawals by id, from the journal entries that ended them. */
async function finishedWithdrawals(t: RecordsTransaction, user: User): Promise<Map<string, Withdrawal>> {
  const byId = new Map<string, Withdrawal>();
  for (const entry of await t.journal.getMany(await t.journal.seqsOfUser(user.id))) {
    const record = entry.tx.details.record;
    // An index may keep the numbers of a commit that was rolled back and reused by someone else's.
    if (record?.userId !== user.id || !entry.tx.parties.includes(user.id)) continue;
    if (entry.tx.type === 'withdrawal.complete' || entry.tx.type === 'withdrawal.release')
      byId.set(record.id, { ...record, holdTxId: record.holdTxId ?? entry.tx.links[0] ?? '' });
    if (entry.tx.type === 'withdrawal.return')
      byId.set(record.id, { ...record, holdTxId: entry.tx.links[0] ?? '', status: 'returned', failureReason: entry.tx.details.reason ?? null });
  }
  return byId;
}
