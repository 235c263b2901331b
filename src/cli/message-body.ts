// The text of a message a person sends (ticket new, ticket reply): from --body, from a file or
// standard input (--body-file), or from a prompt.

import { promises as fs } from 'node:fs';
import { AppError } from '../domain/errors.js';
import { validateBody } from '../domain/ticket-input.js';
import { errnoOf } from '../store/durable-file.js';
import type { Context } from './context.js';
import { promptText } from './prompts.js';
import { fileText } from './utf8.js';

const MAX_BODY_FILE_BYTES = 256 * 1024;

export interface BodyOptions {
  readonly body?: string;
  readonly bodyFile?: string;
}

/**
 * The text of a message: --body, --body-file FILE (or - for standard input), else a prompt on a
 * terminal. Null when nothing was given and `required` is false.
 */
export async function readBody(ctx: Context, o: BodyOptions, required: boolean): Promise<string | null> {
  if (o.body !== undefined && o.bodyFile !== undefined) throw new AppError('USAGE', 'pass either --body or --body-file, not both');
  if (o.body !== undefined) return validateBody(o.body);
  if (o.bodyFile !== undefined) return validateBody(o.bodyFile === '-' ? await ctx.io.readStdin() : await readBodyFile(o.bodyFile));
  if (!required) return null;
  return validateBody(await promptText(ctx, 'Message:', 'pass --body TEXT or --body-file FILE (- for standard input)'));
}

async function readBodyFile(file: string): Promise<string> {
  try {
    const stats = await fs.stat(file);
    if (!stats.isFile()) throw new AppError('INVALID_FILE', `${file} is not a file`);
    if (stats.size > MAX_BODY_FILE_BYTES)
      throw new AppError('INVALID_FILE', `${file} is larger than ${MAX_BODY_FILE_BYTES / 1024} KiB`, { hint: 'a message holds at most 5000 characters' });
    return fileText(await fs.readFile(file), file);
  } catch (error) {
    if (error instanceof AppError) throw error;
    const why =
      errnoOf(error) === 'ENOENT'
        ? 'there is no such file'
        : errnoOf(error) === 'EACCES'
          ? 'permission denied'
          : error instanceof Error
            ? error.message
            : String(error);
    throw new AppError('INVALID_FILE', `cannot read ${file}: ${why}`);
  }
}
