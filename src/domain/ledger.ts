// The double-entry ledger. Accounts are named strings; a posting moves signed minor units into
// (positive) or out of (negative) one account in one currency, and the postings of a transaction
// sum to zero per currency. `transactionEffects` is the one description of what posting a
// transaction changes; every store applies it to its records when a command posts and when it
// redoes the journal after a crash, so what a command does and what recovery does never differ.

import { AppError } from './errors.js';
import type { MinorUnits } from './money.js';
import type { Balances, FeeLineRecord, IdempotencyRecord, LimitWindow, TxId, UnclaimedTransfer, UserId, Withdrawal } from './state.js';
import { compareCodeUnits } from './code-unit-order.js';

export const SYSTEM_ACCOUNTS = {
  /** The outside world: card and bank deposits come from it, payouts go to it. */
  world: 'world',
  fees: 'fees',
  /** Currency conversion: holds what the service bought and sold, spread included. */
  fx: 'fx',
  /** Transfers waiting for a recipient who has no account yet. */
  unclaimed: 'unclaimed',
} as const;

export const userAccount = (userId: UserId): string => `user:${userId}`;
/** The withdrawal-hold account of one user: funds reserved for payouts in flight. */
export const holdAccount = (userId: UserId): string => `hold:${userId}`;

export type TxType =
  | 'deposit'
  | 'transfer'
  | 'transfer.unclaimed'
  | 'unclaimed.claim'
  | 'unclaimed.return'
  | 'withdrawal.hold'
  | 'withdrawal.complete'
  | 'withdrawal.release'
  /** A completed payout that came back (an operator's `admin payout bounce`). */
  | 'withdrawal.return'
  | 'refund'
  | 'adjustment';

export const TX_TYPES: readonly TxType[] = [
  'deposit',
  'transfer',
  'transfer.unclaimed',
  'unclaimed.claim',
  'unclaimed.return',
  'withdrawal.hold',
  'withdrawal.complete',
  'withdrawal.release',
  'withdrawal.return',
  'refund',
  'adjustment',
];

export interface Posting {
  readonly account: string;
  readonly currency: string;
  readonly amountMinor: MinorUnits;
}

export interface TxDetails {
  /** Who caused the transaction: the customer, the agent, or null for the system. */
  readonly initiator: UserId | null;
  readonly fee?: { readonly amountMinor: MinorUnits; readonly currency: string; readonly lines: readonly FeeLineRecord[] };
  readonly fx?: { readonly midRate: string; readonly rate: string; readonly fromCurrency: string; readonly toCurrency: string };
  readonly amountMinor?: MinorUnits;
  readonly currency?: string;
  /** Only when the payee receives another currency; otherwise the amount and currency above. */
  readonly receiveAmountMinor?: MinorUnits;
  readonly receiveCurrency?: string;
  readonly quoteId?: string;
  readonly idempotency?: { readonly key: string; readonly fingerprint: string; readonly expiresAt: string };
  /** Who paid, when not the initiator (claims and returns are initiated by nobody). */
  readonly sender?: UserId;
  /** The payee: an account, or the address of someone who has none yet. */
  readonly recipient?: { readonly userId?: UserId; readonly email?: string; readonly phone?: string };
  readonly source?: string;
  readonly unclaimedExpiresAt?: string;
  readonly outgoingUsdMinor?: MinorUnits;
  /** Money that came back no longer counts against the limits of the day it was sent. */
  readonly limitRelease?: { readonly userId: UserId; readonly day: string; readonly usdMinor: MinorUnits };
  readonly refundOf?: TxId;
  /** The second agent who approved a refund above the four-eyes amount. */
  readonly approvedBy?: UserId;
  readonly ticket?: number;
  readonly reason?: string;
  /** The withdrawal as this transaction leaves it, carried whole so that redo can rebuild it. */
  readonly record?: Omit<Withdrawal, 'holdTxId'> & { readonly holdTxId?: TxId };
}

export interface NewTransaction {
  readonly type: TxType;
  readonly at: string;
  readonly memo: string | null;
  readonly links: readonly TxId[];
  /** Users allowed to see the transaction: it appears in their history. */
  readonly parties: readonly UserId[];
  readonly postings: readonly Posting[];
  readonly details: TxDetails;
}

export interface Transaction extends NewTransaction {
  readonly id: TxId;
  readonly seq: number;
}

/** A transaction as the journal stores it: its id and seq are implied by the entry's position. */
export type StoredTransaction = NewTransaction;

export function storedTransaction(tx: NewTransaction & { id?: TxId; seq?: number }): StoredTransaction {
  const { id: _id, seq: _seq, ...stored } = tx;
  void _id;
  void _seq;
  return stored;
}

export function hydrateTransaction(stored: StoredTransaction, seq: number): Transaction {
  // Object.assign, not { ...stored, id, seq }: V8 (Node 20) gives each object that a spread makes
  // and then adds keys to a hidden class of its own, so a batch's 10,000 transactions had 10,000
  // of them, and every function that reads their fields missed its inline caches.
  return Object.assign({}, stored, { id: txIdForSeq(seq), seq });
}

