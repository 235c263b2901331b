// store info / store migrate: which store a command uses (the data directory's files, or a
// PostgreSQL database), its schema version and size; and bringing a database's schema up to date.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { AppError } from '../../domain/errors.js';
import { errnoOf } from '../../store/durable-file.js';
import type { Context } from '../context.js';
import { LazyPgStore } from '../context.js';
import { action, examples, group, subcommand, type App } from '../command-builder.js';

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
    const found = ctx.databaseUrl === null ? await fileStoreInfo(ctx) : await databaseInfo(ctx);
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
  const migrate = subcommand(store, 'migrate', "bring a PostgreSQL database's schema up to date (an empty one gets okpay's tables)").option(
    '--test',
    'make a new, empty database a test store, where OKPAY_NOW is honoured',
  );
  examples(migrate, [
    'okpay --database-url postgres://okpay@db.example.com/okpay store migrate',
    'OKPAY_DATABASE_URL=postgres://okpay@localhost/okpay_test okpay store migrate --test',
  ]);
  action(app, migrate, async (ctx, o) => {
    if (ctx.databaseUrl === null) {
      throw new AppError('USAGE', 'store migrate is for a PostgreSQL database: the data directory upgrades itself on first use', {
        hint: 'name the database with --database-url or OKPAY_DATABASE_URL',
      });
    }
    const database = await (ctx.store as LazyPgStore).open();
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
}

async function databaseInfo(ctx: Context): Promise<StoreInfo> {
  const database = await (ctx.store as LazyPgStore).open();
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

/** The split file store (schema 3: store.json), a schema-2 store (state.json) not upgraded yet, or nothing. */
async function fileStoreInfo(ctx: Context): Promise<StoreInfo> {
  const { SPLIT_SCHEMA_VERSION } = await import('../../store/split-file-store.js');
  const has = async (name: string) => (await fs.stat(path.join(ctx.dataDir, name)).catch(() => null)) !== null;
  const schemaVersion = (await has('store.json')) ? SPLIT_SCHEMA_VERSION : (await has('state.json')) ? 2 : 0;
  const facts =
    schemaVersion === SPLIT_SCHEMA_VERSION
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
