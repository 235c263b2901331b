// A lowdb adapter that refuses damaged files and writes durably: temp file, fsync, rename. The
// caller fsyncs the directory once per commit (see fsyncDirectory), after all its renames.

import { randomBytes } from 'node:crypto';
import { constants, promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Adapter } from 'lowdb';
import { AppError } from '../domain/errors.js';
import { READ_ONLY } from './store.js';

const FILE_MODE = 0o600;
const DIRECTORY_MODE = 0o700;
/**
 * How every temporary or staged file is opened: created here and now (O_EXCL), never through a
 * symbolic link (O_NOFOLLOW), so a link planted at its name cannot send the text elsewhere.
 */
export const CREATE_NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** The steps of a commit that touch the disk, as the fault hook sees them. */
export type WriteStep = 'write' | 'rename' | 'fsync-directory' | 'remove';

/**
 * Test-only fault injection (the simulator): when set, it runs before every step that changes the
 * disk and may throw to make that step fail. Null — never set — in the product.
 */
let faultHook: ((step: WriteStep, file: string) => void) | null = null;

export function setFaultHook(hook: ((step: WriteStep, file: string) => void) | null): void {
  faultHook = hook;
}

/**
 * Test-only: the fault hook of OKPAY_TEST_STOP_AT=<step>:<file name> (the lock tests set it on the
 * processes they spawn). The process stops itself (SIGSTOP) before the first such step, as one
 * stalled by the machine would, holding the lock; the test continues or kills it.
 */
export function stopBefore(spec: string): (step: WriteStep, file: string) => void {
  const [step, name] = spec.split(':');
  let stopped = false;
  return (s, file) => {
    if (stopped || s !== step || path.basename(file) !== name) return;
    stopped = true;
    process.kill(process.pid, 'SIGSTOP');
  };
}

/** Runs the fault hook (tests only) before a disk step taken outside this module. */
export function faultPoint(step: WriteStep, file: string): void {
  faultHook?.(step, file);
}

export class DurableJsonFile<T> implements Adapter<T> {
  /** The text last read, so a commit can tell whether anything changed. */
  lastText: string | null = null;

  constructor(readonly file: string) {}

  async read(): Promise<T | null> {
    const text = await readTextIfExists(this.file);
    if (text === null) return null;
    this.lastText = text;
    return parseStoreJson<T>(text, this.file);
  }

  async write(data: T): Promise<void> {
    const text = JSON.stringify(data);
    await writeFileDurable(this.file, text);
    this.lastText = text;
  }
}

export function parseStoreJson<T>(text: string, file: string): T {
  if (text.trim() === '') throw corrupt(file, 'it is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt(file, 'it is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw corrupt(file, 'it does not hold a JSON object');
  return value as T;
}

export function corrupt(file: string, why: string): AppError {
  return new AppError('STORE_CORRUPT', `the store file ${file} is damaged: ${why}`, {
    hint: 'it was left untouched; restore it from a backup, or run `okpay verify` to see what is wrong',
  });
}

/**
 * The file's text, or null when there is none. Read synchronously: one command runs per process,
 * a whole-file read is faster that way, and a read-only command then never loads fs/promises.
 */
export async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw unavailable(file, error);
  }
}

/**
 * A temporary file's name beside its target. Random, so nobody can plant anything at it in
 * advance; the pid stays last, where the crash tests look for the writer.
 */
