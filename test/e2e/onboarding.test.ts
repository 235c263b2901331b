import { describe, it, expect, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSync } from 'otplib';
import type { MailRecord } from '../../src/domain/mail.js';
import { mails } from '../support/accounts.js';
import { BIN, Okpay, type Run } from '../support/okpay.js';
import { expectOk, PASSWORD } from '../support/outcome.js';
import { storeFiles, storeRecords, storeRoot } from '../support/store-files.js';

const NEW_PASSWORD = 'Quiet-river-77#';
const MINUTE_MS = 60_000;
const ANSI = /\u001b\[/;

const homes: Okpay[] = [];

afterEach(() => {
  for (const okpay of homes.splice(0)) okpay.cleanup();
});

function okpay(): Okpay {
  const created = new Okpay();
  homes.push(created);
  return created;
}

function tokenIn(mail: MailRecord | undefined, prefix: string): string {
  const token = new RegExp(`\\b(${prefix}_[A-Za-z0-9_-]+)`).exec(mail?.text ?? '')?.[1];
  if (!token) throw new Error(`no ${prefix} token in the mail`);
  return token;
}

function totpAt(secret: string, iso: string): string {
  return generateSync({ secret, epoch: Math.floor(Date.parse(iso) / 1000) });
}

async function login(o: Okpay, email: string, extra: readonly string[] = [], password = PASSWORD): Promise<Run> {
  return o.run(['login', '--email', email, '--password-stdin', ...extra], { stdin: `${password}\n` });
}

/** register → activate (token from the .eml file) → login; the session is kept in <home>/session. */
async function onboard(o: Okpay, email: string): Promise<void> {
  expectOk(await o.run(['register', '--email', email, '--password-stdin', '--accept-terms'], { stdin: `${PASSWORD}\n` }));
  expectOk(await o.run(['activate', tokenIn((await mails(o, email, 'activation')).pop(), 'act'), '--password-stdin'], { stdin: `${PASSWORD}\n` }));
  expectOk(await login(o, email));
}

/** Turns 2FA on for the signed-in user and returns the secret; the clock ends a minute later. */
async function enableTwoFactor(o: Okpay): Promise<{ secret: string; recoveryCodes: string[] }> {
  const { twoFactor } = expectOk(await o.run(['2fa', 'enable', '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` })).json<{
    twoFactor: { secret: string; uri: string; recoveryCodes: string[] };
  }>();
  expectOk(await o.run(['2fa', 'confirm', totpAt(twoFactor.secret, o.now), '--password-stdin'], { stdin: `${PASSWORD}\n` }));
  o.advance(MINUTE_MS);
  return twoFactor;
}

describe('onboarding from the real binary', () => {
  it('register → activate → login → 2FA → logout → login with a code → whoami, and a replayed code is refused', async () => {
    const o = okpay();
    const email = 'ada@example.com';
    const registered = await o.run(
      ['register', '--email', 'Ada@Example.com', '--name', 'Ada Lovelace', '--country', 'GB', '--password-stdin', '--accept-terms', '--json'],
      { stdin: `${PASSWORD}\n` },
    );
    expect(expectOk(registered).json()).toMatchObject({ user: { email, status: 'pending' } });

    const listed = expectOk(await o.run(['outbox', 'list', '--to', email, '--kind', 'activation', '--json'])).json<{ mails: { id: string }[] }>();
    expect(listed.mails).toHaveLength(1);
    const shown = expectOk(await o.run(['outbox', 'show', listed.mails[0]?.id ?? '', '--json'])).json<{ mail: { text: string } }>();
    const activation = /okpay activate (act_\S+)/.exec(shown.mail.text)?.[1] ?? '';
    expect(expectOk(await o.run(['outbox', 'show', listed.mails[0]?.id ?? '', '--raw'])).stdout).toMatch(
      /^From: OKPay <no-reply@okpay\.example>\r\nTo: ada@example\.com\r\n/,
    );
    expect(expectOk(await o.run(['activate', activation, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` })).json()).toMatchObject({
      user: { status: 'active' },
    });

    expectOk(await login(o, email));
    expect(statSync(path.join(o.home, 'session')).mode & 0o777).toBe(0o600);
    const enrol = expectOk(await o.run(['2fa', 'enable', '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` })).json<{
      twoFactor: { secret: string; uri: string; recoveryCodes: string[] };
    }>().twoFactor;
    expect(enrol.uri).toMatch(/^otpauth:\/\/totp\/OKPay:ada%40example\.com\?secret=[A-Z2-7]+&issuer=OKPay$/);
    expect(enrol.recoveryCodes).toHaveLength(10);
    expectOk(await o.run(['2fa', 'confirm', totpAt(enrol.secret, o.now), '--password-stdin'], { stdin: `${PASSWORD}\n` }));
    expectOk(await o.run(['logout']));

    o.advance(MINUTE_MS);
    const withoutCode = await login(o, email, ['--json']);
    expect(withoutCode.code, withoutCode.stderr).toBe(2);
    expect(withoutCode.error().hint).toContain('--otp');
    const code = totpAt(enrol.secret, o.now);
    expectOk(await login(o, email, ['--otp', code]));
    const whoami = expectOk(await o.run(['whoami', '--json'])).json<{ user: Record<string, unknown> }>();
    expect(whoami.user).toMatchObject({ email, role: 'user', status: 'active', twoFactor: true });
    expect(typeof whoami.user['id']).toBe('string');

    expectOk(await o.run(['logout']));
    const replay = await login(o, email, ['--otp', code, '--json']);
    expect(replay.code, replay.stderr).toBe(3);
    expect(replay.error()).toMatchObject({ code: 'BAD_OTP', exitCode: 3 });
    expect(replay.error().message).toContain('already used');
  });

  it('signs in with a recovery code once', async () => {
    const o = okpay();
    await onboard(o, 'ada@example.com');
    const { recoveryCodes } = await enableTwoFactor(o);
    expectOk(await o.run(['logout']));
    const first = expectOk(await login(o, 'ada@example.com', ['--otp', recoveryCodes[3] ?? '']));
    expect(first.stderr).toContain('recovery code; 9 left');
    expectOk(await o.run(['logout']));
    const again = await login(o, 'ada@example.com', ['--otp', recoveryCodes[3] ?? '', '--json']);
    expect(again.error()).toMatchObject({ code: 'BAD_OTP', exitCode: 3 });
  });
});

describe('lockout and locks', () => {
  it('locks after five failed sign-ins, mails an unlock token, and unlocks with token and password', async () => {
    const o = okpay();
    const email = 'bob@example.com';
    await onboard(o, email);
    for (let i = 0; i < 5; i += 1) {
      const failed = await login(o, email, ['--json'], 'Wrong-password-1');
      expect(failed.code, failed.stderr).toBe(3);
      expect(failed.error().code).toBe('BAD_CREDENTIALS');
    }
    const locked = await login(o, email, ['--json']);
    expect(locked.code, locked.stderr).toBe(6);
    expect(locked.error()).toMatchObject({ code: 'ACCOUNT_LOCKED', exitCode: 6 });
    expect(locked.error().message).toContain('5 failed sign-ins');
    expect(locked.error().hint).toContain('--token');
    // The session from before the lockout is over, and says why.
    const whoami = await o.run(['whoami', '--json']);
    expect(whoami.code, whoami.stderr).toBe(6);
    expect(whoami.error().code).toBe('ACCOUNT_LOCKED');

    const notice = (await mails(o, email, 'account-locked')).pop();
    expect(notice?.text).toContain('5 failed sign-ins');
    const token = tokenIn(notice, 'unl');
    const noToken = await o.run(['unlock', '--email', email, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(noToken.code, noToken.stderr).toBe(3);
    expect(noToken.error().code).toBe('INVALID_TOKEN');
    const unlocked = await o.run(['unlock', '--email', email, '--token', token, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(expectOk(unlocked).json()).toMatchObject({ user: { email, status: 'active', lock: null } });
    expectOk(await login(o, email));
  });

  it('a self-lock ends the session; unlock needs the password and a 2FA code', async () => {
    const o = okpay();
    const email = 'cy@example.com';
    await onboard(o, email);
    const { secret } = await enableTwoFactor(o);
    const raw = expectOk(await login(o, email, ['--raw', '--otp', totpAt(secret, o.now)])).stdout.trim();
    const noYes = await o.run(['lock', '--reason', 'lost my phone', '--json']);
    expect(noYes.code, noYes.stderr).toBe(2);
    expect(noYes.error()).toMatchObject({ code: 'CONFIRMATION_REQUIRED', exitCode: 2 });
    expect(noYes.error().hint).toContain('--yes');
    expectOk(await o.run(['lock', '--reason', 'lost my phone', '--yes']));
    const other = await o.run(['whoami', '--json'], { env: { OKPAY_SESSION: raw } });
    expect(other.code, other.stderr).toBe(6);
    expect(other.error()).toMatchObject({ code: 'ACCOUNT_LOCKED' });
    expect(other.error().message).toContain('lost my phone');
    o.advance(MINUTE_MS);
    const refused = await login(o, email, ['--otp', totpAt(secret, o.now), '--json']);
    expect(refused.code, refused.stderr).toBe(6);
    expect(refused.error().message).toContain('lost my phone');
    expect(refused.error().hint).toContain(`okpay unlock --email ${email}`);
    const noCode = await o.run(['unlock', '--email', email, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(noCode.code, noCode.stderr).toBe(2);
    expect(noCode.error().hint).toContain('--otp');
    o.advance(MINUTE_MS);
    expectOk(await o.run(['unlock', '--email', email, '--password-stdin', '--otp', totpAt(secret, o.now)], { stdin: `${PASSWORD}\n` }));
    o.advance(MINUTE_MS);
    expectOk(await login(o, email, ['--otp', totpAt(secret, o.now)]));
  });
});

describe('sessions and passwords', () => {
  it('--raw prints only the token, OKPAY_SESSION uses it, and it expires after 30 idle minutes', async () => {
    const o = okpay();
    const email = 'dee@example.com';
    await onboard(o, email);
    const raw = expectOk(await login(o, email, ['--raw']));
    expect(raw.stdout).toMatch(/^oks_[A-Za-z0-9_-]{43}\n$/);
    const token = raw.stdout.trim();
    expect(readFileSync(path.join(o.home, 'session'), 'utf8').trim()).not.toBe(token);
    for (const file of storeFiles(o.home)) expect(readFileSync(file, 'utf8'), file).not.toContain(token);
    o.session = token;
    o.advance(29 * MINUTE_MS);
    expect(expectOk(await o.run(['whoami', '--json'])).json()).toMatchObject({ user: { email } });
    o.advance(30 * MINUTE_MS);
    const expired = await o.run(['whoami', '--json']);
    expect(expired.code, expired.stderr).toBe(3);
    expect(expired.error()).toMatchObject({ code: 'SESSION_EXPIRED' });
    expect(expired.error().message).toContain('30 minutes');
  });

  it('a password change signs out the other sessions', async () => {
    const o = okpay();
    const email = 'eve@example.com';
    await onboard(o, email);
    const other = expectOk(await login(o, email, ['--raw'])).stdout.trim();
    expectOk(await o.run(['password', 'change', '--password-stdin'], { stdin: `${PASSWORD}\n${NEW_PASSWORD}\n` }));
    expectOk(await o.run(['whoami']));
    const ended = await o.run(['whoami', '--json'], { env: { OKPAY_SESSION: other } });
    expect(ended.code, ended.stderr).toBe(3);
    expect(ended.error().code).toBe('SESSION_EXPIRED');
    expect((await login(o, email, ['--json'])).code).toBe(3);
    expectOk(await login(o, email, [], NEW_PASSWORD));
  });

  it('resets a forgotten password with the mailed token, once', async () => {
    const o = okpay();
    const email = 'fay@example.com';
    await onboard(o, email);
    expectOk(await o.run(['password', 'reset', '--email', email]));
    const token = tokenIn((await mails(o, email, 'password-reset')).pop(), 'rst');
    expectOk(await o.run(['password', 'reset', '--token', token, '--password-stdin'], { stdin: `${NEW_PASSWORD}\n` }));
    const old = await o.run(['whoami', '--json']);
    expect(old.error().code).toBe('SESSION_EXPIRED');
    const reused = await o.run(['password', 'reset', '--token', token, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(reused.code, reused.stderr).toBe(3);
    expect(reused.error().code).toBe('INVALID_TOKEN');
    expect((await login(o, email, ['--json'])).code).toBe(3);
    expectOk(await login(o, email, [], NEW_PASSWORD));
  });
});

describe('the store from the real binary', () => {
  it.each([
    ['not JSON', '{"schemaVersion":1,'],
    ['null', 'null'],
  ])('[files] refuses a root file (store.json) that is %s with exit 10 and leaves it byte-identical', async (_name, text) => {
    const o = okpay();
    expectOk(await o.run(['register', '--email', 'gus@example.com', '--password-stdin', '--accept-terms'], { stdin: `${PASSWORD}\n` }));
    const file = path.join(o.home, 'store.json');
    writeFileSync(file, text);
    const result = await o.run(['register', '--email', 'hal@example.com', '--password-stdin', '--accept-terms', '--json'], { stdin: `${PASSWORD}\n` });
    expect(result.code, result.stderr).toBe(10);
    expect(result.error()).toMatchObject({ code: 'STORE_CORRUPT', exitCode: 10 });
    expect(result.error().message).toContain(file);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  // [files]: a real store of its own (the data directory's files), never the suite's.
  it('[files] 8 processes registering at once lose no update', async () => {
    // A real store on the real clock: the count of audit entries below is the registrations' alone.
    const o = new Okpay({ testStore: false });
    homes.push(o);
    const writers = Array.from({ length: 8 }, async (_, p) => {
      const codes: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        const result = await o.run(['register', '--email', `p${p}-u${i}@example.com`, '--password-stdin', '--accept-terms'], {
          stdin: `${PASSWORD}\n`,
          env: { OKPAY_NOW: undefined },
        });
        codes.push(result.code);
      }
      return codes;
    });
    expect((await Promise.all(writers)).flat()).toEqual(Array(40).fill(0));
    const users = storeRecords<{ email: string }>(o.home, 'users');
    const { meta } = storeRoot<{ mailSeq: number; audit: { seq: number } }>(o.home);
    const emails = [...users.values()].map((u) => u.email).sort();
    const expected = Array.from({ length: 8 }, (_, p) => Array.from({ length: 5 }, (_, i) => `p${p}-u${i}@example.com`))
      .flat()
      .sort();
    expect(emails).toEqual(expected);
    expect(meta.mailSeq).toBe(40);
    expect(meta.audit.seq).toBe(40);
    expect((await mails(o)).map((m) => m.to).sort()).toEqual(expected);
  });
});

describe('output and usage from the real binary', () => {
  it('prints no ANSI codes when piped, even with a colour-capable TERM; NO_COLOR and --no-color beat FORCE_COLOR', async () => {
    const o = okpay();
    await onboard(o, 'ivy@example.com');
    const colourTerm = { TERM: 'xterm-256color', COLORTERM: 'truecolor', CLICOLOR: '1', CLICOLOR_FORCE: '1' };
    const plain = await o.run(['whoami'], { env: colourTerm });
    expect(plain.stdout).toContain('ivy@example.com');
    expect(plain.stdout + plain.stderr).not.toMatch(ANSI);
    const forced = await o.run(['whoami'], { env: { FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(ANSI);
    const noColor = await o.run(['whoami'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } });
    expect(noColor.stdout + noColor.stderr).not.toMatch(ANSI);
    const flag = await o.run(['whoami', '--no-color'], { env: { FORCE_COLOR: '1' } });
    expect(flag.stdout + flag.stderr).not.toMatch(ANSI);
    expect(flag.stdout).toBe(noColor.stdout);
  });

  it('prints the help with no arguments (exit 0) and the version', async () => {
    const o = okpay();
    const help = await o.run([]);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: okpay');
    const version = await o.run(['--version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('without a terminal, a missing value is exit 2 naming the flag', async () => {
    const o = okpay();
    const noPassword = await o.run(['login', '--email', 'ada@example.com', '--json']);
    expect(noPassword.code, noPassword.stderr).toBe(2);
    expect(noPassword.error()).toMatchObject({ code: 'USAGE', exitCode: 2 });
    expect(noPassword.error().hint).toContain('--password-stdin');
    const noEmail = await o.run(['register', '--accept-terms']);
    expect(noEmail.code, noEmail.stderr).toBe(2);
    expect(noEmail.stderr).toContain('--email');
    const unknown = await o.run(['whoami', '--colour']);
    expect(unknown.code, unknown.stderr).toBe(2);
    expect(unknown.stderr).toBe("okpay: unknown option '--colour' — see `okpay whoami --help`\n");
  });

  it.each([[['completion', 'bash']], [['--version']], [['-V']]])('exits quietly when the reader of its output goes away (EPIPE): okpay %j', async (args) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'] },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
