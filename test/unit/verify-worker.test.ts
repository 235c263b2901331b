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

/** Segment files of `segmentSize` entries, one per transaction's postings, in okpay's layout with their hashes; those of `general` reformatted (read by JSON.parse). */
function craftedJournal(segmentSize: number, postings: [string, number][][], general: readonly number[]): { segment: number; file: string }[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'okpay-verify-'));
  dirs.push(dir);
  let prevHash = '0'.repeat(64);
  const entries = postings.map((list, i) => {
    const tx = { ...deposit('usr_a', 1, null), postings: list.map(([account, amountMinor]) => ({ account, currency: 'EUR', amountMinor })) };
    const content = JSON.stringify(tx);
    const entry = { end: true, hash: chainHash(prevHash, i + 1, true, content), len: Buffer.byteLength(content), prevHash, seq: i + 1, content };
    prevHash = entry.hash;
    return entry;
  });
  const files: { segment: number; file: string }[] = [];
  for (let segment = 0; segment * segmentSize < entries.length; segment += 1) {
    const part = entries.slice(segment * segmentSize, (segment + 1) * segmentSize);
    const text = `{"segment":${segment},"entries":[${part.map((e) => `{"end":${e.end},"hash":"${e.hash}","len":${e.len},"prevHash":"${e.prevHash}","seq":${e.seq},"tx":${e.content}}`).join(',')}]}`;
    const file = path.join(dir, `${String(segment).padStart(8, '0')}.json`);
    writeFileSync(file, general.includes(segment) ? JSON.stringify(JSON.parse(text), null, 2) : text);
    files.push({ segment, file });
  }
  return files;
}

describe('the verify worker, segments read in place and the general way in one range', () => {
  const MAX = Number.MAX_SAFE_INTEGER;
  const world = SYSTEM_ACCOUNTS.world;
  const user = userAccount('usr_a');

  it('checks each running balance against 2^53 as the general way does, whichever way each segment is read', () => {
    // A balance past 2^53 after a segment read in place, over one the general way left at the bound.
    const past = [
      [
        [world, -MAX],
        [user, MAX],
      ],
      [
        [world, 0],
        [user, 0],
      ],
      [
        [world, -1],
        [user, 1],
      ],
      [
        [user, -1],
        [world, 1],
      ],
    ] as [string, number][][];
    for (const general of [[], [0], [0, 1]])
      expect(() => checkRange({ segmentSize: 2, files: craftedJournal(2, past, general) }), `general: ${general.join()}`).toThrow(
        `balance of ${world} EUR overflowed`,
      );
    // Back from the bound the general way, then to it again in place: never past it.
    const within = [
      [
        [world, -MAX],
        [user, MAX],
      ],
      [
        [user, -5],
        [world, 5],
      ],
      [
        [world, -5],
        [user, 5],
      ],
    ] as [string, number][][];
    for (const general of [[], [1], [0, 2]]) {
      const result = checkRange({ segmentSize: 1, files: craftedJournal(1, within, general) });
      expect(result.problems, `general: ${general.join()}`).toEqual([]);
      expect(result.balances, `general: ${general.join()}`).toEqual({ [world]: { EUR: -MAX }, [user]: { EUR: MAX } });
    }
  });

  it('reports the last entry of a segment read the general way whose hash was edited into something other than text, and the next segment read in place', () => {
    const deposits = [1, 2, 3, 4, 5, 6].map(
      (n) =>
        [
          [world, -n],
          [user, n],
        ] as [string, number][],
    );
    const files = craftedJournal(2, deposits, [1]);
    const file = files[1]!.file;
    const data = JSON.parse(readFileSync(file, 'utf8')) as { entries: { hash: unknown }[] };
    data.entries[1]!.hash = Array.from({ length: 64 }, () => 'a');
    writeFileSync(file, JSON.stringify(data, null, 2));
    const result = checkRange({ segmentSize: 2, files });
    expect(result.problems).toEqual([
      expect.stringContaining('entry 4 was changed after it was written'),
      expect.stringContaining('entry 5 does not point at the hash of the entry before it'),
    ]);
    expect(result.balances[user]?.['EUR']).toBe(21);
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
