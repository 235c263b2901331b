// `okpay store copy`: a file store (the demo fixtures, then transfers and tickets) into an empty
// PostgreSQL database and back into a new directory; each side answers the same balances, history,
// tickets and mails, verifies clean, and keeps its sessions (secrets are copied, not redacted). A
// target that holds anything is refused (exit 6) with nothing changed; a real store needs its
// administrator; the database password never appears in any output.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/accounts.js';
import { DEMO_FILE, DEMO_PASSWORD, DEMO_PEOPLE } from '../support/memory-desk.js';
import { BIN, DEFAULT_NOW, Okpay, type Run } from '../support/okpay.js';
import { testDatabase } from '../support/pg.js';
import { startSmtpServer } from '../support/smtp.js';
import { SPLIT_SCHEMA_VERSION } from '../../src/store/split-layout.js';

const SECRET = 'hunter2-secret';

/** A database URL with a password, as a team would write one (the test server trusts any). */
function withPassword(url: string): string {
  return url.replace(/^postgres:\/\/([^@/:]+)@/, `postgres://$1:${SECRET}@`);
}

function ok(run: Run): Run {
  expect(run.code, run.stderr).toBe(0);
  return run;
}

function noSecret(...runs: Run[]): void {
  for (const run of runs) expect(run.stdout + run.stderr).not.toContain(SECRET);
}

/** A number texted a code before the copies. */
const PUMPED = '+14155550166';
const PEOPLE = [DEMO_PEOPLE.customer, 'chen.li@example.cn', DEMO_PEOPLE.agent1, DEMO_PEOPLE.admin];

/** What each person sees, through the CLI: the same on every copy. */
async function views(
  run: (args: readonly string[], env?: Record<string, string | undefined>) => Promise<Run>,
  tokens: Readonly<Record<string, string>>,
): Promise<Record<string, unknown>> {
  const seen: Record<string, unknown> = {};
  for (const email of PEOPLE) {
    const as = (args: readonly string[]) => run([...args, '--json'], { OKPAY_SESSION: tokens[email] });
    const customer = !email.includes('okpay.example');
    seen[email] = {
      balance: customer ? ok(await as(['balance'])).json() : null,
      history: customer ? ok(await as(['history', '--limit', '500'])).json() : null,
      tickets: ok(await as(['ticket', 'list', '--limit', '500'])).json(),
      mails: ok(await as(['outbox', 'list', '--to', email, '--limit', '500'])).json(),
    };
  }
  seen['outbox'] = ok(await run(['outbox', 'list', '--limit', '500', '--json'])).json();
  return seen;
}

