// What a command gets: streams, output, the store, the clock, randomness, hashing, TOTP and the
// shipped data. Everything is built lazily, so a command pays only for what it uses.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '../domain/errors.js';
import type { RecordStore, TransactionOptions } from '../store/store.js';
import type { Ticket } from '../domain/ticket-record.js';
import { ensureDirectory, errnoOf, readTextIfExists, setFaultHook, stopBefore, writeFileDurable } from '../store/durable-file.js';
import { makeClock, readEnv, resolveDatabaseUrl, resolveDataDir, type Env } from './env.js';
import type { IO } from './io.js';
import { maskDatabaseUrl } from '../store/pg/url.js';
import { checkFields, declaredFields } from './fields.js';
import { packagePath } from './paths.js';
import { clockGuarded } from './clock-guard.js';
import { deliveringStore } from './delivering-store.js';
import { smtpConfig } from './smtp-config.js';
import { colorEnabled, Output } from './output.js';
import { cryptoRandom, type Random } from './random.js';
import { RefData } from './refdata.js';
import { bcryptCost, bcryptHasher, otplibTotp, type PasswordHasher, type Totp } from './auth-adapters.js';

export interface SessionHolder {
  read(): Promise<string | null>;
  write(token: string): Promise<void>;
  clear(): Promise<void>;
}

export interface Deps {
  readonly io: IO;
  readonly env: NodeJS.ProcessEnv;
  /** Tests pass a MemoryRecordStore; the real binary opens the split file store of the data directory. */
  readonly openStore?: (dataDir: string, now: () => Date) => RecordStore;
  readonly random?: Random;
  readonly passwords?: PasswordHasher;
  /** The simulator passes a TOTP whose secrets come from its seed, so a run can be replayed. */
  readonly totp?: Totp;
  readonly session?: SessionHolder;
}

export interface GlobalOptions {
  readonly dataDir?: string;
  readonly databaseUrl?: string;
  readonly json?: boolean;
  readonly color?: boolean;
  readonly jq?: string;
  readonly template?: string;
}

/** How the command line asked for data: the words of the command, and --json's field list. */
export interface Invocation {
  readonly commandPath: string;
  readonly fields: readonly string[] | null;
  /** Output produced asynchronously (jq) is handed here, and awaited before the program ends. */
  later(task: Promise<void>): void;
}

const NO_INVOCATION: Invocation = { commandPath: '', fields: null, later: () => undefined };

export interface Context {
  readonly io: IO;
  readonly env: Env;
  readonly out: Output;
  readonly json: boolean;
  readonly dataDir: string;
  /** The PostgreSQL database in use (--database-url, OKPAY_DATABASE_URL), or null for the data directory. */
  readonly databaseUrl: string | null;
  /** That database itself, for the commands that manage it (`store info|migrate`); `store` may wrap it. */
  readonly database: LazyPgStore | null;
  readonly random: Random;
  readonly ref: RefData;
  readonly session: SessionHolder;
  now(): Date;
  readonly store: RecordStore;
  readonly passwords: PasswordHasher;
  readonly totp: Totp;
}

export function createContext(deps: Deps, globals: GlobalOptions, invocation: Invocation = NO_INVOCATION): Context {
  const env = readEnv(deps.env);
  const jq = globals.jq ?? null;
  const template = globals.template ?? null;
  if (jq !== null && template !== null) throw new AppError('USAGE', 'choose --jq or --template, not both');
  const json = globals.json === true || jq !== null || template !== null || invocation.fields !== null;
  const declared = declaredFields(invocation.commandPath, invocation.fields);
  // A declared command's fields are checked before it runs, so a mistyped field never follows a payment.
  if (invocation.fields !== null && declared !== undefined) checkFields(invocation.fields, [...declared].sort());
  const format = { fields: invocation.fields, jq, template, declared, later: invocation.later };
  const out = new Output(
    deps.io,
    json,
    colorEnabled(deps.io, { noColorFlag: globals.color === false, noColorEnv: env.noColor, forceColorEnv: env.forceColor }),
    format,
  );
  const dataDir = resolveDataDir(globals.dataDir, env);
  const databaseUrl = deps.openStore ? null : resolveDatabaseUrl(globals.databaseUrl, env);
  const database = databaseUrl === null ? null : new LazyPgStore(databaseUrl, makeClock(env), env.now !== undefined, deps);
  // A database's rules run on its server's clock, so that every machine agrees on "now".
  const now = database && env.now === undefined ? () => database.now() : makeClock(env);
  const smtp = smtpConfig(env);
  const delivering = (opened: RecordStore): RecordStore => (smtp === null ? opened : deliveringStore(opened, smtp, now, out));
  let store: RecordStore | null = database && delivering(database);
  let passwords: PasswordHasher | null = deps.passwords ?? null;
  let totp: Totp | null = deps.totp ?? null;
  const ref = new RefData();
  return {
    io: deps.io,
    env,
    out,
    json,
    dataDir,
    databaseUrl,
    database,
    random: deps.random ?? cryptoRandom,
    ref,
    session: deps.session ?? fileSession(dataDir),
    now,
    get store(): RecordStore {
      if (store) return store;
      const opened = deps.openStore ? deps.openStore(dataDir, now) : openFileStore(dataDir, now, ref, env);
      return (store = delivering(env.now === undefined ? opened : clockGuarded(opened, invocation.commandPath)));
    },
    get passwords(): PasswordHasher {
      return (passwords ??= bcryptHasher(bcryptCost(env)));
    },
    get totp(): Totp {
      return (totp ??= otplibTotp());
    },
  };
}

