// The data directory's lock between real okpay processes. A transfer that stalls inside its commit
// (it stops itself, SIGSTOP, just before writing its commit point: OKPAY_TEST_STOP_AT) keeps the
// lock however long it stalls, so the next writer waits instead of building on the same commit;
// one killed there leaves a lock that the next command takes over at once, without waiting for
// the lock to grow stale. OKPAY_TEST_LOCK_WAIT_MS shortens how long a command waits for the lock.

import { spawn } from 'node:child_process';
import { readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { BIN, type Okpay } from '../support/okpay.js';
import { type Account, expectError, expectVerified, scenarioAt, signUp } from '../support/accounts.js';

const START = '2026-11-20T16:00:00.000Z';
const STOP_AT_COMMIT_POINT = { OKPAY_TEST_STOP_AT: 'write:commit.redo' };

interface TxDoc {
  id: string;
  amount: string;
  fee: string | null;
}

interface Started {
  readonly pid: number;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  exited: boolean;
}

/** Starts okpay as `account` without waiting for it (Okpay.run waits), so that the test can stop, continue or kill it. */
function start(o: Okpay, account: Account, args: readonly string[], extraEnv: Record<string, string>): Started {
  const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], NODE_ENV: 'test', OKPAY_HOME: o.home, OKPAY_NOW: o.now, OKPAY_BCRYPT_COST: '4' };
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...env, OKPAY_SESSION: account.token, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const started: Started = {
    pid: child.pid ?? -1,
    exited: false,
    done: new Promise((resolve) =>
      child.on('close', (code, signal) => {
        started.exited = true;
        resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      }),
    ),
  };
  return started;
}

/** Waits until the process has stopped itself (state T in /proc/<pid>/stat), polling. */
async function stopped(child: Started): Promise<void> {
  for (;;) {
    if (child.exited) throw new Error(`okpay exited before it stopped: ${(await child.done).stderr}`);
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('T')) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const transfer = (to: Account, amount: string, key: string) => [
  'transfer',
  '--to',
  to.email,
  '--amount',
  amount,
  '--currency',
  'USD',
  '--idempotency-key',
  key,
  '--yes',
];

function minor(amount: string | null): number {
  const [whole = '0', fraction = ''] = (amount ?? '0').split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

const money = (minorUnits: number) => `${Math.floor(minorUnits / 100)}.${String(minorUnits % 100).padStart(2, '0')}`;

async function historyIds(account: Account): Promise<string[]> {
  return (await account.json<{ transactions: TxDoc[] }>(['history', '--limit', '100'])).transactions.map((t) => t.id);
}

async function twoCustomers(o: Okpay): Promise<[Account, Account]> {
  const ada = await signUp(o, 'ada@example.com', ['--country', 'GB']);
  const bob = await signUp(o, 'bob@example.com', ['--country', 'GB']);
  await ada.ok(['deposit', '--amount', '100', '--currency', 'USD']);
  await bob.ok(['deposit', '--amount', '100', '--currency', 'USD']);
  return [ada, bob];
}

describe('the data directory lock between okpay processes', () => {
  scenarioAt(START, 'a transfer stalled inside its commit keeps the lock: the next writer waits for it, and both transfers stand', async (o) => {
    const [ada, bob] = await twoCustomers(o);
    const first = start(o, ada, [...transfer(bob, '10.00', 'stalled-1'), '--json'], STOP_AT_COMMIT_POINT);
    await stopped(first);
    // Longer than the 5 s after which the old lock was taken over from a holder that stopped refreshing it.
    const waited = await bob.run([...transfer(ada, '7.00', 'stalled-2'), '--json'], { env: { OKPAY_TEST_LOCK_WAIT_MS: '6000' } });
    expectError(waited, 10, 'STORE_LOCKED');
    expect(waited.error().message).toContain(`okpay process ${first.pid} on this machine holds its lock`);
    process.kill(first.pid, 'SIGCONT');
    const finished = await first.done;
    expect(finished.code, finished.stderr).toBe(0);
    const sent = (JSON.parse(finished.stdout) as { transaction: TxDoc }).transaction;
    const sentBack = (await bob.json<{ transaction: TxDoc }>(transfer(ada, '7.00', 'stalled-2'))).transaction;
    expect(await historyIds(ada)).toEqual(expect.arrayContaining([sent.id, sentBack.id]));
    expect(await historyIds(bob)).toEqual(expect.arrayContaining([sent.id, sentBack.id]));
    expect((await ada.balance()).available).toBe(money(10_000 - 1_000 - minor(sent.fee) + 700));
    expect((await bob.balance()).available).toBe(money(10_000 + 1_000 - 700 - minor(sentBack.fee)));
    await expectVerified(o);
  });

  scenarioAt(START, 'a transfer killed inside its commit leaves a lock the next command takes over at once', async (o) => {
    const [ada, bob] = await twoCustomers(o);
    const before = await historyIds(ada);
    const first = start(o, ada, [...transfer(bob, '10.00', 'killed-1'), '--json'], STOP_AT_COMMIT_POINT);
    await stopped(first);
    process.kill(first.pid, 'SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    // As if it had refreshed its lock just before it died: by age, the lock would still be held for seconds.
    const now = new Date();
    utimesSync(path.join(o.home, 'okpay.lock'), now, now);
    const sentBack = (await bob.json<{ transaction: TxDoc }>(transfer(ada, '7.00', 'killed-2'), { env: { OKPAY_TEST_LOCK_WAIT_MS: '2000' } })).transaction;
    // The killed transfer never reached its commit point: it is not there, and nothing of it is.
    expect(await historyIds(ada)).toEqual([sentBack.id, ...before]);
    expect((await ada.balance()).available).toBe(money(10_000 + 700));
    expect((await bob.balance()).available).toBe(money(10_000 - 700 - minor(sentBack.fee)));
    await expectVerified(o);
  });
});
