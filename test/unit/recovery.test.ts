// Crash recovery with real commands: okpay runs in-process on the split file store in a temporary
// directory, and a crash is staged with the store's fault hook: from one disk step on, every write,
// rename, flush and removal fails, the clean-up included, so the files stay as a kill -9 at that
// step would leave them. A crash after the commit point (the redo record written, the records not
// yet in place) must be finished by the next command; one before it (journal entries written, no
// redo) must be dropped whole. Balances, live records (unclaimed money, payouts in flight,
// idempotency keys) and all, and `okpay verify` must find the store clean.
//
// test/e2e/split-store.test.ts kills real processes at fixed-seed points of a raw multi-file
// commit; here the point is that what wallet commands leave behind survives a crash intact.

import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bufferIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { parseEml, type MailRecord } from '../../src/domain/mail.js';
import { setFaultHook } from '../../src/store/durable-file.js';
import { SplitFileStore } from '../../src/store/split-file-store.js';
import { PASSWORD } from '../support/outcome.js';
import { storeMailTexts } from '../support/store-files.js';

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
  /** `okpay dev init`, run once first: OKPAY_NOW is honoured only in a test store. */
  private testStore: Promise<Result> | null = null;

  async run(args: readonly string[], options: { as?: string; stdin?: string } = {}): Promise<Result> {
    await (this.testStore ??= this.exec(['dev', 'init']));
    return this.exec(args, options);
  }

  private async exec(args: readonly string[], options: { as?: string; stdin?: string } = {}): Promise<Result> {
    const io = bufferIO(options.stdin === undefined ? {} : { stdin: options.stdin });
    const token = options.as ? this.tokens.get(options.as) : undefined;
    const env = { OKPAY_NOW: this.now, OKPAY_BCRYPT_COST: '4', ...(token ? { OKPAY_SESSION: token } : {}) };
    const code = await run(['--data-dir', home, ...args], {
      io,
      env,
      openStore: (dir, now) =>
        new SplitFileStore(dir, {
          now,
          segmentSize: SEGMENT_SIZE,
          summarizeTicket: () => {
            throw new Error('a new store has no schema-2 tickets');
          },
        }),
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
    await this.ok(['activate', token, '--password-stdin'], { stdin: `${PASSWORD}\n` });
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
  return storeMailTexts(home)
    .map((text) => parseEml(text))
    .filter((m): m is MailRecord => m !== null && (to === undefined || m.to === to) && (kind === undefined || m.kind === kind));
}

/**
 * Runs commands until a crash: the first disk step that `crashes` picks and every one after it fail,
 * so nothing more is written, not even the clean-up of the failed commit.
 */
async function crashWhen(crashes: (step: string, file: string, seen: string[]) => boolean, work: () => Promise<unknown>): Promise<void> {
  const seen: string[] = [];
  let down = false;
  setFaultHook((step, file) => {
    down ||= crashes(step, file, seen);
    seen.push(`${step} ${path.relative(home, file)}`);
    if (down) throw Object.assign(new Error(`killed before ${step} of ${file}`), { code: 'EIO' });
  });
  try {
    await work();
  } finally {
    setFaultHook(null);
  }
  expect(down, 'the crash point was never reached').toBe(true);
}

/** A crash after the commit point: the redo record is written, no record file is in place yet. */
const afterCommitPoint = (step: string, _file: string, seen: string[]): boolean => step === 'rename' && seen.some((s) => s === 'write commit.redo');

/** A crash while the journal is written: the first entries of the commit are there, no redo record. */
const whileJournalWritten = (_step: string, file: string, seen: string[]): boolean =>
  seen.some((s) => s.startsWith('write journal/')) && !file.includes(`${path.sep}journal${path.sep}`);

async function journalEntries(okpay: Okpay): Promise<number> {
  return (await okpay.verify()).checked.journalEntries;
}

async function transactionIds(okpay: Okpay, email: string): Promise<string[]> {
  return (await okpay.ok(['history', '--json'], { as: email })).json<{ transactions: { id: string }[] }>().transactions.map((t) => t.id);
}

async function twoCustomers(okpay: Okpay): Promise<void> {
  await okpay.signUp('ada@example.com');
  await okpay.signUp('bob@example.com');
  await okpay.ok(['deposit', '--amount', '500', '--currency', 'USD'], { as: 'ada@example.com' });
}

describe('a crash after the commit point, before the records are in place', () => {
  it('a transfer is finished by the next command, and its idempotency key still stops a second payment', async () => {
    const okpay = new Okpay();
    await twoCustomers(okpay);
    const send = ['transfer', '--to', 'bob@example.com', '--amount', '100', '--currency', 'USD', '--idempotency-key', 'inv-1', '--yes', '--json'];
    const before = await journalEntries(okpay);
    await crashWhen(afterCommitPoint, () => okpay.run(send, { as: 'ada@example.com' }));
    expect(await okpay.balance('ada@example.com')).toEqual({ available: '399.50', held: '0.00' });
    expect(await journalEntries(okpay)).toBe(before + 1);
    expect(await okpay.balance('bob@example.com')).toEqual({ available: '100.00', held: '0.00' });
    const [txId] = await transactionIds(okpay, 'bob@example.com');
    const retry = (await okpay.ok(send, { as: 'ada@example.com' })).json<{ transaction: { id: string }; replayed?: boolean }>();
    expect(retry).toMatchObject({ transaction: { id: txId }, replayed: true });
    expect(await okpay.balance('ada@example.com')).toEqual({ available: '399.50', held: '0.00' });
    expect(await transactionIds(okpay, 'bob@example.com')).toEqual([txId]);
    expect(mails('bob@example.com', 'payment-received')).toHaveLength(1);
    expect((await okpay.verify()).ok).toBe(true);
  });

  it('two lost commits — money for someone without an account, and a payout hold — come back with their live records', async () => {
    const okpay = new Okpay();
    await twoCustomers(okpay);
    const method = (
      await okpay.ok(['withdraw', 'methods', 'add', 'bank', '--holder', 'Ada Lovelace', '--iban', 'GB33 BUKB 2020 1555 5555 55', '--json'], {
        as: 'ada@example.com',
      })
    ).json<{ method: { id: string } }>().method.id;
    await crashWhen(afterCommitPoint, () =>
      okpay.run(['transfer', '--to', 'cy@example.com', '--amount', '50', '--currency', 'USD', '--yes'], { as: 'ada@example.com' }),
    );
    await crashWhen(afterCommitPoint, () =>
      okpay.run(['withdraw', '--method', method, '--amount', '100', '--currency', 'USD', '--yes', '--json'], { as: 'ada@example.com' }),
    );
    // 500 − (50 + 1.75 cross-border fee: cy has no account yet) − (100 + 0.50 fee)
    expect(await okpay.balance('ada@example.com')).toEqual({ available: '347.75', held: '100.50' });
    const listed = (await okpay.ok(['withdraw', 'list', '--json'], { as: 'ada@example.com' })).json<{ withdrawals: { id: string; status: string }[] }>();
    expect(listed.withdrawals).toEqual([expect.objectContaining({ status: 'requested' })]);
    const withdrawal = (listed.withdrawals[0] as { id: string }).id;
    await okpay.ok(['withdraw', 'cancel', withdrawal, '--yes'], { as: 'ada@example.com' });
    expect(await okpay.balance('ada@example.com')).toEqual({ available: '448.25', held: '0.00' });
    await okpay.signUp('cy@example.com');
    expect(await okpay.balance('cy@example.com')).toEqual({ available: '50.00', held: '0.00' });
    expect((await okpay.verify()).ok).toBe(true);
  });

  it('a settle run is redone once: running settle again pays nobody twice and mails nobody twice', async () => {
    const okpay = new Okpay();
    await twoCustomers(okpay);
    await okpay.admin('ops@example.com');
    const method = (
      await okpay.ok(['withdraw', 'methods', 'add', 'ewallet', '--provider', 'PayPal', '--account', 'ada@example.com', '--json'], { as: 'ada@example.com' })
    ).json<{ method: { id: string } }>().method.id;
    await okpay.ok(['withdraw', '--method', method, '--amount', '20', '--currency', 'USD', '--yes'], { as: 'ada@example.com' });
    await okpay.ok(['transfer', '--to', 'nobody@example.com', '--amount', '10', '--currency', 'USD', '--yes'], { as: 'ada@example.com' });
    await okpay.advance(31 * DAY_MS, 'ops@example.com', 'ada@example.com');
    await crashWhen(afterCommitPoint, () => okpay.run(['admin', 'settle', '--json'], { as: 'ops@example.com' }));
    const again = (await okpay.ok(['admin', 'settle', '--json'], { as: 'ops@example.com' })).json<{ settled: Record<string, unknown> }>().settled;
    expect(again).toMatchObject({ processing: 0, completed: 0, failed: 0, unclaimedReturned: 0, transactions: [] });
    // 500 − (20 + 1.00 minimum e-wallet fee) − (10 + 0.05 fee) + (10 + 0.05 returned)
    expect(await okpay.balance('ada@example.com')).toEqual({ available: '479.00', held: '0.00' });
    expect(mails('ada@example.com', 'payout-completed')).toHaveLength(1);
    expect(mails('ada@example.com', 'transfer-returned')).toHaveLength(1);
    expect((await okpay.verify()).ok).toBe(true);
  });
});

describe('a commit cut short before its commit point', () => {
  it('a batch whose journal was written but not committed is dropped whole; running the file again pays every row once', async () => {
    const okpay = new Okpay();
    await twoCustomers(okpay);
    await okpay.signUp('cy@example.com');
    const file = path.join(home, '..', `${path.basename(home)}.batch.csv`);
    writeFileSync(file, 'to,amount,currency,memo,reference\nbob@example.com,10,USD,,row-1\ncy@example.com,20,USD,,row-2\nbob@example.com,30,USD,,row-3\n');
    const before = await journalEntries(okpay);
    const journalBytes = (): number =>
      readdirSync(path.join(home, 'journal')).reduce((sum, name) => sum + readFileSync(path.join(home, 'journal', name)).length, 0);
    const bytesBefore = journalBytes();
    await crashWhen(whileJournalWritten, () => okpay.run(['transfer', '--batch', file, '--yes'], { as: 'ada@example.com' }));
    expect(journalBytes(), 'the batch left its entries in the journal').toBeGreaterThan(bytesBefore);

    expect(await okpay.balance('ada@example.com')).toEqual({ available: '500.00', held: '0.00' });
    expect(await journalEntries(okpay)).toBe(before);
    expect(await okpay.balance('bob@example.com')).toEqual({ available: '0.00', held: '0.00' });
    const paid = (await okpay.ok(['transfer', '--batch', file, '--yes', '--json'], { as: 'ada@example.com' })).json<{
      batch: { paid: number; alreadyPaid: number };
    }>();
    expect(paid.batch).toMatchObject({ paid: 3, alreadyPaid: 0 });
    const again = (await okpay.ok(['transfer', '--batch', file, '--yes', '--json'], { as: 'ada@example.com' })).json<{
      batch: { paid: number; alreadyPaid: number };
    }>();
    expect(again.batch).toMatchObject({ paid: 0, alreadyPaid: 3 });
    expect(await okpay.balance('bob@example.com')).toEqual({ available: '40.00', held: '0.00' });
    expect(await okpay.balance('cy@example.com')).toEqual({ available: '20.00', held: '0.00' });
    expect((await okpay.verify()).ok).toBe(true);
    rmSync(file);
  });
});
