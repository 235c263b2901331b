// Files and directories through the real binary (issue 15, item 10): a link planted at the name of
// a temporary or staged file never receives the store; a data directory (or one it writes in) that
// another user can change is refused with STORE_UNSAFE (exit 10) before anything is written; files
// written on request (--output) are new files of mode 0600, never written through a link.

import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, Okpay, type Run } from '../support/okpay.js';
import { PASSWORD } from '../support/outcome.js';

const NOW = '2026-11-23T10:00:00.000Z';
const FIXTURE = { users: [{ name: 'ada', email: 'ada@example.com', password: PASSWORD, fullName: 'Ada Lovelace', country: 'GB', balances: { USD: '50.00' } }] };
const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

const root = mkdtempSync(path.join(os.tmpdir(), 'okpay-files-'));
const fixture = path.join(root, 'fixture.json');
writeFileSync(fixture, JSON.stringify(FIXTURE));

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh, private data directory under the test's root; loading the fixture makes it a test store. */
function privateHome(name: string): Okpay {
  const home = path.join(root, name);
  mkdirSync(home, { mode: 0o700 });
  return new Okpay({ home, now: NOW, testStore: false });
}

/**
 * okpay started by a shell that first plants links to `leak` at every name okpay could use for a
 * temporary or staged file in the data directory: `exec` keeps the shell's pid, so `$$` is the pid
 * okpay puts in its temporary names.
 */
function withPlantedLinks(o: Okpay, leak: string, argv: readonly string[], stdin = ''): Promise<Run> {
  const plant =
    'for n in state.json store.json session; do ln -s "$LEAK" "$OKPAY_HOME/.$n.$$.tmp"; done; ln -s "$LEAK" "$OKPAY_HOME/.store.json.stage"; exec "$0" "$@"';
  const env = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    OKPAY_HOME: o.home,
    OKPAY_NOW: NOW,
    OKPAY_BCRYPT_COST: '4',
    LEAK: leak,
    ...(o.session ? { OKPAY_SESSION: o.session } : {}),
  };
  const child = spawn('sh', ['-c', plant, process.execPath, BIN, ...argv], { env });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.stdin.end(stdin);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      resolve({
        code: code ?? -1,
        stdout,
        stderr,
        json: <T>() => JSON.parse(stdout) as T,
        error: () => (JSON.parse(stderr.trim().split('\n').pop() ?? '{}') as { error: ReturnType<Run['error']> }).error,
      });
    }),
  );
}

function removeLinks(home: string): void {
  for (const name of readdirSync(home)) if (/^\.(state\.json|store\.json|session)\./.test(name)) rmSync(path.join(home, name), { force: true });
}

async function usd(o: Okpay): Promise<string | undefined> {
  const run = await o.run(['balance', '--json']);
  expect(run.code, run.stderr).toBe(0);
  return run.json<{ balances: { currency: string; available: string }[] }>().balances.find((b) => b.currency === 'USD')?.available;
}

function expectUnsafe(run: Run, why: RegExp): void {
  expect(run.code, run.stderr).toBe(10);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(run.error()).toMatchObject({ code: 'STORE_UNSAFE', exitCode: 10 });
  expect(run.error().message).toMatch(why);
}

function listing(directory: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      found.push(`${path.relative(directory, full)} ${statSync(full).size}`);
      if (statSync(full).isDirectory()) walk(full);
    }
  };
  walk(directory);
  return found;
}

describe('links planted at temporary and staged names', () => {
  it('never receive the store, a session or a mail: the commands work and the link target stays empty', async () => {
    const o = privateHome('planted');
    const outside = mkdtempSync(path.join(root, 'outside-'));
    const leak = path.join(outside, 'leak');
    writeFileSync(leak, '');
    chmodSync(leak, 0o644);

    const loaded = await withPlantedLinks(o, leak, ['fixtures', 'load', fixture]);
    expect(loaded.code, loaded.stderr).toBe(0);
    removeLinks(o.home);
    const login = await withPlantedLinks(o, leak, ['login', '--email', 'ada@example.com', '--password-stdin'], `${PASSWORD}\n`);
    expect(login.code, login.stderr).toBe(0);
    removeLinks(o.home);
    const deposit = await withPlantedLinks(o, leak, ['deposit', '--amount', '12.50', '--currency', 'USD', '--json']);
    expect(deposit.code, deposit.stderr).toBe(0);
    removeLinks(o.home);

    expect(readFileSync(leak, 'utf8')).toBe('');
    expect(statSync(leak).mode & 0o777).toBe(0o644);
    expect(await usd(o)).toBe('62.50');
    expect((await o.run(['whoami', '--json'])).json<{ user: { email: string } }>().user.email).toBe('ada@example.com');
    expect((await o.run(['verify'])).code).toBe(0);
  });
});