export function temporaryPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.${process.pid}.tmp`);
}

export async function writeFileDurable(file: string, text: string | Uint8Array): Promise<void> {
  const temp = temporaryPath(file);
  let handle: fs.FileHandle | null = null;
  try {
    faultHook?.('write', file);
    handle = await fs.open(temp, CREATE_NEW_FILE, FILE_MODE);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    handle = null;
    faultHook?.('rename', file);
    await fs.rename(temp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw unavailable(file, error);
  }
}

export async function fsyncDirectory(directory: string): Promise<void> {
  let handle: fs.FileHandle | null = null;
  try {
    faultHook?.('fsync-directory', directory);
    handle = await fs.open(directory, 'r');
    await handle.sync();
  } catch (error) {
    // Some file systems refuse fsync on a directory; the renames are still atomic there.
    if (!['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP'].includes(errnoOf(error) ?? '')) throw unavailable(directory, error);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Creates a directory and its missing parents, one level at a time: Node's recursive mkdir never
 * returns where mkdir answers ENOENT for an existing parent (under /proc, say).
 */
export async function ensureDirectory(directory: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = path.resolve(directory); ; dir = path.dirname(dir)) {
    const kind = await kindOf(dir).catch((error: unknown) => {
      throw unavailable(directory, error);
    });
    if (kind === 'directory') break;
    if (kind === 'other') throw unavailable(directory, Object.assign(new Error('not a directory'), { code: 'ENOTDIR' }));
    missing.unshift(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    try {
      await fs.mkdir(dir, { mode: DIRECTORY_MODE });
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw unavailable(directory, error);
    }
  }
  await assertPrivateDirectory(directory);
}

/**
 * Refuses a directory okpay is about to write in when another user could change what is in it:
 * they could plant a link where a file is about to be written, or swap the files. It (and a link
 * to it) must belong to this user or to root, and no one but its owner may write in it.
 */
export async function assertPrivateDirectory(directory: string): Promise<void> {
  const user = process.geteuid?.() ?? 0;
  const trusted = (uid: number) => uid === user || uid === 0;
  const [link, target] = await Promise.all([fs.lstat(directory), fs.stat(directory)]).catch((error: unknown) => {
    throw unavailable(directory, error);
  });
  if (link.isSymbolicLink() && !trusted(link.uid))
    throw unsafe(directory, `it is a symbolic link owned by another user (uid ${link.uid})`, 'if you trust its owner, name the directory it points to instead');
  if (!trusted(target.uid))
    throw unsafe(directory, `it belongs to another user (uid ${target.uid})`, 'use a data directory of your own (--data-dir, $OKPAY_HOME)');
  if ((target.mode & 0o022) !== 0) {
    throw unsafe(
      directory,
      `other users can write in it (mode ${(target.mode & 0o7777).toString(8).padStart(4, '0')})`,
      `make it private with \`chmod go-w ${directory}\` (okpay creates its directories 0700)`,
    );
  }
}

/**
 * Refuses a store whose directory, or any directory under it, another user could change: checked
 * before a commit starts, so a refusal comes before anything is written (and needs no undoing).
 * `skip` names a directory that is not written in: the lock, and its graveyard entries
 * (`<skip>.…`, which come and go while others take and release it). Returns the names in
 * `directory`. Only the
 * directories named in `nested` are listed for subdirectories: the others (buckets, journal and
 * audit segments, the outbox) hold thousands of files and no directory, and listing them would
 * make every writer's cost grow with the store. A subdirectory planted in one of them would need
 * write access to it, which the check of that directory refuses.
 */
export async function assertPrivateTree(directory: string, skip: string, nested: readonly string[]): Promise<string[]> {
  await assertPrivateDirectory(directory);
  const entries = await fs.readdir(directory, { withFileTypes: true }).catch((error: unknown) => {
    throw unavailable(directory, error);
  });
  const skipped = (name: string) => name === skip || name.startsWith(`${skip}.`);
  const children = entries.filter((entry) => entry.isDirectory() && !skipped(entry.name)).map((entry) => path.join(directory, entry.name));
  await Promise.all(children.map((child) => (nested.includes(path.basename(child)) ? assertPrivateTree(child, skip, nested) : assertPrivateDirectory(child))));
  return entries.map((entry) => entry.name);
}

function unsafe(directory: string, why: string, hint: string): AppError {
  return new AppError('STORE_UNSAFE', `refusing to write in ${directory}: ${why}`, { hint: `${hint}; nothing was changed` });
}

async function kindOf(file: string): Promise<'directory' | 'other' | 'missing'> {
  try {
    return (await fs.stat(file)).isDirectory() ? 'directory' : 'other';
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return 'missing';
    throw error;
  }
}

export async function removeFile(file: string): Promise<void> {
  try {
    faultHook?.('remove', file);
    await fs.rm(file, { force: true });
  } catch (error) {
    throw unavailable(file, error);
  }
}

export function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EIO: 'an input/output error occurred',
};

export function unavailable(file: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = errnoOf(error) ?? '';
  const why = ERRNO_TEXT[code] ?? (error instanceof Error ? error.message : String(error));
  return new AppError('STORE_UNAVAILABLE', `cannot use the store at ${file}: ${why}`, {
    hint:
      code === 'ENOSPC' || code === 'EDQUOT'
        ? 'free some space and run the command again; nothing was changed'
        : 'check the data directory (--data-dir, $OKPAY_HOME); nothing was changed',
    ...(code === 'EROFS' ? { details: READ_ONLY } : {}),
  });
}