function openFileStore(dataDir: string, now: () => Date, ref: RefData, env: Env): RecordStore {
  // Imported on first use, so that commands which never touch the store do not load it.
  return new LazyFileStore(dataDir, now, ref, env);
}

class LazyFileStore implements RecordStore {
  private inner: RecordStore | null = null;

  constructor(
    readonly location: string,
    private readonly now: () => Date,
    private readonly ref: RefData,
    private readonly env: Env,
  ) {}

  async transaction<T>(work: Parameters<RecordStore['transaction']>[0], options?: TransactionOptions): Promise<T> {
    return (await this.open()).transaction(work, options) as Promise<T>;
  }

  async read<T>(work: Parameters<RecordStore['read']>[0]): Promise<T> {
    return (await this.open()).read(work) as Promise<T>;
  }

  private async open(): Promise<RecordStore> {
    if (!this.inner) {
      const { SplitFileStore } = await import('../store/split-file-store.js');
      // Only the upgrade of a schema-2 store summarises tickets: the desk's rules load for it alone.
      const summarizeTicket = async (ticket: Ticket) => (await import('../app/desk.js')).summaryOf(this.ref, ticket);
      if (this.env.testStopAt !== undefined) setFaultHook(stopBefore(this.env.testStopAt));
      this.inner = new SplitFileStore(this.location, { now: this.now, summarizeTicket, lockWaitMs: lockWaitMs(this.env) });
    }
    return this.inner;
  }
}

/** OKPAY_TEST_LOCK_WAIT_MS, a whole number of milliseconds; undefined: the store's own wait. */
function lockWaitMs(env: Env): number | undefined {
  if (env.lockWaitMs === undefined) return undefined;
  const ms = Number(env.lockWaitMs);
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new AppError('USAGE', `OKPAY_TEST_LOCK_WAIT_MS is not a whole number of milliseconds: "${env.lockWaitMs.slice(0, 40)}"`);
  return ms;
}

/** Stores that hold a connection, per run of the program (an in-process capture is a run of its own). */
const OPEN_STORES = new WeakMap<Deps, Set<{ close(): Promise<void> }>>();

/** Closes the database connections a run opened, so that the process can end. */
export async function closeStores(deps: Deps): Promise<void> {
  const open = OPEN_STORES.get(deps);
  OPEN_STORES.delete(deps);
  for (const store of open ?? []) await store.close();
}

/** The PostgreSQL store, loaded (driver included) and connected on first use. */
export class LazyPgStore implements RecordStore {
  private inner: import('../store/pg/pg-store.js').PgStore | null = null;
  readonly location: string;

  constructor(
    private readonly url: string,
    private readonly creationClock: () => Date,
    private readonly fixedClock: boolean,
    private readonly deps: Deps,
  ) {
    this.location = maskDatabaseUrl(url);
  }

  now(): Date {
    return this.inner?.now() ?? new Date();
  }

  async transaction<T>(work: Parameters<RecordStore['transaction']>[0], options?: TransactionOptions): Promise<T> {
    return (await this.open()).transaction(work, options) as Promise<T>;
  }

  async read<T>(work: Parameters<RecordStore['read']>[0]): Promise<T> {
    return (await this.open()).read(work) as Promise<T>;
  }

  async open(): Promise<import('../store/pg/pg-store.js').PgStore> {
    if (!this.inner) {
      const { PgStore } = await import('../store/pg/pg-store.js');
      this.inner = new PgStore(this.url, { migrationsDirectory: packagePath('data', 'postgres'), now: this.creationClock, fixedClock: this.fixedClock });
      const open = OPEN_STORES.get(this.deps) ?? new Set();
      open.add(this.inner);
      OPEN_STORES.set(this.deps, open);
    }
    return this.inner;
  }
}

/** The session token of `okpay login`, kept in <data-dir>/session with mode 0600. */
function fileSession(dataDir: string): SessionHolder {
  const file = path.join(dataDir, 'session');
  return {
    read: async () => (await readTextIfExists(file))?.trim() || null,
    write: async (token) => {
      await ensureDirectory(dataDir);
      await writeFileDurable(file, `${token}\n`);
    },
    clear: async () => {
      try {
        await fs.rm(file);
      } catch (error) {
        if (errnoOf(error) !== 'ENOENT') throw new AppError('STORE_UNAVAILABLE', `cannot remove ${file}`);
      }
    },
  };
}
