// store info / migrate / copy: which store a command uses (the data directory's files, or a
// PostgreSQL database), its schema version and size; bringing a database's schema up to date; and
// copying a whole store into an empty one, either way (src/store/copy.ts).

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { AppError } from '../../domain/errors.js';
import { errnoOf, setFaultHook, stopBefore } from '../../store/durable-file.js';
import type { Context, LazyPgStore } from '../context.js';
import { authenticate } from '../../app/authenticate.js';
import { assertClockMayMove } from '../../app/test-store.js';
import type { LoadableStore } from '../../store/store.js';
import { isDatabaseUrl, maskDatabaseUrl } from '../../store/pg/url.js';
import { sessionToken } from '../auth.js';
import { action, examples, group, subcommand, type App } from '../command-builder.js';
import { counted } from '../output.js';
import { packagePath } from '../paths.js';

interface StoreInfo {
  readonly store: 'files' | 'postgresql';
  /** A directory, or the database URL with its password masked. */
  readonly location: string;
  /** 0: nothing there yet (a new store is made on first use). */
  readonly schemaVersion: number;
  readonly latestSchemaVersion: number;
  readonly sizeBytes: number;
  readonly testStore: boolean | null;
  readonly users: number | null;
  readonly journalEntries: number | null;
}

export function registerStoreCommands(program: Command, app: App): void {
  const store = group(program, 'store', 'the store in use: the data directory, or a PostgreSQL database (--database-url)');
  const info = subcommand(store, 'info', 'say which store is in use, its schema version and its size (never a password)');
  examples(info, ['okpay store info', 'OKPAY_DATABASE_URL=postgres://okpay@db.example.com/okpay okpay store info --json']);
  action(app, info, async (ctx) => {
    const found = ctx.database === null ? await fileStoreInfo(ctx) : await databaseInfo(ctx.database);
    ctx.out.data(found, () =>
      ctx.out.fields([
        ['Store', found.store === 'files' ? 'files (the data directory)' : 'PostgreSQL'],
        ['Location', found.location],
        [
          'Schema',
          found.schemaVersion === 0
            ? `none yet (made on first use; this okpay writes version ${found.latestSchemaVersion})`
            : `version ${found.schemaVersion}${found.schemaVersion < found.latestSchemaVersion ? ` (run okpay store migrate for ${found.latestSchemaVersion})` : ''}`,
        ],
        ['Size', formatBytes(found.sizeBytes)],
        ['Test store', found.testStore === null ? null : found.testStore ? 'yes (OKPAY_NOW allowed)' : 'no'],
        ['Users', found.users],
        ['Journal entries', found.journalEntries],
      ]),
    );
  });
  const migrate = subcommand(
    store,
    'migrate',
    "bring the store's schema up to date: a PostgreSQL database's (an empty one gets okpay's tables), or an older data directory's layout",
  ).option('--test', 'make a new, empty database a test store, where OKPAY_NOW is honoured');
  examples(migrate, [
    'okpay --database-url postgres://okpay@db.example.com/okpay store migrate',
    'OKPAY_DATABASE_URL=postgres://okpay@localhost/okpay_test okpay store migrate --test',
    'okpay --data-dir ~/.local/share/okpay store migrate',
  ]);
  action(app, migrate, async (ctx, o) => {
    if (ctx.database === null) return migrateDataDirectory(ctx, o.test === true);
    const database = await ctx.database.open();
    const applied = await database.migrate(o.test === true);
    const { version } = await database.schema();
    ctx.out.data({ location: database.location, applied, schemaVersion: version, testStore: o.test === true ? true : null }, () => {
      ctx.out.line(
        applied.length === 0
          ? `${database.location} is at schema version ${version}; nothing to apply`
          : `applied migration${applied.length === 1 ? '' : 's'} ${applied.join(', ')} to ${database.location}: schema version ${version}`,
      );
      if (o.test) ctx.out.line('it is a test store: OKPAY_NOW is honoured');
    });
  });
  registerCopy(store, app);
}

