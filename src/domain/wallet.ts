// The wallet: deposits, binding transfer quotes, transfers (also to people without an account
// yet), and the claim or return of unclaimed money. Each function checks the rules and returns the
// balanced transaction to post; posting it (its ledger.transactionEffects) is what changes balances.

import { AppError } from './errors.js';
import { computeTransferQuote, type FeeSchedule, type TransferQuote } from './fees.js';
import { usdEquivalentMinor, type RateTable } from './fx.js';
import { CUSTOMER_BALANCE_MAX_MINOR, SYSTEM_ACCOUNTS, SYSTEM_BALANCE_MAX_MINOR, userAccount, utcDay, type NewTransaction, type Posting } from './ledger.js';
import { IDEMPOTENCY_TTL_MS } from './idempotency.js';
import { checkOutgoingLimits, type LimitTable } from './limits.js';
import { findCurrency, formatAmount, type Currency, type MinorUnits } from './money.js';
import type { StoredQuote, UnclaimedTransfer, User, UserId } from './state.js';
import type { Recipient } from './validate.js';

export const QUOTE_TTL_MS = 30 * 60 * 1000;
export const UNCLAIMED_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export interface WalletRef {
  readonly currencies: readonly Currency[];
  readonly schedule: FeeSchedule;
  readonly rates: RateTable;
  readonly limits: LimitTable;
}

export function money(amountMinor: MinorUnits, currencyCode: string, currencies: readonly Currency[]): string {
  return formatAmount(amountMinor, findCurrency(currencies, currencyCode));
}

// ---- deposits -------------------------------------------------------------------------------

/** Where deposited money comes from; `fixture` marks balances seeded by `okpay fixtures load`. */
export type DepositSource = 'card' | 'bank' | 'fixture';

export function planDeposit(user: User, amountMinor: MinorUnits, currency: Currency, source: DepositSource, nowIso: string): NewTransaction {
  return {
    type: 'deposit',
    at: nowIso,
    memo: null,
    links: [],
    parties: [user.id],
    postings: [
      { account: SYSTEM_ACCOUNTS.world, currency: currency.code, amountMinor: -amountMinor },
      { account: userAccount(user.id), currency: currency.code, amountMinor },
    ],
    details: { initiator: user.id, source, amountMinor, currency: currency.code },
  };
}

/**
 * Money that fixtures seed in a currency, together with what the store already took in, stays
 * within half of what the store can take (`SYSTEM_BALANCE_MAX_MINOR`), so that real deposits always
 * have room; one seeded balance stays within what one account may hold.
 */
export function assertSeedable(amountMinor: MinorUnits, currency: Currency, takenInMinor: MinorUnits): void {
  const money = (minor: MinorUnits) => `${formatAmount(minor, currency)} ${currency.code}`;
  if (amountMinor > CUSTOMER_BALANCE_MAX_MINOR)
    throw new AppError('LIMIT_EXCEEDED', `${money(amountMinor)} is more than one account may hold (${money(CUSTOMER_BALANCE_MAX_MINOR)})`);
  const seedMax = SYSTEM_BALANCE_MAX_MINOR / 2;
  if (takenInMinor + amountMinor > seedMax) {
    throw new AppError(
      'LIMIT_EXCEEDED',
      `fixtures may bring at most ${money(seedMax)} into a store, so that real deposits always have room; it already holds ${money(takenInMinor)}`,
    );
  }
}

// ---- recipients and quotes ------------------------------------------------------------------

export interface ResolvedRecipient {
  readonly recipient: Recipient;
  /** The active account behind the address, or null: the money then waits as unclaimed. */
  readonly user: User | null;
  readonly country: string | null;
  readonly display: string;
}

/**
 * The payee of a transfer: `found` is the account behind the address (looked up by the caller),
 * or null; a pending account does not receive yet, so the money then waits as unclaimed.
 */
export function resolveRecipient(sender: User, recipient: Recipient, found: User | null, countryOfPhone: (phone: string) => string | null): ResolvedRecipient {
  const display = recipient.kind === 'email' ? recipient.email : recipient.phone;
  if (found?.id === sender.id)
    throw new AppError('SELF_TRANSFER', 'you cannot send money to yourself', {
      hint: 'to move money between currencies, send to someone else or keep it as it is',
    });
  const user = found && found.status === 'active' ? found : null;
  const country = user?.country ?? (recipient.kind === 'phone' ? countryOfPhone(recipient.phone) : null);
  return { recipient, user, country, display };
}