export interface JournalEntry {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  /** UTF-8 byte length of the stored transaction (set in files; lets a reader slice it out exactly). */
  readonly len?: number;
  /** True on the last entry of one command's commit: a tail without it is a torn write. */
  readonly end: boolean;
  readonly tx: Transaction;
}

/** An entry as it lies in a segment file: the transaction without the id and seq it implies. */
export interface StoredJournalEntry extends Omit<JournalEntry, 'tx'> {
  readonly tx: StoredTransaction;
}

export function hydrateEntry(entry: StoredJournalEntry): JournalEntry {
  return { ...entry, tx: hydrateTransaction(entry.tx, entry.seq) };
}

const TX_ID_PATTERN = /^txn_([0-9]{8,15})$/;

export function txIdForSeq(seq: number): TxId {
  return `txn_${seq.toString().padStart(10, '0')}`;
}

/** The sequence number a transaction id stands for, or null when the text is not a transaction id. */
export function seqOfTxId(text: string): number | null {
  const match = TX_ID_PATTERN.exec(text.trim());
  if (!match?.[1]) return null;
  const seq = Number(match[1]);
  return Number.isSafeInteger(seq) && seq > 0 ? seq : null;
}

/** Throws (a bug, not a user error) unless the postings are integers that sum to zero per currency. */
function assertBalanced(postings: readonly Posting[]): void {
  if (postings.length < 2) throw new Error('a transaction needs at least two postings');
  const sums = new Map<string, number>();
  for (const p of postings) {
    if (!Number.isSafeInteger(p.amountMinor) || p.amountMinor === 0) {
      throw new Error(`posting to ${p.account} is not a non-zero integer: ${p.amountMinor}`);
    }
    sums.set(p.currency, (sums.get(p.currency) ?? 0) + p.amountMinor);
  }
  for (const [currency, sum] of sums) {
    if (sum !== 0) throw new Error(`postings in ${currency} sum to ${sum}, not zero`);
  }
}

export function balanceOf(balances: Balances, account: string, currency: string): MinorUnits {
  return balances[account]?.[currency] ?? 0;
}

/**
 * A user's balances per currency they have ever held: `available` is their account's row
 * (currency → minor units), `held` their withdrawal-hold account's.
 */
export function userBalances(
  available: Readonly<Record<string, MinorUnits>>,
  held: Readonly<Record<string, MinorUnits>>,
): { currency: string; availableMinor: MinorUnits; heldMinor: MinorUnits }[] {
  const codes = new Set([...Object.keys(available), ...Object.keys(held)]);
  return [...codes].sort().map((currency) => ({ currency, availableMinor: available[currency] ?? 0, heldMinor: held[currency] ?? 0 }));
}

/**
 * What posting one transaction changes besides the journal, as plain data: the one description of
 * a transaction's effects that every store applies to its own records (and that recovery replays),
 * so what a command does and what a store or a redo does can never differ.
 */
export type TxEffect =
  | { readonly kind: 'balance'; readonly account: string; readonly currency: string; readonly amountMinor: MinorUnits }
  | { readonly kind: 'idempotency'; readonly userId: UserId; readonly key: string; readonly record: IdempotencyRecord }
  | { readonly kind: 'quote-used'; readonly quoteId: string; readonly txId: TxId }
  /** Signed: money that came back is taken off the day it was sent. */
  | { readonly kind: 'limit'; readonly userId: UserId; readonly day: string; readonly usdMinor: MinorUnits }
  | { readonly kind: 'refund'; readonly refundedTxId: TxId; readonly refundTxId: TxId }
  | { readonly kind: 'unclaimed-created'; readonly transfer: UnclaimedTransfer }
  | { readonly kind: 'unclaimed-ended'; readonly txId: TxId }
  | { readonly kind: 'withdrawal-put'; readonly withdrawal: Withdrawal }
  | { readonly kind: 'withdrawal-ended'; readonly id: string };

/**
 * The effects of one transaction, in order: balances, then the records that the transaction itself
 * creates or ends (idempotency key, used quote, limit window, refund, unclaimed transfer,
 * withdrawal). Throws (a bug) unless the postings balance.
 */
export function transactionEffects(tx: Transaction): TxEffect[] {
  assertBalanced(tx.postings);
  const effects: TxEffect[] = tx.postings.map((p) => ({ kind: 'balance', account: p.account, currency: p.currency, amountMinor: p.amountMinor }));
  const d = tx.details;
  if (d.idempotency && d.initiator) {
    effects.push({
      kind: 'idempotency',
      userId: d.initiator,
      key: d.idempotency.key,
      record: { fingerprint: d.idempotency.fingerprint, txId: tx.id, expiresAt: d.idempotency.expiresAt },
    });
  }
  if (d.quoteId) effects.push({ kind: 'quote-used', quoteId: d.quoteId, txId: tx.id });
  if (d.outgoingUsdMinor !== undefined && d.initiator) effects.push({ kind: 'limit', userId: d.initiator, day: utcDay(tx.at), usdMinor: d.outgoingUsdMinor });
  if (d.limitRelease) effects.push({ kind: 'limit', userId: d.limitRelease.userId, day: d.limitRelease.day, usdMinor: -d.limitRelease.usdMinor });
  if (d.refundOf) effects.push({ kind: 'refund', refundedTxId: d.refundOf, refundTxId: tx.id });
  effects.push(...recordEffects(tx));
  return effects;
}

