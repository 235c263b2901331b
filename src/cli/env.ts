// The environment variables okpay reads, parsed once. Everything else gets them from here.

import os from 'node:os';
import path from 'node:path';
import { AppError } from '../domain/errors.js';

export interface Env {
  readonly home: string | undefined;
  /** OKPAY_DATABASE_URL: a postgres:// URL selects the PostgreSQL store instead of the data directory. */
  readonly databaseUrl: string | undefined;
  readonly now: string | undefined;
  /** OKPAY_SMTP_URL: smtp:// or smtps:// (with user:password@), where every mail is also delivered. */
  readonly smtpUrl: string | undefined;
  /** OKPAY_SMTP_TIMEOUT: seconds one delivery may wait for the server. */
  readonly smtpTimeout: string | undefined;
  /** As set, even empty: an empty one is an error, never a reason to use the saved session. */
  readonly session: string | undefined;
  readonly password: string | undefined;
  readonly debug: boolean;
  readonly noColor: boolean;
  readonly forceColor: boolean;
  readonly bcryptCost: string | undefined;
  readonly xdgDataHome: string | undefined;
  readonly userHome: string;
  /** $VISUAL, else $EDITOR: what the triage console writes replies and notes with. */
  readonly editor: string | undefined;
  /** OKPAY_TEST_LOCK_WAIT_MS: how long a writer waits for the data directory's lock (tests shorten it). */
  readonly lockWaitMs: string | undefined;
  /** OKPAY_TEST_STOP_AT=<step>:<file name>: tests only; the process stops itself before that disk step of a commit. */
  readonly testStopAt: string | undefined;
  /** OKPAY_TEST_COPY_PAGE_ROWS: tests only; rows per page that store copy reads and writes (small, so a small store crosses many pages). */
  readonly testCopyPageRows: string | undefined;
}

export function readEnv(env: NodeJS.ProcessEnv): Env {
  const nonEmpty = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    home: nonEmpty('OKPAY_HOME'),
    databaseUrl: nonEmpty('OKPAY_DATABASE_URL'),
    now: nonEmpty('OKPAY_NOW'),
    smtpUrl: nonEmpty('OKPAY_SMTP_URL'),
    smtpTimeout: nonEmpty('OKPAY_SMTP_TIMEOUT'),
    session: env['OKPAY_SESSION'],
    password: env['OKPAY_PASSWORD'],
    debug: env['OKPAY_DEBUG'] === '1',
    noColor: env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '',
    forceColor: env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0' && env['FORCE_COLOR'] !== 'false',
    bcryptCost: nonEmpty('OKPAY_BCRYPT_COST'),
    xdgDataHome: nonEmpty('XDG_DATA_HOME'),
    userHome: nonEmpty('HOME') ?? os.homedir(),
    editor: nonEmpty('VISUAL') ?? nonEmpty('EDITOR'),
    lockWaitMs: nonEmpty('OKPAY_TEST_LOCK_WAIT_MS'),
    testStopAt: nonEmpty('OKPAY_TEST_STOP_AT'),
    testCopyPageRows: nonEmpty('OKPAY_TEST_COPY_PAGE_ROWS'),
  };
}

/** --data-dir, else $OKPAY_HOME, else the platform data directory. */
export function resolveDataDir(flag: string | undefined, env: Env, platform: NodeJS.Platform = process.platform): string {
  const chosen = flag ?? env.home;
  if (chosen !== undefined) {
    if (chosen.trim() === '' || chosen.includes('\0')) throw new AppError('USAGE', 'the data directory path is empty or invalid');
    return path.resolve(chosen);
  }
  if (platform === 'darwin') return path.join(env.userHome, 'Library', 'Application Support', 'okpay');
  if (platform === 'win32') return path.join(process.env['LOCALAPPDATA'] ?? path.join(env.userHome, 'AppData', 'Local'), 'okpay');
  return path.join(env.xdgDataHome ?? path.join(env.userHome, '.local', 'share'), 'okpay');
}

/** --database-url, else $OKPAY_DATABASE_URL, else null (the data directory's file store). */
export function resolveDatabaseUrl(flag: string | undefined, env: Env): string | null {
  const chosen = flag ?? env.databaseUrl;
  if (chosen === undefined) return null;
  if (!/^postgres(ql)?:\/\/\S*$/i.test(chosen.trim())) {
    const source = flag === undefined ? 'OKPAY_DATABASE_URL' : '--database-url';
    throw new AppError('USAGE', `${source} is not a PostgreSQL URL (postgres://user:password@host:port/database)`, {
      hint: 'for example postgres://okpay@db.example.com/okpay?sslmode=verify-full',
    });
  }
  return chosen.trim();
}

/** $OKPAY_NOW fixes "now" for every rule; otherwise the real clock. */
export function makeClock(env: Env): () => Date {
  if (env.now === undefined) return () => new Date();
  const fixed = parseNow(env.now);
  return () => new Date(fixed);
}

const ISO_PATTERN = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function parseNow(text: string): number {
  const ms = ISO_PATTERN.test(text.trim()) ? Date.parse(text.trim()) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new AppError('USAGE', `OKPAY_NOW is not an ISO 8601 time: "${text.slice(0, 40)}"`, { hint: 'for example OKPAY_NOW=2026-11-23T10:00:00Z' });
  }
  return ms;
}
