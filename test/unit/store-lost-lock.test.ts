// A split store's writer that lost its lock (stalled past the stale time: another command may
// have taken the store and committed since) writes nothing more into the store's files: not even
// the journal segments a flush would write past its old head, which may be another writer's now.
// The lock is the real one: its "compromised" flag set by hand, or the lock really taken over by
// another holder while the transaction works (seen at the fence before the commit point).

import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { regionById } from '../../src/domain/support-regions.js';
import type { NewTransaction } from '../../src/domain/ledger.js';
import { summarizeTicket } from '../../src/domain/ticket-summary.js';
import { acquireStoreLock, type HeldLock } from '../../src/store/lock.js';
import { calendars, support } from '../support/desk-data.js';

const held: HeldLock[] = [];
vi.mock(import('../../src/store/lock.js'), async (original) => {
  const lock = await original();
  return {
    ...lock,
    acquireStoreLock: async (...args: Parameters<typeof lock.acquireStoreLock>) => {
      const taken = await lock.acquireStoreLock(...args);
      held.push(taken);
      return taken;
    },
  };
});

// The store and its errors are imported afresh, after the mock above: the test files of a worker
// share its modules (vitest's isolate: false), and a store module another file loaded first would
// hold the real lock module.
let SplitFileStore: typeof import('../../src/store/split-file-store.js').SplitFileStore;
let AppError: typeof import('../../src/domain/errors.js').AppError;
beforeAll(async () => {
  vi.resetModules();
  ({ SplitFileStore } = await import('../../src/store/split-file-store.js'));
  ({ AppError } = await import('../../src/domain/errors.js'));
});

const NOW_ISO = '2026-11-23T10:00:00.000Z';
let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'okpay-lost-lock-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function deposit(amountMinor: number): NewTransaction {
  return {
    type: 'deposit',
    at: NOW_ISO,
    memo: null,
    links: [],
    parties: ['usr_a'],
    postings: [
      { account: 'user:usr_a', currency: 'USD', amountMinor },
      { account: 'world', currency: 'USD', amountMinor: -amountMinor },
    ],
    details: { initiator: 'usr_a' },
  };
}

function journalFiles(): Record<string, string> {
  const directory = path.join(root, 'journal');
  return Object.fromEntries(readdirSync(directory).map((name) => [name, readFileSync(path.join(directory, name), 'utf8')]));
}

describe('a writer that lost the lock', () => {
  it('flushes nothing: the journal segments stay as the last commit left them, and the command fails with STORE_LOCKED', async () => {
    const store = new SplitFileStore(root, {
      now: () => new Date(NOW_ISO),
      segmentSize: 3,
      summarizeTicket: (ticket) => summarizeTicket(ticket, support, regionById(calendars, ticket.regionId)),
    });
    await store.transaction(async (t) => void (await t.post(deposit(1))));
    const before = journalFiles();
    const failed = await store
      .transaction(async (t) => {
        for (let i = 2; i <= 7; i += 1) await t.post(deposit(i));
        const lock = held.at(-1);
        if (!lock) throw new Error('no lock was taken');
        lock.compromised = new Error('Unable to update lock within the stale threshold');
        await t.flush();
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(failed).toBeInstanceOf(AppError);
    expect((failed as InstanceType<typeof AppError>).code).toBe('STORE_LOCKED');
    expect((failed as InstanceType<typeof AppError>).message).toContain('lost the lock');
    expect(journalFiles()).toEqual(before);
    await store.read(async (t) => expect(t.journal.head().seq).toBe(1));
  });

  it('finds at its fence that another process took the lock over, and writes nothing into the store', async () => {
    const store = new SplitFileStore(root, {
      now: () => new Date(NOW_ISO),
      summarizeTicket: (ticket) => summarizeTicket(ticket, support, regionById(calendars, ticket.regionId)),
    });
    await store.transaction(async (t) => void (await t.post(deposit(1))));
    const before = journalFiles();
    const others: HeldLock[] = [];
    const failed = await store
      .transaction(async (t) => {
        await t.post(deposit(2));
        // Meanwhile another process takes the store over, as one would that found this holder dead.
        renameSync(path.join(root, 'okpay.lock'), path.join(root, 'okpay.lock.dead-taken'));
        others.push(await acquireStoreLock(root, { waitMs: 1_000 }));
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect((failed as InstanceType<typeof AppError>).code).toBe('STORE_LOCKED');
    expect((failed as InstanceType<typeof AppError>).message).toContain('lost the lock');
    expect(journalFiles()).toEqual(before);
    expect(others.map((other) => other.confirm())).toEqual([null]);
    for (const other of others) await other.release();
    await store.read(async (t) => expect(t.journal.head().seq).toBe(1));
  });
});
