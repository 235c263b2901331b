// What `verify` keeps of a file store's indexes while it reads every record once, a bucket at a time:
// per index kind, a digest of the members the records say the index must hold and one of the members
// it holds, instead of every record and every index in memory. Equal digests mean the index is what
// its records make it; any difference (or anything a digest could not tell apart: a record in the
// wrong bucket, an index record that is not a non-empty object) sends verify back to its exact
// comparison, which names each entry that differs. So memory stays bounded on a sound store, and a
// damaged one gets the same report as before.

import { hash, randomBytes } from 'node:crypto';
import { groupFacts, type QueueGroupFacts } from '../domain/queue-group-facts.js';
import type { TicketSummary } from '../domain/ticket-summary.js';
import {
  DIRECTORY_KEY,
  indexEntries,
  INDEX_KINDS,
  isOrderedKind,
  RECORD_KINDS,
  SLOTS_KEY,
  type IndexKind,
  type Kind,
  type RecordKind,
} from './record-kinds.js';
import { queueLevels } from './record-view.js';

const LANES = 8;

/**
 * A multiset of texts as the lane-wise sum (mod 2^32) of their SHA-256 digests: the order in which
 * they are added does not matter, and a text added twice counts twice. The digests are of the text
 * behind `key`, drawn afresh by each verify: a sum of fixed digests can be matched by whoever edits
 * many index records at once (a generalized birthday search), one of digests they cannot compute cannot.
 */
export class MultisetDigest {
  private readonly sum = new Uint32Array(LANES);
  count = 0;

  constructor(private readonly key: string) {}

  add(text: string): void {
    const digest = hash('sha256', this.key + text, 'buffer');
    for (let lane = 0; lane < LANES; lane += 1) this.sum[lane] = ((this.sum[lane] ?? 0) + digest.readUInt32LE(lane * 4)) >>> 0;
    this.count += 1;
  }

  equals(other: MultisetDigest): boolean {
    return this.count === other.count && this.sum.every((value, lane) => value === other.sum[lane]);
  }
}

/** Index kinds compared record by record, whole (the journal's lists, the queue's folded facts); the others member by member. */
const WHOLE: ReadonlySet<Kind> = new Set<Kind>(['journal-of-user', 'journal-links', 'queue-directory', 'queue-days']);
const RECORDS: ReadonlySet<Kind> = new Set<Kind>(RECORD_KINDS);
const INDEXES: ReadonlySet<Kind> = new Set<Kind>(INDEX_KINDS);

/** The same text for the same value whatever the order of its keys (verify's comparison of index records). */
export function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${sortedJson(record[key])}`)
    .join(',')}}`;
}

// Keys and members as JSON strings: each ends where its closing quote says, whatever characters it holds.
const memberLine = (key: string, member: string, value: unknown) => `m${JSON.stringify(key)}${JSON.stringify(member)}${sortedJson(value)}`;
const wholeLine = (key: string, value: unknown) => `w${JSON.stringify(key)}${sortedJson(value)}`;

export class IndexTally {
  private readonly expected = new Map<IndexKind, MultisetDigest>();
  private readonly stored = new Map<IndexKind, MultisetDigest>();
  /** The keys the records give each time-ordered index: its list of slots (a few per day of history). */
  private readonly slots = new Map<IndexKind, Set<string>>();
  /** Each stored queue group's facts, folded as it is read (the queue's directory and shapes are folded from them). */
  private readonly groups: [string, QueueGroupFacts][] = [];
  private storedGroups = 0;
  private sound = true;

  /** `kept`: the index kinds the store's schema has (verify checks only those). */
  constructor(private readonly kept: (kind: IndexKind) => boolean) {
    const key = randomBytes(16).toString('hex');
    for (const kind of INDEX_KINDS) {
      this.expected.set(kind, new MultisetDigest(key));
      this.stored.set(kind, new MultisetDigest(key));
    }
  }

  /** One record as read; `placed`: whether it sits in the bucket its key hashes to. */
  add(kind: Kind, key: string, value: unknown, placed: boolean): void {
    if (!placed) this.sound = false;
    if (RECORDS.has(kind)) this.expect(kind as RecordKind, key, value);
    else if (INDEXES.has(kind) && this.kept(kind as IndexKind)) this.hold(kind as IndexKind, key, value);
  }

  /**
   * Whether every kept index holds exactly what the records and the journal (each party's and each
   * linked transaction's entries, oldest first) say it must.
   */
  agrees(journal: Readonly<Record<'journal-of-user' | 'journal-links', ReadonlyMap<string, readonly number[]>>>): boolean {
    for (const kind of ['journal-of-user', 'journal-links'] as const)
      for (const [key, seqs] of journal[kind]) this.expected.get(kind)?.add(wholeLine(key, seqs));
    for (const [kind, keys] of this.slots) this.expected.get(kind)?.add(wholeLine(SLOTS_KEY, Object.fromEntries([...keys].map((slot) => [slot, true]))));
    this.expectQueue();
    return this.sound && INDEX_KINDS.filter(this.kept).every((kind) => this.expected.get(kind)?.equals(this.stored.get(kind)!));
  }

  private expect(kind: RecordKind, key: string, value: unknown): void {
    for (const entry of indexEntries(kind, key, value)) {
      if (!this.kept(entry.kind)) continue;
      this.expected.get(entry.kind)?.add(memberLine(entry.key, entry.member, entry.value));
      if (isOrderedKind(entry.kind)) this.slotsOf(entry.kind).add(entry.key);
    }
  }

  private hold(kind: IndexKind, key: string, value: unknown): void {
    const digest = this.stored.get(kind)!;
    if (WHOLE.has(kind) || (isOrderedKind(kind) && key === SLOTS_KEY)) {
      digest.add(wholeLine(key, value));
      return;
    }
    // Members are what the records give; an index record without any cannot be told apart from one absent.
    if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length === 0) {
      this.sound = false;
      return;
    }
    for (const [member, memberValue] of Object.entries(value)) digest.add(memberLine(key, member, memberValue));
    if (kind === 'queue-groups') {
      this.storedGroups += 1;
      const facts = groupFacts(Object.values(value as Record<string, TicketSummary>));
      if (facts !== null) this.groups.push([key, facts]);
    }
  }

  /** The queue's directory and shapes as the groups fold them: from the stored groups, which are checked against the summaries. */
  private expectQueue(): void {
    const folded = this.kept('queue-directory') || this.kept('queue-days');
    if (!folded) return;
    if (!this.kept('queue-groups')) {
      this.sound = false;
      return;
    }
    const { directory, days } = queueLevels(this.groups);
    if (this.kept('queue-directory') && this.storedGroups > 0) this.expected.get('queue-directory')?.add(wholeLine(DIRECTORY_KEY, directory));
    if (this.kept('queue-days')) for (const [shape, record] of days) this.expected.get('queue-days')?.add(wholeLine(shape, record));
  }

  private slotsOf(kind: IndexKind): Set<string> {
    let keys = this.slots.get(kind);
    if (!keys) this.slots.set(kind, (keys = new Set()));
    return keys;
  }
}