export interface TransferRequest {
  readonly to: string;
  readonly amountMinor: MinorUnits;
  readonly currency: string;
  readonly toCurrency: string;
}

export function describeRequest(request: TransferRequest): Record<string, string> {
  return { to: request.to, amount: String(request.amountMinor), currency: request.currency, toCurrency: request.toCurrency };
}

export function priceTransfer(
  ref: WalletRef,
  sender: User,
  to: ResolvedRecipient,
  amountMinor: MinorUnits,
  currency: Currency,
  toCurrency: Currency,
): TransferQuote {
  return computeTransferQuote(
    { amountMinor, currency, toCurrency, senderCountry: sender.country, recipientCountry: to.country },
    { schedule: ref.schedule, rates: ref.rates },
  );
}

/** The quote record to keep, so that `transfer --quote` charges exactly this. */
export function transferQuoteRecord(id: string, userId: UserId, request: TransferRequest, quote: TransferQuote, nowMs: number): StoredQuote {
  return {
    id,
    userId,
    kind: 'transfer',
    request: describeRequest(request),
    amountMinor: quote.amountMinor,
    currency: quote.currency,
    feeMinor: quote.feeMinor,
    feeLines: quote.feeLines,
    scope: quote.scope,
    midRate: quote.midRate,
    rate: quote.rate,
    receiveAmountMinor: quote.receiveAmountMinor,
    receiveCurrency: quote.receiveCurrency,
    createdAt: new Date(nowMs).toISOString(),
    expiresAt: new Date(nowMs + QUOTE_TTL_MS).toISOString(),
    usedBy: null,
  };
}

/** A stored quote the user may still use, or the reason they may not. */
export function usableQuote(quote: StoredQuote | null, quoteId: string, userId: UserId, kind: StoredQuote['kind'], nowMs: number): StoredQuote {
  if (!quote || quote.userId !== userId) throw new AppError('QUOTE_NOT_FOUND', `there is no quote ${quoteId}`, { hint: 'get one with `okpay fee quote …`' });
  if (quote.kind !== kind) throw new AppError('QUOTE_MISMATCH', `quote ${quoteId} is for a ${quote.kind}, not a ${kind}`);
  if (quote.usedBy)
    throw new AppError('INVALID_TRANSITION', `quote ${quoteId} was already used by ${quote.usedBy}`, {
      hint: 'a quote pays for one transaction; get a new one',
    });
  if (Date.parse(quote.expiresAt) <= nowMs)
    throw new AppError('QUOTE_EXPIRED', `quote ${quoteId} expired at ${quote.expiresAt}`, {
      hint: 'quotes last 30 minutes; get a new one with `okpay fee quote …`',
    });
  return quote;
}

/** The stored quote as the fee calculator's result, so a transfer charges exactly what was quoted. */
export function quoteFromStored(quote: StoredQuote): TransferQuote {
  return {
    amountMinor: quote.amountMinor,
    currency: quote.currency,
    feeMinor: quote.feeMinor,
    feeCurrency: quote.currency,
    feeLines: quote.feeLines,
    scope: quote.scope === 'cross-border' ? 'cross-border' : 'domestic',
    midRate: quote.midRate,
    rate: quote.rate,
    spreadBasisPoints: 0,
    receiveAmountMinor: quote.receiveAmountMinor,
    receiveCurrency: quote.receiveCurrency,
    totalDebitMinor: quote.amountMinor + quote.feeMinor,
  };
}

// ---- funds and limits -----------------------------------------------------------------------

/** `available` is the user's available balance in `currency`. */
export function assertFunds(available: MinorUnits, currency: Currency, neededMinor: MinorUnits, what: string): void {
  if (available >= neededMinor) return;
  throw new AppError(
    'INSUFFICIENT_FUNDS',
    `not enough money: ${formatAmount(available, currency)} ${currency.code} available, ${what} needs ${formatAmount(neededMinor, currency)} ${currency.code}`,
    { hint: 'deposit with `okpay deposit`, or send less', details: { availableMinor: available, neededMinor, currency: currency.code } },
  );
}

