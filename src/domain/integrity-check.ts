// `okpay verify`: replays the journal segment by segment and checks every invariant — each
// transaction balances, the hash chains of journal and audit log are unbroken, the segments are
// continuous, every balance in the state equals the sum of its postings, the system accounts close,
// and the live records (holds, unclaimed transfers) match the money set aside for them.

import { holdAccount, storedTransaction, SYSTEM_ACCOUNTS, txIdForSeq, type Posting, type StoredJournalEntry, type Transaction } from './ledger.js';
import { chainHash, entryContentText } from './hashing.js';
import type { AuditEntry } from './audit.js';
import { GENESIS_HASH, type ChainHead, type UnclaimedTransfer, type Withdrawal } from './state.js';

export const MAX_PROBLEMS = 200;

/**
 * A sum of whole minor units, exact at any size: a number while it is a safe integer, a bigint past
 * that (only a forged journal gets there). A float sum would round: postings of 2^53 - 1, 2, -(2^53 - 1)
 * and -1 add up to 0 in floating point but to 1 in fact.
 */
export type ExactSum = number | bigint;

/** `a + b`, exactly; both whole numbers (a posting's amount is checked to be one before it is added). */
export function addExact(a: ExactSum, b: ExactSum): ExactSum {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  const sum = BigInt(a) + BigInt(b);
  return sum >= MIN_SAFE && sum <= MAX_SAFE ? Number(sum) : sum;
}

