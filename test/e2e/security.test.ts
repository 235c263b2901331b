// Security through the real binary: after a whole scenario (register, 2FA, sign-ins, money, a
// ticket, a password change) the password, the TOTP secret and the session tokens appear nowhere
// they should not — output, outbox, audit log, journal, index, the process list —, every file is
// 0600 and every directory 0700 even under umask 000, and tampering with balances, journal
// entries or the audit log is caught by `okpay verify` (exit 10).

import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otplibTotp } from '../../src/cli/auth-adapters.js';
import { BIN } from '../support/okpay.js';
import { forgeRecord, storeMailTexts, storeRecords } from '../support/store-files.js';
import { PASSWORD } from '../support/outcome.js';

const NOW = Date.parse('2026-11-23T10:00:00.000Z');
const NEW_PASSWORD = 'Louder-harbour-88?';
const totp = otplibTotp();

interface Ran {
  readonly argv: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** okpay under umask 000, so every mode comes from okpay itself. */
function okpay(home: string, argv: readonly string[], options: { stdin?: string; token?: string; nowMs?: number } = {}): Promise<Ran> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'],
    HOME: process.env['HOME'],
    OKPAY_HOME: home,
    OKPAY_NOW: new Date(options.nowMs ?? NOW).toISOString(),
    OKPAY_BCRYPT_COST: '4',
  };
  if (options.token) env['OKPAY_SESSION'] = options.token;
  const child = spawn('sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, BIN, ...argv], { env });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ argv, code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() })),
  );
}

function files(directory: string): { file: string; isDirectory: boolean; mode: number }[] {
  const found: { file: string; isDirectory: boolean; mode: number }[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      const stat = statSync(full);
      found.push({ file: full, isDirectory: stat.isDirectory(), mode: stat.mode & 0o777 });
      if (stat.isDirectory()) walk(full);
    }
  };
  walk(directory);
  return found;
}

