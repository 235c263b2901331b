import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../src/domain/errors.js';
import { chainHash, entryContentText, type JournalEntry, type NewTransaction } from '../../src/domain/ledger.js';
import { SCHEMA_VERSION, type State } from '../../src/domain/state.js';
import { FileStore } from '../../src/store/file-store.js';
import { acquireStoreLock } from '../../src/store/lock.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/store.js';

const NOW_ISO = '2026-11-23T10:00:00.000Z';
const now = () => new Date(NOW_ISO);

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'okpay-store-test-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

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

function readState(store: Store): Promise<State> {
  return store.transaction((t) => structuredClone(t.state));
}

function segment(store: FileStore, n: number): { segment: number; entries: JournalEntry[] } {
  return JSON.parse(readFileSync(store.journalLog.fileOf(n), 'utf8')) as { segment: number; entries: JournalEntry[] };
}

describe('FileStore transactions', () => {
  it('commits the state, the journal, the audit log and the outbox together', async () => {
    const store = new FileStore(path.join(root, 'data'), { now });
    const tx = await store.transaction((t) => {
      t.state.meta = { ...t.state.meta, ticketSeq: 7 };
      t.audit(event('test.event'));
      t.mail(mail('ada@example.com'), NOW_ISO);
      return t.postNow(deposit('usr_a', 1500));
    });
    expect(tx).toMatchObject({ id: 'txn_0000000001', seq: 1 });
    const reopened = new FileStore(path.join(root, 'data'), { now });
    await reopened.transaction(async (t) => {
      expect(t.state.balances['user:usr_a']).toEqual({ USD: 1500 });
      expect(t.state.balances['world']).toEqual({ USD: -1500 });
      expect(t.state.meta.ticketSeq).toBe(7);
      expect(t.state.meta.journal.seq).toBe(1);
      expect(t.state.meta.audit.seq).toBe(1);
      expect((await t.journal.get(1))?.tx.id).toBe('txn_0000000001');
      expect(await t.journal.seqsOfUser('usr_a')).toEqual([1]);
      expect((await t.outbox.list()).map((m) => m.to)).toEqual(['ada@example.com']);
    });
  });

  it('leaves every file byte-identical when the work throws', async () => {
    const store = new FileStore(path.join(root, 'data'), { now });
    await store.transaction((t) => {
      t.postNow(deposit('usr_a', 100));
      t.audit(event('first'));
      t.mail(mail('ada@example.com'), NOW_ISO);
    });
    const before = snapshot(store.directory);
    const error = await errorOf(
      store.transaction((t) => {
        t.postNow(deposit('usr_a', 200));
        t.postNow(deposit('usr_b', 300));
        t.audit(event('second'));
        t.mail(mail('bob@example.com'), NOW_ISO);
        t.state.meta = { ...t.state.meta, ticketSeq: 99 };
        throw new AppError('INSUFFICIENT_FUNDS', 'no');
      }),
    );
    expect(error.code).toBe('INSUFFICIENT_FUNDS');
    expect(snapshot(store.directory)).toEqual(before);
    const state = await readState(store);
    expect(state.balances['user:usr_a']).toEqual({ USD: 100 });
    expect(state.meta.ticketSeq).toBe(0);
  });

  it('commits and then fails with failAfterCommit', async () => {
    const store = new FileStore(path.join(root, 'data'), { now });
    const error = await errorOf(
      store.transaction((t) => {
        t.postNow(deposit('usr_a', 100));
        t.failAfterCommit(new AppError('BAD_CREDENTIALS', 'counted'));
      }),
    );
    expect(error.code).toBe('BAD_CREDENTIALS');
    expect((await readState(store)).balances['user:usr_a']).toEqual({ USD: 100 });
  });

  it('does not write anything for a transaction that changes nothing', async () => {
    const store = new FileStore(path.join(root, 'data'), { now });
    await store.transaction((t) => void t.postNow(deposit('usr_a', 100)));
    const before = snapshot(store.directory);
    const mtime = statSync(store.stateFile).mtimeMs;
    await store.transaction((t) => t.state.users);
    expect(snapshot(store.directory)).toEqual(before);
    expect(statSync(store.stateFile).mtimeMs).toBe(mtime);
  });

  it('makes the data directory 0700 and every file 0600', async () => {
    const store = new FileStore(path.join(root, 'data', 'nested'), { now });
    await store.transaction((t) => {
      t.postNow(deposit('usr_a', 100));
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
    expect(readdirSync(store.directory).sort()).toEqual(['audit', 'index', 'journal', 'outbox', 'state.json']);
  });
});

describe('FileStore refuses a damaged or newer state file', () => {
  it.each([
    ['not JSON', '{"schemaVersion": 1, "users": {', 'not valid JSON'],
    ['empty', '', 'empty'],
    ['only whitespace', '  \n', 'empty'],
    ['null', 'null', 'does not hold a JSON object'],
    ['an array', '[]', 'does not hold a JSON object'],
    ['a number', '42', 'does not hold a JSON object'],
    ['a string', '"state"', 'does not hold a JSON object'],
    ['an object without a schema version', '{}', 'schemaVersion'],
    ['an object with a section missing', JSON.stringify({ schemaVersion: SCHEMA_VERSION }), 'missing'],
  ])('refuses a state.json that is %s with STORE_CORRUPT and leaves it as it was', async (_name, text, why) => {
    const store = new FileStore(root, { now });
    writeFileSync(store.stateFile, text);
    const error = await errorOf(store.transaction((t) => void t.postNow(deposit('usr_a', 100))));
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain(store.stateFile);
    expect(error.message).toContain(why);
    expect(readFileSync(store.stateFile, 'utf8')).toBe(text);
    expect(readdirSync(root)).toEqual(['state.json']);
  });

  it('refuses a schemaVersion newer than this okpay knows with STORE_TOO_NEW, leaving the file alone', async () => {
    const store = new FileStore(root, { now });
    await store.transaction((t) => void t.postNow(deposit('usr_a', 100)));
    const state = JSON.parse(readFileSync(store.stateFile, 'utf8')) as Record<string, unknown>;
    const text = JSON.stringify({ ...state, schemaVersion: SCHEMA_VERSION + 1 });
    writeFileSync(store.stateFile, text);
    const before = snapshot(root);
    const error = await errorOf(store.transaction((t) => void t.postNow(deposit('usr_a', 100))));
    expect(error.code).toBe('STORE_TOO_NEW');
    expect(error.message).toContain(`schema ${SCHEMA_VERSION + 1}`);
    expect(snapshot(root)).toEqual(before);
  });

  it('migrates a schema-1 store: limit windows become { day: usdMinor } in day order, written back at the next commit', async () => {
    const store = new FileStore(root, { now });
    await store.transaction((t) => void t.postNow(deposit('usr_a', 100)));
    const state = JSON.parse(readFileSync(store.stateFile, 'utf8')) as Record<string, unknown>;
    const v1 = {
      ...state,
      schemaVersion: 1,
      limitWindows: {
        usr_a: [{ day: '2026-11-20', usdMinor: 500 }, { day: '2026-11-03', usdMinor: 70 }, { day: '2026-11-20', usdMinor: 25 }],
        usr_b: [{ day: '2026-11-21', usdMinor: 0 }],
      },
    };
    writeFileSync(store.stateFile, JSON.stringify(v1));
    const read = await readState(store);
    expect(read.schemaVersion).toBe(SCHEMA_VERSION);
    expect(read.limitWindows).toEqual({ usr_a: { '2026-11-03': 70, '2026-11-20': 525 } });
    expect(Object.keys(read.limitWindows['usr_a'] ?? {})).toEqual(['2026-11-03', '2026-11-20']);
    await store.transaction((t) => void t.postNow(deposit('usr_a', 100)));
    const written = JSON.parse(readFileSync(store.stateFile, 'utf8')) as { schemaVersion: number; limitWindows: unknown };
    expect(written.schemaVersion).toBe(SCHEMA_VERSION);
    expect(written.limitWindows).toEqual({ usr_a: { '2026-11-03': 70, '2026-11-20': 525 } });
  });

  it('refuses a missing state.json when the journal holds entries', async () => {
    const store = new FileStore(root, { now });
    await store.transaction((t) => void t.postNow(deposit('usr_a', 100)));
    rmSync(store.stateFile);
    const error = await errorOf(readState(store));
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain(store.stateFile);
  });
});

describe('FileStore journal segments', () => {
  it('rolls over to a new segment file every segmentSize entries', async () => {
    const store = new FileStore(root, { now, segmentSize: 3 });
    await store.transaction((t) => {
      t.postNow(deposit('usr_a', 1));
      t.postNow(deposit('usr_a', 2));
    });
    await store.transaction((t) => {
      for (let i = 3; i <= 7; i += 1) t.postNow(deposit(i % 2 ? 'usr_a' : 'usr_b', i));
    });
    expect(await store.journalLog.listSegments()).toEqual([0, 1, 2]);
    expect(segment(store, 0).entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(segment(store, 1).entries.map((e) => e.seq)).toEqual([4, 5, 6]);
    expect(segment(store, 2).entries.map((e) => e.seq)).toEqual([7]);
    expect(segment(store, 0).entries.map((e) => e.end)).toEqual([false, true, false]);
    expect(segment(store, 2).entries[0]?.end).toBe(true);
    await store.transaction(async (t) => {
      expect(t.state.meta.journal.seq).toBe(7);
      expect((await t.journal.get(5))?.tx.postings[0]?.amountMinor).toBe(5);
      expect(await t.journal.seqsOfUser('usr_b')).toEqual([4, 6]);
      const seen: number[][] = [];
      for await (const entries of t.journal.scan()) seen.push(entries.map((e) => e.seq));
      expect(seen).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
    });
  });

  it('chains every entry to the one before it, across segments', async () => {
    const store = new FileStore(root, { now, segmentSize: 3 });
    for (let i = 1; i <= 4; i += 1) await store.transaction((t) => void t.postNow(deposit('usr_a', i)));
    const entries = [...segment(store, 0).entries, ...segment(store, 1).entries];
    let prev = '0'.repeat(64);
    for (const entry of entries) {
      expect(entry.prevHash).toBe(prev);
      expect(entry.hash).toBe(chainHash(prev, entry.seq, entry.end, entryContentText(entry.tx)));
      prev = entry.hash;
    }
  });
});

describe('FileStore recovery after an interrupted commit', () => {
  /** Runs a commit, then puts state.json back as it was: the journal got written, the state did not. */
  async function commitWithoutState(store: FileStore, work: Parameters<Store['transaction']>[0]): Promise<void> {
    const saved = path.join(root, 'state.saved');
    copyFileSync(store.stateFile, saved);
    await store.transaction(work);
    copyFileSync(saved, store.stateFile);
    rmSync(saved);
  }

  it('redoes complete journal entries the state does not have yet', async () => {
    const store = new FileStore(root, { now, segmentSize: 3 });
    await store.transaction((t) => void t.postNow(deposit('usr_a', 100)));
    await commitWithoutState(store, (t) => {
      t.postNow(deposit('usr_a', 20));
      t.postNow(deposit('usr_b', 30));
      t.postNow(deposit('usr_b', 40));
      t.audit(event('deposits'));
    });
    const journalFile = store.journalLog.fileOf(1);
    const state = await readState(store);
    expect(state.balances['user:usr_a']).toEqual({ USD: 120 });
    expect(state.balances['user:usr_b']).toEqual({ USD: 70 });
    expect(state.balances['world']).toEqual({ USD: -190 });
    expect(state.meta.journal.seq).toBe(4);
    expect(state.meta.journal.hash).toBe(segment(store, 1).entries[0]?.hash);
    expect(state.meta.journal.bytes).toBe(statSync(journalFile).size);
    expect(state.meta.audit.seq).toBe(1);
    const onDisk = JSON.parse(readFileSync(store.stateFile, 'utf8')) as State;
    expect(onDisk.meta.journal).toEqual(state.meta.journal);
    await store.transaction(async (t) => {
      expect(await t.journal.seqsOfUser('usr_b')).toEqual([3, 4]);
      expect(t.postNow(deposit('usr_a', 1)).seq).toBe(5);
    });
    expect((await readState(store)).balances['user:usr_a']).toEqual({ USD: 121 });
  });

  it('drops a torn tail (entries after the head with no end mark)', async () => {
    const store = new FileStore(root, { now, segmentSize: 3 });
    await store.transaction((t) => void t.postNow(deposit('usr_a', 100)));
    const committed = snapshot(root);
    await commitWithoutState(store, (t) => {
      t.postNow(deposit('usr_a', 20));
      t.postNow(deposit('usr_a', 30));
      t.postNow(deposit('usr_a', 40));
    });
    // Cut the commit short: keep seq 2 and 3 (end: false) and lose seq 4 with its end mark.
    const file = store.journalLog.fileOf(0);
    const torn = segment(store, 0);
    expect(torn.entries.map((e) => [e.seq, e.end])).toEqual([[1, true], [2, false], [3, false]]);
    rmSync(store.journalLog.fileOf(1));
    writeFileSync(file, JSON.stringify(torn));
    const state = await readState(store);
    expect(state.balances['user:usr_a']).toEqual({ USD: 100 });
    expect(state.meta.journal.seq).toBe(1);
    expect(segment(store, 0).entries.map((e) => e.seq)).toEqual([1]);
    expect(readFileSync(file, 'utf8')).toBe(Buffer.from(committed.get('journal/00000000.json') ?? '', 'base64').toString('utf8'));
    const next = await store.transaction((t) => t.postNow(deposit('usr_a', 5)));
    expect(next.seq).toBe(2);
    expect((await readState(store)).balances['user:usr_a']).toEqual({ USD: 105 });
  });

  it('drops a torn tail that spilled into a new segment file', async () => {
    const store = new FileStore(root, { now, segmentSize: 2 });
    await store.transaction((t) => void t.postNow(deposit('usr_a', 100)));
    await commitWithoutState(store, (t) => {
      t.postNow(deposit('usr_a', 20));
      t.postNow(deposit('usr_a', 30));
    });
    const spilled = segment(store, 1);
    spilled.entries = spilled.entries.map((e) => ({ ...e }));
    const last = spilled.entries[0];
    if (!last) throw new Error('expected an entry in segment 1');
    // Rewrite seq 3 as if the commit had more to come: a valid link of the chain, but no end mark.
    const hash = chainHash(last.prevHash, last.seq, false, entryContentText(last.tx));
    spilled.entries[0] = { ...last, end: false, hash };
    writeFileSync(store.journalLog.fileOf(1), JSON.stringify(spilled));
    const state = await readState(store);
    expect(state.balances['user:usr_a']).toEqual({ USD: 100 });
    expect(await store.journalLog.listSegments()).toEqual([0]);
  });

  it('keeps the mails of a redone commit: later mails do not overwrite them', async () => {
    const store = new FileStore(root, { now, segmentSize: 3 });
    await store.transaction((t) => void t.postNow(deposit('usr_a', 100)));
    await commitWithoutState(store, (t) => {
      t.postNow(deposit('usr_a', 20));
      t.audit(event('deposit'));
      t.mail(mail('ada@example.com'), NOW_ISO);
    });
    const next = await store.transaction((t) => t.mail(mail('bob@example.com'), NOW_ISO));
    expect(next.id).toBe('msg_000002');
    await store.transaction(async (t) => {
      expect((await t.outbox.list()).map((m) => [m.id, m.to])).toEqual([
        ['msg_000001', 'ada@example.com'],
        ['msg_000002', 'bob@example.com'],
      ]);
    });
  });

  it('refuses with STORE_CORRUPT a journal entry edited after it was written, and changes nothing', async () => {
    const store = new FileStore(root, { now, segmentSize: 3 });
    await store.transaction((t) => void t.postNow(deposit('usr_a', 100)));
    await commitWithoutState(store, (t) => void t.postNow(deposit('usr_a', 20)));
    const file = store.journalLog.fileOf(0);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"amountMinor":20', '"amountMinor":2000').replace('"amountMinor":-20', '"amountMinor":-2000'));
    const before = snapshot(root);
    const error = await errorOf(readState(store));
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain(file);
    expect(error.message).toContain('entry 2');
    expect(snapshot(root)).toEqual(before);
  });

  it('refuses with STORE_CORRUPT an edited committed entry at the head, and changes nothing', async () => {
    const store = new FileStore(root, { now, segmentSize: 3 });
    await store.transaction((t) => void t.postNow(deposit('usr_a', 100)));
    await store.transaction((t) => void t.postNow(deposit('usr_a', 20)));
    const file = store.journalLog.fileOf(0);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"amountMinor":20', '"amountMinor":2000').replace('"amountMinor":-20', '"amountMinor":-2000'));
    const before = snapshot(root);
    const error = await errorOf(readState(store));
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain(file);
    expect(snapshot(root)).toEqual(before);
  });

  it('refuses with STORE_CORRUPT an edited committed entry before the head in the open segment', async () => {
    const store = new FileStore(root, { now, segmentSize: 3 });
    await store.transaction((t) => void t.postNow(deposit('usr_a', 100)));
    await store.transaction((t) => void t.postNow(deposit('usr_a', 20)));
    const file = store.journalLog.fileOf(0);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"amountMinor":100', '"amountMinor":10000').replace('"amountMinor":-100', '"amountMinor":-10000'));
    const before = snapshot(root);
    const error = await errorOf(readState(store));
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain('entry 1');
    expect(snapshot(root)).toEqual(before);
  });

  it('refuses with STORE_CORRUPT a journal that lost the entry the state says was committed', async () => {
    const store = new FileStore(root, { now, segmentSize: 3 });
    await store.transaction((t) => void t.postNow(deposit('usr_a', 100)));
    await store.transaction((t) => void t.postNow(deposit('usr_a', 20)));
    const file = store.journalLog.fileOf(0);
    const shortened = segment(store, 0);
    writeFileSync(file, JSON.stringify({ ...shortened, entries: shortened.entries.slice(0, 1) }));
    const error = await errorOf(readState(store));
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toContain('entry 2');
  });
});

describe('the store lock', () => {
  it('makes a second taker wait, and gives up with STORE_LOCKED', async () => {
    const held = await acquireStoreLock(root, 5_000, 1_000);
    const error = await errorOf(acquireStoreLock(root, 5_000, 200));
    expect(error.code).toBe('STORE_LOCKED');
    expect(error.message).toContain(root);
    await held.release();
    const next = await acquireStoreLock(root, 5_000, 200);
    await next.release();
  });

  it('takes over a lock left behind by a killed process once it is stale', async () => {
    const lockDirectory = path.join(root, 'okpay.lock');
    mkdirSync(lockDirectory);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockDirectory, old, old);
    const store = new FileStore(root, { now, lockStaleMs: 2_000 });
    await store.transaction((t) => void t.postNow(deposit('usr_a', 100)));
    expect((await readState(store)).balances['user:usr_a']).toEqual({ USD: 100 });
  });

  it('serialises transactions of several store objects on one directory', async () => {
    const stores = Array.from({ length: 4 }, () => new FileStore(root, { now }));
    await Promise.all(
      stores.flatMap((store) =>
        Array.from({ length: 5 }, () =>
          store.transaction(async (t) => {
            const seen = t.state.meta.ticketSeq;
            await new Promise((resolve) => setTimeout(resolve, 1));
            t.state.meta = { ...t.state.meta, ticketSeq: seen + 1 };
          }),
        ),
      ),
    );
    expect((await readState(stores[0] as FileStore)).meta.ticketSeq).toBe(20);
  });
});

describe('MemoryStore', () => {
  it('commits posts, audit events, mails and state changes', async () => {
    const store = new MemoryStore(NOW_ISO);
    await store.transaction((t) => {
      t.postNow(deposit('usr_a', 100));
      t.audit(event('e'));
      t.mail(mail('ada@example.com'), NOW_ISO);
      t.state.meta = { ...t.state.meta, ticketSeq: 3 };
    });
    expect(store.state.balances['user:usr_a']).toEqual({ USD: 100 });
    expect(store.state.meta.journal.seq).toBe(1);
    expect(store.state.meta.audit.seq).toBe(1);
    expect(store.state.meta.ticketSeq).toBe(3);
    expect(store.journalEntries).toHaveLength(1);
    expect(store.auditEntries).toHaveLength(1);
    expect(store.mails.map((m) => m.id)).toEqual(['msg_000001']);
  });

  it('keeps nothing of a transaction that throws', async () => {
    const store = new MemoryStore(NOW_ISO);
    await store.transaction((t) => void t.postNow(deposit('usr_a', 100)));
    const before = structuredClone(store.state);
    await expect(
      store.transaction((t) => {
        t.postNow(deposit('usr_a', 50));
        t.audit(event('e'));
        t.mail(mail('ada@example.com'), NOW_ISO);
        t.state.meta = { ...t.state.meta, ticketSeq: 9 };
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(store.state).toEqual(before);
    expect(store.journalEntries).toHaveLength(1);
    expect(store.auditEntries).toHaveLength(0);
    expect(store.mails).toHaveLength(0);
    const next = await store.transaction((t) => t.postNow(deposit('usr_a', 1)));
    expect(next.seq).toBe(2);
  });

  it('runs concurrent transactions one at a time, so no update is lost', async () => {
    const store = new MemoryStore(NOW_ISO);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.transaction(async (t) => {
          const seen = t.state.meta.ticketSeq;
          await new Promise((resolve) => setImmediate(resolve));
          t.state.meta = { ...t.state.meta, ticketSeq: seen + 1 };
          if (i % 5 === 0) throw new Error('fails');
        }).catch(() => undefined),
      ),
    );
    expect(store.state.meta.ticketSeq).toBe(16);
  });
});
