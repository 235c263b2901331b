// withdraw (request a payout), withdraw list / cancel, withdraw methods add|list|remove, and
// fee quote withdraw.

import type { Command } from 'commander';
import { parseCalendars } from '../../domain/calendar.js';
import { AppError } from '../../domain/errors.js';
import { computeWithdrawalQuote, type WithdrawalQuote } from '../../domain/fees.js';
import type { Currency } from '../../domain/money.js';
import type { State, StoredQuote, User, Withdrawal, WithdrawalMethod } from '../../domain/state.js';
import { boundedText, normalizeCountry, validateName } from '../../domain/validate.js';
import { maskAccountNumber, normalizeIban, parseIbanLengths, validateAccountNumber, validateRoutingNumber } from '../../domain/validate-bank.js';
import { pruneWalletRecords, QUOTE_TTL_MS, usableQuote, windowUsdMinor } from '../../domain/wallet.js';
import { userAccount } from '../../domain/ledger.js';
import { activeMethods, addMethod, assertCancellable, parsePayoutRules, planRelease, planWithdrawal, removeMethod, requireMethod, requireWithdrawal } from '../../domain/withdrawals.js';
import type { StoreTransaction } from '../../store/store.js';
import { audit, authenticate, readSignedIn, sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, group, subcommand, type App } from '../kit.js';
import { amountFlag, currencyFlag, formatMoney, walletRef } from '../money.js';
import { confirmOrRequireYes } from '../prompts.js';
import { newId } from '../random.js';
import { countries } from './account.js';
import { printQuote, quoteDocument } from './wallet.js';
import { compareCodeUnits } from '../../domain/order.js';

export function payoutRef(ctx: Context) {
  return { ...walletRef(ctx), calendars: ctx.ref.load('calendars.json', parseCalendars), payouts: ctx.ref.load('payouts.json', parsePayoutRules) };
}

export function registerWithdrawCommands(program: Command, app: App): void {
  const withdraw = subcommand(program, 'withdraw', 'pay money out to your bank account or e-wallet (1–3 business days)')
    .option('--method <id>', 'the withdrawal method (see `okpay withdraw methods list`)')
    .option('--amount <amount>', 'how much to pay out')
    .option('--currency <code>', 'the currency')
    .option('--quote <id>', 'pay exactly what this quote says (from `okpay fee quote withdraw`)')
    .option('--yes', 'do not ask for confirmation');
  examples(withdraw, ['okpay withdraw methods add bank --holder "Ada Lovelace" --iban "GB33 BUKB 2020 1555 5555 55"', 'okpay withdraw --method wm_abc123 --amount 100 --currency GBP --yes', 'okpay withdraw list', 'okpay withdraw cancel wd_abc123']);
  action<WithdrawFlags>(app, withdraw, (ctx, o) => requestWithdrawal(ctx, o));
  registerMethodCommands(withdraw, app);
  registerListAndCancel(withdraw, app);
}

interface WithdrawFlags {
  method?: string;
  amount?: string;
  currency?: string;
  quote?: string;
  yes?: boolean;
}

interface WithdrawInput {
  readonly methodId: string;
  readonly currency: Currency;
  readonly amountMinor: number;
}

function parseWithdrawFlags(ctx: Context, o: WithdrawFlags): WithdrawInput | null {
  if (o.quote !== undefined && o.method === undefined && o.amount === undefined && o.currency === undefined) return null;
  if (o.method === undefined) throw new AppError('USAGE', '--method is required', { hint: 'see your methods with `okpay withdraw methods list`' });
  const currency = currencyFlag(ctx, o.currency);
  return { methodId: o.method.trim(), currency, amountMinor: amountFlag(o.amount, currency) };
}

function price(ctx: Context, state: State, user: User, input: WithdrawInput): { method: WithdrawalMethod; quote: WithdrawalQuote } {
  const method = requireMethod(state.methods[input.methodId] ?? null, user.id, input.methodId);
  const quote = computeWithdrawalQuote({ amountMinor: input.amountMinor, currency: input.currency, methodType: method.type }, { schedule: ctx.ref.fees });
  return { method, quote };
}

