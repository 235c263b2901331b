// The one cross-process lock around every read-modify-write of the store. Our own module, not
// proper-lockfile: that library takes over any lock not refreshed for its stale time (a live but
// stalled holder's too, which then still commits) and two waiters can both win its take-over.
//
// The lock is a directory, okpay.lock, holding an owner record: machine (host, boot id, pid
// namespace), pid, the process's start time and a random token. Who may take a lock that is there:
// - its holder runs on this machine (same boot id and pid namespace): liveness decides, never age.
//   Its pid running with the recorded start time → wait, however long it stalls; otherwise it died
//   → take the lock over at once.
// - its holder cannot be asked (another machine or container, no /proc): age decides. A holder
//   refreshes the directory's mtime every LOCK_REFRESH_MS; one not refreshed for LOCK_STALE_MS is
//   taken over.
// - no owner record (an older okpay's lock, or a maker killed before it wrote one): age too.
//
// Why no two processes ever both hold it (docs/RELIABILITY.md, "The store lock"):
// - Holding is having linked the owner record: link(2) of a complete record to okpay.lock/owner
//   fails when there is one already, so each directory gets exactly one owner, whoever made it. A
//   waiter adopts a stale ownerless directory by the same link; its maker, if only stalled, then
//   fails its own link and waits.
// - An owned lock is taken over by renaming okpay.lock to okpay.lock.dead-<token of the dead owner>.
//   A rename onto a directory that is not empty fails, and that graveyard entry holds the dead
//   owner's record: of two waiters that saw the same dead holder, one rename succeeds; the other
//   meets either no okpay.lock or the graveyard entry, never moving the new holder's lock away.
//   Graveyard entries are kept GRAVE_KEEP_MS. A waiter reads the owner record again after finding
//   its holder dead: a holder that released (release renames the lock away before the process ends)
//   is then gone, so the only graveyard entry of a dead token is a take-over's, which is kept.
// - A renamer checks the token in what it renamed and puts back a lock that was not the dead one
//   (possible only after a stall longer than GRAVE_KEEP_MS between its read and its rename).
// - Fencing: just before its commit point a holder reads the owner record again (confirm()); a
//   lock that is no longer its own stops the commit, and nothing is cleaned up (another writer's
//   files now).

import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync, readlinkSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import { int, object, onFirstUse, readonly } from '../domain/schema.js';
import { AppError } from '../domain/errors.js';
import { assertPrivateTree, CREATE_NEW_FILE, errnoOf, unavailable } from './durable-file.js';

export const LOCK_NAME = 'okpay.lock';
const OWNER_FILE = 'owner';
const GRAVE_PREFIX = `${LOCK_NAME}.dead-`;
/** The store's directories that hold directories (records/<kind>/): the rest hold only files. */
const NESTED_DIRECTORIES = ['records'];
/**
 * A lock whose holder cannot be asked whether it lives (another machine or container, no owner
 * record) is taken over once not refreshed for this long. Stalls of more than the old 5 s were seen
 * at a load of 20–30 on 2 cores (and SIGSTOP, a slow fsync or a long GC stall any process); a minute
 * is far beyond those, and costs only the rare shared directory a minute after a crash. On one
 * machine, a dead holder's lock is taken over at once.
 */
export const LOCK_STALE_MS = 60_000;
/** How often a holder refreshes the lock's mtime: well within LOCK_STALE_MS, and within an older okpay's 5 s. */
const LOCK_REFRESH_MS = 2_000;
/** How long a command waits for a busy store before STORE_LOCKED: long enough to outlast a stale lock. */
export const LOCK_WAIT_MS = LOCK_STALE_MS + 15_000;
/** How long a graveyard entry stays: while it does, a waiter with a view of its dead owner cannot move a newer lock. */
const GRAVE_KEEP_MS = 10 * 60_000;

const ownerSchema = onFirstUse(() =>
  readonly(
    object({
      host: v.string(),
      bootId: v.nullable(v.string()),
      pidNamespace: v.nullable(v.string()),
      pid: v.pipe(int(), v.gtValue(0)),
      startTime: v.nullable(v.string()),
      token: v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/)),
    }),
  ),
);
export type LockOwner = v.InferOutput<ReturnType<typeof ownerSchema>>;

