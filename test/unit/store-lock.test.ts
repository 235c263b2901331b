// The store lock (src/store/lock.ts) between processes of one machine: a live holder is waited for
// however old its lock looks, a dead one's lock is taken over at once, two takers of one dead lock
// never both win (the steps interleaved by hand), a taker with a stale view never moves a newer
// lock, and a holder whose lock was taken over finds out at its fence. The holders are real
// processes running the compiled lock (dist/, which `npm test` builds first).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { acquireStoreLock, inspectStoreLock, renameAway, stillThere, type LockOwner, type LockView } from '../../src/store/lock.js';

const COMPILED_LOCK = pathToFileURL(path.resolve('dist/store/lock.js')).href;
const HOUR_MS = 3_600_000;

let root: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'okpay-lock-test-'));
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const lockDirectory = () => path.join(root, 'okpay.lock');
const ownerOf = (directory = lockDirectory()) => JSON.parse(readFileSync(path.join(directory, 'owner'), 'utf8')) as LockOwner;

/** Makes the lock look as if its holder last refreshed it `agoMs` ago. */
function age(agoMs: number): void {
  const then = new Date(Date.now() - agoMs);
  utimesSync(lockDirectory(), then, then);
}

/** Another process that takes the lock and keeps it until it is stopped or killed. */
async function holderProcess(): Promise<ChildProcess> {
  const script = `const { acquireStoreLock } = await import(${JSON.stringify(COMPILED_LOCK)});
    await acquireStoreLock(${JSON.stringify(root)});
    process.stdout.write('held\\n');
    setInterval(() => undefined, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('exit', () => reject(new Error('the lock holder exited before taking the lock')));
  });
  return child;
}

/** Kills a process and waits until it is gone (reaped: not even a zombie is left). */
async function killed(child: ChildProcess): Promise<void> {
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

function deadView(view: LockView): Extract<LockView, { state: 'dead' }> {
  if (view.state !== 'dead') throw new Error(`expected a dead holder's lock, found ${view.state}`);
  return view;
}

describe('a holder on this machine', () => {
  it('is waited for while it lives, even stopped and with a lock older than the stale time: STORE_LOCKED names its pid', async () => {
    const holder = await holderProcess();
    holder.kill('SIGSTOP');
    age(HOUR_MS);
    const error = await errorOf(acquireStoreLock(root, { staleMs: 1_000, waitMs: 300 }));
    expect(error.code).toBe('STORE_LOCKED');
    expect(error.message).toContain(`okpay process ${holder.pid} on this machine holds its lock`);
    expect(ownerOf().pid).toBe(holder.pid);
    holder.kill('SIGCONT');
  });

  it('that died leaves a lock taken over at once, however freshly refreshed, and kept as its graveyard entry', async () => {
    const holder = await holderProcess();
    const dead = ownerOf();
    await killed(holder);
    age(0);
    // The stale time (a minute by default) never comes into it: the wait allowed is far shorter.
    const taken = await acquireStoreLock(root, { waitMs: 1_000 });
    expect(ownerOf().pid).toBe(process.pid);
    expect(ownerOf(path.join(root, `okpay.lock.dead-${dead.token}`)).token).toBe(dead.token);
    await taken.release();
    expect(existsSync(lockDirectory())).toBe(false);
  });

  it('whose pid now belongs to another process (started later) is dead', async () => {
    const holder = await holderProcess();
    const owner = ownerOf();
    // The record says the pid started at another time: that process is gone, whoever has its pid now.
    writeFileSync(path.join(lockDirectory(), 'owner.new'), JSON.stringify({ ...owner, pid: process.pid }));
    renameSync(path.join(lockDirectory(), 'owner.new'), path.join(lockDirectory(), 'owner'));
    expect((await inspectStoreLock(root)).state).toBe('dead');
    holder.kill('SIGKILL');
  });
});

describe('a holder that died but was not collected by its parent (a zombie)', () => {
  it('is dead: its lock is taken over at once', async () => {
    const script = `const { acquireStoreLock } = await import(${JSON.stringify(COMPILED_LOCK)});
      await acquireStoreLock(${JSON.stringify(root)});
      process.stdout.write('held\\n');
      setInterval(() => undefined, 1000);`;
    // The holder's parent becomes \`sleep\`, which never collects a child: once killed, the holder stays a zombie.
    const parent = spawn('sh', ['-c', `"${process.execPath}" --input-type=module -e "$SCRIPT" & echo "pid $!"; exec sleep 60`], {
      env: { ...process.env, SCRIPT: script },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(parent);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      parent.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (/pid \d+/.test(out) && out.includes('held')) resolve();
      });
      parent.once('exit', () => reject(new Error('the lock holder exited before taking the lock')));
    });
    const pid = Number(/pid (\d+)/.exec(out)?.[1]);
    expect(ownerOf().pid).toBe(pid);
    process.kill(pid, 'SIGKILL');
    const state = () => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    while (state() !== 'Z') await new Promise((resolve) => setImmediate(resolve));
    age(0);
    expect((await inspectStoreLock(root)).state).toBe('dead');
    const taken = await acquireStoreLock(root, { waitMs: 1_000 });
    expect(ownerOf().pid).toBe(process.pid);
    await taken.release();
  });
});

