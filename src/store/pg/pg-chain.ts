// The journal and audit hash chains in SQL: appending entries after a chain's head (each hash over the
// one before), copying another store's entries as they were, indexing the journal's postings, parties
// and links, and reading a chain back page by page.
import { chainHash, entryContentText } from '../../domain/hashing.js';
import { hydrateTransaction, storedTransaction, type StoredJournalEntry, type Transaction } from '../../domain/ledger.js';
import { GENESIS_HASH, type ChainHead } from '../../domain/state.js';
import type { CopyIn } from './pg-copy.js';
import type { Query } from './pg-records.js';

export async function appendJournal(copy: CopyIn, head: ChainHead, posted: readonly Transaction[], endsCommit = true): Promise<ChainHead> {
  const next = await appendChain(
    copy,
    'journal',
    head,
    posted.map((tx) => entryContentText(storedTransaction(tx))),
    endsCommit,
  );
  await indexJournal(copy, posted);
  return next;
}

/** Journal entries of another store (`store copy`), as they were: their end marks and hashes kept. */
export async function copyJournal(copy: CopyIn, entries: readonly StoredJournalEntry[]): Promise<ChainHead> {
  const head = await copyChain(
    copy,
    'journal',
    entries.map((e) => ({ ...e, content: entryContentText(e.tx) })),
  );
  await indexJournal(
    copy,
    entries.map((e) => hydrateTransaction(e.tx, e.seq)),
  );
  return head;
}

/** Inserts chained entries exactly as stored; the table's trigger checks that each follows the one before. */
export async function copyChain(
  copy: CopyIn,
  table: 'journal' | 'audit',
  entries: readonly { seq: number; prevHash: string; hash: string; end: boolean; content: string }[],
): Promise<ChainHead> {
  await insertChain(
    copy,
    table,
    entries.map((e) => ({ seq: e.seq, prevHash: e.prevHash, hash: e.hash, end: e.end })),
    entries.map((e) => e.content),
  );
  const last = entries[entries.length - 1];
  return { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS_HASH, bytes: 0 };
}

/** The postings, parties and links of journal entries, in their own tables for the queries that need them. */
async function indexJournal(copy: CopyIn, posted: readonly Transaction[]): Promise<void> {
  await copy(
    'journal_postings',
    ['seq', 'line', 'account', 'currency', 'amount_minor'],
    posted.flatMap((tx) => tx.postings.map((p, line) => [tx.seq, line, p.account, p.currency, p.amountMinor])),
  );
  await copy(
    'journal_parties',
    ['user_id', 'seq'],
    posted.flatMap((tx) => [...new Set(tx.parties)].map((userId) => [userId, tx.seq])),
  );
  await copy(
    'journal_links',
    ['tx_id', 'seq'],
    posted.flatMap((tx) => [...new Set(tx.links)].map((txId) => [txId, tx.seq])),
  );
}

/**
 * Appends chained entries (their exact JSON text) after `head`, the last marked as the commit's end
 * unless `endsCommit` is false (entries sent ahead of their commit, which writes the last one).
 */
export async function appendChain(
  copy: CopyIn,
  table: 'journal' | 'audit',
  head: ChainHead,
  contents: readonly string[],
  endsCommit = true,
): Promise<ChainHead> {
  if (contents.length === 0) return head;
  const rows: ChainLink[] = [];
  let { seq, hash } = head;
  contents.forEach((content, index) => {
    const end = endsCommit && index === contents.length - 1;
    const next = chainHash(hash, seq + 1, end, content);
    rows.push({ seq: seq + 1, prevHash: hash, hash: next, end });
    seq += 1;
    hash = next;
  });
  await insertChain(copy, table, rows, contents);
  return { seq, hash, bytes: 0 };
}

interface ChainLink {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly end: boolean;
}

/** One COPY of chain entries; each content is the exact JSON text its hash covers, stored as is (a `json` column keeps the text). */
async function insertChain(copy: CopyIn, table: 'journal' | 'audit', links: readonly ChainLink[], contents: readonly string[]): Promise<void> {
  await copy(
    table,
    ['seq', 'prev_hash', 'hash', 'end_of_commit', 'content'],
    links.map((link, index) => [link.seq, link.prevHash, link.hash, link.end, contents[index] ?? '']),
  );
}

export interface ChainRow {
  seq: string;
  prev_hash: string;
  hash: string;
  end_of_commit: boolean;
  content: string;
}

export const CHAIN_COLUMNS = 'SELECT seq, prev_hash, hash, end_of_commit, content::text AS content';

export const pageStart = (seq: number, size: number): number => Math.floor((seq - 1) / size) * size + 1;

export async function* chainPages<E>(query: Query, table: 'journal' | 'audit', headSeq: number, size: number, make: (row: ChainRow) => E): AsyncGenerator<E[]> {
  for (let from = 1; from <= headSeq; from += size) {
    const { rows } = await query<ChainRow>(`${CHAIN_COLUMNS} FROM ${table} WHERE seq >= $1 AND seq < $2 AND seq <= $3 ORDER BY seq`, [
      from,
      from + size,
      headSeq,
    ]);
    yield rows.map(make);
  }
}
