// One transaction's view of a record-native store: the committed records (a RecordSource: maps
// in memory, bucket files on disk) with the transaction's own writes laid over them, so that reads
// see earlier writes. At commit, `changes` adds the index entries that the written records gained
// or lost (record-kinds.indexEntries), so stores persist plain maps and never derive indexes. Every
// committed record is checked against its kind's schema as it is read (record-schemas.ts).

import { foldFacts, foldShapes, groupFacts, queueShapeKey, type QueueGroupFacts } from '../domain/queue-group-facts.js';
import type { TicketSummary } from '../domain/ticket-summary.js';
import {
  DIRECTORY_KEY,
  indexEntries,
  isOrderedKind,
  ORDERED_KINDS,
  REBUILT_FROM,
  RECORD_KINDS,
  SLOTS_KEY,
  slotDay,
  type IndexEntry,
  type IndexKind,
  type IndexMembers,
  type Kind,
  type OrderedKind,
  type RecordKind,
} from './record-kinds.js';
import { checkedRecord } from './record-schemas.js';
import type { OrderedAfter } from './records.js';

export interface RecordSource {
  /** The committed value, or undefined when there is none. */
  get(kind: Kind, key: string): Promise<unknown>;
  /** Every committed record of a kind, in no particular order, a batch at a time. */
  scan(kind: Kind): AsyncIterable<readonly (readonly [string, unknown])[]>;
  /** Reads these records ahead in one go, for the `get`s that follow (a source across a network). */
  prefetch?(kind: Kind, keys: readonly string[]): Promise<void>;
  /**
   * Keys of the committed records an ordered index files at or before `atIso`, oldest first, at
   * most `limit`: a source with its own sorted index (SQL) answers this in one query; without it,
   * the view reads the index's day records.
   */
  ordered?(kind: OrderedKind, atIso: string, limit: number, after?: OrderedAfter): Promise<string[]>;
  /** False for an index kind the store was written before (its next writer builds it); true when absent. */
  keeps?(kind: IndexKind): boolean;
}

/** Whether (time, key) comes after the cursor in an ordered index's order (code units, like the sort below). */
export function isAfter(time: string, key: string, after: OrderedAfter | undefined): boolean {
  return after === undefined || time > after.at || (time === after.at && key > after.key);
}

/** The records of a store that holds none. */
const NOTHING: RecordSource = {
  get: async () => undefined,
  // eslint-disable-next-line require-yield -- an empty scan
  scan: async function* () {
    return;
  },
  ordered: async () => [],
};

/** What a commit changes: per kind, key → new value, or null for a removed record. */
export type Changes = Map<Kind, Map<string, unknown>>;

const entryId = (e: IndexEntry): string => `${e.kind}\u0000${e.key}\u0000${e.member}\u0000${JSON.stringify(e.value)}`;

const indexId = (kind: IndexKind, key: string): string => `${kind}\u0000${key}`;

const RECORD_KIND_SET: ReadonlySet<string> = new Set(RECORD_KINDS);

/** A committed record this transaction has not read yet (see `remembered`). */
const UNREAD = Symbol('unread');

export class RecordView {
  private readonly writes: Changes = new Map();
  /**
   * For each index key, the records written here that were filed under it at some point: so that
   * `members` looks at those, not at every record of the kind this transaction wrote (a generated
   * store writes hundreds of thousands in one transaction).
   */
  private readonly filedByWrites = new Map<string, Set<string>>();
  /**
   * The committed records read so far, checked (undefined: none). The source is one committed
   * version for the whole transaction, so a record read again is the same: a batch looks up the
   * same payees and their index records for thousands of rows, and each look is otherwise a bucket
   * found by hashing in the file store.
   */
  private readonly committedRead = new Map<Kind, Map<string, unknown>>();

  constructor(private committedSource: RecordSource) {}

  /** Where the committed records come from. */
  get source(): RecordSource {
    return this.committedSource;
  }

  /**
   * The store held no record when this transaction began (its writer checked): from now on a
   * record this transaction has not written is absent, without asking the store (a generated
   * store reads hundreds of thousands of them, each a round trip to a database).
   */
  startFromNothing(): void {
    this.committedSource = NOTHING;
    this.committedRead.clear();
  }

  get<T>(kind: Kind, key: string): Promise<T | null> {
    const known = this.known<T>(kind, key);
    return known === undefined ? this.read<T>(kind, key) : Promise.resolve(known);
  }

