// The split file store on disk, with raw postings: what a commit writes and what a failed or empty
// one leaves, file modes, journal segments, the store lock, and a schema-2 state.json met on the
// way in (the upgrade reads it: damage and a newer schema are refused, a schema-1 file migrated).
// The tampering matrix and kill -9 at any point of a commit are in test/e2e/split-store.test.ts;
// the records contract shared with the other stores in test/unit/record-stores.test.ts.

import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { regionById } from '../../src/domain/support-regions.js';
import { AppError } from '../../src/domain/errors.js';
import { type JournalEntry, type NewTransaction } from '../../src/domain/ledger.js';
import { chainHash, entryContentText } from '../../src/domain/hashing.js';
import { setFaultHook } from '../../src/store/durable-file.js';
import { acquireStoreLock } from '../../src/store/lock.js';
import { MemoryRecordStore } from '../../src/store/memory-record-store.js';
import { Schema2Reader } from '../../src/store/schema2-reader.js';
import { SCHEMA2_VERSION } from '../../src/store/schema2-state.js';
import { SplitFileStore } from '../../src/store/split-file-store.js';
import type { RecordStore } from '../../src/store/store.js';
import { summarizeTicket } from '../../src/domain/ticket-summary.js';
import { calendars, support } from '../support/desk-data.js';

const NOW_ISO = '2026-11-23T10:00:00.000Z';
const now = () => new Date(NOW_ISO);
const SCHEMA2_FIXTURE = path.resolve('test/fixtures/schema2-store/data');

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'okpay-store-test-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function open(directory: string, options: { segmentSize?: number; lockStaleMs?: number } = {}): SplitFileStore {
  return new SplitFileStore(directory, {
    now,
    ...options,
    summarizeTicket: (ticket) => summarizeTicket(ticket, support, regionById(calendars, ticket.regionId)),
  });
}

function deposit(userId: string, amountMinor: number): NewTransaction {
  return {
    type: 'deposit',
    at: NOW_ISO,
    memo: null,
    links: [],
    parties: [userId],
    postings: [
      { account: `user:${userId}`, currency: 'USD', amountMinor },
      { account: 'world', currency: 'USD', amountMinor: -amountMinor },
    ],
    details: { initiator: userId },
  };
}

function mail(to: string) {
  return { to, userId: null, kind: 'test', language: 'en' as const, subject: 'Hello', text: 'A test mail.', antiPhishingPhrase: null };
}

function event(type: string) {
  return { at: NOW_ISO, type, actor: null, subject: null, details: {} };
}

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

async function collect<T>(pages: AsyncIterable<readonly T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

/** Every file under a directory, relative path → bytes. */
function snapshot(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(directory, full), readFileSync(full).toString('base64'));
    }
  };
  walk(directory);
  return files;
}

function segment(directory: string, n: number): { segment: number; entries: JournalEntry[] } {
  return JSON.parse(readFileSync(path.join(directory, 'journal', `${String(n).padStart(8, '0')}.json`), 'utf8')) as {
    segment: number;
    entries: JournalEntry[];
  };
}