describe('a data directory other users can change', () => {
  it('is refused before anything is written, whether others or the group can write in it', async () => {
    const o = privateHome('shared');
    for (const mode of [0o777, 0o770, 0o1777]) {
      chmodSync(o.home, mode);
      expectUnsafe(await o.run(['fixtures', 'load', fixture, '--json']), /other users can write in it/);
      expect(listing(o.home)).toEqual([]);
    }
    chmodSync(o.home, 0o755);
    expect((await o.run(['fixtures', 'load', fixture])).code).toBe(0);
  });

  it('a directory it writes in, inside a private data directory, is refused too and the store is unchanged', async () => {
    const o = privateHome('subdirectory');
    expect((await o.run(['fixtures', 'load', fixture])).code).toBe(0);
    const login = await o.run(['login', '--email', 'ada@example.com', '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n` });
    o.session = login.stdout.trim();
    const journal = readdirSync(o.home).find((name) => name === 'journal');
    expect(journal).toBe('journal');
    chmodSync(path.join(o.home, 'journal'), 0o777);
    const before = listing(o.home);
    expectUnsafe(await o.run(['deposit', '--amount', '5', '--currency', 'USD', '--json']), /journal: other users can write in it/);
    expect(listing(o.home)).toEqual(before);
    chmodSync(path.join(o.home, 'journal'), 0o700);
    expect(await usd(o)).toBe('50.00');
    expect((await o.run(['deposit', '--amount', '5', '--currency', 'USD'])).code).toBe(0);
    expect(await usd(o)).toBe('55.00');
  });

  it('a link of this user to a private directory is used as that directory', async () => {
    const o = privateHome('target');
    const link = path.join(root, 'my-link');
    symlinkSync(o.home, link);
    const viaLink = new Okpay({ home: link, now: NOW, testStore: false });
    expect((await viaLink.run(['fixtures', 'load', fixture])).code).toBe(0);
    expect(readdirSync(o.home).length).toBeGreaterThan(0);
  });

  // Another user's link or directory can only be made by root (CI runs as root); as root, root's
  // own are this user's, so the checks are told apart by the other user's uid.
  it(isRoot ? 'a link or a directory owned by another user is refused' : 'needs root to give a link to another user', async () => {
    if (!isRoot) {
      expect(isRoot).toBe(false);
      return;
    }
    const o = privateHome('theirs-target');
    const link = path.join(root, 'their-link');
    symlinkSync(o.home, link);
    lchownSync(link, NOBODY, NOBODY);
    expectUnsafe(
      await new Okpay({ home: link, now: NOW, testStore: false }).run(['fixtures', 'load', fixture, '--json']),
      /symbolic link owned by another user \(uid 65534\)/,
    );
    lchownSync(o.home, NOBODY, NOBODY);
    expectUnsafe(await o.run(['fixtures', 'load', fixture, '--json']), /belongs to another user \(uid 65534\)/);
    expect(readdirSync(o.home)).toEqual([]);
  });
});

describe('files written on request (--output)', () => {
  const o = privateHome('requests');
  const out = mkdtempSync(path.join(root, 'out-'));
  let ticket = '';

  it('fixtures export, ticket export and history --csv: a new file of mode 0600, an existing one replaced whole (its loose mode not kept), a link refused', async () => {
    expect((await o.run(['fixtures', 'load', fixture])).code).toBe(0);
    o.session = (await o.run(['login', '--email', 'ada@example.com', '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n` })).stdout.trim();
    const opened = await o.run(['ticket', 'new', '--category', 'account', '--subject', 'A question', '--body', 'How do I close my account?', '--json']);
    expect(opened.code, opened.stderr).toBe(0);
    ticket = String(opened.json<{ ticket: { number: number } }>().ticket.number);
    const commands: [string, (file: string) => string[], RegExp][] = [
      ['fixtures export', (file) => ['fixtures', 'export', '--output', file], /^\{"audit":/],
      ['ticket export', (file) => ['ticket', 'export', ticket, '--output', file], /^# /],
      ['history --csv', (file) => ['history', '--csv', '--output', file], /^id,date,type/],
    ];
    for (const [name, argv, content] of commands) {
      const fresh = path.join(out, `${name.replace(/\W+/g, '-')}-new`);
      const made = await o.run(argv(fresh));
      expect(made.code, `${name}: ${made.stderr}`).toBe(0);
      expect(readFileSync(fresh, 'utf8'), name).toMatch(content);
      expect(statSync(fresh).mode & 0o777, name).toBe(0o600);

      const loose = path.join(out, `${name.replace(/\W+/g, '-')}-loose`);
      writeFileSync(loose, 'old text that is longer than nothing');
      chmodSync(loose, 0o666);
      expect((await o.run(argv(loose))).code, name).toBe(0);
      expect(readFileSync(loose, 'utf8'), name).toMatch(content);
      expect(statSync(loose).mode & 0o777, name).toBe(0o600);

      const elsewhere = path.join(out, `${name.replace(/\W+/g, '-')}-target`);
      writeFileSync(elsewhere, '');
      chmodSync(elsewhere, 0o644);
      const link = path.join(out, `${name.replace(/\W+/g, '-')}-link`);
      symlinkSync(elsewhere, link);
      const refused = await o.run(argv(link));
      expect(refused.code, `${name}: ${refused.stderr}`).toBe(2);
      expect(refused.stderr).toBe(`okpay: will not write ${link}: it is a symbolic link, and okpay does not write through links — name the file itself\n`);
      expect(readFileSync(elsewhere, 'utf8'), name).toBe('');
      expect(lstatSync(link).isSymbolicLink(), name).toBe(true);
    }
    expect(readdirSync(out).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('a device is written as it is, a full one is a one-line INVALID_FILE, and no temporary file is left', async () => {
    expect((await o.run(['fixtures', 'export', '--output', '/dev/null'])).code).toBe(0);
    const full = await o.run(['history', '--csv', '--output', '/dev/full']);
    expect(full.code).toBe(2);
    expect(full.stderr).toMatch(/^okpay: cannot write \/dev\/full \(ENOSPC\)\n$/);
    const missing = await o.run(['ticket', 'export', ticket, '--output', path.join(out, 'no-such-dir', 'file.md'), '--json']);
    expect(missing.code).toBe(2);
    expect(existsSync(path.join(out, 'no-such-dir'))).toBe(false);
    expect(readdirSync(out).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
