// The wallet's use-cases: balance, deposit, a binding transfer quote, the transfer, and the claim
// of money that waited for someone who has now activated an account. Each money flow is here once,
// as a core (`receiveDeposit`, `sendMoney`, `claimWaiting`) that the commands, batches, the
// fixture loader, the generator and the tests share; the command-level use-cases add the
// idempotency replay, the mails and the audit on top.

import { audit } from './audit.js';
import { AppError } from '../domain/errors.js';
import type { TransferQuote } from '../domain/fees.js';
import { holdAccount, seqOfTxId, userAccount, userBalances, type NewTransaction, type Transaction } from '../domain/ledger.js';
import { findCurrency, formatAmount, type Currency, type MinorUnits } from '../domain/money.js';
import type { StoredQuote, TxId, UnclaimedTransfer, User, UserId } from '../domain/state.js';
import type { TxView } from '../domain/tx-view.js';
import { phoneCountry } from '../domain/phone.js';
import { classifyRecipient, type Recipient } from '../domain/validate.js';
import {
  describeRequest,
  planClaim,
  planDeposit,
  planTransfer,
  priceTransfer,
  quoteFromStored,
  resolveRecipient,
  transferQuoteRecord,
  usableQuote,
  type DepositSource,
  type ResolvedRecipient,
  type TransferRequest,
  type WalletRef,
} from '../domain/wallet.js';
import { currentWindow, windowUsdMinor } from '../domain/limits.js';
import { fingerprint, priorForKey, priorForQuote } from '../domain/idempotency.js';
import { moneyWaitingMail, paymentReceivedMail } from '../domain/wallet-mails.js';
import type { Records } from '../store/records.js';
import type { RecordsTransaction } from '../store/store.js';
import type { Actor } from './authenticate.js';
import { newId } from './ids.js';
import type { AppDeps } from './ports.js';
import { viewOf } from './tx-views.js';

export function walletRef(deps: Pick<AppDeps, 'ref'>): WalletRef {
  return { currencies: deps.ref.currencies, schedule: deps.ref.fees, rates: deps.ref.rates, limits: deps.ref.limits };
}

export function formatMinor(deps: Pick<AppDeps, 'ref'>, amountMinor: MinorUnits, code: string): string {
  return formatAmount(amountMinor, findCurrency(deps.ref.currencies, code));
}

// ---- balance and deposit ----------------------------------------------------------------------

export interface BalanceRow {
  readonly currency: string;
  readonly availableMinor: MinorUnits;
  readonly heldMinor: MinorUnits;
}

export async function balance(t: Records, actor: Actor): Promise<BalanceRow[]> {
  const id = actor.user.id;
  return userBalances(await t.balances.ofAccount(userAccount(id)), await t.balances.ofAccount(holdAccount(id)));
}

export interface DepositInput {
  readonly amountMinor: MinorUnits;
  readonly currency: Currency;
  readonly source: DepositSource;
}

/** Money coming in from outside: the deposit flow, without the audit line the command adds. */
export function receiveDeposit(t: RecordsTransaction, deps: AppDeps, user: User, input: DepositInput): Promise<Transaction> {
  return t.post(planDeposit(user, input.amountMinor, input.currency, input.source, deps.now().toISOString()));
}

export async function deposit(t: RecordsTransaction, deps: AppDeps, actor: Actor, input: DepositInput): Promise<{ tx: Transaction; view: TxView }> {
  const { user } = actor;
  const tx = await receiveDeposit(t, deps, user, input);
  audit(t, tx.at, 'deposit', user.id, user.id, { tx: tx.id, amountMinor: input.amountMinor, currency: input.currency.code });
  return { tx, view: await viewOf(t, tx, user.id, [], deps.ref.currencies) };
}

// ---- payees and prices --------------------------------------------------------------------------

async function payee(t: Records, sender: User, recipient: Recipient): Promise<ResolvedRecipient> {
  const found = recipient.kind === 'email' ? await t.users.byEmail(recipient.email) : await t.users.byPhone(recipient.phone);
  return resolveRecipient(sender, recipient, found, phoneCountry);
}

export interface Priced {
  readonly to: ResolvedRecipient;
  readonly quote: TransferQuote;
  readonly request: TransferRequest;
  readonly currency: Currency;
  readonly stored: StoredQuote | null;
}

