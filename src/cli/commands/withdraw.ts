// withdraw (request a payout), withdraw list / cancel, withdraw methods add|list|remove, and
// fee quote withdraw: flags in, a use-case of src/app/withdrawals.ts, output.

import type { Command } from '@commander-js/extra-typings';
import type { Actor } from '../../app/authenticate.js';
import { usableQuoteOf } from '../../app/wallet.js';
import {
  addWithdrawalMethod,
  cancelWithdrawal,
  listWithdrawalMethods,
  listWithdrawals,
  quoteWithdrawal,
  removeWithdrawalMethod,
  withdraw,
  type MethodFields,
  type WithdrawInput,
} from '../../app/withdrawals.js';
import { AppError } from '../../domain/errors.js';
import type { StoredQuote } from '../../domain/state.js';
import type { RecordsTransaction } from '../../store/store.js';
import type { Context } from '../context.js';
import { action, examples, group, subcommand, type App } from '../command-builder.js';
import { amountFlag, currencyFlag, formatMoney } from '../money-flags.js';
import { emptyPageText, noteNextPage, pageOf, pagingDocument, pagingOptions, parsePaging } from '../paging.js';
import { confirmOrRequireYes, YES_FLAG } from '../prompts.js';
import { asSignedIn, lookSignedIn } from '../signed-in.js';
import { bankFields, ewalletFields, methodDocument, printQuote, quoteDocument, withdrawalDocument } from '../wallet-kit.js';

const LIST_LIMIT = 100;
const IN_FLIGHT: ReadonlySet<string> = new Set(['requested', 'processing']);

function defineWithdraw(program: Command) {
  return subcommand(program, 'withdraw', 'pay money out to your bank account or e-wallet (1–3 business days)')
    .option('--method <id>', 'the withdrawal method (see `okpay withdraw methods list`)')
    .option('--amount <amount>', 'how much to pay out')
    .option('--currency <code>', 'the currency')
    .option('--quote <id>', 'pay exactly what this quote says (from `okpay fee quote withdraw`)')
    .option(...YES_FLAG);
}

/** The flags as `okpay withdraw` defines them, so a flag's type is written once. */
type WithdrawFlags = ReturnType<ReturnType<typeof defineWithdraw>['opts']>;

export function registerWithdrawCommands(program: Command, app: App): void {
  const withdrawCommand = defineWithdraw(program);
  examples(withdrawCommand, [
    'okpay withdraw methods add bank --holder "Ada Lovelace" --iban "GB33 BUKB 2020 1555 5555 55"',
    'okpay withdraw --method wm_abc123 --amount 100 --currency GBP --yes',
    'okpay withdraw list',
    'okpay withdraw cancel wd_abc123',
  ]);
  action(app, withdrawCommand, (ctx, o) => requestWithdrawal(ctx, o));
  registerMethodCommands(withdrawCommand, app);
  registerListAndCancel(withdrawCommand, app);
}

function parseWithdrawFlags(ctx: Context, o: WithdrawFlags): WithdrawInput | null {
  if (o.quote !== undefined && o.method === undefined && o.amount === undefined && o.currency === undefined) return null;
  if (o.method === undefined) throw new AppError('USAGE', '--method is required', { hint: 'see your methods with `okpay withdraw methods list`' });
  const currency = currencyFlag(ctx, o.currency);
  return { methodId: o.method.trim(), currency, amountMinor: amountFlag(o.amount, currency) };
}

function failMissing(): never {
  throw new AppError('USAGE', '--method, --amount and --currency are required');
}

export function registerWithdrawQuote(quoteGroup: Command, app: App): void {
  const command = subcommand(quoteGroup, 'withdraw', 'price a withdrawal (bank payouts cost less than e-wallet payouts)')
    .requiredOption('--method <id>', 'the withdrawal method')
    .requiredOption('--amount <amount>', 'how much to pay out')
    .requiredOption('--currency <code>', 'the currency');
  examples(command, ['okpay fee quote withdraw --method wm_abc123 --amount 100 --currency USD']);
  action(app, command, async (ctx, o) => {
    const input = parseWithdrawFlags(ctx, o) ?? failMissing();
    const quote = await asSignedIn(ctx, (t, actor) => quoteWithdrawal(t, ctx, actor, input));
    ctx.out.data({ quote: quoteDocument(ctx, quote) }, () => printQuote(ctx, quote));
  });
}

