// A fresh PostgreSQL database for one test file, on the server the globalSetup provides
// (test/support/pg-cluster.ts), dropped after the file's tests. Stores made in the file are closed
// before the drop.

import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { withClient, withDatabase } from './pg-e2e.js';

export interface TestDatabase {
  readonly url: string;
  /** Runs after the file's tests, before the database is dropped (closing stores and clients). */
  onDrop(close: () => Promise<void> | void): void;
}

/** Runs `work` as the suite's administrator role, on a connection of its own. */
export const admin = <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => withClient(inject('pgAdminUrl'), work);

/** Creates the file's database now and registers its drop with afterAll. */
export async function testDatabase(): Promise<TestDatabase> {
  const name = `okpay_t_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const closers: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });
  return { url: withDatabase(inject('pgAdminUrl'), name), onDrop: (close) => closers.push(close) };
}