/** What a waiter found at okpay.lock. */
export type LockView =
  | { readonly state: 'free' }
  /** Wait. `local`: its holder runs on this machine and was seen alive. */
  | { readonly state: 'busy'; readonly owner: LockOwner | null; readonly local: boolean; readonly unreadable: boolean }
  /** Its holder died (local), or has not refreshed it for the stale time: rename it away. */
  | { readonly state: 'dead'; readonly owner: LockOwner; readonly local: boolean }
  /** No owner record, not refreshed for the stale time: adopt it. */
  | { readonly state: 'orphan' };

export interface HeldLock {
  /** Set once the lock is known to be lost while held (taken over, removed): another writer may have the store. */
  compromised: Error | null;
  /** The fence before a commit point: reads the owner record again; null while the lock is still this one, else why not. */
  confirm(): Error | null;
  release(): Promise<void>;
}

export interface LockOptions {
  readonly staleMs?: number;
  readonly waitMs?: number;
  /** The process the lock is taken for: this one, except in tests that stand in for another. */
  readonly holderPid?: number;
}

export async function acquireStoreLock(directory: string, options: LockOptions = {}): Promise<HeldLock> {
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  const names = await assertPrivateTree(directory, LOCK_NAME, NESTED_DIRECTORIES);
  const lock = path.join(directory, LOCK_NAME);
  const owner = ownerRecord(options.holderPid ?? process.pid);
  const deadline = Date.now() + (options.waitMs ?? LOCK_WAIT_MS);
  // Only a busy lock is waited for: any other error (a read-only or full disk) is answered at once.
  for (let attempt = 0; ; attempt += 1) {
    const view = await inspectStoreLock(directory, staleMs);
    if (view.state === 'free' || view.state === 'orphan') {
      if ((view.state === 'orphan' || (await makeLockDirectory(lock))) && (await claim(lock, owner, view.state === 'free'))) {
        await removeOldGraves(directory, names);
        return hold(lock, owner);
      }
    } else if (view.state === 'dead' && stillThere(directory, view, staleMs) && (await renameAway(directory, view.owner.token))) continue;
    if (Date.now() >= deadline) throw busy(directory, view, staleMs);
    await sleep(Math.min(100, 5 * 1.3 ** attempt) * (1 + Math.random()));
  }
}

/** Reads okpay.lock and decides what a waiter may do with it. */
export async function inspectStoreLock(directory: string, staleMs = LOCK_STALE_MS): Promise<LockView> {
  const lock = path.join(directory, LOCK_NAME);
  let mtimeMs: number;
  try {
    mtimeMs = (await fs.stat(lock)).mtimeMs;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return { state: 'free' };
    throw unavailable(lock, error);
  }
  const stale = Date.now() - mtimeMs > staleMs;
  const owner = readOwner(lock);
  // Written whole by link(2), a record that does not parse was damaged: never taken over unasked.
  if (owner === 'unreadable') return { state: 'busy', owner: null, local: false, unreadable: true };
  if (owner === null) return stale ? { state: 'orphan' } : { state: 'busy', owner: null, local: false, unreadable: false };
  const alive = holderAlive(owner);
  if (alive === null) return stale ? { state: 'dead', owner, local: false } : { state: 'busy', owner, local: false, unreadable: false };
  return alive ? { state: 'busy', owner, local: true, unreadable: false } : { state: 'dead', owner, local: true };
}

/**
 * The dead lock is still there, read again after it was found dead: a holder that released in the
 * meantime is gone from it, so a graveyard entry of this token can only be a take-over's (kept).
 */
export function stillThere(directory: string, view: Extract<LockView, { state: 'dead' }>, staleMs = LOCK_STALE_MS): boolean {
  const lock = path.join(directory, LOCK_NAME);
  const owner = readOwner(lock);
  if (owner === null || owner === 'unreadable' || owner.token !== view.owner.token) return false;
  return view.local || Date.now() - mtimeOf(lock) > staleMs;
}

/**
 * Takes over a dead owner's lock: okpay.lock renamed to its graveyard entry. False when another
 * waiter did it first, or okpay.lock is a newer lock (then left where it is, or put back).
 */