function storeWithdrawalQuote(state: State, id: string, user: User, method: WithdrawalMethod, quote: WithdrawalQuote, nowMs: number): StoredQuote {
  const stored: StoredQuote = {
    id,
    userId: user.id,
    kind: 'withdrawal',
    request: { method: method.id, amount: String(quote.amountMinor), currency: quote.currency, to: method.label },
    amountMinor: quote.amountMinor,
    currency: quote.currency,
    feeMinor: quote.feeMinor,
    feeLines: quote.feeLines,
    scope: method.type,
    midRate: '1',
    rate: '1',
    receiveAmountMinor: quote.receiveAmountMinor,
    receiveCurrency: quote.currency,
    createdAt: new Date(nowMs).toISOString(),
    expiresAt: new Date(nowMs + QUOTE_TTL_MS).toISOString(),
    usedBy: null,
  };
  state.quotes[id] = stored;
  return stored;
}

export function registerWithdrawQuote(quoteGroup: Command, app: App): void {
  const command = subcommand(quoteGroup, 'withdraw', 'price a withdrawal (bank payouts cost less than e-wallet payouts)')
    .requiredOption('--method <id>', 'the withdrawal method')
    .requiredOption('--amount <amount>', 'how much to pay out')
    .requiredOption('--currency <code>', 'the currency');
  examples(command, ['okpay fee quote withdraw --method wm_abc123 --amount 100 --currency USD']);
  action<WithdrawFlags>(app, command, async (ctx, o) => {
    const input = parseWithdrawFlags(ctx, o);
    if (!input) throw new AppError('USAGE', '--method, --amount and --currency are required');
    const token = await sessionToken(ctx);
    const quote = await ctx.store.transaction((t) => {
      const { user } = authenticate(ctx, t, token);
      const nowMs = ctx.now().getTime();
      pruneWalletRecords(t.state, nowMs);
      const priced = price(ctx, t.state, user, input);
      return storeWithdrawalQuote(t.state, newId(ctx.random, 'qt'), user, priced.method, priced.quote, nowMs);
    });
    ctx.out.data({ quote: quoteDocument(ctx, quote) }, () => printQuote(ctx, quote));
  });
}

async function requestWithdrawal(ctx: Context, o: WithdrawFlags): Promise<void> {
  let input = parseWithdrawFlags(ctx, o);
  let quoteId = o.quote?.trim() ?? null;
  const token = await sessionToken(ctx);
  if (!o.yes) {
    if (!ctx.io.stdinIsTTY) throw new AppError('CONFIRMATION_REQUIRED', 'a withdrawal needs confirmation and stdin is not a terminal', { hint: 'pass --yes to confirm' });
    const quote = await ctx.store.transaction((t) => {
      const { user } = authenticate(ctx, t, token);
      const nowMs = ctx.now().getTime();
      if (quoteId) return usableQuote(t.state.quotes[quoteId] ?? null, quoteId, user.id, 'withdrawal', nowMs);
      const priced = price(ctx, t.state, user, input ?? failMissing());
      return storeWithdrawalQuote(t.state, newId(ctx.random, 'qt'), user, priced.method, priced.quote, nowMs);
    });
    printQuote(ctx, quote);
    await confirmOrRequireYes(ctx, `Withdraw ${formatMoney(ctx, quote.amountMinor, quote.currency)} ${quote.currency} (fee ${formatMoney(ctx, quote.feeMinor, quote.currency)}) to ${quote.request['to']}?`, false);
    quoteId = quote.id;
    input = null;
  }
  const withdrawal = await ctx.store.transaction((t) => placeWithdrawal(ctx, t, token, input, quoteId));
  ctx.out.data({ withdrawal: withdrawalDocument(ctx, withdrawal) }, () => {
    ctx.out.success(`Withdrawal ${withdrawal.id} of ${formatMoney(ctx, withdrawal.amountMinor, withdrawal.currency)} ${withdrawal.currency} to ${withdrawal.methodLabel} requested; the money is held until it is paid out.`);
    ctx.out.note(`Expected by ${withdrawal.expectedBy.slice(0, 16).replace('T', ' ')} UTC (${withdrawal.methodType === 'bank' ? 'bank payouts take up to 3 business days' : 'e-wallet payouts take 1 business day'}). Follow it with \`okpay withdraw list\`.`);
  });
}

function failMissing(): never {
  throw new AppError('USAGE', '--method, --amount and --currency are required');
}

