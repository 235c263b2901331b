// Writing a reply or a note in the agent's own editor ($VISUAL, else $EDITOR). The text goes
// through a new private temp file (O_EXCL, O_NOFOLLOW, 0600: no other user reads a customer's
// case, and no planted link decides where it goes), removed afterwards whatever happens.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../domain/errors.js';
import { CREATE_NEW_FILE } from '../store/durable-file.js';
import { utf8Text } from './utf8.js';

const FILE_MODE = 0o600;
const COMMENT = '#';

/** The prefilled file: `#` lines (the customer's language, how to cancel) are dropped when read back. */
export function draftText(header: readonly string[], suggestion: string): string {
  return `${header.map((line) => `${COMMENT} ${line}`).join('\n')}\n\n${suggestion}${suggestion === '' ? '' : '\n'}`;
}

/** What the agent wrote: without the comment lines, trimmed; null when nothing is left (cancel). */
export function writtenText(file: string): string | null {
  const kept = file.split('\n').filter((line) => !line.startsWith(COMMENT));
  const text = kept.join('\n').trim();
  return text === '' ? null : text;
}

/**
 * Runs `editor` (a shell word list, as $EDITOR allows "code --wait") on a temp file holding
 * `draft`, with the terminal handed over; the text written, or null when it is empty.
 */
export async function editInEditor(editor: string, draft: string): Promise<string | null> {
  const file = path.join(os.tmpdir(), `okpay-draft-${randomBytes(8).toString('hex')}.txt`);
  const handle = await fs.open(file, CREATE_NEW_FILE, FILE_MODE);
  try {
    await handle.writeFile(draft, 'utf8');
    await handle.close();
    const run = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'okpay-editor', file], { stdio: 'inherit' });
    if (run.error)
      throw new AppError('USAGE', `the editor "${editor}" could not be started: ${run.error.message}`, {
        hint: 'set $VISUAL or $EDITOR to an editor on your PATH',
      });
    if (run.status !== 0) throw new AppError('CANCELLED', `the editor "${editor}" ended with status ${run.status ?? run.signal}; nothing was sent`);
    return writtenText(utf8Text(await fs.readFile(file), { code: 'INVALID_TEXT', name: 'the text the editor saved' }));
  } finally {
    await handle.close().catch(() => undefined);
    await fs.rm(file, { force: true });
  }
}
