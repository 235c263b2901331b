// okpay demo (what `npm start` runs): a tour on a fresh store in a temporary directory. Every step
// runs the real okpay binary, prints the command, then its output. The clock is pinned to a fixed
// business day (DEMO_START), whatever the day the demo runs on, so the story it tells holds: the
// payout it asks for is paid out when it says, and the support desk is open. It moves a minute per
// step through OKPAY_NOW, so one-time codes change as they would for a person.

import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { AppError } from '../../domain/errors.js';
import { ensureDirectory } from '../../store/durable-file.js';
import type { Context } from '../context.js';
import { action, examples, subcommand, type App } from '../command-builder.js';
import { packagePath } from '../paths.js';

const BIN = packagePath('bin', 'okpay.js');
const DEMO_FIXTURES = packagePath('data', 'fixtures', 'demo.json');
const STEP_MS = 60_000;
/** A Monday morning in New York with no public holiday that week in any support region (data/calendars.json). */
const DEMO_START = '2026-11-16T14:00:00Z';

export interface StepResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

class Tour {
  private clockMs: number;
  private step = 0;
  private readonly sessions = new Map<string, string>();

  constructor(
    private readonly ctx: Context,
    readonly home: string,
    startMs: number,
  ) {
    this.clockMs = startMs;
  }

  get nowMs(): number {
    return this.clockMs;
  }

  advanceDays(days: number): void {
    this.clockMs += days * 24 * 60 * 60 * 1000;
  }

  /** Signs an actor in (`login --raw`) and keeps the token for the steps run `as` them; returns the one-time code used. */
  async login(actor: string, email: string, password: string, secret?: string): Promise<string | null> {
    const code = secret ? this.totp(secret) : null;
    const args = ['login', '--email', email, '--password-stdin', '--raw', ...(code ? ['--otp', code] : [])];
    const result = await this.run(args, { stdin: `${password}\n` });
    this.sessions.set(actor, result.stdout.trim());
    return code;
  }

  section(title: string): void {
    this.step += 1;
    const heading = `── ${this.step}. ${title} `;
    this.ctx.out.line();
    this.ctx.out.line(this.ctx.out.style.bold(heading.padEnd(72, '─')));
  }

