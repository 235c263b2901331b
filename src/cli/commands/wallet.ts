// balance, deposit, fee quote transfer, transfer: flags in, a use-case of src/app/wallet.ts, output.

import type { Command } from '@commander-js/extra-typings';
import type { Actor } from '../../app/authenticate.js';
import { deposit, quoteTransfer, transfer, usableQuoteOf, walletRef, type TransferInput } from '../../app/wallet.js';
import { AppError } from '../../domain/errors.js';
import type { StoredQuote } from '../../domain/state.js';
import { classifyRecipient, validateMemo } from '../../domain/validate.js';
import type { DepositSource } from '../../domain/wallet.js';
import { checkIdempotencyKey } from '../../domain/idempotency.js';
import type { ReadAhead, RecordsTransaction } from '../../store/store.js';
import type { Context } from '../context.js';
import { action, examples, group, subcommand, type App, type OptionsOf } from '../command-builder.js';
import { amountFlag, currencyFlag, formatMoney } from '../money-flags.js';
import { askForMissing, confirmOrRequireYes, missingFlags, YES_FLAG } from '../prompts.js';
import { asSignedIn, rehearseSignedIn } from '../signed-in.js';
import { confirmSignedIn, sessionToken } from '../auth.js';
import { printQuote, quoteDocument } from '../wallet-kit.js';

export function registerWalletCommands(program: Command, app: App): Command {
  registerDeposit(program, app);
  const fee = group(program, 'fee', 'what a payment will cost, before you make it');
  const quote = group(fee, 'quote', 'a binding price with an id: fee lines, rate, amount received, expiry (30 minutes)');
  registerTransferQuote(quote, app);
  registerTransfer(program, app);
  return quote;
}

function registerDeposit(program: Command, app: App): void {
  const command = subcommand(program, 'deposit', 'add money from a card or a bank account')
    .requiredOption('--amount <amount>', 'how much, e.g. 100.00')
    .requiredOption('--currency <code>', 'currency, e.g. USD')
    .option('--source <source>', 'card or bank', 'card')
    .option('-y, --yes', 'do not ask for confirmation on a terminal (a deposit only adds to your own wallet: scripts need not pass it)');
  examples(command, ['okpay deposit --amount 250 --currency EUR', 'okpay deposit --amount 1200 --currency JPY --source bank --yes --json']);
  action(app, command, async (ctx, o) => {
    const currency = currencyFlag(ctx, o.currency);
    const amountMinor = amountFlag(o.amount, currency);
    if (o.source !== 'card' && o.source !== 'bank')
      throw new AppError('INVALID_CHOICE', `"${o.source.slice(0, 20)}" is not a deposit source`, { hint: 'use --source card or --source bank' });
    const source: DepositSource = o.source;
    if (ctx.io.stdinIsTTY)
      await confirmSignedIn(
        ctx,
        await sessionToken(ctx),
        {},
        `Deposit ${formatMoney(ctx, amountMinor, currency.code)} ${currency.code} from your ${source}?`,
        o.yes,
      );
    const result = await asSignedIn(ctx, (t, actor) => deposit(t, ctx, actor, { amountMinor, currency, source }));
    ctx.out.data({ transaction: result.view }, () =>
      ctx.out.success(`Deposited ${result.view.amount} ${currency.code} from your ${source} (${result.tx.id}).`),
    );
  });
}

/** `fee quote transfer` has some of the flags of `transfer`, each required. */
type TransferFlags = Partial<OptionsOf<ReturnType<typeof transferCommand>>>;

/** The payee, amount and currency: from flags, else asked for on a terminal (`transfer` only). */
async function payment(ctx: Context, o: TransferFlags, ask: boolean): Promise<{ to: string; amount: string; currency: string }> {
  const wanted = [
    { flag: '--to', message: 'Pay to (email or phone number with + and country code):', given: o.to, check: (text: string) => classifyRecipient(text) },
    { flag: '--currency', message: 'Currency you send (e.g. USD):', given: o.currency, check: (text: string) => currencyFlag(ctx, text) },
    {
      flag: '--amount',
      message: 'Amount:',
      given: o.amount,
      check: (text: string, earlier: ReadonlyMap<string, string>) => amountFlag(text, currencyFlag(ctx, earlier.get('--currency'))),
    },
  ];
  const missing = wanted.filter((value) => value.given === undefined).map((value) => value.flag);
  if (!ask && missing.length > 0) throw missingFlags(missing, 'see `okpay fee quote transfer --help`');
  const [to = '', currency = '', amount = ''] = await askForMissing(ctx, wanted);
  return { to, amount, currency };
}

