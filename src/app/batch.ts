// Bulk payouts: every row is paid by the same transfer use-case, with its reference as the
// idempotency key (running a file again pays nobody twice); each row reports its own result, and
// an atomic batch is all rows or none.

import { isAppError, type ErrorCode } from '../domain/errors.js';
import type { Currency, MinorUnits } from '../domain/money.js';
import type { User } from '../domain/state.js';
import type { Recipient } from '../domain/validate.js';
import type { RecordsTransaction } from '../store/store.js';
import type { Actor } from './authenticate.js';
import type { AppDeps } from './ports.js';
import { audit } from './audit.js';
import { makeTransfer } from './wallet.js';

export interface BatchRow {
  readonly line: number;
  readonly reference: string;
  readonly recipient: Recipient;
  readonly to: string;
  readonly currency: Currency;
  readonly amountMinor: MinorUnits;
  readonly memo: string | null;
}

/** `waiting`: paid to an address with no account yet, so held as unclaimed until its owner joins. */
export type RowStatus = 'paid' | 'waiting' | 'already-paid' | 'failed' | 'not-sent';

export interface RowResult {
  readonly row: BatchRow;
  readonly status: RowStatus;
  readonly transaction: string | null;
  readonly feeMinor: MinorUnits | null;
  readonly error: { code: ErrorCode; message: string } | null;
}

/** Thrown out of the store transaction (so nothing commits) when a row of an atomic batch fails. */
export class AtomicBatchFailed extends Error {
  constructor(readonly results: RowResult[]) {
    super('atomic batch failed');
  }
}

/** Rows that pay the sender: as wrong as malformed ones, found before any row is paid. */
export function rowsToSelf(rows: readonly BatchRow[], sender: User): BatchRow[] {
  return rows.filter((row) => (row.recipient.kind === 'email' ? row.recipient.email === sender.email : row.recipient.phone === sender.phone));
}

const YIELD_EVERY = 250;

export async function payBatch(
  t: RecordsTransaction,
  deps: AppDeps,
  actor: Actor,
  rows: readonly BatchRow[],
  options: { atomic: boolean; progress?: (done: number) => void },
): Promise<RowResult[]> {
  const results: RowResult[] = [];
  // Each row looks up its reference and its payee: a store across a network reads them all in one go first.
  await t.idempotency.prefetch(
    actor.user.id,
    rows.map((row) => row.reference),
  );
  await t.users.prefetchRecipients(rows.map((row) => row.recipient));
  for (const [index, row] of rows.entries()) {
    results.push(await payRow(t, deps, actor, row));
    if (index % YIELD_EVERY === YIELD_EVERY - 1) {
      options.progress?.(index + 1);
      // Lets a progress bar draw during a long batch.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  options.progress?.(rows.length);
  const failed = results.filter((r) => r.status === 'failed');
  if (options.atomic && failed.length > 0)
    throw new AtomicBatchFailed(results.map((r) => (r.status === 'paid' || r.status === 'waiting' ? { ...r, status: 'not-sent', transaction: null } : r)));
  const paid = results.filter((r) => r.status === 'paid' || r.status === 'waiting');
  const { user } = actor;
  audit(t, deps.now().toISOString(), 'transfer.batch', user.id, user.id, {
    rows: rows.length,
    paid: paid.length,
    alreadyPaid: results.filter((r) => r.status === 'already-paid').length,
    failed: failed.length,
    first: paid[0]?.transaction ?? null,
    last: paid[paid.length - 1]?.transaction ?? null,
  });
  return results;
}

async function payRow(t: RecordsTransaction, deps: AppDeps, actor: Actor, row: BatchRow): Promise<RowResult> {
  try {
    const request = { to: row.to, amountMinor: row.amountMinor, currency: row.currency.code, toCurrency: row.currency.code };
    const sent = await makeTransfer(t, deps, actor, { request, memo: row.memo, idempotencyKey: row.reference, quoteId: null });
    if (sent.replayed) return { row, status: 'already-paid', transaction: sent.txId, feeMinor: null, error: null };
    return { row, status: sent.tx.type === 'transfer.unclaimed' ? 'waiting' : 'paid', transaction: sent.tx.id, feeMinor: sent.feeMinor, error: null };
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { row, status: 'failed', transaction: null, feeMinor: null, error: { code: error.code, message: error.message } };
  }
}
