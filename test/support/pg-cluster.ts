// vitest globalSetup: a PostgreSQL server for the tests. OKPAY_TEST_DATABASE_URL names one (its role
// must be allowed to create databases); otherwise a throwaway cluster is made here
// (scripts/pg-cluster.mjs, shared with the bench) and stopped after the run, or by its watchdog if
// this process dies without tearing down. The URL reaches test files through provide('pgAdminUrl')
// (test/support/pg.ts).

import { readFileSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { E2E_DATABASE_PREFIX, withClient } from './pg-e2e.js';
import { postgresBinaries, startCluster } from '../../scripts/pg-cluster.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void | Promise<void>> {
  // The end-to-end suite on PostgreSQL (the `postgres` project) always needs the server.
  const everyFile = project.config.env['OKPAY_TEST_STORE'] === 'postgres';
  const named = process.env['OKPAY_TEST_DATABASE_URL'];
  if (named) {
    project.provide('pgAdminUrl', named);
    return everyFile ? () => dropE2eDatabases(named) : () => undefined;
  }
  if (!(await someFileNeedsServer(project, everyFile))) return () => undefined;
  const cluster = sharedCluster();
  project.provide('pgAdminUrl', cluster.url);
  return cluster.release;
}

interface Shared {
  url: string;
  users: number;
  stop: () => void;
}

/**
 * One cluster for the whole run: both projects run this setup, each in a module of its own, in the
 * one main process; the last project to finish stops it.
 */
function sharedCluster(): { url: string; release: () => void } {
  const holder = globalThis as { okpayTestCluster?: Shared };
  if (!holder.okpayTestCluster) {
    const cluster = startCluster(postgresBinaries());
    holder.okpayTestCluster = { url: cluster.url, users: 0, stop: cluster.stop };
  }
  const shared = holder.okpayTestCluster;
  shared.users += 1;
  return {
    url: shared.url,
    release: () => {
      shared.users -= 1;
      if (shared.users > 0) return;
      delete holder.okpayTestCluster;
      shared.stop();
    },
  };
}

/** On a server the run was given, the end-to-end suite's databases go with it (a throwaway cluster goes whole). */
async function dropE2eDatabases(adminUrl: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [E2E_DATABASE_PREFIX]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  });
}

/**
 * Whether the files this run selects in the project use the server: vitest runs a project's setup
 * only when the run has files of it, and every file of `postgres` does; in `files`, those that
 * import test/support/pg.ts. So a targeted run of other tests does not pay for initdb. The filters
 * are the run's own (`filenamePattern`, internal to vitest: without it every file counts, and the
 * server starts).
 */
async function someFileNeedsServer(project: TestProject, everyFile: boolean): Promise<boolean> {
  if (everyFile) return true;
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern ?? [];
  const { testFiles } = await project.globTestFiles(filters);
  return testFiles.some((file) => /support\/pg(-store)?\.js['"]/.test(readFileSync(file, 'utf8')));
}