  /**
   * The record as this transaction sees it when that takes no read of the store: its own write, a
   * committed record it has read before, or nothing in a store started from nothing; undefined
   * when the store must be asked (`get`). A posting reads a few records, and a batch or a
   * generated store posts thousands of times: each read it can make without a pause saves a
   * promise and a turn of the event loop.
   */
  known<T>(kind: Kind, key: string): T | null | undefined {
    // One look-up, not has() then get(): a write is a record or null, never undefined.
    const written = this.writes.get(kind)?.get(key);
    if (written !== undefined) return written as T | null;
    const committed = this.remembered(kind, key);
    return committed === UNREAD ? undefined : ((committed ?? null) as T | null);
  }

  private async read<T>(kind: Kind, key: string): Promise<T | null> {
    return ((await this.readCommitted(kind, key)) ?? null) as T | null;
  }

  /** The committed record alone, checked, without this transaction's writes over it. */
  committed<T>(kind: Kind, key: string): Promise<T | undefined> {
    const committed = this.remembered(kind, key);
    return (committed === UNREAD ? this.readCommitted(kind, key) : Promise.resolve(committed)) as Promise<T | undefined>;
  }

  /** The committed record when this transaction has read it before, or there is none to read; UNREAD otherwise. */
  private remembered(kind: Kind, key: string): unknown {
    if (this.committedSource === NOTHING) return undefined;
    const ofKind = this.committedRead.get(kind);
    return ofKind?.has(key) ? ofKind.get(key) : UNREAD;
  }

  private async readCommitted(kind: Kind, key: string): Promise<unknown> {
    const value = checkedRecord(kind, key, await this.source.get(kind, key));
    let ofKind = this.committedRead.get(kind);
    if (!ofKind) this.committedRead.set(kind, (ofKind = new Map()));
    ofKind.set(key, value);
    return value;
  }

  /** Keys about to be read one by one: the source may fetch those this transaction has not written in one go. */
  async prefetch(kind: Kind, keys: readonly string[]): Promise<void> {
    const written = this.writes.get(kind);
    const unread = written ? keys.filter((key) => !written.has(key)) : keys;
    if (unread.length > 0) await this.source.prefetch?.(kind, unread);
  }

  put(kind: Kind, key: string, value: unknown): void {
    let written = this.writes.get(kind);
    if (!written) this.writes.set(kind, (written = new Map()));
    written.set(key, value);
    if (value === null || !RECORD_KIND_SET.has(kind)) return;
    for (const e of indexEntries(kind as RecordKind, key, value)) {
      const id = indexId(e.kind, e.key);
      let members = this.filedByWrites.get(id);
      if (!members) this.filedByWrites.set(id, (members = new Set()));
      members.add(e.member);
    }
  }

  remove(kind: Kind, key: string): void {
    this.put(kind, key, null);
  }

  /** Keys of a kind this transaction wrote (removals included). */
  writtenKeys(kind: Kind): string[] {
    return [...(this.writes.get(kind)?.keys() ?? [])];
  }

  /** The writes alone, without the index records they change: for a store whose indexes are its own (SQL). */
  get written(): ReadonlyMap<Kind, ReadonlyMap<string, unknown>> {
    return this.writes;
  }

  get changed(): boolean {
    return this.writes.size > 0;
  }