async function parseTransferFlags(ctx: Context, o: TransferFlags, ask: boolean): Promise<TransferInput> {
  const memo = o.memo === undefined ? null : validateMemo(o.memo);
  const key = o.idempotencyKey === undefined ? null : checkIdempotencyKey(o.idempotencyKey);
  const quoteId = o.quote === undefined ? null : o.quote.trim();
  const given = [o.to, o.amount, o.currency].filter((v) => v !== undefined).length;
  if (quoteId !== null && given === 0) return { request: null, memo, idempotencyKey: key, quoteId };
  const flags = await payment(ctx, o, ask);
  const recipient = classifyRecipient(flags.to);
  const currency = currencyFlag(ctx, flags.currency);
  const toCurrency = o.toCurrency === undefined ? currency : currencyFlag(ctx, o.toCurrency, '--to-currency');
  const amountMinor = amountFlag(flags.amount, currency);
  const to = recipient.kind === 'email' ? recipient.email : recipient.phone;
  return { request: { to, amountMinor, currency: currency.code, toCurrency: toCurrency.code }, memo, idempotencyKey: key, quoteId };
}

function registerTransferQuote(parent: Command, app: App): void {
  const command = subcommand(parent, 'transfer', 'price a transfer (binding for 30 minutes: pass its id to `okpay transfer --quote`)')
    .requiredOption('--to <payee>', 'the payee’s email or phone number')
    .requiredOption('--amount <amount>', 'how much to send')
    .requiredOption('--currency <code>', 'the currency you send')
    .option('--to-currency <code>', 'the currency the payee receives (converted at our rate)');
  examples(command, [
    'okpay fee quote transfer --to bob@example.com --amount 100 --currency USD',
    'okpay fee quote transfer --to +4915112345678 --amount 100 --currency USD --to-currency EUR --json',
  ]);
  action(app, command, async (ctx, o) => {
    const { request } = await parseTransferFlags(ctx, o, false);
    if (!request) throw new AppError('USAGE', '--to, --amount and --currency are required');
    const quote = await asSignedIn(ctx, (t, actor) => quoteTransfer(t, ctx, actor, request));
    ctx.out.data({ quote: quoteDocument(ctx, quote) }, () => printQuote(ctx, quote));
  });
}

function transferCommand(program: Command) {
  return subcommand(program, 'transfer', 'send money to an email address or phone number')
    .option('--to <payee>', 'the payee’s email or phone number (+ and country code; asked for on a terminal)')
    .option('--amount <amount>', 'how much to send, e.g. 25.00 (asked for on a terminal)')
    .option('--currency <code>', 'the currency you send (asked for on a terminal)')
    .option('--to-currency <code>', 'the currency the payee receives (converted at our rate)')
    .option('--memo <text>', 'a note for the payee (up to 140 characters)')
    .option('--idempotency-key <key>', 'makes a retry safe: the same key never pays twice')
    .option('--quote <id>', 'pay exactly what this quote says (from `okpay fee quote transfer`)')
    .option('--batch <file.csv>', 'pay every row of a CSV file (to,amount,currency,memo,reference)')
    .option('--atomic', 'with --batch: all rows or none')
    .option('--dry-run', 'price and check the payment (or every row of --batch) exactly as it would be made, and change nothing')
    .option('--verbose', 'with --batch: the result of every row, not only the summary (rows that fail are always shown)')
    .option(...YES_FLAG);
}

