// A memory store's committed records as plain objects, kind → key → record, for tests that look at
// or compare a whole store (what a refusal may not change, what must never be stored).

import type { Kind } from '../../src/store/record-kinds.js';
import type { MemoryRecordStore } from '../../src/store/memory-record-store.js';

export type RecordsByKind = Partial<Record<Kind, Record<string, unknown>>>;

export function recordsOf(store: MemoryRecordStore): RecordsByKind {
  const out: RecordsByKind = {};
  for (const [kind, records] of [...store.committed].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out[kind] = Object.fromEntries([...records].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return out;
}
