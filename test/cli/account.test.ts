import { describe, it, expect } from 'vitest';
import { generateSync } from 'otplib';
import type { User } from '../../src/domain/state.js';
import { Cli, PASSWORD } from '../support/cli.js';
import { recordsOf } from '../support/records.js';

const EMAIL = 'ada@example.com';
const MINUTE_MS = 60_000;

describe('register', () => {
  it('creates a pending account and mails an activation token', async () => {
    const cli = new Cli();
    const result = await cli.run(
      [
        'register',
        '--email',
        ' Ada@Example.COM ',
        '--name',
        'Ada Lovelace',
        '--country',
        'gb',
        '--phone',
        '+44 20 7946 0958',
        '--password-stdin',
        '--accept-terms',
        '--json',
      ],
      {
        stdin: `${PASSWORD}\n`,
      },
    );
    expect(result.code).toBe(0);
    const { user } = result.json<{ user: Record<string, unknown> }>();
    expect(user).toMatchObject({ email: EMAIL, status: 'pending', role: 'user', country: 'GB', name: 'Ada Lovelace', twoFactor: false });
    expect(String(user['id'])).toMatch(/^usr_[a-z2-7]{12}$/);
    expect(JSON.stringify(user)).not.toContain('$2b$');
    expect(cli.mail(EMAIL, 'activation').subject).toBe('Activate your OKPay account');
    expect((recordsOf(cli.store).users?.[String(user['id'])] as User | undefined)?.passwordHash).toMatch(/^\$2b\$04\$/);
  });

  it.each([
    ['an invalid email', ['--email', 'ada.example.com'], PASSWORD, 'INVALID_EMAIL'],
    ['a short password', ['--email', EMAIL], 'Ab1!', 'WEAK_PASSWORD'],
    ['a password without a symbol', ['--email', EMAIL], 'Abcdefgh1', 'WEAK_PASSWORD'],
    ['a password without a digit', ['--email', EMAIL], 'Abcdefgh!', 'WEAK_PASSWORD'],
    ['a password without a letter', ['--email', EMAIL], '12345678!', 'WEAK_PASSWORD'],
    ['a password over 72 bytes', ['--email', EMAIL], `A1!${'é'.repeat(35)}`, 'WEAK_PASSWORD'],
    ['a phone that is not E.164', ['--email', EMAIL, '--phone', '12'], PASSWORD, 'INVALID_PHONE'],
    ['an unknown country', ['--email', EMAIL, '--country', 'XX'], PASSWORD, 'INVALID_COUNTRY'],
    ['an unknown language', ['--email', EMAIL, '--language', 'tlh'], PASSWORD, 'INVALID_CHOICE'],
  ])('refuses %s with exit 2 and its code, creating nothing', async (_name, flags, password, code) => {
    const cli = new Cli();
    const result = await cli.run(['register', ...flags, '--password-stdin', '--accept-terms', '--json'], { stdin: `${password}\n` });
    expect(result.code).toBe(2);
    expect(result.error()).toMatchObject({ code, exitCode: 2 });
    expect(result.stdout).toBe('');
    expect(recordsOf(cli.store).users ?? {}).toEqual({});
    expect(cli.store.mails).toEqual([]);
  });

  it('needs --accept-terms when there is no terminal to ask on', async () => {
    const cli = new Cli();
    const result = await cli.run(['register', '--email', EMAIL, '--password-stdin'], { stdin: `${PASSWORD}\n` });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^okpay: the terms of service and the privacy policy must be accepted.*--accept-terms\n$/);
    expect(recordsOf(cli.store).users ?? {}).toEqual({});
  });

  it('names --password-stdin when no password can be read without a terminal', async () => {
    const cli = new Cli();
    const result = await cli.run(['register', '--email', EMAIL, '--accept-terms', '--json']);
    expect(result.code).toBe(2);
    expect(result.error()).toMatchObject({ code: 'USAGE' });
    expect(result.error().hint).toContain('--password-stdin');
  });

  it('takes the password from OKPAY_PASSWORD', async () => {
    const cli = new Cli();
    const result = await cli.run(['register', '--email', EMAIL, '--accept-terms'], { env: { OKPAY_PASSWORD: PASSWORD } });
    expect(result.code).toBe(0);
  });

  it.each(['ADA@example.com', 'ada@EXAMPLE.com', ' Ada@Example.Com'])(
    'answers %j as a new address once ada@example.com exists, and mails the owner instead',
    async (again) => {
      const cli = new Cli();
      // An activated account: a sign-up still pending would start over (account-hardening.test.ts, item 13).
      await cli.signedIn(EMAIL);
      const result = await cli.run(['register', '--email', again, '--password-stdin', '--accept-terms', '--json'], { stdin: `${PASSWORD}\n` });
      expect(result.code).toBe(0);
      expect(result.json()).toMatchObject({ user: { email: EMAIL, status: 'pending' } });
      expect(Object.keys(recordsOf(cli.store).users ?? {})).toHaveLength(1);
      expect(cli.mail(EMAIL, 'registration-attempt').text).toContain('okpay password reset --email ada@example.com');
    },
  );

  it('keeps a verified phone number with its account: a new registration answers as usual, is made without it, and the owner is mailed; one nobody verified blocks nobody', async () => {
    const cli = new Cli();
    expect((await cli.register('eve@example.com', ['--phone', '+14155550100'])).code).toBe(0);
    await cli.signedIn(EMAIL, ['--phone', '+1 415 555 0100']);
    expect((await cli.run(['profile', 'verify-phone', phoneCode(cli, '+14155550100')])).code).toBe(0);
    const fresh = await cli.run(['register', '--email', 'carol@example.com', '--phone', '+1 415 555 0101', '--password-stdin', '--accept-terms', '--json'], {
      stdin: `${PASSWORD}\n`,
    });
    const result = await cli.run(['register', '--email', 'bob@example.com', '--phone', '+1 415 555 0100', '--password-stdin', '--accept-terms', '--json'], {
      stdin: `${PASSWORD}\n`,
    });
    expect(result.code).toBe(0);
    const shape = (r: typeof result) => Object.keys(r.json<{ user: Record<string, unknown> }>().user).sort();
    expect(shape(result)).toEqual(shape(fresh));
    expect(result.json()).toMatchObject({ user: { email: 'bob@example.com', phone: null, status: 'pending' } });
    const users = Object.values(recordsOf(cli.store).users ?? {}) as User[];
    const bob = users.find((u) => u.email === 'bob@example.com');
    expect(bob?.phone).toBeNull();
    expect(bob?.phoneChallenge ?? null).toBeNull();
    expect(users.find((u) => u.email === EMAIL)?.phone).toBe('+14155550100');
    expect(cli.mail(EMAIL, 'registration-attempt').text).toContain('+14155550100');
  });
});