  /** Every record of a kind as this transaction sees it: for scans, reports and small live sets. */
  async all<T>(kind: Kind): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    for await (const batch of this.source.scan(kind)) for (const [key, value] of batch) found.set(key, checkedRecord(kind, key, value) as T);
    for (const [key, value] of this.writes.get(kind) ?? []) {
      if (value === null) found.delete(key);
      else found.set(key, value as T);
    }
    return found;
  }

  /**
   * Keys of the `of` records filed under one index key, as this transaction sees them: the
   * committed index, plus records written here, less those whose current value is no longer filed
   * there (the index itself is brought up to date only at commit).
   */
  async members(index: IndexKind, key: string, of: RecordKind): Promise<string[]> {
    const candidates = new Set(Object.keys((await this.committed<IndexMembers>(index, key)) ?? {}));
    for (const written of this.filedByWrites.get(indexId(index, key)) ?? []) candidates.add(written);
    const kept: string[] = [];
    for (const member of candidates) {
      const known = this.known(of, member);
      const value = known !== undefined ? known : await this.get(of, member);
      if (indexEntries(of, member, value).some((e) => e.kind === index && e.key === key)) kept.push(member);
    }
    return kept;
  }

  /**
   * Keys of the records an ordered index files at or before `atIso`, as this transaction sees
   * them, ordered by their time (then key), at most `limit`.
   */
  async ordered(kind: OrderedKind, atIso: string, limit: number, after?: OrderedAfter): Promise<string[]> {
    const of = ORDERED_KINDS[kind];
    const written = this.writes.get(of) ?? new Map<string, unknown>();
    const committed = this.source.ordered
      ? await this.source.ordered(kind, atIso, limit + written.size, after)
      : await this.committedUpTo(kind, atIso, limit + written.size, after);
    const found: [string, string][] = [];
    const consider = (key: string, value: unknown) => {
      const time = indexEntries(of, key, value).find((e) => e.kind === kind)?.value as string | undefined;
      if (time !== undefined && time <= atIso && isAfter(time, key, after)) found.push([time, key]);
    };
    // This transaction's own records are taken as written, in one pass over its writes, not looked
    // up one by one: a generated store settles daily over every unclaimed transfer it ever wrote.
    for (const key of new Set(committed)) if (!written.has(key)) consider(key, await this.get(of, key));
    for (const [key, value] of written) if (value !== null) consider(key, value);
    return found
      .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
      .slice(0, limit)
      .map(([, key]) => key);
  }

  /** Committed keys filed at or before `atIso`: whole days, oldest first, until `limit` are found. */
  private async committedUpTo(kind: OrderedKind, atIso: string, limit: number, after?: OrderedAfter): Promise<string[]> {
    const day = slotDay(atIso);
    const from = after === undefined ? '' : slotDay(after.at);
    const slots = Object.keys(((await this.source.get(kind, SLOTS_KEY)) ?? {}) as IndexMembers)
      .filter((slot) => slotDay(slot) <= day && slotDay(slot) >= from)
      .sort();
    const found: string[] = [];
    for (let i = 0; i < slots.length; i += 1) {
      const slot = slots[i] as string;
      for (const [member, time] of Object.entries(((await this.source.get(kind, slot)) ?? {}) as IndexMembers))
        if ((time as string) <= atIso && isAfter(time as string, member, after)) found.push(member);
      if (found.length >= limit && slotDay(slots[i + 1] ?? '~') > slotDay(slot)) break;
    }
    return found;
  }

  /**
   * Files every committed record of the given index kinds' record kinds anew (the indexes of a
   * store written before those kinds existed), as writes of this transaction.
   */
  async rebuild(kinds: readonly IndexKind[]): Promise<void> {
    const wanted = new Set(kinds);
    // The directory and the shapes' records are folded from the groups' members: those are gathered for them even when the groups' own records stand.
    const folded = wanted.has('queue-directory') || wanted.has('queue-days');
    const gathered = new Set<IndexKind>(folded ? [...kinds, 'queue-groups'] : kinds);
    const rebuilt = new Map<string, { kind: IndexKind; key: string; members: IndexMembers }>();
    for (const of of RECORD_KINDS) {
      if (!kinds.some((kind) => REBUILT_FROM[kind] === of)) continue;
      for (const [key, value] of await this.all(of)) {
        for (const e of indexEntries(of, key, value)) {
          if (!gathered.has(e.kind)) continue;
          const id = indexId(e.kind, e.key);
          const entry = rebuilt.get(id) ?? { kind: e.kind, key: e.key, members: {} };
          entry.members[e.member] = e.value;
          rebuilt.set(id, entry);
        }
      }
    }
    for (const { kind, key, members } of rebuilt.values()) if (wanted.has(kind)) this.put(kind, key, members);
    for (const kind of kinds) {
      const slots = [...rebuilt.values()].filter((e) => e.kind === kind).map((e) => e.key);
      if (isOrderedKind(kind) && slots.length > 0) this.put(kind, SLOTS_KEY, Object.fromEntries(slots.map((slot) => [slot, true])));
    }
    if (folded)
      await this.refileQueue(
        [...rebuilt.values()].filter((e) => e.kind === 'queue-groups'),
        wanted,
      );
  }

  /** The queue's directory and shapes' records folded from every group (those of `kinds` that a store written before them needs). */
  private async refileQueue(groups: readonly { key: string; members: IndexMembers }[], kinds: ReadonlySet<IndexKind>): Promise<void> {
    const { directory, days } = queueIndexes(groups);
    if (kinds.has('queue-days')) for (const [shape, record] of days) this.put('queue-days', shape, record);
    if (!kinds.has('queue-directory')) return;
    if (Object.keys(directory).length > 0) this.put('queue-directory', DIRECTORY_KEY, directory);
    else if ((await this.source.get('queue-directory', DIRECTORY_KEY)) !== undefined) this.remove('queue-directory', DIRECTORY_KEY);
  }

  /** The writes, with the index records they change: what the store persists in one commit. */
  async changes(): Promise<Changes> {
    const indexUpdates = new Map<string, { kind: IndexKind; key: string; set: Map<string, unknown>; drop: Set<string> }>();
    const update = (kind: IndexKind, key: string) => {
      const id = `${kind}\u0000${key}`;
      let entry = indexUpdates.get(id);
      if (!entry) indexUpdates.set(id, (entry = { kind, key, set: new Map(), drop: new Set() }));
      return entry;
    };
    for (const [kind, written] of this.writes) {
      if (!RECORD_KIND_SET.has(kind)) continue;
      for (const [key, value] of written) {
        const read = this.remembered(kind, key);
        const before = indexEntries(kind as RecordKind, key, read === UNREAD ? await this.source.get(kind, key) : read);
        const after = indexEntries(kind as RecordKind, key, value);
        // A new record (every record of a generated store) only joins its indexes.
        if (before.length === 0) {
          for (const e of after) update(e.kind, e.key).set.set(e.member, e.value);
          continue;
        }
        // Only entries that changed touch an index: most writes (a balance, a session's use) leave them all alone.
        const kept = new Set(after.map(entryId));
        const had = new Set(before.map(entryId));
        for (const e of before) if (!kept.has(entryId(e))) update(e.kind, e.key).drop.add(e.member);
        for (const e of after) if (!had.has(entryId(e))) update(e.kind, e.key).set.set(e.member, e.value);
      }
    }
    const slotChanges: { kind: OrderedKind; key: string; filled: boolean }[] = [];
    for (const { kind, key, set, drop } of indexUpdates.values()) {
      // Without a pause when this transaction knows the record: a generated store's commit updates a million index records.
      const known = this.known<IndexMembers>(kind, key);
      const before = known !== undefined ? known : await this.get<IndexMembers>(kind, key);
      const members: IndexMembers = { ...(before ?? {}) };
      for (const member of drop) delete members[member];
      for (const [member, value] of set) members[member] = value;
      const filled = Object.keys(members).length > 0;
      if (filled) this.put(kind, key, members);
      else this.remove(kind, key);
      if (isOrderedKind(kind) && filled !== (before !== null)) slotChanges.push({ kind, key, filled });
    }
    await this.refoldGroups([...indexUpdates.values()].filter((u) => u.kind === 'queue-groups').map((u) => u.key));
    // A day record appearing or going changes its index's list of days; a record moving within one does not.
    for (const { kind, key, filled } of slotChanges) {
      const slots: IndexMembers = { ...((await this.get<IndexMembers>(kind, SLOTS_KEY)) ?? {}) };
      if (filled) slots[key] = true;
      else delete slots[key];
      if (Object.keys(slots).length > 0) this.put(kind, SLOTS_KEY, slots);
      else this.remove(kind, SLOTS_KEY);
    }
    return this.writes;
  }

  /**
   * The facts of the queue groups this commit changed, folded again from their members into their
   * shapes' records, and those shapes' facts folded again into the directory.
   */
  private async refoldGroups(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const byShape = new Map<string, string[]>();
    for (const key of keys) byShape.set(queueShapeKey(key), [...(byShape.get(queueShapeKey(key)) ?? []), key]);
    const directory: Record<string, QueueGroupFacts> = { ...((await this.get<Record<string, QueueGroupFacts>>('queue-directory', DIRECTORY_KEY)) ?? {}) };
    for (const [shape, groupKeys] of byShape) {
      const days: Record<string, QueueGroupFacts> = { ...((await this.get<Record<string, QueueGroupFacts>>('queue-days', shape)) ?? {}) };
      for (const key of groupKeys) {
        const facts = groupFacts(Object.values((await this.get<IndexMembers>('queue-groups', key)) ?? {}) as TicketSummary[]);
        if (facts === null) delete days[key];
        else days[key] = facts;
      }
      const folded = foldFacts(Object.values(days));
      if (folded === null) {
        this.remove('queue-days', shape);
        delete directory[shape];
      } else {
        this.put('queue-days', shape, days);
        directory[shape] = folded;
      }
    }
    if (Object.keys(directory).length > 0) this.put('queue-directory', DIRECTORY_KEY, directory);
    else this.remove('queue-directory', DIRECTORY_KEY);
  }
}

/** The queue's directory (each shape's facts) and each shape's record (its groups' facts), from the given group records. */
export function queueIndexes(groups: readonly { key: string; members: IndexMembers }[]): {
  directory: Record<string, QueueGroupFacts>;
  days: Map<string, Record<string, QueueGroupFacts>>;
} {
  const facts: [string, QueueGroupFacts][] = [];
  for (const { key, members } of groups) {
    const folded = groupFacts(Object.values(members) as TicketSummary[]);
    if (folded !== null) facts.push([key, folded]);
  }
  return queueLevels(facts);
}

/** The queue's directory and each shape's record, from each group's facts. */
export function queueLevels(facts: Iterable<readonly [string, QueueGroupFacts]>): {
  directory: Record<string, QueueGroupFacts>;
  days: Map<string, Record<string, QueueGroupFacts>>;
} {
  const { shapes, groupsOfShape } = foldShapes(facts);
  return { directory: Object.fromEntries(shapes), days: groupsOfShape };
}
