// Store files carry a schema version. Older files are migrated in memory (and written back on the
// next commit); newer ones are refused rather than misread.

import { AppError } from '../domain/errors.js';
import { emptyState, SCHEMA_VERSION, type State } from '../domain/state.js';
import { corrupt } from './durable-file.js';

type Migration = (state: Record<string, unknown>) => Record<string, unknown>;

/** MIGRATIONS[n] turns a version-n file into version n + 1. */
const MIGRATIONS: Readonly<Record<number, Migration>> = {
  // 1 → 2: a user's limit window is { day: usdMinor } (days ascending) instead of a list of
  // { day, usdMinor } — half the bytes in a busy store, read and written by every payment.
  1: (state) => ({ ...state, limitWindows: compactLimitWindows(state['limitWindows']) }),
};

function compactLimitWindows(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const windows: Record<string, Record<string, number>> = {};
  for (const [userId, entries] of Object.entries(value)) {
    if (!Array.isArray(entries)) return value;
    const days = new Map<string, number>();
    for (const entry of entries as unknown[]) {
      const { day, usdMinor } = (entry ?? {}) as { day?: unknown; usdMinor?: unknown };
      if (typeof day !== 'string' || typeof usdMinor !== 'number' || !Number.isSafeInteger(usdMinor)) return value;
      days.set(day, (days.get(day) ?? 0) + usdMinor);
    }
    const window = Object.fromEntries([...days].filter(([, amount]) => amount > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    if (Object.keys(window).length > 0) windows[userId] = window;
  }
  return windows;
}

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
