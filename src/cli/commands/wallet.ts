// balance, deposit, fee quote transfer, transfer.

import type { Command } from 'commander';
import { AppError } from '../../domain/errors.js';
import type { TransferQuote } from '../../domain/fees.js';
import { viewOf } from '../../app/tx-views.js';
import type { TxView } from '../../domain/tx-view.js';
import { seqOfTxId, userAccount, type Transaction } from '../../domain/ledger.js';
import type { Currency } from '../../domain/money.js';
import type { State, StoredQuote, User } from '../../domain/state.js';
import { phoneCountry as countryOfPhone } from '../../domain/phone.js';
import { classifyRecipient, validateMemo } from '../../domain/validate.js';
import {
  checkIdempotencyKey,
  describeRequest,
  fingerprint,
  planClaim,
  planDeposit,
  planTransfer,
  priceTransfer,
  priorForKey,
  pruneWalletRecords,
  quoteFromStored,
  resolveRecipient,
  transferQuoteRecord,
  windowUsdMinor,
  usableQuote,
  type DepositSource,
  type ResolvedRecipient,
  type TransferRequest,
} from '../../domain/wallet.js';
import { moneyWaitingMail, paymentReceivedMail } from '../../domain/wallet-mails.js';
import type { StoreTransaction } from '../../store/store.js';
import { audit, authenticate, sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, group, subcommand, type App } from '../kit.js';
import { amountFlag, currencyFlag, formatMoney, walletRef } from '../money.js';
import { confirmOrRequireYes } from '../prompts.js';
import { newId } from '../random.js';

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
    .option('--source <source>', 'card or bank', 'card');
  examples(command, ['okpay deposit --amount 250 --currency EUR', 'okpay deposit --amount 1200 --currency JPY --source bank --json']);
  action<{ amount: string; currency: string; source: string }>(app, command, async (ctx, o) => {
    const currency = currencyFlag(ctx, o.currency);
    const amountMinor = amountFlag(o.amount, currency);
    if (o.source !== 'card' && o.source !== 'bank') throw new AppError('INVALID_INPUT', `"${o.source.slice(0, 20)}" is not a deposit source`, { hint: 'use --source card or --source bank' });
    const source: DepositSource = o.source;
    const token = await sessionToken(ctx);
    const result = await ctx.store.transaction(async (t) => {
      const { user } = authenticate(ctx, t, token);
      const tx = t.postNow(planDeposit(user, amountMinor, currency, source, ctx.now().toISOString()));
      audit(ctx, t, 'deposit', user.id, user.id, { tx: tx.id, amountMinor, currency: currency.code });
      return { tx, view: await viewOf(t, tx, user.id, [], ctx.ref.currencies) };
    });
    ctx.out.data({ transaction: result.view }, () => ctx.out.success(`Deposited ${result.view.amount} ${currency.code} from your ${source} (${result.tx.id}).`));
  });
}

interface TransferFlags {
  to?: string;
  amount?: string;
  currency?: string;
  toCurrency?: string;
  memo?: string;
  idempotencyKey?: string;
  quote?: string;
  yes?: boolean;
  batch?: string;
  atomic?: boolean;
}

interface ParsedTransfer {
  readonly request: TransferRequest | null;
  readonly currency: Currency | null;
  readonly toCurrency: Currency | null;
  readonly memo: string | null;
  readonly key: string | null;
  readonly quoteId: string | null;
}

function parseTransferFlags(ctx: Context, o: TransferFlags): ParsedTransfer {
  const memo = o.memo === undefined ? null : validateMemo(o.memo);
  const key = o.idempotencyKey === undefined ? null : checkIdempotencyKey(o.idempotencyKey);
  const quoteId = o.quote === undefined ? null : o.quote.trim();
  const given = [o.to, o.amount, o.currency].filter((v) => v !== undefined).length;
  if (quoteId !== null && given === 0) return { request: null, currency: null, toCurrency: null, memo, key, quoteId };
  if (o.to === undefined) throw new AppError('USAGE', '--to is required', { hint: 'the payee’s email or phone number, e.g. --to bob@example.com' });
  const recipient = classifyRecipient(o.to);
  const currency = currencyFlag(ctx, o.currency);
  const toCurrency = o.toCurrency === undefined ? currency : currencyFlag(ctx, o.toCurrency, '--to-currency');
  const amountMinor = amountFlag(o.amount, currency);
  const to = recipient.kind === 'email' ? recipient.email : recipient.phone;
  return { request: { to, amountMinor, currency: currency.code, toCurrency: toCurrency.code }, currency, toCurrency, memo, key, quoteId };
}

/** The country of a phone number, by its numbering plan (domain/phone.ts). */
export function phoneCountry(_ctx: Context): (phone: string) => string | null {
  return countryOfPhone;
}

