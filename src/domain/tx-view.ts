// How a transaction looks to the person viewing it: direction, counterparty, the amounts that
// matter to them, and a status derived from the records it left and the transactions that followed it.

import { holdAccount, userAccount, type JournalEntry, type Transaction } from './ledger.js';
import { findCurrency, formatAmount, type Currency } from './money.js';
import type { TxId, UserId, Withdrawal } from './state.js';

export type TxStatus = 'completed' | 'unclaimed' | 'claimed' | 'returned' | 'refunded' | 'requested' | 'processing' | 'failed' | 'cancelled';

export interface TxView {
  readonly id: string;
  readonly type: string;
  readonly status: TxStatus;
  readonly direction: 'in' | 'out' | 'other';
  readonly amount: string | null;
  readonly currency: string | null;
  readonly fee: string | null;
  readonly feeCurrency: string | null;
  readonly receiveAmount: string | null;
  readonly receiveCurrency: string | null;
  readonly rate: string | null;
  readonly from: string | null;
  readonly to: string | null;
  readonly memo: string | null;
  /** What the viewer's balances gained or lost, per currency (available and held together). */
  readonly net: readonly { currency: string; amount: string }[];
  readonly createdAt: string;
  readonly links: readonly string[];
}

export interface Receipt extends TxView {
  readonly seq: number;
  readonly hash: string;
  readonly midRate: string | null;
  readonly feeLines: readonly { code: string; label: string; amount: string }[];
  readonly postings: readonly { account: string; currency: string; amount: string }[];
  readonly followedBy: readonly string[];
}

function fmt(amountMinor: number | undefined, code: string | undefined, currencies: readonly Currency[]): string | null {
  return amountMinor === undefined || code === undefined ? null : formatAmount(amountMinor, findCurrency(currencies, code));
}

/** What the store holds about one transaction now (`txFactsNeeded` says which to look up). */
export interface TxFacts {
  /** The refund of this transaction, if it was refunded. */
  readonly refundedBy: TxId | null;
  /** For an unclaimed transfer: whether its money still waits. */
  readonly stillUnclaimed: boolean;
  /** For a payout's hold: the withdrawal while it is in flight. */
  readonly liveWithdrawal: Withdrawal | null;
  /** Emails of the people the transaction names (sender, recipient); an id stands in for a missing one. */
  readonly emails: Readonly<Record<UserId, string>>;
}

/** The users a view of `tx` names, whose emails `TxFacts.emails` should hold. */
export function usersNamedBy(tx: Transaction): UserId[] {
  const d = tx.details;
  const ids = [d.sender ?? (PAID_BY_INITIATOR.has(tx.type) ? d.initiator : null), d.recipient?.userId];
  return [...new Set(ids.filter((id): id is UserId => typeof id === 'string'))];
}

function emailOf(facts: TxFacts, userId: UserId | null | undefined): string | null {
  return userId ? (facts.emails[userId] ?? userId) : null;
}

/** The status of a transaction now: `followUps` are later transactions that link to it. */
export function txStatus(facts: TxFacts, tx: Transaction, followUps: readonly Transaction[]): TxStatus {
  if (facts.refundedBy) return tx.type === 'withdrawal.complete' ? 'returned' : 'refunded';
  switch (tx.type) {
    case 'transfer.unclaimed':
      if (facts.stillUnclaimed) return 'unclaimed';
      return followUps.some((f) => f.type === 'unclaimed.return') ? 'returned' : 'claimed';
    case 'withdrawal.hold': {
      const live = facts.liveWithdrawal;
      if (live) return live.status;
      if (followUps.some((f) => f.type === 'withdrawal.return')) return 'returned';
      const end = followUps.find((f) => f.type === 'withdrawal.complete' || f.type === 'withdrawal.release');
      return end ? endStatus(end) : 'requested';
    }
    case 'withdrawal.release':
      return endStatus(tx);
    default:
      return 'completed';
  }
}

function endStatus(tx: Transaction): TxStatus {
  if (tx.type === 'withdrawal.complete') return 'completed';
  const status = tx.details.record?.status;
  return status === 'cancelled' ? 'cancelled' : 'failed';
}

/** Transactions paid by whoever started them (a transfer, a deposit, a payout). */
const PAID_BY_INITIATOR: ReadonlySet<string> = new Set([
  'transfer',
  'transfer.unclaimed',
  'deposit',
  'withdrawal.hold',
  'withdrawal.complete',
  'withdrawal.release',
]);

