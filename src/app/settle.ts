// What happens to money with the passing of time, as of now: payouts move on (processing,
// completed, or failed for documented test accounts), and money nobody claimed within 30 days goes
// back to its sender. Running it twice at the same moment finds nothing left to do, but for money
// that could not go back (below).
//
// Money going back (an expired transfer, a failed payout's hold) to an account with no room for it
// (at its balance bound, LIMIT_EXCEEDED) is held back: it stays where it is (unclaimed, or held and
// the payout processing), the run settles everything else, reports it and audits it, and every
// later run tries it again. Due items are walked a page at a time past the last one examined
// (keyset paging on the due index), so items held back at the front never hide those behind them.

import { AppError } from '../domain/errors.js';
import type { NewTransaction, Transaction } from '../domain/ledger.js';
import { settleDueAt, type UnclaimedTransfer, type Withdrawal } from '../domain/state.js';
import { planReturn } from '../domain/wallet.js';
import { payoutMail, returnedTransferMail } from '../domain/wallet-mails.js';
import { planCompletion, planRelease, settleSteps, type SettleStep } from '../domain/withdrawals.js';
import type { OrderedAfter } from '../store/records.js';
import type { RecordsTransaction } from '../store/store.js';
import { depsAt, type AppDeps } from './ports.js';
import { audit } from './audit.js';
import { formatMinor, postWithinBounds } from './wallet.js';
import { payoutRef } from './withdrawals.js';

/**
 * At most this many payouts moved on and as many returns made per run: a backlog larger than that
 * takes more runs. Items that cannot move (held back, or not yet on a business day) do not count
 * against it: the run reads on past them, a page of this many at a time.
 */
export const SETTLE_BATCH = 10_000;
/** The loop's bound: a run examines at most this many due payouts (and as many unclaimed transfers), once each. */
export const SETTLE_EXAMINED_MAX = 100 * SETTLE_BATCH;
/**
 * At most this many expired quotes and as many idempotency keys removed per run: each removal
 * rewrites the record file it lived in, so a backlog (a store older than this release) goes over
 * several runs rather than in one long commit.
 */
export const PRUNE_BATCH = 2_000;

export interface SettleSummary {
  processing: number;
  completed: number;
  failed: number;
  unclaimedReturned: number;
  quotesPruned: number;
  idempotencyKeysPruned: number;
  /** Money that should have gone back to its owner and could not: see `heldReturns`. */
  returnsHeld: number;
  transactions: string[];
  heldReturns: HeldReturn[];
}

/** Money held back from its owner by one run: it stays where it is until a run finds room for it. */
export interface HeldReturn {
  readonly kind: 'unclaimed-return' | 'failed-payout';
  /** The unclaimed transfer's id, or the withdrawal's. */
  readonly id: string;
  readonly userId: string;
  /** The owner's address, for the operator's report. */
  readonly email: string | null;
  readonly amountMinor: number;
  readonly currency: string;
  readonly refusal: AppError;
}

export async function settleMoney(t: RecordsTransaction, deps: AppDeps, batch = SETTLE_BATCH): Promise<SettleSummary> {
  // One moment for the whole run.
  const now = deps.now();
  const frozen = depsAt(deps, () => now);
  const summary: SettleSummary = {
    processing: 0,
    completed: 0,
    failed: 0,
    unclaimedReturned: 0,
    quotesPruned: 0,
    idempotencyKeysPruned: 0,
    returnsHeld: 0,
    transactions: [],
    heldReturns: [],
  };
  const nowIso = now.toISOString();
  await walkDue(
    batch,
    (after) => t.withdrawals.dueBy(nowIso, batch, after),
    (w) => ({ at: settleDueAt(w), key: w.id }),
    (w) => advancePayout(t, frozen, w, summary),
  );
  await walkDue(
    batch,
    (after) => t.unclaimed.expiredBy(nowIso, batch, after),
    (item) => ({ at: item.expiresAt, key: item.txId }),
    (item) => returnUnclaimed(t, frozen, item, summary),
  );
  await pruneExpired(t, now.getTime(), summary);
  return summary;
}