interface Priced {
  readonly to: ResolvedRecipient;
  readonly quote: TransferQuote;
  readonly request: TransferRequest;
  readonly currency: Currency;
}

/** The price of the transfer: the stored quote when one is given, else a fresh one (the same calculation). */
function price(ctx: Context, state: State, sender: User, parsed: ParsedTransfer, nowMs: number): Priced & { stored: StoredQuote | null } {
  const stored = parsed.quoteId ? usableQuote(state.quotes[parsed.quoteId] ?? null, parsed.quoteId, sender.id, 'transfer', nowMs) : null;
  const request = stored ? requestOfQuote(stored) : parsed.request;
  if (!request) throw new AppError('USAGE', '--to, --amount and --currency are required');
  if (stored && parsed.request) assertSameRequest(stored, parsed.request);
  const currency = currencyFlag(ctx, request.currency);
  const toCurrency = currencyFlag(ctx, request.toCurrency, '--to-currency');
  const recipient = classifyRecipient(request.to);
  const found = Object.values(state.users).find((u) => (recipient.kind === 'email' ? u.email === recipient.email : u.phone === recipient.phone)) ?? null;
  const to = resolveRecipient(sender, recipient, found, phoneCountry(ctx));
  const quote = stored ? quoteFromStored(stored) : priceTransfer(walletRef(ctx), sender, to, request.amountMinor, currency, toCurrency);
  return { to, quote, request, currency, stored };
}

function requestOfQuoteId(state: State, quoteId: string | null, userId: string): TransferRequest {
  const quote = quoteId ? state.quotes[quoteId] : undefined;
  if (!quote || quote.userId !== userId) throw new AppError('QUOTE_NOT_FOUND', `there is no quote ${quoteId ?? ''}`, { hint: 'get one with `okpay fee quote transfer …`' });
  return requestOfQuote(quote);
}

function requestOfQuote(quote: StoredQuote): TransferRequest {
  return { to: quote.request['to'] ?? '', amountMinor: Number(quote.request['amount']), currency: quote.request['currency'] ?? '', toCurrency: quote.request['toCurrency'] ?? '' };
}

function assertSameRequest(stored: StoredQuote, request: TransferRequest): void {
  const quoted = requestOfQuote(stored);
  const same = quoted.to === request.to && quoted.amountMinor === request.amountMinor && quoted.currency === request.currency && quoted.toCurrency === request.toCurrency;
  if (!same) throw new AppError('INVALID_INPUT', `quote ${stored.id} was made for a different payment (to ${quoted.to}, ${quoted.currency} ${quoted.amountMinor} minor units → ${quoted.toCurrency})`, { hint: 'leave out --to/--amount/--currency to use the quote as it is, or get a new quote' });
}

export function quoteDocument(ctx: Context, quote: StoredQuote) {
  return {
    id: quote.id,
    kind: quote.kind,
    to: quote.request['to'] ?? null,
    amount: formatMoney(ctx, quote.amountMinor, quote.currency),
    currency: quote.currency,
    fee: formatMoney(ctx, quote.feeMinor, quote.currency),
    feeLines: quote.feeLines.map((l) => ({ code: l.code, label: l.label, amount: formatMoney(ctx, l.amountMinor, quote.currency) })),
    total: formatMoney(ctx, quote.amountMinor + quote.feeMinor, quote.currency),
    scope: quote.scope,
    midRate: quote.midRate,
    rate: quote.rate,
    receiveAmount: formatMoney(ctx, quote.receiveAmountMinor, quote.receiveCurrency),
    receiveCurrency: quote.receiveCurrency,
    createdAt: quote.createdAt,
    expiresAt: quote.expiresAt,
  };
}

export function printQuote(ctx: Context, quote: StoredQuote): void {
  const doc = quoteDocument(ctx, quote);
  ctx.out.fields([
    ['quote', doc.id],
    ['to', doc.to],
    ['amount', `${doc.amount} ${doc.currency}`],
    ...doc.feeLines.map((l) => [`  ${l.label}`, `${l.amount} ${doc.currency}`] as const),
    ['fee', `${doc.fee} ${doc.currency}${doc.scope ? ` (${doc.scope})` : ''}`],
    ['you pay', `${doc.total} ${doc.currency}`],
    ['rate', doc.currency === doc.receiveCurrency ? null : `1 ${doc.currency} = ${doc.rate} ${doc.receiveCurrency} (mid ${doc.midRate})`],
    ['they receive', `${doc.receiveAmount} ${doc.receiveCurrency}`],
    ['valid until', doc.expiresAt],
  ]);
}