function recordEffects(tx: Transaction): TxEffect[] {
  const d = tx.details;
  switch (tx.type) {
    case 'transfer.unclaimed':
      return [
        {
          kind: 'unclaimed-created',
          transfer: {
            txId: tx.id,
            senderId: d.sender ?? d.initiator ?? '',
            toEmail: d.recipient?.email ?? null,
            toPhone: d.recipient?.phone ?? null,
            amountMinor: d.amountMinor ?? 0,
            currency: d.currency ?? '',
            feeMinor: d.fee?.amountMinor ?? 0,
            receiveAmountMinor: d.receiveAmountMinor ?? d.amountMinor ?? 0,
            receiveCurrency: d.receiveCurrency ?? d.currency ?? '',
            createdAt: tx.at,
            expiresAt: d.unclaimedExpiresAt ?? tx.at,
            outgoingUsdMinor: d.outgoingUsdMinor ?? 0,
          },
        },
      ];
    case 'unclaimed.claim':
    case 'unclaimed.return':
      return tx.links.map((txId) => ({ kind: 'unclaimed-ended', txId }));
    case 'withdrawal.hold':
      return [{ kind: 'withdrawal-put', withdrawal: { ...withdrawalRecord(tx), holdTxId: tx.id } }];
    case 'withdrawal.complete':
    case 'withdrawal.release':
      return [{ kind: 'withdrawal-ended', id: withdrawalRecord(tx).id }];
    default:
      return [];
  }
}

/**
 * The most a customer's account (available or held) may hold in one currency: 10^12 minor units,
 * ten billion dollars. Far beyond real use, and small enough that a hundred of them fit in a
 * system account.
 */
export const CUSTOMER_BALANCE_MAX_MINOR = 10 ** 12;
/**
 * The most a system account (world, fees, fx, unclaimed) may hold or owe in one currency. Accounts
 * add up to zero and only system accounts go below it, so every customer balance together is at
 * most four of these: any sum of balances stays under 4 × 10^14, far inside 2^53.
 */
export const SYSTEM_BALANCE_MAX_MINOR = 10 ** 14;

const isCustomerAccount = (account: string): boolean => account.startsWith('user:') || account.startsWith('hold:');

/**
 * A balance after a posting. A posting that would take a balance past its bound is refused
 * (LIMIT_EXCEEDED) before the commit, so no balance, and no sum of balances, loses exactness; one
 * that brings a balance back towards zero always goes through. Past 2^53 is a damaged store: a bug.
 */
export function addToBalance(account: string, currency: string, current: MinorUnits, amountMinor: MinorUnits): MinorUnits {
  const next = current + amountMinor;
  if (!Number.isSafeInteger(next)) throw new Error(`balance of ${account} ${currency} overflowed`);
  const customer = isCustomerAccount(account);
  const max = customer ? CUSTOMER_BALANCE_MAX_MINOR : SYSTEM_BALANCE_MAX_MINOR;
  if (Math.abs(next) <= max || Math.abs(next) < Math.abs(current)) return next;
  throw new AppError(
    'LIMIT_EXCEEDED',
    customer
      ? `this would take the ${currency} balance of the receiving account past the most one account may hold (${max} minor units)`
      : `okpay cannot take more ${currency} into its ${account} account: it would go past ${max} minor units`,
    {
      hint: customer ? 'send or withdraw some of that balance first, or move less' : 'a limit of the store far beyond real use: tell the operator',
      details: { account, currency, limitMinor: max },
    },
  );
}

function withdrawalRecord(tx: Transaction): Withdrawal {
  const record = tx.details.record;
  if (!record || typeof record.id !== 'string') throw new Error(`${tx.id} (${tx.type}) carries no withdrawal record`);
  return { ...record, holdTxId: record.holdTxId ?? tx.id };
}

export function utcDay(iso: string): string {
  return iso.slice(0, 10);
}

/**
 * A user's outgoing totals per day with one amount added (or, for money that came back, taken
 * off, never below zero); days stay in ascending order and days at zero are dropped.
 */
export function addToLimitWindow(window: LimitWindow, day: string, usdMinor: MinorUnits): LimitWindow {
  const days = Object.keys(window);
  const last = days[days.length - 1];
  // The usual cases: the first payment of a new day, which sorts last, or another payment on the
  // latest day (its key keeps its place).
  if (usdMinor > 0 && (last === undefined || last < day)) return { ...window, [day]: usdMinor };
  if (usdMinor > 0 && last === day) return { ...window, [day]: (window[day] ?? 0) + usdMinor };
  const next = Math.max(0, (window[day] ?? 0) + usdMinor);
  const kept: Record<string, MinorUnits> = {};
  for (const d of [...new Set([...days, day])].sort(compareCodeUnits)) {
    const amount = d === day ? next : (window[d] ?? 0);
    if (amount > 0) kept[d] = amount;
  }
  return kept;
}
