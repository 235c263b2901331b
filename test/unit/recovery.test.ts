// Crash recovery with real commands: okpay runs in-process on a FileStore in a temporary directory,
// and a crash is staged by putting state.json back as it was before a commit (the journal got
// written, the state did not) or by cutting a commit's journal short. The next command must redo
// or drop exactly the right entries — balances, live records (unclaimed money, payouts in flight,
// idempotency keys) and all — and `okpay verify` must find the store clean.
//
// test/unit/store.test.ts covers the store mechanics with raw postings; here the point is that
// what wallet commands leave behind survives a crash intact.

import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bufferIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import type { JournalEntry } from '../../src/domain/ledger.js';
import { parseEml, type MailRecord } from '../../src/domain/mail.js';
import type { State } from '../../src/domain/state.js';
import { FileStore } from '../../src/store/file-store.js';

const PASSWORD = 'Harbour-lights-42!';
/** Friday 20 November 2026, 16:00 UTC. */
const START = '2026-11-20T16:00:00.000Z';
const DAY_MS = 24 * 60 * 60 * 1000;
const SEGMENT_SIZE = 4;

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  json<T = Record<string, unknown>>(): T;
}

let home: string;

beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'okpay-recovery-'));
});

afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

/** One okpay "process" per call, each opening the file store afresh, as the real binary does. */
class Okpay {
  now = START;
  private readonly tokens = new Map<string, string>();

  async run(args: readonly string[], options: { as?: string; stdin?: string } = {}): Promise<Result> {
    const io = bufferIO(options.stdin === undefined ? {} : { stdin: options.stdin });
    const token = options.as ? this.tokens.get(options.as) : undefined;
    const env = { OKPAY_NOW: this.now, OKPAY_BCRYPT_COST: '4', ...(token ? { OKPAY_SESSION: token } : {}) };
    const code = await run(['--data-dir', home, ...args], {
      io,
      env,
      openStore: (dir, now) => new FileStore(dir, { now, segmentSize: SEGMENT_SIZE }),
      session: { read: async () => null, write: async () => undefined, clear: async () => undefined },
    });
    const stdout = io.stdout();
    return { code, stdout, stderr: io.stderr(), json: <T>() => JSON.parse(stdout) as T };
  }

  async ok(args: readonly string[], options: { as?: string; stdin?: string } = {}): Promise<Result> {
    const result = await this.run(args, options);
    if (result.code !== 0) throw new Error(`okpay ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return result;
  }

  async signIn(email: string): Promise<void> {
    const raw = await this.ok(['login', '--email', email, '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n` });
    this.tokens.set(email, raw.stdout.trim());
  }

  async signUp(email: string, country = 'GB'): Promise<void> {
    await this.ok(['register', '--email', email, '--country', country, '--password-stdin', '--accept-terms'], { stdin: `${PASSWORD}\n` });
    const token = /\b(act_[A-Za-z0-9_-]+)/.exec(mails(email, 'activation').pop()?.text ?? '')?.[1];
    if (!token) throw new Error(`no activation token for ${email}`);
    await this.ok(['activate', token]);
    await this.signIn(email);
  }

  async admin(email: string): Promise<void> {
    await this.ok(['admin', 'init', '--email', email, '--password-stdin'], { stdin: `${PASSWORD}\n` });
    await this.signIn(email);
  }

  /** Moves the clock and signs the given people in again (sessions end after 30 idle minutes). */
  async advance(ms: number, ...emails: string[]): Promise<void> {
    this.now = new Date(Date.parse(this.now) + ms).toISOString();
    for (const email of emails) await this.signIn(email);
  }

  async balance(email: string, currency = 'USD'): Promise<{ available: string; held: string }> {
    const { balances } = (await this.ok(['balance', '--json'], { as: email })).json<{ balances: { currency: string; available: string; held: string }[] }>();
    const row = balances.find((b) => b.currency === currency);
    return { available: row?.available ?? '0.00', held: row?.held ?? '0.00' };
  }

  async verify(): Promise<{ ok: boolean; problems: string[]; checked: { journalEntries: number } }> {
    const result = await this.run(['verify', '--json']);
    const doc = result.json<{ ok: boolean; problems: string[]; checked: { journalEntries: number } }>();
    expect(result.code, doc.problems.join('\n')).toBe(0);
    return doc;
  }
}