function registerTransferQuote(parent: Command, app: App): void {
  const command = subcommand(parent, 'transfer', 'price a transfer (binding for 30 minutes: pass its id to `okpay transfer --quote`)')
    .requiredOption('--to <payee>', 'the payee’s email or phone number')
    .requiredOption('--amount <amount>', 'how much to send')
    .requiredOption('--currency <code>', 'the currency you send')
    .option('--to-currency <code>', 'the currency the payee receives (converted at our rate)');
  examples(command, ['okpay fee quote transfer --to bob@example.com --amount 100 --currency USD', 'okpay fee quote transfer --to +4915112345678 --amount 100 --currency USD --to-currency EUR --json']);
  action<TransferFlags>(app, command, async (ctx, o) => {
    const parsed = parseTransferFlags(ctx, o);
    const token = await sessionToken(ctx);
    const quote = await ctx.store.transaction((t) => makeQuote(ctx, t, token, parsed));
    ctx.out.data({ quote: quoteDocument(ctx, quote) }, () => printQuote(ctx, quote));
  });
}

function makeQuote(ctx: Context, t: StoreTransaction, token: string | null, parsed: ParsedTransfer): StoredQuote {
  const { user } = authenticate(ctx, t, token);
  const nowMs = ctx.now().getTime();
  pruneWalletRecords(t.state, nowMs);
  const priced = price(ctx, t.state, user, { ...parsed, quoteId: null }, nowMs);
  const stored = transferQuoteRecord(newId(ctx.random, 'qt'), user.id, priced.request, priced.quote, nowMs);
  t.quotes.put(stored);
  return stored;
}

function registerTransfer(program: Command, app: App): void {
  const command = subcommand(program, 'transfer', 'send money to an email address or phone number')
    .option('--to <payee>', 'the payee’s email or phone number (+ and country code)')
    .option('--amount <amount>', 'how much to send, e.g. 25.00')
    .option('--currency <code>', 'the currency you send')
    .option('--to-currency <code>', 'the currency the payee receives (converted at our rate)')
    .option('--memo <text>', 'a note for the payee (up to 140 characters)')
    .option('--idempotency-key <key>', 'makes a retry safe: the same key never pays twice')
    .option('--quote <id>', 'pay exactly what this quote says (from `okpay fee quote transfer`)')
    .option('--batch <file.csv>', 'pay every row of a CSV file (to,amount,currency,memo,reference)')
    .option('--atomic', 'with --batch: all rows or none')
    .option('--yes', 'do not ask for confirmation');
  examples(command, [
    'okpay transfer --to bob@example.com --amount 25 --currency USD --memo "lunch"',
    'okpay transfer --to +4915112345678 --amount 100 --currency USD --to-currency EUR --yes',
    'okpay transfer --quote qt_abc123 --yes',
    'okpay transfer --to bob@example.com --amount 25 --currency USD --idempotency-key inv-42 --yes --json',
    'okpay transfer --batch payouts.csv --yes',
  ]);
  action<TransferFlags>(app, command, async (ctx, o) => {
    if (o.batch !== undefined) {
      const { runBatch } = await import('./batch.js');
      return runBatch(ctx, o.batch, { yes: o.yes, atomic: o.atomic });
    }
    if (o.atomic) throw new AppError('USAGE', '--atomic only applies to --batch');
    let parsed = parseTransferFlags(ctx, o);
    const token = await sessionToken(ctx);
    if (!o.yes) {
      if (!ctx.io.stdinIsTTY) throw new AppError('CONFIRMATION_REQUIRED', 'a transfer needs confirmation and stdin is not a terminal', { hint: 'pass --yes to confirm' });
      parsed = await confirmTransfer(ctx, token, parsed);
    }
    const result = await ctx.store.transaction((t) => sendTransfer(ctx, t, token, parsed));
    const doc = { transaction: result.view, ...(result.replayed ? { replayed: true } : {}) };
    ctx.out.data(doc, () => {
      if (result.replayed) ctx.out.note(`This idempotency key was already used for this payment: nothing new was sent.`);
      const v = result.view;
      const arrived = v.status === 'unclaimed' ? `it waits for ${v.to} to open an account (30 days, then it comes back to you)` : `${v.to} received ${v.receiveAmount} ${v.receiveCurrency}`;
      ctx.out.success(`Sent ${v.amount} ${v.currency} (fee ${v.fee} ${v.feeCurrency}) — ${arrived}. Transaction ${v.id}.`);
    });
  });
}

