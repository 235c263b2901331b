// transfer --batch FILE.csv: bulk payouts. Every row is checked before any money moves; each row's
// reference is its idempotency key, so running the same file again pays nobody twice; each row
// reports its own result; --atomic makes the whole batch all-or-nothing.

import { promises as fs } from 'node:fs';
import { parseCsv } from '../../domain/csv.js';
import { AppError, isAppError, type ErrorCode } from '../../domain/errors.js';
import type { Currency, MinorUnits } from '../../domain/money.js';
import { findCurrency, parseAmount } from '../../domain/money.js';
import type { User } from '../../domain/state.js';
import { classifyRecipient, validateMemo, type Recipient } from '../../domain/validate.js';
import { checkIdempotencyKey, describeRequest, fingerprint, planTransfer, priceTransfer, priorForKey, pruneWalletRecords, resolveRecipient, windowUsdMinor } from '../../domain/wallet.js';
import { userAccount } from '../../domain/ledger.js';
import { moneyWaitingMail } from '../../domain/wallet-mails.js';
import type { StoreTransaction } from '../../store/store.js';
import { audit, authenticate, sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { formatMoney, walletRef } from '../money.js';
import { confirmOrRequireYes } from '../prompts.js';
import { startProgress } from '../progress.js';
import { phoneCountry } from './wallet.js';

const MAX_BATCH_ROWS = 10_000;
const MAX_BATCH_BYTES = 10 * 1024 * 1024;

interface BatchRow {
  readonly line: number;
  readonly reference: string;
  readonly recipient: Recipient;
  readonly to: string;
  readonly currency: Currency;
  readonly amountMinor: MinorUnits;
  readonly memo: string | null;
}

type RowStatus = 'paid' | 'already-paid' | 'failed' | 'not-sent';

interface RowResult {
  readonly line: number;
  readonly reference: string;
  readonly to: string;
  readonly amount: string;
  readonly currency: string;
  readonly status: RowStatus;
  readonly transaction: string | null;
  readonly fee: string | null;
  readonly error: { code: ErrorCode; message: string } | null;
}

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
      if (prior !== undefined) throw new AppError('INVALID_INPUT', `reference "${reference}" is also used on line ${prior}`);
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
  for (const problem of problems.slice(0, 50)) ctx.io.writeErr(`okpay: ${file}: ${problem}\n`);
  throw new AppError('INVALID_FILE', `${file} has ${problems.length} invalid row${problems.length === 1 ? '' : 's'}; nothing was sent`, { hint: 'columns: to,amount,currency,memo,reference — fix the rows and run again' });
}

/** A row paying the sender is as wrong as a malformed one, and is found before any row is paid. */
function rowsToSelf(rows: readonly BatchRow[], sender: User): string[] {
  const own = (row: BatchRow) => (row.recipient.kind === 'email' ? row.recipient.email === sender.email : row.recipient.phone === sender.phone);
  return rows.filter(own).map((row) => `line ${row.line}: you cannot send money to yourself`);
}

export async function runBatch(ctx: Context, file: string, options: { yes?: boolean; atomic?: boolean }): Promise<void> {
  const rows = validateRows(ctx, file, await readBatchFile(ctx, file));
  const token = await sessionToken(ctx);
  const { user } = await ctx.store.transaction((t) => authenticate(ctx, t, token));
  const toSelf = rowsToSelf(rows, user);
  if (toSelf.length > 0) refuseRows(ctx, file, toSelf);
  await confirmOrRequireYes(ctx, `Pay ${rows.length} row${rows.length === 1 ? '' : 's'} (${totals(ctx, rows)}) plus fees?`, options.yes);
  const progress = startProgress(ctx, 'paying', rows.length, 50);
  let outcome: { results: RowResult[]; failed: RowResult[] };
  try {
    outcome = await ctx.store.transaction((t) => payRows(ctx, t, token, rows, options.atomic === true, progress.tick));
  } catch (error) {
    if (!(error instanceof AtomicBatchFailed)) throw error;
    outcome = { results: error.results, failed: error.results.filter((r) => r.status === 'failed') };
  } finally {
    progress.stop();
  }
  report(ctx, outcome.results, options.atomic === true);
  const first = outcome.failed[0];
  if (first?.error) {
    const rolledBack = options.atomic ? '; the batch is atomic, so nothing was sent' : '';
    throw new AppError(first.error.code, `${outcome.failed.length} of ${rows.length} rows failed (first: line ${first.line}: ${first.error.message})${rolledBack}`);
  }
}