function mails(to?: string, kind?: string): MailRecord[] {
  const directory = path.join(home, 'outbox');
  return readdirSync(directory)
    .filter((name) => name.endsWith('.eml'))
    .sort()
    .map((name) => parseEml(readFileSync(path.join(directory, name), 'utf8')))
    .filter((m): m is MailRecord => m !== null && (to === undefined || m.to === to) && (kind === undefined || m.kind === kind));
}

function readState(): State {
  return JSON.parse(readFileSync(path.join(home, 'state.json'), 'utf8')) as State;
}

/** Runs commands as one would until a crash: the journal (and indexes, mails) were written, state.json was not. */
async function crashBeforeStateWrite(work: () => Promise<unknown>): Promise<void> {
  const stateFile = path.join(home, 'state.json');
  const saved = path.join(home, '..', `${path.basename(home)}.state.saved`);
  copyFileSync(stateFile, saved);
  await work();
  copyFileSync(saved, stateFile);
  rmSync(saved);
}

function journalFiles(): string[] {
  return readdirSync(path.join(home, 'journal')).sort();
}

function readSegment(file: string): { segment: number; entries: JournalEntry[] } {
  return JSON.parse(readFileSync(path.join(home, 'journal', file), 'utf8')) as { segment: number; entries: JournalEntry[] };
}

async function twoCustomers(okpay: Okpay): Promise<void> {
  await okpay.signUp('ada@example.com');
  await okpay.signUp('bob@example.com');
  await okpay.ok(['deposit', '--amount', '500', '--currency', 'USD'], { as: 'ada@example.com' });
}