async function requestWithdrawal(ctx: Context, o: WithdrawFlags): Promise<void> {
  let input = parseWithdrawFlags(ctx, o);
  let quoteId = o.quote?.trim() ?? null;
  if (!o.yes) {
    if (!ctx.io.stdinIsTTY)
      throw new AppError('CONFIRMATION_REQUIRED', 'a withdrawal needs confirmation and stdin is not a terminal', { hint: 'pass --yes to confirm' });
    const asked = { input, quoteId };
    const quote = await asSignedIn(ctx, (t, actor) => quoteToConfirm(t, ctx, actor, asked.input, asked.quoteId));
    printQuote(ctx, quote);
    await confirmOrRequireYes(
      ctx,
      `Withdraw ${formatMoney(ctx, quote.amountMinor, quote.currency)} ${quote.currency} (fee ${formatMoney(ctx, quote.feeMinor, quote.currency)}) to ${quote.request['to']}?`,
      false,
    );
    quoteId = quote.id;
    input = null;
  }
  const request = { input, quoteId };
  const withdrawal = await asSignedIn(ctx, (t, actor) => withdraw(t, ctx, actor, request.input, request.quoteId));
  ctx.out.data({ withdrawal: withdrawalDocument(ctx, withdrawal) }, () => {
    ctx.out.success(
      `Withdrawal ${withdrawal.id} of ${formatMoney(ctx, withdrawal.amountMinor, withdrawal.currency)} ${withdrawal.currency} to ${withdrawal.methodLabel} requested; the money is held until it is paid out.`,
    );
    ctx.out.note(
      `Expected by ${ctx.out.time(withdrawal.expectedBy)} (${withdrawal.methodType === 'bank' ? 'bank payouts take up to 3 business days' : 'e-wallet payouts take 1 business day'}). Follow it with \`okpay withdraw list\`.`,
    );
  });
}

function quoteToConfirm(t: RecordsTransaction, ctx: Context, actor: Actor, input: WithdrawInput | null, quoteId: string | null): Promise<StoredQuote> {
  if (quoteId) return usableQuoteOf(t, ctx, actor, quoteId, 'withdrawal');
  return quoteWithdrawal(t, ctx, actor, input ?? failMissing());
}

function registerListAndCancel(withdrawCommand: Command, app: App): void {
  const list = pagingOptions(
    subcommand(withdrawCommand, 'list', 'your withdrawals, newest first, with their fee, what they hold, status and expected arrival'),
    LIST_LIMIT,
    'withdrawals',
  );
  examples(list, ['okpay withdraw list', 'okpay withdraw list --limit 5 --page 2', 'okpay withdraw list --json']);
  action(app, list, async (ctx, o) => {
    const paging = parsePaging(o, LIST_LIMIT);
    const found = pageOf(await lookSignedIn(ctx, (t, actor) => listWithdrawals(t, actor)), paging);
    const docs = found.items.map((w) => withdrawalDocument(ctx, w));
    ctx.out.data({ withdrawals: docs, ...pagingDocument(paging, found) }, () => {
      ctx.out.table(
        [
          { key: 'id', title: 'ID' },
          // The fee and the amount held are what this list is for: the time of the request goes first.
          { key: 'requested', title: 'Requested', hide: 2, narrowKey: 'requestedDate' },
          { key: 'money', title: 'Amount', align: 'right' },
          { key: 'fee', title: 'Fee', align: 'right' },
          { key: 'held', title: 'Held', align: 'right' },
          { key: 'method', title: 'To' },
          { key: 'status', title: 'Status' },
          { key: 'expected', title: 'Expected by', hide: 1, narrowKey: 'expectedDate' },
        ],
        docs.map((d) => ({
          id: d.id,
          requested: ctx.out.time(d.requestedAt),
          requestedDate: ctx.out.date(d.requestedAt),
          money: `${d.amount} ${d.currency}`,
          fee: `${d.fee} ${d.currency}`,
          // In flight the amount and the fee are held; a finished payout holds nothing.
          held: IN_FLIGHT.has(d.status) ? `${d.total} ${d.currency}` : '—',
          method: d.method,
          status: d.status === 'failed' && d.failureReason ? `failed (${d.failureReason})` : d.status,
          expected: ctx.out.time(d.expectedBy),
          expectedDate: ctx.out.date(d.expectedBy),
        })),
        emptyPageText(paging, found, 'no withdrawals yet'),
      );
      noteNextPage(ctx, list, paging, found);
    });
  });
  const cancel = subcommand(withdrawCommand, 'cancel', 'cancel a withdrawal that has not started processing (the hold is released)')
    .argument('<id>', 'the withdrawal id')
    .option(...YES_FLAG);
  examples(cancel, ['okpay withdraw cancel wd_abc123 --yes']);
  action(app, cancel, async (ctx, o, [id]) => {
    await confirmOrRequireYes(ctx, `Cancel withdrawal ${id}?`, o.yes);
    const withdrawal = await asSignedIn(ctx, (t, actor) => cancelWithdrawal(t, ctx, actor, (id ?? '').trim()));
    ctx.out.data({ withdrawal: withdrawalDocument(ctx, withdrawal) }, () =>
      ctx.out.success(
        `Withdrawal ${withdrawal.id} cancelled; ${formatMoney(ctx, withdrawal.amountMinor + withdrawal.feeMinor, withdrawal.currency)} ${withdrawal.currency} is available again.`,
      ),
    );
  });
}

