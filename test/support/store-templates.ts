// Test stores made once and copied: `okpay dev init` runs once per worker process, on a template,
// and every test store the Okpay harness makes (test/support/okpay.ts) is a copy of it: the data
// directory's files with their modes (0700 directories, 0600 files), or on PostgreSQL a new
// database made from the template database (CREATE DATABASE … TEMPLATE). A copy is byte for byte
// what `dev init` makes, without a process and, on PostgreSQL, the migrations per store. `dev init`
// itself is tested on its own: on the files in test/e2e/account-hardening.test.ts, on PostgreSQL in
// test/e2e/postgres.test.ts.
//
// The default export is a vitest globalSetup: the run's folder for the templates, removed after the
// run (a worker process is killed at the end, so it cannot clean up after itself). The template
// databases go with the run's databases (test/support/pg-cluster.ts).

import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { inject } from 'vitest';
import { E2E_DATABASE_PREFIX, suiteStore, withDatabase } from './pg-e2e.js';
import { admin } from './pg.js';

declare module 'vitest' {
  export interface ProvidedContext {
    storeTemplates: string;
  }
}

export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(path.join(os.tmpdir(), 'okpay-templates-'));
  project.provide('storeTemplates', root);
  return () => rmSync(root, { recursive: true, force: true });
}

/** `okpay dev init` on an empty store: its data directory, and its database on PostgreSQL. */
export type DevInit = (home: string, databaseUrl: string | undefined) => Promise<void>;

let fileTemplate: Promise<string> | undefined;
let databaseTemplate: Promise<string> | undefined;
let counter = 0;

/** The worker's template data directory, made a test store by `dev init` the first time. */
function templateHome(devInit: DevInit): Promise<string> {
  return (fileTemplate ??= (async () => {
    const home = path.join(mkdtempSync(path.join(inject('storeTemplates'), `worker-${process.pid}-`)), 'data');
    await devInit(home, undefined);
    return home;
  })());
}

/** The worker's template database, made a test store by `dev init` the first time: its name. */
function templateDatabase(devInit: DevInit): Promise<string> {
  return (databaseTemplate ??= (async () => {
    const name = `${E2E_DATABASE_PREFIX}template_${process.pid}_${Date.now().toString(36)}`;
    await admin((client) => client.query(`CREATE DATABASE ${name}`));
    await devInit(mkdtempSync(path.join(inject('storeTemplates'), `worker-${process.pid}-pg-`)), withDatabase(inject('pgAdminUrl'), name));
    // CREATE DATABASE … TEMPLATE refuses a template anyone is connected to: dev init's server process
    // may still be on its way out, so it is ended, and no connection is let in afterwards.
    await admin(async (client) => {
      await client.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    });
    return name;
  })());
}

/**
 * Makes `home` a new test store: a copy of the template's files on the file store; on PostgreSQL
 * (OKPAY_TEST_STORE=postgres) a new database copied from the template database, whose URL it returns
 * (the data directory stays as it was: it holds no store there).
 */
export async function copyTestStore(home: string, devInit: DevInit): Promise<string | undefined> {
  if (suiteStore() === 'file') {
    cpSync(await templateHome(devInit), home, { recursive: true });
    return undefined;
  }
  const template = await templateDatabase(devInit);
  counter += 1;
  const name = `${E2E_DATABASE_PREFIX}${process.pid}_${counter}_${Date.now().toString(36)}`;
  await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return withDatabase(inject('pgAdminUrl'), name);
}