/**
 * Expired idempotency keys and quotes go, so they do not pile up for ever. An expired key answers
 * as no key at all, so removing it changes no outcome. An expired quote pays for nothing; a
 * transfer by quote id retried under its key is told by the key's transaction, not by the quote
 * (wallet.ts `priorPaymentOfQuote`), so a used quote need not outlive the keys that name it.
 */
async function pruneExpired(t: RecordsTransaction, nowMs: number, summary: SettleSummary): Promise<void> {
  const nowIso = new Date(nowMs).toISOString();
  const keys = await t.idempotency.expiredBy(nowIso, PRUNE_BATCH);
  for (const { userId, key } of keys) t.idempotency.delete(userId, key);
  const quotes = await t.quotes.expiredBy(nowIso, PRUNE_BATCH);
  for (const id of quotes) t.quotes.delete(id);
  summary.idempotencyKeysPruned = keys.length;
  summary.quotesPruned = quotes.length;
}

/**
 * Due items a page at a time, each page past the last item of the one before in the due index's
 * order (time, then key): `settle` is called on each until `batch` have moved, the index runs out,
 * or SETTLE_EXAMINED_MAX have been examined. An item that stays due (held back, or one whose due time
 * moved within the run) is not met again: each is examined once per run.
 */
async function walkDue<T>(
  batch: number,
  page: (after: OrderedAfter | undefined) => Promise<T[]>,
  placeOf: (item: T) => OrderedAfter,
  settle: (item: T) => Promise<boolean>,
): Promise<void> {
  const examined = new Set<string>();
  let after: OrderedAfter | undefined;
  let moved = 0;
  while (moved < batch && examined.size < SETTLE_EXAMINED_MAX) {
    const items = await page(after);
    if (items.length === 0) return;
    // The page's last place, taken before any item moves (moving changes a payout's due time).
    const places = items.map(placeOf);
    after = places.reduce((last, place) => (place.at > last.at || (place.at === last.at && place.key > last.key) ? place : last));
    for (const [index, item] of items.entries()) {
      const { key } = places[index]!;
      if (examined.has(key)) continue;
      examined.add(key);
      if (await settle(item)) moved += 1;
      if (moved >= batch || examined.size >= SETTLE_EXAMINED_MAX) return;
    }
  }
}

/** The payout moved on as far as now allows; true when it moved (not when it could not start yet or its failure was held back). */
async function advancePayout(t: RecordsTransaction, deps: AppDeps, withdrawal: Withdrawal, summary: SettleSummary): Promise<boolean> {
  let moved = false;
  for (const { step, tx, heldBack } of await movePayout(t, deps, withdrawal)) {
    if (heldBack) {
      const w = step.withdrawal;
      const amountMinor = w.amountMinor + w.feeMinor;
      await holdBack(t, deps, summary, { kind: 'failed-payout', id: w.id, userId: w.userId, amountMinor, currency: w.currency, refusal: heldBack });
      continue;
    }
    moved = true;
    if (!tx) {
      summary.processing += 1;
      continue;
    }
    summary[step.kind === 'complete' ? 'completed' : 'failed'] += 1;
    summary.transactions.push(tx.id);
    await mailPayout(t, deps, step.withdrawal, step.kind === 'complete' ? 'completed' : 'failed', tx);
  }
  return moved;
}

export interface PayoutMove {
  readonly step: SettleStep;
  /** The completion or the failure posted; null for the start of processing, and for a failure held back. */
  readonly tx: Transaction | null;
  /** Why a failed payout's hold could not go back to its owner: it stays held and the payout processing. */
  readonly heldBack: AppError | null;
}

/**
 * The settlement flow of one payout, as far as now allows and without the mails `settleMoney`
 * sends: processing starts on a business day, then the payout completes or is refused (its hold
 * goes back, unless its owner has no room for it: then it waits for a later run).
 */
