// A verify worker: checks a contiguous range of journal segments (each transaction balanced, the
// hash chain inside the range) and adds up their postings. The main thread stitches the ranges
// together and compares the totals with the state.

import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { StoredJournalEntry } from '../domain/ledger.js';
import { LedgerReplay } from '../domain/verify.js';
import { entryPrefix } from '../store/segment-log.js';

export interface RangeTask {
  readonly segmentSize: number;
  readonly files: readonly { segment: number; file: string }[];
}

export interface RangeResult {
  /** The chain position just before the range: the first entry's predecessor. */
  readonly start: { seq: number; hash: string } | null;
  readonly end: { seq: number; hash: string };
  readonly count: number;
  readonly balances: Record<string, Record<string, number>>;
  readonly problems: string[];
}

export function checkRange(task: RangeTask): RangeResult {
  const problems: string[] = [];
  const replay = new LedgerReplay(task.segmentSize, problems);
  let start: RangeResult['start'] = null;
  for (const { segment, file } of task.files) {
    let entries: StoredJournalEntry[];
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
      const data = JSON.parse(text) as { segment?: unknown; entries?: unknown };
      if (data.segment !== segment || !Array.isArray(data.entries)) throw new Error('not a journal segment');
      entries = data.entries as StoredJournalEntry[];
    } catch (error) {
      problems.push(`${file}: cannot be read as a journal segment (${error instanceof Error ? error.message : String(error)})`);
      break;
    }
    const first = entries[0];
    if (start === null && first) {
      start = { seq: first.seq - 1, hash: first.prevHash };
      replay.chain.resumeAt(start.seq, start.hash);
    }
    replay.addSegment(segment, entries, file, storedTexts(text, segment, entries));
  }
  return { start, end: replay.chain.position(), count: replay.chain.count, balances: replay.balances, problems };
}

/**
 * The stored content text of each entry, sliced from the file by the lengths the entries record.
 * Where the file is not laid out as okpay writes it, the slice is left out and the checker
 * re-serialises that entry instead: a wrong guess can only cost time, never hide a change.
 */
export function storedTexts(text: string, segment: number, entries: readonly StoredJournalEntry[]): (string | undefined)[] {
  const texts: (string | undefined)[] = [];
  let at = `{"segment":${segment},"entries":[`.length;
  for (const entry of entries) {
    const len = entry.len;
    const prefix = at >= 0 && typeof len === 'number' ? entryPrefix(entry.end, entry.hash, len, entry.prevHash, entry.seq, 'tx') : null;
    const start = prefix === null ? -1 : at + prefix.length;
    // The entry must be exactly prefix + content + "}", followed by "," or "]": nothing else in it.
    const exact = prefix !== null && len !== undefined && text.startsWith(prefix, at) && text[start + len] === '}' && (text[start + len + 1] === ',' || text[start + len + 1] === ']');
    if (!exact || len === undefined) {
      texts.push(undefined);
      at = -1;
      continue;
    }
    texts.push(text.slice(start, start + len));
    at = start + len + 2;
  }
  return texts;
}

if (parentPort && workerData) parentPort.postMessage(checkRange(workerData as RangeTask));
