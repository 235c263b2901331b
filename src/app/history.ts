// A user's transactions a page at a time, newest first, through the journal's index of the user's
// transactions; and one transaction as a receipt.

import { AppError } from '../domain/errors.js';
import { seqOfTxId, type JournalEntry, type Transaction, type TxType } from '../domain/ledger.js';
import type { UserId } from '../domain/state.js';
import { followUpsOf, receipt, type Receipt, type TxView } from '../domain/tx-view.js';
import type { RecordsTransaction } from '../store/store.js';
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
}

/** At most this many journal entries are read per step while looking for a page's rows. */
const CHUNK = 200;

function matches(tx: Transaction, q: HistoryQuery): boolean {
  const at = Date.parse(tx.at);
  return (q.types === null || q.types.has(tx.type)) && (q.sinceMs === null || at >= q.sinceMs) && (q.untilMs === null || at < q.untilMs);
}

/**
 * One page, reading the user's entries newest first a chunk at a time and stopping once the page
 * and one more row are found. Later transactions read on the way give the page's statuses.
 */
export async function history(t: RecordsTransaction, deps: AppDeps, actor: Actor, q: HistoryQuery): Promise<HistoryPage> {
  const userId = actor.user.id;
  const seqs = (await t.journal.seqsOfUser(userId)).reverse();
  const wanted = q.page * q.limit;
  const hits: Transaction[] = [];
  const seen: Transaction[] = [];
  // The first step reads just enough for the page and the row after it (the user's newest entries
  // lie in as many journal segments as there are entries, on a busy store); later steps, when
  // filters skip rows, read more at a time.
  let step = wanted + 1;
  for (let i = 0; i < seqs.length && hits.length <= wanted; i += step, step = Math.min(step * 2, CHUNK)) {
    for (const entry of await t.journal.getMany(seqs.slice(i, i + step))) {
      // An index may keep the numbers of a commit that was rolled back and reused by someone else's.
      if (!entry.tx.parties.includes(userId)) continue;
      seen.push(entry.tx);
      if (matches(entry.tx, q)) hits.push(entry.tx);
    }
  }
  const rows = hits.slice(wanted - q.limit, wanted);
  return { views: await viewsOf(t, rows, userId, (tx) => followUpsOf(tx.id, seen), deps.ref.currencies), more: hits.length > wanted };
}

/** The entry, if this user may see it; otherwise "not found" — never a hint that it exists. */
export async function visibleEntry(t: RecordsTransaction, idText: string, userId: UserId, seesAll: boolean): Promise<JournalEntry> {
  const seq = seqOfTxId(idText);
  const entry = seq === null ? null : await t.journal.get(seq);
  if (!entry || (!seesAll && !entry.tx.parties.includes(userId))) {
    throw new AppError('TX_NOT_FOUND', `there is no transaction ${idText.slice(0, 40)} in your history`, { hint: 'see your transactions with `okpay history`' });
  }
  return entry;
}

/** `tx show`: a customer sees their own transactions, staff any. */
export async function showTransaction(t: RecordsTransaction, deps: AppDeps, actor: Actor, idText: string): Promise<Receipt> {
  const { user } = actor;
  const entry = await visibleEntry(t, idText, user.id, user.role !== 'user');
  const later = (await t.journal.seqsOfUser(entry.tx.parties[0] ?? user.id)).filter((s) => s > entry.seq);
  const followUps = followUpsOf(entry.tx.id, (await t.journal.getMany(later)).map((e) => e.tx));
  return receipt(await txFacts(t, entry.tx), entry, entry.tx.parties.includes(user.id) ? user.id : null, followUps, deps.ref.currencies);
}