describe('split file store transactions', () => {
  it('commits the records, the journal, the audit log and the outbox together, and a new store object on the directory sees them', async () => {
    const store = open(path.join(root, 'data'));
    const tx = await store.transaction(async (t) => {
      expect(t.tickets.nextNumber()).toBe(1);
      t.audit(event('test.event'));
      t.mail(mail('ada@example.com'), NOW_ISO);
      return t.post(deposit('usr_a', 1500));
    });
    expect(tx).toMatchObject({ id: 'txn_0000000001', seq: 1 });
    await open(path.join(root, 'data')).read(async (t) => {
      expect(await t.balances.ofAccount('user:usr_a')).toEqual({ USD: 1500 });
      expect(await t.balances.ofAccount('world')).toEqual({ USD: -1500 });
      expect(t.meta.get()).toMatchObject({ ticketSeq: 1, mailSeq: 1, journal: { seq: 1 }, audit: { seq: 1 } });
      expect((await t.journal.get(1))?.tx.id).toBe('txn_0000000001');
      expect(await t.journal.seqsOfUser('usr_a')).toEqual([1]);
      expect((await t.outbox.list()).map((m) => m.to)).toEqual(['ada@example.com']);
    });
  });

  it('leaves every file byte-identical when the work throws', async () => {
    const store = open(path.join(root, 'data'));
    await store.transaction(async (t) => {
      await t.post(deposit('usr_a', 100));
      t.audit(event('first'));
      t.mail(mail('ada@example.com'), NOW_ISO);
    });
    const before = snapshot(store.directory);
    const error = await errorOf(
      store.transaction(async (t) => {
        await t.post(deposit('usr_a', 200));
        await t.post(deposit('usr_b', 300));
        t.audit(event('second'));
        t.mail(mail('bob@example.com'), NOW_ISO);
        t.tickets.nextNumber();
        throw new AppError('INSUFFICIENT_FUNDS', 'no');
      }),
    );
    expect(error.code).toBe('INSUFFICIENT_FUNDS');
    expect(snapshot(store.directory)).toEqual(before);
    await store.read(async (t) => {
      expect(await t.balances.ofAccount('user:usr_a')).toEqual({ USD: 100 });
      expect(t.meta.get().ticketSeq).toBe(0);
    });
  });

  it('shows readers of a commit cut short the version it left, before any writer recovers: no audit entry past the head, a pending commit\u2019s staged mails', async () => {
    const directory = path.join(root, 'data');
    await open(directory).transaction((t) => {
      t.audit(event('first'));
      t.mail(mail('ada@example.com'), NOW_ISO);
    });
    const cutShort = async (failsAt: (step: string, file: string) => boolean) => {
      setFaultHook((step, file) => {
        if (failsAt(step, file)) throw Object.assign(new Error(`injected before ${step} of ${file}`), { code: 'EIO' });
      });
      try {
        await errorOf(
          open(directory).transaction((t) => {
            t.audit(event('next'));
            t.mail(mail('bob@example.com'), NOW_ISO);
          }),
        );
      } finally {
        setFaultHook(null);
      }
    };
    const seen = () =>
      open(directory).read(async (t) => ({ audit: (await collect(t.auditLog.scan())).map((e) => e.seq), mails: (await t.outbox.list()).map((m) => m.to) }));
    // Killed before its commit point, with its audit entry written: the entry is not part of the store.
    let killed = false;
    await cutShort((_step, file) => (killed ||= file.endsWith('.stage')));
    expect(await seen()).toEqual({ audit: [1], mails: ['ada@example.com'] });
    // Killed past its commit point, before its stages were moved into place: it is committed.
    let committed = false;
    await cutShort((step, file) => {
      const moving = committed && step === 'rename';
      committed ||= path.basename(file) === 'commit.redo';
      return moving;
    });
    expect(await seen()).toEqual({ audit: [1, 2], mails: ['ada@example.com', 'bob@example.com'] });
    await open(directory).transaction(() => undefined);
    expect(await seen()).toEqual({ audit: [1, 2], mails: ['ada@example.com', 'bob@example.com'] });
  });

  it('does not write anything for a transaction that changes nothing', async () => {
    const store = open(path.join(root, 'data'));
    await store.transaction(async (t) => void (await t.post(deposit('usr_a', 100))));
    const before = snapshot(store.directory);
    const mtime = statSync(store.file('store.json')).mtimeMs;
    await store.transaction((t) => t.users.get('usr_a'));
    expect(snapshot(store.directory)).toEqual(before);
    expect(statSync(store.file('store.json')).mtimeMs).toBe(mtime);
  });

  it('makes the data directory 0700 and every file 0600', async () => {
    const store = open(path.join(root, 'data', 'nested'));
    await store.transaction(async (t) => {
      await t.post(deposit('usr_a', 100));
      t.audit(event('e'));
      t.mail(mail('ada@example.com'), NOW_ISO);
    });
    expect(statSync(store.directory).mode & 0o777).toBe(0o700);
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        expect(statSync(full).mode & 0o777, full).toBe(entry.isDirectory() ? 0o700 : 0o600);
        if (entry.isDirectory()) walk(full);
      }
    };
    walk(store.directory);
    expect(readdirSync(store.directory).sort()).toEqual(['audit', 'commit.redo', 'journal', 'mails', 'records', 'store.json']);
  });
});

