// The checks behind `okpay verify` (and the target check of `store copy`): every ledger invariant and both
// hash chains, with how fast it went. A large journal is checked by worker threads, one contiguous range
// of segments each, stitched together here.

import { existsSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { AppError } from '../domain/errors.js';
import { GENESIS_HASH, type ChainHead, type UnclaimedTransfer, type Withdrawal } from '../domain/state.js';
import { addTotals, auditChecker, compareWithState, LedgerReplay, MAX_PROBLEMS, totalOf, type LiveRecords, type Totals } from '../domain/integrity-check.js';
import { fileLinks } from '../store/record-kinds.js';
import type { JournalIndexes, RecordStore, RecordsTransaction } from '../store/store.js';
import { packagePath } from './paths.js';
import type { RangeResult, RangeTask } from './verify-worker.js';

/** Below this many segments, starting threads costs more than it saves. */
const PARALLEL_FROM_SEGMENTS = 16;
const PAGE_SIZE = 1000;
const WORKER = packagePath('dist', 'bundle', 'verify-worker.cjs');

interface JournalCheck {
  readonly balances: Totals;
  /** The entries' parties, each counted once per entry (counted only where the store keeps them beside the entries). */
  readonly parties: number;
  /** The transactions the entries link to, each counted once per entry (likewise). */
  readonly links: number;
  readonly entries: number;
  readonly segments: number;
  readonly workers: number;
  /** Each party's and each linked transaction's entries: read only for a store that keeps them in files. */
  readonly indexes: JournalIndexes | null;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly checked: { readonly journalEntries: number; readonly journalSegments: number; readonly auditEntries: number; readonly accounts: number };
  readonly workers: number;
  readonly seconds: number;
  readonly entriesPerSecond: number;
  readonly problems: string[];
}

/** Every check of `okpay verify` on one store (also what `store copy` runs on its target). */
export async function verifyStore(store: RecordStore): Promise<VerifyReport> {
  const started = performance.now();
  // A read: verify looks and never writes (a damaged file is reported as it is, not re-serialised).
  const report = await store.read(async (t) => {
    const problems: string[] = [];
    const journalChecked = (await startJournalCheck(t, problems)).done;
    // A store kept in files: every file, index and queue record, and the outbox, checked as well, on
    // this thread while the journal's threads run (only the journal's indexes wait for them).
    const filesChecked = t.checkFiles?.(journalChecked.then(indexesOf)) ?? Promise.resolve([]);
    const [journal, fileProblems] = await Promise.all([journalChecked, filesChecked]);
    await checkBesideEntries(t, journal, problems);
    const live = await damageReported(problems, () => liveRecords(t));
    if (live) compareWithState(live, journal.balances, problems);
    const auditEntries = await checkAudit(t, problems);
    for (const problem of fileProblems) if (!problems.includes(problem)) problems.push(problem);
    return { problems, journal, auditEntries, accounts: live ? live.balances.size : 0 };
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    ok: report.problems.length === 0,
    checked: { journalEntries: report.journal.entries, journalSegments: report.journal.segments, auditEntries: report.auditEntries, accounts: report.accounts },
    workers: report.journal.workers,
    seconds: Number(seconds.toFixed(3)),
    entriesPerSecond: Math.round(report.journal.entries / Math.max(seconds, 1e-6)),
    problems: report.problems,
  };
}

/**
 * What `read` gives, or null once it has met a damaged record (STORE_CORRUPT), which is reported
 * among the problems: the balances cannot be compared with the journal then, the rest of the check goes on.
 */
async function damageReported<T>(problems: string[], read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'STORE_CORRUPT') throw error;
    if (!problems.includes(error.message)) problems.push(error.message);
    return null;
  }
}

/** The stored balances and the live records that hold money, read a page at a time. */
async function liveRecords(t: RecordsTransaction): Promise<LiveRecords> {
  const balances = new Map<string, Map<string, number>>();
  const unclaimed = new Map<string, UnclaimedTransfer>();
  const withdrawals = new Map<string, Withdrawal>();
  for await (const page of t.balances.scan(PAGE_SIZE)) for (const { account, currencies } of page) balances.set(account, new Map(Object.entries(currencies)));
  for await (const page of t.unclaimed.scan(PAGE_SIZE)) for (const item of page) unclaimed.set(item.txId, item);
  for await (const page of t.withdrawals.scan(PAGE_SIZE)) for (const item of page) withdrawals.set(item.id, item);
  return { balances, unclaimed, withdrawals };
}

/** What the journal's check gives the check of the files (a store's journal indexes must hold it). */
function indexesOf(journal: JournalCheck): JournalIndexes {
  if (!journal.indexes) throw new Error('the journal was checked without its indexes, which the check of the files needs');
  return journal.indexes;
}

/**
 * The journal's check, under way once this resolves: its threads started (a large journal), so that
 * this thread can do other work meanwhile; `done` is its result.
 */
async function startJournalCheck(t: RecordsTransaction, problems: string[]): Promise<{ readonly done: Promise<JournalCheck> }> {
  // Verify reads without the lock: a commit under way may have written entries past the head.
  const head = t.journal.head();
  const lastSegment = head.seq === 0 ? -1 : Math.floor((head.seq - 1) / t.journal.segmentSize);
  const files = (await t.journal.segmentFiles())?.filter((f) => f.segment <= lastSegment) ?? null;
  const threads = Math.min(os.availableParallelism(), 8);
  const indexes = t.checkFiles !== undefined;
  if (files && files.length >= PARALLEL_FROM_SEGMENTS && threads > 1 && existsSync(WORKER))
    return { done: checkInParallel(t, files, threads, indexes, problems) };
  return { done: checkHere(t, lastSegment, indexes, problems) };
}

