// Schema migrations of the PostgreSQL store: versioned SQL files (NNNN_name.sql, shipped in
// data/postgres), applied in order, each inside one transaction together with its row in
// schema_migrations, under an advisory lock so that two machines starting on an empty database at
// once apply each file once. A database whose newest migration this release does not know is
// refused (STORE_TOO_NEW) rather than misread.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { AppError } from '../../domain/errors.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Its SQL file, read only when it is applied: a look needs only how many there are. */
  readonly file: string;
}

/** One advisory-lock key for okpay's migrations (any fixed bigint; "okpay" in ASCII). */
const MIGRATION_LOCK = 0x6f6b706179;
const FILE_NAME = /^([0-9]{4})_([a-z0-9_]+)\.sql$/;

export function loadMigrations(directory: string): Migration[] {
  const migrations = readdirSync(directory)
    .map((file) => ({ file, match: FILE_NAME.exec(file) }))
    .filter((f): f is { file: string; match: RegExpExecArray } => f.match !== null)
    .map(({ file, match }) => ({ version: Number(match[1]), name: match[2] ?? '', file: path.join(directory, file) }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, index) => {
    if (m.version !== index + 1) throw new Error(`okpay's migration files in ${directory} skip or repeat version ${index + 1}`);
  });
  return migrations;
}

export interface SchemaState {
  /** The newest migration applied (0: an empty database). */
  readonly version: number;
  /** The newest this release knows. */
  readonly latest: number;
}

export async function schemaVersion(client: pg.Client, migrations: readonly Migration[]): Promise<SchemaState> {
  const { rows } = await client.query<{ exists: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS exists");
  if (!rows[0]?.exists) return { version: 0, latest: migrations.length };
  const applied = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
  return { version: applied.rows[0]?.version ?? 0, latest: migrations.length };
}

export function refuseNewer(state: SchemaState, where: string): void {
  if (state.version > state.latest) {
    throw new AppError('STORE_TOO_NEW', `the database at ${where} has schema version ${state.version}, newer than this okpay understands (${state.latest})`, {
      hint: 'Upgrade okpay on this machine.',
    });
  }
}

/**
 * Applies every migration newer than the database's; returns the versions applied. `seed` fills a
 * new database's first rows, in the same transaction as its tables; `fill` fills the columns a
 * migration added that okpay's code computes, right after that migration.
 */
export async function migrate(
  client: pg.Client,
  migrations: readonly Migration[],
  where: string,
  seed: (client: pg.Client) => Promise<void>,
  fill: (client: pg.Client, version: number) => Promise<void> = async () => undefined,
): Promise<number[]> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const state = await schemaVersion(client, migrations);
    refuseNewer(state, where);
    const applied: number[] = [];
    for (const migration of migrations.slice(state.version)) {
      await client.query(readFileSync(migration.file, 'utf8'));
      await fill(client, migration.version);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.version);
    }
    if (state.version === 0) await seed(client);
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