/**
 * Who a transfer went to, as the sender named them: a payment to a phone number keeps the number,
 * so that showing it never reveals the email of the account behind it.
 */
function recipientDetails(to: ResolvedRecipient): { userId?: UserId; email?: string; phone?: string } {
  const address = to.recipient.kind === 'email' ? { email: to.recipient.email } : { phone: to.recipient.phone };
  if (!to.user) return address;
  return to.recipient.kind === 'phone' ? { userId: to.user.id, phone: to.recipient.phone } : { userId: to.user.id };
}
/**
 * Applies the outgoing limits (identity-checked or not) to an amount about to leave the wallet.
 * Returns the amount in USD equivalent, which the transaction records for the window.
 */
export function assertWithinLimits(ref: WalletRef, user: User, amountMinor: MinorUnits, currency: Currency, alreadyUsdMinor: MinorUnits): MinorUnits {
  const usd = usdEquivalentMinor(amountMinor, currency, ref.rates, ref.currencies);
  checkOutgoingLimits({ verified: user.kyc.status === 'approved', amountUsdMinor: usd, windowUsdMinor: alreadyUsdMinor }, ref.limits);
  return usd;
}

// ---- transfers ------------------------------------------------------------------------------

export interface TransferPlan {
  readonly sender: User;
  readonly to: ResolvedRecipient;
  readonly quote: TransferQuote;
  readonly currency: Currency;
  readonly memo: string | null;
  readonly quoteId: string | null;
  readonly idempotency: { key: string; fingerprint: string } | null;
  readonly nowMs: number;
  /** The sender's available balance in the currency sent. */
  readonly availableMinor: MinorUnits;
  /** What the sender sent in the last 30 days (`windowUsdMinor`), USD equivalent. */
  readonly windowUsdMinor: MinorUnits;
}

export function planTransfer(ref: WalletRef, plan: TransferPlan): NewTransaction {
  const { sender, to, quote, currency } = plan;
  assertFunds(
    plan.availableMinor,
    currency,
    quote.amountMinor + quote.feeMinor,
    `this transfer (${formatAmount(quote.amountMinor, currency)} + ${formatAmount(quote.feeMinor, currency)} fee)`,
  );
  const outgoingUsdMinor = assertWithinLimits(ref, sender, quote.amountMinor, currency, plan.windowUsdMinor);
  const nowIso = new Date(plan.nowMs).toISOString();
  const destination = to.user ? userAccount(to.user.id) : SYSTEM_ACCOUNTS.unclaimed;
  return {
    type: to.user ? 'transfer' : 'transfer.unclaimed',
    at: nowIso,
    memo: plan.memo,
    links: [],
    parties: to.user ? [sender.id, to.user.id] : [sender.id],
    postings: transferPostings(sender.id, destination, quote),
    details: {
      initiator: sender.id,
      recipient: recipientDetails(to),
      amountMinor: quote.amountMinor,
      currency: quote.currency,
      fee: { amountMinor: quote.feeMinor, currency: quote.currency, lines: quote.feeLines },
      ...(quote.currency === quote.receiveCurrency
        ? {}
        : {
            receiveAmountMinor: quote.receiveAmountMinor,
            receiveCurrency: quote.receiveCurrency,
            fx: { midRate: quote.midRate, rate: quote.rate, fromCurrency: quote.currency, toCurrency: quote.receiveCurrency },
          }),
      outgoingUsdMinor,
      ...(plan.quoteId ? { quoteId: plan.quoteId } : {}),
      ...(plan.idempotency ? { idempotency: idempotencyDetails(plan.idempotency, plan.nowMs) } : {}),
      ...(to.user ? {} : { unclaimedExpiresAt: new Date(plan.nowMs + UNCLAIMED_TTL_MS).toISOString() }),
    },
  };
}

/** The key a transfer was sent under, kept 30 days (written out, not spread: see ledger.hydrateTransaction). */
function idempotencyDetails(idempotency: { key: string; fingerprint: string }, nowMs: number): { key: string; fingerprint: string; expiresAt: string } {
  return { key: idempotency.key, fingerprint: idempotency.fingerprint, expiresAt: new Date(nowMs + IDEMPOTENCY_TTL_MS).toISOString() };
}

