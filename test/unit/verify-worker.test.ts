import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACCOUNTS, userAccount, type NewTransaction } from '../../src/domain/ledger.js';
import { chainHash } from '../../src/domain/hashing.js';
import { checkRange } from '../../src/cli/verify-worker.js';
import { verifyStore } from '../../src/cli/store-verify.js';
import { SplitFileStore } from '../../src/store/split-file-store.js';
import type { JournalIndexes, RecordStore, RecordsTransaction } from '../../src/store/store.js';

const NOW = '2026-11-23T10:00:00.000Z';
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function deposit(user: string, amountMinor: number, memo: string | null): NewTransaction {
  return {
    type: 'deposit',
    at: NOW,
    memo,
    links: [],
    parties: [user],
    postings: [
      { account: SYSTEM_ACCOUNTS.world, currency: 'EUR', amountMinor: -amountMinor },
      { account: userAccount(user), currency: 'EUR', amountMinor },
    ],
    details: { initiator: user, amountMinor, currency: 'EUR' },
  };
}

/** A store with 7 deposits in segments of 3 (memos with non-ASCII text, so byte and character lengths differ). */
async function journal(): Promise<{ dir: string; files: { segment: number; file: string }[]; store: SplitFileStore }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'okpay-verify-'));
  dirs.push(dir);
  const store = new SplitFileStore(dir, {
    now: () => new Date(NOW),
    segmentSize: 3,
    summarizeTicket: () => {
      throw new Error('a new store has no schema-2 tickets');
    },
  });
  for (let i = 1; i <= 7; i += 1)
    await store.transaction(
      async (t) => void (await t.post(deposit(`usr_${i % 2}`, i * 100, i % 3 === 0 ? `Miete für März — ${i} "parties":["usr_9"] \\ ]` : null))),
    );
  const journalDir = path.join(dir, 'journal');
  const files = readdirSync(journalDir)
    .sort()
    .map((name, segment) => ({ segment, file: path.join(journalDir, name) }));
  return { dir, files, store };
}

/** The store, each read's check of the files (`okpay verify`'s) made through `around`. */
function watched(store: SplitFileStore, around: (journal: Promise<JournalIndexes>, check: () => Promise<string[]>) => Promise<string[]>): RecordStore {
  return Object.assign(Object.create(store) as RecordStore, {
    read: <T>(work: (t: RecordsTransaction) => Promise<T> | T) =>
      store.read((t) => {
        const checkFiles = t.checkFiles?.bind(t);
        if (checkFiles) t.checkFiles = (journal) => around(journal, () => checkFiles(journal));
        return work(t);
      }),
  });
}

