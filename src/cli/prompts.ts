// Asking people for input. Prompts appear only when stdin is a terminal; otherwise a missing
// value is a usage error that names the flag to pass, and confirmations need --yes.

import { createRequire } from 'node:module';
import { AppError } from '../domain/errors.js';
import type { Context } from './context.js';
import { escapeControls } from './output.js';

export type Inquirer = typeof import('@inquirer/prompts');

// Loaded from node_modules, and only when a prompt is shown: the prompts package brings text
// encoding tables (for its editor prompt) that would be most of the bundle's size.
export async function inquirer(): Promise<Inquirer> {
  return createRequire(import.meta.url)('@inquirer/prompts') as Inquirer;
}

function cancelled(error: unknown): never {
  if (error instanceof Error && error.name === 'ExitPromptError') throw new AppError('CANCELLED', 'cancelled; nothing was changed');
  throw error;
}

function requireTerminal(ctx: Context, what: string, flagHint: string): void {
  if (!ctx.io.stdinIsTTY) throw new AppError('USAGE', `${what} is required`, { hint: flagHint });
}

async function promptSecret(ctx: Context, message: string, flagHint: string): Promise<string> {
  requireTerminal(ctx, message.replace(/:$/, '').toLowerCase(), flagHint);
  const { password } = await inquirer();
  return password({ message, mask: '*' }).catch(cancelled);
}

export async function promptText(ctx: Context, message: string, flagHint: string): Promise<string> {
  requireTerminal(ctx, message.replace(/:$/, '').toLowerCase(), flagHint);
  const { input } = await inquirer();
  return input({ message }).catch(cancelled);
}

/** Money-moving and destructive commands: --yes, or a yes on a terminal. */
export async function confirmOrRequireYes(ctx: Context, question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!ctx.io.stdinIsTTY) {
    throw new AppError('CONFIRMATION_REQUIRED', 'this command needs confirmation and stdin is not a terminal', { hint: 'pass --yes to confirm' });
  }
  const { confirm } = await inquirer();
  // The question may quote an argument or a payee: shown escaped, like all output.
  const ok = await confirm({ message: escapeControls(question), default: false }).catch(cancelled);
  if (!ok) throw new AppError('CANCELLED', 'cancelled; nothing was changed');
}

/**
 * A password from --password-stdin (first line of stdin), else $OKPAY_PASSWORD, else a prompt.
 * Never from a flag value: those show up in `ps` and shell history.
 */
export async function readPassword(ctx: Context, options: { passwordStdin?: boolean; message?: string; stdinLines?: string[] }): Promise<string> {
  if (options.passwordStdin) {
    const lines = options.stdinLines ?? (await readStdinLines(ctx));
    const first = lines.shift();
    if (first === undefined || first === '') throw new AppError('USAGE', '--password-stdin was given but standard input holds no password');
    return first;
  }
  if (ctx.env.password !== undefined && ctx.env.password !== '') return ctx.env.password;
  return promptSecret(ctx, options.message ?? 'Password:', 'pass --password-stdin (and pipe the password in) or set OKPAY_PASSWORD');
}

export async function readStdinLines(ctx: Context): Promise<string[]> {
  const text = await ctx.io.readStdin();
  return text.split(/\r?\n/).filter((line, index, all) => !(index === all.length - 1 && line === ''));
}

/** A new password, typed twice on a terminal. */
export async function readNewPassword(ctx: Context, options: { passwordStdin?: boolean; stdinLines?: string[] }): Promise<string> {
  if (options.passwordStdin || (ctx.env.password !== undefined && ctx.env.password !== '')) {
    return readPassword(ctx, { ...options, message: 'New password:' });
  }
  const first = await promptSecret(ctx, 'New password:', 'pass --password-stdin (and pipe the password in) or set OKPAY_PASSWORD');
  const second = await promptSecret(ctx, 'Repeat the new password:', '');
  if (first !== second) throw new AppError('PASSWORD_MISMATCH', 'the two passwords differ; nothing was changed');
  return first;
}
