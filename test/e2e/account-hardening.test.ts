// Issue 15, "Accounts and sessions": each finding of the hostile review, closed and held through the
// real binary (docs/SECURITY.md names these tests). Every scenario has a data directory of its own.

import { describe, expect, it } from 'vitest';
import { activate, expectError, expectOk, PASSWORD, register, scenarioAt, signUp } from '../support/accounts.js';
import { Okpay } from '../support/okpay.js';

const NOW = '2026-11-23T10:00:00.000Z';

describe('passwords longer than bcrypt reads (item 6)', () => {
  scenarioAt(NOW, 'login refuses a password whose first 72 bytes are right, and counts it as a wrong one', async (o) => {
    const exact = `Aa1!${'x'.repeat(68)}`;
    expect(Buffer.byteLength(exact)).toBe(72);
    const ada = await signUp(o, 'ada@example.com');
    expectOk(await ada.run(['password', 'change', '--password-stdin'], { stdin: `${PASSWORD}\n${exact}\n` }));
    const login = (password: string) => o.run(['login', '--email', 'ada@example.com', '--password-stdin', '--raw', '--json'], { stdin: `${password}\n` });
    for (const longer of [`${exact}y`, `${exact}${'z'.repeat(100)}`]) {
      const refused = expectError(await login(longer), 3, 'BAD_CREDENTIALS');
      expect(refused.message).toBe('the email or the password is wrong');
    }
    // Counted like any wrong password: three more and the account locks.
    for (let i = 0; i < 3; i += 1) expectError(await login(`${exact}!`), 3, 'BAD_CREDENTIALS');
    expectError(await login(exact), 6, 'ACCOUNT_LOCKED');
  });

  scenarioAt(NOW, 'a password of exactly 72 bytes still signs in', async (o) => {
    const exact = `Bb2#${'é'.repeat(34)}`;
    expect(Buffer.byteLength(exact)).toBe(72);
    expectOk(await o.run(['register', '--email', 'bea@example.com', '--password-stdin', '--accept-terms'], { stdin: `${exact}\n` }));
    const token = /\b(act_[A-Za-z0-9_-]+)/.exec(await mailText(o, 'bea@example.com', 'activation'))?.[1] ?? '';
    expectOk(await o.run(['activate', token]));
    expectOk(await o.run(['login', '--email', 'bea@example.com', '--password-stdin', '--raw'], { stdin: `${exact}\n` }));
  });
});

describe('an empty OKPAY_SESSION (item 9)', () => {
  scenarioAt(NOW, 'is an error (exit 3), never the saved session of whoever signed in last', async (o) => {
    await signUp(o, 'ada@example.com');
    // Ada's session is also saved in the data directory, as `okpay login` without --raw does.
    expectOk(await o.run(['login', '--email', 'ada@example.com', '--password-stdin'], { stdin: `${PASSWORD}\n` }));
    for (const empty of ['', '  ']) {
      for (const args of [['whoami'], ['balance'], ['logout'], ['transfer', '--to', 'bob@example.com', '--amount', '1', '--currency', 'USD', '--yes']]) {
        const run = await o.run([...args, '--json'], { env: { OKPAY_SESSION: empty } });
        const error = expectError(run, 3, 'NOT_LOGGED_IN');
        expect(error.message).toBe('OKPAY_SESSION is set but empty');
        expect(run.stdout).toBe('');
      }
    }
    // Nothing was signed out: the saved session still works when OKPAY_SESSION is unset.
    const me = expectOk(await o.run(['whoami', '--json'])).json<{ user: { email: string } }>();
    expect(me.user.email).toBe('ada@example.com');
  });
});

describe('the clock (item 7)', () => {
  const CLOCK_REFUSED = 'OKPAY_NOW is set, but this store is not a test store: its clock cannot be moved';
  const realClock = { env: { OKPAY_NOW: undefined } };

  it.concurrent('a real store refuses a moved clock (exit 2), so a session cannot be revived or stretched with it', async () => {
    const o = new Okpay({ testStore: false });
    try {
      await register(o, 'ada@example.com', [], realClock);
      await activate(o, 'ada@example.com', realClock);
      const token = expectOk(await o.run(['login', '--email', 'ada@example.com', '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n`, ...realClock })).stdout.trim();
      const as = (now: string | undefined) => ({ env: { OKPAY_SESSION: token, OKPAY_NOW: now } });
      const inThePast = new Date(Date.now() - 60 * 60_000).toISOString();
      const inTheFuture = new Date(Date.now() + 11 * 60 * 60_000).toISOString();
      for (const now of [inThePast, inTheFuture]) {
        for (const args of [['whoami'], ['balance'], ['login', '--email', 'ada@example.com', '--password-stdin'], ['unlock', '--email', 'ada@example.com', '--password-stdin'], ['fixtures', 'load', 'data/fixtures/demo.json'], ['dev', 'otp', '--email', 'ada@example.com']]) {
          const run = await o.run([...args, '--json'], { stdin: `${PASSWORD}\n`, ...as(now) });
          expect(expectError(run, 2, 'USAGE').message, args.join(' ')).toBe(CLOCK_REFUSED);
          expect(run.stdout).toBe('');
        }
      }
      // Nothing changed: the session works on the real clock, and the store did not become a test store.
      expect(expectOk(await o.run(['whoami', '--json'], as(undefined))).json<{ user: { email: string } }>().user.email).toBe('ada@example.com');
      expectError(await o.run(['dev', 'init', '--json'], realClock), 4, 'FORBIDDEN');
      expectError(await o.run(['dev', 'otp', '--email', 'ada@example.com', '--json'], realClock), 4, 'FORBIDDEN');
    } finally {
      o.cleanup();
    }
  });

  it.concurrent('a new store takes a moved clock only after `okpay dev init` (or loading fixtures)', async () => {
    const o = new Okpay({ testStore: false, now: NOW });
    try {
      const refused = await o.run(['register', '--email', 'ada@example.com', '--password-stdin', '--accept-terms', '--json'], { stdin: `${PASSWORD}\n` });
      expect(expectError(refused, 2, 'USAGE').message).toBe(CLOCK_REFUSED);
      expect(expectOk(await o.run(['dev', 'init', '--json'])).json()).toEqual({ testStore: true, marked: true });
      expect(expectOk(await o.run(['dev', 'init', '--json'])).json()).toEqual({ testStore: true, marked: false });
      await register(o, 'ada@example.com');
      await activate(o, 'ada@example.com');
      const token = expectOk(await o.run(['login', '--email', 'ada@example.com', '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n` })).stdout.trim();
      // In a test store the clock is the tester's: 12 hours later the session has ended.
      o.advance(12 * 60 * 60_000);
      expectError(await o.run(['whoami', '--json'], { env: { OKPAY_SESSION: token } }), 3, 'SESSION_EXPIRED');
    } finally {
      o.cleanup();
    }
  });
});

/** The text of the newest mail of a kind to an address, read through `okpay outbox`. */
export async function mailText(o: Okpay, to: string, kind: string): Promise<string> {
  const { mails } = expectOk(await o.run(['outbox', 'list', '--to', to, '--kind', kind, '--json'])).json<{ mails: { id: string }[] }>();
  const id = mails[mails.length - 1]?.id;
  if (!id) throw new Error(`no ${kind} mail to ${to}`);
  return expectOk(await o.run(['outbox', 'show', id, '--json'])).json<{ mail: { text: string } }>().mail.text;
}
