// A user's transactions a page at a time, newest first, through the journal's index of the user's
// transactions; and one transaction as a receipt.

import { AppError } from '../domain/errors.js';
import { seqOfTxId, type JournalEntry, type Transaction, type TxType } from '../domain/ledger.js';
import type { UserId } from '../domain/state.js';
import { followUpsOf, receipt, type Receipt, type TxView } from '../domain/tx-view.js';
import type { RecordsTransaction } from '../store/store.js';
import { audit } from './audit.js';
import type { Actor } from './authenticate.js';
import type { AppDeps } from './ports.js';
import { txFacts, viewsOf } from './tx-views.js';

export interface HistoryQuery {
  readonly types: ReadonlySet<TxType> | null;
  readonly sinceMs: number | null;
  readonly untilMs: number | null;
  /** Rows per page; the caller bounds it. */
  readonly limit: number;
  /** 1 = newest. */
  readonly page: number;
}

export interface HistoryPage {
  readonly views: TxView[];
  readonly more: boolean;
  /** How many of the user's transactions match the filters, on every page. */
  readonly total: number;
}

function matches(tx: Transaction, q: HistoryQuery): boolean {
  const at = Date.parse(tx.at);
  return (q.types === null || q.types.has(tx.type)) && (q.sinceMs === null || at >= q.sinceMs) && (q.untilMs === null || at < q.untilMs);
}

/** Newest first by the time of the transaction; the journal order breaks ties. */
function newestFirst(a: JournalEntry, b: JournalEntry): number {
  return Date.parse(b.tx.at) - Date.parse(a.tx.at) || b.seq - a.seq;
}

/**
 * One page, newest first by the time each transaction happened. The journal's index of the user
 * is in commit order, which is not the order of time when entries were loaded back-dated (fixtures,
 * the generator), so the user's entries are read and put in order of time before the page is cut.
 * Later transactions give the page's statuses.
 */
export async function history(t: RecordsTransaction, deps: AppDeps, actor: Actor, q: HistoryQuery): Promise<HistoryPage> {
  const userId = actor.user.id;
  // An index may keep the numbers of a commit that was rolled back and reused by someone else's.
  const entries = (await t.journal.getMany(await t.journal.seqsOfUser(userId))).filter((e) => e.tx.parties.includes(userId));
  const seen = entries.map((e) => e.tx);
  const hits = entries.filter((e) => matches(e.tx, q)).sort(newestFirst);
  const start = (q.page - 1) * q.limit;
  const rows = hits.slice(start, start + q.limit).map((e) => e.tx);
  return {
    views: await viewsOf(t, rows, userId, (tx) => followUpsOf(tx.id, seen), deps.ref.currencies),
    more: hits.length > start + q.limit,
    total: hits.length,
  };
}

/** The entry, if this user may see it; otherwise "not found" — never a hint that it exists. */
export async function visibleEntry(t: RecordsTransaction, idText: string, userId: UserId, seesAll: boolean): Promise<JournalEntry> {
  const seq = seqOfTxId(idText);
  const entry = seq === null ? null : await t.journal.get(seq);
  if (!entry || (!seesAll && !entry.tx.parties.includes(userId))) {
    throw new AppError('TX_NOT_FOUND', `there is no transaction ${idText.slice(0, 40)} in your history`, {
      hint: 'see your transactions with `okpay history`',
    });
  }
  return entry;
}

/**
 * `tx show`: a customer sees their own transactions, staff any; a staff look at a transaction they
 * are not a party to is audited (`tx.viewed`, like `agent user show`), so staff run it in a
 * transaction that is committed.
 */
export async function showTransaction(t: RecordsTransaction, deps: AppDeps, actor: Actor, idText: string): Promise<Receipt> {
  const { user } = actor;
  const entry = await visibleEntry(t, idText, user.id, user.role !== 'user');
  if (!entry.tx.parties.includes(user.id))
    audit(t, deps.now().toISOString(), 'tx.viewed', user.id, entry.tx.parties[0] ?? null, { tx: entry.tx.id, parties: entry.tx.parties.join(',') });
  const followUps = (await t.journal.getMany(await t.journal.seqsLinkingTo(entry.tx.id))).map((e) => e.tx);
  return receipt(await txFacts(t, entry.tx), entry, entry.tx.parties.includes(user.id) ? user.id : null, followUps, deps.ref.currencies);
}
