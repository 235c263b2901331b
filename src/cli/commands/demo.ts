// okpay demo (what `npm start` runs): a tour on a fresh store in a temporary directory. Every step
// runs the real okpay binary, prints the command, then its output. The clock moves a minute per
// step through OKPAY_NOW, so one-time codes change as they would for a person.

import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { AppError } from '../../domain/errors.js';
import type { Context } from '../context.js';
import { action, examples, subcommand, type App } from '../kit.js';

const BIN = fileURLToPath(new URL('../../../bin/okpay.js', import.meta.url));
const STEP_MS = 60_000;

export interface StepResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class Tour {
  private clockMs: number;
  private step = 0;

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

  section(title: string): void {
    this.step += 1;
    const heading = `── ${this.step}. ${title} `;
    this.ctx.out.line();
    this.ctx.out.line(this.ctx.out.style.bold(heading.padEnd(72, '─')));
  }

  /** Runs `okpay ARGS` as a person would type it, prints it and its output, and returns what it printed. */
  async run(args: readonly string[], options: { stdin?: string; shownStdin?: string; expectCode?: number; sameTime?: boolean } = {}): Promise<StepResult> {
    if (!options.sameTime) this.clockMs += STEP_MS;
    const shown = args.map((a) => (/^[\w@.+:/=,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
    const prefix = options.stdin === undefined ? '' : `${options.shownStdin ?? "printf '%s\\n' '••••••••'"} | `;
    this.ctx.out.line(this.ctx.out.style.cyan(`$ ${prefix}okpay ${shown}`));
    const result = await runOkpay(args, { ...process.env, OKPAY_HOME: this.home, OKPAY_NOW: new Date(this.clockMs).toISOString(), NO_COLOR: '1' }, options.stdin);
    if (result.stdout) this.ctx.out.line(result.stdout.replace(/\n$/, ''));
    if (result.stderr) this.ctx.out.line(this.ctx.out.style.dim(result.stderr.replace(/\n$/, '')));
    const expected = options.expectCode ?? 0;
    if (result.code !== expected) {
      throw new AppError('INTERNAL', `the demo step \`okpay ${shown}\` exited with ${result.code} (expected ${expected})`, { hint: `the demo store is kept at ${this.home}` });
    }
    return result;
  }

  async json<T>(args: readonly string[], options: { stdin?: string } = {}): Promise<T> {
    const result = await this.run([...args, '--json'], options);
    return JSON.parse(result.stdout) as T;
  }

  totp(secret: string): string {
    return this.ctx.totp.generate(secret, this.clockMs + STEP_MS);
  }
}

export function runOkpay(args: readonly string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<StepResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin?.end(stdin ?? '');
  });
}

async function onboarding(tour: Tour): Promise<void> {
  const password = 'Harbour-lights-42!';
  const email = 'ada@example.com';
  tour.section('Register: a strong password, and the terms accepted');
  await tour.run(['register', '--email', email, '--name', 'Ada Lovelace', '--country', 'GB', '--password-stdin', '--accept-terms'], { stdin: `${password}\n` });
  tour.section('The activation mail is in the outbox');
  const { mails } = await tour.json<{ mails: { id: string; kind: string }[] }>(['outbox', 'list', '--to', email, '--kind', 'activation']);
  const mailId = mails[mails.length - 1]?.id ?? '';
  const { mail } = await tour.json<{ mail: { text: string } }>(['outbox', 'show', mailId]);
  const token = /okpay activate (\S+)/.exec(mail.text)?.[1] ?? '';
  tour.section('Activate the account with the token from the mail');
  await tour.run(['activate', token]);
  tour.section('Sign in with email and password');
  await tour.run(['login', '--email', email, '--password-stdin'], { stdin: `${password}\n` });
  tour.section('Turn on two-step verification (secret, otpauth:// URI, recovery codes)');
  const { twoFactor } = await tour.json<{ twoFactor: { secret: string } }>(['2fa', 'enable']);
  const code = tour.totp(twoFactor.secret);
  await tour.run(['2fa', 'confirm', code]);
  tour.section('Sign out, then sign in again: now a one-time code is needed');
  await tour.run(['logout']);
  await tour.run(['login', '--email', email, '--password-stdin'], { stdin: `${password}\n`, expectCode: 2 });
  const next = tour.totp(twoFactor.secret);
  await tour.run(['login', '--email', email, '--password-stdin', '--otp', next], { stdin: `${password}\n` });
  tour.section('The same code does not work twice (replay protection)');
  await tour.run(['logout'], { sameTime: true });
  await tour.run(['login', '--email', email, '--password-stdin', '--otp', next], { stdin: `${password}\n`, expectCode: 3, sameTime: true });
  const fresh = tour.totp(twoFactor.secret);
  await tour.run(['login', '--email', email, '--password-stdin', '--otp', fresh], { stdin: `${password}\n` });
  tour.section('Who am I?');
  await tour.run(['whoami']);
}

export function registerDemoCommand(program: Command, app: App): void {
  const command = subcommand(program, 'demo', 'a guided tour on a fresh temporary store (what `npm start` runs)').option('--dir <dir>', 'put the demo store here instead of a new temporary directory');
  examples(command, ['okpay demo', 'npm start']);
  action<{ dir?: string }>(app, command, async (ctx, o) => {
    const home = o.dir ? path.resolve(o.dir) : await mkdtemp(path.join(os.tmpdir(), 'okpay-demo-'));
    const tour = new Tour(ctx, home, ctx.now().getTime());
    ctx.out.line(ctx.out.style.bold('okpay demo — every step below runs the real okpay command shown.'));
    ctx.out.line(`The demo store lives in ${home}; the clock moves one minute per step (OKPAY_NOW).`);
    await onboarding(tour);
    ctx.out.line();
    ctx.out.line(ctx.out.style.bold('Done. The demo store is still there; continue with it:'));
    ctx.out.line(`  export OKPAY_HOME=${home}`);
    ctx.out.line(`  export OKPAY_NOW=${new Date(tour.nowMs + STEP_MS).toISOString()}`);
    ctx.out.line('  okpay whoami');
  });
}