describe('the verify worker', () => {
  it("lists each party's entries in order when asked, as the journal index files hold them (memos with quotes and brackets too)", async () => {
    const { files } = await journal();
    const result = checkRange({ segmentSize: 3, files, indexes: true });
    expect(result.problems).toEqual([]);
    expect(result.parties).toEqual(
      new Map([
        ['usr_1', [1, 3, 5, 7]],
        ['usr_0', [2, 4, 6]],
      ]),
    );
    expect(result.links).toEqual(new Map());
    expect(checkRange({ segmentSize: 3, files }).parties).toBeUndefined();
  });

  it('checks every entry of a clean journal on the fast path and adds up the postings', async () => {
    const { files } = await journal();
    const result = checkRange({ segmentSize: 3, files });
    expect(result.problems).toEqual([]);
    expect(result.count).toBe(7);
    expect(result.start).toEqual({ seq: 0, hash: '0'.repeat(64) });
    expect(result.end.seq).toBe(7);
    expect(result.balances[userAccount('usr_1')]?.['EUR']).toBe(100 + 300 + 500 + 700);
    expect(result.balances[SYSTEM_ACCOUNTS.world]?.['EUR']).toBe(-2800);
  });

  it('finds a posting edited in place (same length, layout intact)', async () => {
    const { files } = await journal();
    const file = files[1]?.file ?? '';
    writeFileSync(file, readFileSync(file, 'utf8').replace('"amountMinor":400', '"amountMinor":900'));
    const problems = checkRange({ segmentSize: 3, files }).problems;
    expect(problems.some((p) => p.includes('entry 4 was changed after it was written'))).toBe(true);
  });

  it('reads a reformatted file the general way and still finds it intact', async () => {
    const { files } = await journal();
    const file = files[2]?.file ?? '';
    writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(file, 'utf8')), null, 2));
    const result = checkRange({ segmentSize: 3, files });
    expect(result.problems).toEqual([]);
    expect(result.count).toBe(7);
  });

  it('gives the same lists and totals when segments read the general way sit between those read in place, and leaves out entries past the last committed one', async () => {
    const { files } = await journal();
    const whole = checkRange({ segmentSize: 3, files, indexes: true });
    // The middle segment reformatted: read by JSON.parse, between two segments read in place.
    const file = files[1]?.file ?? '';
    writeFileSync(file, JSON.stringify(JSON.parse(readFileSync(file, 'utf8')), null, 2));
    const mixed = checkRange({ segmentSize: 3, files, indexes: true });
    expect(mixed.problems).toEqual([]);
    expect(mixed.parties).toEqual(whole.parties);
    expect(mixed.balances).toEqual(whole.balances);
    expect(mixed.end).toEqual(whole.end);
    // Entry 6 not yet committed (a commit under way): neither its postings nor its parties count.
    const cut = checkRange({ segmentSize: 3, files: files.slice(0, 2), indexes: true, lastSeq: 5 });
    expect(cut.problems).toEqual([]);
    expect(cut.end.seq).toBe(5);
    expect(cut.parties).toEqual(
      new Map([
        ['usr_1', [1, 3, 5]],
        ['usr_0', [2, 4]],
      ]),
    );
    expect(cut.balances).toEqual({ [SYSTEM_ACCOUNTS.world]: { EUR: -1500 }, [userAccount('usr_1')]: { EUR: 900 }, [userAccount('usr_0')]: { EUR: 600 } });
  });

  it('finds a removed entry: the chain breaks', async () => {
    const { files } = await journal();
    const file = files[1]?.file ?? '';
    const data = JSON.parse(readFileSync(file, 'utf8')) as { segment: number; entries: unknown[] };
    data.entries.splice(1, 1);
    writeFileSync(file, JSON.stringify(data));
    const problems = checkRange({ segmentSize: 3, files }).problems;
    expect(problems.some((p) => p.includes('follows entry 4'))).toBe(true);
  });
  it('reads postings written with their keys in another order through JSON.parse, with the same totals', async () => {
    const { files } = await journal();
    const file = files[0]?.file ?? '';
    const text = readFileSync(file, 'utf8');
    const reordered = text.replace('{"account":"world","currency":"EUR","amountMinor":-100}', '{"currency":"EUR","account":"world","amountMinor":-100}');
    expect(reordered).not.toBe(text);
    writeFileSync(file, reordered);
    const result = checkRange({ segmentSize: 3, files });
    expect(result.balances[SYSTEM_ACCOUNTS.world]?.['EUR']).toBe(-2800);
    // Same length, other bytes: the hash of entry 1 no longer matches, and nothing else is reported.
    expect(result.problems).toEqual([expect.stringContaining('entry 1 was changed after it was written')]);
  });

  it('does not read an amount with a leading zero as a number (JSON refuses it)', async () => {
    const { files } = await journal();
    const file = files[1]?.file ?? '';
    writeFileSync(file, readFileSync(file, 'utf8').replace('"amountMinor":400}', '"amountMinor":0400}'));
    const problems = checkRange({ segmentSize: 3, files }).problems;
    expect(problems.some((p) => p.includes('cannot be read as a journal segment'))).toBe(true);
  });

  it('reports a transaction whose postings do not sum to zero even when its hash was recomputed', async () => {
    const { files } = await journal();
    const file = files[2]?.file ?? '';
    const data = JSON.parse(readFileSync(file, 'utf8')) as {
      segment: number;
      entries: { end: boolean; hash: string; len: number; prevHash: string; seq: number; tx: { postings: { amountMinor: number }[] } }[];
    };
    const last = data.entries[data.entries.length - 1]!;
    last.tx.postings[1]!.amountMinor += 1;
    const content = JSON.stringify(last.tx);
    last.len = Buffer.byteLength(content);
    last.hash = chainHash(last.prevHash, last.seq, last.end, content);
    writeFileSync(
      file,
      `{"segment":${data.segment},"entries":[${data.entries.map((e) => `{"end":${e.end},"hash":"${e.hash}","len":${e.len},"prevHash":"${e.prevHash}","seq":${e.seq},"tx":${JSON.stringify(e.tx)}}`).join(',')}]}`,
    );
    const result = checkRange({ segmentSize: 3, files });
    expect(result.problems).toEqual(['txn_0000000007: postings in EUR sum to 1, not zero']);
    expect(result.balances[userAccount('usr_1')]?.['EUR']).toBe(100 + 300 + 500 + 701);
  });
});

describe('okpay verify on a store kept in files', () => {
  it("checks the files while the journal is read: the check of the files starts before the journal's result is in", async () => {
    const { store } = await journal();
    let pendingAtStart: boolean | null = null;
    const report = await verifyStore(
      watched(store, async (journal, check) => {
        const marker = {};
        pendingAtStart = (await Promise.race([journal, Promise.resolve(marker)])) === marker;
        return check();
      }),
    );
    expect(pendingAtStart).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.checked.journalEntries).toBe(7);
  });
});
