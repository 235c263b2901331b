// `okpay verify` sums exactly and by key on both stores: accounts named like members of
// Object.prototype are accounts like any other, and a sum past 2^53 is reported, never rounded
// (nor a crash).

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyStore } from '../../src/cli/store-verify.js';
import { SplitFileStore } from '../../src/store/split-file-store.js';
import type { RecordStore } from '../../src/store/store.js';
import { adjustment } from '../support/adjustment.js';
import { pgStores } from '../support/pg-store.js';

const NOW = '2026-12-07T10:00:00.000Z';
const dirs: string[] = [];
const postgres = await pgStores();

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function fileStore(): SplitFileStore {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'okpay-verify-exact-'));
  dirs.push(dir);
  return new SplitFileStore(dir, {
    now: () => new Date(NOW),
    summarizeTicket: () => {
      throw new Error('a new store has no schema-2 tickets');
    },
  });
}

const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

async function hostileAccounts(store: RecordStore): Promise<void> {
  for (const [i, name] of NAMES.entries()) await store.transaction(async (t) => void (await t.post(adjustment(name, 100 * (i + 1), NOW, 'EUR'))));
  await store.transaction(async (t) => void (await t.post(adjustment('user:usr_a', 7, NOW, 'EUR'))));
}

describe.each([
  ['the file store', fileStore],
  ['PostgreSQL', () => postgres.make(NOW)],
] as const)('okpay verify on %s', (_name, make) => {
  it('counts accounts named __proto__, constructor, toString and hasOwnProperty as accounts: a clean store verifies clean and no prototype changes', async () => {
    const store = make();
    await hostileAccounts(store);
    const report = await verifyStore(store);
    expect(report.problems).toEqual([]);
    expect(report.checked.accounts).toBe(NAMES.length + 2);
    expect(({} as Record<string, unknown>)['EUR']).toBeUndefined();
  });
});

describe('okpay verify on PostgreSQL, the postings kept beside the journal', () => {
  it('reports a forged posting that takes a sum past 2^53 exactly (not a crash, not rounded)', async () => {
    const store = postgres.make(NOW);
    await hostileAccounts(store);
    // Written past the store's own triggers (the deferred balance check included), as someone with the database's keys could.
    await store.query(
      `SET session_replication_role = replica;
       INSERT INTO journal_postings (seq, line, account, currency, amount_minor) VALUES (1, 10, '__proto__', 'EUR', ${Number.MAX_SAFE_INTEGER}), (1, 11, '__proto__', 'EUR', 2);
       SET session_replication_role = origin;`,
    );
    const report = await verifyStore(store);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      `the postings kept beside the journal total ${BigInt(Number.MAX_SAFE_INTEGER) + 2n + 100n} for __proto__ in EUR, but its entries total 100`,
    ]);
  });
});