/** Sender pays amount + fee; the fee goes to revenue; a conversion passes through the FX account. */
function transferPostings(senderId: UserId, destination: string, quote: TransferQuote): Posting[] {
  const postings: Posting[] = [{ account: userAccount(senderId), currency: quote.currency, amountMinor: -(quote.amountMinor + quote.feeMinor) }];
  if (quote.feeMinor > 0) postings.push({ account: SYSTEM_ACCOUNTS.fees, currency: quote.currency, amountMinor: quote.feeMinor });
  if (quote.currency === quote.receiveCurrency) {
    postings.push({ account: destination, currency: quote.currency, amountMinor: quote.amountMinor });
  } else {
    postings.push(
      { account: SYSTEM_ACCOUNTS.fx, currency: quote.currency, amountMinor: quote.amountMinor },
      { account: SYSTEM_ACCOUNTS.fx, currency: quote.receiveCurrency, amountMinor: -quote.receiveAmountMinor },
      { account: destination, currency: quote.receiveCurrency, amountMinor: quote.receiveAmountMinor },
    );
  }
  return postings;
}

// ---- unclaimed money ------------------------------------------------------------------------

/** The waiting money lands with its recipient, who now has an active account. */
export function planClaim(item: UnclaimedTransfer, recipient: User, nowIso: string): NewTransaction {
  return {
    type: 'unclaimed.claim',
    at: nowIso,
    memo: null,
    links: [item.txId],
    parties: [item.senderId, recipient.id],
    postings: [
      { account: SYSTEM_ACCOUNTS.unclaimed, currency: item.receiveCurrency, amountMinor: -item.receiveAmountMinor },
      { account: userAccount(recipient.id), currency: item.receiveCurrency, amountMinor: item.receiveAmountMinor },
    ],
    details: {
      initiator: null,
      sender: item.senderId,
      recipient: { userId: recipient.id, ...(item.toPhone ? { phone: item.toPhone } : {}) },
      amountMinor: item.receiveAmountMinor,
      currency: item.receiveCurrency,
    },
  };
}

/** After 30 days the money goes back to the sender, fee included, in the currency they paid. */
export function planReturn(item: UnclaimedTransfer, nowIso: string): NewTransaction {
  const postings: Posting[] = [{ account: SYSTEM_ACCOUNTS.unclaimed, currency: item.receiveCurrency, amountMinor: -item.receiveAmountMinor }];
  if (item.receiveCurrency === item.currency) {
    postings.push({ account: userAccount(item.senderId), currency: item.currency, amountMinor: item.receiveAmountMinor });
  } else {
    postings.push(
      { account: SYSTEM_ACCOUNTS.fx, currency: item.receiveCurrency, amountMinor: item.receiveAmountMinor },
      { account: SYSTEM_ACCOUNTS.fx, currency: item.currency, amountMinor: -item.amountMinor },
      { account: userAccount(item.senderId), currency: item.currency, amountMinor: item.amountMinor },
    );
  }
  if (item.feeMinor > 0) {
    postings.push(
      { account: SYSTEM_ACCOUNTS.fees, currency: item.currency, amountMinor: -item.feeMinor },
      { account: userAccount(item.senderId), currency: item.currency, amountMinor: item.feeMinor },
    );
  }
  return {
    type: 'unclaimed.return',
    at: nowIso,
    memo: null,
    links: [item.txId],
    parties: [item.senderId],
    postings: mergePostings(postings),
    details: {
      initiator: null,
      sender: item.senderId,
      amountMinor: item.amountMinor + item.feeMinor,
      currency: item.currency,
      reason: 'not claimed within 30 days',
      limitRelease: { userId: item.senderId, day: utcDay(item.createdAt), usdMinor: item.outgoingUsdMinor },
    },
  };
}

/** Adds up postings to the same account and currency (a refund of amount and fee is one line). */
export function mergePostings(postings: readonly Posting[]): Posting[] {
  const merged = new Map<string, Posting>();
  for (const p of postings) {
    const key = `${p.account}\u0000${p.currency}`;
    const prior = merged.get(key);
    merged.set(key, prior ? { ...prior, amountMinor: prior.amountMinor + p.amountMinor } : p);
  }
  return [...merged.values()].filter((p) => p.amountMinor !== 0);
}
