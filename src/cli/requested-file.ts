// Files written on request (--output FILE). A new or existing file is written as a new file beside
// it (O_EXCL, O_NOFOLLOW, mode 0600) that then replaces it whole, so neither a link planted at the
// name nor an existing file's loose mode decides where the text goes or who can read it. A link is
// refused; a device or a pipe (/dev/null, a FIFO) is written to as it is.

import { constants, promises as fs, type Stats } from 'node:fs';
import { AppError } from '../domain/errors.js';
import { CREATE_NEW_FILE, errnoOf, temporaryPath } from '../store/durable-file.js';
import { escapeControls } from './output.js';

export interface FileSink {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

const FILE_MODE = 0o600;

/** A sink that writes `file`; what is written is escaped like everything okpay prints. */
export async function openRequestedFile(file: string): Promise<FileSink> {
  if (file.trim() === '') throw new AppError('USAGE', '--output needs a file name');
  const existing = await guard(file, () => fs.lstat(file).catch((error: unknown) => (errnoOf(error) === 'ENOENT' ? null : Promise.reject(error))));
  if (existing?.isSymbolicLink()) throw refused(file, 'it is a symbolic link, and okpay does not write through links', 'name the file itself');
  if (existing?.isDirectory()) throw refused(file, 'it is a directory', 'name a file');
  if (existing !== null && !existing.isFile()) return openDevice(file);
  const temp = temporaryPath(file);
  const handle = await guard(file, () => fs.open(temp, CREATE_NEW_FILE, FILE_MODE));
  const abandon = async () => {
    await handle.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
  };
  return {
    write: (text) => guard(file, async () => void (await handle.write(escapeControls(text))), abandon),
    close: () =>
      guard(
        file,
        async () => {
          await handle.sync();
          await handle.close();
          await fs.rename(temp, file);
        },
        abandon,
      ),
  };
}

async function openDevice(file: string): Promise<FileSink> {
  const handle = await guard(file, () => fs.open(file, constants.O_WRONLY | constants.O_NOFOLLOW));
  const stats: Stats = await guard(file, () => handle.stat());
  // Swapped for a regular file since it was looked at: that one would keep its mode.
  if (stats.isFile()) {
    await handle.close();
    throw refused(file, 'it changed while okpay was opening it', 'run the command again');
  }
  const close = async () => void (await handle.close().catch(() => undefined));
  return { write: (text) => guard(file, async () => void (await handle.write(escapeControls(text))), close), close: () => guard(file, () => handle.close()) };
}

/** Runs a step; any failure (a full disk, a missing directory, a NUL in the name) is INVALID_FILE. */
async function guard<T>(file: string, step: () => Promise<T>, onFailure?: () => Promise<void>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    await onFailure?.();
    if (error instanceof AppError) throw error;
    throw new AppError('INVALID_FILE', `cannot write ${file}${errnoOf(error) ? ` (${errnoOf(error)})` : ''}`);
  }
}

function refused(file: string, why: string, hint: string): AppError {
  return new AppError('INVALID_FILE', `will not write ${file}: ${why}`, { hint });
}