function placeWithdrawal(ctx: Context, t: StoreTransaction, token: string | null, input: WithdrawInput | null, quoteId: string | null): Withdrawal {
  const { user } = authenticate(ctx, t, token);
  const nowMs = ctx.now().getTime();
  pruneWalletRecords(t.state, nowMs);
  const stored = quoteId ? usableQuote(t.state.quotes[quoteId] ?? null, quoteId, user.id, 'withdrawal', nowMs) : null;
  const request = stored ? { methodId: stored.request['method'] ?? '', currency: currencyFlag(ctx, stored.currency), amountMinor: stored.amountMinor } : (input ?? failMissing());
  if (stored && input && (input.methodId !== request.methodId || input.amountMinor !== request.amountMinor || input.currency.code !== request.currency.code)) {
    throw new AppError('INVALID_INPUT', `quote ${stored.id} was made for a different withdrawal`, { hint: 'leave out --method/--amount/--currency to use the quote as it is' });
  }
  const priced = price(ctx, t.state, user, request);
  const quote: WithdrawalQuote = stored ? { ...priced.quote, feeMinor: stored.feeMinor, feeLines: stored.feeLines, totalDebitMinor: stored.amountMinor + stored.feeMinor } : priced.quote;
  const availableMinor = t.state.balances[userAccount(user.id)]?.[request.currency.code] ?? 0;
  const window = windowUsdMinor(t.state.limitWindows[user.id] ?? {}, nowMs);
  const tx = t.postNow(planWithdrawal(payoutRef(ctx), { id: newId(ctx.random, 'wd'), user, method: priced.method, quote, currency: request.currency, quoteId: stored?.id ?? null, nowMs, availableMinor, windowUsdMinor: window }));
  const withdrawal = Object.values(t.state.withdrawals).find((w) => w.holdTxId === tx.id);
  if (!withdrawal) throw new Error(`withdrawal of ${tx.id} missing after posting`);
  audit(ctx, t, 'withdrawal.requested', user.id, user.id, { withdrawal: withdrawal.id, tx: tx.id, amountMinor: withdrawal.amountMinor, currency: withdrawal.currency });
  return withdrawal;
}

function withdrawalDocument(ctx: Context, w: Withdrawal) {
  return {
    id: w.id,
    status: w.status,
    amount: formatMoney(ctx, w.amountMinor, w.currency),
    currency: w.currency,
    fee: formatMoney(ctx, w.feeMinor, w.currency),
    total: formatMoney(ctx, w.amountMinor + w.feeMinor, w.currency),
    methodId: w.methodId,
    methodType: w.methodType,
    method: w.methodLabel,
    requestedAt: w.requestedAt,
    processingAt: w.processingAt,
    expectedBy: w.expectedBy,
    finishedAt: w.finishedAt,
    failureReason: w.failureReason,
    transaction: w.holdTxId,
  };
}

/** Live withdrawals from the state, finished ones from the journal entries that ended them. */
async function allWithdrawals(t: StoreTransaction, user: User): Promise<Withdrawal[]> {
  const byId = new Map<string, Withdrawal>();
  const seqs = await t.journal.seqsOfUser(user.id);
  for (const entry of await t.journal.getMany(seqs)) {
    const record = entry.tx.details.record;
    // An index may keep the numbers of a commit that was rolled back and reused by someone else's.
    if (record?.userId !== user.id || !entry.tx.parties.includes(user.id)) continue;
    if (entry.tx.type === 'withdrawal.complete' || entry.tx.type === 'withdrawal.release') byId.set(record.id, { ...record, holdTxId: record.holdTxId ?? entry.tx.links[0] ?? '' });
  }
  for (const w of Object.values(t.state.withdrawals)) if (w.userId === user.id) byId.set(w.id, w);
  return [...byId.values()].sort((a, b) => compareCodeUnits(b.requestedAt, a.requestedAt) || compareCodeUnits(b.id, a.id));
}

