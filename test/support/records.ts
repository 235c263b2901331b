// A memory store's committed records as plain objects, kind → key → record, for tests that look at
// or compare a whole store (what a refusal may not change, what must never be stored).

import type { QueueGroupFacts } from '../../src/domain/queue-group-facts.js';
import type { StoreMeta } from '../../src/domain/state.js';
import type { Kind } from '../../src/store/record-kinds.js';
import type { MemoryRecordStore } from '../../src/store/memory-record-store.js';
import type { Records } from '../../src/store/records.js';

export type RecordsByKind = Partial<Record<Kind, Record<string, unknown>>>;

export function recordsOf(store: MemoryRecordStore): RecordsByKind {
  const out: RecordsByKind = {};
  for (const [kind, records] of [...store.committed].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out[kind] = Object.fromEntries([...records].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return out;
}

/** Segment files keep each entry's byte length for their own checks: a detail of the file layout, not of the entry. */
export function withoutLength<E extends object>(entry: E): Omit<E, 'len'> {
  const { len: _len, ...rest } = entry as E & { len?: number };
  return rest;
}

/** Likewise the byte size of the segment that holds a chain's head. */
export function withoutBytes(meta: StoreMeta): unknown {
  const { bytes: _journal, ...journal } = meta.journal;
  const { bytes: _audit, ...audit } = meta.audit;
  return { ...meta, journal, audit };
}

/** Every group of the open queue with its facts, through the shapes; null while the store keeps none. */
export async function everyQueueGroup(t: Records): Promise<Map<string, QueueGroupFacts> | null> {
  const shapes = await t.tickets.queueShapes();
  return shapes === null ? null : new Map(await t.tickets.queueGroups([...shapes.keys()]));
}
