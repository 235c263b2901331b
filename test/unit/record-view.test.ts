// The RecordView a transaction reads through: a committed record is asked of the store once.

import { describe, expect, it } from 'vitest';
import type { Kind } from '../../src/store/record-kinds.js';
import { RecordView, type RecordSource } from '../../src/store/record-view.js';

/** A store of one record (a refund), counting what is asked of it. */
function countingSource(): { source: RecordSource; asked: string[] } {
  const records = new Map<string, unknown>([['refunds\u0000txn_0000000001', 'txn_0000000002']]);
  const asked: string[] = [];
  const source: RecordSource = {
    get: async (kind: Kind, key: string) => {
      asked.push(`${kind}:${key}`);
      return records.get(`${kind}\u0000${key}`);
    },
    // eslint-disable-next-line require-yield -- not scanned here
    scan: async function* () {
      return;
    },
  };
  return { source, asked };
}

describe('RecordView', () => {
  it('asks the store for a committed record once, absent ones too, and knows it from then on', async () => {
    const { source, asked } = countingSource();
    const view = new RecordView(source);
    expect(view.known('idempotency', 'usr_ada:row-1')).toBeUndefined();
    for (let i = 0; i < 3; i += 1) {
      expect(await view.get('refunds', 'txn_0000000001')).toBe('txn_0000000002');
      expect(await view.committed('refunds', 'txn_0000000001')).toBe('txn_0000000002');
      expect(await view.get('idempotency', 'usr_ada:row-1')).toBeNull();
    }
    expect(view.known('idempotency', 'usr_ada:row-1')).toBeNull();
    expect(view.known('refunds', 'txn_0000000001')).toBe('txn_0000000002');
    // The commit's index diff takes the key's committed value from what was read.
    view.put('idempotency', 'usr_ada:row-1', { fingerprint: 'f', txId: 'txn_0000000002', expiresAt: '2026-12-23T10:00:00.000Z' });
    await view.changes();
    // (It also reads the expiry index record the key is filed under, once.)
    expect(asked.filter((what) => !what.startsWith('idempotency-expiry:'))).toEqual(['refunds:txn_0000000001', 'idempotency:usr_ada:row-1']);
    expect(new Set(asked).size).toBe(asked.length);
  });
});
