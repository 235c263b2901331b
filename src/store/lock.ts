// One cross-process lock around every read-modify-write of the store (proper-lockfile: a
// directory made with mkdir, its mtime refreshed while held, taken over when stale).

import path from 'node:path';
import { AppError } from '../domain/errors.js';
import { assertPrivateTree, errnoOf, unavailable } from './durable-file.js';

const LOCK_NAME = 'okpay.lock';
/** The store's directories that hold directories (records/<kind>/): the rest hold only files. */
const NESTED_DIRECTORIES = ['records'];
/** A lock not refreshed for this long belongs to a dead process and is taken over. */
export const LOCK_STALE_MS = 5_000;
/** How long a command waits for a busy store before giving up with STORE_LOCKED. */
const LOCK_WAIT_MS = 60_000;

export interface HeldLock {
  /** Set when the lock was lost while held (e.g. the process stalled past the stale time). */
  compromised: Error | null;
  release(): Promise<void>;
}

export async function acquireStoreLock(directory: string, staleMs = LOCK_STALE_MS, waitMs = LOCK_WAIT_MS): Promise<HeldLock> {
  await assertPrivateTree(directory, LOCK_NAME, NESTED_DIRECTORIES);
  const held: HeldLock = { compromised: null, release: async () => undefined };
  const deadline = Date.now() + waitMs;
  // Loaded here: commands that only read never take the lock, so they never pay for the library.
  const { default: lockfile } = await import('proper-lockfile');
  // Our own retry loop: proper-lockfile's retries every error, so a read-only or full disk would
  // make a command wait the whole minute. Only a busy lock is worth waiting for.
  for (let attempt = 0; ; attempt += 1) {
    try {
      const release = await lockfile.lock(path.join(directory, 'state.json'), {
        realpath: false,
        lockfilePath: path.join(directory, LOCK_NAME),
        stale: staleMs,
        retries: 0,
        onCompromised: (error: Error) => {
          held.compromised = error;
        },
      });
      held.release = async () => {
        await release().catch(() => undefined);
      };
      return held;
    } catch (error) {
      if (errnoOf(error) !== 'ELOCKED') throw unavailable(directory, error);
      if (Date.now() >= deadline) {
        throw new AppError('STORE_LOCKED', `the store at ${directory} is busy: another okpay command holds its lock`, {
          hint: `try again; a lock left by a killed process is taken over after ${staleMs / 1000} s`,
        });
      }
      await sleep(Math.min(100, 5 * 1.3 ** attempt) * (1 + Math.random()));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