function registerListAndCancel(withdraw: Command, app: App): void {
  const list = subcommand(withdraw, 'list', 'your withdrawals with their status and expected arrival');
  examples(list, ['okpay withdraw list', 'okpay withdraw list --json']);
  action(app, list, async (ctx) => {
    const token = await sessionToken(ctx);
    const withdrawals = await readSignedIn(ctx, token, (t, { user }) => allWithdrawals(t, user));
    const docs = withdrawals.map((w) => withdrawalDocument(ctx, w));
    ctx.out.data({ withdrawals: docs }, () =>
      ctx.out.table(
        [
          { key: 'id', title: 'ID' },
          { key: 'requested', title: 'Requested' },
          { key: 'money', title: 'Amount', align: 'right' },
          { key: 'method', title: 'To' },
          { key: 'status', title: 'Status' },
          { key: 'expected', title: 'Expected by' },
        ],
        docs.map((d) => ({ id: d.id, requested: d.requestedAt.slice(0, 16).replace('T', ' '), money: `${d.amount} ${d.currency}`, method: d.method, status: d.status === 'failed' && d.failureReason ? `failed (${d.failureReason})` : d.status, expected: d.expectedBy.slice(0, 16).replace('T', ' ') })),
        'no withdrawals yet',
      ),
    );
  });
  const cancel = subcommand(withdraw, 'cancel', 'cancel a withdrawal that has not started processing (the hold is released)').argument('<id>', 'the withdrawal id').option('--yes', 'do not ask for confirmation');
  examples(cancel, ['okpay withdraw cancel wd_abc123 --yes']);
  action<{ yes?: boolean }>(app, cancel, async (ctx, o, [id]) => {
    await confirmOrRequireYes(ctx, `Cancel withdrawal ${id}?`, o.yes);
    const token = await sessionToken(ctx);
    const withdrawal = await ctx.store.transaction((t) => {
      const { user } = authenticate(ctx, t, token);
      const live = requireWithdrawal(t.state.withdrawals[(id ?? '').trim()] ?? null, user.id, (id ?? '').trim());
      assertCancellable(live);
      const tx = t.postNow(planRelease(live, 'cancelled', 'cancelled by the customer', user.id, ctx.now().toISOString()));
      audit(ctx, t, 'withdrawal.cancelled', user.id, user.id, { withdrawal: live.id, tx: tx.id });
      return { ...live, status: 'cancelled' as const, finishedAt: tx.at, failureReason: 'cancelled by the customer' };
    });
    ctx.out.data({ withdrawal: withdrawalDocument(ctx, withdrawal) }, () => ctx.out.success(`Withdrawal ${withdrawal.id} cancelled; ${formatMoney(ctx, withdrawal.amountMinor + withdrawal.feeMinor, withdrawal.currency)} ${withdrawal.currency} is available again.`));
  });
}

function registerMethodCommands(withdraw: Command, app: App): void {
  const methods = group(withdraw, 'methods', 'where payouts go: bank accounts and e-wallets');
  const add = group(methods, 'add', 'add a bank account or an e-wallet');
  const bank = subcommand(add, 'bank', 'add a bank account (IBAN, or US account and routing number)')
    .requiredOption('--holder <name>', 'the account holder’s name')
    .option('--iban <iban>', 'the IBAN (spaces allowed)')
    .option('--account-number <number>', 'US account number')
    .option('--routing-number <number>', 'US ABA routing number (9 digits)')
    .option('--country <cc>', 'the bank’s country (from the IBAN when omitted)');
  examples(bank, ['okpay withdraw methods add bank --holder "Ada Lovelace" --iban "DE89 3704 0044 0532 0130 00"', 'okpay withdraw methods add bank --holder "Ada Lovelace" --account-number 000123456789 --routing-number 011000015']);
  action<{ holder: string; iban?: string; accountNumber?: string; routingNumber?: string; country?: string }>(app, bank, async (ctx, o) => {
    const fields = bankFields(ctx, o);
    await saveMethod(ctx, (user, id, nowIso) => ({ id, userId: user.id, type: 'bank', provider: null, walletAccount: null, createdAt: nowIso, removedAt: null, ...fields }));
  });
  const ewallet = subcommand(add, 'ewallet', 'add an e-wallet (another payment platform)').requiredOption('--provider <name>', 'the platform, e.g. PayPal').requiredOption('--account <id>', 'your account there (email, phone or handle)');
  examples(ewallet, ['okpay withdraw methods add ewallet --provider PayPal --account ada@example.com']);
  action<{ provider: string; account: string }>(app, ewallet, async (ctx, o) => {
    const fields = ewalletFields(o.provider, o.account);
    await saveMethod(ctx, (user, id, nowIso) => ({ id, userId: user.id, type: 'ewallet', holder: null, iban: null, accountNumber: null, routingNumber: null, country: user.country, createdAt: nowIso, removedAt: null, ...fields }));
  });
  const list = subcommand(methods, 'list', 'your withdrawal methods (numbers masked)');
  examples(list, ['okpay withdraw methods list --json']);
  action(app, list, async (ctx) => {
    const token = await sessionToken(ctx);
    const docs = (await readSignedIn(ctx, token, async (t, { user }) => activeMethods(await t.methods.ofUser(user.id)))).map(methodDocument);
    ctx.out.data({ methods: docs }, () =>
      ctx.out.table(
        [
          { key: 'id', title: 'ID' },
          { key: 'type', title: 'Type' },
          { key: 'label', title: 'Account' },
          { key: 'country', title: 'Country' },
        ],
        docs,
        'no withdrawal methods yet — add one with `okpay withdraw methods add bank …`',
      ),
    );
  });
  const remove = subcommand(methods, 'remove', 'remove a withdrawal method').argument('<id>', 'the method id').option('--yes', 'do not ask for confirmation');
  examples(remove, ['okpay withdraw methods remove wm_abc123 --yes']);
  action<{ yes?: boolean }>(app, remove, async (ctx, o, [id]) => {
    await confirmOrRequireYes(ctx, `Remove withdrawal method ${id}?`, o.yes);
    const token = await sessionToken(ctx);
    const method = await ctx.store.transaction((t) => {
      const { user } = authenticate(ctx, t, token);
      const methodId = (id ?? '').trim();
      const removed = removeMethod(t.state.methods[methodId] ?? null, user.id, methodId, Object.values(t.state.withdrawals).filter((w) => w.userId === user.id), ctx.now().toISOString());
      t.methods.put(removed);
      audit(ctx, t, 'withdrawal-method.removed', user.id, user.id, { method: removed.id });
      return removed;
    });
    ctx.out.data({ method: methodDocument(method) }, () => ctx.out.success(`Removed ${method.label} (${method.id}).`));
  });
}

