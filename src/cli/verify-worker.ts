// A verify worker: checks a contiguous range of journal segments (each transaction balanced, the
// hash chain inside the range) and adds up their postings. The main thread stitches the ranges
// together and compares the totals with the state.
//
// Fast path: okpay writes every entry as {"end":…,"hash":"…","len":N,"prevHash":"…","seq":…,"tx":…}
// where N is the byte length of the transaction's JSON. So an entry's exact stored bytes (what its
// hash covers) can be sliced out of the file without parsing, and only the transaction's head is
// read: its links and parties (for the indexes) and its postings (all the totals need), by a scanner
// for okpay's own layout of them. Any segment not laid out exactly so is read the slow, general way
// (JSON.parse), which gives the same results.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { Posting, StoredJournalEntry } from '../domain/ledger.js';
import type { Balances } from '../domain/state.js';
import { LedgerReplay, MAX_PROBLEMS } from '../domain/integrity-check.js';

export interface RangeTask {
  readonly segmentSize: number;
  readonly files: readonly { segment: number; file: string }[];
  /** The last committed entry: entries after it (a commit under way) are not checked. */
  readonly lastSeq?: number;
  /** Also list each party's and each linked transaction's entries (for a store that keeps such indexes in files). */
  readonly indexes?: boolean;
}

export interface RangeResult {
  /** The chain position just before the range: the first entry's predecessor. */
  readonly start: { seq: number; hash: string } | null;
  readonly end: { seq: number; hash: string };
  readonly count: number;
  readonly balances: Balances;
  readonly problems: string[];
  /** With `indexes`: the entries naming each party, and those linking to each transaction, in order. */
  readonly parties?: Map<string, number[]>;
  readonly links?: Map<string, number[]>;
}

interface Range {
  readonly replay: LedgerReplay;
  readonly problems: string[];
  start: { seq: number; hash: string } | null;
}

