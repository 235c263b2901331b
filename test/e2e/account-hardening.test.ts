// Issue 15, "Accounts and sessions": each finding of the hostile review, closed and held through the
// real binary (docs/SECURITY.md names these tests). Every scenario has a data directory of its own.

import { generateSync } from 'otplib';
import { describe, expect, it } from 'vitest';
import { Account, activate, expectError, expectOk, mails, MINUTE_MS, PASSWORD, register, signUp } from '../support/accounts.js';
import { Okpay, type Run } from '../support/okpay.js';

const NOW = '2026-11-23T10:00:00.000Z';
const WRONG = 'Wrong-password-1!';

/**
 * A scenario with a data directory of its own at NOW; these start many processes one after the
 * other, so they get more time than the default on a busy machine.
 */
function scenario(name: string, body: (o: Okpay) => Promise<void>): void {
  it.concurrent(name, async () => {
    const o = new Okpay({ now: NOW });
    try {
      await body(o);
    } finally {
      o.cleanup();
    }
  });
}

/** The current code of a secret at the test's clock. */
function codeAt(o: Okpay, secret: string): string {
  return generateSync({ secret, epoch: Math.floor(Date.parse(o.now) / 1000) });
}

/**
 * Turns 2FA on for a signed-in account (the password from OKPAY_PASSWORD, which every version
 * reads) and signs in again with a code; the clock ends a minute later. Returns the secret.
 */
async function withTwoFactor(who: Account): Promise<{ secret: string; recoveryCodes: string[] }> {
  const password = { env: { OKPAY_PASSWORD: PASSWORD } };
  const { twoFactor } = await who.json<{ twoFactor: { secret: string; recoveryCodes: string[] } }>(['2fa', 'enable'], password);
  await who.ok(['2fa', 'confirm', codeAt(who.o, twoFactor.secret)], password);
  who.o.advance(MINUTE_MS);
  return twoFactor;
}

/** The audit entries of a test store, through `fixtures export`. */
async function auditEvents(o: Okpay): Promise<{ type: string; details: Record<string, unknown> }[]> {
  const dump = expectOk(await o.run(['fixtures', 'export'])).json<{ audit: { event: { type: string; details: Record<string, unknown> } }[] }>();
  return dump.audit.map((entry) => entry.event);
}

/** What a person sees of a refusal: the exit code and both streams. */
const seen = (run: Run) => ({ code: run.code, stdout: run.stdout, stderr: run.stderr });

