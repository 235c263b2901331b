// history (filters, paging, --json, --csv) and tx show (a receipt).

import type { Command } from 'commander';
import { formatCsv } from '../../domain/csv.js';
import { AppError } from '../../domain/errors.js';
import { seqOfTxId, TX_TYPES, type JournalEntry, type Transaction, type TxType } from '../../domain/ledger.js';
import { txFacts, viewsOf } from '../../app/tx-views.js';
import { followUpsOf, receipt, type TxView } from '../../domain/tx-view.js';
import { parseIsoDate, parsePositiveInt } from '../../domain/validate.js';
import type { StoreTransaction } from '../../store/store.js';
import { readSignedIn, sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, group, subcommand, type App } from '../kit.js';

const TYPE_GROUPS: Readonly<Record<string, readonly TxType[]>> = {
  deposit: ['deposit'],
  transfer: ['transfer', 'transfer.unclaimed', 'unclaimed.claim', 'unclaimed.return'],
  withdrawal: ['withdrawal.hold', 'withdrawal.complete', 'withdrawal.release'],
  refund: ['refund'],
};
const MAX_LIMIT = 500;
const CHUNK = 200;

interface HistoryFlags {
  type?: string;
  since?: string;
  until?: string;
  limit?: string;
  page?: string;
  csv?: boolean;
}

interface HistoryQuery {
  readonly types: ReadonlySet<TxType> | null;
  readonly sinceMs: number | null;
  readonly untilMs: number | null;
  readonly limit: number;
  readonly page: number;
}

function parseQuery(o: HistoryFlags): HistoryQuery {
  const types = o.type === undefined ? null : new Set(o.type.split(',').flatMap((name) => typeGroup(name.trim())));
  const sinceMs = o.since === undefined ? null : parseIsoDate(o.since, '--since');
  let untilMs = o.until === undefined ? null : parseIsoDate(o.until, '--until');
  // A bare date means the whole of that day.
  if (untilMs !== null && o.until !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(o.until.trim())) untilMs += 24 * 60 * 60 * 1000;
  if (sinceMs !== null && untilMs !== null && untilMs <= sinceMs) throw new AppError('INVALID_INPUT', '--until must be later than --since');
  const limit = o.limit === undefined ? 20 : parsePositiveInt(o.limit, '--limit', { min: 1, max: MAX_LIMIT });
  const page = o.page === undefined ? 1 : parsePositiveInt(o.page, '--page', { min: 1, max: 1_000_000 });
  return { types, sinceMs, untilMs, limit, page };
}

function typeGroup(name: string): readonly TxType[] {
  const grouped = Object.hasOwn(TYPE_GROUPS, name) ? TYPE_GROUPS[name] : undefined;
  if (grouped) return grouped;
  if ((TX_TYPES as readonly string[]).includes(name)) return [name as TxType];
  throw new AppError('INVALID_INPUT', `"${name.slice(0, 30)}" is not a transaction type`, { hint: `use ${Object.keys(TYPE_GROUPS).join(', ')} or one of ${TX_TYPES.join(', ')}` });
}

function matches(tx: Transaction, q: HistoryQuery): boolean {
  const at = Date.parse(tx.at);
  return (q.types === null || q.types.has(tx.type)) && (q.sinceMs === null || at >= q.sinceMs) && (q.untilMs === null || at < q.untilMs);
}

/** One page of a user's transactions, newest first, reading the journal a chunk at a time. */
async function historyPage(t: StoreTransaction, userId: string, q: HistoryQuery): Promise<{ rows: Transaction[]; seen: Transaction[]; more: boolean }> {
  const seqs = (await t.journal.seqsOfUser(userId)).reverse();
  const wanted = q.page * q.limit;
  const hits: Transaction[] = [];
  const seen: Transaction[] = [];
  for (let i = 0; i < seqs.length && hits.length <= wanted; i += CHUNK) {
    const entries = await t.journal.getMany(seqs.slice(i, i + CHUNK));
    for (const entry of entries) {
      if (!entry.tx.parties.includes(userId)) continue;
      seen.push(entry.tx);
      if (matches(entry.tx, q)) hits.push(entry.tx);
    }
  }
  return { rows: hits.slice(wanted - q.limit, wanted), seen, more: hits.length > wanted };
}