async function price(t: Records, deps: AppDeps, sender: User, request: TransferRequest, stored: StoredQuote | null): Promise<Priced> {
  const currency = findCurrency(deps.ref.currencies, request.currency);
  const toCurrency = findCurrency(deps.ref.currencies, request.toCurrency);
  const to = await payee(t, sender, classifyRecipient(request.to));
  const quote = stored ? quoteFromStored(stored) : priceTransfer(walletRef(deps), sender, to, request.amountMinor, currency, toCurrency);
  return { to, quote, request, currency, stored };
}

/** A binding price for a transfer, kept 30 minutes under a new quote id. */
export async function quoteTransfer(t: RecordsTransaction, deps: AppDeps, actor: Actor, request: TransferRequest): Promise<StoredQuote> {
  const nowMs = deps.now().getTime();
  const priced = await price(t, deps, actor.user, request, null);
  const stored = transferQuoteRecord(newId(deps.random, 'qt'), actor.user.id, request, priced.quote, nowMs);
  t.quotes.put(stored);
  return stored;
}

/** A quote of this user that may still pay for a transaction of this kind. */
export async function usableQuoteOf(t: Records, deps: AppDeps, actor: Actor, quoteId: string, kind: StoredQuote['kind']): Promise<StoredQuote> {
  return usableQuote(await t.quotes.get(quoteId), quoteId, actor.user.id, kind, deps.now().getTime());
}

function requestOfQuote(quote: StoredQuote): TransferRequest {
  return {
    to: quote.request['to'] ?? '',
    amountMinor: Number(quote.request['amount']),
    currency: quote.request['currency'] ?? '',
    toCurrency: quote.request['toCurrency'] ?? '',
  };
}

function assertSameRequest(stored: StoredQuote, request: TransferRequest): void {
  const quoted = requestOfQuote(stored);
  const same =
    quoted.to === request.to && quoted.amountMinor === request.amountMinor && quoted.currency === request.currency && quoted.toCurrency === request.toCurrency;
  if (!same)
    throw new AppError(
      'QUOTE_MISMATCH',
      `quote ${stored.id} was made for a different payment (to ${quoted.to}, ${quoted.currency} ${quoted.amountMinor} minor units → ${quoted.toCurrency})`,
      { hint: 'leave out --to/--amount/--currency to use the quote as it is, or get a new quote' },
    );
}

/** The request a quote id stands for, for the idempotency check that comes before its expiry check. */
async function requestOfQuoteId(t: Records, quoteId: string | null, userId: UserId): Promise<TransferRequest> {
  const quote = quoteId ? await t.quotes.get(quoteId) : null;
  if (!quote || quote.userId !== userId)
    throw new AppError('QUOTE_NOT_FOUND', `there is no quote ${quoteId ?? ''}`, { hint: 'get one with `okpay fee quote transfer …`' });
  return requestOfQuote(quote);
}

// ---- funds and limits ---------------------------------------------------------------------------

export interface Funds {
  readonly availableMinor: MinorUnits;
  readonly windowUsdMinor: MinorUnits;
}

/**
 * What a payment is checked against: the available balance and the 30-day total. Days that left
 * the window are dropped from the stored window as it is read, so it stays about a month long.
 */
export async function fundsOf(t: RecordsTransaction, user: User, currency: Currency, nowMs: number): Promise<Funds> {
  const window = await t.limits.get(user.id);
  const current = currentWindow(window, nowMs);
  if (current !== window) t.limits.put(user.id, current);
  return { availableMinor: await t.balances.get(userAccount(user.id), currency.code), windowUsdMinor: windowUsdMinor(current, nowMs) };
}

// ---- the transfer -------------------------------------------------------------------------------

export interface TransferInput {
  /** What to pay; null when a quote id says it. */
  readonly request: TransferRequest | null;
  readonly memo: string | null;
  readonly idempotencyKey: string | null;
  readonly quoteId: string | null;
}

export interface SentTransfer {
  readonly tx: Transaction;
  readonly view: TxView;
  /** The idempotency key was already used for this payment: nothing new was sent. */
  readonly replayed: boolean;
  readonly feeMinor: MinorUnits;
}

/** A payment as the transfer flow takes it: what to pay, and the quote and key it is paid under. */
export interface Payment {
  readonly request: TransferRequest;
  readonly memo: string | null;
  /** A usable quote of the sender's for exactly this request: it fixes the price. */
  readonly quote: StoredQuote | null;
  readonly idempotency: { key: string; fingerprint: string } | null;
}