describe('a crash between the journal write and the state write', () => {
  it('a transfer is redone by the next command, and its idempotency key still stops a second payment', async () => {
    const okpay = new Okpay();
    await twoCustomers(okpay);
    const send = ['transfer', '--to', 'bob@example.com', '--amount', '100', '--currency', 'USD', '--idempotency-key', 'inv-1', '--yes', '--json'];
    let txId = '';
    await crashBeforeStateWrite(async () => {
      txId = (await okpay.ok(send, { as: 'ada@example.com' })).json<{ transaction: { id: string } }>().transaction.id;
    });
    expect(readState().meta.journal.seq).toBe(Number(txId.slice(4)) - 1);
    expect(await okpay.balance('ada@example.com')).toEqual({ available: '399.50', held: '0.00' });
    expect(readState().meta.journal.seq).toBe(Number(txId.slice(4)));
    expect(await okpay.balance('bob@example.com')).toEqual({ available: '100.00', held: '0.00' });
    const retry = (await okpay.ok(send, { as: 'ada@example.com' })).json<{ transaction: { id: string }; replayed?: boolean }>();
    expect(retry).toMatchObject({ transaction: { id: txId }, replayed: true });
    expect(await okpay.balance('ada@example.com')).toEqual({ available: '399.50', held: '0.00' });
    const history = (await okpay.ok(['history', '--json'], { as: 'bob@example.com' })).json<{ transactions: { id: string }[] }>();
    expect(history.transactions.map((t) => t.id)).toEqual([txId]);
    expect(mails('bob@example.com', 'payment-received')).toHaveLength(1);
    expect((await okpay.verify()).ok).toBe(true);
  });

  it('two lost commits — money for someone without an account, and a payout hold — come back with their live records', async () => {
    const okpay = new Okpay();
    await twoCustomers(okpay);
    const method = (await okpay.ok(['withdraw', 'methods', 'add', 'bank', '--holder', 'Ada Lovelace', '--iban', 'GB33 BUKB 2020 1555 5555 55', '--json'], { as: 'ada@example.com' })).json<{ method: { id: string } }>().method.id;
    let withdrawal = '';
    await crashBeforeStateWrite(async () => {
      await okpay.ok(['transfer', '--to', 'cy@example.com', '--amount', '50', '--currency', 'USD', '--yes'], { as: 'ada@example.com' });
      withdrawal = (await okpay.ok(['withdraw', '--method', method, '--amount', '100', '--currency', 'USD', '--yes', '--json'], { as: 'ada@example.com' })).json<{ withdrawal: { id: string } }>().withdrawal.id;
    });
    expect(Object.keys(readState().withdrawals)).toEqual([]);
    // 500 − (50 + 0.25 fee) − (100 + 0.50 fee)
    expect(await okpay.balance('ada@example.com')).toEqual({ available: '349.25', held: '100.50' });
    const listed = (await okpay.ok(['withdraw', 'list', '--json'], { as: 'ada@example.com' })).json<{ withdrawals: { id: string; status: string }[] }>();
    expect(listed.withdrawals).toEqual([expect.objectContaining({ id: withdrawal, status: 'requested' })]);
    await okpay.ok(['withdraw', 'cancel', withdrawal, '--yes'], { as: 'ada@example.com' });
    expect(await okpay.balance('ada@example.com')).toEqual({ available: '449.75', held: '0.00' });
    await okpay.signUp('cy@example.com');
    expect(await okpay.balance('cy@example.com')).toEqual({ available: '50.00', held: '0.00' });
    expect((await okpay.verify()).ok).toBe(true);
  });

  it('a settle run is redone once: running settle again pays nobody twice and mails nobody twice', async () => {
    const okpay = new Okpay();
    await twoCustomers(okpay);
    await okpay.admin('ops@example.com');
    const method = (await okpay.ok(['withdraw', 'methods', 'add', 'ewallet', '--provider', 'PayPal', '--account', 'ada@example.com', '--json'], { as: 'ada@example.com' })).json<{ method: { id: string } }>().method.id;
    await okpay.ok(['withdraw', '--method', method, '--amount', '20', '--currency', 'USD', '--yes'], { as: 'ada@example.com' });
    await okpay.ok(['transfer', '--to', 'nobody@example.com', '--amount', '10', '--currency', 'USD', '--yes'], { as: 'ada@example.com' });
    await okpay.advance(31 * DAY_MS, 'ops@example.com', 'ada@example.com');
    let settled: Record<string, unknown> = {};
    await crashBeforeStateWrite(async () => {
      settled = (await okpay.ok(['admin', 'settle', '--json'], { as: 'ops@example.com' })).json<{ settled: Record<string, unknown> }>().settled;
    });
    expect(settled).toMatchObject({ completed: 1, unclaimedReturned: 1 });
    const again = (await okpay.ok(['admin', 'settle', '--json'], { as: 'ops@example.com' })).json<{ settled: Record<string, unknown> }>().settled;
    expect(again).toMatchObject({ processing: 0, completed: 0, failed: 0, unclaimedReturned: 0, transactions: [] });
    // 500 − (20 + 1.00 minimum e-wallet fee) − (10 + 0.05 fee) + (10 + 0.05 returned)
    expect(await okpay.balance('ada@example.com')).toEqual({ available: '479.00', held: '0.00' });
    expect(mails('ada@example.com', 'payout-completed')).toHaveLength(1);
    expect(mails('ada@example.com', 'transfer-returned')).toHaveLength(1);
    expect((await okpay.verify()).ok).toBe(true);
  });
});

