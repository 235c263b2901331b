// The split file store on disk: the upgrade from a schema-2 store made by the previous release
// (test/fixtures/schema2-store), kill -9 at fixed-seed points of the upgrade and of multi-file
// commits, the tampering matrix (every kind of file, four kinds of damage), and a disk that runs
// out of inodes in the middle of a commit. The killed processes run the compiled store (dist/,
// which `npm test` builds first).

import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../../src/app/authenticate.js';
import { AppError } from '../../src/domain/errors.js';
import { holdAccount, userAccount } from '../../src/domain/ledger.js';
import { mailIdForSeq } from '../../src/store/record-transaction.js';
import { seal, unseal } from '../../src/store/sealed-file.js';
import { SplitFileStore } from '../../src/store/split-file-store.js';
import { bucketOf, bucketPath, manifestPath, SPLIT_SCHEMA_VERSION } from '../../src/store/split-layout.js';
import type { RecordsTransaction } from '../../src/store/store.js';
import { verifyStore } from '../../src/cli/store-verify.js';
import { regionById } from '../../src/domain/support-regions.js';
import { summarizeTicket, type TicketSummary } from '../../src/domain/ticket-summary.js';
import type { Ticket } from '../../src/domain/ticket-record.js';
import { queueGroupKey, queueShapeKey } from '../../src/domain/queue-group-facts.js';
import { DIRECTORY_KEY } from '../../src/store/record-kinds.js';
import { calendars, support } from '../support/desk-data.js';
import { runBin } from '../support/okpay.js';
import { applyReadOnly, probeTechnique } from '../support/read-only.js';
import { asSchema9, storeRoot } from '../support/store-files.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/schema2-store', import.meta.url));
const CHILD = fileURLToPath(new URL('../support/split-store-child.mjs', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/okpay.js', import.meta.url));
const tokens = JSON.parse(readFileSync(path.join(FIXTURE, 'tokens.json'), 'utf8')) as { bob: string; quote: string; ticket: number; now: string };
const NOW = new Date(Date.parse(tokens.now) + 10 * 60_000);
const BOB = 'usr_4vk2d7kbsgkg';
const STRANGER_PHONE = '+447700900999';

const homes: string[] = [];
afterAll(() => homes.forEach((home) => rmSync(home, { recursive: true, force: true })));

function tempHome(parent = os.tmpdir()): string {
  const home = mkdtempSync(path.join(parent, 'okpay-split-'));
  homes.push(home);
  return home;
}

/** A copy of a data directory with the modes okpay gives its files (git keeps only 644/755). */
function copyStore(from: string, parent?: string): string {
  const home = tempHome(parent);
  cpSync(from, home, { recursive: true });
  const tighten = (dir: string): void => {
    chmodSync(dir, 0o700);
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) tighten(file);
      else chmodSync(file, 0o600);
    }
  };
  tighten(home);
  return home;
}

const summarize = (ticket: Ticket): TicketSummary => summarizeTicket(ticket, support, regionById(calendars, ticket.regionId));
const open = (home: string): SplitFileStore => new SplitFileStore(home, { now: () => NOW, summarizeTicket: summarize });

/** Every file under a directory with its bytes, to show that something changed nothing. */
function bytesOf(home: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else found.set(path.relative(home, file), readFileSync(file, 'base64'));
    }
  };
  walk(home);
  return found;
}

async function problemsOf(store: SplitFileStore): Promise<string[]> {
  try {
    return (await store.verify()).problems;
  } catch (error) {
    if (error instanceof AppError && error.code === 'STORE_CORRUPT') return [error.message];
    throw error;
  }
}

/** What `okpay verify` (the command, as a user runs it) reports of a store: its exit code and problems. */
function verifyCommand(home: string): Promise<{ code: number | null; problems: string[] }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, '--data-dir', home, 'verify', '--json'], { env: { PATH: process.env['PATH'] } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      let problems: string[] = [];
      try {
        problems = (JSON.parse(stdout) as { problems: string[] }).problems;
      } catch {
        problems = stderr.trim() === '' ? [] : [stderr.trim()];
      }
      resolve({ code, problems });
    });
  });
}

function runChild(home: string, args: string[], crashAt = 0): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CHILD, ...args],
      { env: { PATH: process.env['PATH'], OKPAY_HOME: home, OKPAY_NOW: NOW.toISOString(), CRASH_AT: String(crashAt) } },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, signal: error?.signal ?? null, stdout, stderr });
      },
    );
  });
}

const stepsOf = (stdout: string): number => Number(/steps (\d+)/.exec(stdout)?.[1] ?? NaN);

/** Points spread over [1, total] by a fixed-seed generator, plus the last few (around the commit point). */
function crashPoints(total: number, count: number, seed: number): number[] {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const points = new Set<number>([1, total - 2, total - 1, total]);
  while (points.size < Math.min(count, total)) points.add(1 + Math.floor(next() * total));
  return [...points].filter((p) => p >= 1 && p <= total).sort((a, b) => a - b);
}

interface Seen {
  bobUsd: number;
  strangerWaiting: number;
  ticketMessages: number;
  mailSeq: number;
  auditSeq: number;
  journalSeq: number;
}

const look = (t: RecordsTransaction): Promise<Seen> =>
  (async () => ({
    bobUsd: await t.balances.get(userAccount(BOB), 'USD'),
    strangerWaiting: (await t.unclaimed.forRecipient({ phone: STRANGER_PHONE })).length,
    ticketMessages: (await t.tickets.get(tokens.ticket))?.messages.length ?? -1,
    mailSeq: t.meta.get().mailSeq,
    auditSeq: t.auditLog.head().seq,
    journalSeq: t.journal.head().seq,
  }))();