export function ewalletFields(providerText: string, accountText: string): Pick<WithdrawalMethod, 'label' | 'provider' | 'walletAccount'> {
  const provider = boundedText(providerText, '--provider', { min: 2, max: 40 });
  const account = boundedText(accountText, '--account', { min: 3, max: 100 });
  return { label: `${provider} ${maskAccountNumber(account)}`, provider, walletAccount: account };
}

type BankFields = Pick<WithdrawalMethod, 'label' | 'holder' | 'iban' | 'accountNumber' | 'routingNumber' | 'country'>;

export function bankFields(ctx: Context, o: { holder: string; iban?: string; accountNumber?: string; routingNumber?: string; country?: string }): BankFields {
  const holder = validateName(o.holder, '--holder');
  const country = o.country === undefined ? null : normalizeCountry(o.country, countries(ctx));
  if (o.iban !== undefined) {
    if (o.accountNumber !== undefined || o.routingNumber !== undefined) throw new AppError('USAGE', 'give either --iban or --account-number with --routing-number, not both');
    const iban = normalizeIban(o.iban, ctx.ref.load('iban.json', parseIbanLengths));
    if (country && country !== iban.country) throw new AppError('INVALID_INPUT', `the IBAN is from ${iban.country} but --country says ${country}`);
    return { label: `${holder} ${maskAccountNumber(iban.iban)}`, holder, iban: iban.iban, accountNumber: null, routingNumber: null, country: iban.country };
  }
  if (o.accountNumber === undefined || o.routingNumber === undefined) {
    throw new AppError('USAGE', 'a bank account needs --iban, or --account-number and --routing-number', { hint: 'e.g. --iban "DE89 3704 0044 0532 0130 00"' });
  }
  const routingNumber = validateRoutingNumber(o.routingNumber);
  const accountNumber = validateAccountNumber(o.accountNumber);
  return { label: `${holder} ${maskAccountNumber(accountNumber)}`, holder, iban: null, accountNumber, routingNumber, country: country ?? 'US' };
}

async function saveMethod(ctx: Context, make: (user: User, id: string, nowIso: string) => WithdrawalMethod): Promise<void> {
  const token = await sessionToken(ctx);
  const method = await ctx.store.transaction((t) => {
    const { user } = authenticate(ctx, t, token);
    const added = addMethod(Object.values(t.state.methods).filter((m) => m.userId === user.id), make(user, newId(ctx.random, 'wm'), ctx.now().toISOString()));
    t.methods.put(added);
    audit(ctx, t, 'withdrawal-method.added', user.id, user.id, { method: added.id, type: added.type });
    return added;
  });
  ctx.out.data({ method: methodDocument(method) }, () => ctx.out.success(`Added ${method.label} as ${method.id}.`));
}

function methodDocument(m: WithdrawalMethod) {
  return { id: m.id, type: m.type, label: m.label, holder: m.holder, provider: m.provider, country: m.country, number: maskAccountNumber(m.iban ?? m.accountNumber ?? m.walletAccount ?? ''), routingNumber: m.routingNumber, createdAt: m.createdAt };
}
