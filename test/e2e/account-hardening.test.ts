// Issue 15, "Accounts and sessions": each finding of the hostile review, closed and held through the
// real binary (docs/SECURITY.md names these tests). Every scenario has a data directory of its own.

import { describe, expect } from 'vitest';
import { expectError, expectOk, PASSWORD, scenarioAt, signUp } from '../support/accounts.js';
import type { Okpay } from '../support/okpay.js';

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

/** The text of the newest mail of a kind to an address, read through `okpay outbox`. */
export async function mailText(o: Okpay, to: string, kind: string): Promise<string> {
  const { mails } = expectOk(await o.run(['outbox', 'list', '--to', to, '--kind', kind, '--json'])).json<{ mails: { id: string }[] }>();
  const id = mails[mails.length - 1]?.id;
  if (!id) throw new Error(`no ${kind} mail to ${to}`);
  return expectOk(await o.run(['outbox', 'show', id, '--json'])).json<{ mail: { text: string } }>().mail.text;
}
