import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACCOUNTS, userAccount, type NewTransaction } from '../../src/domain/ledger.js';
import { chainHash } from '../../src/domain/hashing.js';
import { checkRange } from '../../src/cli/verify-worker.js';
import type { Totals } from '../../src/domain/integrity-check.js';
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
    expect(result.balances.get(userAccount('usr_1'))?.get('EUR')).toBe(100 + 300 + 500 + 700);
    expect(result.balances.get(SYSTEM_ACCOUNTS.world)?.get('EUR')).toBe(-2800);
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
    expect(cut.balances).toEqual(
      totals({ [SYSTEM_ACCOUNTS.world]: { EUR: -1500 }, [userAccount('usr_1')]: { EUR: 900 }, [userAccount('usr_0')]: { EUR: 600 } }),
    );
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
    expect(result.balances.get(SYSTEM_ACCOUNTS.world)?.get('EUR')).toBe(-2800);
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
    expect(result.balances.get(userAccount('usr_1'))?.get('EUR')).toBe(100 + 300 + 500 + 701);
  });
});

/** Verify's totals (Maps) from a plain object of accounts and currencies. */
function totals(rows: Record<string, Record<string, number>>): Totals {
  return new Map(Object.entries(rows).map(([account, row]) => [account, new Map(Object.entries(row))]));
}

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

  it('sums each balance exactly past 2^53 (where a float sum rounds), the same whichever way each segment is read', () => {
    // world goes to -(2^53 + 1) and back, user to 2^53 + 1 and back: in floating point both would round on the way and end 1 off.
    const there = [
      [
        [world, -MAX],
        [user, MAX],
      ],
      [
        [world, -2],
        [user, 2],
      ],
      [
        [user, -2],
        [world, 2],
      ],
    ] as [string, number][][];
    for (const general of [[], [0], [1], [0, 2], [0, 1, 2]]) {
      const result = checkRange({ segmentSize: 1, files: craftedJournal(1, there, general) });
      expect(result.problems, `general: ${general.join()}`).toEqual([]);
      expect(result.balances, `general: ${general.join()}`).toEqual(totals({ [world]: { EUR: -MAX }, [user]: { EUR: MAX } }));
      // Stopped past the bound: the totals are the exact bigints.
      const past = checkRange({ segmentSize: 1, files: craftedJournal(1, there, general), lastSeq: 2 });
      expect(past.balances.get(user)?.get('EUR'), `general: ${general.join()}`).toBe(BigInt(MAX) + 2n);
      expect(past.balances.get(world)?.get('EUR'), `general: ${general.join()}`).toBe(-BigInt(MAX) - 2n);
    }
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
      expect(result.balances, `general: ${general.join()}`).toEqual(totals({ [world]: { EUR: -MAX }, [user]: { EUR: MAX } }));
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
    expect(result.balances.get(user)?.get('EUR')).toBe(21);
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

describe('the verify worker on a forged journal: names and amounts no okpay writes', () => {
  const MAX = Number.MAX_SAFE_INTEGER;
  const world = SYSTEM_ACCOUNTS.world;
  const user = userAccount('usr_a');

  it('keeps accounts named like Object.prototype’s members apart, and changes no prototype', () => {
    const postings = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'].map(
      (name, i) =>
        [
          [world, -(i + 1)],
          [name, i + 1],
        ] as [string, number][],
    );
    postings.push([
      [world, -10],
      [user, 10],
    ]);
    for (const general of [[], [0, 1, 2, 3, 4], [1, 3]]) {
      const result = checkRange({ segmentSize: 1, files: craftedJournal(1, postings, general) });
      expect(result.problems, `general: ${general.join()}`).toEqual([]);
      expect(result.balances, `general: ${general.join()}`).toEqual(
        new Map([
          [world, new Map([['EUR', -20]])],
          ['__proto__', new Map([['EUR', 1]])],
          ['constructor', new Map([['EUR', 2]])],
          ['toString', new Map([['EUR', 3]])],
          ['hasOwnProperty', new Map([['EUR', 4]])],
          [user, new Map([['EUR', 10]])],
        ]),
      );
      expect(({} as Record<string, unknown>)['EUR']).toBeUndefined();
    }
  });

  it('finds a transaction that balances only in floating point (amounts near 2^53), whichever way it is read', () => {
    // 2^53 - 1 + 2 rounds to 2^53; the exact sum is 1.
    const forged = [
      [
        [user, MAX],
        [user, 2],
        [world, -MAX],
        [world, -1],
      ],
      [
        [world, -5],
        [user, 5],
      ],
    ] as [string, number][][];
    for (const general of [[], [0], [0, 1]]) {
      const result = checkRange({ segmentSize: 1, files: craftedJournal(1, forged, general) });
      expect(result.problems, `general: ${general.join()}`).toEqual(['txn_0000000001: postings in EUR sum to 1, not zero']);
      expect(result.balances, `general: ${general.join()}`).toEqual(
        new Map([
          [user, new Map([['EUR', BigInt(MAX) + 7n]])],
          [world, new Map([['EUR', -BigInt(MAX) - 6n]])],
        ]),
      );
    }
    // And one that balances exactly although a running sum passes 2^53 on the way: no problem.
    const exact = [
      [
        [user, MAX],
        [user, 1],
        [world, -MAX],
        [world, -1],
      ],
    ] as [string, number][][];
    for (const general of [[], [0]]) expect(checkRange({ segmentSize: 1, files: craftedJournal(1, exact, general) }).problems).toEqual([]);
  });

  it('gives the same problems and totals read in place as read the general way, on random forged journals', () => {
    const names = [world, user, '__proto__', 'constructor', 'valueOf', 'fees'];
    const amount = fc.oneof(
      fc.integer({ min: -1000, max: 1000 }),
      fc.constantFrom(MAX, -MAX, MAX - 1, -(MAX - 1), 1, -1, 2, -2),
      fc.integer({ min: MAX - 10, max: MAX }),
    );
    const transaction = fc.array(fc.tuple(fc.constantFrom(...names), amount), { minLength: 1, maxLength: 5 }).map((list) =>
      // Most balance (the last posting takes what the others leave, when that is a safe integer): the rest are forged.
      list.length > 1 && Number.isSafeInteger(list.slice(0, -1).reduce((sum, [, a]) => sum - a, 0))
        ? [...list.slice(0, -1), [list[list.length - 1]![0], list.slice(0, -1).reduce((sum, [, a]) => sum - a, 0)] as [string, number]]
        : list,
    );
    fc.assert(
      fc.property(fc.array(transaction, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 3 }), fc.array(fc.nat(7)), (txs, size, general) => {
        const segments = Math.ceil(txs.length / size);
        const allGeneral = checkRange({ segmentSize: size, files: craftedJournal(size, txs, [...Array(segments).keys()]) });
        const mixed = checkRange({ segmentSize: size, files: craftedJournal(size, txs, general) });
        expect(mixed.problems).toEqual(allGeneral.problems);
        expect(mixed.balances).toEqual(allGeneral.balances);
        expect(mixed.end).toEqual(allGeneral.end);
      }),
      { numRuns: 150, seed: 20261207 },
    );
  });
});