describe('taking over a dead holder’s lock', () => {
  it('two takers with the same view: one wins, the other moves nothing, and the winner keeps the lock', async () => {
    await killed(await holderProcess());
    const first = deadView(await inspectStoreLock(root));
    const second = deadView(await inspectStoreLock(root));
    expect(second.owner.token).toBe(first.owner.token);
    expect(stillThere(root, first)).toBe(true);
    expect(stillThere(root, second)).toBe(true);
    expect(await renameAway(root, first.owner.token)).toBe(true);
    const winner = await acquireStoreLock(root, { waitMs: 200 });
    // The second taker acts on what it saw before the first took over and locked again.
    expect(await renameAway(root, second.owner.token)).toBe(false);
    expect(winner.confirm()).toBeNull();
    expect(ownerOf().pid).toBe(process.pid);
    await winner.release();
  });

  it('a taker whose view is stale checks again first, and even past that check cannot move the newer lock', async () => {
    await killed(await holderProcess());
    const stale = deadView(await inspectStoreLock(root));
    await (await acquireStoreLock(root, { waitMs: 1_000 })).release();
    const newer = await acquireStoreLock(root, { waitMs: 200 });
    expect(stillThere(root, stale)).toBe(false);
    // Past the check (a stall between it and the rename): the graveyard entry of the dead token is in the way.
    expect(await renameAway(root, stale.owner.token)).toBe(false);
    expect(newer.confirm()).toBeNull();
    // Even with that entry gone (a stall longer than it is kept), the newer lock is put back.
    rmSync(path.join(root, `okpay.lock.dead-${stale.owner.token}`), { recursive: true });
    expect(await renameAway(root, stale.owner.token)).toBe(false);
    expect(newer.confirm()).toBeNull();
    await newer.release();
  });

  it('a lock without an owner record (an older okpay’s, or a maker killed before writing it) goes by age, and two adopters never both win', async () => {
    mkdirSync(lockDirectory(), { mode: 0o700 });
    expect((await inspectStoreLock(root, 1_000)).state).toBe('busy');
    age(HOUR_MS);
    const outcomes = await Promise.allSettled([
      acquireStoreLock(root, { staleMs: 1_000, waitMs: 300 }),
      acquireStoreLock(root, { staleMs: 1_000, waitMs: 300 }),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    for (const outcome of outcomes) if (outcome.status === 'fulfilled') await outcome.value.release();
  });
});

describe('a holder on another machine or in another pid namespace', () => {
  it('cannot be asked whether it lives: its lock is waited for until not refreshed for the stale time', async () => {
    const holder = await holderProcess();
    const owner = ownerOf();
    writeFileSync(path.join(lockDirectory(), 'owner.new'), JSON.stringify({ ...owner, host: 'elsewhere', bootId: 'another-boot' }));
    renameSync(path.join(lockDirectory(), 'owner.new'), path.join(lockDirectory(), 'owner'));
    holder.kill('SIGSTOP');
    age(2_000);
    const error = await errorOf(acquireStoreLock(root, { staleMs: 5_000, waitMs: 200 }));
    expect(error.message).toContain(`process ${owner.pid} on elsewhere (another machine or container) holds its lock`);
    age(HOUR_MS);
    const taken = await acquireStoreLock(root, { staleMs: 5_000, waitMs: 200 });
    expect(ownerOf().pid).toBe(process.pid);
    await taken.release();
  });
});

describe('the fence', () => {
  it('tells a holder whose lock was taken over, and its release leaves the new holder’s lock alone', async () => {
    const first = await acquireStoreLock(root, { waitMs: 200 });
    expect(first.confirm()).toBeNull();
    renameSync(lockDirectory(), path.join(root, 'elsewhere'));
    const second = await acquireStoreLock(root, { waitMs: 200 });
    expect(first.confirm()).toBeInstanceOf(Error);
    expect(first.compromised).toBeInstanceOf(Error);
    await first.release();
    expect(second.confirm()).toBeNull();
    await second.release();
  });
});
