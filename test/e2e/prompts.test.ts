// Questions on a real terminal (tmux): a missing value is asked for and checked when Enter is
// pressed, a new password shows its strength before it is repeated and a mismatch asks again,
// destructive commands confirm, and Ctrl-C anywhere is exit 130 with nothing changed.

import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Okpay } from '../support/okpay.js';
import { Terminal } from '../support/tmux.js';

const NOW = '2026-11-23T10:00:00.000Z';
const DEMO_FILE = path.resolve('data/fixtures/demo.json');
const DEMO_PASSWORD = 'Demo-pass-2026!';
const CHEN = 'chen.li@example.cn';
const SOFIA = 'sofia.garcia@example.es';

let okpay: Okpay;
let terminal: Terminal;
let chen: string;
let amy: string;

async function signIn(email: string): Promise<string> {
  const run = await okpay.run(['login', '--email', email, '--raw'], { env: { OKPAY_PASSWORD: DEMO_PASSWORD } });
  expect(run.code, run.stderr).toBe(0);
  return run.stdout.trim();
}

beforeAll(async () => {
  okpay = new Okpay({ now: NOW });
  const loaded = await okpay.run(['fixtures', 'load', DEMO_FILE]);
  expect(loaded.code, loaded.stderr).toBe(0);
  chen = await signIn(CHEN);
  amy = await signIn('amy@support.okpay.example');
});

// A terminal of its own for each test: a command that never ends fails its own test, instead of
// taking the keys of the tests after it (they would wait for questions that never come).
beforeEach(() => {
  terminal = new Terminal(100, 50);
});

afterEach(() => {
  terminal.close();
});

afterAll(() => {
  okpay.cleanup();
});

const env = (session?: string): Record<string, string> => ({
  ...okpay.storeEnv(),
  OKPAY_NOW: NOW,
  OKPAY_BCRYPT_COST: '4',
  ...(session ? { OKPAY_SESSION: session } : {}),
});

/** What a refused or interrupted command must leave as it was: money, history, tickets, mails. */
async function snapshot(session: string): Promise<string> {
  const parts = await Promise.all(
    [['balance'], ['history'], ['ticket', 'list'], ['outbox', 'list']].map((argv) => okpay.run([...argv, '--json'], { env: { OKPAY_SESSION: session } })),
  );
  return parts.map((part) => part.stdout).join('\n');
}

describe('a missing value is asked for on a terminal', () => {
  it('register: the email and the password are checked as they are entered; the strength shows before the repeat; a mismatch asks again', async () => {
    terminal.start(['register'], env());
    await terminal.waitFor(/\? Email:/);
    terminal.answer('not-an-email');
    await terminal.waitFor(/"not-an-email" is not a valid email address/);
    terminal.press('C-u');
    terminal.answer('zoe@example.com');
    await terminal.waitFor(/terms of service and privacy policy\?/);
    terminal.answer('y');
    await terminal.waitFor(/\? New password:/);
    terminal.answer('short');
    await terminal.waitFor(/needs at least 8 characters/);
    for (let i = 0; i < 5; i += 1) terminal.press('BSpace');
    terminal.answer('Harbour-lights-42!');
    const strength = await terminal.waitFor(/Repeat the new password:/);
    // The strength line comes after the first entry and before the question to repeat it.
    expect(strength).toMatch(
      /New password: \*+\nPassword strength: (strong|very strong) \(guessing it from a stolen hash would take [^)]+\)\.\n\? Repeat the new password:/,
    );
    terminal.answer('Harbour-lights-43!');
    await terminal.waitFor(/The two passwords differ\. Type the new password again\./);
    await terminal.waitFor(/differ\.[^]*\? New password:/);
    terminal.answer('Harbour-lights-42!');
    await terminal.waitFor(/differ\.[^]*Repeat the new password:/);
    terminal.answer('Harbour-lights-42!');
    const screen = await terminal.finish();
    expect(screen.code, screen.text).toBe(0);
    expect(screen.text).toContain('Account created for zoe@example.com; it is pending activation.');
    const mails = await okpay.run(['outbox', 'list', '--json']);
    expect(mails.stdout).toContain('zoe@example.com');
  });

  it('login asks for the email and the password', async () => {
    terminal.start(['login', '--raw'], env());
    await terminal.waitFor(/\? Email:/);
    terminal.answer(CHEN);
    await terminal.waitFor(/\? Password:/);
    terminal.answer(DEMO_PASSWORD);
    const screen = await terminal.finish();
    expect(screen.code, screen.text).toBe(0);
    expect(screen.lines[screen.lines.length - 1]).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    // An answered question carries okpay's one checkmark, as its success lines do.
    expect(screen.text).toContain(`✓ Email: ${CHEN}`);
    expect(screen.text).not.toContain('✔');
  });

  it('ticket new asks for the category, the subject and the message, each checked', async () => {
    terminal.start(['ticket', 'new'], env(chen));
    await terminal.waitFor(/\? Category \(account, funds, identity, dispute, technical, feedback\):/);
    terminal.answer('billing');
    await terminal.waitFor(/"billing" is not a ticket category/);
    terminal.press('C-u');
    terminal.answer('funds');
    await terminal.waitFor(/\? Subject \(one line\):/);
    terminal.answer('Deposit not shown');
    await terminal.waitFor(/\? Message/);
    terminal.answer('I deposited 50 USD this morning and it is not in my balance.');
    const screen = await terminal.finish();
    expect(screen.code, screen.text).toBe(0);
    expect(screen.text).toMatch(/Ticket #\d+ opened/);
    const list = await okpay.run(['ticket', 'list', '--json'], { env: { OKPAY_SESSION: chen } });
    expect(list.stdout).toContain('Deposit not shown');
  });

  it('transfer asks for the payee, the currency and the amount, then confirms; Ctrl-C at the confirmation is exit 130 and moves nothing', async () => {
    const before = await snapshot(chen);
    terminal.start(['transfer'], env(chen));
    await terminal.waitFor(/\? Pay to/);
    terminal.answer('lena.mueller@example.de');
    await terminal.waitFor(/\? Currency you send/);
    terminal.answer('XYZ');
    await terminal.waitFor(/XYZ/);
    await terminal.waitFor(/> .*currency/i);
    terminal.press('C-u');
    terminal.answer('USD');
    await terminal.waitFor(/\? Amount:/);
    terminal.answer('1.234');
    await terminal.waitFor(/USD amounts have at most 2 decimals/);
    terminal.press('BSpace');
    terminal.answer('');
    await terminal.waitFor(/\? Send \d+\.\d\d USD to lena\.mueller@example\.de\? \(y\/N\)/);
    terminal.press('C-c');
    const screen = await terminal.finish();
    expect(screen.code).toBe(130);
    expect(screen.text).toContain('okpay: interrupted; nothing was changed');
    expect(await snapshot(chen)).toBe(before);
  });
});