export interface Paid {
  readonly tx: Transaction;
  readonly priced: Priced;
}

/**
 * The transfer flow: payee, price, funds and limits, plan, post. Generated and fixture history
 * pay through it as the command does; the command (`transfer`) adds the key's replay, the
 * payee's mail and the audit line.
 */
export async function sendMoney(t: RecordsTransaction, deps: AppDeps, sender: User, payment: Payment): Promise<Paid> {
  const nowMs = deps.now().getTime();
  const priced = await price(t, deps, sender, payment.request, payment.quote);
  const funds = await fundsOf(t, sender, priced.currency, nowMs);
  const plan = {
    sender,
    to: priced.to,
    quote: priced.quote,
    currency: priced.currency,
    memo: payment.memo,
    quoteId: payment.quote?.id ?? null,
    idempotency: payment.idempotency,
    nowMs,
    ...funds,
  };
  return { tx: await t.post(planTransfer(walletRef(deps), plan)), priced };
}

/** A transfer made, or the transaction its idempotency key already made (nothing new was sent). */
export type TransferOutcome =
  { readonly replayed: false; readonly tx: Transaction; readonly feeMinor: MinorUnits } | { readonly replayed: true; readonly txId: string };

export async function transfer(t: RecordsTransaction, deps: AppDeps, actor: Actor, input: TransferInput): Promise<SentTransfer> {
  const outcome = await makeTransfer(t, deps, actor, input);
  if (outcome.replayed) return replay(t, deps, actor.user, outcome.txId);
  return { tx: outcome.tx, view: await viewOf(t, outcome.tx, actor.user.id, [], deps.ref.currencies), replayed: false, feeMinor: outcome.feeMinor };
}

/** The transfer without the view of its transaction: what a batch needs of each row. */
export async function makeTransfer(t: RecordsTransaction, deps: AppDeps, actor: Actor, input: TransferInput): Promise<TransferOutcome> {
  const { user } = actor;
  const nowMs = deps.now().getTime();
  // A retry by quote id is told by its key before the quote is looked up: the quote may be gone.
  const retried = await priorPaymentOfQuote(t, user.id, input, nowMs);
  if (retried) return { replayed: true, txId: retried };
  // The key guards the payment itself (payee, amount, currencies, memo), however it was priced. (The
  // memo is assigned, not spread in: see ledger.hydrateTransaction.)
  const request = input.request ?? (await requestOfQuoteId(t, input.quoteId, user.id));
  const requestPrint = input.idempotencyKey ? fingerprint(Object.assign(describeRequest(request), { memo: input.memo })) : null;
  if (input.idempotencyKey && requestPrint) {
    const prior = priorForKey(await t.idempotency.get(user.id, input.idempotencyKey), input.idempotencyKey, requestPrint, nowMs);
    if (prior) return { replayed: true, txId: prior };
  }
  const stored = input.quoteId ? await usableQuoteOf(t, deps, actor, input.quoteId, 'transfer') : null;
  if (stored && input.request) assertSameRequest(stored, input.request);
  const idempotency = input.idempotencyKey && requestPrint ? { key: input.idempotencyKey, fingerprint: requestPrint } : null;
  const { tx, priced } = await sendMoney(t, deps, user, { request: stored ? requestOfQuote(stored) : request, memo: input.memo, quote: stored, idempotency });
  notifyRecipient(t, deps, user, priced, tx, input.memo);
  audit(t, tx.at, 'transfer.sent', user.id, priced.to.user?.id ?? null, {
    tx: tx.id,
    amountMinor: priced.quote.amountMinor,
    currency: priced.quote.currency,
    unclaimed: priced.to.user === null,
  });
  return { replayed: false, tx, feeMinor: priced.quote.feeMinor };
}

/** The transaction an idempotency key already paid this quote with, for a payment named by its quote id alone. */
async function priorPaymentOfQuote(t: RecordsTransaction, userId: UserId, input: TransferInput, nowMs: number): Promise<TxId | null> {
  if (input.request !== null || input.quoteId === null || input.idempotencyKey === null) return null;
  const record = await t.idempotency.get(userId, input.idempotencyKey);
  if (!record) return null;
  const paid = (await t.journal.get(seqOfTxId(record.txId) ?? 0))?.tx;
  const retry = { quoteId: input.quoteId, memo: input.memo };
  return priorForQuote(record, input.idempotencyKey, { quoteId: paid?.details.quoteId, memo: paid?.memo ?? null }, retry, nowMs);
}