describe('step-up authentication (item 5)', () => {
  scenario('a stolen session token alone cannot turn 2FA on, make recovery codes, or change the phone or the anti-phishing phrase', async (o) => {
    const ada = await signUp(o, 'ada@example.com');
    const thief = new Account(o, ada.email);
    thief.token = ada.token;
    const before = (await ada.json<{ profile: Record<string, unknown> }>(['profile'])).profile;
    for (const env of [{}, { OKPAY_PASSWORD: WRONG }]) {
      for (const args of [
        ['2fa', 'enable'],
        ['profile', 'set', '--phone', '+14155550123'],
        ['profile', 'set', '--anti-phishing-phrase', 'the thief was here'],
      ]) {
        const run = await thief.run([...args, '--json'], { env });
        expect(run.code, `${args.join(' ')}: ${run.stderr}`).not.toBe(0);
        expect(run.stdout).toBe('');
      }
    }
    expect((await ada.json<{ profile: Record<string, unknown> }>(['profile'])).profile).toEqual(before);
    // With the password the owner can, and a confirmation needs it too.
    const { twoFactor } = await ada.json<{ twoFactor: { secret: string } }>(['2fa', 'enable', '--password-stdin'], { stdin: `${PASSWORD}\n` });
    expectError(await thief.run(['2fa', 'confirm', codeAt(o, twoFactor.secret), '--json'], { env: { OKPAY_PASSWORD: WRONG } }), 3, 'BAD_CREDENTIALS');
    await ada.ok(['2fa', 'confirm', codeAt(o, twoFactor.secret), '--password-stdin'], { stdin: `${PASSWORD}\n` });
    o.advance(MINUTE_MS);
    // With 2FA on, the password alone is not enough either.
    expectError(await ada.run(['profile', 'set', '--phone', '+14155550123', '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` }), 2, 'USAGE');
    const phone = await ada.json<{ profile: { phoneToVerify: string } }>(
      ['profile', 'set', '--phone', '+14155550123', '--password-stdin', '--otp', codeAt(o, twoFactor.secret)],
      { stdin: `${PASSWORD}\n` },
    );
    expect(phone.profile.phoneToVerify).toBe('+14155550123');
  });

  for (const [action, args] of [
    ['password.change', ['password', 'change', '--password-stdin']],
    ['2fa.disable', ['2fa', 'disable', '--password-stdin', '--otp', '000000']],
  ] as const) {
    scenario(
      `wrong current passwords in ${args.slice(0, 2).join(' ')} count like failed sign-ins: the fifth locks the account and ends its sessions`,
      async (o) => {
        const who = await signUp(o, 'pat@example.com');
        if (action === '2fa.disable') await withTwoFactor(who);
        for (let i = 0; i < 5; i += 1) expectError(await who.run([...args, '--json'], { stdin: `${WRONG}\nNew-password-2!\n` }), 3, 'BAD_CREDENTIALS').error();
        expectError(await who.run(['whoami', '--json']), 6, 'ACCOUNT_LOCKED');
        expectError(await o.run(['login', '--email', who.email, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` }), 6, 'ACCOUNT_LOCKED');
        expect(await mailText(o, who.email, 'account-locked')).toContain('okpay unlock');
        const failures = (await auditEvents(o)).filter((a) => a.type === `${action}.failure`);
        expect(failures.map((a) => a.details['reason'])).toEqual(Array(5).fill('wrong-password'));
      },
    );
  }

  scenario('wrong codes at the unlock of a self-locked account are counted: the fifth turns it into a lock that needs the mailed token', async (o) => {
    const ada = await signUp(o, 'ada@example.com');
    const { secret } = await withTwoFactor(ada);
    await ada.ok(['lock', '--yes']);
    const unlock = (code: string, extra: string[] = []) =>
      o.run(['unlock', '--email', ada.email, '--password-stdin', '--otp', code, ...extra, '--json'], { stdin: `${PASSWORD}\n` });
    for (let i = 0; i < 5; i += 1) expectError(await unlock('000000'), 3, 'BAD_OTP').error();
    o.advance(MINUTE_MS);
    expectError(await unlock(codeAt(o, secret)), 3, 'INVALID_TOKEN');
    const token = /\b(unl_[A-Za-z0-9_-]+)/.exec(await mailText(o, ada.email, 'account-locked'))?.[1] ?? '';
    o.advance(MINUTE_MS);
    expect(expectOk(await unlock(codeAt(o, secret), ['--token', token])).json()).toMatchObject({ user: { status: 'active' } });
    expect((await auditEvents(o)).filter((a) => a.type === 'unlock.failure').map((a) => a.details['reason'])).toEqual(Array(5).fill('otp-wrong'));
  });

  scenario('eight sign-ins at once with the same code: one signs in, the others hear why not, none gets a store error', async (o) => {
    const ada = await signUp(o, 'ada@example.com');
    const { secret } = await withTwoFactor(ada);
    const code = codeAt(o, secret);
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => o.run(['login', '--email', ada.email, '--password-stdin', '--otp', code, '--raw', '--json'], { stdin: `${PASSWORD}\n` })),
    );
    const outcomes = runs.map((run) => (run.code === 0 ? 'signed-in' : `${run.code} ${run.error().code}`));
    expect(
      outcomes.filter((outcome) => outcome === 'signed-in'),
      outcomes.join(', '),
    ).toHaveLength(1);
    for (const outcome of outcomes) expect(['signed-in', '3 BAD_OTP', '6 ACCOUNT_LOCKED']).toContain(outcome);
  });

  scenario('2fa recovery-codes makes a new set (password and code), and the old codes stop working', async (o) => {
    const ada = await signUp(o, 'ada@example.com');
    const { secret, recoveryCodes: old } = await withTwoFactor(ada);
    expectError(await ada.run(['2fa', 'recovery-codes', '--password-stdin', '--otp', '000000', '--json'], { stdin: `${PASSWORD}\n` }), 3, 'BAD_OTP');
    const { recoveryCodes } = await ada.json<{ recoveryCodes: string[] }>(['2fa', 'recovery-codes', '--password-stdin', '--otp', codeAt(o, secret)], {
      stdin: `${PASSWORD}\n`,
    });
    expect(recoveryCodes).toHaveLength(10);
    expect(recoveryCodes.some((c) => old.includes(c))).toBe(false);
    expect(await mailText(o, ada.email, 'security-recovery-codes')).toContain('ada@example.com');
    const login = (code: string) => o.run(['login', '--email', ada.email, '--password-stdin', '--otp', code, '--raw', '--json'], { stdin: `${PASSWORD}\n` });
    expectError(await login(old[1] ?? ''), 3, 'BAD_OTP');
    expectOk(await login(recoveryCodes[0] ?? ''));
  });
});

describe('no account enumeration (item 8)', () => {
  scenario('a locked account answers a wrong password as an unknown email does, at login and at unlock', async (o) => {
    await signUp(o, 'ada@example.com');
    await signUp(o, 'bea@example.com');
    const selfLocked = await signUp(o, 'cy@example.com');
    await selfLocked.ok(['lock', '--yes']);
    for (let i = 0; i < 5; i += 1) await o.run(['login', '--email', 'ada@example.com', '--password-stdin'], { stdin: `${WRONG}\n` });
    for (const json of [[], ['--json']]) {
      const login = async (email: string) => seen(await o.run(['login', '--email', email, '--password-stdin', ...json], { stdin: `${WRONG}\n` }));
      const unknown = await login('nobody@example.com');
      expect(unknown.code).toBe(3);
      expect(await login('ada@example.com')).toEqual(unknown);
      expect(await login('cy@example.com')).toEqual(unknown);
      const unlock = async (email: string) => seen(await o.run(['unlock', '--email', email, '--password-stdin', ...json], { stdin: `${WRONG}\n` }));
      const unlockUnknown = await unlock('nobody@example.com');
      expect(unlockUnknown.code).toBe(3);
      for (const email of ['ada@example.com', 'bea@example.com', 'cy@example.com']) expect(await unlock(email), email).toEqual(unlockUnknown);
    }
    // The owner, with the right password, still hears why and how to unlock.
    expectError(await o.run(['login', '--email', 'cy@example.com', '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` }), 6, 'ACCOUNT_LOCKED');
  });

  scenario('ticket new --email answers a password as login does: past ten guesses at a locked account the right one hears what a wrong one does', async (o) => {
    const ada = await signUp(o, 'ada@example.com');
    const bea = await signUp(o, 'bea@example.com');
    await withTwoFactor(bea);
    const ticket = (email: string, password: string, json: string[]) =>
      o.run(
        ['ticket', 'new', '--category', 'account', '--subject', `Locked ${email}`, '--body', 'Please help.', '--email', email, '--password-stdin', ...json],
        {
          stdin: `${password}\n`,
        },
      );
    const login = (email: string, password: string) => o.run(['login', '--email', email, '--password-stdin', '--json'], { stdin: `${password}\n` });
    for (let i = 0; i < 5; i += 1) for (const who of [ada, bea]) expectError(await login(who.email, WRONG), 3, 'BAD_CREDENTIALS');
    // Locked, and guessed at less than ten times: the right password still reaches support (with 2FA, it is asked for a code).
    expectOk(await ticket(ada.email, PASSWORD, ['--json']));
    expectError(await ticket(bea.email, PASSWORD, ['--json']), 2, 'USAGE');
    for (let i = 0; i < 5; i += 1) for (const who of [ada, bea]) expectError(await ticket(who.email, WRONG, ['--json']), 3, 'BAD_CREDENTIALS');
    expectError(await login(ada.email, PASSWORD), 3, 'BAD_CREDENTIALS');
    const ticketsBefore = (await mails(o, ada.email, 'ticket-received')).length;
    for (const json of [[], ['--json']]) {
      const unknown = seen(await ticket('nobody@example.com', PASSWORD, json));
      expect(unknown.code).toBe(3);
      for (const who of [ada, bea]) {
        expect(seen(await ticket(who.email, PASSWORD, json)), who.email).toEqual(unknown);
        expect(seen(await ticket(who.email, WRONG, json)), who.email).toEqual(unknown);
      }
    }
    expect(await mails(o, ada.email, 'ticket-received')).toHaveLength(ticketsBefore);
    const failures = (await auditEvents(o)).filter((a) => a.type === 'ticket.sign-in-failure').map((a) => a.details['reason']);
    expect(failures.filter((reason) => reason === 'locked-guessed-at')).toHaveLength(4);
  });

  scenario('wrong one-time codes at ticket new --email count like wrong codes at login: the fifth locks the account and mails the owner', async (o) => {
    const ada = await signUp(o, 'ada@example.com');
    const { secret } = await withTwoFactor(ada);
    const ticket = (code: string) =>
      o.run(
        [
          'ticket',
          'new',
          '--category',
          'account',
          '--subject',
          'Help',
          '--body',
          'Please help.',
          '--email',
          ada.email,
          '--password-stdin',
          '--otp',
          code,
          '--json',
        ],
        { stdin: `${PASSWORD}\n` },
      );
    for (let i = 0; i < 4; i += 1) expectError(await ticket('000001'), 3, 'BAD_OTP');
    await expect(mails(o, ada.email, 'account-locked')).resolves.toHaveLength(0);
    expectError(await ticket('000001'), 3, 'BAD_OTP');
    expect(await mailText(o, ada.email, 'account-locked')).toContain('okpay unlock');
    expectError(await ada.run(['whoami', '--json']), 6, 'ACCOUNT_LOCKED');
    o.advance(MINUTE_MS);
    const login = await o.run(['login', '--email', ada.email, '--password-stdin', '--otp', codeAt(o, secret), '--json'], { stdin: `${PASSWORD}\n` });
    expectError(login, 6, 'ACCOUNT_LOCKED');
    const failures = (await auditEvents(o)).filter((a) => a.type === 'ticket.sign-in-failure').map((a) => a.details['reason']);
    expect(failures).toEqual(Array(5).fill('otp-wrong'));
  });

  scenario('register answers a taken email or phone as a new one, and mails the owner instead', async (o) => {
    expectOk(await (await signUp(o, 'ada@example.com', ['--phone', '+14155550100'])).verifyPhone('+14155550100'));
    const attempt = async (email: string, extra: string[], json: string[]) =>
      o.run(['register', '--email', email, '--password-stdin', '--accept-terms', ...extra, ...json], { stdin: `${PASSWORD}\n` });
    const human = (run: Run, email: string) => ({
      code: run.code,
      stdout: run.stdout.replaceAll(email, 'EMAIL'),
      stderr: run.stderr.replaceAll(email, 'EMAIL'),
    });
    const fresh = human(await attempt('new1@example.com', [], []), 'new1@example.com');
    expect(fresh.code).toBe(0);
    expect(human(await attempt('ADA@example.com', [], []), 'ada@example.com')).toEqual(fresh);
    const withNumber = (run: Run, email: string, phone: string) => {
      const shown = human(run, email);
      return { ...shown, stdout: shown.stdout.replaceAll(phone, 'PHONE'), stderr: shown.stderr.replaceAll(phone, 'PHONE') };
    };
    const freshWithNumber = withNumber(await attempt('new5@example.com', ['--phone', '+1 415 555 0188'], []), 'new5@example.com', '+14155550188');
    expect(freshWithNumber.stderr).toContain('PHONE');
    expect(withNumber(await attempt('new2@example.com', ['--phone', '+1 415 555 0100'], []), 'new2@example.com', '+14155550100')).toEqual(freshWithNumber);
    const shape = (run: Run) => {
      const { user } = expectOk(run).json<{ user: Record<string, unknown> }>();
      return Object.fromEntries(Object.entries(user).filter(([key]) => key !== 'id' && key !== 'email'));
    };
    const freshJson = shape(await attempt('new3@example.com', ['--phone', '+14155550177'], ['--json']));
    expect(shape(await attempt('ada@example.com', ['--phone', '+14155550177'], ['--json']))).toEqual(freshJson);
    // A number waits for its code (phone null) whoever has it: a verified owner's looks the same.
    expect(shape(await attempt('new4@example.com', ['--phone', '+14155550100'], ['--json']))).toEqual(freshJson);
    expect(await mailText(o, 'ada@example.com', 'registration-attempt')).toContain('+14155550100');
    // Nothing of the owner's changed: the old password signs in and the number is still hers.
    const ada = await new Account(o, 'ada@example.com').signIn();
    expect((await ada.json<{ profile: { phone: string } }>(['profile'])).profile.phone).toBe('+14155550100');
  });

  scenario('a transfer to a phone number shows the number, never the email of the account behind it', async (o) => {
    const ada = await signUp(o, 'ada@example.com');
    expectOk(await (await signUp(o, 'secret.owner@example.com', ['--phone', '+14155550100'])).verifyPhone('+14155550100'));
    await ada.ok(['deposit', '--amount', '50', '--currency', 'USD']);
    for (const json of [[], ['--json']]) {
      const sent = await ada.ok(['transfer', '--to', '+1 415 555 0100', '--amount', '5', '--currency', 'USD', '--yes', ...json]);
      expect(sent.stdout + sent.stderr).not.toContain('secret.owner');
      expect(sent.stdout + sent.stderr).toContain('+14155550100');
    }
    const history = await ada.ok(['history', '--json']);
    expect(history.stdout).not.toContain('secret.owner');
  });
});

describe('passwords longer than bcrypt reads (item 6)', () => {
  scenario('login refuses a password whose first 72 bytes are right, and counts it as a wrong one', async (o) => {
    const exact = `Aa1!${'x'.repeat(68)}`;
    expect(Buffer.byteLength(exact)).toBe(72);
    const ada = await signUp(o, 'ada@example.com');
    expectOk(await ada.run(['password', 'change', '--password-stdin'], { stdin: `${PASSWORD}\n${exact}\n` }));
    const login = (password: string) => o.run(['login', '--email', 'ada@example.com', '--password-stdin', '--raw', '--json'], { stdin: `${password}\n` });
    for (const longer of [`${exact}y`, `${exact}${'z'.repeat(100)}`]) {
      const refused = expectError(await login(longer), 3, 'BAD_CREDENTIALS').error();
      expect(refused.message).toBe('the email or the password is wrong');
    }
    // Counted like any wrong password: three more and the account locks.
    for (let i = 0; i < 3; i += 1) expectError(await login(`${exact}!`), 3, 'BAD_CREDENTIALS').error();
    expectError(await login(exact), 6, 'ACCOUNT_LOCKED');
  });

  scenario('a password of exactly 72 bytes still signs in', async (o) => {
    const exact = `Bb2#${'é'.repeat(34)}`;
    expect(Buffer.byteLength(exact)).toBe(72);
    expectOk(await o.run(['register', '--email', 'bea@example.com', '--password-stdin', '--accept-terms'], { stdin: `${exact}\n` }));
    const token = /\b(act_[A-Za-z0-9_-]+)/.exec(await mailText(o, 'bea@example.com', 'activation'))?.[1] ?? '';
    expectOk(await o.run(['activate', token, '--password-stdin'], { stdin: `${exact}\n` }));
    expectOk(await o.run(['login', '--email', 'bea@example.com', '--password-stdin', '--raw'], { stdin: `${exact}\n` }));
  });
});

describe('an empty OKPAY_SESSION (item 9)', () => {
  scenario('is an error (exit 3), never the saved session of whoever signed in last', async (o) => {
    await signUp(o, 'ada@example.com');
    // Ada's session is also saved in the data directory, as `okpay login` without --raw does.
    expectOk(await o.run(['login', '--email', 'ada@example.com', '--password-stdin'], { stdin: `${PASSWORD}\n` }));
    for (const empty of ['', '  ']) {
      for (const args of [['whoami'], ['balance'], ['logout'], ['transfer', '--to', 'bob@example.com', '--amount', '1', '--currency', 'USD', '--yes']]) {
        const run = await o.run([...args, '--json'], { env: { OKPAY_SESSION: empty } });
        const error = expectError(run, 3, 'NOT_LOGGED_IN').error();
        expect(error.message).toBe('OKPAY_SESSION is set but empty');
        expect(run.stdout).toBe('');
      }
    }
    // Nothing was signed out: the saved session still works when OKPAY_SESSION is unset.
    const me = expectOk(await o.run(['whoami', '--json'])).json<{ user: { email: string } }>();
    expect(me.user.email).toBe('ada@example.com');
  });
});

// [files]: stores of their own, never the suite's (a real store; a new one before `dev init`).
describe("a sign-up made with someone else's address (item 13)", () => {
  const ATTACKER = 'Attacker-pass-9!';
  const VICTIM = 'victim@example.com';
  const signUpAs = (o: Okpay, password: string, json: string[] = []) =>
    o.run(['register', '--email', VICTIM, '--password-stdin', '--accept-terms', '--name', 'V', ...json], { stdin: `${password}\n` });
  const activateWith = (o: Okpay, token: string, password: string, json: string[] = ['--json']) =>
    o.run(['activate', token, '--password-stdin', ...json], { stdin: `${password}\n` });
  const loginWith = (o: Okpay, password: string) => o.run(['login', '--email', VICTIM, '--password-stdin', '--json'], { stdin: `${password}\n` });
  const tokenOf = async (o: Okpay) => /\b(act_[A-Za-z0-9_-]+)/.exec(await mailText(o, VICTIM, 'activation'))?.[1] ?? 'act_missing';

  scenario('the mailbox owner cannot activate it without its password, and registering again takes the address back', async (o) => {
    const sender = await signUp(o, 'sender@example.com');
    await sender.ok(['deposit', '--amount', '50', '--currency', 'USD']);
    const attackers = expectOk(await signUpAs(o, ATTACKER, ['--json'])).json<{ user: { id: string } }>().user;
    const attackersToken = await tokenOf(o);
    await sender.ok(['transfer', '--to', VICTIM, '--amount', '20', '--currency', 'USD', '--yes']);

    // The mail reaches the victim, who does not know the attacker's password.
    const refused = expectError(await activateWith(o, attackersToken, PASSWORD), 3, 'BAD_CREDENTIALS');
    expect(refused.stdout).toBe('');
    expect(refused.error().hint).toContain('okpay register');
    expectError(await loginWith(o, ATTACKER), 6, 'NOT_ACTIVATED');

    // Registering again starts the sign-up over with the victim's password and a new token.
    o.advance(MINUTE_MS);
    const restarted = expectOk(await signUpAs(o, PASSWORD, ['--json'])).json<{ user: Record<string, unknown> }>().user;
    expect(restarted).toMatchObject({ email: VICTIM, status: 'pending', createdAt: o.now, passwordChangedAt: o.now });
    // A fresh id: the attacker's earlier one does not tell that the address was still pending.
    expect(restarted['id']).not.toBe(attackers.id);
    const victimsToken = await tokenOf(o);
    expect(victimsToken).not.toBe(attackersToken);
    expectError(await activateWith(o, attackersToken, ATTACKER), 3, 'INVALID_TOKEN');
    expectError(await activateWith(o, victimsToken, ATTACKER), 3, 'BAD_CREDENTIALS');
    const activated = expectOk(await activateWith(o, victimsToken, PASSWORD)).json<{ user: { status: string }; claimed: string[] }>();
    expect(activated).toMatchObject({ user: { status: 'active' }, claimed: [expect.stringMatching(/^txn_/)] });

    expectError(await loginWith(o, ATTACKER), 3, 'BAD_CREDENTIALS');
    const victim = await new Account(o, VICTIM).signIn();
    expect(await victim.balance()).toEqual({ available: '20.00', held: '0.00' });
    const events = (await auditEvents(o)).map((event) => event.type);
    expect(events.filter((type) => type === 'account.registration-restarted')).toHaveLength(1);
    expect(events.filter((type) => type === 'activation.failure')).toHaveLength(2);
  });

  scenario('register on a pending address answers as on a new one; an active address still only mails its owner', async (o) => {
    const shape = (run: Run) => {
      const { user } = expectOk(run).json<{ user: Record<string, unknown> }>();
      return { ...user, id: 'ID', email: 'EMAIL' };
    };
    expectOk(await signUpAs(o, ATTACKER));
    o.advance(MINUTE_MS);
    const fresh = shape(
      await o.run(['register', '--email', 'new@example.com', '--password-stdin', '--accept-terms', '--name', 'V', '--json'], { stdin: `${PASSWORD}\n` }),
    );
    expect(shape(await signUpAs(o, PASSWORD, ['--json']))).toEqual(fresh);
    const human = await signUpAs(o, PASSWORD);
    expect(human.stdout + human.stderr).toContain(`Account created for ${VICTIM}; it is pending activation.`);
    await activate(o, VICTIM);
    expectOk(await signUpAs(o, ATTACKER));
    expect(await mailText(o, VICTIM, 'registration-attempt')).toContain(VICTIM);
    expectError(await loginWith(o, ATTACKER), 3, 'BAD_CREDENTIALS');
    await new Account(o, VICTIM).signIn();
  });

  scenario('a wrong password leaves the token usable; five lock the sign-up, and registering again frees it', async (o) => {
    await register(o, VICTIM);
    const token = await tokenOf(o);
    expectError(await activateWith(o, token, WRONG), 3, 'BAD_CREDENTIALS');
    expectOk(await activateWith(o, token, PASSWORD));
    await new Account(o, VICTIM).signIn();

    await register(o, 'bea@example.com');
    const beas = /\b(act_[A-Za-z0-9_-]+)/.exec(await mailText(o, 'bea@example.com', 'activation'))?.[1] ?? 'act_missing';
    for (let i = 0; i < 5; i += 1) expectError(await activateWith(o, beas, WRONG), 3, 'BAD_CREDENTIALS');
    expect(await mailText(o, 'bea@example.com', 'account-locked')).toContain('okpay unlock');
    expectError(await activateWith(o, beas, PASSWORD), 6, 'ACCOUNT_LOCKED');
    expectOk(await o.run(['register', '--email', 'bea@example.com', '--password-stdin', '--accept-terms'], { stdin: `${PASSWORD}\n` }));
    await activate(o, 'bea@example.com');
    await new Account(o, 'bea@example.com').signIn();
  });

  scenario('without a terminal and without --password-stdin activation is a usage error that changes nothing', async (o) => {
    await register(o, VICTIM);
    const token = await tokenOf(o);
    const bare = expectError(await o.run(['activate', token, '--json']), 2, 'USAGE');
    expect(bare.stdout).toBe('');
    expect(bare.error().hint).toContain('--password-stdin');
    expectError(await o.run(['activate', 'act_mistyped', '--json']), 3, 'INVALID_TOKEN');
    expectError(await loginWith(o, PASSWORD), 6, 'NOT_ACTIVATED');
    expectOk(await o.run(['activate', token], { env: { OKPAY_PASSWORD: PASSWORD } }));
  });
});

describe('[files] the clock (item 7)', () => {
  const CLOCK_REFUSED = 'OKPAY_NOW is set, but this store is not a test store: its clock cannot be moved';
  const realClock = { env: { OKPAY_NOW: undefined } };

  it.concurrent('a real store refuses a moved clock (exit 2), so a session cannot be revived or stretched with it', async () => {
    const o = new Okpay({ testStore: false });
    try {
      await register(o, 'ada@example.com', [], realClock);
      await activate(o, 'ada@example.com', realClock);
      const token = expectOk(
        await o.run(['login', '--email', 'ada@example.com', '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n`, ...realClock }),
      ).stdout.trim();
      const as = (now: string | undefined) => ({ env: { OKPAY_SESSION: token, OKPAY_NOW: now } });
      const inThePast = new Date(Date.now() - 60 * 60_000).toISOString();
      const inTheFuture = new Date(Date.now() + 11 * 60 * 60_000).toISOString();
      for (const now of [inThePast, inTheFuture]) {
        for (const args of [
          ['whoami'],
          ['balance'],
          ['login', '--email', 'ada@example.com', '--password-stdin'],
          ['unlock', '--email', 'ada@example.com', '--password-stdin'],
          ['fixtures', 'load', 'data/fixtures/demo.json'],
          ['dev', 'otp', '--email', 'ada@example.com'],
        ]) {
          const run = await o.run([...args, '--json'], { stdin: `${PASSWORD}\n`, ...as(now) });
          expect(expectError(run, 2, 'USAGE').error().message, args.join(' ')).toBe(CLOCK_REFUSED);
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
      expect(expectError(refused, 2, 'USAGE').error().message).toBe(CLOCK_REFUSED);
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