describe('activate', () => {
  it('activates with the token from the mail, once', async () => {
    const cli = new Cli();
    await cli.register(EMAIL);
    const token = cli.tokenFromMail(EMAIL, 'activation', 'act');
    const first = await cli.activate(token, ['--json']);
    expect(first.code).toBe(0);
    expect(first.json()).toMatchObject({ user: { email: EMAIL, status: 'active' } });
    const again = await cli.activate(token, ['--json']);
    expect(again.code).toBe(3);
    expect(again.error()).toMatchObject({ code: 'INVALID_TOKEN', exitCode: 3 });
  });

  it('refuses a token after 24 hours', async () => {
    const cli = new Cli();
    await cli.register(EMAIL);
    const token = cli.tokenFromMail(EMAIL, 'activation', 'act');
    cli.advance(24 * 60 * MINUTE_MS);
    const result = await cli.activate(token);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('expired');
  });

  it('refuses sign-in before activation with NOT_ACTIVATED (exit 6)', async () => {
    const cli = new Cli();
    await cli.register(EMAIL);
    const result = await cli.run(['login', '--email', EMAIL, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(result.code).toBe(6);
    expect(result.error().code).toBe('NOT_ACTIVATED');
  });
});

describe('login, whoami, logout', () => {
  it('signs in, keeps the session, and whoami shows the account', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    expect(cli.token).toMatch(/^oks_/);
    const sessions = Object.keys(recordsOf(cli.store).sessions ?? {});
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).not.toContain(cli.token ?? '');
    const whoami = await cli.run(['whoami', '--json']);
    expect(whoami.code).toBe(0);
    const { user } = whoami.json<{ user: Record<string, unknown> }>();
    expect(Object.keys(whoami.json())).toEqual(['user']);
    expect(user).toMatchObject({ email: EMAIL, role: 'user', status: 'active', twoFactor: false });
    expect(typeof user['id']).toBe('string');
  });

  it('points out the incomplete profile and 2FA on the first sign-in', async () => {
    const cli = new Cli();
    await cli.register(EMAIL);
    await cli.activate(cli.tokenFromMail(EMAIL, 'activation', 'act'));
    const result = await cli.run(['login', '--email', EMAIL, '--password-stdin'], { stdin: `${PASSWORD}\n` });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Your profile is missing: phone number, ID number');
    expect(result.stderr).toContain('okpay 2fa enable');
  });

  it('answers a wrong password and an unknown email with the same exit 3 and message', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    const wrong = await cli.run(['login', '--email', EMAIL, '--password-stdin'], { stdin: 'Wrong-password-1\n' });
    const unknown = await cli.run(['login', '--email', 'nobody@example.com', '--password-stdin'], { stdin: `${PASSWORD}\n` });
    expect(wrong.code).toBe(3);
    expect(unknown.code).toBe(3);
    expect(wrong.stderr).toBe(unknown.stderr);
    expect(wrong.stderr).toMatch(/^okpay: the email or the password is wrong/);
    const json = await cli.run(['login', '--email', 'nobody@example.com', '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(json.error()).toMatchObject({ code: 'BAD_CREDENTIALS', exitCode: 3 });
  });

  it('needs a session for whoami (NOT_LOGGED_IN, exit 3) and ends it with logout', async () => {
    const cli = new Cli();
    const before = await cli.run(['whoami', '--json']);
    expect(before.code).toBe(3);
    expect(before.error().code).toBe('NOT_LOGGED_IN');
    await cli.signedIn(EMAIL);
    const token = cli.token;
    expect((await cli.run(['logout'])).code).toBe(0);
    expect(cli.token).toBeNull();
    expect(recordsOf(cli.store).sessions ?? {}).toEqual({});
    const stale = await cli.run(['whoami', '--json'], { env: { OKPAY_SESSION: token ?? '' } });
    expect(stale.code).toBe(3);
    expect(stale.error().code).toBe('SESSION_EXPIRED');
  });

  it('expires a session after 30 idle minutes, and keeps a used one alive', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    cli.advance(29 * MINUTE_MS);
    expect((await cli.run(['whoami'])).code).toBe(0);
    cli.advance(29 * MINUTE_MS);
    expect((await cli.run(['whoami'])).code).toBe(0);
    cli.advance(30 * MINUTE_MS);
    const expired = await cli.run(['whoami', '--json']);
    expect(expired.code).toBe(3);
    expect(expired.error()).toMatchObject({ code: 'SESSION_EXPIRED' });
    expect(expired.error().message).toContain('30 minutes');
  });

  it('lets OKPAY_SESSION win over the saved session, and logout end only that one', async () => {
    const cli = new Cli();
    await cli.signedIn('bob@example.com');
    const bob = (await cli.run(['login', '--email', 'bob@example.com', '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n` })).stdout.trim();
    await cli.signedIn(EMAIL);
    const env = { OKPAY_SESSION: bob };
    expect((await cli.run(['whoami', '--json'], { env })).json()).toMatchObject({ user: { email: 'bob@example.com' } });
    expect((await cli.run(['logout'], { env })).code).toBe(0);
    expect((await cli.run(['whoami', '--json'], { env })).error().code).toBe('SESSION_EXPIRED');
    expect((await cli.run(['whoami', '--json'])).json()).toMatchObject({ user: { email: EMAIL } });
  });

  it('ends a session in use all along 12 hours after sign-in', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
      cli.advance(20 * MINUTE_MS);
      expect((await cli.run(['whoami'])).code).toBe(0);
    }
    cli.advance(20 * MINUTE_MS);
    const expired = await cli.run(['whoami', '--json']);
    expect(expired.error()).toMatchObject({ code: 'SESSION_EXPIRED', exitCode: 3 });
    expect(expired.error().message).toContain('12 hours');
  });

  it('answers a resend request the same way for any address, and mails a new token that works', async () => {
    const cli = new Cli();
    await cli.register(EMAIL);
    const first = cli.tokenFromMail(EMAIL, 'activation', 'act');
    const known = await cli.run(['activate', '--resend', '--email', EMAIL, '--json']);
    const unknown = await cli.run(['activate', '--resend', '--email', 'nobody@example.com', '--json']);
    expect(known.json()).toEqual(unknown.json());
    const second = cli.tokenFromMail(EMAIL, 'activation', 'act');
    expect(second).not.toBe(first);
    expect((await cli.activate(first)).code).toBe(3);
    expect((await cli.activate(second)).code).toBe(0);
  });

  it('prints only the token with --raw and does not save it', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    await cli.run(['logout']);
    const raw = await cli.run(['login', '--email', EMAIL, '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n` });
    expect(raw.code).toBe(0);
    expect(raw.stdout).toMatch(/^oks_[A-Za-z0-9_-]+\n$/);
    expect(cli.token).toBeNull();
    const whoami = await cli.run(['whoami', '--json'], { env: { OKPAY_SESSION: raw.stdout.trim() } });
    expect(whoami.json()).toMatchObject({ user: { email: EMAIL } });
  });
});

describe('profile', () => {
  it('sets and shows the profile fields, masking the ID number', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    const set = await cli.run(
      [
        'profile',
        'set',
        '--name',
        'Ada King',
        '--phone',
        '+14155550100',
        '--country',
        'us',
        '--language',
        'ZH',
        '--id-number',
        'X12345678',
        '--anti-phishing-phrase',
        'blue heron 42',
        '--password-stdin',
        '--json',
      ],
      { stdin: `${PASSWORD}\n` },
    );
    expect(set.code).toBe(0);
    const { profile } = set.json<{ profile: Record<string, unknown> }>();
    // The number is sent a code and waits for it: it is not the account's yet.
    expect(profile).toMatchObject({
      name: 'Ada King',
      phone: null,
      phoneToVerify: '+14155550100',
      country: 'US',
      language: 'zh',
      antiPhishingPhrase: true,
      missing: ['phone number'],
    });
    expect(String(profile['idNumber'])).toMatch(/5678$/);
    expect(String(profile['idNumber'])).not.toContain('X1234');
    expect(JSON.stringify(recordsOf(cli.store))).not.toContain('X12345678');
    const shown = await cli.run(['profile', '--json']);
    expect(shown.json()).toEqual(set.json());
    const verified = await cli.run(['profile', 'verify-phone', phoneCode(cli, '+14155550100'), '--json']);
    expect(verified.json<{ profile: Record<string, unknown> }>().profile).toMatchObject({ phone: '+14155550100', phoneToVerify: null, missing: [] });
  });

  it('does not call a number waiting for its code missing, and says "it" of one missing thing', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    const set = await cli.run(
      ['profile', 'set', '--phone', '+14155550100', '--id-number', 'A12345678', '--name', 'Ada King', '--country', 'US', '--password-stdin'],
      {
        stdin: `${PASSWORD}\n`,
      },
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toContain('A code was sent to +14155550100 by text message');
    expect(set.stderr).not.toContain('Missing');
    const id = await cli.run(['profile', 'set', '--id-number', 'B7654321']);
    expect(id.stderr).not.toContain('Missing');
    const fresh = new Cli();
    await fresh.signedIn('bob@example.com');
    await fresh.run(['profile', 'set', '--name', 'Bob', '--country', 'US', '--phone', '+14155550111', '--password-stdin'], { stdin: `${PASSWORD}\n` });
    expect((await fresh.run(['profile', 'verify-phone', phoneCode(fresh, '+14155550111')])).code).toBe(0);
    expect((await fresh.run(['profile'])).stderr).toContain('Missing: ID number. Add it with `okpay profile set`.');
  });

  it('prints plain "key: value" lines when stdout is not a terminal', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    const result = await cli.run(['profile', 'set', '--name', 'Ada King']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^email: +ada@example\.com$/m);
    expect(result.stdout).toMatch(/^name: +Ada King$/m);
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('refuses an empty change and a phone number another account verified', async () => {
    const cli = new Cli();
    await cli.signedIn('bob@example.com', ['--phone', '+14155550100']);
    expect((await cli.run(['profile', 'verify-phone', phoneCode(cli, '+14155550100')])).code).toBe(0);
    await cli.signedIn(EMAIL);
    const nothing = await cli.run(['profile', 'set']);
    expect(nothing.code).toBe(2);
    const taken = await cli.run(['profile', 'set', '--phone', '+14155550100', '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(taken.code).toBe(6);
    expect(taken.error().code).toBe('ALREADY_EXISTS');
  });
});

/** The six digits of the newest text message to a phone number. */
function phoneCode(cli: Cli, phone: string): string {
  return /\b(\d{6})\b/.exec(cli.mail(phone, 'text-message').text)?.[1] ?? '';
}

function code(cli: Cli, secret: string): string {
  return generateSync({ secret, epoch: Math.floor(Date.parse(cli.now) / 1000) });
}

async function withTwoFactor(cli: Cli): Promise<string> {
  const { twoFactor } = (await cli.run(['2fa', 'enable', '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` })).json<{ twoFactor: { secret: string } }>();
  expect((await cli.run(['2fa', 'confirm', code(cli, twoFactor.secret), '--password-stdin'], { stdin: `${PASSWORD}\n` })).code).toBe(0);
  cli.advance(MINUTE_MS);
  return twoFactor.secret;
}

describe('locks, 2FA and passwords', () => {
  it('counts wrong passwords given to unlock like failed sign-ins, so it is no password oracle', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    for (let i = 0; i < 5; i += 1) {
      const wrong = await cli.run(['unlock', '--email', EMAIL, '--password-stdin', '--json'], { stdin: 'Wrong-password-1\n' });
      expect(wrong.error()).toMatchObject({ code: 'BAD_CREDENTIALS', exitCode: 3 });
    }
    const login = await cli.run(['login', '--email', EMAIL, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(login.code).toBe(6);
    expect(login.error().code).toBe('ACCOUNT_LOCKED');
    expect(cli.mail(EMAIL, 'account-locked').text).toContain('okpay unlock');
  });

  it('answers a wrong password to a locked account as an unknown email; the right one hears of the lock until guessed at too often', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    for (let i = 0; i < 5; i += 1) await cli.run(['login', '--email', EMAIL, '--password-stdin'], { stdin: 'Wrong-password-1\n' });
    const attempt = (command: string, password: string, email = EMAIL) => cli.run([command, '--email', email, '--password-stdin'], { stdin: `${password}\n` });
    const unknown = await attempt('login', PASSWORD, 'nobody@example.com');
    const loginWrong = await attempt('login', 'Wrong-password-2');
    expect(loginWrong.code).toBe(3);
    expect(loginWrong.stderr).toBe(unknown.stderr);
    const loginRight = await attempt('login', PASSWORD);
    expect(loginRight.code).toBe(6);
    expect(loginRight.stderr).toContain('5 failed sign-ins');
    const unlockUnknown = await attempt('unlock', PASSWORD, 'nobody@example.com');
    const unlockWrong = await attempt('unlock', 'Wrong-password-2');
    expect(unlockWrong.code).toBe(3);
    expect(unlockWrong.stderr).toBe(unlockUnknown.stderr);
    const unlockRight = await attempt('unlock', PASSWORD);
    expect(unlockRight.code).toBe(3);
    expect(unlockRight.stderr).toContain('unlock token');
    // Two wrong passwords so far while locked; at ten in all the right one is answered as a wrong one.
    for (let i = 0; i < 3; i += 1) await attempt('login', 'Wrong-password-3');
    expect((await attempt('login', PASSWORD)).stderr).toBe(unknown.stderr);
    expect((await attempt('unlock', PASSWORD)).stderr).toBe(unlockUnknown.stderr);
    const token = cli.tokenFromMail(EMAIL, 'account-locked', 'unl');
    const withToken = await cli.run(['unlock', '--email', EMAIL, '--token', token, '--password-stdin'], { stdin: `${PASSWORD}\n` });
    expect(withToken.code).toBe(0);
    expect(cli.mail(EMAIL, 'account-unlocked').subject).toBe('Your OKPay account is unlocked');
  });

  it('tells a correct password on an unlocked account that there is nothing to unlock', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    const result = await cli.run(['unlock', '--email', EMAIL, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(result.code).toBe(6);
    expect(result.error().code).toBe('INVALID_TRANSITION');
  });

  it('turns 2FA off only with the password and a fresh code', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    const secret = await withTwoFactor(cli);
    await cli.run(['login', '--email', EMAIL, '--password-stdin', '--otp', code(cli, secret)], { stdin: `${PASSWORD}\n` });
    const replayed = await cli.run(['2fa', 'disable', '--password-stdin', '--otp', code(cli, secret), '--json'], { stdin: `${PASSWORD}\n` });
    expect(replayed.error()).toMatchObject({ code: 'BAD_OTP', exitCode: 3 });
    cli.advance(MINUTE_MS);
    const wrongPassword = await cli.run(['2fa', 'disable', '--password-stdin', '--otp', code(cli, secret), '--json'], { stdin: 'Wrong-password-1\n' });
    expect(wrongPassword.error()).toMatchObject({ code: 'BAD_CREDENTIALS', exitCode: 3 });
    const off = await cli.run(['2fa', 'disable', '--password-stdin', '--otp', code(cli, secret), '--json'], { stdin: `${PASSWORD}\n` });
    expect(off.code).toBe(0);
    expect(off.json()).toMatchObject({ user: { twoFactor: false } });
    expect(cli.mail(EMAIL, 'security-2fa-off').subject).toBe('Two-step verification was turned off');
  });

  it('refuses a 2FA confirmation with a wrong or malformed code, and keeps 2FA off', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    await cli.run(['2fa', 'enable', '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    for (const bad of ['000000x', 'abcdef', '12']) {
      const result = await cli.run(['2fa', 'confirm', bad, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
      expect(result.error()).toMatchObject({ code: 'BAD_OTP', exitCode: 3 });
    }
    expect((await cli.run(['whoami', '--json'])).json()).toMatchObject({ user: { twoFactor: false } });
  });

  it('puts the anti-phishing phrase in every later mail', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    await cli.run(['profile', 'set', '--anti-phishing-phrase', 'blue heron 42', '--password-stdin'], { stdin: `${PASSWORD}\n` });
    await cli.run(['password', 'reset', '--email', EMAIL]);
    const reset = cli.mail(EMAIL, 'password-reset');
    expect(reset.antiPhishingPhrase).toBe('blue heron 42');
    const raw = (await cli.run(['outbox', 'show', reset.id, '--raw'])).stdout;
    expect(raw).toContain('\r\n\r\nYour anti-phishing phrase: blue heron 42\r\n');
  });

  it('warns at sign-in when the password is older than 180 days', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    cli.advance(181 * 24 * 60 * MINUTE_MS);
    const result = await cli.run(['login', '--email', EMAIL, '--password-stdin'], { stdin: `${PASSWORD}\n` });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('your password is 181 days old');
  });

  it('gives the same answer to a reset request for an address without an account', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    const known = await cli.run(['password', 'reset', '--email', EMAIL, '--json']);
    const unknown = await cli.run(['password', 'reset', '--email', 'nobody@example.com', '--json']);
    expect(known.stdout).toBe(unknown.stdout);
    expect(cli.store.mails.filter((m) => m.to === 'nobody@example.com')).toEqual([]);
  });

  it('creates the first administrator once', async () => {
    const cli = new Cli();
    const first = await cli.run(['admin', 'init', '--email', 'ops@example.com', '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(first.json()).toMatchObject({ user: { role: 'admin', status: 'active' } });
    const second = await cli.run(['admin', 'init', '--email', 'ops2@example.com', '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(second.error()).toMatchObject({ code: 'ALREADY_EXISTS', exitCode: 6 });
  });
});

describe('completion', () => {
  it.each(['bash', 'zsh', 'fish'])('prints a %s script that knows the commands', async (shell) => {
    const cli = new Cli();
    const result = await cli.run(['completion', shell]);
    expect(result.code).toBe(0);
    for (const word of ['register', 'login', 'whoami', '2fa', 'outbox', 'unlock', 'password-stdin']) expect(result.stdout).toContain(word);
    expect(result.stdout).toContain(shell === 'fish' ? 'complete -c okpay' : shell === 'zsh' ? '#compdef okpay' : 'complete -F _okpay okpay');
  });

  it('refuses an unknown shell with exit 2', async () => {
    const result = await new Cli().run(['completion', 'tcsh']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bash, zsh or fish');
  });
});

describe('usage errors and JSON errors', () => {
  it('refuses an unknown flag with exit 2 and a hint pointing at the command help', async () => {
    const result = await new Cli().run(['whoami', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("okpay: unknown option '--bogus' — see `okpay whoami --help`\n");
  });

  it('points at the help of the subcommand, not at the values of global options', async () => {
    const result = await new Cli().run(['--data-dir', '/tmp/somewhere', '2fa', 'confirm', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('see `okpay 2fa confirm --help`');
    expect(result.stderr).not.toContain('/tmp/somewhere');
  });

  it('points at the top-level help for an unknown command', async () => {
    const result = await new Cli().run(['logn']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('login');
    expect(result.stderr).toContain('see `okpay --help`');
  });

  it('names the option whose value is missing', async () => {
    const result = await new Cli().run(['login', '--email', '--json']);
    expect(result.code).toBe(2);
    expect(result.error()).toMatchObject({ code: 'USAGE', message: "option '--email <email>' argument missing", hint: 'see `okpay login --help`' });
    const absent = await new Cli().run(['login']);
    expect(absent.code).toBe(2);
    expect(absent.stderr).toContain('required option --email is missing');
  });

  it('prints errors as one JSON document on stderr with --json, and nothing on stdout', async () => {
    const result = await new Cli().run(['whoami', '--json']);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(result.stderr)).toEqual({
      error: { code: 'NOT_LOGGED_IN', message: 'you are not signed in', exitCode: 3, hint: expect.stringContaining('okpay login') },
    });
  });

  it('prints usage errors as JSON too', async () => {
    const result = await new Cli().run(['--json', 'whoami', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.error()).toMatchObject({ code: 'USAGE', exitCode: 2, message: "unknown option '--bogus'" });
  });

  it.each([
    ['OKPAY_BCRYPT_COST', '3'],
    ['OKPAY_BCRYPT_COST', 'fast'],
    ['OKPAY_NOW', 'yesterday'],
  ])('refuses %s=%s with exit 2 naming the variable', async (name, value) => {
    const cli = new Cli();
    const result = await cli.run(['register', '--email', EMAIL, '--password-stdin', '--accept-terms'], { stdin: `${PASSWORD}\n`, env: { [name]: value } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(name);
    expect(recordsOf(cli.store).users ?? {}).toEqual({});
  });

  it('never prints a stack trace unless OKPAY_DEBUG=1', async () => {
    const plain = await new Cli().run(['whoami']);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await new Cli().run(['whoami'], { env: { OKPAY_DEBUG: '1' } });
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('prints the help with no command and exits 0', async () => {
    const result = await new Cli().run([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: okpay');
    expect(result.stdout).toContain('register');
  });

  it.each([['password'], ['2fa'], ['--json'], ['--data-dir', '/tmp/somewhere']])(
    'prints the help on stdout for %j without a subcommand, exit 0',
    async (...args) => {
      const result = await new Cli().run(args);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: okpay/);
      expect(result.stderr).toBe('');
    },
  );

  it('suggests the subcommand that was meant', async () => {
    const result = await new Cli().run(['password', 'chnage']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("okpay: unknown command 'chnage' (Did you mean change?) — see `okpay password --help`\n");
  });

  it('ends every command’s help with examples', async () => {
    const result = await new Cli().run(['login', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Examples:\n {2}\$ okpay login/);
  });
});

describe('a session ended by a lock', () => {
  it('answers the next command with ACCOUNT_LOCKED and how to unlock, not "expired"', async () => {
    const cli = new Cli();
    await cli.signedIn('ada@example.com');
    const session = cli.token;
    expect((await cli.run(['lock', '--reason', 'phone stolen', '--yes'])).code).toBe(0);
    cli.token = session;
    const balance = await cli.run(['balance', '--json']);
    expect(balance.code).toBe(6);
    expect(balance.error().code).toBe('ACCOUNT_LOCKED');
    expect(balance.error().message).toContain('phone stolen');
    expect(balance.error().hint).toContain('okpay unlock --email ada@example.com');
  });

  it('says the session ended once the account is unlocked again: unlocking does not revive it', async () => {
    const cli = new Cli();
    await cli.signedIn('ada@example.com');
    const session = cli.token;
    await cli.run(['lock', '--yes']);
    expect((await cli.run(['unlock', '--email', 'ada@example.com', '--password-stdin'], { stdin: `${PASSWORD}\n` })).code).toBe(0);
    cli.token = session;
    const whoami = await cli.run(['whoami', '--json']);
    expect(whoami.code).toBe(3);
    expect(whoami.error().code).toBe('SESSION_EXPIRED');
  });
});
