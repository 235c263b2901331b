// `okpay verify`: replays the journal segment by segment and checks every invariant — each
// transaction balances, the hash chains of journal and audit log are unbroken, the segments are
// continuous, every balance in the state equals the sum of its postings, the system accounts close,
// and the live records (holds, unclaimed transfers) match the money set aside for them.

import { addToBalances, holdAccount, storedTransaction, SYSTEM_ACCOUNTS, txIdForSeq, type StoredJournalEntry, type Transaction } from './ledger.js';
import { chainHash, entryContentText } from './hashing.js';
import type { AuditEntry } from './audit.js';
import { GENESIS_HASH, type Balances, type ChainHead, type TxId, type UnclaimedTransfer, type Withdrawal } from './state.js';

export const MAX_PROBLEMS = 200;

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
  readonly balances: Balances = {};
  readonly chain: ChainChecker<StoredJournalEntry>;

  constructor(segmentSize: number, problems: string[]) {
    // Entries from the files carry no id/seq; entries handed over in memory may: hash the stored form.
    this.chain = new ChainChecker<StoredJournalEntry>('journal', segmentSize, (e) => ('id' in e.tx ? storedTransaction(e.tx as Transaction) : e.tx), problems);
  }

  addSegment(segment: number, entries: readonly StoredJournalEntry[], where: string, texts?: ContentTexts): void {
    this.chain.addSegment(segment, entries, where, texts);
    for (const entry of entries) {
      const { postings } = entry.tx;
      // Most transactions move one currency: one pass sums it; the others are checked per currency.
      const first = postings[0]?.currency;
      let oneCurrency = true;
      let sum = 0;
      for (const p of postings) {
        if (!Number.isSafeInteger(p.amountMinor))
          this.chain.problem(`${txIdForSeq(entry.seq)}: a posting to ${p.account} is not a whole number of minor units`);
        if (p.currency === first) sum += p.amountMinor;
        else oneCurrency = false;
      }
      if (oneCurrency) {
        if (sum !== 0) this.chain.problem(`${txIdForSeq(entry.seq)}: postings in ${first} sum to ${sum}, not zero`);
      } else {
        // Each currency's postings sum to zero (checked per currency, first to last posting).
        for (let i = 0; i < postings.length; i += 1) {
          const currency = postings[i]!.currency;
          if (postings.findIndex((p) => p.currency === currency) !== i) continue;
          let total = 0;
          for (let j = i; j < postings.length; j += 1) if (postings[j]!.currency === currency) total += postings[j]!.amountMinor;
          if (total !== 0) this.chain.problem(`${txIdForSeq(entry.seq)}: postings in ${currency} sum to ${total}, not zero`);
        }
      }
      addToBalances(this.balances, postings);
    }
  }
}

/** What verify compares with the replayed journal: balances and the live records that hold money. */
export interface LiveRecords {
  readonly balances: Balances;
  readonly unclaimed: Readonly<Record<TxId, UnclaimedTransfer>>;
  readonly withdrawals: Readonly<Record<string, Withdrawal>>;
}

/** The checks that compare the replayed journal with the stored balances and live records. */
export function compareWithState(state: LiveRecords, replayed: Balances, problems: string[]): void {
  const push = (text: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(text);
  };
  const accounts = new Set([...Object.keys(state.balances), ...Object.keys(replayed)]);
  const totals = new Map<string, number>();
  for (const account of [...accounts].sort()) {
    const currencies = new Set([...Object.keys(state.balances[account] ?? {}), ...Object.keys(replayed[account] ?? {})]);
    for (const currency of [...currencies].sort()) {
      const stored = state.balances[account]?.[currency] ?? 0;
      const computed = replayed[account]?.[currency] ?? 0;
      if (stored !== computed) push(`balance of ${account} in ${currency} is ${stored} in the state but ${computed} from the journal`);
      if ((account.startsWith('user:') || account.startsWith('hold:')) && stored < 0) push(`${account} has a negative ${currency} balance (${stored})`);
      totals.set(currency, (totals.get(currency) ?? 0) + stored);
    }
  }
  for (const [currency, total] of totals) if (total !== 0) push(`the books do not close in ${currency}: all accounts sum to ${total}`);
  checkLiveRecords(state, push);
}

function checkLiveRecords(state: LiveRecords, push: (text: string) => void): void {
  const unclaimed = new Map<string, number>();
  for (const item of Object.values(state.unclaimed)) unclaimed.set(item.receiveCurrency, (unclaimed.get(item.receiveCurrency) ?? 0) + item.receiveAmountMinor);
  const unclaimedCurrencies = new Set([...unclaimed.keys(), ...Object.keys(state.balances[SYSTEM_ACCOUNTS.unclaimed] ?? {})]);
  for (const currency of unclaimedCurrencies) {
    const held = state.balances[SYSTEM_ACCOUNTS.unclaimed]?.[currency] ?? 0;
    if (held !== (unclaimed.get(currency) ?? 0))
      push(`the unclaimed account holds ${held} ${currency} but the waiting transfers add up to ${unclaimed.get(currency) ?? 0}`);
  }
  const holds = new Map<string, number>();
  for (const w of Object.values(state.withdrawals)) {
    const key = `${holdAccount(w.userId)}\u0000${w.currency}`;
    holds.set(key, (holds.get(key) ?? 0) + w.amountMinor + w.feeMinor);
  }
  for (const [account, row] of Object.entries(state.balances)) {
    if (!account.startsWith('hold:')) continue;
    for (const [currency, amount] of Object.entries(row)) {
      const expected = holds.get(`${account}\u0000${currency}`) ?? 0;
      if (amount !== expected) push(`${account} holds ${amount} ${currency} but its withdrawals in flight add up to ${expected}`);
      holds.delete(`${account}\u0000${currency}`);
    }
  }
  for (const [key, amount] of holds) push(`withdrawals in flight for ${key.replace('\u0000', ' ')} (${amount}) have no money held`);
}

export function auditChecker(segmentSize: number, problems: string[]): ChainChecker<AuditEntry> {
  return new ChainChecker<AuditEntry>('audit log', segmentSize, (e) => e.event, problems);
}