function registerCopy(store: Command, app: App): void {
  const command = subcommand(store, 'copy', 'copy a whole store into an empty one: a data directory into a PostgreSQL database, or back')
    .requiredOption('--from <dir|url>', 'the store to copy: a data directory, or a postgres:// URL')
    .requiredOption('--to <dir|url>', 'an empty store to copy into: a new or empty directory, or an empty database');
  examples(command, [
    'okpay store copy --from ~/.okpay --to postgres://okpay@db.example.com/okpay',
    'okpay store copy --from postgres://okpay@db.example.com/okpay --to /backup/okpay-2026-12-06',
  ]);
  action(app, command, async (ctx, o) => {
    const pageRows = copyPageRows(ctx);
    if (ctx.env.testStopAt !== undefined) setFaultHook(stopBefore(ctx.env.testStopAt));
    const from = await openCopyEnd(ctx, o.from, 'from', pageRows);
    let opened: CopyEnd | null = null;
    try {
      const to = (opened = await openCopyEnd(ctx, o.to, 'to', pageRows));
      const { copyStore } = await import('../../store/copy.js');
      const { verifyStore } = await import('../store-verify.js');
      const token = await sessionToken(ctx);
      const copied = await copyStore(
        from.store,
        to.store,
        async (t) => {
          // The administrator's session is judged by the clock: a moved one (OKPAY_NOW) is refused
          // in a real store, as every other command refuses it, or an expired session would pass.
          if (ctx.env.now !== undefined) await assertClockMayMove(t, false);
          // A copy carries every secret (password hashes, 2FA secrets, tokens): a real store needs its administrator.
          if (!t.meta.get().testStore)
            await authenticate(t, from.now().getTime(), token, { roles: ['admin'], what: '`okpay store copy` of a store that is not a test store' });
        },
        pageRows,
      );
      const verified = await verifyStore(to.store);
      const doc = { from: from.store.location, to: to.store.location, copied, verify: verified };
      ctx.out.data(doc, () => {
        ctx.out.line(
          `copied ${counted(copied.users, 'user')}, ${counted(copied.records, 'record')}, ${counted(copied.journalEntries, 'journal entry', 'journal entries')}, ${counted(copied.auditEntries, 'audit entry', 'audit entries')}, ${counted(copied.tickets, 'ticket')} and ${counted(copied.mails, 'mail')} from ${from.store.location} to ${to.store.location}`,
        );
        if (verified.ok)
          ctx.out.line(`verify of ${to.store.location}: every transaction balances, every balance matches the journal, and both hash chains are intact`);
      });
      if (!verified.ok) {
        for (const problem of verified.problems) ctx.out.note(`okpay: verify: ${problem}`);
        throw new AppError(
          'STORE_CORRUPT',
          `the copy was written, but verify found ${verified.problems.length} problem${verified.problems.length === 1 ? '' : 's'} in ${to.store.location}`,
        );
      }
    } finally {
      // An open connection would keep the process alive.
      await from.close();
      await opened?.close();
    }
  });
}

/** OKPAY_TEST_COPY_PAGE_ROWS (tests), else undefined: the copy's own page size. */
function copyPageRows(ctx: Context): number | undefined {
  const text = ctx.env.testCopyPageRows;
  if (text === undefined) return undefined;
  const rows = Number(text);
  if (!Number.isSafeInteger(rows) || rows < 1 || rows > 100_000)
    throw new AppError('USAGE', `OKPAY_TEST_COPY_PAGE_ROWS is not a whole number from 1 to 100000: "${text.slice(0, 40)}"`);
  return rows;
}

interface CopyEnd {
  readonly store: LoadableStore;
  /** The store's clock for session checks: a database's own, else this machine's (or OKPAY_NOW). */
  now(): Date;
  close(): Promise<void>;
}

/**
 * One side of a copy: a postgres:// URL or a directory. The source must hold a store; nothing is
 * created or upgraded in it (an empty database is not given tables, a schema-2 directory is not
 * upgraded). A target directory that holds files but no store is refused.
 */
async function openCopyEnd(ctx: Context, where: string, side: 'from' | 'to', pageRows: number | undefined): Promise<CopyEnd> {
  if (isDatabaseUrl(where)) return openCopyDatabase(ctx, where, side, pageRows);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(where)) throw new AppError('USAGE', `--${side} ${maskDatabaseUrl(where)} is neither a directory nor a postgres:// URL`);
  const directory = path.resolve(where);
  const entries = await fs.readdir(directory).catch((error: unknown) => {
    if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return null;
    throw new AppError('STORE_UNAVAILABLE', `cannot read ${directory}`);
  });
  const holdsStore = entries?.includes('store.json') ?? false;
  if (side === 'from' && !holdsStore) {
    const why = entries?.includes('state.json')
      ? 'its store is in an older layout (run any okpay command on it once to upgrade it)'
      : 'there is no okpay store there';
    throw new AppError('USAGE', `cannot copy from ${directory}: ${why}`);
  }
  if (side === 'to' && entries !== null && entries.length > 0 && !holdsStore) {
    throw new AppError(
      'STORE_NOT_EMPTY',
      `${directory} holds files that are not an okpay store; store copy writes only into a new or empty directory, and nothing was written`,
      { hint: 'name a new directory' },
    );
  }
  const { SplitFileStore } = await import('../../store/split-file-store.js');
  const { summaryOf } = await import('../../app/desk.js');
  const store = new SplitFileStore(directory, { now: ctx.now, summarizeTicket: (ticket) => summaryOf(ctx.ref, ticket) });
  return { store, now: () => ctx.now(), close: async () => undefined };
}