function notifyRecipient(t: RecordsTransaction, deps: AppDeps, sender: User, priced: Priced, tx: Transaction, memo: string | null): void {
  const amount = formatMinor(deps, priced.quote.receiveAmountMinor, priced.quote.receiveCurrency);
  if (priced.to.user) {
    t.mail(paymentReceivedMail(priced.to.user, sender.name ?? sender.email, amount, priced.quote.receiveCurrency, memo), tx.at);
  } else if (priced.to.recipient.kind === 'email') {
    t.mail(
      moneyWaitingMail(priced.to.recipient.email, sender.name ?? sender.email, amount, priced.quote.receiveCurrency, tx.details.unclaimedExpiresAt ?? tx.at),
      tx.at,
    );
  }
}

async function replay(t: RecordsTransaction, deps: AppDeps, user: User, txId: string): Promise<SentTransfer> {
  const entry = await t.journal.get(seqOfTxId(txId) ?? 0);
  if (!entry) throw new AppError('TX_NOT_FOUND', `the transaction ${txId} of this idempotency key is missing`);
  return { tx: entry.tx, view: await viewOf(t, entry.tx, user.id, [], deps.ref.currencies), replayed: true, feeMinor: entry.tx.details.fee?.amountMinor ?? 0 };
}

// ---- money that waited --------------------------------------------------------------------------

/**
 * Posts a movement that gives money back or hands it on, or answers why not when it would take an
 * account past its bound (LIMIT_EXCEEDED). Nothing of a refused posting is applied (post), so the
 * money stays where it was, for a later try; one such refusal must not stop a run that moves many.
 */
export async function postWithinBounds(t: RecordsTransaction, tx: NewTransaction): Promise<Transaction | AppError> {
  try {
    return await t.post(tx);
  } catch (error) {
    if (error instanceof AppError && error.code === 'LIMIT_EXCEEDED') return error;
    throw error;
  }
}

/** A waiting payment that could not land: the account has no room for it (`LIMIT_EXCEEDED`). */
export interface StillWaiting {
  readonly item: UnclaimedTransfer;
  readonly refusal: AppError;
}

export interface Claims {
  readonly claimed: Transaction[];
  /** Still unclaimed: they wait until they expire, then go back to their senders (settle). */
  readonly stillWaiting: StillWaiting[];
}

/**
 * Money sent to this person before they had an account lands now (activation, a new phone number);
 * a payment the account has no room for keeps waiting, and the account still opens.
 */
export async function claimUnclaimedFor(t: RecordsTransaction, deps: AppDeps, user: User): Promise<Claims> {
  const claims = await claimOrKeep(t, deps, user);
  for (const tx of claims.claimed) audit(t, tx.at, 'transfer.claimed', user.id, user.id, { tx: tx.id, of: tx.links[0] ?? null });
  for (const { item, refusal } of claims.stillWaiting)
    audit(t, deps.now().toISOString(), 'transfer.claim-refused', user.id, user.id, {
      of: item.txId,
      amountMinor: item.receiveAmountMinor,
      currency: item.receiveCurrency,
      reason: refusal.message,
    });
  return claims;
}

/** The claim flow, without the audit lines `claimUnclaimedFor` adds: each waiting payment lands. */
export async function claimWaiting(t: RecordsTransaction, deps: AppDeps, user: User): Promise<Transaction[]> {
  return (await claimOrKeep(t, deps, user)).claimed;
}

async function claimOrKeep(t: RecordsTransaction, deps: AppDeps, user: User): Promise<Claims> {
  const claims: Claims = { claimed: [], stillWaiting: [] };
  if (user.status !== 'active') return claims;
  const nowIso = deps.now().toISOString();
  for (const item of await t.unclaimed.forRecipient({ email: user.email, phone: user.phone })) {
    const posted = await postWithinBounds(t, planClaim(item, user, nowIso));
    if (posted instanceof AppError) claims.stillWaiting.push({ item, refusal: posted });
    else claims.claimed.push(posted);
  }
  return claims;
}
