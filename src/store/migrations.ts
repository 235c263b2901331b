// Store files carry a schema version. Older files are migrated in memory (and written back on the
// next commit); newer ones are refused rather than misread.

import { AppError } from '../domain/errors.js';
import { emptyState, SCHEMA_VERSION, type State } from '../domain/state.js';
import { corrupt } from './durable-file.js';

type Migration = (state: Record<string, unknown>) => Record<string, unknown>;

/** MIGRATIONS[n] turns a version-n file into version n + 1. */
const MIGRATIONS: Readonly<Record<number, Migration>> = {};

export function upgradeState(raw: Record<string, unknown>, file: string, migrations: Readonly<Record<number, Migration>> = MIGRATIONS, currentVersion = SCHEMA_VERSION): State {
  const version = raw['schemaVersion'];
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw corrupt(file, 'it has no valid schemaVersion');
  }
  if (version > currentVersion) {
    throw new AppError('STORE_TOO_NEW', `the store at ${file} was written by a newer okpay (schema ${version}; this okpay knows up to ${currentVersion})`, {
      hint: 'upgrade okpay to use this store; the file was left untouched',
    });
  }
  let state = raw;
  for (let v = version; v < currentVersion; v += 1) {
    const step = migrations[v];
    if (!step) throw corrupt(file, `there is no migration from schema ${v}`);
    state = { ...step(state), schemaVersion: v + 1 };
  }
  checkShape(state, file);
  return state as unknown as State;
}

function checkShape(state: Record<string, unknown>, file: string): void {
  const template = emptyState(new Date(0).toISOString()) as unknown as Record<string, unknown>;
  for (const key of Object.keys(template)) {
    const value = state[key];
    const expected = template[key];
    const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
    if (typeof expected === 'object' ? !isObject : typeof value !== typeof expected) {
      throw corrupt(file, `its "${key}" section is missing or has the wrong type`);
    }
  }
}