/** The journal checked on this thread, a segment at a time (a small journal, or no threads). */
async function checkHere(t: RecordsTransaction, lastSegment: number, indexes: boolean, problems: string[]): Promise<JournalCheck> {
  const head = t.journal.head();
  const replay = new LedgerReplay(t.journal.segmentSize, problems);
  const ofParties = new Map<string, number[]>();
  const ofLinks = new Map<string, number[]>();
  let segment = 0;
  let parties = 0;
  let links = 0;
  for await (const entries of t.journal.scan()) {
    if (segment > lastSegment) break;
    const committed = entries.filter((e) => e.seq <= head.seq);
    replay.addSegment(segment, committed, t.journal.describeSegment(segment * t.journal.segmentSize + 1));
    for (const entry of committed) {
      parties += new Set(entry.tx.parties).size;
      links += new Set(entry.tx.links).size;
      if (indexes) {
        fileLinks(ofParties, entry.seq, entry.tx.parties);
        fileLinks(ofLinks, entry.seq, entry.tx.links);
      }
    }
    segment += 1;
  }
  replay.chain.finish(t.journal.head());
  return {
    balances: replay.balances,
    parties,
    links,
    entries: replay.chain.count,
    segments: segment,
    workers: 0,
    indexes: indexes ? { parties: ofParties, links: ofLinks } : null,
  };
}

async function checkInParallel(
  t: RecordsTransaction,
  files: { segment: number; file: string }[],
  threads: number,
  indexes: boolean,
  problems: string[],
): Promise<JournalCheck> {
  files.forEach((f, index) => {
    if (f.segment !== index) problems.push(`journal segment ${index} is missing (the next file is segment ${f.segment})`);
  });
  const per = Math.ceil(files.length / threads);
  const tasks: RangeTask[] = [];
  for (let i = 0; i < files.length; i += per)
    tasks.push({ segmentSize: t.journal.segmentSize, files: files.slice(i, i + per), lastSeq: t.journal.head().seq, indexes });
  const results = await Promise.all(tasks.map(runWorker));
  const balances: Totals = new Map();
  const parties = new Map<string, number[]>();
  const links = new Map<string, number[]>();
  let previous = { seq: 0, hash: GENESIS_HASH };
  // The ranges follow each other, so each name's entries come out in order.
  for (const result of results) {
    for (const [name, seqs] of result.parties ?? []) append(parties, name, seqs);
    for (const [name, seqs] of result.links ?? []) append(links, name, seqs);
    for (const problem of result.problems) if (problems.length < MAX_PROBLEMS) problems.push(problem);
    if (result.start && (result.start.seq !== previous.seq || result.start.hash !== previous.hash)) {
      problems.push(`journal entry ${result.start.seq + 1} does not continue the hash chain of the segment before it`);
    }
    previous = result.end;
    addTotals(balances, result.balances);
  }
  checkHead(previous, t.journal.head(), problems);
  return {
    balances,
    parties: 0,
    links: 0,
    entries: results.reduce((sum, r) => sum + r.count, 0),
    segments: files.length,
    workers: tasks.length,
    indexes: indexes ? { parties, links } : null,
  };
}

/**
 * A store that keeps the postings, parties and links beside the entries (PostgreSQL's
 * journal_postings, journal_parties and journal_links, which balances, history and follow-ups are
 * read from) must hold exactly what the entries say.
 */
async function checkBesideEntries(t: RecordsTransaction, journal: JournalCheck, problems: string[]): Promise<void> {
  const beside = await t.journal.besideEntries?.();
  if (!beside) return;
  const push = (text: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(text);
  };
  const accounts = new Set([...beside.balances.keys(), ...journal.balances.keys()]);
  for (const account of [...accounts].sort()) {
    const currencies = new Set([...(beside.balances.get(account)?.keys() ?? []), ...(journal.balances.get(account)?.keys() ?? [])]);
    for (const currency of [...currencies].sort()) {
      const kept = totalOf(beside.balances, account, currency);
      const replayed = totalOf(journal.balances, account, currency);
      if (kept !== replayed) push(`the postings kept beside the journal total ${kept} for ${account} in ${currency}, but its entries total ${replayed}`);
    }
  }
  if (beside.parties !== journal.parties)
    push(`${beside.parties} parties are kept beside the journal for the users' history, but its entries name ${journal.parties}`);
  if (beside.links !== journal.links)
    push(`${beside.links} links are kept beside the journal for the transactions' follow-ups, but its entries name ${journal.links}`);
  for (const problem of beside.problems ?? []) push(problem);
}

function runWorker(task: RangeTask): Promise<RangeResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: task });
    worker.once('message', (result: RangeResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`a verify worker stopped with code ${code}`));
    });
  });
}

/** A range's entries of a name after those of the ranges before it, added in place (not a copy of the whole list per range). */
function append(into: Map<string, number[]>, name: string, seqs: number[]): void {
  const list = into.get(name);
  if (!list) into.set(name, seqs);
  else for (const seq of seqs) list.push(seq);
}

function checkHead(end: { seq: number; hash: string }, head: ChainHead, problems: string[]): void {
  if (end.seq !== head.seq || end.hash !== head.hash) {
    problems.push(`journal ends at entry ${end.seq} but the state says ${head.seq} was the last committed (entries lost or added)`);
  }
}

async function checkAudit(t: RecordsTransaction, problems: string[]): Promise<number> {
  const audits = auditChecker(t.journal.segmentSize, problems);
  let segment = 0;
  for await (const entries of t.auditLog.scan()) {
    audits.addSegment(segment, entries, t.auditLog.describeSegment(segment * t.journal.segmentSize + 1));
    segment += 1;
  }
  audits.finish(t.auditLog.head());
  return audits.count;
}
