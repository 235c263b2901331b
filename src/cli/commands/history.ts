// history (filters, paging, --json, --csv) and tx show (a receipt): flags in, a use-case of
// src/app/history.ts, output.

import type { Command } from '@commander-js/extra-typings';
import { history, showTransaction, type HistoryQuery } from '../../app/history.js';
import { formatCsv } from '../../domain/csv.js';
import { AppError } from '../../domain/errors.js';
import { findCurrency, formatAmount, parseAmount } from '../../domain/money.js';
import { TX_TYPES, type TxType } from '../../domain/ledger.js';
import type { Receipt, TxView } from '../../domain/tx-view.js';
import { parseIsoDate } from '../../domain/validate.js';
import type { Context } from '../context.js';
import { action, examples, group, subcommand, type App } from '../command-builder.js';
import { emptyPageText, noteNextPage, pagingDocument, pagingOptions, parsePaging } from '../paging.js';
import { openRequestedFile } from '../requested-file.js';
import { sessionToken } from '../auth.js';
import { auditedLookAs, lookAs, lookSignedIn } from '../signed-in.js';

const TYPE_GROUPS: Readonly<Record<string, readonly TxType[]>> = {
  deposit: ['deposit'],
  transfer: ['transfer', 'transfer.unclaimed', 'unclaimed.claim', 'unclaimed.return'],
  withdrawal: ['withdrawal.hold', 'withdrawal.complete', 'withdrawal.release', 'withdrawal.return'],
  refund: ['refund'],
};
const DEFAULT_LIMIT = 20;

/** The flags as the history command defines them (below), so a flag's type is written once. */
type HistoryFlags = ReturnType<ReturnType<typeof historyCommand>['opts']>;

function parseQuery(o: HistoryFlags): HistoryQuery {
  const types = o.type === undefined ? null : new Set(o.type.split(',').flatMap((name) => typeGroup(name.trim())));
  const sinceMs = o.since === undefined ? null : parseIsoDate(o.since, '--since');
  let untilMs = o.until === undefined ? null : parseIsoDate(o.until, '--until');
  // A bare date means the whole of that day.
  if (untilMs !== null && o.until !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(o.until.trim())) untilMs += 24 * 60 * 60 * 1000;
  if (sinceMs !== null && untilMs !== null && untilMs <= sinceMs) throw new AppError('INVALID_PERIOD', '--until must be later than --since');
  return { types, sinceMs, untilMs, ...parsePaging(o, DEFAULT_LIMIT) };
}

function typeGroup(name: string): readonly TxType[] {
  const grouped = Object.hasOwn(TYPE_GROUPS, name) ? TYPE_GROUPS[name] : undefined;
  if (grouped) return grouped;
  if ((TX_TYPES as readonly string[]).includes(name)) return [name as TxType];
  throw new AppError('INVALID_CHOICE', `"${name.slice(0, 30)}" is not a transaction type`, {
    hint: `use one of ${[...new Set([...Object.keys(TYPE_GROUPS), ...TX_TYPES])].join(', ')}`,
  });
}

function historyCommand(program: Command) {
  const command = subcommand(program, 'history', 'your transactions, newest first')
    .option('--type <types>', `only these types (comma-separated): ${Object.keys(TYPE_GROUPS).join(', ')}`)
    .option('--since <date>', 'from this date or time (ISO 8601), inclusive')
    .option('--until <date>', 'up to this date (the whole day) or time, exclusive')
    .option('--csv', 'print CSV with a header row (cells that look like formulas start with an apostrophe)')
    .option('--output <file>', 'with --csv: write to this file (a new file, mode 0600) instead of stdout');
  return pagingOptions(command, DEFAULT_LIMIT, 'transactions');
}

export function registerHistoryCommands(program: Command, app: App): void {
  const command = historyCommand(program);
  examples(command, [
    'okpay history',
    'okpay history --type transfer --since 2026-11-01 --limit 50',
    'okpay history --csv > history.csv',
    'okpay history --json --page 2',
  ]);
  action(app, command, async (ctx, o) => {
    if (o.csv && ctx.json) throw new AppError('USAGE', 'choose --json or --csv, not both');
    if (o.output !== undefined && !o.csv) throw new AppError('USAGE', '--output writes CSV: add --csv');
    const q = parseQuery(o);
    const found = await lookSignedIn(ctx, (t, actor) => history(t, ctx, actor, q));
    if (o.csv) return writeCsv(ctx, found.views, o.output);
    ctx.out.data({ transactions: found.views, ...pagingDocument(q, found) }, () => {
      printTable(ctx, found.views, emptyPageText(q, found, 'no transactions yet'));
      noteNextPage(ctx, command, q, found);
    });
  });
  registerTxShow(program, app);
}

function printTable(ctx: Context, views: readonly TxView[], empty: string): void {
  ctx.out.table(
    [
      { key: 'date', title: 'Date' },
      { key: 'id', title: 'ID' },
      { key: 'type', title: 'Type', hide: 1 },
      { key: 'counterparty', title: 'Counterparty' },
      { key: 'net', title: 'Amount', align: 'right', narrowKey: 'narrowNet' },
      // A status is one word: cut short it says nothing.
      { key: 'status', title: 'Status', keep: true },
    ],
    views.map((v) => ({
      date: ctx.out.time(v.createdAt),
      id: v.id,
      type: v.type,
      counterparty: v.direction === 'out' ? v.to : v.from,
      net: amountCell(v),
      narrowNet: heldTotalCell(ctx, v),
      status: v.status,
    })),
    empty,
  );
}