describe('secrets, file modes and tampering (the real binary)', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'okpay-security-'));
  const home = path.join(root, 'data');
  const runs: Ran[] = [];
  let secret = '';
  const tokens: string[] = [];

  const ok = async (argv: readonly string[], options: { stdin?: string; token?: string; nowMs?: number } = {}): Promise<Ran> => {
    const ran = await okpay(home, argv, options);
    runs.push(ran);
    expect(ran.code, `okpay ${argv.join(' ')}: ${ran.stderr}`).toBe(0);
    return ran;
  };

  beforeAll(async () => {
    const email = 'quiet@example.com';
    await ok(['dev', 'init']);
    await ok(['admin', 'init', '--email', 'ops@example.com', '--password-stdin'], { stdin: `${PASSWORD}\n` });
    await ok(['register', '--email', email, '--password-stdin', '--accept-terms', '--country', 'US'], { stdin: `${PASSWORD}\n` });
    const activation = storeMailTexts(home).join('\n');
    await ok(['activate', /\b(act_[A-Za-z0-9_-]+)/.exec(activation)?.[1] ?? 'act_missing', '--password-stdin'], { stdin: `${PASSWORD}\n` });
    // Without --raw the session goes to <data-dir>/session.
    await ok(['login', '--email', email, '--password-stdin'], { stdin: `${PASSWORD}\n` });
    tokens.push(readFileSync(path.join(home, 'session'), 'utf8').trim());
    const enabled = await ok(['2fa', 'enable', '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    secret = (JSON.parse(enabled.stdout) as { twoFactor: { secret: string } }).twoFactor.secret;
    runs.pop(); // the one place the secret is shown, on purpose
    await ok(['2fa', 'confirm', totp.generate(secret, NOW), '--password-stdin'], { stdin: `${PASSWORD}\n` });
    const later = NOW + 60_000;
    const raw = await ok(['login', '--email', email, '--password-stdin', '--otp', totp.generate(secret, later), '--raw'], {
      stdin: `${PASSWORD}\n`,
      nowMs: later,
    });
    runs.pop(); // --raw prints the session token, on purpose
    const token = raw.stdout.trim();
    tokens.push(token);
    await ok(['deposit', '--amount', '200', '--currency', 'USD'], { token, nowMs: later });
    await ok(['transfer', '--to', 'ops@example.com', '--amount', '25', '--currency', 'USD', '--memo', 'rent', '--yes'], { token, nowMs: later });
    await ok(['ticket', 'new', '--category', 'account', '--subject', 'Changing my password', '--body', 'Just checking.'], { token, nowMs: later });
    await ok(['password', 'change', '--password-stdin', '--otp', totp.generate(secret, later + 30_000)], {
      token,
      stdin: `${PASSWORD}\n${NEW_PASSWORD}\n`,
      nowMs: later + 30_000,
    });
    await ok(['history', '--json'], { token, nowMs: later + 30_000 });
    await ok(['outbox', 'list', '--json']);
    await ok(['verify']);
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('the password, the TOTP secret and session tokens are in no output, mail, audit entry, journal entry or index', () => {
    const secrets = [PASSWORD, NEW_PASSWORD, secret, ...tokens];
    const leaks: string[] = [];
    for (const ran of runs) {
      for (const s of secrets) if (ran.stdout.includes(s) || ran.stderr.includes(s)) leaks.push(`okpay ${ran.argv.join(' ')} printed ${s.slice(0, 6)}…`);
    }
    for (const { file, isDirectory } of files(home)) {
      if (isDirectory || path.basename(file) === 'session') continue;
      const text = readFileSync(file, 'utf8');
      // The user records hold the TOTP secret (a verifier needs it in the clear); never a password or a raw token.
      const forbidden = path.relative(home, file).startsWith(path.join('records', 'users') + path.sep) ? [PASSWORD, NEW_PASSWORD, ...tokens] : secrets;
      for (const s of forbidden) if (text.includes(s)) leaks.push(`${path.relative(home, file)} holds ${s.slice(0, 6)}…`);
    }
    expect(leaks).toEqual([]);
    expect([...storeRecords<{ passwordHash: string }>(home, 'users').values()].every((u) => /^\$2[aby]\$/.test(u.passwordHash))).toBe(true);
  });

  it('a password read from standard input is in neither the process list nor its environment', async () => {
    const child = spawn(process.execPath, [BIN, 'login', '--email', 'quiet@example.com', '--password-stdin'], {
      env: { PATH: process.env['PATH'], OKPAY_HOME: home, OKPAY_NOW: new Date(NOW).toISOString() },
    });
    const exited = new Promise((resolve) => child.on('close', resolve));
    // While okpay waits for standard input, look at what `ps` (and anyone reading /proc) sees.
    await new Promise((resolve) => setTimeout(resolve, 150));
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8');
    const environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8');
    child.stdin.end(`${NEW_PASSWORD}\n`);
    await exited;
    expect(cmdline).toContain('--password-stdin');
    expect(cmdline).not.toContain(NEW_PASSWORD);
    expect(environ).not.toContain(NEW_PASSWORD);
  });

  it('every file is 0600 and every directory 0700, even under umask 000', () => {
    const wrong = files(home)
      .filter((f) => f.mode !== (f.isDirectory ? 0o700 : 0o600))
      .map((f) => `${path.relative(home, f.file)} ${f.mode.toString(8)}`);
    expect(wrong).toEqual([]);
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });

  describe('tampering is caught by okpay verify (exit 10)', () => {
    const tampered = (name: string, change: (copy: string) => void): Promise<Ran> => {
      const copy = path.join(root, name);
      cpSync(home, copy, { recursive: true });
      change(copy);
      return okpay(copy, ['verify']);
    };
    const editJson = (file: string, edit: (doc: { entries: Record<string, unknown>[] } & Record<string, unknown>) => void) => {
      const doc = JSON.parse(readFileSync(file, 'utf8')) as { entries: Record<string, unknown>[] } & Record<string, unknown>;
      edit(doc);
      writeFileSync(file, JSON.stringify(doc));
    };

    it('a balance raised in its record (the bucket file re-sealed)', async () => {
      const ran = await tampered('balance', (copy) => {
        const balances = storeRecords<Record<string, number>>(copy, 'balances');
        const account = [...balances.keys()].find((a) => a.startsWith('user:') && (balances.get(a)?.['USD'] ?? 0) > 0) ?? '';
        forgeRecord<Record<string, number>>(copy, 'balances', account, (row) => ({ ...row, USD: (row['USD'] ?? 0) + 100_00 }));
      });
      expect(ran.code).toBe(10);
      expect(ran.stderr).toMatch(/balance of user:/);
    });

    it('an amount changed in a journal entry (still balanced)', async () => {
      const ran = await tampered('journal', (copy) =>
        editJson(path.join(copy, 'journal', '00000000.json'), (doc) => {
          const tx = doc.entries[doc.entries.length - 1]?.['tx'] as { postings: { amountMinor: number }[] };
          const [first, second] = tx.postings;
          if (first && second) {
            first.amountMinor += first.amountMinor > 0 ? 500 : -500;
            second.amountMinor += first.amountMinor > 0 ? -500 : 500;
          }
        }),
      );
      expect(ran.code).toBe(10);
      expect(ran.stderr).toMatch(/journal/);
    });

    it('an audit entry rewritten, and one removed', async () => {
      const rewritten = await tampered('audit-edit', (copy) =>
        editJson(path.join(copy, 'audit', '00000000.json'), (doc) => {
          const event = doc.entries[0]?.['event'] as { type: string };
          event.type = 'nothing.to.see';
        }),
      );
      expect(rewritten.code).toBe(10);
      expect(rewritten.stderr).toMatch(/audit/);
      const removed = await tampered('audit-drop', (copy) =>
        editJson(path.join(copy, 'audit', '00000000.json'), (doc) => {
          doc.entries.splice(1, 1);
        }),
      );
      expect(removed.code).toBe(10);
      expect(removed.stderr).toMatch(/audit/);
    });
  });
});