describe('journal segments', () => {
  it('rolls over to a new segment file every segmentSize entries', async () => {
    const store = open(root, { segmentSize: 3 });
    await store.transaction(async (t) => {
      await t.post(deposit('usr_a', 1));
      await t.post(deposit('usr_a', 2));
    });
    await store.transaction(async (t) => {
      for (let i = 3; i <= 7; i += 1) await t.post(deposit(i % 2 ? 'usr_a' : 'usr_b', i));
    });
    expect(readdirSync(path.join(root, 'journal')).sort()).toEqual(['00000000.json', '00000001.json', '00000002.json']);
    expect(segment(root, 0).entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(segment(root, 1).entries.map((e) => e.seq)).toEqual([4, 5, 6]);
    expect(segment(root, 2).entries.map((e) => e.seq)).toEqual([7]);
    expect(segment(root, 0).entries.map((e) => e.end)).toEqual([false, true, false]);
    expect(segment(root, 2).entries[0]?.end).toBe(true);
    await store.read(async (t) => {
      expect(t.journal.head().seq).toBe(7);
      expect((await t.journal.get(5))?.tx.postings[0]?.amountMinor).toBe(5);
      expect(await t.journal.seqsOfUser('usr_b')).toEqual([4, 6]);
      const seen: number[][] = [];
      for await (const entries of t.journal.scan()) seen.push(entries.map((e) => e.seq));
      expect(seen).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    });
  });

  it('a flush writes the segments the posted entries fill (the next flush waits for them): readers stop at the head until the commit, a failed transaction puts them back', async () => {
    const store = open(root, { segmentSize: 3 });
    await store.transaction(async (t) => void (await t.post(deposit('usr_a', 1))));
    const before = snapshot(store.directory);
    const error = await errorOf(
      store.transaction(async (t) => {
        for (let i = 2; i <= 7; i += 1) await t.post(deposit('usr_a', i));
        await t.flush();
        await t.flush();
        expect(segment(root, 1).entries.map((e) => e.seq)).toEqual([4, 5, 6]);
        await store.read(async (r) => expect((await collect(r.journal.scan())).map((e) => e.seq)).toEqual([1]));
        throw new AppError('INSUFFICIENT_FUNDS', 'no');
      }),
    );
    expect(error.code).toBe('INSUFFICIENT_FUNDS');
    expect(snapshot(store.directory)).toEqual(before);
    const last = await store.transaction(async (t) => {
      for (let i = 2; i <= 5; i += 1) await t.post(deposit('usr_a', i));
      await t.flush();
      await t.post(deposit('usr_b', 6));
      await t.flush();
      return t.post(deposit('usr_b', 7));
    });
    expect(last.seq).toBe(7);
    expect(segment(root, 0).entries.map((e) => [e.seq, e.end])).toEqual([
      [1, true],
      [2, false],
      [3, false],
    ]);
    expect(segment(root, 2).entries.map((e) => [e.seq, e.end])).toEqual([[7, true]]);
    await store.read(async (t) => {
      expect(t.journal.head().seq).toBe(7);
      expect(await t.balances.ofAccount('user:usr_a')).toEqual({ USD: 15 });
      expect(await t.journal.seqsOfUser('usr_b')).toEqual([6, 7]);
    });
  });

  it('chains every entry to the one before it, across segments', async () => {
    const store = open(root, { segmentSize: 3 });
    for (let i = 1; i <= 4; i += 1) await store.transaction(async (t) => void (await t.post(deposit('usr_a', i))));
    const entries = [...segment(root, 0).entries, ...segment(root, 1).entries];
    let prev = '0'.repeat(64);
    for (const entry of entries) {
      expect(entry.prevHash).toBe(prev);
      expect(entry.hash).toBe(chainHash(prev, entry.seq, entry.end, entryContentText(entry.tx)));
      prev = entry.hash;
    }
  });
});

describe('a schema-2 state.json met by the upgrade', () => {
  /** A copy of the schema-2 store made by the previous release, with its state.json rewritten. */
  function schema2Store(change: (state: Record<string, unknown>) => string): string {
    const home = path.join(root, 'old');
    cpSync(SCHEMA2_FIXTURE, home, { recursive: true });
    const file = path.join(home, 'state.json');
    writeFileSync(file, change(JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>));
    return home;
  }

  it.each([
    ['not JSON', '{"schemaVersion": 1, "users": {', 'not valid JSON'],
    ['empty', '', 'empty'],
    ['only whitespace', '  \n', 'empty'],
    ['null', 'null', 'does not hold a JSON object'],
    ['an array', '[]', 'does not hold a JSON object'],
    ['a number', '42', 'does not hold a JSON object'],
    ['a string', '"state"', 'does not hold a JSON object'],
    ['an object without a schema version', '{}', 'schemaVersion'],
    ['an object with a section missing', JSON.stringify({ schemaVersion: SCHEMA2_VERSION }), 'missing'],
  ])('refuses a state.json that is %s with STORE_CORRUPT and leaves the store as it was', async (_name, text, why) => {
    const home = schema2Store(() => text);
    const before = snapshot(home);
    const error = await errorOf(open(home).transaction(async (t) => void (await t.post(deposit('usr_a', 100)))));
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain(path.join(home, 'state.json'));
    expect(error.message).toContain(why);
    expect(snapshot(home)).toEqual(before);
  });

  it('refuses a schemaVersion newer than this okpay knows with STORE_TOO_NEW, leaving the store alone', async () => {
    const home = schema2Store((state) => JSON.stringify({ ...state, schemaVersion: SCHEMA2_VERSION + 1 }));
    const before = snapshot(home);
    const error = await errorOf(open(home).transaction(async (t) => void (await t.post(deposit('usr_a', 100)))));
    expect(error.code).toBe('STORE_TOO_NEW');
    expect(error.message).toContain(`schema ${SCHEMA2_VERSION + 1}`);
    expect(snapshot(home)).toEqual(before);
  });

  it('migrates a schema-1 state: limit windows become { day: usdMinor } in day order', async () => {
    const v1Windows = {
      usr_a: [
        { day: '2026-11-20', usdMinor: 500 },
        { day: '2026-11-03', usdMinor: 70 },
        { day: '2026-11-20', usdMinor: 25 },
      ],
      usr_b: [{ day: '2026-11-21', usdMinor: 0 }],
    };
    const home = schema2Store((state) => JSON.stringify({ ...state, schemaVersion: 1, limitWindows: v1Windows }));
    await open(home).read(async (t) => {
      const window = await t.limits.get('usr_a');
      expect(window).toEqual({ '2026-11-03': 70, '2026-11-20': 525 });
      expect(Object.keys(window)).toEqual(['2026-11-03', '2026-11-20']);
      expect(await t.limits.get('usr_b')).toEqual({});
    });
  });
});

describe('a schema-2 store read in memory while its first writer upgrades it', () => {
  it('is read again on the upgraded store when the journal index went between the read of state.json and its own', async () => {
    const home = path.join(root, 'old');
    cpSync(SCHEMA2_FIXTURE, home, { recursive: true });
    const bob = 'usr_4vk2d7kbsgkg';
    const historyOf = (store: SplitFileStore) => store.read((t) => t.journal.seqsOfUser(bob));
    cpSync(home, path.join(root, 'copy'), { recursive: true });
    const expected = await historyOf(open(path.join(root, 'copy')));
    expect(expected.length).toBeGreaterThan(3);
    // Right after the read has taken state.json, a writer upgrades the store and has removed
    // state.json and index/ when it stops (its removal of outbox/ fails): the read meets no index,
    // while every mail it reads is still there.
    const committedState = Schema2Reader.prototype.committedState;
    const spy = vi.spyOn(Schema2Reader.prototype, 'committedState').mockImplementationOnce(async function (this: Schema2Reader) {
      const state = await committedState.call(this);
      setFaultHook((step, file) => {
        if (step === 'remove' && path.basename(file) === 'outbox') throw new Error('stopped before removing outbox/');
      });
      try {
        await expect(open(home).transaction((t) => t.users.count())).rejects.toThrow('outbox');
      } finally {
        setFaultHook(null);
      }
      expect([existsSync(path.join(home, 'store.json')), existsSync(path.join(home, 'index')), existsSync(path.join(home, 'outbox'))]).toEqual([
        true,
        false,
        true,
      ]);
      return state;
    });
    try {
      expect(await historyOf(open(home))).toEqual(expected);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('the store lock', () => {
  it('makes a second taker wait, and gives up with STORE_LOCKED', async () => {
    const held = await acquireStoreLock(root, { waitMs: 1_000 });
    const error = await errorOf(acquireStoreLock(root, { waitMs: 200 }));
    expect(error.code).toBe('STORE_LOCKED');
    expect(error.message).toContain(root);
    await held.release();
    const next = await acquireStoreLock(root, { waitMs: 200 });
    await next.release();
  });

  it('takes over a lock left behind by a killed process once it is stale', async () => {
    const lockDirectory = path.join(root, 'okpay.lock');
    mkdirSync(lockDirectory);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockDirectory, old, old);
    const store = open(root, { lockStaleMs: 2_000 });
    await store.transaction(async (t) => void (await t.post(deposit('usr_a', 100))));
    expect(await store.read((t) => t.balances.ofAccount('user:usr_a'))).toEqual({ USD: 100 });
  });
});

describe('concurrent transactions', () => {
  const counted = async (stores: readonly RecordStore[]): Promise<number> => {
    await Promise.all(
      stores.flatMap((store) =>
        Array.from({ length: 5 }, () =>
          store.transaction(async (t) => {
            // A pause, then a number from the counter the transaction read: overlapping ones would hand out one twice.
            await new Promise((resolve) => setTimeout(resolve, 1));
            t.tickets.nextNumber();
          }),
        ),
      ),
    );
    return (stores[0] as RecordStore).read((t) => t.meta.get().ticketSeq);
  };

  it('run one at a time in the memory store, so no update is lost', async () => {
    const store = new MemoryRecordStore(NOW_ISO);
    expect(await counted([store, store, store, store])).toBe(20);
  });

  it('of several split store objects on one directory are serialised by the lock', async () => {
    expect(await counted(Array.from({ length: 4 }, () => open(root)))).toBe(20);
  });
});

describe('a commit of many files', () => {
  it('never runs a `sync` found on $PATH: one that exits 0 without syncing cannot stand in for the fsyncs', async () => {
    const bin = path.join(root, 'bin');
    const ran = path.join(root, 'fake-sync-ran');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'sync'), `#!/bin/sh\necho "$@" >> '${ran}'\n`, { mode: 0o755 });
    const data = path.join(root, 'data');
    const store = open(data);
    // Each deposit to a person of their own: a balance bucket and a journal index bucket each, about 2,000 files a commit.
    const deposits = (count: number, prefix: string) =>
      store.transaction(async (t) => {
        for (let i = 0; i < count; i += 1) await t.post(deposit(`${prefix}${i}`, 1));
      });
    const pathBefore = process.env['PATH'];
    process.env['PATH'] = `${bin}${path.delimiter}${pathBefore ?? ''}`;
    try {
      // A new store's first commit (as fixtures generate makes), then an ordinary one, each of 1,000+ files.
      await deposits(1_100, 'ada');
      await deposits(1_100, 'bob');
    } finally {
      process.env['PATH'] = pathBefore;
    }
    expect(existsSync(ran)).toBe(false);
    expect(await store.read(async (t) => (await t.balances.get('user:ada0', 'USD')) + (await t.balances.get('user:bob1099', 'USD')))).toBe(2);
    expect(readdirSync(path.join(data, 'records', 'balances')).length).toBeGreaterThan(1_000);
  });
});