/** A whole number written in decimal (a database's exact sum) as an ExactSum. */
export function exactSumOf(text: string): ExactSum {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/**
 * Each account's total in each currency. Maps, never plain objects: an account or a currency named
 * `__proto__` or `constructor` (a forged journal or record) is a key like any other, not the
 * object's prototype or Object itself.
 */
export type Totals = Map<string, Map<string, ExactSum>>;

/** A total of `totals` (0 when absent). */
export function totalOf(totals: ReadonlyMap<string, ReadonlyMap<string, ExactSum>>, account: string, currency: string): ExactSum {
  return totals.get(account)?.get(currency) ?? 0;
}

/** Adds `amount` to an account's total in a currency, exactly. */
export function addToTotal(totals: Totals, account: string, currency: string, amount: ExactSum): void {
  let row = totals.get(account);
  if (!row) totals.set(account, (row = new Map()));
  row.set(currency, addExact(row.get(currency) ?? 0, amount));
}

/** Every total of `from` added into `into`, exactly. */
export function addTotals(into: Totals, from: ReadonlyMap<string, ReadonlyMap<string, ExactSum>>): void {
  for (const [account, row] of from) for (const [currency, amount] of row) addToTotal(into, account, currency, amount);
}

interface Chained {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly end: boolean;
}

/** The stored content of each entry of a segment (text or UTF-8 bytes), when the caller can slice it from the file. */
export type ContentTexts = readonly (string | Uint8Array | undefined)[];

/** Checks one hash chain as its segments arrive in order. */
class ChainChecker<E extends Chained> {
  count = 0;
  private seq = 0;
  private hash = GENESIS_HASH;

  constructor(
    private readonly name: string,
    private readonly segmentSize: number,
    private readonly content: (entry: E) => unknown,
    private readonly problems: string[],
  ) {}

  addSegment(segment: number, entries: readonly E[], where: string, texts: ContentTexts = []): void {
    const first = segment * this.segmentSize + 1;
    if (entries.length === 0 || entries[0]?.seq !== first) this.problem(`${where}: segment ${segment} should start at entry ${first}`);
    if (entries.length > this.segmentSize) this.problem(`${where}: segment ${segment} holds ${entries.length} entries, more than ${this.segmentSize}`);
    entries.forEach((entry, index) => this.addEntry(entry, where, texts[index]));
  }

  private addEntry(entry: E, where: string, text: string | Uint8Array | undefined): void {
    if (entry.seq !== this.seq + 1) this.problem(`${where}: ${this.name} entry ${entry.seq} follows entry ${this.seq} (a gap or a duplicate)`);
    if (entry.prevHash !== this.hash) this.problem(`${where}: ${this.name} entry ${entry.seq} does not point at the hash of the entry before it`);
    if (chainHash(entry.prevHash, entry.seq, entry.end, text ?? entryContentText(this.content(entry))) !== entry.hash) {
      this.problem(`${where}: ${this.name} entry ${entry.seq} was changed after it was written (its hash does not match)`);
    }
    this.seq = entry.seq;
    this.hash = entry.hash;
    this.count += 1;
  }

  /** Starts checking in the middle of the chain (a range of segments checked in parallel). */
  resumeAt(seq: number, hash: string): void {
    this.seq = seq;
    this.hash = hash;
  }

  position(): { seq: number; hash: string } {
    return { seq: this.seq, hash: this.hash };
  }

  finish(head: ChainHead): void {
    if (this.seq !== head.seq || this.hash !== head.hash) {
      this.problem(`${this.name} ends at entry ${this.seq} but the state says ${head.seq} was the last committed (entries lost or added)`);
    }
  }

  problem(text: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(text);
  }
}

/** Replays journal entries into fresh balances and checks each transaction on the way. */
export class LedgerReplay {
  readonly balances: Totals = new Map();
  readonly chain: ChainChecker<StoredJournalEntry>;

  constructor(segmentSize: number, problems: string[]) {
    // Entries from the files carry no id/seq; entries handed over in memory may: hash the stored form.
    this.chain = new ChainChecker<StoredJournalEntry>('journal', segmentSize, (e) => ('id' in e.tx ? storedTransaction(e.tx as Transaction) : e.tx), problems);
  }

  addSegment(segment: number, entries: readonly StoredJournalEntry[], where: string, texts?: ContentTexts): void {
    this.chain.addSegment(segment, entries, where, texts);
    for (const entry of entries) {
      const postings: readonly Posting[] = Array.isArray(entry.tx.postings) ? entry.tx.postings : [];
      // Only a whole number of minor units is money: anything else is reported and left out of every sum.
      for (const p of postings)
        if (!Number.isSafeInteger(p.amountMinor))
          this.chain.problem(`${txIdForSeq(entry.seq)}: a posting to ${String(p.account)} is not a whole number of minor units`);
      for (const [currency, sum] of unbalanced(postings)) this.chain.problem(`${txIdForSeq(entry.seq)}: postings in ${currency} sum to ${sum}, not zero`);
      for (const p of postings) if (Number.isSafeInteger(p.amountMinor)) addToTotal(this.balances, String(p.account), String(p.currency), p.amountMinor);
    }
  }
}

/**
 * The currencies whose postings (the whole numbers among them) do not sum to zero, with their exact
 * sums, first to last. Most transactions move one currency in small amounts: one pass of safe
 * integers decides them; past 2^53 (or in several currencies) each currency is summed exactly.
 */
export function unbalanced(postings: readonly Posting[]): [string, ExactSum][] {
  const first = postings[0]?.currency;
  let sum = 0;
  let plain = true;
  for (const p of postings) {
    if (!Number.isSafeInteger(p.amountMinor)) continue;
    if (p.currency !== first) plain = false;
    else sum += p.amountMinor;
    if (!Number.isSafeInteger(sum)) plain = false;
    if (!plain) break;
  }
  if (plain) return sum === 0 ? [] : [[String(first), sum]];
  const sums = new Map<string, ExactSum>();
  for (const p of postings) if (Number.isSafeInteger(p.amountMinor)) sums.set(p.currency, addExact(sums.get(p.currency) ?? 0, p.amountMinor));
  return [...sums].filter(([, total]) => total !== 0);
}

/** What verify compares with the replayed journal: balances and the live records that hold money, by key (Maps, like `Totals`). */
export interface LiveRecords {
  readonly balances: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly unclaimed: ReadonlyMap<string, UnclaimedTransfer>;
  readonly withdrawals: ReadonlyMap<string, Withdrawal>;
}

/** The checks that compare the replayed journal with the stored balances and live records. */
export function compareWithState(state: LiveRecords, replayed: ReadonlyMap<string, ReadonlyMap<string, ExactSum>>, problems: string[]): void {
  const push = (text: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(text);
  };
  const accounts = new Set([...state.balances.keys(), ...replayed.keys()]);
  const totals = new Map<string, ExactSum>();
  for (const account of [...accounts].sort()) {
    const currencies = new Set([...(state.balances.get(account)?.keys() ?? []), ...(replayed.get(account)?.keys() ?? [])]);
    for (const currency of [...currencies].sort()) {
      const stored = state.balances.get(account)?.get(currency) ?? 0;
      const computed = totalOf(replayed, account, currency);
      if (stored !== computed) push(`balance of ${account} in ${currency} is ${stored} in the state but ${computed} from the journal`);
      if ((account.startsWith('user:') || account.startsWith('hold:')) && stored < 0) push(`${account} has a negative ${currency} balance (${stored})`);
      if (Number.isSafeInteger(stored)) totals.set(currency, addExact(totals.get(currency) ?? 0, stored));
    }
  }
  for (const [currency, total] of totals) if (total !== 0) push(`the books do not close in ${currency}: all accounts sum to ${total}`);
  checkLiveRecords(state, push);
}

function checkLiveRecords(state: LiveRecords, push: (text: string) => void): void {
  const unclaimed = new Map<string, ExactSum>();
  for (const item of state.unclaimed.values())
    unclaimed.set(item.receiveCurrency, addExact(unclaimed.get(item.receiveCurrency) ?? 0, wholeOrZero(item.receiveAmountMinor)));
  const unclaimedRow = state.balances.get(SYSTEM_ACCOUNTS.unclaimed);
  for (const currency of new Set([...unclaimed.keys(), ...(unclaimedRow?.keys() ?? [])])) {
    const held = unclaimedRow?.get(currency) ?? 0;
    if (held !== (unclaimed.get(currency) ?? 0))
      push(`the unclaimed account holds ${held} ${currency} but the waiting transfers add up to ${unclaimed.get(currency) ?? 0}`);
  }
  // Keyed by account, then currency: no text joins the two (an account name may hold any character).
  const holds: Totals = new Map();
  for (const w of state.withdrawals.values())
    addToTotal(holds, holdAccount(w.userId), w.currency, addExact(wholeOrZero(w.amountMinor), wholeOrZero(w.feeMinor)));
  for (const [account, row] of state.balances) {
    if (!account.startsWith('hold:')) continue;
    for (const [currency, amount] of row) {
      const expected = totalOf(holds, account, currency);
      if (amount !== expected) push(`${account} holds ${amount} ${currency} but its withdrawals in flight add up to ${expected}`);
      holds.get(account)?.delete(currency);
    }
  }
  for (const [account, row] of holds)
    for (const [currency, amount] of row) push(`withdrawals in flight for ${account} ${currency} (${amount}) have no money held`);
}

/** A record's amount where a sum needs a whole number: a damaged one (reported by its record's schema check) counts as 0 here. */
const wholeOrZero = (amount: number): number => (Number.isSafeInteger(amount) ? amount : 0);

export function auditChecker(segmentSize: number, problems: string[]): ChainChecker<AuditEntry> {
  return new ChainChecker<AuditEntry>('audit log', segmentSize, (e) => e.event, problems);
}