/** On a terminal: show a binding quote, ask, and then pay exactly that quote. */
async function confirmTransfer(ctx: Context, token: string | null, parsed: ParsedTransfer): Promise<ParsedTransfer> {
  const quote = parsed.quoteId
    ? await ctx.store.transaction((t) => usableQuote(t.state.quotes[parsed.quoteId ?? ''] ?? null, parsed.quoteId ?? '', authenticate(ctx, t, token).user.id, 'transfer', ctx.now().getTime()))
    : await ctx.store.transaction((t) => makeQuote(ctx, t, token, parsed));
  printQuote(ctx, quote);
  await confirmOrRequireYes(ctx, `Send ${formatMoney(ctx, quote.amountMinor + quote.feeMinor, quote.currency)} ${quote.currency} to ${quote.request['to']}?`, false);
  return { ...parsed, quoteId: quote.id, request: null };
}

interface SentTransfer {
  readonly tx: Transaction;
  readonly view: TxView;
  readonly replayed: boolean;
}

async function sendTransfer(ctx: Context, t: StoreTransaction, token: string | null, parsed: ParsedTransfer): Promise<SentTransfer> {
  const { user } = authenticate(ctx, t, token);
  const nowMs = ctx.now().getTime();
  pruneWalletRecords(t.state, nowMs);
  // The key guards the payment itself (payee, amount, currencies, memo), however it was priced.
  const request = parsed.request ?? requestOfQuoteId(t.state, parsed.quoteId, user.id);
  const requestPrint = parsed.key ? fingerprint({ ...describeRequest(request), memo: parsed.memo }) : null;
  if (parsed.key && requestPrint) {
    const prior = priorForKey(t.state.idempotency[`${user.id}:${parsed.key}`] ?? null, parsed.key, requestPrint, nowMs);
    if (prior) return replay(ctx, t, user, prior);
  }
  const priced = price(ctx, t.state, user, parsed, nowMs);
  const tx = t.postNow(
    planTransfer(walletRef(ctx), {
      sender: user,
      to: priced.to,
      quote: priced.quote,
      currency: priced.currency,
      memo: parsed.memo,
      quoteId: priced.stored?.id ?? null,
      idempotency: parsed.key && requestPrint ? { key: parsed.key, fingerprint: requestPrint } : null,
      nowMs,
      availableMinor: t.state.balances[userAccount(user.id)]?.[priced.currency.code] ?? 0,
      windowUsdMinor: windowUsdMinor(t.state.limitWindows[user.id] ?? {}, nowMs),
    }),
  );
  notifyRecipient(ctx, t, user, priced, tx, parsed.memo);
  audit(ctx, t, 'transfer.sent', user.id, priced.to.user?.id ?? null, { tx: tx.id, amountMinor: priced.quote.amountMinor, currency: priced.quote.currency, unclaimed: priced.to.user === null });
  return { tx, view: await viewOf(t, tx, user.id, [], ctx.ref.currencies), replayed: false };
}

function notifyRecipient(ctx: Context, t: StoreTransaction, sender: User, priced: Priced, tx: Transaction, memo: string | null): void {
  const amount = formatMoney(ctx, priced.quote.receiveAmountMinor, priced.quote.receiveCurrency);
  const nowIso = ctx.now().toISOString();
  if (priced.to.user) {
    t.mail(paymentReceivedMail(priced.to.user, sender.name ?? sender.email, amount, priced.quote.receiveCurrency, memo), nowIso);
  } else if (priced.to.recipient.kind === 'email') {
    t.mail(moneyWaitingMail(priced.to.recipient.email, sender.name ?? sender.email, amount, priced.quote.receiveCurrency, tx.details.unclaimedExpiresAt ?? nowIso), nowIso);
  }
}

async function replay(ctx: Context, t: StoreTransaction, user: User, txId: string): Promise<SentTransfer> {
  const entry = await t.journal.get(seqOfTxId(txId) ?? 0);
  if (!entry) throw new AppError('TX_NOT_FOUND', `the transaction ${txId} of this idempotency key is missing`);
  return { tx: entry.tx, view: await viewOf(t, entry.tx, user.id, [], ctx.ref.currencies), replayed: true };
}

/** Money sent to this person before they had an account lands now (activation, a new phone number). */
export function claimWaitingMoney(ctx: Context, t: StoreTransaction, user: User): Transaction[] {
  if (user.status !== 'active') return [];
  const nowIso = ctx.now().toISOString();
  const waiting = Object.values(t.state.unclaimed).filter((u) => (u.toEmail !== null && u.toEmail === user.email) || (u.toPhone !== null && u.toPhone === user.phone)).sort((a, b) => (a.txId < b.txId ? -1 : 1));
  return waiting.map((item) => {
    const tx = t.postNow(planClaim(item, user, nowIso));
    audit(ctx, t, 'transfer.claimed', user.id, user.id, { tx: tx.id, of: item.txId });
    return tx;
  });
}
