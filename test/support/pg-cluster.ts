// vitest globalSetup: a PostgreSQL server for the tests. OKPAY_TEST_DATABASE_URL names one (its role
// must be allowed to create databases); otherwise a throwaway cluster is made here — its own data
// directory and a Unix socket in a fresh temp directory, no TCP port, so parallel runs never meet —
// and stopped after the run. A watchdog stops it too if this process dies without tearing down
// (kill -9, a crash), so no server outlives the run. The URL reaches test files through
// provide('pgAdminUrl') (test/support/pg.ts).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

const TEST_ROLE = 'okpay_test';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const named = process.env['OKPAY_TEST_DATABASE_URL'];
  if (named) {
    project.provide('pgAdminUrl', named);
    return () => undefined;
  }
  if (!(await someFileNeedsServer(project))) return () => undefined;
  const cluster = startCluster(postgresBinaries());
  project.provide('pgAdminUrl', cluster.url);
  return cluster.stop;
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

function postgresBinaries(): string {
  const found = findBinaries();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error(
      'The PostgreSQL tests need a server: set OKPAY_TEST_DATABASE_URL=postgres://… (a role that may create databases), or install PostgreSQL (Debian: apt-get install postgresql) so that npm test can start its own.',
    );
  }
  process.stderr.write("PostgreSQL is not installed: installing Debian's postgresql for the tests (apt-get)…\n");
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const installed = findBinaries();
  if (!installed) throw new Error('apt-get installed postgresql, but no initdb was found under /usr/lib/postgresql/*/bin');
  return installed;
}

/** The newest /usr/lib/postgresql/N/bin holding initdb (Debian's layout), else initdb on the PATH. */
function findBinaries(): string | null {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^[0-9]+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const bin = path.join(root, version, 'bin');
    if (existsSync(path.join(bin, 'initdb'))) return bin;
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? path.dirname(which.stdout.trim()) : null;
}

/** initdb and pg_ctl refuse to run as root: as root they run as the postgres user, who owns the directory. */
function asServerUser(command: string, args: readonly string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, [...args]];
}

function run(bin: string, tool: string, args: readonly string[]): void {
  const [command, argv] = asServerUser(path.join(bin, tool), args);
  const result = spawnSync(command, argv, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${tool} failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout).trim()}`);
}

function startCluster(bin: string): { url: string; stop: () => void } {
  const home = mkdtempSync(path.join(os.tmpdir(), 'okpay-pg-'));
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresIds();
    chownSync(home, uid, gid);
  }
  const data = path.join(home, 'data');
  const stop = (): void => {
    const [command, argv] = asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    if (existsSync(path.join(data, 'postmaster.pid'))) spawnSync(command, argv, { stdio: 'ignore' });
    rmSync(home, { recursive: true, force: true });
  };
  try {
    run(bin, 'initdb', ['-D', data, '-U', TEST_ROLE, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    // A throwaway cluster: no fsync (the crash suite's durability claims are about okpay's commits, not the disk).
    const options = `-c listen_addresses='' -k ${home} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c shared_buffers=32MB`;
    run(bin, 'pg_ctl', ['-D', data, '-o', options, '-l', path.join(home, 'server.log'), '-w', '-t', '60', 'start']);
  } catch (error) {
    stop();
    throw error;
  }
  const watchdog = startWatchdog(bin, data, home);
  return {
    url: `postgres://${TEST_ROLE}@/postgres?host=${encodeURIComponent(home)}`,
    stop: () => {
      watchdog.kill();
      stop();
    },
  };
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/**
 * A detached shell that waits for this process to end and then stops the cluster: teardown does
 * not run after kill -9 or a crash of vitest itself. Normal teardown kills the watchdog first.
 */
function startWatchdog(bin: string, data: string, home: string): { kill: () => void } {
  const [command, argv] = asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
  const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${[command, ...argv].map(quote).join(' ')} >/dev/null 2>&1; rm -rf ${quote(home)}`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return {
    kill: () => {
      if (child.pid !== undefined) {
        try {
          process.kill(child.pid);
        } catch {
          // Already gone.
        }
      }
    },
  };
}