export async function renameAway(directory: string, token: string): Promise<boolean> {
  const lock = path.join(directory, LOCK_NAME);
  const grave = path.join(directory, `${GRAVE_PREFIX}${token}`);
  try {
    await fs.rename(lock, grave);
  } catch (error) {
    if (['ENOENT', 'ENOTEMPTY', 'EEXIST'].includes(errnoOf(error) ?? '')) return false;
    throw unavailable(lock, error);
  }
  const moved = readOwner(grave);
  if (moved !== null && moved !== 'unreadable' && moved.token === token) {
    const now = new Date();
    await fs.utimes(grave, now, now).catch(() => undefined);
    return true;
  }
  // Someone's live lock (this waiter stalled past GRAVE_KEEP_MS): back where it was. Should the
  // name be taken meanwhile, its holder finds out at its next refresh or fence.
  await fs.rename(grave, lock).catch(() => undefined);
  return false;
}

function hold(lock: string, owner: LockOwner): HeldLock {
  // Released by renaming it to this holder's own graveyard name first: should it have been taken
  // over after all, that name is taken and the rename fails, instead of moving the new holder's lock.
  const grave = path.join(path.dirname(lock), `${GRAVE_PREFIX}${owner.token}`);
  const held: HeldLock = {
    compromised: null,
    confirm: () => {
      if (held.compromised) return held.compromised;
      let now: ReturnType<typeof readOwner>;
      try {
        now = readOwner(lock);
      } catch (error) {
        // Unable to tell is not "still mine": nothing is committed on it.
        return (held.compromised = error instanceof Error ? error : new Error(String(error)));
      }
      if (now === null || now === 'unreadable' || now.token !== owner.token)
        held.compromised = new Error(`the store lock ${lock} is no longer this process's: another process took it over`);
      return held.compromised;
    },
    release: async () => {
      clearInterval(timer);
      process.removeListener('exit', releaseAtExit);
      if (held.confirm()) return;
      const renamed = await fs.rename(lock, grave).then(
        () => true,
        () => false,
      );
      if (renamed) await fs.rm(grave, { recursive: true, force: true }).catch(() => undefined);
    },
  };
  const releaseAtExit = () => {
    if (held.confirm()) return;
    try {
      renameSync(lock, grave);
      rmSync(grave, { recursive: true, force: true });
    } catch {
      // The next waiter finds this process gone.
    }
  };
  const timer = setInterval(() => {
    if (held.confirm()) return clearInterval(timer);
    const now = new Date();
    fs.utimes(lock, now, now).catch(() => undefined);
  }, LOCK_REFRESH_MS);
  timer.unref();
  process.once('exit', releaseAtExit);
  return held;
}

async function makeLockDirectory(lock: string): Promise<boolean> {
  try {
    await fs.mkdir(lock, { mode: 0o700 });
    return true;
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    throw unavailable(lock, error);
  }
}

/**
 * Links a complete owner record into the lock directory: true when the lock is ours, false when it
 * has an owner already, or went away. A directory this process has just made is removed again when
 * the record cannot be written (a full disk): left there, it would hold writers off for the stale time.
 */
async function claim(lock: string, owner: LockOwner, madeHere: boolean): Promise<boolean> {
  const temp = path.join(lock, `.${OWNER_FILE}-${owner.token}`);
  try {
    await fs.writeFile(temp, JSON.stringify(owner), { mode: 0o600, flag: CREATE_NEW_FILE });
    await fs.link(temp, path.join(lock, OWNER_FILE));
    return true;
  } catch (error) {
    if (['EEXIST', 'ENOENT'].includes(errnoOf(error) ?? '')) return false;
    await fs.rm(temp, { force: true }).catch(() => undefined);
    if (madeHere) await fs.rmdir(lock).catch(() => undefined);
    throw unavailable(lock, error);
  } finally {
    await fs.rm(temp, { force: true }).catch(() => undefined);
  }
}

