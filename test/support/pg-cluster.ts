// vitest globalSetup: a PostgreSQL server for the tests. OKPAY_TEST_DATABASE_URL names one (its role
// must be allowed to create databases); otherwise a throwaway cluster is made here
// (scripts/pg-cluster.mjs, shared with the bench) and stopped after the run, or by its watchdog if
// this process dies without tearing down. The URL reaches test files through provide('pgAdminUrl')
// (test/support/pg.ts).

import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { E2E_DATABASE_PREFIX } from './pg-e2e.js';
import { postgresBinaries, startCluster } from '../../scripts/pg-cluster.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void | Promise<void>> {
  // The end-to-end suite on PostgreSQL (npm run test:pg) always needs the server.
  const everyFile = process.env['OKPAY_TEST_STORE'] === 'postgres';
  const named = process.env['OKPAY_TEST_DATABASE_URL'];
  if (named) {
    project.provide('pgAdminUrl', named);
    return everyFile ? () => dropE2eDatabases(named) : () => undefined;
  }
  if (!everyFile && !(await someFileNeedsServer(project))) return () => undefined;
  const cluster = startCluster(postgresBinaries());
  project.provide('pgAdminUrl', cluster.url);
  return cluster.stop;
}

/** On a server the run was given, the end-to-end suite's databases go with it (a throwaway cluster goes whole). */
async function dropE2eDatabases(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [E2E_DATABASE_PREFIX]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * Whether the files this run selects use the server (they import test/support/pg.ts): a targeted
 * run of other tests does not pay for initdb. Filters are read from the command line the way
 * vitest reads them; an option's value taken for a filter only widens the match.
 */
async function someFileNeedsServer(project: TestProject): Promise<boolean> {
  const args = process.argv.slice(2);
  const filters = args.slice(args[0] === 'run' ? 1 : 0).filter((arg) => !arg.startsWith('-'));
  const { testFiles } = await project.globTestFiles(filters);
  return testFiles.some((file) => /support\/pg(-store)?\.js['"]/.test(readFileSync(file, 'utf8')));
}