let upgraded: string;
let shapeOfTicket: string;

beforeAll(async () => {
  upgraded = copyStore(path.join(FIXTURE, 'data'));
  // Only a writer upgrades it: one that changes nothing else.
  await open(upgraded).transaction(() => undefined);
  shapeOfTicket = await ticketShape(upgraded);
});

describe('the upgrade of a schema-2 store', () => {
  it('brings every record through: balances, history, tickets, sessions, quotes, idempotency keys, unclaimed money, payouts', async () => {
    const store = open(upgraded);
    expect(existsSync(path.join(upgraded, 'store.json'))).toBe(true);
    expect(existsSync(path.join(upgraded, 'state.json'))).toBe(false);
    expect(existsSync(path.join(upgraded, 'index'))).toBe(false);
    await store.read(async (t) => {
      const actor = await authenticate(t, NOW.getTime(), tokens.bob);
      expect(actor.user.email).toBe('bob@example.com');
      expect(await t.balances.ofAccount(userAccount(BOB))).toEqual({ EUR: 30_000, USD: 182_309 });
      expect(await t.balances.get(holdAccount(BOB), 'USD')).toBe(30_075);
      const seqs = await t.journal.seqsOfUser(BOB);
      expect(seqs).toEqual(expect.arrayContaining([18, 19]));
      expect((await t.journal.get(19))?.tx).toMatchObject({ type: 'transfer.unclaimed', memo: 'for a stranger' });
      const ticket = await t.tickets.get(tokens.ticket);
      expect(ticket?.messages.map((m) => m.body)).toEqual(['first message', 'second message from the customer', 'an answer from support']);
      expect((await t.tickets.withStatus(['open'])).map((s) => s.number)).toContain(tokens.ticket);
      expect((await t.tickets.ofCustomer(BOB, null, { limit: 10, offset: 0 })).items.map((s) => s.number)).toContain(tokens.ticket);
      expect((await t.quotes.get(tokens.quote))?.usedBy).toBeNull();
      expect((await t.idempotency.get(BOB, 'fixture-key-1'))?.txId).toBe('txn_0000000018');
      expect((await t.unclaimed.forRecipient({ email: 'nobody.yet@example.org' })).map((u) => u.amountMinor)).toEqual([2_000]);
      expect((await t.unclaimed.forRecipient({ phone: '+447700900123' })).map((u) => u.amountMinor)).toEqual([10_000]);
      expect((await t.withdrawals.dueBy('9999-12-31T23:59:59.999Z', 10)).map((w) => w.status).sort()).toEqual(['processing', 'requested', 'requested']);
      expect(await t.users.count()).toBe(11);
      expect((await t.users.staff()).map((u) => u.email).sort()).toEqual([
        'amy@support.okpay.example',
        'klaus@support.okpay.example',
        'mei@support.okpay.example',
        'ops@okpay.example',
        'pierre@support.okpay.example',
      ]);
    });
    expect(await problemsOf(store)).toEqual([]);
  });

  it('refuses a store written by a newer okpay, touching nothing', async () => {
    const home = copyStore(upgraded);
    const root = readFileSync(path.join(home, 'store.json'), 'utf8');
    const body = JSON.parse(root.slice(root.indexOf('"body":') + 7, -1)) as Record<string, unknown>;
    const text = JSON.stringify({ ...body, schemaVersion: SPLIT_SCHEMA_VERSION + 1 });
    const { createHash } = await import('node:crypto');
    writeFileSync(path.join(home, 'store.json'), `{"digest":"${createHash('sha256').update(text).digest('hex')}","body":${text}}`);
    const before = bytesOf(home);
    await expect(open(home).transaction((t) => t.users.count())).rejects.toMatchObject({ code: 'STORE_TOO_NEW' });
    expect(bytesOf(home)).toEqual(before);
  });

  it('leaves the old store or the new one when killed at fixed-seed points of the upgrade', async () => {
    const probe = copyStore(path.join(FIXTURE, 'data'));
    const total = stepsOf((await runChild(probe, ['upgrade'])).stdout);
    expect(total).toBeGreaterThan(20);
    for (const point of crashPoints(total, 7, 20261123)) {
      const home = copyStore(path.join(FIXTURE, 'data'));
      const killed = await runChild(home, ['upgrade'], point);
      expect(killed.signal, `step ${point}: not killed (exit ${killed.code}; ${killed.stdout.trim()}; ${killed.stderr.trim()})`).toBe('SIGKILL');
      const isNew = existsSync(path.join(home, 'store.json'));
      if (!isNew)
        expect(readFileSync(path.join(home, 'state.json'), 'utf8'), `step ${point}`).toBe(readFileSync(path.join(FIXTURE, 'data', 'state.json'), 'utf8'));
      const store = open(home);
      expect(await store.read((t) => t.balances.ofAccount(userAccount(BOB))), `step ${point}`).toEqual({ EUR: 30_000, USD: 182_309 });
      expect(await problemsOf(store), `step ${point}`).toEqual([]);
      if (isNew) continue;
      // An old store found after the kill is left as it is by the read and verify above; the next writer upgrades it.
      expect(readFileSync(path.join(home, 'state.json'), 'utf8'), `step ${point}`).toBe(readFileSync(path.join(FIXTURE, 'data', 'state.json'), 'utf8'));
      await store.transaction(() => undefined);
      expect(existsSync(path.join(home, 'state.json')), `step ${point}`).toBe(false);
      expect(await store.read((t) => t.balances.ofAccount(userAccount(BOB))), `step ${point}`).toEqual({ EUR: 30_000, USD: 182_309 });
      expect(await problemsOf(store), `step ${point}`).toEqual([]);
    }
  });
});

