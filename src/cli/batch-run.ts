// transfer --batch FILE.csv: the file read and every row checked before any money moves, then
// paid by the batch use-case (src/app/batch.ts), one result per row.

import { promises as fs } from 'node:fs';
import { AtomicBatchFailed, payBatch, rowsToSelf, type BatchRow, type RowResult, type RowStatus } from '../app/batch.js';
import { parseCsv } from '../domain/csv.js';
import { AppError, isAppError } from '../domain/errors.js';
import { findCurrency, parseAmount } from '../domain/money.js';
import { classifyRecipient, validateMemo } from '../domain/validate.js';
import { checkIdempotencyKey } from '../domain/idempotency.js';
import type { Context } from './context.js';
import { formatMoney } from './money-flags.js';
import { confirmOrRequireYes } from './prompts.js';
import { counted } from './output.js';
import { startProgress } from './progress.js';
import { asSignedIn, lookSignedIn, rehearseSignedIn } from './signed-in.js';
import { fileText } from './utf8.js';

const MAX_BATCH_ROWS = 10_000;
const MAX_BATCH_BYTES = 10 * 1024 * 1024;

async function readBatchFile(ctx: Context, file: string): Promise<string> {
  if (file === '-') return ctx.io.readStdin();
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new AppError('INVALID_FILE', `${file} is not a file`);
    if (stat.size > MAX_BATCH_BYTES)
      throw new AppError('INVALID_FILE', `${file} is larger than 10 MiB`, { hint: `split it: at most ${MAX_BATCH_ROWS} rows per batch` });
    return fileText(await fs.readFile(file), file);
  } catch (error) {
    if (isAppError(error)) throw error;
    throw new AppError(
      'INVALID_FILE',
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'permission denied or unreadable'}`,
    );
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
  throw new AppError('INVALID_FILE', `${file} has ${problems.length} invalid row${problems.length === 1 ? '' : 's'}; nothing was sent`, {
    hint: 'columns: to,amount,currency,memo,reference — fix the rows and run again',
  });
}

export interface BatchOptions {
  readonly yes?: boolean;
  readonly atomic?: boolean;
  /** Price and check every row as it would be paid, then change nothing. */
  readonly dryRun?: boolean;
  /** The per-row table even when every row went through. */
  readonly verbose?: boolean;
}

export async function runBatch(ctx: Context, file: string, options: BatchOptions): Promise<void> {
  const rows = validateRows(ctx, file, await readBatchFile(ctx, file));
  const { user } = await lookSignedIn(ctx, async (_t, actor) => actor);
  const toSelf = rowsToSelf(rows, user).map((row) => `line ${row.line}: you cannot send money to yourself`);
  if (toSelf.length > 0) refuseRows(ctx, file, toSelf);
  const atomic = options.atomic === true;
  const shown = { atomic, dryRun: options.dryRun === true, verbose: options.verbose === true };
  if (shown.dryRun) return finish(ctx, rows, await payRows(ctx, rows, atomic, true), shown);
  // The question states what the rows would cost, fees included, found by a rehearsal of the batch.
  const question = options.yes || !ctx.io.stdinIsTTY ? '' : confirmation(ctx, await payRows(ctx, rows, atomic, true));
  await confirmOrRequireYes(ctx, question, options.yes);
  finish(ctx, rows, await payRows(ctx, rows, atomic, false), shown);
}

async function payRows(ctx: Context, rows: readonly BatchRow[], atomic: boolean, rehearsal: boolean): Promise<RowResult[]> {
  const progress = startProgress(ctx, rehearsal ? 'pricing' : 'paying', rows.length, 50);
  const run = rehearsal ? rehearseSignedIn : asSignedIn;
  try {
    return await run(ctx, (t, actor) => payBatch(t, ctx, actor, rows, { atomic, progress: progress.tick }));
  } catch (error) {
    if (!(error instanceof AtomicBatchFailed)) throw error;
    return error.results;
  } finally {
    progress.stop();
  }
}

function finish(ctx: Context, rows: readonly BatchRow[], results: readonly RowResult[], shown: { atomic: boolean; dryRun: boolean; verbose: boolean }): void {
  report(ctx, results, shown);
  const failed = results.filter((r) => r.status === 'failed');
  const first = failed[0];
  if (first?.error) {
    const rolledBack = shown.dryRun ? '; this was a dry run, so nothing was sent' : shown.atomic ? '; the batch is atomic, so nothing was sent' : '';
    throw new AppError(
      first.error.code,
      `${failed.length} of ${rows.length} rows ${shown.dryRun ? 'would fail' : 'failed'} (first: line ${first.row.line}: ${first.error.message})${rolledBack}`,
    );
  }
}

/** "Pay 3 rows: 17.00 USD + 0.09 USD fees = 17.09 USD?", with the rows that would not go through. */
function confirmation(ctx: Context, results: readonly RowResult[]): string {
  const summary = summarize(ctx, results);
  const moving = summary.paid + summary.waiting;
  const skipped = [summary.alreadyPaid > 0 ? `${summary.alreadyPaid} already paid` : '', summary.failed > 0 ? `${summary.failed} would fail` : ''].filter(
    (part) => part !== '',
  );
  return `Pay ${counted(moving, 'row')}: ${totalsText(summary.totals)}${skipped.length > 0 ? ` (${skipped.join(', ')})` : ''}?`;
}

interface CurrencyTotal {
  readonly currency: string;
  readonly amount: string;
  readonly fee: string;
  readonly total: string;
}

/** What left (or would leave) the sender's balance, per currency: the rows paid now and their fees. */
function totalsOf(ctx: Context, results: readonly RowResult[]): CurrencyTotal[] {
  const sums = new Map<string, { amount: number; fee: number }>();
  for (const r of results) {
    if (r.status !== 'paid' && r.status !== 'waiting') continue;
    const sum = sums.get(r.row.currency.code) ?? { amount: 0, fee: 0 };
    sums.set(r.row.currency.code, { amount: sum.amount + r.row.amountMinor, fee: sum.fee + (r.feeMinor ?? 0) });
  }
  return [...sums].map(([code, sum]) => ({
    currency: code,
    amount: formatMoney(ctx, sum.amount, code),
    fee: formatMoney(ctx, sum.fee, code),
    total: formatMoney(ctx, sum.amount + sum.fee, code),
  }));
}

function totalsText(totals: readonly CurrencyTotal[]): string {
  if (totals.length === 0) return 'nothing to pay';
  return totals.map((t) => `${t.amount} ${t.currency} + ${t.fee} ${t.currency} fees = ${t.total} ${t.currency}`).join('; ');
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

function summarize(ctx: Context, results: readonly RowResult[]) {
  const count = (status: RowStatus) => results.filter((r) => r.status === status).length;
  return {
    rows: results.length,
    paid: count('paid'),
    waiting: count('waiting'),
    alreadyPaid: count('already-paid'),
    failed: count('failed'),
    notSent: count('not-sent'),
    totals: totalsOf(ctx, results),
  };
}

const DETAIL: Partial<Record<RowStatus, string>> = {
  waiting: 'waits for its payee to open an account',
  'not-sent': 'not sent: another row failed',
};

function report(ctx: Context, rowResults: readonly RowResult[], shown: { atomic: boolean; dryRun: boolean; verbose: boolean }): void {
  const summary = { ...summarize(ctx, rowResults), atomic: shown.atomic, ...(shown.dryRun ? { dryRun: true } : {}) };
  // A rehearsal's transaction ids were never committed: they would be other payments' ids.
  const results = rowResults.map((r) => ({ ...rowDocument(ctx, r), ...(shown.dryRun ? { transaction: null } : {}) }));
  ctx.out.data({ batch: summary, results }, () => {
    if (shown.verbose || summary.failed > 0) {
      ctx.out.table(
        [
          { key: 'line', title: 'Line', align: 'right' },
          { key: 'reference', title: 'Reference' },
          { key: 'to', title: 'To' },
          { key: 'money', title: 'Amount', align: 'right' },
          { key: 'fee', title: 'Fee', align: 'right' },
          { key: 'status', title: 'Result' },
          { key: 'detail', title: 'Transaction or reason' },
        ],
        results.map((r) => ({
          line: r.line,
          reference: r.reference,
          to: r.to,
          money: `${r.amount} ${r.currency}`,
          fee: r.fee ?? '',
          status: r.status,
          detail: r.error?.message ?? DETAIL[r.status] ?? r.transaction ?? '',
        })),
      );
    }
    for (const line of summaryLines(summary, shown)) ctx.out.text(line);
  });
}

function summaryLines(summary: ReturnType<typeof summarize>, shown: { atomic: boolean; dryRun: boolean }): string[] {
  const would = shown.dryRun ? 'would be ' : '';
  const counts = [
    `${summary.paid} ${would}paid`,
    `${summary.waiting} ${shown.dryRun ? 'would wait' : 'waiting'} for their payee to open an account`,
    `${summary.alreadyPaid} already paid before`,
    `${summary.failed} ${shown.dryRun ? 'would fail' : 'failed'}`,
    ...(summary.notSent > 0 ? [`${summary.notSent} not sent`] : []),
  ].join(', ');
  if (shown.dryRun) return [`Dry run, nothing was sent. ${counted(summary.rows, 'row')}: ${counts}.`, `It would charge ${totalsText(summary.totals)}.`];
  return [`${counted(summary.rows, 'row')}: ${counts}.`, summary.totals.length > 0 ? `Charged ${totalsText(summary.totals)}.` : 'Nothing was charged.'];
}