describe('a commit cut short', () => {
  it('a batch whose journal write was torn is dropped whole; running the file again pays every row once', async () => {
    const okpay = new Okpay();
    await twoCustomers(okpay);
    await okpay.signUp('cy@example.com');
    const file = path.join(home, '..', `${path.basename(home)}.batch.csv`);
    writeFileSync(file, 'to,amount,currency,memo,reference\nbob@example.com,10,USD,,row-1\ncy@example.com,20,USD,,row-2\nbob@example.com,30,USD,,row-3\n');
    const before = readState().meta.journal;
    await crashBeforeStateWrite(() => okpay.ok(['transfer', '--batch', file, '--yes'], { as: 'ada@example.com' }));
    // Keep the first entries of the batch (written without an end mark) and lose the last one with it.
    const segments = journalFiles();
    const last = segments[segments.length - 1] ?? '';
    const tail = readSegment(last);
    expect(tail.entries[tail.entries.length - 1]?.end).toBe(true);
    if (tail.entries.length === 1) rmSync(path.join(home, 'journal', last));
    else writeFileSync(path.join(home, 'journal', last), JSON.stringify({ ...tail, entries: tail.entries.slice(0, -1) }));

    expect(await okpay.balance('ada@example.com')).toEqual({ available: '500.00', held: '0.00' });
    expect(readState().meta.journal).toEqual(expect.objectContaining({ seq: before.seq, hash: before.hash }));
    expect(await okpay.balance('bob@example.com')).toEqual({ available: '0.00', held: '0.00' });
    const paid = (await okpay.ok(['transfer', '--batch', file, '--yes', '--json'], { as: 'ada@example.com' })).json<{ batch: { paid: number; alreadyPaid: number } }>();
    expect(paid.batch).toMatchObject({ paid: 3, alreadyPaid: 0 });
    const again = (await okpay.ok(['transfer', '--batch', file, '--yes', '--json'], { as: 'ada@example.com' })).json<{ batch: { paid: number; alreadyPaid: number } }>();
    expect(again.batch).toMatchObject({ paid: 0, alreadyPaid: 3 });
    expect(await okpay.balance('bob@example.com')).toEqual({ available: '40.00', held: '0.00' });
    expect(await okpay.balance('cy@example.com')).toEqual({ available: '20.00', held: '0.00' });
    expect((await okpay.verify()).ok).toBe(true);
    rmSync(file);
  });

  it('a rolled-back commit whose user index was already written never shows its numbers’ new owners to the old party', async () => {
    // The store writes a commit's journal, then the per-user indexes, then the state; if the lock is
    // lost before the state write, the journal is rolled back but the index keeps the sequence numbers,
    // which the next commit hands to someone else.
    const okpay = new Okpay();
    await twoCustomers(okpay);
    const saved = { state: readFileSync(path.join(home, 'state.json')), journal: new Map(journalFiles().map((f) => [f, readFileSync(path.join(home, 'journal', f))])) };
    for (const amount of ['5', '6', '7']) await okpay.ok(['transfer', '--to', 'bob@example.com', '--amount', amount, '--currency', 'USD', '--yes'], { as: 'ada@example.com' });
    writeFileSync(path.join(home, 'state.json'), saved.state);
    for (const f of journalFiles()) if (!saved.journal.has(f)) rmSync(path.join(home, 'journal', f));
    for (const [f, bytes] of saved.journal) writeFileSync(path.join(home, 'journal', f), bytes);

    await okpay.signUp('cy@example.com');
    const method = (await okpay.ok(['withdraw', 'methods', 'add', 'ewallet', '--provider', 'PayPal', '--account', 'cy@example.com', '--json'], { as: 'cy@example.com' })).json<{ method: { id: string } }>().method.id;
    await okpay.ok(['deposit', '--amount', '50', '--currency', 'USD'], { as: 'cy@example.com' });
    const withdrawal = (await okpay.ok(['withdraw', '--method', method, '--amount', '10', '--currency', 'USD', '--yes', '--json'], { as: 'cy@example.com' })).json<{ withdrawal: { id: string } }>().withdrawal.id;
    // Deposit, hold and release take the three numbers the rolled-back transfers had in Ada's and Bob's index.
    await okpay.ok(['withdraw', 'cancel', withdrawal, '--yes'], { as: 'cy@example.com' });
    for (const email of ['ada@example.com', 'bob@example.com']) {
      const list = (await okpay.ok(['withdraw', 'list', '--json'], { as: email })).json<{ withdrawals: unknown[] }>();
      expect(list.withdrawals, `withdrawals seen by ${email}`).toEqual([]);
      const history = (await okpay.ok(['history', '--json'], { as: email })).json<{ transactions: { type: string }[] }>();
      expect(history.transactions.map((t) => t.type), `history of ${email}`).toEqual(email === 'ada@example.com' ? ['deposit'] : []);
    }
    expect((await okpay.verify()).ok).toBe(true);
  });
});