describe('a commit that writes many files, killed at any point', () => {
  it('is there whole or not at all, and every acknowledged one stays', async () => {
    const probe = copyStore(upgraded);
    const first = await runChild(probe, ['pay', BOB, STRANGER_PHONE, '100', String(tokens.ticket)]);
    const total = stepsOf(first.stdout);
    expect(total).toBeGreaterThan(10);
    const before = await open(upgraded).read(look);
    for (const point of crashPoints(total, 8, 7)) {
      const home = copyStore(upgraded);
      const killed = await runChild(home, ['pay', BOB, STRANGER_PHONE, '100', String(tokens.ticket)], point);
      expect(killed.signal, `step ${point}: not killed (exit ${killed.code}; ${killed.stdout.trim()}; ${killed.stderr.trim()})`).toBe('SIGKILL');
      const store = open(home);
      const seen = await store.read(look);
      const applied = {
        bobUsd: before.bobUsd - 100,
        strangerWaiting: 1,
        ticketMessages: before.ticketMessages + 1,
        mailSeq: before.mailSeq + 1,
        auditSeq: before.auditSeq + 1,
        journalSeq: before.journalSeq + 1,
      };
      expect([before, applied], `step ${point}: ${JSON.stringify(seen)}`).toContainEqual(seen);
      expect(await problemsOf(store), `step ${point}`).toEqual([]);
      // The next writer settles what the killed one left; an acknowledged commit then stays.
      const acknowledged = await runChild(home, ['pay', BOB, STRANGER_PHONE, '50', String(tokens.ticket)]);
      expect(acknowledged.code, `step ${point}`).toBe(0);
      const after = await store.read(look);
      expect(after.bobUsd, `step ${point}`).toBe(seen.bobUsd - 50);
      expect(after.strangerWaiting, `step ${point}`).toBe(seen.strangerWaiting + 1);
      expect(await problemsOf(store), `step ${point}`).toEqual([]);
    }
  });
});

describe('the refiling of a schema-9 store’s queue by shape, killed at any point', () => {
  it('leaves the schema-9 store or the refiled one, never a mix; verify is clean either way and the next writer finishes it', async () => {
    const old = copyStore(upgraded);
    asSchema9(old);
    const pay = (amount: string) => ['pay', BOB, STRANGER_PHONE, amount, String(tokens.ticket)];
    const probe = copyStore(old);
    const total = stepsOf((await runChild(probe, pay('100'))).stdout);
    expect(storeRoot(probe).schemaVersion).toBe(SPLIT_SCHEMA_VERSION);
    const versions = new Set<number>();
    for (const point of crashPoints(total, 8, 11)) {
      const home = copyStore(old);
      const killed = await runChild(home, pay('100'), point);
      expect(killed.signal, `step ${point}: not killed (exit ${killed.code}; ${killed.stdout.trim()}; ${killed.stderr.trim()})`).toBe('SIGKILL');
      versions.add(storeRoot(home).schemaVersion);
      expect(await problemsOf(open(home)), `step ${point}`).toEqual([]);
      const acknowledged = await runChild(home, pay('50'));
      expect(acknowledged.code, `step ${point}`).toBe(0);
      expect(storeRoot(home).schemaVersion, `step ${point}`).toBe(SPLIT_SCHEMA_VERSION);
      expect(await problemsOf(open(home)), `step ${point}`).toEqual([]);
    }
    // Killed before the refiling's commit point and after it.
    expect([...versions].sort((a, b) => a - b)).toEqual([9, SPLIT_SCHEMA_VERSION]);
  });
});

describe('a bulk commit (a thousand files, flushed 16 at a time), killed at any point', () => {
  const PEOPLE = 900;
  const bulkBalances = async (t: RecordsTransaction) => {
    let paid = 0;
    for (let i = 0; i < PEOPLE; i += 1) paid += await t.balances.get(`user:bulk_${i}`, 'USD');
    return { paid, journalSeq: t.journal.head().seq, auditSeq: t.auditLog.head().seq };
  };

  it('is there whole or not at all', async () => {
    const probe = copyStore(upgraded);
    const first = await runChild(probe, ['bulk', BOB, String(PEOPLE)]);
    expect(first.code).toBe(0);
    // Every bulk account's balance bucket, its manifest, the root: hundreds of files in one commit.
    expect(new Set(Array.from({ length: PEOPLE }, (_, i) => bucketOf('balances', `user:bulk_${i}`))).size).toBeGreaterThan(512);
    const total = stepsOf(first.stdout);
    const before = await open(upgraded).read(bulkBalances);
    const whole = await open(probe).read(bulkBalances);
    expect(whole).toEqual({ paid: PEOPLE, journalSeq: before.journalSeq + PEOPLE, auditSeq: before.auditSeq + 1 });
    expect(await problemsOf(open(probe))).toEqual([]);
    for (const point of crashPoints(total, 6, 11)) {
      const home = copyStore(upgraded);
      const killed = await runChild(home, ['bulk', BOB, String(PEOPLE)], point);
      expect(killed.signal, `step ${point}: not killed (exit ${killed.code}; ${killed.stdout.trim()}; ${killed.stderr.trim()})`).toBe('SIGKILL');
      const seen = await open(home).read(bulkBalances);
      expect([before, whole], `step ${point}: ${JSON.stringify(seen)}`).toContainEqual(seen);
      expect(await problemsOf(open(home)), `step ${point}`).toEqual([]);
    }
  });
});

