// Quick set-up for end-to-end tests of the wallet: customers registered, activated and signed in
// through the real binary, each holding their own session token, so one test can act as several
// people in one data directory.

import { expect, it } from 'vitest';
import { parseEml, type MailRecord } from '../../src/domain/mail.js';
import { Okpay, type Run, type RunOptions } from './okpay.js';
import { expectOk, PASSWORD } from './outcome.js';
import { databaseMails } from './pg-e2e.js';
import { storeMailTexts } from './store-files.js';

export { expectError, expectOk, PASSWORD } from './outcome.js';

export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * A test with a data directory of its own and the clock fixed at `start`. Such tests run side by
 * side (spawning the binary is the slow part) and clean up after themselves.
 */
export function scenarioAt(start: string, name: string, body: (o: Okpay) => Promise<void>): void {
  it.concurrent(name, async () => {
    const o = new Okpay({ now: start });
    try {
      await body(o);
    } finally {
      o.cleanup();
    }
  });
}

/** The mails of the store, oldest first: the .eml texts of its segments of mails, or the outbox table on PostgreSQL. */
export async function mails(o: Okpay, to?: string, kind?: string): Promise<MailRecord[]> {
  const all = o.databaseUrl ? await databaseMails(o.databaseUrl) : fileMails(o.home);
  return all.filter((m) => (to === undefined || m.to === to) && (kind === undefined || m.kind === kind));
}

function fileMails(home: string): MailRecord[] {
  return storeMailTexts(home)
    .map((text) => parseEml(text))
    .filter((m): m is MailRecord => m !== null);
}

/** Someone signed in to one data directory; commands run with their session token. */
export class Account {
  token = '';

  constructor(
    readonly o: Okpay,
    readonly email: string,
  ) {}

  run(args: readonly string[], options: RunOptions = {}): Promise<Run> {
    return this.o.run(args, { ...options, env: { OKPAY_SESSION: this.token, ...options.env } });
  }

  async ok(args: readonly string[], options: RunOptions = {}): Promise<Run> {
    return expectOk(await this.run(args, options));
  }

  /** Runs with --json, expects success and returns the parsed document. */
  async json<T = Record<string, unknown>>(args: readonly string[], options: RunOptions = {}): Promise<T> {
    return (await this.ok([...args, '--json'], options)).json<T>();
  }

  /** A fresh session at the current clock (sessions end after 30 idle minutes and after 12 hours). */
  async signIn(): Promise<this> {
    const run = expectOk(await this.o.run(['login', '--email', this.email, '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n` }));
    this.token = run.stdout.trim();
    return this;
  }

  /** Makes a phone number this account's with the code of the newest text message sent to it (register --phone, profile set --phone). */
  async verifyPhone(phone: string): Promise<Run> {
    const sent = expectOk(await this.o.run(['outbox', 'list', '--to', phone, '--kind', 'text-message', '--json'])).json<{ mails: { id: string }[] }>().mails;
    const text = expectOk(await this.o.run(['outbox', 'show', sent.at(-1)?.id ?? '', '--json'])).json<{ mail: { text: string } }>().mail.text;
    return this.ok(['profile', 'verify-phone', /\b(\d{6})\b/.exec(text)?.[1] ?? '']);
  }

  /** Available and held amounts of one currency, as the decimal strings `balance --json` prints. */
  async balance(currency = 'USD'): Promise<{ available: string; held: string }> {
    const { balances } = await this.json<{ balances: { currency: string; available: string; held: string }[] }>(['balance']);
    const row = balances.find((b) => b.currency === currency);
    return { available: row?.available ?? '0.00', held: row?.held ?? '0.00' };
  }
}

/** Registers (without signing in), e.g. for someone who has money waiting for them. */
export async function register(o: Okpay, email: string, extra: readonly string[] = [], options: RunOptions = {}): Promise<void> {
  expectOk(await o.run(['register', '--email', email, '--password-stdin', '--accept-terms', ...extra], { ...options, stdin: `${PASSWORD}\n` }));
}

/** Activates with the token from the newest activation mail. */
export async function activate(o: Okpay, email: string, options: RunOptions = {}): Promise<Run> {
  const token = /\b(act_[A-Za-z0-9_-]+)/.exec((await mails(o, email, 'activation')).pop()?.text ?? '')?.[1];
  if (!token) throw new Error(`no activation token mailed to ${email}`);
  return expectOk(await o.run(['activate', token, '--password-stdin'], { ...options, stdin: `${PASSWORD}\n` }));
}

/** register → activate → login: a customer ready to use the wallet. */
export async function signUp(o: Okpay, email: string, extra: readonly string[] = []): Promise<Account> {
  await register(o, email, extra);
  await activate(o, email);
  return new Account(o, email).signIn();
}

/** The first administrator (active at once), signed in. */
export async function signUpAdmin(o: Okpay, email = 'ops@example.com'): Promise<Account> {
  expectOk(await o.run(['admin', 'init', '--email', email, '--password-stdin'], { stdin: `${PASSWORD}\n` }));
  return new Account(o, email).signIn();
}

/** Moves the clock forward and signs the given people in again. */
export async function advance(o: Okpay, ms: number, ...accounts: Account[]): Promise<void> {
  o.advance(ms);
  for (const account of accounts) await account.signIn();
}

/** `okpay verify --json`, expected clean. */
export async function expectVerified(o: Okpay): Promise<void> {
  const run = await o.run(['verify', '--json']);
  expect(run.code, run.stderr).toBe(0);
  expect(run.json()).toMatchObject({ ok: true, problems: [] });
}
