// Spawns the real bin/okpay.js against a temporary data directory with a fixed clock.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { copyTestStore } from './store-templates.js';

export const BIN = fileURLToPath(new URL('../../bin/okpay.js', import.meta.url));
export const DEFAULT_NOW = '2026-11-23T10:00:00.000Z';

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout parsed as JSON (throws if it is not JSON). */
  json<T = Record<string, unknown>>(): T;
  /** stderr parsed as the JSON error document. */
  error(): { code: string; message: string; exitCode: number; hint?: string };
}

export interface RunOptions {
  readonly now?: string;
  /** Text, or bytes as they are (e.g. ones that are not UTF-8). */
  readonly stdin?: string | Uint8Array;
  readonly env?: Record<string, string | undefined>;
}

export class Okpay {
  readonly home: string;
  now: string;
  session: string | undefined;
  /** The store's database when the suite runs on PostgreSQL (OKPAY_TEST_STORE=postgres). */
  databaseUrl: string | undefined;
  private testStore: Promise<void> | null;

  /**
   * `testStore: false` leaves the data directory as it is (a copied store, or one made by the
   * test itself); otherwise it becomes a test store, where OKPAY_NOW may move the clock, before
   * the first command runs.
   */
  constructor(options: { home?: string; now?: string; testStore?: boolean } = {}) {
    this.home = options.home ?? mkdtempSync(path.join(os.tmpdir(), 'okpay-test-'));
    this.now = options.now ?? DEFAULT_NOW;
    this.testStore = options.testStore === false ? Promise.resolve() : null;
  }

  /** Where the store is, for a process the test starts itself (a terminal): the data directory, and its database on PostgreSQL. */
  storeEnv(): Record<string, string> {
    return { OKPAY_HOME: this.home, ...(this.databaseUrl ? { OKPAY_DATABASE_URL: this.databaseUrl } : {}) };
  }

  /** Moves the fixed clock forward. */
  advance(ms: number): void {
    this.now = new Date(Date.parse(this.now) + ms).toISOString();
  }

  async run(args: readonly string[], options: RunOptions = {}): Promise<Run> {
    await (this.testStore ??= this.initTestStore());
    return runBin(args, {
      stdin: options.stdin,
      env: {
        OKPAY_HOME: this.home,
        OKPAY_NOW: options.now ?? this.now,
        OKPAY_BCRYPT_COST: '4',
        ...(this.databaseUrl ? { OKPAY_DATABASE_URL: this.databaseUrl } : {}),
        ...(this.session ? { OKPAY_SESSION: this.session } : {}),
        ...options.env,
      },
    });
  }

  /** A copy of a store that `okpay dev init` made (test/support/store-templates.ts). */
  private async initTestStore(): Promise<void> {
    this.databaseUrl = await copyTestStore(this.home, devInit);
  }

  cleanup(): void {
    rmSync(this.home, { recursive: true, force: true });
  }
}

/** Runs `okpay dev init` on an empty store: its data directory, and its database on PostgreSQL. */
async function devInit(home: string, databaseUrl: string | undefined): Promise<void> {
  const run = await runBin(['dev', 'init'], { env: { OKPAY_HOME: home, OKPAY_DATABASE_URL: databaseUrl } });
  if (run.code !== 0) throw new Error(`okpay dev init failed in ${databaseUrl ?? home}: ${run.stderr}`);
}

/** `bin`: another copy of okpay's executable, e.g. a package copy with edited data files. */
export function runBin(
  args: readonly string[],
  options: { stdin?: string | Uint8Array; env?: Record<string, string | undefined> } = {},
  bin = BIN,
): Promise<Run> {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], NODE_ENV: 'test' };
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], { env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({
        code,
        stdout,
        stderr,
        json: <T>() => JSON.parse(stdout) as T,
        error: () => (JSON.parse(stderr.trim().split('\n').pop() ?? '{}') as { error: ReturnType<Run['error']> }).error,
      });
    });
    // okpay may exit before reading all of a large input: that is its answer, not a test failure.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.stdin ?? '');
  });
}