  /** Runs `okpay ARGS` as a person would type it, prints it and its output, and returns what it printed. */
  async run(
    args: readonly string[],
    options: { stdin?: string; shownStdin?: string; expectCode?: number; sameTime?: boolean; as?: string } = {},
  ): Promise<StepResult> {
    if (!options.sameTime) this.clockMs += STEP_MS;
    const session = options.as ? this.sessions.get(options.as) : undefined;
    const shown = args.map((a) => (/^[\w@.+:/=,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
    const prefix = options.stdin === undefined ? '' : `${options.shownStdin ?? "printf '%s\\n' '••••••••'"} | `;
    const who = options.as ? this.ctx.out.style.dim(`(as ${options.as}) `) : '';
    this.ctx.out.line(`${who}${this.ctx.out.style.cyan(`$ ${prefix}okpay ${shown}`)}`);
    const env: NodeJS.ProcessEnv = { ...process.env, OKPAY_HOME: this.home, OKPAY_NOW: new Date(this.clockMs).toISOString(), NO_COLOR: '1' };
    // On a terminal each step's tables and times look as they would typed there, at the demo's width.
    if (this.ctx.io.stdoutIsTTY) env['OKPAY_FORCE_TTY'] = String(this.ctx.io.columns);
    else delete env['OKPAY_FORCE_TTY'];
    // Never the caller's session: a step without `as` runs signed out.
    delete env['OKPAY_SESSION'];
    if (session !== undefined) env['OKPAY_SESSION'] = session;
    const result = await runOkpay(args, env, options.stdin);
    const secret = args.includes('--raw') && result.code === 0;
    if (result.stdout)
      this.ctx.out.line(secret ? this.ctx.out.style.dim('(session token printed for OKPAY_SESSION; hidden here)') : result.stdout.replace(/\n$/, ''));
    if (result.stderr) this.ctx.out.line(this.ctx.out.style.dim(result.stderr.replace(/\n$/, '')));
    const expected = options.expectCode ?? 0;
    if (result.code !== expected && result.code === 10) {
      // The store the demo was pointed at cannot be used: the user's directory, not a bug.
      throw new AppError('STORE_UNAVAILABLE', `the demo store at ${this.home} cannot be used: ${result.stderr.split('\n')[0]?.replace(/^okpay: /, '') ?? ''}`);
    }
    if (result.code !== expected) {
      throw new AppError('INTERNAL', `the demo step \`okpay ${shown}\` exited with ${result.code} (expected ${expected})`, {
        hint: `the demo store is kept at ${this.home}`,
      });
    }
    return result;
  }

  async json<T>(args: readonly string[], options: { stdin?: string; as?: string } = {}): Promise<T> {
    const result = await this.run([...args, '--json'], options);
    return JSON.parse(result.stdout) as T;
  }

  totp(secret: string): string {
    return this.ctx.totp.generate(secret, this.clockMs + STEP_MS);
  }
}

function runOkpay(args: readonly string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<StepResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(stdin ?? '');
  });
}

const DEMO_PASSWORD = 'Demo-pass-2026!';
const ADA = { email: 'ada@example.com', password: 'Harbour-lights-42!' };

async function onboarding(tour: Tour): Promise<string> {
  tour.section('Register: a strong password, and the terms accepted');
  await tour.run(['register', '--email', ADA.email, '--name', 'Ada Lovelace', '--country', 'US', '--password-stdin', '--accept-terms'], {
    stdin: `${ADA.password}\n`,
  });
  tour.section('The activation mail is in the outbox');
  const { mails } = await tour.json<{ mails: { id: string }[] }>(['outbox', 'list', '--to', ADA.email, '--kind', 'activation']);
  const { mail } = await tour.json<{ mail: { text: string } }>(['outbox', 'show', mails[mails.length - 1]?.id ?? '']);
  const token = /okpay activate (\S+)/.exec(mail.text)?.[1] ?? '';
  tour.section('Activate the account with the token from the mail and the password chosen at registration, and sign in');
  await tour.run(['activate', token, '--password-stdin'], { stdin: `${ADA.password}\n` });
  await tour.login('ada', ADA.email, ADA.password);
  tour.section('Turn on two-step verification (secret, otpauth:// URI, recovery codes): the password again, not just the session');
  const password = { as: 'ada', stdin: `${ADA.password}\n` };
  const { twoFactor } = await tour.json<{ twoFactor: { secret: string } }>(['2fa', 'enable', '--password-stdin'], password);
  await tour.run(['2fa', 'confirm', tour.totp(twoFactor.secret), '--password-stdin'], password);
  tour.section('Sign in again: now a one-time code is needed (and works only once)');
  await tour.run(['login', '--email', ADA.email, '--password-stdin', '--raw'], { stdin: `${ADA.password}\n`, expectCode: 2 });
  const code = (await tour.login('ada', ADA.email, ADA.password, twoFactor.secret)) ?? '';
  await tour.run(['login', '--email', ADA.email, '--password-stdin', '--raw', '--otp', code], { stdin: `${ADA.password}\n`, expectCode: 3, sameTime: true });
  tour.section('A new phone number needs the password and a code too');
  await tour.run(['profile', 'set', '--phone', '+14155550199', '--id-number', 'A12345678', '--password-stdin', '--otp', tour.totp(twoFactor.secret)], password);
  tour.section('The number is Ada’s once she types the code texted to it (a text-message record in the outbox)');
  const { mails: texts } = await tour.json<{ mails: { id: string }[] }>(['outbox', 'list', '--to', '+14155550199', '--kind', 'text-message']);
  const { mail: text } = await tour.json<{ mail: { text: string } }>(['outbox', 'show', texts[texts.length - 1]?.id ?? '']);
  await tour.run(['profile', 'verify-phone', /\b(\d{6})\b/.exec(text.text)?.[1] ?? ''], { as: 'ada' });
  return twoFactor.secret;
}

async function payments(tour: Tour): Promise<void> {
  tour.section('Add money, then ask what a transfer costs before sending it');
  await tour.run(['deposit', '--amount', '1000', '--currency', 'USD'], { as: 'ada' });
  const { quote } = await tour.json<{ quote: { id: string } }>(
    ['fee', 'quote', 'transfer', '--to', 'bob@example.com', '--amount', '100', '--currency', 'USD'],
    { as: 'ada' },
  );
  tour.section('Send exactly what the quote said (binding for 30 minutes)');
  await tour.run(['transfer', '--quote', quote.id, '--memo', 'concert tickets', '--yes'], { as: 'ada' });
  tour.section('A cross-border transfer: USD out, EUR in, at our rate with its spread');
  await tour.run(['fee', 'quote', 'transfer', '--to', 'lena.mueller@example.de', '--amount', '200', '--currency', 'USD', '--to-currency', 'EUR'], {
    as: 'ada',
  });
  const rent = [
    'transfer',
    '--to',
    'lena.mueller@example.de',
    '--amount',
    '200',
    '--currency',
    'USD',
    '--to-currency',
    'EUR',
    '--idempotency-key',
    'ada-rent-nov',
    '--yes',
  ];
  await tour.run(rent, { as: 'ada' });
  tour.section('Retrying with the same idempotency key pays nobody twice');
  await tour.run(rent, { as: 'ada' });
  await tour.run(['balance'], { as: 'ada' });
  await tour.run(['history'], { as: 'ada' });
}

async function payout(tour: Tour, secret: string): Promise<void> {
  tour.section('Withdraw to a bank account: the money is held at once, the ETA is in business days');
  const { method } = await tour.json<{ method: { id: string } }>(
    ['withdraw', 'methods', 'add', 'bank', '--holder', 'Ada Lovelace', '--account-number', '000123456789', '--routing-number', '011000015'],
    { as: 'ada' },
  );
  await tour.run(['fee', 'quote', 'withdraw', '--method', method.id, '--amount', '150', '--currency', 'USD'], { as: 'ada' });
  await tour.run(['withdraw', '--method', method.id, '--amount', '150', '--currency', 'USD', '--yes'], { as: 'ada' });
  await tour.run(['withdraw', 'list'], { as: 'ada' });
  await tour.run(['balance'], { as: 'ada' });
  tour.section('Four days later the operator settles: the payout completes and Ada gets a mail');
  tour.advanceDays(4);
  await tour.login('ops', 'ops@okpay.example', DEMO_PASSWORD);
  await tour.run(['admin', 'settle'], { as: 'ops' });
  await tour.login('ada', ADA.email, ADA.password, secret);
  await tour.run(['withdraw', 'list'], { as: 'ada' });
  await tour.run(['outbox', 'list', '--to', ADA.email, '--kind', 'payout-completed']);
}

async function support(tour: Tour): Promise<void> {
  tour.section('Ada asks support a question; the ticket shows its place in the queue');
  const opened = await tour.json<{ ticket: { number: number } }>(
    [
      'ticket',
      'new',
      '--category',
      'funds',
      '--subject',
      'Payout arrived — is the fee refundable?',
      '--body',
      'My withdrawal of 150.00 USD arrived, thanks. Is the withdrawal fee refundable if I cancel next time?',
    ],
    { as: 'ada' },
  );
  const number = String(opened.ticket.number);
  await tour.run(['ticket', 'show', number], { as: 'ada' });
  tour.section('An agent works the queue: most urgent first, and why');
  await tour.login('amy', 'amy@support.okpay.example', DEMO_PASSWORD);
  await tour.run(['agent', 'queue'], { as: 'amy' });
  await tour.run(['ticket', 'why', number], { as: 'amy' });
  await tour.run(['ticket', 'reply', number, '--faq', 'withdrawal-fees', '--status', 'solved'], { as: 'amy' });
  tour.section('Ada reads the answer and rates the service');
  await tour.run(['ticket', 'show', number], { as: 'ada' });
  await tour.run(['ticket', 'rate', number, '--score', '5', '--comment', 'Quick and clear'], { as: 'ada' });
  tour.section('Finally: the books balance and both hash chains are intact');
  await tour.run(['verify']);
}

/** --dir made ready before the tour starts, so a bad path is a clear error rather than a failed step. */
async function demoDirectory(dir: string): Promise<string> {
  if (dir.trim() === '' || dir.includes('\0')) throw new AppError('USAGE', 'the --dir path is empty or invalid');
  const home = path.resolve(dir);
  await ensureDirectory(home);
  try {
    await access(home, constants.W_OK);
  } catch {
    throw new AppError('STORE_UNAVAILABLE', `cannot put the demo store in ${home}: it is not a writable directory`);
  }
  return home;
}

export function registerDemoCommand(program: Command, app: App): void {
  const command = subcommand(program, 'demo', 'a guided tour on a fresh temporary store (what `npm start` runs)').option(
    '--dir <dir>',
    'put the demo store here instead of a new temporary directory',
  );
  examples(command, ['okpay demo', 'npm start']);
  action(app, command, async (ctx, o) => {
    const home = o.dir !== undefined ? await demoDirectory(o.dir) : await mkdtemp(path.join(os.tmpdir(), 'okpay-demo-'));
    const tour = new Tour(ctx, home, Date.parse(DEMO_START));
    ctx.out.line(ctx.out.style.bold('okpay demo — every step below runs the real okpay command shown.'));
    ctx.out.line(`The demo store lives in ${home}.`);
    ctx.out.text(
      `Its clock (OKPAY_NOW) starts on Monday ${DEMO_START.slice(0, 10)} at ${DEMO_START.slice(11, 16)} UTC, a business day with no public holiday that week in any support region, whatever today is, and moves one minute per step.`,
    );
    tour.section('Load the demo customers, agents, payments and tickets (data/fixtures/demo.json)');
    await tour.run(['fixtures', 'load', DEMO_FIXTURES]);
    const secret = await onboarding(tour);
    await payments(tour);
    await payout(tour, secret);
    await support(tour);
    ctx.out.line();
    ctx.out.line(ctx.out.style.bold('Done. The demo store is still there; continue with it:'));
    ctx.out.line(`  export OKPAY_HOME=${home}`);
    ctx.out.line(`  export OKPAY_NOW=${new Date(tour.nowMs + STEP_MS).toISOString()}   # the demo's clock; unset it to use the real one`);
    ctx.out.line(`  okpay login --email bob@example.com          # password ${DEMO_PASSWORD}; his one-time code: okpay dev otp --email bob@example.com`);
    ctx.out.line('  okpay balance; okpay history; okpay ticket list');
  });
}