type Damage = 'same-size edit' | 'different-size edit' | 'deletion' | 'swap of two entries';

interface Target {
  readonly name: string;
  readonly file: (home: string) => string;
  readonly swap: (text: string) => string;
  /** A write that builds on the file besides the payment on the ticket (by default a deposit to Bob). */
  readonly write?: (t: RecordsTransaction) => Promise<void>;
}

/** A deposit to Bob, audited: a write that builds on his balance, his journal index, the root and both logs. */
async function depositToBob(t: RecordsTransaction): Promise<void> {
  await t.post({
    type: 'deposit',
    at: NOW.toISOString(),
    memo: null,
    links: [],
    parties: [BOB],
    postings: [
      { account: 'world', currency: 'USD', amountMinor: -1 },
      { account: userAccount(BOB), currency: 'USD', amountMinor: 1 },
    ],
    details: { initiator: BOB },
  });
  t.audit({ at: NOW.toISOString(), type: 'test.deposit', actor: BOB, subject: BOB, details: {} });
}

/** A note on the open ticket: a write that moves it in the queue, so builds on its shape's record and the queue's directory. */
async function noteOnTicket(t: RecordsTransaction): Promise<void> {
  const ticket = await t.tickets.get(tokens.ticket);
  if (!ticket) throw new Error(`no ticket ${tokens.ticket}`);
  const changed: Ticket = { ...ticket, priority: ticket.priority === 'urgent' ? 'low' : 'urgent', updatedAt: NOW.toISOString() };
  t.tickets.put(changed, summarize(changed));
}

/** The open ticket's shape in the queue (its group's key without the day). */
async function ticketShape(home: string): Promise<string> {
  const ticket = await open(home).read((t) => t.tickets.get(tokens.ticket));
  if (!ticket) throw new Error(`no ticket ${tokens.ticket}`);
  return queueShapeKey(queueGroupKey(summarize(ticket)));
}

function swapFirst(text: string, a: RegExp, b: RegExp): string {
  const first = a.exec(text);
  const second = b.exec(text.slice((first?.index ?? 0) + (first?.[0].length ?? 0)));
  if (!first || !second) throw new Error(`nothing to swap in ${text.slice(0, 80)}`);
  const secondAt = first.index + first[0].length + second.index;
  return text.slice(0, first.index) + second[0] + text.slice(first.index + first[0].length, secondAt) + first[0] + text.slice(secondAt + second[0].length);
}

/** Bob's EUR and USD balances trade places: a forged balance that keeps every byte count. */
function swapAmounts(text: string, a: string, b: string): string {
  const amountOf = (currency: string) => new RegExp(`"${currency}":(\\d+)`).exec(text)?.[1] ?? '';
  const [first, second] = [amountOf(a), amountOf(b)];
  if (!first || !second) throw new Error(`no ${a} and ${b} amounts to swap`);
  return text.replace(`"${a}":${first}`, `"${a}":${second}`).replace(`"${b}":${second}`, `"${b}":${first}`);
}

const TARGETS: Target[] = [
  {
    name: 'the root',
    file: (home) => path.join(home, 'store.json'),
    swap: (text) =>
      swapFirst(text, /"mailSeq":\d+/, /"ticketSeq":\d+/)
        .replace('"ticketSeq"', '"__t"')
        .replace('"mailSeq"', '"ticketSeq"')
        .replace('"__t"', '"mailSeq"'),
  },
  {
    name: 'a balance bucket',
    file: (home) => path.join(home, bucketPath('balances', bucketOf('balances', userAccount(BOB)))),
    swap: (text) => swapAmounts(text, 'EUR', 'USD'),
  },
  { name: 'a manifest', file: (home) => path.join(home, manifestPath('balances')), swap: (text) => swapFirst(text, /"[0-9a-f]{3}"/, /"[0-9a-f]{3}"/) },
  {
    name: 'an index bucket',
    file: (home) => path.join(home, bucketPath('journal-of-user', bucketOf('journal-of-user', BOB))),
    swap: (text) => swapFirst(text, /\b1\b/, /\b18\b/),
  },
  {
    name: 'a queue shape record',
    file: (home) => path.join(home, bucketPath('queue-days', bucketOf('queue-days', shapeOfTicket))),
    swap: (text) => swapAmounts(text, 'count', 'leastElapsedMinutes'),
    write: noteOnTicket,
  },
  {
    name: 'the queue directory',
    file: (home) => path.join(home, bucketPath('queue-directory', bucketOf('queue-directory', DIRECTORY_KEY))),
    swap: (text) => swapAmounts(text, 'count', 'leastElapsedMinutes'),
    write: noteOnTicket,
  },
  {
    name: 'a journal segment',
    file: (home) => path.join(home, 'journal', '00000000.json'),
    swap: (text) => swapFirst(text, /"amountMinor":-?\d+/, /"amountMinor":-?\d+/),
  },
  {
    name: 'an audit segment',
    file: (home) => path.join(home, 'audit', '00000000.json'),
    swap: (text) => swapFirst(text, /"type":"[a-z.-]+"/, /"type":"[a-z.-]+"/),
  },
];

