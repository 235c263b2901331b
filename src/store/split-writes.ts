// The file writes of a split store's commit: each durable (fsynced before it counts), many at once.

import { execFile } from 'node:child_process';
import { closeSync, constants, openSync, promises as fs, renameSync, rmSync, writeFileSync } from 'node:fs';
import { CREATE_NEW_FILE, errnoOf, faultPoint, temporaryPath, unavailable } from './durable-file.js';

/** Runs `work` on every item, at most `limit` at once; the first failure is thrown once every started item has stopped. */
export async function eachAtMost<T>(limit: number, items: Iterable<T>, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  let next = 0;
  let failed = false;
  let failure: unknown;
  const worker = async () => {
    while (!failed && next < queue.length) {
      const item = queue[next] as T;
      next += 1;
      try {
        await work(item);
      } catch (error) {
        if (!failed) failure = error;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
  if (failed) throw failure;
}

/**
 * Runs `work` on every item, one after another, giving the event loop a turn every TURN_EVERY
 * items: work that does not wait (writeNewSync) would otherwise hold it for the whole of a commit
 * of thousands of files, and the store lock's refresh timer with it.
 */
export async function eachInTurn<T>(items: Iterable<T>, work: (item: T) => Promise<void>): Promise<void> {
  let done = 0;
  for (const item of items) {
    await work(item);
    done += 1;
    if (done % TURN_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

const TURN_EVERY = 500;

/** Writes a whole file durably (temp file, fsync, rename). */
export async function writeDurably(file: string, text: string): Promise<void> {
  const temp = temporaryPath(file);
  await writeInPlace(temp, text, true);
  faultPoint('rename', file);
  await fs.rename(temp, file).catch(async (error: unknown) => {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw unavailable(file, error);
  });
}

/**
 * Writes a file's whole text in place and fsyncs it. The redo record is rewritten this way, in the
 * file it already has, so that reaching the commit point never needs a new inode. `truncateFirst`
 * (stages, a new store's files) makes a new file: whatever had the name, a link included, is removed.
 * Never through a symbolic link.
 */
export async function writeInPlace(file: string, text: string | Uint8Array, truncateFirst = false, sync = true): Promise<void> {
  let handle: fs.FileHandle | null = null;
  try {
    faultPoint('write', file);
    handle = truncateFirst ? await createNew(file) : await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    await handle.write(bytes, 0, bytes.length, 0);
    // A new file holds just what was written; an old one may be longer, and is cut to it.
    if (!truncateFirst) await handle.truncate(bytes.length);
    if (sync) await handle.sync();
  } catch (error) {
    throw unavailable(file, error);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** A new file at `file`; whatever had the name is removed first (rarely anything: a stage left by a failed commit). */
async function createNew(file: string): Promise<fs.FileHandle> {
  try {
    return await fs.open(file, CREATE_NEW_FILE, 0o600);
  } catch (error) {
    if (errnoOf(error) !== 'EEXIST') throw error;
    await fs.rm(file, { force: true });
    return fs.open(file, CREATE_NEW_FILE, 0o600);
  }
}

/**
 * Writes a new file's whole text without an fsync and without leaving the main thread, for the
 * thousands of stages of a new store's first commit, which `syncAll` then makes durable at once.
 * Each call through the thread pool (open, write, close) costs a promise and a hand-over; for small
 * files those cost more CPU than the system calls themselves (about 2.5 times in all, measured).
 * Like `writeInPlace(file, text, true, false)`, whatever had the name is removed first.
 */
export function writeNewSync(file: string, text: string | Uint8Array): void {
  let fd: number | null = null;
  try {
    faultPoint('write', file);
    try {
      fd = openSync(file, CREATE_NEW_FILE, 0o600);
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw error;
      rmSync(file, { force: true });
      fd = openSync(file, CREATE_NEW_FILE, 0o600);
    }
    writeFileSync(fd, text, 'utf8');
  } catch (error) {
    throw unavailable(file, error);
  } finally {
    if (fd !== null) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing was lost: the text was written (or its failure thrown) before.
  }
}

/** Renames `from` over `to` without leaving the main thread (see `writeNewSync`). */
export function renameSyncOver(from: string, to: string): void {
  faultPoint('rename', to);
  try {
    renameSync(from, to);
  } catch (error) {
    throw unavailable(to, error);
  }
}

/** Breaks a redo record's seal in place (one byte, no new space): it is then never applied. */
export async function invalidate(file: string): Promise<void> {
  faultPoint('write', file);
  const handle = await fs.open(file, constants.O_WRONLY | constants.O_NOFOLLOW);
  try {
    await handle.write(Buffer.from('x'), 0, 1, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The program that syncs one file system (coreutils `sync -f`, i.e. syncfs(2), which Node cannot
 * call itself), named by its absolute path: a `sync` looked up on $PATH is whatever the caller's
 * environment puts first, and one that exits 0 without syncing would silently stand in for the fsyncs.
 */
const SYNC_PROGRAM = '/usr/bin/sync';

/**
 * Makes files written without their own fsync durable: one syncfs(2) of their file system
 * (SYNC_PROGRAM -f, Linux), else (no such program, or it failed) each file's fsync, `limit` at once.
 * For the thousands of files of a new store's first commit (a generated store, an upgrade): one
 * flush instead of one journal commit per file.
 */
export async function syncAll(directory: string, files: readonly string[], limit: number): Promise<void> {
  faultPoint('fsync-directory', directory);
  const synced = await new Promise<boolean>((resolve) => {
    execFile(SYNC_PROGRAM, ['-f', directory], { timeout: 10 * 60 * 1000, env: {} }, (error) => resolve(error === null));
  });
  if (synced) return;
  await eachAtMost(limit, files, async (file) => {
    const handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: unknown) => {
      throw unavailable(file, error);
    });
    try {
      await handle.sync();
    } catch (error) {
      throw unavailable(file, error);
    } finally {
      await handle.close().catch(() => undefined);
    }
  });
}