/**
 * What the viewer's balances gained or lost; a payout's hold moves money to held, so it shows what
 * it holds, and its release what became available again.
 */
function amountCell(v: TxView): string {
  if (v.type === 'withdrawal.hold' && v.amount !== null) return `${v.amount} ${v.currency} held${v.fee === null ? '' : ` + ${v.fee} fee`}`;
  if (v.type === 'withdrawal.release' && v.amount !== null) return `${v.amount} ${v.currency} released`;
  return v.net.map((n) => `${n.amount.startsWith('-') ? '' : '+'}${n.amount} ${n.currency}`).join(', ');
}

/** A hold's amount and fee as one figure (what `withdraw list` shows as held), for a narrow terminal; null for other rows. */
function heldTotalCell(ctx: Context, v: TxView): string | null {
  if (v.type !== 'withdrawal.hold' || v.amount === null || v.currency === null || v.fee === null || v.feeCurrency !== v.currency) return null;
  const currency = findCurrency(ctx.ref.currencies, v.currency);
  const total = parseAmount(v.amount, currency, { ignoreMaximum: true }) + parseAmount(v.fee, currency, { allowZero: true, ignoreMaximum: true });
  return `${formatAmount(total, currency)} ${v.currency} held`;
}

async function writeCsv(ctx: Context, views: readonly TxView[], output: string | undefined): Promise<void> {
  const text = historyCsv(views);
  if (output === undefined) return ctx.out.document(text);
  const sink = await openRequestedFile(output);
  await sink.write(text);
  await sink.close();
}

function historyCsv(views: readonly TxView[]): string {
  // Amounts and currencies in columns of their own, so a spreadsheet reads every amount as a number.
  const columns = [
    'id',
    'date',
    'type',
    'status',
    'direction',
    'amount',
    'currency',
    'fee',
    'fee_currency',
    'receive_amount',
    'receive_currency',
    'rate',
    'from',
    'to',
    'memo',
    'net',
    'net_currency',
  ];
  const rows = views.map((v) => ({
    id: v.id,
    date: v.createdAt,
    type: v.type,
    status: v.status,
    direction: v.direction,
    amount: v.amount ?? '',
    currency: v.currency ?? '',
    fee: v.fee ?? '',
    fee_currency: v.feeCurrency ?? '',
    receive_amount: v.receiveAmount ?? '',
    receive_currency: v.receiveCurrency ?? '',
    rate: v.rate ?? '',
    from: v.from ?? '',
    to: v.to ?? '',
    memo: v.memo ?? '',
    net: v.net.map((n) => n.amount).join('; '),
    net_currency: v.net.map((n) => n.currency).join('; '),
  }));
  return formatCsv(columns, rows);
}

function registerTxShow(program: Command, app: App): void {
  const tx = group(program, 'tx', 'one transaction');
  const show = subcommand(tx, 'show', 'a receipt: amounts, fee lines, rate, status, counterparty and the journal hash').argument(
    '<id>',
    'the transaction id, e.g. txn_0000000042',
  );
  examples(show, ['okpay tx show txn_0000000042', 'okpay tx show txn_0000000042 --json']);
  action(app, show, async (ctx, _o, [id]) => {
    const token = await sessionToken(ctx);
    // A customer's look takes no lock and writes nothing; staff's is audited (tx.viewed), a change.
    const looked = await lookAs(ctx, token, {}, async (t, actor): Promise<Receipt | null> =>
      actor.user.role === 'user' ? showTransaction(t, ctx, actor, id ?? '') : null,
    );
    const doc = looked ?? (await auditedLookAs(ctx, token, {}, '`tx show` by staff', (t, actor) => showTransaction(t, ctx, actor, id ?? '')));
    ctx.out.data({ transaction: doc }, () => {
      ctx.out.fields([
        ['transaction', doc.id],
        ['type', doc.type],
        ['status', doc.status],
        ['date', ctx.out.time(doc.createdAt)],
        ['from', doc.from],
        ['to', doc.to],
        ['amount', doc.amount ? `${doc.amount} ${doc.currency}` : null],
        ...doc.feeLines.map((l) => [`  ${l.label}`, `${l.amount} ${doc.feeCurrency}`] as const),
        ['fee', doc.fee ? `${doc.fee} ${doc.feeCurrency}` : null],
        ['rate', doc.currency !== doc.receiveCurrency && doc.rate ? `1 ${doc.currency} = ${doc.rate} ${doc.receiveCurrency} (mid ${doc.midRate})` : null],
        ['received', doc.receiveAmount ? `${doc.receiveAmount} ${doc.receiveCurrency}` : null],
        ['memo', doc.memo],
        ['related', [...doc.links, ...doc.followedBy].join(', ')],
        ['journal entry', `#${doc.seq}, hash ${doc.hash}`],
      ]);
    });
  });
}