function registerMethodCommands(withdrawCommand: Command, app: App): void {
  const methods = group(withdrawCommand, 'methods', 'where payouts go: bank accounts and e-wallets');
  const add = group(methods, 'add', 'add a bank account or an e-wallet');
  const bank = subcommand(add, 'bank', 'add a bank account (IBAN, or US account and routing number)')
    .requiredOption('--holder <name>', 'the account holder’s name')
    .option('--iban <iban>', 'the IBAN (spaces allowed)')
    .option('--account-number <number>', 'US account number')
    .option('--routing-number <number>', 'US ABA routing number (9 digits)')
    .option('--country <cc>', 'the bank’s country (from the IBAN when omitted)');
  examples(bank, [
    'okpay withdraw methods add bank --holder "Ada Lovelace" --iban "DE89 3704 0044 0532 0130 00"',
    'okpay withdraw methods add bank --holder "Ada Lovelace" --account-number 000123456789 --routing-number 011000015',
  ]);
  action(app, bank, async (ctx, o) => {
    const fields = bankFields(ctx, o);
    await saveMethod(ctx, () => ({ type: 'bank', provider: null, walletAccount: null, ...fields }));
  });
  const ewallet = subcommand(add, 'ewallet', 'add an e-wallet (another payment platform)')
    .requiredOption('--provider <name>', 'the platform, e.g. PayPal')
    .requiredOption('--account <id>', 'your account there (email, phone or handle)');
  examples(ewallet, ['okpay withdraw methods add ewallet --provider PayPal --account ada@example.com']);
  action(app, ewallet, async (ctx, o) => {
    const fields = ewalletFields(o.provider, o.account);
    await saveMethod(ctx, (actor) => ({
      type: 'ewallet',
      holder: null,
      iban: null,
      accountNumber: null,
      routingNumber: null,
      country: actor.user.country,
      ...fields,
    }));
  });
  const list = subcommand(methods, 'list', 'your withdrawal methods (numbers masked)');
  examples(list, ['okpay withdraw methods list --json']);
  action(app, list, async (ctx) => {
    const docs = (await lookSignedIn(ctx, (t, actor) => listWithdrawalMethods(t, actor))).map(methodDocument);
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
  const remove = subcommand(methods, 'remove', 'remove a withdrawal method')
    .argument('<id>', 'the method id')
    .option(...YES_FLAG);
  examples(remove, ['okpay withdraw methods remove wm_abc123 --yes']);
  action(app, remove, async (ctx, o, [id]) => {
    await confirmOrRequireYes(ctx, `Remove withdrawal method ${id}?`, o.yes);
    const method = await asSignedIn(ctx, (t, actor) => removeWithdrawalMethod(t, ctx, actor, (id ?? '').trim()));
    ctx.out.data({ method: methodDocument(method) }, () => ctx.out.success(`Removed ${method.label} (${method.id}).`));
  });
}

async function saveMethod(ctx: Context, fields: (actor: Actor) => MethodFields): Promise<void> {
  const method = await asSignedIn(ctx, (t, actor) => addWithdrawalMethod(t, ctx, actor, fields(actor)));
  ctx.out.data({ method: methodDocument(method) }, () => ctx.out.success(`Added ${method.label} as ${method.id}.`));
}