async function openCopyDatabase(ctx: Context, url: string, side: 'from' | 'to', pageRows: number | undefined): Promise<CopyEnd> {
  const { PgStore } = await import('../../store/pg/pg-store.js');
  const store = new PgStore(url, {
    migrationsDirectory: packagePath('data', 'postgres'),
    now: ctx.now,
    fixedClock: ctx.env.now !== undefined,
    scanPageRows: pageRows,
  });
  try {
    if (side === 'from' && (await store.schema()).version === 0)
      throw new AppError('USAGE', `cannot copy from ${store.location}: the database holds no okpay store`);
  } catch (error) {
    await store.close();
    throw error;
  }
  return { store, now: () => store.now(), close: () => store.close() };
}

/**
 * The data directory's store in this okpay's layout. Its first writer upgrades it anyway (commands
 * that only read leave an older layout as it is): this is a writer that changes nothing else.
 */
async function migrateDataDirectory(ctx: Context, test: boolean): Promise<void> {
  if (test) throw new AppError('USAGE', '--test is for a PostgreSQL database', { hint: 'make a new data directory a test store with `okpay dev init`' });
  const { storedSchemaVersion, SPLIT_SCHEMA_VERSION } = await import('../../store/split-layout.js');
  const from = storedSchemaVersion(ctx.dataDir);
  if (from !== 0 && from < SPLIT_SCHEMA_VERSION) await ctx.store.transaction(() => undefined);
  const schemaVersion = storedSchemaVersion(ctx.dataDir);
  // The shape of a database's migration: `applied` names the layout version the directory was upgraded to.
  const applied = from !== schemaVersion ? [schemaVersion] : [];
  ctx.out.data({ location: ctx.dataDir, applied, schemaVersion, testStore: null }, () =>
    ctx.out.line(
      from === 0
        ? `no store in ${ctx.dataDir} yet: one is made in this okpay's layout (version ${SPLIT_SCHEMA_VERSION}) on first use`
        : from === schemaVersion
          ? `${ctx.dataDir} is at schema version ${schemaVersion}; nothing to do`
          : `upgraded the store in ${ctx.dataDir} from schema version ${from} to ${schemaVersion}`,
    ),
  );
}

async function databaseInfo(lazy: LazyPgStore): Promise<StoreInfo> {
  const database = await lazy.open();
  const { version, latest } = await database.schema();
  const sizeBytes = await database.sizeBytes();
  const facts =
    version === latest
      ? await database.read(async (t) => ({ testStore: t.meta.get().testStore, users: await t.users.count(), journalEntries: t.journal.head().seq }))
      : null;
  return {
    store: 'postgresql',
    location: database.location,
    schemaVersion: version,
    latestSchemaVersion: latest,
    sizeBytes,
    testStore: facts?.testStore ?? null,
    users: facts?.users ?? null,
    journalEntries: facts?.journalEntries ?? null,
  };
}

/** The split file store (store.json), a schema-2 store (state.json) not upgraded yet, or nothing; an older one read as it is. */
async function fileStoreInfo(ctx: Context): Promise<StoreInfo> {
  const { SPLIT_SCHEMA_VERSION, storedSchemaVersion } = await import('../../store/split-layout.js');
  const schemaVersion = storedSchemaVersion(ctx.dataDir);
  const facts =
    schemaVersion > 0
      ? await ctx.store.read(async (t) => ({ testStore: t.meta.get().testStore, users: await t.users.count(), journalEntries: t.journal.head().seq }))
      : null;
  return {
    store: 'files',
    location: ctx.dataDir,
    schemaVersion,
    latestSchemaVersion: SPLIT_SCHEMA_VERSION,
    sizeBytes: await directoryBytes(ctx.dataDir),
    testStore: facts?.testStore ?? null,
    users: facts?.users ?? null,
    journalEntries: facts?.journalEntries ?? null,
  };
}

async function directoryBytes(directory: string): Promise<number> {
  let entries;
  try {
    entries = await fs.readdir(directory, { withFileTypes: true });
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return 0;
    throw new AppError('STORE_UNAVAILABLE', `cannot read ${directory}`);
  }
  let total = 0;
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(full);
    else if (entry.isFile()) total += (await fs.stat(full)).size;
  }
  return total;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
