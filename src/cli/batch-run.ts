// transfer --batch FILE.csv: the file read and every row checked before any money moves, then
// paid by the batch use-case (src/app/batch.ts), one result per row.

import { promises as fs } from 'node:fs';
import { AtomicBatchFailed, payBatch, rowsToSelf, type BatchRow, type RowResult, type RowStatus } from '../app/batch.js';
import { parseCsv } from '../domain/csv.js';
import { AppError, isAppError } from '../domain/errors.js';
import { findCurrency, parseAmount } from '../domain/money.js';
import { classifyRecipient, validateMemo } from '../domain/validate.js';
import { checkIdempotencyKey } from '../domain/wallet.js';
import type { Context } from './context.js';
import { formatMoney } from './money-flags.js';
import { confirmOrRequireYes } from './prompts.js';
import { startProgress } from './progress.js';
import { asSignedIn } from './signed-in.js';

const MAX_BATCH_ROWS = 10_000;
const MAX_BATCH_BYTES = 10 * 1024 * 1024;

async function readBatchFile(ctx: Context, file: string): Promise<string> {
  if (file === '-') return ctx.io.readStdin();
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new AppError('INVALID_FILE', `${file} is not a file`);
    if (stat.size > MAX_BATCH_BYTES) throw new AppError('INVALID_FILE', `${file} is larger than 10 MiB`, { hint: `split it: at most ${MAX_BATCH_ROWS} rows per batch` });
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if (isAppError(error)) throw error;
    throw new AppError('INVALID_FILE', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'permission denied or unreadable'}`);
  }
}

/** Checks every row; any bad row stops the batch before money moves. */
function validateRows(ctx: Context, file: string, text: string): BatchRow[] {
  const parsed = parseCsv(text, { maxRows: MAX_BATCH_ROWS, requiredColumns: ['to', 'amount', 'currency', 'reference'], optionalColumns: ['memo'] });
  const problems = parsed.errors.map((e) => `line ${e.line}: ${e.message}`);
  const rows: BatchRow[] = [];
  const seen = new Map<string, number>();
  parsed.rows.forEach((raw, index) => {
    const line = parsed.rowLines[index] ?? index + 2;
    try {
      const reference = checkIdempotencyKey((raw['reference'] ?? '').trim());
      const prior = seen.get(reference);
      if (prior !== undefined) throw new AppError('DUPLICATE_REFERENCE', `reference "${reference}" is also used on line ${prior}`);
      seen.set(reference, line);
      const recipient = classifyRecipient((raw['to'] ?? '').trim());
      const currency = findCurrency(ctx.ref.currencies, (raw['currency'] ?? '').trim());
      const amountMinor = parseAmount((raw['amount'] ?? '').trim(), currency);
      const memo = validateMemo(raw['memo'] ?? '');
      rows.push({ line, reference, recipient, to: recipient.kind === 'email' ? recipient.email : recipient.phone, currency, amountMinor, memo });
    } catch (error) {
      if (!isAppError(error)) throw error;
      problems.push(`line ${line}: ${error.message}`);
    }
  });
  if (parsed.rows.length === 0 && problems.length === 0) throw new AppError('INVALID_FILE', `${file} has no rows to pay`);
  if (problems.length > 0) refuseRows(ctx, file, problems);
  return rows;
}

function refuseRows(ctx: Context, file: string, problems: readonly string[]): never {
  for (const problem of problems.slice(0, 50)) ctx.out.note(`okpay: ${file}: ${problem}`);
  throw new AppError('INVALID_FILE', `${file} has ${problems.length} invalid row${problems.length === 1 ? '' : 's'}; nothing was sent`, { hint: 'columns: to,amount,currency,memo,reference — fix the rows and run again' });
}

export async function runBatch(ctx: Context, file: string, options: { yes?: boolean; atomic?: boolean }): Promise<void> {
  const rows = validateRows(ctx, file, await readBatchFile(ctx, file));
  const { user } = await asSignedIn(ctx, async (_t, actor) => actor);
  const toSelf = rowsToSelf(rows, user).map((row) => `line ${row.line}: you cannot send money to yourself`);
  if (toSelf.length > 0) refuseRows(ctx, file, toSelf);
  await confirmOrRequireYes(ctx, `Pay ${rows.length} row${rows.length === 1 ? '' : 's'} (${totals(ctx, rows)}) plus fees?`, options.yes);
  const atomic = options.atomic === true;
  const progress = startProgress(ctx, 'paying', rows.length, 50);
  let results: RowResult[];
  try {
    results = await asSignedIn(ctx, (t, actor) => payBatch(t, ctx, actor, rows, { atomic, progress: progress.tick }));
  } catch (error) {
    if (!(error instanceof AtomicBatchFailed)) throw error;
    results = error.results;
  } finally {
    progress.stop();
  }
  report(ctx, results, atomic);
  const failed = results.filter((r) => r.status === 'failed');
  const first = failed[0];
  if (first?.error) {
    const rolledBack = atomic ? '; the batch is atomic, so nothing was sent' : '';
    throw new AppError(first.error.code, `${failed.length} of ${rows.length} rows failed (first: line ${first.row.line}: ${first.error.message})${rolledBack}`);
  }
}

function totals(ctx: Context, rows: readonly BatchRow[]): string {
  const sums = new Map<string, number>();
  for (const row of rows) sums.set(row.currency.code, (sums.get(row.currency.code) ?? 0) + row.amountMinor);
  return [...sums].map(([code, sum]) => `${formatMoney(ctx, sum, code)} ${code}`).join(', ');
}

function rowDocument(ctx: Context, r: RowResult) {
  const { row } = r;
  return {
    line: row.line,
    reference: row.reference,
    to: row.to,
    amount: formatMoney(ctx, row.amountMinor, row.currency.code),
    currency: row.currency.code,
    status: r.status,
    transaction: r.transaction,
    fee: r.feeMinor === null ? null : formatMoney(ctx, r.feeMinor, row.currency.code),
    error: r.error,
  };
}

function report(ctx: Context, rowResults: readonly RowResult[], atomic: boolean): void {
  const results = rowResults.map((r) => rowDocument(ctx, r));
  const count = (status: RowStatus) => results.filter((r) => r.status === status).length;
  const summary = { rows: results.length, paid: count('paid'), alreadyPaid: count('already-paid'), failed: count('failed'), notSent: count('not-sent'), atomic };
  ctx.out.data({ batch: summary, results }, () => {
    ctx.out.table(
      [
        { key: 'line', title: 'Line', align: 'right' },
        { key: 'reference', title: 'Reference' },
        { key: 'to', title: 'To' },
        { key: 'money', title: 'Amount', align: 'right' },
        { key: 'status', title: 'Result' },
        { key: 'detail', title: 'Transaction / reason' },
      ],
      results.map((r) => ({ line: r.line, reference: r.reference, to: r.to, money: `${r.amount} ${r.currency}`, status: r.status, detail: r.transaction ?? r.error?.message ?? (r.status === 'not-sent' ? 'not sent: another row failed' : '') })),
    );
    ctx.out.note(`${summary.paid} paid, ${summary.alreadyPaid} already paid before, ${summary.failed} failed${atomic && summary.notSent ? `, ${summary.notSent} not sent` : ''}`);
  });
}