describe('okpay store copy', () => {
  it('copies a file store into an empty database and back: same balances, history, tickets and mails, clean verify, password masked', async () => {
    const files = new Okpay();
    const db = await testDatabase();
    const url = withPassword(db.url);
    const backHome = path.join(mkdtempSync(path.join(os.tmpdir(), 'okpay-copy-')), 'store');
    const back = new Okpay({ home: backHome, testStore: false });
    const smtp = await startSmtpServer();
    try {
      ok(await files.run(['fixtures', 'load', DEMO_FILE]));
      const tokens: Record<string, string> = {};
      for (const email of PEOPLE)
        tokens[email] = ok(await files.run(['login', '--email', email, '--password-stdin', '--raw'], { stdin: `${DEMO_PASSWORD}\n` })).stdout.trim();
      const lena = { OKPAY_SESSION: tokens[DEMO_PEOPLE.customer] };
      // Its mails are delivered by SMTP: their delivery records are copied along with them (outbox list shows them).
      ok(
        await files.run(['transfer', '--to', 'chen.li@example.cn', '--amount', '12.34', '--currency', 'EUR', '--yes'], {
          env: { ...lena, OKPAY_SMTP_URL: smtp.url },
        }),
      );
      expect(smtp.received.length).toBeGreaterThan(0);
      ok(await files.run(['transfer', '--to', 'nobody.yet@example.org', '--amount', '5', '--currency', 'EUR', '--yes'], { env: lena }));
      ok(
        await files.run(['ticket', 'new', '--category', 'funds', '--subject', 'Where is my money?', '--body', 'I sent 5 EUR to a friend without an account.'], {
          env: lena,
        }),
      );
      // A code texted to a number: the number's log of codes (phone-codes) is copied both ways.
      ok(await files.run(['profile', 'set', '--phone', PUMPED, '--password-stdin'], { env: lena, stdin: `${DEMO_PASSWORD}\n` }));
      const onFiles = await views((args, env) => files.run(args, { env }), tokens);
      const outbox = onFiles['outbox'] as { mails: { delivery: { status: string } | null }[] };
      expect(outbox.mails.filter((mail) => mail.delivery?.status === 'sent').length).toBeGreaterThan(0);

      const copied = await files.run(['store', 'copy', '--from', files.home, '--to', url, '--json']);
      noSecret(copied);
      const report = ok(copied).json<{ from: string; to: string; copied: Record<string, number>; verify: { ok: boolean } }>();
      expect(report.to).toContain(':***@');
      expect(report.copied).toMatchObject({ users: 11, tickets: 6, mails: expect.any(Number) as number });
      expect(report.copied['journalEntries']).toBeGreaterThan(17);
      expect(report.verify.ok).toBe(true);

      const onDb = (args: readonly string[], env: Record<string, string | undefined> = {}) => files.run(args, { env: { OKPAY_DATABASE_URL: url, ...env } });
      expect(ok(await onDb(['verify', '--json'])).json()).toMatchObject({ ok: true, problems: [] });
      expect(ok(await onDb(['store', 'info', '--json'], { OKPAY_SMTP_URL: smtp.url })).json()).toMatchObject({
        store: 'postgresql',
        testStore: true,
        users: 11,
        journalEntries: report.copied['journalEntries'],
      });
      // The sessions came along: the same tokens work on the database.
      expect(await views(onDb, tokens)).toEqual(onFiles);

      const copiedBack = ok(await back.run(['store', 'copy', '--from', url, '--to', backHome]));
      noSecret(copiedBack);
      expect(copiedBack.stdout).toMatch(/^copied 11 users, .* from postgres:\/\/[^ ]*:\*\*\*@/);
      expect(ok(await back.run(['verify', '--json'])).json()).toMatchObject({ ok: true, problems: [] });
      expect(await views((args, env) => back.run(args, { env }), tokens)).toEqual(onFiles);
      const exported = ok(await files.run(['fixtures', 'export'])).stdout;
      expect(ok(await back.run(['fixtures', 'export'])).stdout).toBe(exported);
      // The number's first code came through both copies: four more reach the day's five, and a sixth is refused.
      for (let i = 0; i < 4; i += 1) ok(await back.run(['profile', 'set', '--phone', PUMPED, '--password-stdin'], { env: lena, stdin: `${DEMO_PASSWORD}\n` }));
      const sixth = await back.run(['profile', 'set', '--phone', PUMPED, '--password-stdin', '--json'], {
        env: { OKPAY_SESSION: tokens['chen.li@example.cn'] },
        stdin: `${DEMO_PASSWORD}\n`,
      });
      expect(sixth.code).toBe(8);
      expect(sixth.error().message).toContain(`texted to ${PUMPED}`);

      // Into a target that holds a store, either way: refused (exit 6), nothing written.
      const dbBefore = ok(await onDb(['fixtures', 'export'])).stdout;
      const intoDb = await files.run(['store', 'copy', '--from', backHome, '--to', url, '--json']);
      expect(intoDb.code).toBe(6);
      expect(intoDb.error()).toMatchObject({ code: 'STORE_NOT_EMPTY' });
      expect(intoDb.error().message).toContain(':***@');
      const intoFiles = await files.run(['store', 'copy', '--from', url, '--to', files.home]);
      expect(intoFiles.code).toBe(6);
      expect(intoFiles.stderr).toMatch(/is not empty/);
      noSecret(intoDb, intoFiles);
      expect(ok(await onDb(['fixtures', 'export'])).stdout).toBe(dbBefore);
      expect(ok(await files.run(['fixtures', 'export'])).stdout).toBe(exported);
      expect(ok(await onDb(['verify', '--json'])).json()).toMatchObject({ ok: true });

      // A directory of other files is no empty store either.
      const other = mkdtempSync(path.join(os.tmpdir(), 'okpay-copy-other-'));
      writeFileSync(path.join(other, 'notes.txt'), 'mine\n');
      const intoOther = await files.run(['store', 'copy', '--from', url, '--to', other]);
      expect(intoOther.code).toBe(6);
      expect(existsSync(path.join(other, 'store.json'))).toBe(false);
      noSecret(intoOther);
    } finally {
      files.cleanup();
      back.cleanup();
      await smtp.close();
    }
    // A hang's bound, not a speed check: 145 s alone at a load of about 20.
  }, 600_000);

  it('a real store (not a test store) is copied only by its administrator, on the real clock; a refused copy creates nothing', async () => {
    const real = new Okpay({ testStore: false });
    const target = path.join(mkdtempSync(path.join(os.tmpdir(), 'okpay-copy-')), 'store');
    try {
      // A real store runs on the real clock.
      const env = { OKPAY_NOW: undefined };
      ok(await real.run(['register', '--email', 'ada@example.com', '--password-stdin', '--accept-terms'], { stdin: `${PASSWORD}\n`, env }));
      const refused = await real.run(['store', 'copy', '--from', real.home, '--to', target, '--json'], { env });
      expect(refused.code).toBe(3);
      expect(refused.error()).toMatchObject({ code: 'NOT_LOGGED_IN' });
      expect(existsSync(target)).toBe(false);
      const missing = await real.run(['store', 'copy', '--from', path.join(target, 'nothing'), '--to', target], { env });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/there is no okpay store there/);
      // A moved clock (OKPAY_NOW) is refused for the administrator's session, as every other command
      // refuses it in a real store (found by review: the copy ran, exit 0, the session judged on it).
      ok(await real.run(['admin', 'init', '--email', 'ops@example.com', '--password-stdin'], { stdin: `${PASSWORD}\n`, env }));
      const token = ok(await real.run(['login', '--email', 'ops@example.com', '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n`, env })).stdout.trim();
      const moved = { OKPAY_SESSION: token, OKPAY_NOW: new Date().toISOString() };
      expect((await real.run(['whoami', '--json'], { env: moved })).code).toBe(2);
      const clock = await real.run(['store', 'copy', '--from', real.home, '--to', target, '--json'], { env: moved });
      expect(clock.code, clock.stderr).toBe(2);
      expect(clock.error()).toMatchObject({ code: 'USAGE' });
      expect(clock.error().message).toContain('OKPAY_NOW');
      expect(existsSync(target)).toBe(false);
      ok(await real.run(['store', 'copy', '--from', real.home, '--to', target], { env: { ...env, OKPAY_SESSION: token } }));
    } finally {
      real.cleanup();
    }
  });
  it('streams: with pages of 7 rows a store of a few hundred records crosses dozens of pages each way and comes out the same', async () => {
    const files = new Okpay();
    const db = await testDatabase();
    const backHome = path.join(mkdtempSync(path.join(os.tmpdir(), 'okpay-copy-')), 'store');
    const back = new Okpay({ home: backHome, testStore: false });
    const small = { OKPAY_TEST_COPY_PAGE_ROWS: '7' };
    try {
      ok(await files.run(['fixtures', 'generate', '--users', '40', '--transactions', '200', '--tickets', '15', '--seed', 'pages']));
      // Mails too: each sign-up sends one.
      for (let n = 1; n <= 12; n += 1)
        ok(await files.run(['register', '--email', `paged${n}@example.org`, '--password-stdin', '--accept-terms'], { stdin: `${PASSWORD}\n` }));
      const there = ok(await files.run(['store', 'copy', '--from', files.home, '--to', db.url, '--json'], { env: small })).json<{
        copied: Record<string, number>;
        verify: { ok: boolean };
      }>();
      const { records, journalEntries, auditEntries, mails, pages } = there.copied as Record<string, number>;
      expect(records + journalEntries).toBeGreaterThan(300);
      expect(mails).toBeGreaterThan(7);
      // Every kind, chain and the mails in pages of at most 7: far more pages than kinds.
      expect(pages).toBeGreaterThanOrEqual(Math.ceil((records + journalEntries + auditEntries + mails) / 7));
      expect(there.verify.ok).toBe(true);
      const back1 = ok(await back.run(['store', 'copy', '--from', db.url, '--to', backHome, '--json'], { env: small })).json<{
        copied: Record<string, number>;
      }>();
      expect(back1.copied).toEqual(there.copied);
      expect(ok(await back.run(['verify', '--json'])).json()).toMatchObject({ ok: true, problems: [] });
      for (const args of [
        ['fixtures', 'export'],
        ['outbox', 'list', '--limit', '500', '--json'],
      ])
        expect(ok(await back.run(args)).stdout, args.join(' ')).toBe(ok(await files.run(args)).stdout);
      // The journal and audit chains come out identical, head and all.
      const heads = (o: Okpay) => o.run(['store', 'info', '--json']).then((r) => ok(r).json<{ journalEntries: number }>().journalEntries);
      expect(await heads(back)).toBe(await heads(files));
      expect(readFileSync(path.join(backHome, 'journal', '00000000.json'), 'utf8')).toBe(
        readFileSync(path.join(files.home, 'journal', '00000000.json'), 'utf8'),
      );
      expect(readFileSync(path.join(backHome, 'audit', '00000000.json'), 'utf8')).toBe(readFileSync(path.join(files.home, 'audit', '00000000.json'), 'utf8'));
    } finally {
      files.cleanup();
      back.cleanup();
    }
  });

  it('fixtures export is the same from a file store and from its copy in PostgreSQL: no layout detail of either store in it', async () => {
    const files = new Okpay();
    const db = await testDatabase();
    try {
      ok(await files.run(['fixtures', 'load', DEMO_FILE]));
      const lena = ok(await files.run(['login', '--email', DEMO_PEOPLE.customer, '--password-stdin', '--raw'], { stdin: `${DEMO_PASSWORD}\n` })).stdout.trim();
      ok(await files.run(['transfer', '--to', 'chen.li@example.cn', '--amount', '3', '--currency', 'EUR', '--yes'], { env: { OKPAY_SESSION: lena } }));
      ok(await files.run(['store', 'copy', '--from', files.home, '--to', db.url]));
      const fromFiles = ok(await files.run(['fixtures', 'export'])).stdout;
      const fromDb = ok(await files.run(['fixtures', 'export'], { env: { OKPAY_DATABASE_URL: db.url } })).stdout;
      expect(fromDb).toBe(fromFiles);
      const dump = JSON.parse(fromFiles) as { journal: object[]; audit: object[]; state: { meta: { journal: object; audit: object } } };
      expect(dump.journal.length).toBeGreaterThan(10);
      expect(dump.journal.concat(dump.audit).filter((entry) => 'len' in entry)).toEqual([]);
      expect(Object.keys(dump.state.meta.journal).sort()).toEqual(['hash', 'seq']);
      expect(Object.keys(dump.state.meta.audit).sort()).toEqual(['hash', 'seq']);
    } finally {
      files.cleanup();
    }
  });

  it('a copy killed (kill -9) mid-way or at its commit point leaves the target as it was, and a copy into it then succeeds', async () => {
    const files = new Okpay();
    const db = await testDatabase();
    const parent = mkdtempSync(path.join(os.tmpdir(), 'okpay-copy-'));
    const target = path.join(parent, 'store');
    try {
      ok(await files.run(['fixtures', 'load', DEMO_FILE]));
      // Into the database: killed after its third page, inside the one transaction.
      await killedAt(['store', 'copy', '--from', files.home, '--to', db.url], 'write:copy-page-3');
      const onDb = (args: readonly string[]) => files.run(args, { env: { OKPAY_DATABASE_URL: db.url } });
      expect(ok(await onDb(['store', 'info', '--json'])).json()).toMatchObject({ users: 0, journalEntries: 0 });
      ok(await files.run(['store', 'copy', '--from', files.home, '--to', db.url]));
      // Into a directory: killed mid-way, then just before the rename that is its commit point.
      for (const stop of ['write:copy-page-3', 'rename:store']) {
        await killedAt(['store', 'copy', '--from', db.url, '--to', target], stop);
        expect(existsSync(target), stop).toBe(false);
        // What it left is a hidden sibling being built, never a store at the target's name.
        expect(readdirSync(parent).filter((name) => !name.startsWith('.store.copy-'))).toEqual([]);
      }
      // A copy under way (this test's own process stands for one) keeps its directory.
      const underWay = `.store.copy-${process.pid}-0123abcd`;
      mkdirSync(path.join(parent, underWay));
      ok(await files.run(['store', 'copy', '--from', db.url, '--to', target]));
      // What the killed copies left is gone.
      expect(readdirSync(parent).sort()).toEqual([underWay, 'store']);
      const copy = new Okpay({ home: target, testStore: false });
      expect(ok(await copy.run(['verify', '--json'])).json()).toMatchObject({ ok: true });
      expect(ok(await copy.run(['fixtures', 'export'])).stdout).toBe(ok(await files.run(['fixtures', 'export'])).stdout);
    } finally {
      files.cleanup();
    }
  });

  it('a directory that holds an empty store is filled: the empty store is replaced under its lock, and nothing is left beside it', async () => {
    const files = new Okpay();
    const db = await testDatabase();
    const parent = mkdtempSync(path.join(os.tmpdir(), 'okpay-copy-'));
    const target = new Okpay({ home: path.join(parent, 'store'), testStore: false });
    try {
      ok(await files.run(['fixtures', 'load', DEMO_FILE]));
      // An empty database copied into the directory leaves an empty store there (a store.json, no user, entry or mail).
      ok(await files.run(['store', 'migrate', '--test'], { env: { OKPAY_DATABASE_URL: db.url } }));
      ok(await files.run(['store', 'copy', '--from', db.url, '--to', target.home]));
      expect(ok(await target.run(['store', 'info', '--json'])).json()).toMatchObject({ users: 0, journalEntries: 0, schemaVersion: SPLIT_SCHEMA_VERSION });
      const copied = ok(await files.run(['store', 'copy', '--from', files.home, '--to', target.home, '--json'])).json<{ verify: { ok: boolean } }>();
      expect(copied.verify.ok).toBe(true);
      expect(ok(await target.run(['fixtures', 'export'])).stdout).toBe(ok(await files.run(['fixtures', 'export'])).stdout);
      // The empty store moved aside and the directory the copy was built in are both gone.
      expect(readdirSync(parent)).toEqual(['store']);
    } finally {
      files.cleanup();
      target.cleanup();
    }
  });

  it('a store made at the target while the copy runs is kept: the copy is refused (exit 6) and replaces nothing', async () => {
    const files = new Okpay();
    const parent = mkdtempSync(path.join(os.tmpdir(), 'okpay-copy-'));
    const target = new Okpay({ home: path.join(parent, 'store'), testStore: false });
    try {
      ok(await files.run(['fixtures', 'load', DEMO_FILE]));
      const copy = await stoppedAt(['store', 'copy', '--from', files.home, '--to', target.home], 'write:copy-page-3');
      // Meanwhile someone registers there (a real store: no fixed clock), and is told it worked.
      const signUp = ['register', '--email', 'zed@example.org', '--password-stdin', '--accept-terms', '--country', 'DE'];
      ok(await target.run(signUp, { stdin: `${PASSWORD}\n`, env: { OKPAY_NOW: undefined } }));
      copy.child.kill('SIGCONT');
      const ended = await copy.exited;
      expect(ended.code, ended.stderr).toBe(6);
      expect(ended.stderr).toContain('was changed during the copy');
      expect(ok(await target.run(['store', 'info', '--json'], { env: { OKPAY_NOW: undefined } })).json()).toMatchObject({ users: 1 });
    } finally {
      files.cleanup();
      target.cleanup();
    }
  });
});

/**
 * Runs okpay until it stops itself (SIGSTOP) at `stopAt` (OKPAY_TEST_STOP_AT, with pages of 5 rows), then kills it
 * with SIGKILL, as a machine that dies there would.
 */
async function killedAt(args: readonly string[], stopAt: string): Promise<void> {
  const { child, exited } = await stoppedAt(args, stopAt);
  child.kill('SIGKILL');
  expect((await exited).signal).toBe('SIGKILL');
}

/** Runs okpay until it stops itself (SIGSTOP) at `stopAt` (pages of 5 rows); `exited` gives its exit code or signal once it goes on (SIGCONT) and ends. */
async function stoppedAt(
  args: readonly string[],
  stopAt: string,
): Promise<{ child: ReturnType<typeof spawn>; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> }> {
  const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], NODE_ENV: 'test', OKPAY_NOW: DEFAULT_NOW, OKPAY_BCRYPT_COST: '4' };
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...env, OKPAY_TEST_STOP_AT: stopAt, OKPAY_TEST_COPY_PAGE_ROWS: '5' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`okpay exited before it stopped at ${stopAt}: ${stderr}`);
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('T')) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { child, exited };
}