/** The owner record of a lock directory; null when it has none (or is gone). */
function readOwner(lock: string): LockOwner | null | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path.join(lock, OWNER_FILE), 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT' || errnoOf(error) === 'ENOTDIR') return null;
    throw unavailable(lock, error);
  }
  try {
    const parsed = v.safeParse(ownerSchema(), JSON.parse(text));
    return parsed.success ? parsed.output : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** A lock directory's mtime; "just now" when it is gone (so never stale). */
function mtimeOf(lock: string): number {
  try {
    return statSync(lock).mtimeMs;
  } catch {
    return Date.now();
  }
}

/** This process's machine: the boot id and pid namespace are null where there is no /proc to read them. */
interface Machine {
  readonly host: string;
  readonly bootId: string | null;
  readonly pidNamespace: string | null;
}

let machine: Machine | null = null;

function thisMachine(): Machine {
  return (machine ??= {
    host: os.hostname(),
    bootId: orNull(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()),
    pidNamespace: orNull(() => readlinkSync('/proc/self/ns/pid')),
  });
}

function orNull(read: () => string): string | null {
  try {
    return read() || null;
  } catch {
    return null;
  }
}

function ownerRecord(pid: number): LockOwner {
  const startTime = startTimeOf(pid);
  return { ...thisMachine(), pid, startTime: startTime === ENDED ? null : startTime, token: randomBytes(16).toString('hex') };
}

/**
 * Whether the lock's holder still runs: null when this process cannot tell (another machine or pid
 * namespace, no /proc, a process it may not look at), and age must decide.
 */
function holderAlive(owner: LockOwner): boolean | null {
  const here = thisMachine();
  if (here.bootId === null || here.pidNamespace === null || owner.startTime === null) return null;
  if (owner.bootId !== here.bootId || owner.pidNamespace !== here.pidNamespace) return null;
  const startTime = startTimeOf(owner.pid);
  if (startTime === ENDED) return false;
  if (startTime !== null) return startTime === owner.startTime;
  try {
    process.kill(owner.pid, 0);
    return null; // there, but hidden from this user's /proc (hidepid): cannot tell
  } catch (error) {
    return errnoOf(error) === 'ESRCH' ? false : null;
  }
}

/** What startTimeOf says of a process that has exited but whose parent has not collected it (a zombie). */
const ENDED = Symbol('ended');

/**
 * When a running process started (clock ticks after boot: /proc/<pid>/stat, field 22), which tells
 * it from a later process given the same pid; ENDED for a zombie (it runs no more, though its pid
 * still answers a signal); null when it cannot be read.
 */
function startTimeOf(pid: number): string | typeof ENDED | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // After the command name in parentheses (which may hold spaces): state is field 3, start time field 22.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return ENDED;
  return fields[19] ?? null;
}

/** Removes graveyard entries older than GRAVE_KEEP_MS (names: the store directory's entries, read before taking the lock). */
async function removeOldGraves(directory: string, names: readonly string[]): Promise<void> {
  for (const name of names.filter((n) => n.startsWith(GRAVE_PREFIX))) {
    const grave = path.join(directory, name);
    const stat = await fs.lstat(grave).catch(() => null);
    if (stat && Date.now() - Math.max(stat.mtimeMs, stat.ctimeMs) > GRAVE_KEEP_MS) await fs.rm(grave, { recursive: true, force: true }).catch(() => undefined);
  }
}

function busy(directory: string, view: LockView, staleMs: number): AppError {
  const owner = view.state === 'busy' || view.state === 'dead' ? view.owner : null;
  const local = view.state === 'busy' && view.local;
  const unreadable = view.state === 'busy' && view.unreadable;
  const lock = path.join(directory, LOCK_NAME);
  const holder = unreadable
    ? `its lock ${lock} has an owner record that cannot be read`
    : view.state === 'dead'
      ? `the holder of its lock (process ${view.owner.pid}) is gone, but the lock could not be taken over`
      : owner === null
        ? `its lock has no owner record (an older okpay's, or one whose maker was killed while taking it)`
        : local
          ? `okpay process ${owner.pid} on this machine holds its lock`
          : `process ${owner.pid} on ${owner.host} (another machine or container) holds its lock`;
  const hint = unreadable
    ? `if no okpay command is running on this data directory, remove ${lock}`
    : local
      ? `try again once it has finished; if it is stopped (Ctrl-Z), resume it with fg or end it`
      : `try again; a lock not refreshed for ${staleMs / 1000} s is taken over`;
  return new AppError('STORE_LOCKED', `the store at ${directory} is busy: ${holder}`, { hint });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