export function checkRange(task: RangeTask): RangeResult {
  const problems: string[] = [];
  const range: Range = { replay: new LedgerReplay(task.segmentSize, problems), problems, start: null };
  const reader = new SegmentReader();
  const parties = task.indexes ? new Map<string, number[]>() : undefined;
  const links = task.indexes ? new Map<string, number[]>() : undefined;
  for (const { segment, file } of task.files) {
    let bytes: Buffer;
    try {
      bytes = reader.read(file);
    } catch (error) {
      if (problems.length < MAX_PROBLEMS) problems.push(`${file}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
      break;
    }
    const whole = scanSegment(bytes, segment) ?? parseSegment(bytes, segment, file, problems);
    if (!whole) break;
    const read = committedOnly(whole, task.lastSeq);
    const first = read.entries[0];
    if (range.start === null && first) {
      range.start = { seq: first.seq - 1, hash: first.prevHash };
      range.replay.chain.resumeAt(range.start.seq, range.start.hash);
    }
    range.replay.addSegment(segment, read.entries, file, read.contents);
    if (parties && links) {
      for (const entry of read.entries) {
        fileUnder(parties, entry.seq, entry.tx.parties);
        fileUnder(links, entry.seq, entry.tx.links);
      }
    }
  }
  const position = range.replay.chain.position();
  return { start: range.start, end: position, count: range.replay.chain.count, balances: range.replay.balances, problems, parties, links };
}

/** Files an entry under each name it gives (once per name), as the store's journal indexes do. */
function fileUnder(into: Map<string, number[]>, seq: number, names: readonly string[] | undefined): void {
  if (!Array.isArray(names)) return;
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i]!;
    // A name given twice is filed once (looked for in the list itself: a Set per entry cost more than the few names it holds).
    if (names.indexOf(name) !== i) continue;
    const seqs = into.get(name);
    if (seqs) seqs.push(seq);
    else into.set(name, [seq]);
  }
}

/** A segment's entries up to the last committed one (all of them when the task gives no bound). */
function committedOnly<R extends { entries: StoredJournalEntry[]; contents?: Uint8Array[] }>(read: R, lastSeq: number | undefined): R {
  if (lastSeq === undefined || read.entries.every((e) => e.seq <= lastSeq)) return read;
  const keep = read.entries.findIndex((e) => e.seq > lastSeq);
  return { ...read, entries: read.entries.slice(0, keep), contents: read.contents?.slice(0, keep) };
}

const literal = (text: string): Buffer => Buffer.from(text, 'latin1');
const L = {
  end: literal('{"end":'),
  true: literal('true'),
  false: literal('false'),
  hash: literal(',"hash":"'),
  len: literal('","len":'),
  prevHash: literal(',"prevHash":"'),
  seq: literal('","seq":'),
  tx: literal(',"tx":'),
  close: literal('}'),
  comma: literal(','),
  account: literal('{"account":"'),
  currency: literal(',"currency":"'),
  amount: literal(',"amountMinor":'),
  minus: literal('-'),
  entriesEnd: literal(']}'),
  txType: literal('{"type":"'),
  txAt: literal(',"at":"'),
  txMemo: literal(',"memo":'),
  null: literal('null'),
  txLinks: literal(',"links":'),
  txParties: literal(',"parties":'),
  txPostings: literal(',"postings":['),
  listEnd: literal(']'),
};

/**
 * Account names and currency codes repeat on every entry: each is made into a string once and
 * looked up by its bytes after that, which spares an allocation per posting and lets balance
 * lookups use the string's cached hash. Bounded, so a hostile journal cannot make it grow forever.
 */
const MAX_INTERNED = 200_000;
const interned = new Map<number, string[]>();
let internedCount = 0;

function internedString(bytes: Buffer, from: number, to: number, hash: number): string {
  const bucket = interned.get(hash);
  const length = to - from;
  if (bucket) {
    search: for (const candidate of bucket) {
      if (candidate.length !== length) continue;
      for (let i = 0; i < length; i += 1) if (candidate.charCodeAt(i) !== bytes[from + i]) continue search;
      return candidate;
    }
  }
  const text = bytes.toString('latin1', from, to);
  if (internedCount < MAX_INTERNED) {
    internedCount += 1;
    if (bucket) bucket.push(text);
    else interned.set(hash, [text]);
  }
  return text;
}

/**
 * Reads segment files into one buffer, reused from file to file: a fresh buffer per segment
 * (what readFileSync does) costs its page faults again every time. Nothing keeps a view of the
 * bytes past its segment: names, hashes and postings are copied out as strings and numbers.
 */
class SegmentReader {
  private buffer = Buffer.allocUnsafeSlow(1 << 20);

  read(file: string): Buffer {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size > this.buffer.length) this.buffer = Buffer.allocUnsafeSlow(Math.max(size, this.buffer.length * 2));
      let filled = 0;
      while (filled < size) {
        const got = readSync(fd, this.buffer, filled, size - filled, filled);
        if (got === 0) break;
        filled += got;
      }
      return this.buffer.subarray(0, filled);
    } finally {
      closeSync(fd);
    }
  }
}

/** A reader over one segment's bytes, for the fixed layout okpay writes. */
class Cursor {
  constructor(
    readonly bytes: Buffer,
    public at: number,
  ) {}

  take(expected: Buffer): boolean {
    const { bytes, at } = this;
    if (at + expected.length > bytes.length) return false;
    // A plain loop: the literals are short, and a native compare costs more to call than to run.
    for (let i = 0; i < expected.length; i += 1) if (bytes[at + i] !== expected[i]) return false;
    this.at = at + expected.length;
    return true;
  }

  digits(): number | null {
    let value = 0;
    const from = this.at;
    while (this.at < this.bytes.length && this.at - from < 16) {
      const byte = this.bytes[this.at]!;
      if (byte < 0x30 || byte > 0x39) break;
      value = value * 10 + (byte - 0x30);
      this.at += 1;
    }
    // JSON allows no leading zeros: such bytes are left to JSON.parse, which refuses them.
    if (this.at === from || (this.bytes[from] === 0x30 && this.at - from > 1)) return null;
    return value;
  }

  /** A string's characters up to its closing quote, when they are printable ASCII without escapes. */
  plainString(): string | null {
    const from = this.at;
    const close = this.plainStringEnd();
    if (close < 0) return null;
    this.at = close + 1;
    return internedString(this.bytes, from, close, this.hashed);
  }

  /** Steps over what plainString reads, without making a string of it (a transaction's time is new on every entry). */
  skipPlainString(): boolean {
    const close = this.plainStringEnd();
    if (close >= 0) this.at = close + 1;
    return close >= 0;
  }

  /** The hash of the characters plainStringEnd last went over. */
  private hashed = 0;

  /** Where the plain string at the cursor closes (1 to 79 printable ASCII characters, no escapes), or -1. */
  private plainStringEnd(): number {
    const { bytes } = this;
    const from = this.at;
    let hash = 0x811c9dc5;
    for (let at = from, limit = Math.min(bytes.length, from + 80); at < limit; at += 1) {
      const byte = bytes[at]!;
      if (byte === 0x22) {
        // 30 bits: a small integer to V8, which a Map looks up without boxing it.
        this.hashed = hash & 0x3fffffff;
        return at > from ? at : -1;
      }
      if (byte < 0x20 || byte > 0x7e || byte === 0x5c) return -1;
      hash = Math.imul(hash ^ byte, 0x01000193);
    }
    return -1;
  }

  /** Steps over a JSON string at the cursor (escapes included) without decoding it. */
  skipString(): boolean {
    const { bytes } = this;
    if (bytes[this.at] !== 0x22) return false;
    for (let at = this.at + 1; at < bytes.length; at += 1) {
      if (bytes[at] === 0x5c) at += 1;
      else if (bytes[at] === 0x22) {
        this.at = at + 1;
        return true;
      }
    }
    return false;
  }

  /** A JSON array of strings at the cursor, read up to its first ']' (ids hold none), or null. */
  idList(): string[] | null {
    const { bytes } = this;
    if (bytes[this.at] !== 0x5b) return null;
    return this.plainIdList() ?? this.parsedIdList();
  }

  /** An array of plain strings (okpay's ids) read in place, or null (the cursor where it was) for anything else. */
  private plainIdList(): string[] | null {
    const { bytes } = this;
    const from = this.at;
    const ids: string[] = [];
    this.at += 1;
    if (bytes[this.at] === 0x5d) {
      this.at += 1;
      return ids;
    }
    for (;;) {
      const id = bytes[this.at] === 0x22 ? ((this.at += 1), this.plainString()) : null;
      const next = bytes[this.at];
      if (id === null || (next !== 0x2c && next !== 0x5d)) {
        this.at = from;
        return null;
      }
      ids.push(id);
      this.at += 1;
      if (next === 0x5d) return ids;
    }
  }

  private parsedIdList(): string[] | null {
    const { bytes } = this;
    const close = bytes.indexOf(0x5d, this.at);
    if (close < 0) return null;
    try {
      const ids = JSON.parse(bytes.toString('utf8', this.at, close + 1)) as unknown;
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) return null;
      this.at = close + 1;
      return ids as string[];
    } catch {
      return null;
    }
  }

  /** 64 characters of a hash; a malformed one simply fails the hash comparisons that follow. */
  hex64(): string | null {
    if (this.at + 64 > this.bytes.length) return null;
    const text = this.bytes.toString('latin1', this.at, this.at + 64);
    this.at += 64;
    return text;
  }
}

interface ScannedEntry {
  readonly end: boolean;
  readonly hash: string;
  readonly prevHash: string;
  readonly seq: number;
  readonly content: Buffer;
}

/** One entry at the cursor, or null when the bytes are not in okpay's layout. */
function scanEntry(c: Cursor): ScannedEntry | null {
  if (!c.take(L.end)) return null;
  const end = c.take(L.true) ? true : c.take(L.false) ? false : null;
  if (end === null || !c.take(L.hash)) return null;
  const hash = c.hex64();
  if (hash === null || !c.take(L.len)) return null;
  const len = c.digits();
  if (len === null || !c.take(L.prevHash)) return null;
  const prevHash = c.hex64();
  if (prevHash === null || !c.take(L.seq)) return null;
  const seq = c.digits();
  if (seq === null || !c.take(L.tx)) return null;
  const content = c.bytes.subarray(c.at, c.at + len);
  c.at += len;
  if (content.length !== len || !c.take(L.close)) return null;
  return { end, hash, prevHash, seq, content };
}

/** What the fast path reads of a transaction: its postings (for the totals), its parties and links (for a store's indexes). */
interface TransactionHead {
  readonly postings: Posting[];
  readonly parties: string[];
  readonly links: string[];
}

/**
 * A transaction's bytes read up to its postings, in the order okpay writes them —
 * {"type":"…","at":"…","memo":…,"links":[…],"parties":[…],"postings":[…],… — in one pass, so that a
 * list of the same name nested further in is never taken for them; null for any other layout (the
 * segment is then parsed whole).
 */
function transactionHead(content: Buffer): TransactionHead | null {
  const c = new Cursor(content, 0);
  if (!c.take(L.txType) || !c.skipPlainString() || !c.take(L.txAt) || !c.skipPlainString() || !c.take(L.txMemo)) return null;
  if (!c.take(L.null) && !c.skipString()) return null;
  if (!c.take(L.txLinks)) return null;
  const links = c.idList();
  if (links === null || !c.take(L.txParties)) return null;
  const parties = c.idList();
  if (parties === null || !c.take(L.txPostings)) return null;
  const postings = scanPostings(c);
  return postings === null ? null : { postings, parties, links };
}

/**
 * The postings as okpay writes them — [{"account":"…","currency":"…","amountMinor":…},…] with
 * plain names and whole numbers — read without JSON.parse, the cursor just past them; null for
 * anything else (the segment is then parsed whole, so the result never depends on which reader ran).
 */
function scanPostings(c: Cursor): Posting[] | null {
  const postings: Posting[] = [];
  if (c.take(L.listEnd)) return postings;
  do {
    if (!c.take(L.account)) return null;
    const account = c.plainString();
    if (account === null || !c.take(L.currency)) return null;
    const currency = c.plainString();
    if (currency === null || !c.take(L.amount)) return null;
    const negative = c.take(L.minus);
    const magnitude = c.digits();
    if (magnitude === null || !Number.isSafeInteger(magnitude) || !c.take(L.close)) return null;
    postings.push({ account, currency, amountMinor: negative ? -magnitude : magnitude });
  } while (c.take(L.comma));
  return c.take(L.listEnd) ? postings : null;
}

interface ReadSegment {
  readonly entries: StoredJournalEntry[];
  /** The exact stored bytes of each entry's transaction (fast path), or nothing (general path). */
  readonly contents?: Uint8Array[];
}

/** The fast path: null when the segment is not laid out exactly as okpay writes it. */
function scanSegment(bytes: Buffer, segment: number): ReadSegment | null {
  const c = new Cursor(bytes, 0);
  if (!c.take(literal(`{"segment":${segment},"entries":[`))) return null;
  const entries: StoredJournalEntry[] = [];
  const contents: Uint8Array[] = [];
  for (let first = true; !c.take(L.entriesEnd); first = false) {
    if (!first && !c.take(L.comma)) return null;
    const entry = scanEntry(c);
    const head = entry ? transactionHead(entry.content) : null;
    if (!entry || !head) return null;
    // The hash covers the whole stored transaction; of the rest, only its head is needed.
    entries.push({ seq: entry.seq, prevHash: entry.prevHash, hash: entry.hash, end: entry.end, tx: head as unknown as StoredJournalEntry['tx'] });
    contents.push(entry.content);
  }
  return c.at === bytes.length ? { entries, contents } : null;
}

/** The general path: the segment parsed as JSON, each transaction re-serialised to check its hash. */
function parseSegment(bytes: Buffer, segment: number, file: string, problems: string[]): ReadSegment | null {
  try {
    const data = JSON.parse(bytes.toString('utf8')) as { segment?: unknown; entries?: unknown };
    if (data.segment !== segment || !Array.isArray(data.entries)) throw new Error('not a journal segment');
    return { entries: data.entries as StoredJournalEntry[] };
  } catch (error) {
    if (problems.length < MAX_PROBLEMS)
      problems.push(`${file}: cannot be read as a journal segment (${error instanceof Error ? error.message : String(error)})`);
    return null;
  }
}

if (parentPort && workerData) parentPort.postMessage(checkRange(workerData as RangeTask));