function damaged(text: string, damage: Damage, target: Target): string | null {
  switch (damage) {
    case 'deletion':
      return null;
    case 'same-size edit': {
      // The last digit that can go up by one without a carry.
      let at = text.length - 1;
      while (at >= 0 && !/[0-8]/.test(text[at] ?? '')) at -= 1;
      return text.slice(0, at) + String(Number(text[at]) + 1) + text.slice(at + 1);
    }
    case 'different-size edit': {
      const at = text.search(/[0-9](?=[^0-9]*$)/);
      return `${text.slice(0, at + 1)}7${text.slice(at + 1)}`;
    }
    case 'swap of two entries':
      return target.swap(text);
  }
}

describe('a store file deleted', () => {
  /** One file of each folder (the first by name; in records/, of each kind): every one of them is part of the store. */
  const oneOfEach = (home: string): string[] => {
    const found = new Map<string, string>();
    for (const file of bytesOf(home).keys()) {
      const folder = path.dirname(file);
      if (folder === '.' || path.basename(file) === 'buckets.json') continue;
      if (!found.has(folder)) found.set(folder, file);
    }
    return [...found.values()];
  };

  it('is reported by verify, whichever folder it was in (records of every kind, indexes, queue, journal, audit, outbox)', async () => {
    const files = oneOfEach(upgraded);
    expect(files.length).toBeGreaterThan(20);
    const missed: string[] = [];
    for (const file of files) {
      const home = copyStore(upgraded);
      rmSync(path.join(home, file));
      const before = bytesOf(home);
      const report = await verifyStore(open(home)).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'STORE_CORRUPT') return { ok: false };
        throw error;
      });
      if (report.ok) missed.push(file);
      expect(bytesOf(home)).toEqual(before);
      rmSync(home, { recursive: true, force: true });
    }
    expect(missed, 'verify said nothing of these deleted files').toEqual([]);
  });

  it('is reported by the okpay verify command with exit 10 (a mail deleted from the outbox)', async () => {
    const home = copyStore(upgraded);
    const mail = oneOfEach(home).find((file) => /^(outbox|mails)\//.test(file));
    expect(mail).toBeDefined();
    rmSync(path.join(home, mail!));
    const before = bytesOf(home);
    const command = await verifyCommand(home);
    expect(command.code).toBe(10);
    expect(command.problems.join('\n')).toContain(path.basename(mail!));
    expect(bytesOf(home)).toEqual(before);
  });
});

describe('a record edited by hand and sealed again (its digest right, its content wrong)', () => {
  /** Changes the records of one bucket and seals the file again, as someone who knows the format would. */
  const reseal = (file: string, change: (records: Record<string, unknown>) => void): void => {
    const body = unseal<{ records: Record<string, unknown> }>(readFileSync(file, 'utf8'), file);
    change(body.records);
    writeFileSync(file, seal(body));
  };

  it('a field of the wrong type is reported by okpay verify as damage naming the record (exit 10), not a crash, and nothing is written', async () => {
    const home = copyStore(upgraded);
    const file = path.join(home, bucketPath('unclaimed', bucketOf('unclaimed', 'txn_0000000013')));
    reseal(file, (records) => {
      records['txn_0000000013'] = { ...(records['txn_0000000013'] as object), expiresAt: 20261207 };
    });
    const before = bytesOf(home);
    const command = await verifyCommand(home);
    expect(command.code).toBe(10);
    expect(command.problems).toContainEqual(expect.stringMatching(/unclaimed record txn_0000000013 is damaged: .*expiresAt/));
    expect(command.problems.join('\n')).not.toMatch(/TypeError|is not a function/);
    expect(await problemsOf(open(home))).toContainEqual(expect.stringMatching(/unclaimed record txn_0000000013 is damaged/));
    expect(bytesOf(home)).toEqual(before);
  });

  it('a record copied into a second bucket is reported there once, and not counted twice', async () => {
    const home = copyStore(upgraded);
    const own = bucketOf('users', BOB);
    const manifest = unseal<{ buckets: string[] }>(readFileSync(path.join(home, manifestPath('users')), 'utf8'), 'users manifest');
    const other = manifest.buckets.find((bucket) => bucket !== own)!;
    const bob = unseal<{ records: Record<string, unknown> }>(readFileSync(path.join(home, bucketPath('users', own)), 'utf8'), 'users bucket').records[BOB];
    reseal(path.join(home, bucketPath('users', other)), (records) => {
      records[BOB] = bob;
    });
    const problems = await problemsOf(open(home));
    expect(problems).toContainEqual(expect.stringContaining(`users record ${BOB} belongs in bucket ${own}`));
    expect(problems.filter((problem) => /counts \d+ users but holds/.test(problem))).toEqual([]);
    const command = await verifyCommand(home);
    expect(command.code).toBe(10);
    expect(command.problems.filter((problem) => /counts \d+ users but holds/.test(problem))).toEqual([]);
  });
});

describe('verify while another command commits', () => {
  it('reports no damage: it checks the version it read, or reads again, as a store that a transfer changed under it is not damaged', async () => {
    const home = copyStore(upgraded);
    const store = open(home);
    let commits = 0;
    // The real binary commits a deposit after verify has read the journal and records of its version, just before it checks every file.
    const busy: Pick<SplitFileStore, 'read'> = {
      read: (work) =>
        store.read((t) => {
          const checkFiles = t.checkFiles;
          if (checkFiles)
            t.checkFiles = async (journal) => {
              if (commits === 0) {
                commits += 1;
                const run = await runBin(['deposit', '--amount', '5', '--currency', 'USD'], {
                  env: { OKPAY_HOME: home, OKPAY_NOW: NOW.toISOString(), OKPAY_SESSION: tokens.bob, OKPAY_BCRYPT_COST: '4' },
                });
                expect(run.code, run.stderr).toBe(0);
              }
              return checkFiles(journal);
            };
          return work(t);
        }),
    };
    const report = await verifyStore(busy as SplitFileStore);
    expect(commits).toBe(1);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect((await verifyCommand(home)).code).toBe(0);
  });
});

