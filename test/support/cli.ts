// Runs okpay commands in-process: run() from src/cli/main.ts with a buffer IO, one MemoryRecordStore
// shared by every command of a test, a session kept in memory, and a fixed clock.

import type { SessionHolder } from '../../src/cli/context.js';
import { bufferIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import type { MailRecord } from '../../src/domain/mail.js';
import { MemoryRecordStore } from '../../src/store/memory-record-store.js';
import { PASSWORD } from './outcome.js';

export { PASSWORD };

export const CLI_NOW = '2026-11-23T10:00:00.000Z';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  json<T = Record<string, unknown>>(): T;
  /** The JSON error document printed on stderr with --json. */
  error(): { code: string; message: string; exitCode: number; hint?: string };
}

export interface CliRunOptions {
  readonly stdin?: string;
  /** Make stdin, stdout and stderr terminals (then stdin must not be given). */
  readonly tty?: boolean;
  readonly env?: Record<string, string>;
}

export class Cli {
  readonly store: MemoryRecordStore;
  now: string;
  token: string | null = null;
  readonly session: SessionHolder = {
    read: async () => this.token,
    write: async (token) => {
      this.token = token;
    },
    clear: async () => {
      this.token = null;
    },
  };

  /** A test store, where OKPAY_NOW may move the clock. */
  private readonly testStore: Promise<void>;

  constructor(now = CLI_NOW) {
    this.now = now;
    this.store = new MemoryRecordStore(now);
    this.testStore = this.store.transaction((t) => t.meta.markTestStore());
  }

  advance(ms: number): void {
    this.now = new Date(Date.parse(this.now) + ms).toISOString();
  }

  async run(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
    await this.testStore;
    const io = bufferIO({ ...(options.stdin === undefined ? {} : { stdin: options.stdin }), tty: options.tty ?? false });
    const env = { OKPAY_NOW: this.now, OKPAY_BCRYPT_COST: '4', ...options.env };
    const code = await run(args, { io, env, openStore: () => this.store, session: this.session });
    const stdout = io.stdout();
    const stderr = io.stderr();
    return {
      code,
      stdout,
      stderr,
      json: <T>() => JSON.parse(stdout) as T,
      error: () => (JSON.parse(stderr.trim().split('\n').pop() ?? '{}') as { error: ReturnType<CliRun['error']> }).error,
    };
  }

  /** The newest mail of a kind to an address. */
  mail(to: string, kind: string): MailRecord {
    const found = this.store.mails.filter((m) => m.to === to && m.kind === kind).pop();
    if (!found) throw new Error(`no ${kind} mail to ${to}`);
    return found;
  }

  /** A token of the form `<prefix>_…` quoted in the newest mail of a kind. */
  tokenFromMail(to: string, kind: string, prefix: string): string {
    const match = new RegExp(`\\b(${prefix}_[A-Za-z0-9_-]+)`).exec(this.mail(to, kind).text);
    if (!match?.[1]) throw new Error(`no ${prefix} token in the ${kind} mail to ${to}`);
    return match[1];
  }

  async register(email: string, extra: readonly string[] = []): Promise<CliRun> {
    return this.run(['register', '--email', email, '--password-stdin', '--accept-terms', ...extra], { stdin: `${PASSWORD}\n` });
  }

  /** `activate TOKEN` with the password `register` chose. */
  async activate(token: string, extra: readonly string[] = []): Promise<CliRun> {
    return this.run(['activate', token, '--password-stdin', ...extra], { stdin: `${PASSWORD}\n` });
  }

  /** Registers, activates and signs in; the session is kept for the next commands. */
  async signedIn(email: string, extra: readonly string[] = []): Promise<void> {
    const steps = [
      await this.register(email, extra),
      await this.activate(this.tokenFromMail(email, 'activation', 'act')),
      await this.run(['login', '--email', email, '--password-stdin'], { stdin: `${PASSWORD}\n` }),
    ];
    const failed = steps.find((s) => s.code !== 0);
    if (failed) throw new Error(`setting up ${email} failed: ${failed.stderr}`);
  }
}