export function registerHistoryCommands(program: Command, app: App): void {
  const command = subcommand(program, 'history', 'your transactions, newest first')
    .option('--type <types>', `only these types (comma-separated): ${Object.keys(TYPE_GROUPS).join(', ')}`)
    .option('--since <date>', 'from this date or time (ISO 8601), inclusive')
    .option('--until <date>', 'up to this date (the whole day) or time, exclusive')
    .option('--limit <n>', `rows per page (1–${MAX_LIMIT})`, undefined)
    .option('--page <n>', 'which page (1 = newest)')
    .option('--csv', 'print CSV with a header row');
  examples(command, ['okpay history', 'okpay history --type transfer --since 2026-11-01 --limit 50', 'okpay history --csv > history.csv', 'okpay history --json --page 2']);
  action<HistoryFlags>(app, command, async (ctx, o) => {
    if (o.csv && ctx.json) throw new AppError('USAGE', 'choose --json or --csv, not both');
    const q = parseQuery(o);
    const token = await sessionToken(ctx);
    const { views, more } = await readSignedIn(ctx, token, async (t, { user }) => {
      const page = await historyPage(t, user.id, q);
      return { views: await viewsOf(t, page.rows, user.id, (tx) => followUpsOf(tx.id, page.seen), ctx.ref.currencies), more: page.more };
    });
    if (o.csv) return printCsv(ctx, views);
    ctx.out.data({ transactions: views, page: q.page, limit: q.limit, more }, () => printTable(ctx, views, more, q));
  });
  registerTxShow(program, app);
}

function printTable(ctx: Context, views: readonly TxView[], more: boolean, q: HistoryQuery): void {
  ctx.out.table(
    [
      { key: 'date', title: 'Date' },
      { key: 'id', title: 'ID' },
      { key: 'type', title: 'Type' },
      { key: 'counterparty', title: 'Counterparty' },
      { key: 'net', title: 'Amount', align: 'right' },
      { key: 'status', title: 'Status' },
    ],
    views.map((v) => ({
      date: v.createdAt.slice(0, 16).replace('T', ' '),
      id: v.id,
      type: v.type,
      counterparty: v.direction === 'out' ? v.to : v.from,
      net: v.net.map((n) => `${n.amount.startsWith('-') ? '' : '+'}${n.amount} ${n.currency}`).join(', '),
      status: v.status,
    })),
    'no transactions yet',
  );
  if (more) ctx.out.note(`more on the next page: okpay history --page ${q.page + 1}`);
}

function printCsv(ctx: Context, views: readonly TxView[]): void {
  const columns = ['id', 'date', 'type', 'status', 'direction', 'amount', 'currency', 'fee', 'fee_currency', 'receive_amount', 'receive_currency', 'rate', 'from', 'to', 'memo', 'net'];
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
    net: v.net.map((n) => `${n.amount} ${n.currency}`).join('; '),
  }));
  ctx.io.writeOut(formatCsv(columns, rows));
}

function registerTxShow(program: Command, app: App): void {
  const tx = group(program, 'tx', 'one transaction');
  const show = subcommand(tx, 'show', 'a receipt: amounts, fee lines, rate, status, counterparty and the journal hash').argument('<id>', 'the transaction id, e.g. txn_0000000042');
  examples(show, ['okpay tx show txn_0000000042', 'okpay tx show txn_0000000042 --json']);
  action(app, show, async (ctx, _o, [id]) => {
    const token = await sessionToken(ctx);
    const doc = await readSignedIn(ctx, token, async (t, { user }) => {
      const entry = await visibleEntry(t, id ?? '', user.id, user.role !== 'user');
      const later = (await t.journal.seqsOfUser(entry.tx.parties[0] ?? user.id)).filter((s) => s > entry.seq);
      const followUps = followUpsOf(entry.tx.id, (await t.journal.getMany(later)).map((e) => e.tx));
      return receipt(await txFacts(t, entry.tx), entry, entry.tx.parties.includes(user.id) ? user.id : null, followUps, ctx.ref.currencies);
    });
    ctx.out.data({ transaction: doc }, () => {
      ctx.out.fields([
        ['transaction', doc.id],
        ['type', doc.type],
        ['status', doc.status],
        ['date', doc.createdAt],
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

/** The entry, if this user may see it; otherwise "not found" — never a hint that it exists. */
export async function visibleEntry(t: StoreTransaction, idText: string, userId: string, seesAll: boolean): Promise<JournalEntry> {
  const seq = seqOfTxId(idText);
  const entry = seq === null ? null : await t.journal.get(seq);
  if (!entry || (!seesAll && !entry.tx.parties.includes(userId))) {
    throw new AppError('TX_NOT_FOUND', `there is no transaction ${idText.slice(0, 40)} in your history`, { hint: 'see your transactions with `okpay history`' });
  }
  return entry;
}
