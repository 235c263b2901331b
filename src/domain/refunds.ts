// Refunds of disputed transfers: a reversing transaction, never an edit, made at most once per
// transaction, tied to a support ticket, and above a documented amount only by a tier-2 agent or
// a manager.

import { AppError } from './errors.js';
import { usdEquivalentMinor, type RateTable } from './fx.js';
import { utcDay, type NewTransaction, type Posting, type Transaction } from './ledger.js';
import { findCurrency, formatAmount, parseAmount, type Currency, type MinorUnits } from './money.js';
import type { TxId, User, UserId } from './state.js';
import type { RefundRule } from './support.js';
import { mergePostings } from './wallet.js';

/**
 * Only a transfer between two customers is an agent's to reverse. A deposit is the card's or bank's
 * to charge back, and a completed payout that bounced is recorded by an operator
 * (`planBounce`), from the payout's own entries.
 */
const REFUNDABLE = new Set(['transfer']);

export interface RefundRequest {
  readonly original: Transaction;
  /** The refund already made of `original`, if any: a transaction is refunded once. */
  readonly priorRefund: TxId | null;
  readonly agent: User;
  readonly ticketNumber: number;
  readonly ticketCustomerId: string;
  /** The transaction the ticket is about: a refund happens on the payer's ticket about it. */
  readonly ticketTxId: TxId | null;
  /** The second agent, when the refund needed four eyes (`agent` then requested it). */
  readonly approvedBy: UserId | null;
  readonly reason: string | null;
  readonly nowIso: string;
}

export function refundValueUsdMinor(original: Transaction, rates: RateTable, currencies: readonly Currency[]): number {
  const currency = findCurrency(currencies, original.details.currency ?? 'USD');
  return usdEquivalentMinor(original.details.amountMinor ?? 0, currency, rates, currencies);
}

/** Refunds above the tier-1 amount need a tier-2 agent or a manager. */
export function assertRefundTier(agent: User, valueUsdMinor: number, rule: RefundRule, currencies: readonly Currency[]): void {
  const ruleCurrency = findCurrency(currencies, rule.currency);
  const tier1Max = parseAmount(rule.tier1MaxAmount, ruleCurrency);
  const tier = agent.agent?.tier ?? 0;
  if (valueUsdMinor > tier1Max && tier < 2) {
    throw new AppError('FORBIDDEN', `refunds above ${rule.tier1MaxAmount} ${rule.currency} need a tier-2 agent or a manager; ${agent.email} is tier ${tier}`, {
      hint: 'escalate the ticket: `okpay ticket escalate N --tier 2`',
    });
  }
}

/** Above the four-eyes amount a refund takes two agents, whatever their tiers. */
export function needsSecondAgent(valueUsdMinor: number, rule: RefundRule, currencies: readonly Currency[]): boolean {
  return valueUsdMinor > parseAmount(rule.fourEyesAboveAmount, findCurrency(currencies, rule.currency));
}

/** What the refund checks against: the balances and owners of the accounts it takes money from (`refundDebits`). */
export interface RefundBooks {
  /** account → currency → balance. */
  readonly balances: Readonly<Record<string, Readonly<Record<string, MinorUnits>>>>;
  /** user id → email, for the message when one of them lacks the money. */
  readonly emails: Readonly<Record<UserId, string>>;
}

const NOT_REFUNDABLE_HINTS: Readonly<Record<string, string>> = {
  'transfer.unclaimed': 'an unclaimed transfer returns to the sender by itself after 30 days',
  'withdrawal.complete': 'a completed payout that came back is recorded by an operator: `okpay admin payout bounce TX --reason …`',
  deposit: 'a deposit is reversed by the card issuer or bank that paid it',
};

/** Every posting of the original negated. */
function refundPostings(original: Transaction): Posting[] {
  return mergePostings(original.postings.map((p): Posting => ({ ...p, amountMinor: -p.amountMinor })));
}

/**
 * The reversing transaction: every posting of the original negated. Whoever received the money
 * must still have it: no account is driven below zero.
 */
export function planRefund(request: RefundRequest, books: RefundBooks, currencies: readonly Currency[]): NewTransaction {
  const { original } = request;
  const prior = request.priorRefund;
  if (prior) throw new AppError('INVALID_TRANSITION', `${original.id} was already refunded by ${prior}`, { hint: 'a transaction is refunded once' });
  if (!REFUNDABLE.has(original.type))
    throw new AppError('INVALID_TRANSITION', `${original.id} is a ${original.type}; only transfers can be refunded by an agent`, {
      hint: NOT_REFUNDABLE_HINTS[original.type],
    });
  if (original.details.initiator !== request.ticketCustomerId)
    throw new AppError('CUSTOMER_MISMATCH', `ticket #${request.ticketNumber} is not from the payer of ${original.id}`, {
      hint: 'a refund is made on the payer’s ticket about the transfer',
    });
  if (request.ticketTxId !== original.id)
    throw new AppError('CUSTOMER_MISMATCH', `ticket #${request.ticketNumber} is not about ${original.id}`, {
      hint: 'a refund is made on the payer’s ticket about the transfer (`okpay ticket new --tx`)',
    });
  const postings = refundPostings(original);
  assertNoOverdraft(books, postings, currencies);
  return {
    type: 'refund',
    at: request.nowIso,
    memo: request.reason,
    links: [original.id],
    parties: original.parties,
    postings,
    details: {
      initiator: request.agent.id,
      ...(request.approvedBy ? { approvedBy: request.approvedBy } : {}),
      refundOf: original.id,
      ticket: request.ticketNumber,
      amountMinor: original.details.amountMinor ?? 0,
      currency: original.details.currency ?? original.postings[0]?.currency ?? 'USD',
      ...(request.reason ? { reason: request.reason } : {}),
      ...limitGivenBack(original),
    },
  };
}

/** The money came back to the payer: it no longer counts against the limits of the day it was sent. */
function limitGivenBack(original: Transaction): { limitRelease?: { userId: UserId; day: string; usdMinor: MinorUnits } } {
  const { initiator, outgoingUsdMinor } = original.details;
  if (!initiator || outgoingUsdMinor === undefined) return {};
  return { limitRelease: { userId: initiator, day: utcDay(original.at), usdMinor: outgoingUsdMinor } };
}

/** Customer accounts a refund takes money from: their balances must cover it. */
export function refundDebits(original: Transaction): Posting[] {
  return refundPostings(original).filter((p) => p.account.startsWith('user:') && p.amountMinor < 0);
}

function assertNoOverdraft(books: RefundBooks, postings: readonly Posting[], currencies: readonly Currency[]): void {
  for (const p of postings) {
    if (!p.account.startsWith('user:') || p.amountMinor >= 0) continue;
    const balance = books.balances[p.account]?.[p.currency] ?? 0;
    if (balance + p.amountMinor < 0) {
      const currency = findCurrency(currencies, p.currency);
      const owner = books.emails[p.account.slice(5)] ?? p.account;
      throw new AppError(
        'INSUFFICIENT_FUNDS',
        `${owner} has ${formatAmount(balance, currency)} ${p.currency} available; the refund needs ${formatAmount(-p.amountMinor, currency)} ${p.currency} back from them`,
        {
          hint: 'ask the recipient to return the money, or settle the dispute another way',
        },
      );
    }
  }
}
