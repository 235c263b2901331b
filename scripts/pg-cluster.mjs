// A throwaway PostgreSQL cluster on this machine, for the tests (test/support/pg-cluster.ts) and
// the bench (bench/run.mjs): its own data directory and a Unix socket in a fresh temp directory,
// no TCP port, so parallel runs never meet. initdb and pg_ctl refuse to run as root, so as root
// they run as the postgres user; Debian's postgresql is installed first when it is missing and
// this runs as root (as CI does). A watchdog stops the cluster if the process that made it dies
// without stopping it (kill -9, a crash).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROLE = 'okpay_test';

/** The directory of initdb and pg_ctl, installing Debian's postgresql when missing and allowed. */
export function postgresBinaries() {
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
function findBinaries() {
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

/** The command line that runs a server tool as the user that may run it. */
export function asServerUser(command, args) {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, [...args]];
}

function run(bin, tool, args) {
  const [command, argv] = asServerUser(path.join(bin, tool), args);
  const result = spawnSync(command, argv, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${tool} failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout).trim()}`);
}

/**
 * Makes and starts a cluster. `durable: false` (the tests) turns fsync off: the crash suite's claims
 * are about okpay's commits, not the disk. The bench keeps PostgreSQL's durable defaults, as the file
 * store it is compared with fsyncs every commit. Returns its admin URL, its data directory and stop().
 */
export function startCluster(bin, { durable = false } = {}) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'okpay-pg-'));
  if (process.getuid?.() === 0) {
    const { uid, gid } = postgresIds();
    chownSync(home, uid, gid);
  }
  const data = path.join(home, 'data');
  const stop = () => {
    const [command, argv] = asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    if (existsSync(path.join(data, 'postmaster.pid'))) spawnSync(command, argv, { stdio: 'ignore' });
    rmSync(home, { recursive: true, force: true });
  };
  const options = [`-c listen_addresses='' -k ${home} -c max_connections=200 -c shared_buffers=32MB`];
  if (!durable) options.push('-c fsync=off -c synchronous_commit=off -c full_page_writes=off');
  try {
    run(bin, 'initdb', ['-D', data, '-U', ROLE, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-instructions', ...(durable ? [] : ['--no-sync'])]);
    run(bin, 'pg_ctl', ['-D', data, '-o', options.join(' '), '-l', path.join(home, 'server.log'), '-w', '-t', '60', 'start']);
  } catch (error) {
    stop();
    throw error;
  }
  const watchdog = startWatchdog(bin, data, home);
  return {
    url: `postgres://${ROLE}@/postgres?host=${encodeURIComponent(home)}`,
    data,
    bin,
    stop: () => {
      watchdog.kill();
      stop();
    },
  };
}

function postgresIds() {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/**
 * A detached shell that waits for this process to end and then stops the cluster: teardown does
 * not run after kill -9 or a crash. Normal teardown kills the watchdog first.
 */
function startWatchdog(bin, data, home) {
  const [command, argv] = asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
  const quote = (text) => `'${text.replaceAll("'", "'\\''")}'`;
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${[command, ...argv].map(quote).join(' ')} >/dev/null 2>&1; rm -rf ${quote(home)}`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return {
    kill: () => {
      if (child.pid === undefined) return;
      try {
        process.kill(child.pid);
      } catch {
        // Already gone.
      }
    },
  };
}