/** What the payee of a transfer gets: the converted amount, or the amount itself without conversion. */
function receivedOf(tx: Transaction): { amountMinor: number; currency: string } | null {
  const d = tx.details;
  if (d.receiveAmountMinor !== undefined && d.receiveCurrency !== undefined) return { amountMinor: d.receiveAmountMinor, currency: d.receiveCurrency };
  if ((tx.type === 'transfer' || tx.type === 'transfer.unclaimed') && d.amountMinor !== undefined && d.currency !== undefined)
    return { amountMinor: d.amountMinor, currency: d.currency };
  return null;
}

export function viewTransaction(
  facts: TxFacts,
  tx: Transaction,
  viewerId: UserId | null,
  followUps: readonly Transaction[],
  currencies: readonly Currency[],
): TxView {
  const d = tx.details;
  const senderId = d.sender ?? (PAID_BY_INITIATOR.has(tx.type) ? d.initiator : null);
  // A payment to a phone number shows the number, never the email of the account behind it.
  const recipientText = d.recipient ? (d.recipient.phone ?? emailOf(facts, d.recipient.userId) ?? d.recipient.email ?? null) : null;
  const received = receivedOf(tx);
  return {
    id: tx.id,
    type: tx.type,
    status: txStatus(facts, tx, followUps),
    direction: directionFor(tx, viewerId, senderId),
    amount: fmt(d.amountMinor, d.currency, currencies),
    currency: d.currency ?? null,
    fee: d.fee ? fmt(d.fee.amountMinor, d.fee.currency, currencies) : null,
    feeCurrency: d.fee?.currency ?? null,
    receiveAmount: fmt(received?.amountMinor, received?.currency, currencies),
    receiveCurrency: received?.currency ?? null,
    rate: d.fx?.rate ?? (received ? '1' : null),
    from:
      tx.type === 'deposit'
        ? `${d.source ?? 'external'} deposit`
        : tx.type === 'withdrawal.release' || tx.type === 'withdrawal.return'
          ? (d.record?.methodLabel ?? 'payout')
          : emailOf(facts, senderId),
    to: tx.type.startsWith('withdrawal') ? (d.record?.methodLabel ?? 'payout') : recipientText,
    memo: tx.memo,
    net:
      viewerId === null
        ? []
        : netFor(tx, viewerId).map((n) => ({ currency: n.currency, amount: formatAmount(n.amountMinor, findCurrency(currencies, n.currency)) })),
    createdAt: tx.at,
    links: tx.links,
  };
}

/** Money coming in from outside or coming back is incoming, even for the customer who started it. */
const INCOMING_TYPES: ReadonlySet<string> = new Set(['deposit', 'unclaimed.return', 'withdrawal.release', 'withdrawal.return']);

function directionFor(tx: Transaction, viewerId: UserId | null, senderId: UserId | null | undefined): TxView['direction'] {
  if (viewerId === null) return 'other';
  if (INCOMING_TYPES.has(tx.type)) return 'in';
  if (viewerId === senderId && tx.type !== 'unclaimed.claim') return 'out';
  return netFor(tx, viewerId).some((n) => n.amountMinor > 0) ? 'in' : 'out';
}

function netFor(tx: Transaction, userId: UserId): { currency: string; amountMinor: number }[] {
  const sums = new Map<string, number>();
  for (const p of tx.postings) {
    if (p.account === userAccount(userId) || p.account === holdAccount(userId)) sums.set(p.currency, (sums.get(p.currency) ?? 0) + p.amountMinor);
  }
  return [...sums].filter(([, amount]) => amount !== 0).map(([currency, amountMinor]) => ({ currency, amountMinor }));
}

export function receipt(
  facts: TxFacts,
  entry: JournalEntry,
  viewerId: UserId | null,
  followUps: readonly Transaction[],
  currencies: readonly Currency[],
): Receipt {
  const tx = entry.tx;
  const money = (minor: number, code: string) => formatAmount(minor, findCurrency(currencies, code));
  return {
    ...viewTransaction(facts, tx, viewerId, followUps, currencies),
    seq: entry.seq,
    hash: entry.hash,
    midRate: tx.details.fx?.midRate ?? (receivedOf(tx) ? '1' : null),
    feeLines: (tx.details.fee?.lines ?? []).map((l) => ({ code: l.code, label: l.label, amount: money(l.amountMinor, tx.details.fee?.currency ?? '') })),
    postings: tx.postings.map((p) => ({ account: p.account, currency: p.currency, amount: money(p.amountMinor, p.currency) })),
    followedBy: followUps.map((f) => f.id),
  };
}

/** Transactions among `candidates` that link back to `txId` (claims, returns, refunds, payout ends). */
export function followUpsOf(txId: string, candidates: readonly Transaction[]): Transaction[] {
  return candidates.filter((c) => c.links.includes(txId));
}