function totals(ctx: Context, rows: readonly BatchRow[]): string {
  const sums = new Map<string, number>();
  for (const row of rows) sums.set(row.currency.code, (sums.get(row.currency.code) ?? 0) + row.amountMinor);
  return [...sums].map(([code, sum]) => `${formatMoney(ctx, sum, code)} ${code}`).join(', ');
}

class AtomicBatchFailed extends Error {
  constructor(readonly results: RowResult[]) {
    super('atomic batch failed');
  }
}

async function payRows(ctx: Context, t: StoreTransaction, token: string | null, rows: readonly BatchRow[], atomic: boolean, tick: (n: number) => void): Promise<{ results: RowResult[]; failed: RowResult[] }> {
  const { user } = authenticate(ctx, t, token);
  const nowMs = ctx.now().getTime();
  pruneWalletRecords(t.state, nowMs);
  const lookup = indexUsers(t.state.users);
  const window = { usdMinor: windowUsdMinor(t.state.limitWindows[user.id] ?? {}, nowMs) };
  const results: RowResult[] = [];
  for (const [index, row] of rows.entries()) {
    results.push(payRow(ctx, t, user, row, { lookup, window }, nowMs));
    if (index % 250 === 249) {
      tick(index + 1);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  tick(rows.length);
  const failed = results.filter((r) => r.status === 'failed');
  if (atomic && failed.length > 0) throw new AtomicBatchFailed(results.map((r) => (r.status === 'paid' ? { ...r, status: 'not-sent', transaction: null } : r)));
  const paid = results.filter((r) => r.status === 'paid');
  audit(ctx, t, 'transfer.batch', user.id, user.id, { rows: rows.length, paid: paid.length, alreadyPaid: results.filter((r) => r.status === 'already-paid').length, failed: failed.length, first: paid[0]?.transaction ?? null, last: paid[paid.length - 1]?.transaction ?? null });
  return { results, failed };
}

type UserLookup = (recipient: Recipient) => User | null;

function indexUsers(users: Readonly<Record<string, User>>): UserLookup {
  const byEmail = new Map<string, User>();
  const byPhone = new Map<string, User>();
  for (const user of Object.values(users)) {
    byEmail.set(user.email, user);
    if (user.phone) byPhone.set(user.phone, user);
  }
  return (recipient) => (recipient.kind === 'email' ? byEmail.get(recipient.email) : byPhone.get(recipient.phone)) ?? null;
}

interface BatchScope {
  readonly lookup: UserLookup;
  /** The running 30-day total, so limits are checked against every row paid before this one. */
  readonly window: { usdMinor: MinorUnits };
}

function payRow(ctx: Context, t: StoreTransaction, sender: User, row: BatchRow, scope: BatchScope, nowMs: number): RowResult {
  const base = { line: row.line, reference: row.reference, to: row.to, amount: formatMoney(ctx, row.amountMinor, row.currency.code), currency: row.currency.code };
  try {
    const request = { to: row.to, amountMinor: row.amountMinor, currency: row.currency.code, toCurrency: row.currency.code };
    const print = fingerprint({ ...describeRequest(request), memo: row.memo });
    const prior = priorForKey(t.state.idempotency[`${sender.id}:${row.reference}`] ?? null, row.reference, print, nowMs);
    if (prior) return { ...base, status: 'already-paid', transaction: prior, fee: null, error: null };
    const to = resolveRecipient(sender, row.recipient, scope.lookup(row.recipient), phoneCountry(ctx));
    const quote = priceTransfer(walletRef(ctx), sender, to, row.amountMinor, row.currency, row.currency);
    const availableMinor = t.state.balances[userAccount(sender.id)]?.[row.currency.code] ?? 0;
    const plan = { sender, to, quote, currency: row.currency, memo: row.memo, quoteId: null, idempotency: { key: row.reference, fingerprint: print }, nowMs, availableMinor, windowUsdMinor: scope.window.usdMinor };
    const tx = t.postNow(planTransfer(walletRef(ctx), plan));
    scope.window.usdMinor += tx.details.outgoingUsdMinor ?? 0;
    if (!to.user && row.recipient.kind === 'email') {
      t.mail(moneyWaitingMail(row.recipient.email, sender.name ?? sender.email, base.amount, row.currency.code, tx.details.unclaimedExpiresAt ?? tx.at), tx.at);
    }
    return { ...base, status: 'paid', transaction: tx.id, fee: formatMoney(ctx, quote.feeMinor, quote.currency), error: null };
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { ...base, status: 'failed', transaction: null, fee: null, error: { code: error.code, message: error.message } };
  }
}

function report(ctx: Context, results: readonly RowResult[], atomic: boolean): void {
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