describe('Ctrl-C anywhere', () => {
  it('at the first question of login: exit 130, nobody signed in', async () => {
    terminal.start(['login'], env());
    await terminal.waitFor(/\? Email:/);
    terminal.type('chen');
    terminal.press('C-c');
    const screen = await terminal.finish();
    expect(screen.code).toBe(130);
    expect((await okpay.run(['whoami'])).code).toBe(3);
  });

  it('at the password of register: exit 130, no account', async () => {
    terminal.start(['register', '--email', 'max@example.com', '--accept-terms'], env());
    await terminal.waitFor(/\? New password:/);
    terminal.press('C-c');
    expect((await terminal.finish()).code).toBe(130);
    expect((await okpay.run(['outbox', 'list', '--json'])).stdout).not.toContain('max@example.com');
  });

  it('in agent triage: exit 130', async () => {
    terminal.start(['agent', 'triage'], env(amy));
    await terminal.waitFor(/Queue \d+/);
    terminal.press('C-c');
    expect((await terminal.finish()).code).toBe(130);
  });
});

describe('agent lock confirms on a terminal', () => {
  const status = async () =>
    (await okpay.run(['agent', 'user', 'show', SOFIA, '--json'], { env: { OKPAY_SESSION: amy } })).json<{ user: { status: string } }>().user.status;

  it('no is exit 2, Ctrl-C exit 130, and the account stays open; yes locks it', async () => {
    const argv = ['agent', 'lock', SOFIA, '--reason', 'fraud check'];
    terminal.start(argv, env(amy));
    await terminal.waitFor(/\? Lock sofia\.garcia@example\.es\?[^]*\(y\/N\)/);
    terminal.answer('n');
    const declined = await terminal.finish();
    expect(declined.code).toBe(2);
    expect(declined.text).toContain('cancelled; nothing was changed');
    terminal.start(argv, env(amy));
    await terminal.waitFor(/\? Lock sofia/);
    terminal.press('C-c');
    expect((await terminal.finish()).code).toBe(130);
    expect(await status()).toBe('active');
    terminal.start(argv, env(amy));
    await terminal.waitFor(/\? Lock sofia/);
    terminal.answer('y');
    const locked = await terminal.finish();
    expect(locked.code, locked.text).toBe(0);
    expect(await status()).toBe('locked');
  });
});

describe('deposit confirms on a terminal, and --yes skips the question', () => {
  it('no leaves the balance as it was; --yes deposits without asking', async () => {
    const before = await snapshot(chen);
    terminal.start(['deposit', '--amount', '5', '--currency', 'USD'], env(chen));
    await terminal.waitFor(/\? Deposit 5\.00 USD from your card\? \(y\/N\)/);
    terminal.answer('n');
    expect((await terminal.finish()).code).toBe(2);
    expect(await snapshot(chen)).toBe(before);
    const yes = await terminal.okpay(['deposit', '--amount', '5', '--currency', 'USD', '-y'], env(chen));
    expect(yes.code, yes.text).toBe(0);
    expect(yes.text).toContain('Deposited 5.00 USD');
  });
});