export async function movePayout(t: RecordsTransaction, deps: AppDeps, withdrawal: Withdrawal): Promise<PayoutMove[]> {
  const ref = payoutRef(deps);
  const moves: PayoutMove[] = [];
  for (const step of settleSteps(withdrawal, await t.methods.get(withdrawal.methodId), ref.calendars, ref.payouts, deps.now().getTime())) {
    if (step.kind === 'processing') {
      moves.push({ step, tx: await settleStep(t, deps, step), heldBack: null });
      continue;
    }
    const posted = await postWithinBounds(t, stepTransaction(deps, step));
    moves.push(posted instanceof AppError ? { step, tx: null, heldBack: posted } : { step, tx: posted, heldBack: null });
  }
  return moves;
}

/** One step of a payout: processing is recorded on the withdrawal; completion and failure are posted. */
export async function settleStep(t: RecordsTransaction, deps: AppDeps, step: SettleStep): Promise<Transaction | null> {
  if (step.kind === 'processing') {
    t.withdrawals.put(step.withdrawal);
    return null;
  }
  return t.post(stepTransaction(deps, step));
}

function stepTransaction(deps: AppDeps, step: SettleStep & { kind: 'complete' | 'fail' }): NewTransaction {
  const nowIso = deps.now().toISOString();
  return step.kind === 'complete'
    ? planCompletion(step.withdrawal, nowIso)
    : planRelease(step.withdrawal, 'failed', 'the receiving account refused the payout', null, nowIso);
}

async function mailPayout(t: RecordsTransaction, deps: AppDeps, w: Withdrawal, outcome: 'completed' | 'failed', tx: Transaction): Promise<void> {
  const user = await t.users.get(w.userId);
  if (!user) return;
  t.mail(
    payoutMail(
      user,
      outcome,
      formatMinor(deps, w.amountMinor, w.currency),
      w.currency,
      w.methodLabel,
      outcome === 'failed' ? (tx.details.reason ?? null) : null,
    ),
    tx.at,
  );
}

/** An expired transfer back to its sender; true when it went back (false: held back). */
async function returnUnclaimed(t: RecordsTransaction, deps: AppDeps, item: UnclaimedTransfer, summary: SettleSummary): Promise<boolean> {
  const nowIso = deps.now().toISOString();
  const tx = await postWithinBounds(t, planReturn(item, nowIso));
  if (tx instanceof AppError) {
    const amountMinor = item.amountMinor + item.feeMinor;
    await holdBack(t, deps, summary, { kind: 'unclaimed-return', id: item.txId, userId: item.senderId, amountMinor, currency: item.currency, refusal: tx });
    return false;
  }
  summary.unclaimedReturned += 1;
  summary.transactions.push(tx.id);
  const sender = await t.users.get(item.senderId);
  if (sender)
    t.mail(
      returnedTransferMail(sender, item.toEmail ?? item.toPhone ?? '', formatMinor(deps, item.amountMinor + item.feeMinor, item.currency), item.currency),
      nowIso,
    );
  return true;
}

/** The return flow, without the sender's mail: money nobody claimed in time goes back, fee included. */
export function returnToSender(t: RecordsTransaction, deps: AppDeps, item: UnclaimedTransfer): Promise<Transaction> {
  return t.post(planReturn(item, deps.now().toISOString()));
}

/** Reported by this run and audited; the money stays where it is, and the next run tries again. */
async function holdBack(t: RecordsTransaction, deps: AppDeps, summary: SettleSummary, held: Omit<HeldReturn, 'email'>): Promise<void> {
  summary.returnsHeld += 1;
  summary.heldReturns.push({ ...held, email: (await t.users.get(held.userId))?.email ?? null });
  audit(t, deps.now().toISOString(), 'settle.return-held', null, held.userId, {
    kind: held.kind,
    of: held.id,
    amountMinor: held.amountMinor,
    currency: held.currency,
    reason: held.refusal.message,
  });
}
