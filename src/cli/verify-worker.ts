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

import { hash as digestOf } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { Posting, StoredJournalEntry } from '../domain/ledger.js';
import { addExact, addToTotal, LedgerReplay, MAX_PROBLEMS, type ExactSum, type Totals } from '../domain/integrity-check.js';

/** A chain hash as okpay writes it. */
const HEX_HASH = /^[0-9a-f]{64}$/;

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
  /** Exact totals by account and currency (Maps: an account may be named __proto__). */
  readonly balances: Totals;
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
  const clean = new CleanSegments(task.segmentSize, task.lastSeq, parties, links);
  for (const { segment, file } of task.files) {
    let bytes: Buffer;
    try {
      bytes = reader.read(file);
    } catch (error) {
      if (problems.length < MAX_PROBLEMS) problems.push(`${file}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
      break;
    }
    if (clean.check(bytes, segment, range)) continue;
    // Anything the clean path does not vouch for (a problem to report, another layout) is read as before, from where it stopped.
    clean.handOver(range);
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
    clean.takeBack(range);
  }
  clean.finish(range);
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

/**
 * The clean path: a segment laid out exactly as okpay writes it (the same layout the scanner below
 * reads) whose every entry passes every check — it starts where its number says, each entry
 * follows the one before it and points at its hash, each hash matches its bytes, each transaction
 * balances in each currency. It is read in one pass, straight from the file's bytes: no entry,
 * posting or hash is made into an object or a string, and each posting is added to its account's
 * total by a slot number. What it finds (postings, parties, links) is kept aside and added only once
 * the whole segment has passed, so that any segment it does not vouch for is read again by the
 * general code from the same position, which reports each problem in its words; the results are
 * the same whichever path read a segment.
 */
class CleanSegments {
  /** The chain's position: the last entry checked and its hash (as bytes, and whether those are the hash's exact text). */
  private seq = 0;
  private readonly hash = Buffer.alloc(64);
  private hashIsBytes = false;
  private count = 0;
  /** Whether the range has begun (its first entry gives its start). */
  private started = false;
  /** Each account's total in each currency, by slot: a slot is one account in one currency (its two texts). */
  private readonly slots = new ByteTable(2);
  /** Exact: a number while safe, a bigint past 2^53 (a forged journal's). */
  private readonly sums: ExactSum[] = [];
  /** Whether a slot has had a posting of a segment that passed (only those are balances). */
  private readonly posted: boolean[] = [];
  /**
   * How many times the general code has read segments of this range, and for each slot the last of
   * those whose balance it has taken over: a slot's sum is the account's whole balance, so that
   * each posting's running total is the one the general code would check.
   */
  private generalReads = 0;
  private readonly takenOver: number[] = [];
  /** The parties' and links' names, and each name's entries as a party and as a link (made when first filed). */
  private readonly names = new ByteTable(1);
  private readonly asParty: (number[] | undefined)[] = [];
  private readonly asLink: (number[] | undefined)[] = [];
  // What a segment gives, added once it has passed.
  private readonly postedSlots: number[] = [];
  private readonly postedAmounts: number[] = [];
  private readonly filedNames: number[] = [];
  private readonly filedSeqs: number[] = [];
  private readonly filedParty: boolean[] = [];
  /** The names of one list of an entry (a name given twice is filed once). */
  private readonly listed: number[] = [];
  /** One transaction's total per currency (by its text). */
  private readonly currencies: string[] = [];
  private readonly totals: number[] = [];
  private scratch = Buffer.allocUnsafe(8192);

  constructor(
    private readonly segmentSize: number,
    private readonly lastSeq: number | undefined,
    private readonly parties: Map<string, number[]> | undefined,
    private readonly links: Map<string, number[]> | undefined,
  ) {}

  /** The segment checked and added; false (nothing added, nothing moved) when the general code must read it. */
  check(bytes: Buffer, segment: number, range: Range): boolean {
    if (this.started && !this.hashIsBytes) return false;
    this.postedSlots.length = 0;
    this.postedAmounts.length = 0;
    this.filedNames.length = 0;
    this.filedSeqs.length = 0;
    this.filedParty.length = 0;
    const c = new Cursor(bytes, 0);
    if (!c.take(literal(`{"segment":${segment},"entries":[`))) return false;
    let seq = this.seq;
    let started = this.started;
    let start: { seq: number; hash: string } | null = null;
    let hashAt = -1;
    let committed = 0;
    let past = false;
    for (let first = true; !c.take(L.entriesEnd); first = false) {
      if (!first && !c.take(L.comma)) return false;
      // {"end":…,"hash":"…","len":N,"prevHash":"…","seq":N,"tx":…}
      if (!c.take(L.end)) return false;
      const end = c.take(L.true) ? true : c.take(L.false) ? false : null;
      if (end === null || !c.take(L.hash)) return false;
      const entryHashAt = c.at;
      c.at += 64;
      if (c.at > bytes.length || !c.take(L.len)) return false;
      const len = c.digits();
      if (len === null || !c.take(L.prevHash)) return false;
      const prevHashAt = c.at;
      c.at += 64;
      if (c.at > bytes.length || !c.take(L.seq)) return false;
      const seqAt = c.at;
      const entrySeq = c.digits();
      const seqEnd = c.at;
      if (entrySeq === null || !c.take(L.tx)) return false;
      const from = c.at;
      const to = from + len;
      if (to > bytes.length) return false;
      const filed = this.filedNames.length;
      const posted = this.postedSlots.length;
      // The transaction's head, read in place; the cursor must not leave the transaction.
      if (!this.head(c, entrySeq, to) || c.at > to) return false;
      c.at = to;
      if (!c.take(L.close)) return false;
      past ||= this.lastSeq !== undefined && entrySeq > this.lastSeq;
      if (past) {
        // Past the last committed entry (a commit under way): read for its layout only, like the general code.
        this.filedNames.length = this.filedSeqs.length = this.filedParty.length = filed;
        this.postedSlots.length = this.postedAmounts.length = posted;
        continue;
      }
      if (!Number.isSafeInteger(entrySeq)) return false;
      if (committed === 0 && entrySeq !== segment * this.segmentSize + 1) return false;
      committed += 1;
      if (committed > this.segmentSize) return false;
      if (!started) {
        // The range's first entry: its predecessor is the range's start (checked by the main thread), given as text.
        for (let i = prevHashAt; i < prevHashAt + 64; i += 1) if (bytes[i]! >= 0x80) return false;
        started = true;
        start = { seq: entrySeq - 1, hash: bytes.toString('latin1', prevHashAt, prevHashAt + 64) };
      } else {
        if (entrySeq !== seq + 1) return false;
        if (!(hashAt < 0 ? this.sameAsHash(bytes, prevHashAt) : same64(bytes, prevHashAt, bytes, hashAt))) return false;
      }
      if (!this.hashMatches(bytes, prevHashAt, seqAt, seqEnd, end, from, to, entryHashAt)) return false;
      seq = entrySeq;
      hashAt = entryHashAt;
    }
    if (c.at !== bytes.length || committed === 0) return false;
    // Passed: the segment's postings, parties and links are added, and the chain moves on.
    const { sums, postedSlots, postedAmounts } = this;
    for (let i = 0; i < postedSlots.length; i += 1) {
      const slot = postedSlots[i]!;
      if (this.takenOver[slot] !== this.generalReads) this.takeOver(slot, range.replay.balances);
      const sum = sums[slot]!;
      const next = typeof sum === 'number' ? sum + postedAmounts[i]! : NaN;
      // Past 2^53 (or already there), exactly, as the general code adds.
      sums[slot] = Number.isSafeInteger(next) ? next : addExact(sum, postedAmounts[i]!);
      this.posted[slot] = true;
    }
    if (this.parties && this.links) {
      for (let i = 0; i < this.filedNames.length; i += 1) {
        const name = this.filedNames[i]!;
        const party = this.filedParty[i]!;
        const lists = party ? this.asParty : this.asLink;
        const seqs = lists[name];
        if (seqs) seqs.push(this.filedSeqs[i]!);
        else {
          // The name's list, which the general code may have begun (it files into the same maps).
          const into = party ? this.parties : this.links;
          const text = this.names.text(name, 0);
          const list = into.get(text) ?? [];
          if (list.length === 0) into.set(text, list);
          list.push(this.filedSeqs[i]!);
          lists[name] = list;
        }
      }
    }
    if (start) range.start = start;
    this.started = true;
    this.seq = seq;
    bytes.copy(this.hash, 0, hashAt, hashAt + 64);
    this.hashIsBytes = true;
    this.count += committed;
    return true;
  }

  /** The general code goes on from where this path stopped, with every balance this path holds. */
  handOver(range: Range): void {
    const chain = range.replay.chain;
    if (this.started) chain.resumeAt(this.seq, this.hash.toString('latin1'));
    chain.count = this.count;
    const balances = range.replay.balances;
    for (let slot = 0; slot < this.sums.length; slot += 1) {
      if (!this.posted[slot]) continue;
      // The general code took nothing over from this slot: its balance is the slot's sum.
      addToTotal(balances, this.slots.text(slot, 0), this.slots.text(slot, 1), this.sums[slot]!);
      this.sums[slot] = 0;
      this.posted[slot] = false;
    }
  }

  /** ...and this path from where the general code stopped. */
  takeBack(range: Range): void {
    const chain = range.replay.chain;
    const position = chain.position();
    this.started = range.start !== null;
    this.seq = position.seq;
    this.count = chain.count;
    // A hash read the general way may be any value (a hand-edited entry's): only one in okpay's own form, 64 lowercase hex digits, is compared as bytes.
    this.hashIsBytes = typeof position.hash === 'string' && HEX_HASH.test(position.hash);
    if (this.hashIsBytes) this.hash.write(position.hash, 0, 'latin1');
    // The balances the general code added to are taken over again as this path meets their accounts.
    this.generalReads += 1;
  }

  /** The range's result: its chain position and every balance, in the general code's result. */
  finish(range: Range): void {
    this.handOver(range);
  }

  /** Moves the balance the general code holds for a slot's account and currency into the slot. */
  private takeOver(slot: number, balances: Totals): void {
    this.takenOver[slot] = this.generalReads;
    const account = this.slots.text(slot, 0);
    const currency = this.slots.text(slot, 1);
    const row = balances.get(account);
    const amount = row?.get(currency);
    if (!row || amount === undefined) return;
    this.sums[slot] = amount;
    this.posted[slot] = true;
    row.delete(currency);
    if (row.size === 0) balances.delete(account);
  }

  /** Whether the 64 bytes at `at` are the chain's last hash. */
  private sameAsHash(bytes: Buffer, at: number): boolean {
    return same64(bytes, at, this.hash, 0);
  }

  /**
   * Whether the entry's hash (the hex SHA-256 of `prevHash\nseq\nend\n` and the transaction's bytes,
   * as chainHash lays them out) is the one stored at `hashAt`.
   */
  private hashMatches(bytes: Buffer, prevHashAt: number, seqAt: number, seqEnd: number, end: boolean, from: number, to: number, hashAt: number): boolean {
    const header = 64 + 1 + (seqEnd - seqAt) + 3;
    const size = header + (to - from);
    if (size > this.scratch.length) this.scratch = Buffer.allocUnsafe(Math.max(size, this.scratch.length * 2));
    const scratch = this.scratch;
    for (let i = 0; i < 64; i += 1) scratch[i] = bytes[prevHashAt + i]!;
    scratch[64] = 0x0a;
    let at = 65;
    // The digits as written: the scanner takes no leading zero, so they are the number's own.
    for (let i = seqAt; i < seqEnd; i += 1) scratch[at++] = bytes[i]!;
    scratch[at++] = 0x0a;
    scratch[at++] = end ? 0x31 : 0x30;
    scratch[at++] = 0x0a;
    bytes.copy(scratch, at, from, to);
    const digest = digestOf('sha256', scratch.subarray(0, size), 'hex');
    for (let i = 0; i < 64; i += 1) if (digest.charCodeAt(i) !== bytes[hashAt + i]) return false;
    return true;
  }

  /**
   * {"type":"…","at":"…","memo":…,"links":[…],"parties":[…],"postings":[…] read at the cursor: the
   * links and parties filed, the postings kept aside; false unless each list is plain and the
   * transaction balances in each currency.
   */
  private head(c: Cursor, seq: number, to: number): boolean {
    if (!c.take(L.txType) || !c.skipPlainString() || !c.take(L.txAt) || !c.skipPlainString() || !c.take(L.txMemo)) return false;
    if (!c.take(L.null) && !c.skipString()) return false;
    if (!c.take(L.txLinks) || !this.fileList(c, seq, false) || !c.take(L.txParties) || !this.fileList(c, seq, true)) return false;
    if (!c.take(L.txPostings) || c.at > to) return false;
    return this.postings(c);
  }

  /** A list of plain ids filed under the entry (each name once); false for any other list (or when the table of names is full). */
  private fileList(c: Cursor, seq: number, party: boolean): boolean {
    const { bytes } = c;
    if (bytes[c.at] !== 0x5b) return false;
    c.at += 1;
    if (bytes[c.at] === 0x5d) {
      c.at += 1;
      return true;
    }
    const listed = this.listed;
    listed.length = 0;
    for (;;) {
      if (bytes[c.at] !== 0x22) return false;
      const from = c.at + 1;
      const close = plainStringEnd(bytes, from);
      if (close < 0) return false;
      const name = this.names.find(bytes, from, close, 0, 0, lastHash);
      c.at = close + 1;
      const next = bytes[c.at];
      if (name < 0 || (next !== 0x2c && next !== 0x5d)) return false;
      c.at += 1;
      if (!listed.includes(name)) {
        listed.push(name);
        if (this.parties) {
          this.filedNames.push(name);
          this.filedSeqs.push(seq);
          this.filedParty.push(party);
        }
      }
      if (next === 0x5d) return true;
    }
  }

  /** [{"account":"…","currency":"…","amountMinor":…},…] kept aside by slot; false unless each currency's postings sum to zero. */
  private postings(c: Cursor): boolean {
    const { currencies, totals, postedSlots, postedAmounts } = this;
    currencies.length = 0;
    totals.length = 0;
    if (!c.take(L.listEnd)) {
      do {
        if (!c.take(L.account)) return false;
        const accountAt = c.at;
        const accountEnd = plainStringEnd(c.bytes, accountAt);
        if (accountEnd < 0) return false;
        const accountHash = lastHash;
        c.at = accountEnd + 1;
        if (!c.take(L.currency)) return false;
        const currencyAt = c.at;
        const currencyEnd = plainStringEnd(c.bytes, currencyAt);
        if (currencyEnd < 0) return false;
        c.at = currencyEnd + 1;
        if (!c.take(L.amount)) return false;
        const negative = c.take(L.minus);
        const magnitude = c.digits();
        if (magnitude === null || !Number.isSafeInteger(magnitude) || !c.take(L.close)) return false;
        const amount = negative ? -magnitude : magnitude;
        const slot = this.slots.find(c.bytes, accountAt, accountEnd, currencyAt, currencyEnd, Math.imul(accountHash ^ lastHash, 0x01000193) & 0x3fffffff);
        if (slot < 0) return false;
        if (slot === this.sums.length) {
          this.sums.push(0);
          this.posted.push(false);
          this.takenOver.push(0);
        }
        // Each currency's postings sum to zero: the currency's text is the slot's.
        const currency = this.slots.text(slot, 1);
        const index = currencies.indexOf(currency);
        if (index < 0) {
          currencies.push(currency);
          totals.push(amount);
        } else {
          totals[index] += amount;
          // A running sum past 2^53 would round: such a transaction is left to the general code, which sums exactly.
          if (!Number.isSafeInteger(totals[index])) return false;
        }
        postedSlots.push(slot);
        postedAmounts.push(amount);
      } while (c.take(L.comma));
      if (!c.take(L.listEnd)) return false;
    }
    for (let i = 0; i < totals.length; i += 1) if (totals[i] !== 0) return false;
    return true;
  }
}

/**
 * Texts met in the journal (a party's or link's name; an account and a currency), each numbered the
 * first time and found again by a hash of its bytes in an open-addressed table: no string is made
 * twice and no Map is asked per posting. Bounded, so a hostile journal cannot make it grow forever:
 * full, it answers -1 (the general code then reads the segment).
 */
class ByteTable {
  private readonly texts: string[][];
  private readonly hashes: number[] = [];
  private table = new Int32Array(1 << 12).fill(-1);

  constructor(parts: 1 | 2) {
    this.texts = parts === 1 ? [[]] : [[], []];
  }

  text(index: number, part: 0 | 1): string {
    return this.texts[part]![index]!;
  }

  /** The number of the text at bytes[from, to) (with the one at bytes[from2, to2) for a table of pairs), `hash` being theirs. */
  find(bytes: Buffer, from: number, to: number, from2: number, to2: number, hash: number): number {
    const { table } = this;
    const mask = table.length - 1;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const index = table[at]!;
      if (index < 0) break;
      if (
        this.hashes[index] === hash &&
        sameText(this.texts[0]![index]!, bytes, from, to) &&
        (this.texts.length === 1 || sameText(this.texts[1]![index]!, bytes, from2, to2))
      )
        return index;
    }
    const index = this.hashes.length;
    if (index >= MAX_INTERNED) return -1;
    this.hashes.push(hash);
    this.texts[0]!.push(bytes.toString('latin1', from, to));
    if (this.texts.length === 2) this.texts[1]!.push(bytes.toString('latin1', from2, to2));
    if ((index + 1) * 2 > table.length) this.grow();
    else this.place(index);
    return index;
  }

  private place(index: number): void {
    const mask = this.table.length - 1;
    let at = this.hashes[index]! & mask;
    while (this.table[at]! >= 0) at = (at + 1) & mask;
    this.table[at] = index;
  }

  private grow(): void {
    this.table = new Int32Array(this.table.length * 2).fill(-1);
    for (let index = 0; index < this.hashes.length; index += 1) this.place(index);
  }
}

function sameText(text: string, bytes: Buffer, from: number, to: number): boolean {
  if (text.length !== to - from) return false;
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) !== bytes[from + i]) return false;
  return true;
}

/** The hash of the characters plainStringEnd last went over. */
let lastHash = 0;

/** Where the plain string at `from` closes (1 to 79 printable ASCII characters, no escapes), or -1; its hash in lastHash. */
function plainStringEnd(bytes: Buffer, from: number): number {
  let hash = 0x811c9dc5;
  for (let at = from, limit = Math.min(bytes.length, from + 80); at < limit; at += 1) {
    const byte = bytes[at]!;
    if (byte === 0x22) {
      // 30 bits: a small integer to V8, which a Map looks up without boxing it.
      lastHash = hash & 0x3fffffff;
      return at > from ? at : -1;
    }
    if (byte < 0x20 || byte > 0x7e || byte === 0x5c) return -1;
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  return -1;
}

function same64(a: Buffer, at: number, b: Buffer, bt: number): boolean {
  for (let i = 0; i < 64; i += 1) if (a[at + i] !== b[bt + i]) return false;
  return true;
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

  /** Where the plain string at the cursor closes, or -1. */
  private plainStringEnd(): number {
    const close = plainStringEnd(this.bytes, this.at);
    this.hashed = lastHash;
    return close;
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