function registerTransfer(program: Command, app: App): void {
  const command = transferCommand(program);
  examples(command, [
    'okpay transfer --to bob@example.com --amount 25 --currency USD --memo "lunch"',
    'okpay transfer --to +4915112345678 --amount 100 --currency USD --to-currency EUR --yes',
    'okpay transfer --quote qt_abc123 --yes',
    'okpay transfer --to bob@example.com --amount 25 --currency USD --idempotency-key inv-42 --yes --json',
    'okpay transfer --to bob@example.com --amount 25 --currency USD --dry-run',
    'okpay transfer --batch payouts.csv --dry-run',
    'okpay transfer --batch payouts.csv --yes --verbose',
  ]);
  action(app, command, async (ctx, o) => {
    if (o.batch !== undefined) {
      const { runBatch } = await import('../batch-run.js');
      return runBatch(ctx, o.batch, { yes: o.yes, atomic: o.atomic, dryRun: o.dryRun, verbose: o.verbose });
    }
    if (o.atomic || o.verbose) throw new AppError('USAGE', `${o.atomic ? '--atomic' : '--verbose'} only applies to --batch`);
    let input = await parseTransferFlags(ctx, o, true);
    if (o.dryRun) return rehearseTransfer(ctx, input);
    if (!o.yes) {
      if (!ctx.io.stdinIsTTY)
        throw new AppError('CONFIRMATION_REQUIRED', 'a transfer needs confirmation and stdin is not a terminal', { hint: 'pass --yes to confirm' });
      input = await confirmTransfer(ctx, input);
    }
    const sending = input;
    // The fee schedule, rates and limits are read from their files while the store waits for its
    // locks, and the key and the payee are read with the session: on PostgreSQL under contention
    // that was 4 ms of CPU and two round trips inside the appenders' turn (docs/POSTGRES.md).
    const result = await asSignedIn(
      ctx,
      (t, actor) => transfer(t, ctx, actor, sending),
      {},
      { prepare: () => walletRef(ctx), readAhead: readAheadOf(sending) },
    );
    const doc = { transaction: result.view, ...(result.replayed ? { replayed: true } : {}) };
    ctx.out.data(doc, () => {
      if (result.replayed) ctx.out.note(`This idempotency key was already used for this payment: nothing new was sent.`);
      const v = result.view;
      const arrived =
        v.status === 'unclaimed'
          ? `it waits for ${v.to} to open an account (30 days, then it comes back to you)`
          : `${v.to} received ${v.receiveAmount} ${v.receiveCurrency}`;
      ctx.out.success(`Sent ${v.amount} ${v.currency} (fee ${v.fee} ${v.feeCurrency}) — ${arrived}. Transaction ${v.id}.`);
    });
  });
}

/** What a transfer reads after the session: its idempotency key and its payee (as the use-case looks them up). */
function readAheadOf(input: TransferInput): ReadAhead {
  const key = input.idempotencyKey === null ? {} : { idempotencyKey: input.idempotencyKey };
  if (input.request === null) return key;
  try {
    const to = classifyRecipient(input.request.to);
    return { ...key, ...(to.kind === 'email' ? { email: to.email } : { phone: to.phone }) };
  } catch {
    // Not an address: the use-case refuses it itself.
    return key;
  }
}

/** --dry-run: the transfer made exactly as it would be, then undone; what it would charge is shown. */
async function rehearseTransfer(ctx: Context, input: TransferInput): Promise<void> {
  const result = await rehearseSignedIn(ctx, (t, actor) => transfer(t, ctx, actor, input));
  const v = result.view;
  const amountMinor = result.tx.details.amountMinor ?? 0;
  const total = `${formatMoney(ctx, amountMinor + result.feeMinor, v.currency ?? '')} ${v.currency ?? ''}`;
  // A rehearsal's transaction id was never committed; a replay's is the original payment's.
  const doc = { transaction: result.replayed ? v : { ...v, id: null }, dryRun: true, ...(result.replayed ? { replayed: true } : {}) };
  ctx.out.data(doc, () => {
    if (result.replayed) return ctx.out.line(`Dry run: this idempotency key was already used for this payment (${v.id}), so nothing would be sent.`);
    const arrives = v.status === 'unclaimed' ? `it would wait for ${v.to} to open an account` : `${v.to} would receive ${v.receiveAmount} ${v.receiveCurrency}`;
    ctx.out.line(`Dry run, nothing was sent: ${v.amount} ${v.currency} plus a fee of ${v.fee} ${v.feeCurrency} would be charged, ${total} in all; ${arrives}.`);
  });
}

/** On a terminal: show a binding quote, ask, and then pay exactly that quote. */
async function confirmTransfer(ctx: Context, input: TransferInput): Promise<TransferInput> {
  const quote = await asSignedIn(ctx, (t, actor) => quoteToConfirm(t, ctx, actor, input));
  printQuote(ctx, quote);
  await confirmOrRequireYes(
    ctx,
    `Send ${formatMoney(ctx, quote.amountMinor + quote.feeMinor, quote.currency)} ${quote.currency} to ${quote.request['to']}?`,
    false,
  );
  return { ...input, quoteId: quote.id, request: null };
}

function quoteToConfirm(t: RecordsTransaction, ctx: Context, actor: Actor, input: TransferInput): Promise<StoredQuote> {
  if (input.quoteId) return usableQuoteOf(t, ctx, actor, input.quoteId, 'transfer');
  if (!input.request) throw new AppError('USAGE', '--to, --amount and --currency are required');
  return quoteTransfer(t, ctx, actor, input.request);
}