const DAMAGES: Damage[] = ['same-size edit', 'different-size edit', 'deletion', 'swap of two entries'];

/** A copy of the upgraded store with one damage done to the target's file, and every file's bytes after it. */
function damagedCopy(target: Target, damage: Damage): { home: string; file: string; before: Map<string, string> } {
  const home = copyStore(upgraded);
  const file = target.file(home);
  const text = readFileSync(file, 'utf8');
  const changed = damaged(text, damage, target);
  if (changed === null) rmSync(file);
  else {
    expect(changed).not.toBe(text);
    if (damage === 'same-size edit') expect(Buffer.byteLength(changed)).toBe(Buffer.byteLength(text));
    writeFileSync(file, changed);
  }
  return { home, file, before: bytesOf(home) };
}

describe('a damaged store file', () => {
  const cases = TARGETS.flatMap((target) => DAMAGES.map((damage) => [target.name, damage, target] as const));
  it.each(cases)('%s, %s: refused by the next write, reported by verify, and verify changes no byte', async (_name, damage, target) => {
    const { home, file, before } = damagedCopy(target, damage);
    const problems = await problemsOf(open(home));
    expect(problems.length, `verify found nothing wrong with ${file}`).toBeGreaterThan(0);
    expect(bytesOf(home)).toEqual(before);
    const command = await verifyCommand(home);
    expect(command.code, `okpay verify found nothing wrong with ${file}`).toBe(10);
    expect(command.problems.length).toBeGreaterThan(0);
    expect(bytesOf(home)).toEqual(before);
    const refused = await runChild(home, ['pay', BOB, STRANGER_PHONE, '100', String(tokens.ticket)]);
    expect(refused.code).not.toBe(0);
    expect(bytesOf(home)).toEqual(before);
    await expect(open(home).transaction(target.write ?? depositToBob)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    expect(bytesOf(home)).toEqual(before);
  });
});

describe('a damaged segment of mails or idempotency bucket', () => {
  const mailTo = (t: RecordsTransaction) =>
    t.mail(
      { to: 'bob@example.com', userId: BOB, kind: 'test', language: 'en', subject: 'Hello', text: 'A test mail.', antiPhishingPhrase: null },
      NOW.toISOString(),
    );
  const targets: (Target & { readonly writer: (t: RecordsTransaction) => Promise<unknown> })[] = [
    {
      name: 'a segment of mails',
      file: (home) => path.join(home, 'mails', '00000000.json'),
      swap: (text) => swapFirst(text, /msg_000001@/, /msg_000002@/),
      writer: async (t) => mailTo(t),
    },
    {
      name: 'an idempotency bucket',
      file: (home) => path.join(home, bucketPath('idempotency', bucketOf('idempotency', `${BOB}:fixture-key-1`))),
      swap: (text) => swapFirst(text, /"txId":"[^"]+"/, /"expiresAt":"[^"]+"/),
      writer: (t) => t.idempotency.get(BOB, 'fixture-key-1'),
    },
  ];
  const cases = targets.flatMap((target) => DAMAGES.map((damage) => [target.name, damage, target] as const));
  it.each(cases)('%s, %s: reported by verify, which changes no byte, and refused by the next write that reads it', async (_name, damage, target) => {
    const { home, file, before } = damagedCopy(target, damage);
    expect((await problemsOf(open(home))).length, `verify found nothing wrong with ${file}`).toBeGreaterThan(0);
    expect(bytesOf(home)).toEqual(before);
    await expect(open(home).transaction(target.writer)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    expect(bytesOf(home)).toEqual(before);
  });
});

/**
 * Stores of the layout before schema 11, each as the release of its schema wrote it, with Bob's
 * idempotency keys and the transactions they name, and a moment within a minute of Bob's last use
 * (so that signing in records nothing).
 */
const OLD_LAYOUT_STORES = [
  {
    name: 'schema 9',
    data: fileURLToPath(new URL('../fixtures/schema9-store/data', import.meta.url)),
    keys: { 'fixture-key-1': 'txn_0000000018', 'upgrade-key-1': 'txn_0000000022', 'upgrade-key-2': 'txn_0000000023', 'upgrade-key-3': 'txn_0000000024' },
    bobLastSeen: '2026-11-23T10:10:00.000Z',
  },
  {
    name: 'schema 10',
    data: fileURLToPath(new URL('../fixtures/schema10-store/data', import.meta.url)),
    keys: {
      'fixture-key-1': 'txn_0000000018',
      'upgrade-key-1': 'txn_0000000022',
      'upgrade-key-2': 'txn_0000000023',
      'upgrade-key-3': 'txn_0000000024',
      'upgrade-key-4': 'txn_0000000025',
    },
    bobLastSeen: '2026-11-23T10:20:00.000Z',
  },
] as const;

/** What the upgrade must bring through, and a read must see before it: every mail as the .eml text it was, every key with its transaction. */
const mailsAndKeys = (keys: Readonly<Record<string, string>>) => async (t: RecordsTransaction) => ({
  mails: await Promise.all((await t.outbox.list()).map(async (mail) => (await t.outbox.get(mail.id))?.raw)),
  keys: Object.fromEntries(await Promise.all(Object.keys(keys).map(async (key) => [key, (await t.idempotency.get(BOB, key))?.txId]))),
  bobUsd: await t.balances.get(userAccount(BOB), 'USD'),
});

/** Every file and directory under `home` with its bytes and mtime: what a look must leave as it found. */
function bytesAndTimes(home: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const [file, bytes] of bytesOf(home)) found.set(file, `${bytes} ${statSync(path.join(home, file)).mtimeMs}`);
  const walk = (dir: string): void => {
    found.set(`${path.relative(home, dir)}/`, String(statSync(dir).mtimeMs));
    for (const name of readdirSync(dir)) if (statSync(path.join(dir, name)).isDirectory()) walk(path.join(dir, name));
  };
  walk(home);
  return found;
}

/** The version a reader sees: the root's, or the one a valid redo record commits on top of it. */
function seenSchema(home: string): number {
  const root = storeRoot(home);
  try {
    const redo = unseal<{ commit: number; files: { target: string }[] }>(readFileSync(path.join(home, 'commit.redo'), 'utf8'), 'commit.redo');
    if (redo.commit === root.commit + 1) return SPLIT_SCHEMA_VERSION;
  } catch {
    // No redo, or one cut short or cancelled: the root's version.
  }
  return root.schemaVersion;
}

/** The files a commit that never reached its commit point may have left (stages, a cut-short redo, the dead writer's lock) left out. */
const withoutLeftovers = (files: Map<string, string>): Map<string, string> =>
  new Map([...files].filter(([file]) => !path.basename(file).endsWith('.stage') && file !== 'commit.redo' && !file.startsWith('okpay.lock')));

describe.each(OLD_LAYOUT_STORES)('a store of the layout before schema 11 ($name, as that release wrote it)', ({ data, keys, name }) => {
  const oldMails = () =>
    readdirSync(path.join(data, 'outbox'))
      .sort()
      .map((file) => readFileSync(path.join(data, 'outbox', file), 'utf8'));

  it('is read as it is by reads and verify, which change no byte; its first writer packs the mails and moves the keys, which all come through', async () => {
    const home = copyStore(data);
    const before = bytesAndTimes(home);
    expect(await problemsOf(open(home))).toEqual([]);
    const seen = await open(home).read(mailsAndKeys(keys));
    expect(seen.mails).toEqual(oldMails());
    expect(seen.keys).toEqual(keys);
    expect(bytesAndTimes(home)).toEqual(before);
    expect(storeRoot(home).schemaVersion).toBe(name === 'schema 9' ? 9 : 10);
    // The first writer upgrades, even one that changes nothing itself.
    await open(home).transaction((t) => t.users.count());
    expect(existsSync(path.join(home, 'outbox'))).toBe(false);
    expect(existsSync(path.join(home, 'records', 'idempotency'))).toBe(false);
    const root = JSON.parse(readFileSync(path.join(home, 'store.json'), 'utf8')) as { body: { schemaVersion: number; layout?: unknown } };
    expect(root.body).toMatchObject({ schemaVersion: SPLIT_SCHEMA_VERSION, layout: { mailsPerSegment: 250, keyBucketsPerUser: 64 } });
    expect(await open(home).read(mailsAndKeys(keys))).toEqual(seen);
    expect(await problemsOf(open(home))).toEqual([]);
    // A mail after the upgrade joins the open segment.
    await open(home).transaction(
      (t) =>
        void t.mail(
          { to: 'bob@example.com', userId: BOB, kind: 'test', language: 'en', subject: 'Hi', text: 'After.', antiPhishingPhrase: null },
          NOW.toISOString(),
        ),
    );
    expect(readdirSync(path.join(home, 'mails'))).toEqual(['00000000.json']);
    expect((await open(home).read((t) => t.outbox.get(mailIdForSeq(seen.mails.length + 1))))?.mail.text).toBe('After.');
    expect(await problemsOf(open(home))).toEqual([]);
  });

  it('is the old store or the upgraded one when its first writer is killed at fixed-seed points, never a mix; reads and verify of what is left change no byte', async () => {
    const expected = await open(copyStore(data)).read(mailsAndKeys(keys));
    const total = stepsOf((await runChild(copyStore(data), ['write'])).stdout);
    expect(total).toBeGreaterThan(10);
    const untouched = withoutLeftovers(bytesOf(copyStore(data)));
    const versions = new Set<number>();
    for (const point of crashPoints(total, 8, 20261207)) {
      const home = copyStore(data);
      const killed = await runChild(home, ['write'], point);
      expect(killed.signal, `step ${point}: not killed (exit ${killed.code}; ${killed.stdout.trim()}; ${killed.stderr.trim()})`).toBe('SIGKILL');
      const version = seenSchema(home);
      versions.add(version);
      // Not yet committed: every file as it was.
      if (version !== SPLIT_SCHEMA_VERSION) expect(withoutLeftovers(bytesOf(home)), `step ${point}`).toEqual(untouched);
      const left = bytesAndTimes(home);
      expect(await open(home).read(mailsAndKeys(keys)), `step ${point}`).toEqual(expected);
      expect(await problemsOf(open(home)), `step ${point}`).toEqual([]);
      expect(bytesAndTimes(home), `step ${point}`).toEqual(left);
      // The next writer completes or drops what the kill left, and removes the old layout.
      await open(home).transaction((t) => t.users.count());
      expect(storeRoot(home).schemaVersion, `step ${point}`).toBe(SPLIT_SCHEMA_VERSION);
      expect(existsSync(path.join(home, 'outbox')) || existsSync(path.join(home, 'records', 'idempotency')), `step ${point}`).toBe(false);
      expect(await open(home).read(mailsAndKeys(keys)), `step ${point}`).toEqual(expected);
      expect(await problemsOf(open(home)), `step ${point}`).toEqual([]);
    }
    // Killed before the upgrade's commit point and after it.
    expect([...versions].sort((a, b) => a - b)).toEqual([storeRoot(data).schemaVersion, SPLIT_SCHEMA_VERSION]);
  });
});

describe('the read commands on a store of schema 10 (the real binary)', () => {
  const store = OLD_LAYOUT_STORES[1];
  const LOOKS = [
    ['verify', '--json'],
    ['balance', '--json'],
    ['history', '--json'],
    ['tx', 'show', 'txn_0000000025', '--json'],
    ['ticket', 'show', String(tokens.ticket), '--json'],
    ['ticket', 'list', '--json'],
    ['outbox', 'list', '--json'],
    ['outbox', 'show', 'msg_000008', '--json'],
  ];
  /** Each command's answer, the data directory's name and verify's timing aside. */
  const runAll = async (home: string) => {
    const outputs: string[] = [];
    for (const args of LOOKS) {
      const run = await runBin(args, {
        env: { OKPAY_HOME: home, OKPAY_NOW: new Date(Date.parse(store.bobLastSeen) + 30_000).toISOString(), OKPAY_SESSION: tokens.bob },
      });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
      outputs.push(run.stdout.replaceAll(home, '<home>').replace(/"(seconds|entriesPerSecond)": [0-9.]+/g, '"$1": 0'));
    }
    return outputs;
  };

  it('answer from the old layout and change no byte, no mtime', async () => {
    const home = copyStore(store.data);
    const before = bytesAndTimes(home);
    const [verified, , history, , ticket, , outbox, mail] = await runAll(home);
    expect(bytesAndTimes(home)).toEqual(before);
    expect(JSON.parse(verified ?? '')).toMatchObject({ ok: true, problems: [] });
    expect(JSON.parse(history ?? '')).toMatchObject({ transactions: expect.arrayContaining([expect.objectContaining({ id: 'txn_0000000025' })]) });
    expect(JSON.parse(ticket ?? '')).toMatchObject({ ticket: { number: tokens.ticket } });
    expect((JSON.parse(outbox ?? '') as { mails: unknown[] }).mails).toHaveLength(8);
    expect(JSON.parse(mail ?? '')).toMatchObject({ mail: { id: 'msg_000008', date: store.bobLastSeen } });
  });

  it('answer the same on a read-only copy', async (context) => {
    const technique = probeTechnique();
    if (technique === 'none') {
      console.log('skipped: no way to make a directory read-only here (no bind mount, no chattr); the test before checks that nothing is written');
      context.skip();
      return;
    }
    const writable = await runAll(copyStore(store.data));
    const home = copyStore(store.data);
    const directories: string[] = [];
    const walk = (dir: string): void => {
      directories.push(dir);
      for (const name of readdirSync(dir)) if (statSync(path.join(dir, name)).isDirectory()) walk(path.join(dir, name));
    };
    walk(home);
    const undo = applyReadOnly(technique, directories);
    expect(undo, `${technique} failed`).not.toBeNull();
    try {
      expect(await runAll(home)).toEqual(writable);
    } finally {
      undo?.();
    }
  });
});

describe('a disk that runs out of inodes in the middle of a commit', () => {
  it('says the commit failed, and nothing of it is ever applied', async (context) => {
    const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'okpay-tmpfs-'));
    homes.push(mountPoint);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,nr_inodes=400', 'tmpfs', mountPoint], { stdio: 'pipe' });
    } catch (error) {
      console.log(
        `skipped: cannot mount a tmpfs here (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); CI runs as root and runs this test`,
      );
      context.skip();
      return;
    }
    try {
      const outcomes = new Set<string>();
      for (let spare = 0; spare <= 40; spare += 4) {
        const home = path.join(mountPoint, `store-${spare}`);
        cpSync(upgraded, home, { recursive: true });
        const filler = path.join(mountPoint, `filler-${spare}`);
        mkdirSync(filler);
        const fill: string[] = [];
        for (;;) {
          const name = path.join(filler, String(fill.length));
          try {
            writeFileSync(name, '');
          } catch {
            break;
          }
          fill.push(name);
        }
        for (const name of fill.splice(fill.length - spare)) rmSync(name);
        const before = await open(home).read(look);
        const run = await runChild(home, ['pay', BOB, STRANGER_PHONE, '100', String(tokens.ticket)]);
        rmSync(filler, { recursive: true, force: true });
        const after = await open(home).read(look);
        if (run.code === 0) {
          outcomes.add('committed');
          expect(after.bobUsd, `${spare} spare inodes`).toBe(before.bobUsd - 100);
        } else {
          outcomes.add('refused');
          expect(after, `${spare} spare inodes`).toEqual(before);
          // The next writer, with inodes to spare, still does not apply it.
          await open(home).transaction((t) => t.users.count());
          expect(await open(home).read(look), `${spare} spare inodes`).toEqual(before);
        }
        expect(await problemsOf(open(home)), `${spare} spare inodes`).toEqual([]);
        rmSync(home, { recursive: true, force: true });
      }
      expect([...outcomes].sort()).toEqual(['committed', 'refused']);
    } finally {
      execFileSync('umount', [mountPoint]);
    }
  });
});
