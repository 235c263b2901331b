// Asking people for input. Prompts appear only when stdin is a terminal; otherwise a missing
// value is a usage error that names the flag to pass, and confirmations need --yes.

import { createRequire } from 'node:module';
import { AppError, isAppError } from '../domain/errors.js';
import { checkPasswordPolicy } from '../domain/validate.js';
import type { Context } from './context.js';
import { escapeControls } from './output.js';

export type Inquirer = typeof import('@inquirer/prompts');

// Loaded from node_modules, and only when a prompt is shown: the prompts package brings text
// encoding tables (for its editor prompt) that would be most of the bundle's size.
export async function inquirer(): Promise<Inquirer> {
  return createRequire(import.meta.url)('@inquirer/prompts') as Inquirer;
}

/** An answered question is marked with okpay's one checkmark (✓, as on success lines), not the prompt library's ✔. */
function theme(ctx: Context): { prefix: { done: string } } {
  return { prefix: { done: ctx.out.checkmark() } };
}

/** Ctrl-C at a prompt: the prompt library's ExitPromptError becomes exit 130, as a shell reports SIGINT. */
export function interrupted(error: unknown): never {
  if (isInterruption(error)) throw new AppError('INTERRUPTED', 'interrupted; nothing was changed');
  throw error;
}

export function isInterruption(error: unknown): boolean {
  return error instanceof Error && error.name === 'ExitPromptError';
}

/** "--to, --amount and --currency": the flags a command was not given. */
function listOfFlags(flags: readonly string[]): string {
  return flags.length === 1 ? (flags[0] ?? '') : `${flags.slice(0, -1).join(', ')} and ${flags[flags.length - 1]}`;
}

/** A usage error that names every missing flag at once, so a script is fixed in one go. */
export function missingFlags(flags: readonly string[], hint?: string): AppError {
  const one = flags.length === 1;
  const otherwise = `pass ${one ? 'it as a flag' : 'them as flags'} (or run the command on a terminal to be asked)`;
  return new AppError('USAGE', `required ${one ? 'option' : 'options'} ${listOfFlags(flags)} ${one ? 'is' : 'are'} missing`, { hint: hint ?? otherwise });
}

/** A check that throws an AppError, as inquirer's validate wants it: true, or the message to show. */
function asValidator(check: ((text: string) => unknown) | undefined): (text: string) => true | string {
  return (text) => {
    if (!check) return text.trim() === '' ? 'type a value (Ctrl-C to stop)' : true;
    try {
      check(text);
      return true;
    } catch (error) {
      if (isAppError(error)) return escapeControls(error.message);
      throw error;
    }
  };
}

export interface WantedValue {
  /** The flag that gives it, e.g. --email. */
  readonly flag: string;
  /** The question on a terminal. */
  readonly message: string;
  readonly given: string | undefined;
  /** Throws an AppError when the text is not acceptable; `earlier` holds the answers before it by flag. */
  readonly check?: (text: string, earlier: ReadonlyMap<string, string>) => unknown;
}

/**
 * Values a command needs: from their flags, else asked for on a terminal (each checked when Enter is
 * pressed, asked again until it passes), else one usage error naming every flag that is missing.
 */
export async function askForMissing(ctx: Context, wanted: readonly WantedValue[]): Promise<string[]> {
  const missing = wanted.filter((value) => value.given === undefined);
  if (missing.length === 0) return wanted.map((value) => value.given ?? '');
  if (!ctx.io.stdinIsTTY) throw missingFlags(missing.map((value) => value.flag));
  const { input } = await inquirer();
  const answers = new Map<string, string>();
  for (const value of wanted) {
    const check = value.check;
    const answer =
      value.given ??
      (await input({ message: value.message, theme: theme(ctx), validate: asValidator(check ? (text) => check(text, answers) : undefined) }).catch(
        interrupted,
      ));
    answers.set(value.flag, answer);
  }
  return wanted.map((value) => answers.get(value.flag) ?? '');
}

function requireTerminal(ctx: Context, what: string, flagHint: string): void {
  if (!ctx.io.stdinIsTTY) throw new AppError('USAGE', `${what} is required`, { hint: flagHint });
}

async function promptSecret(ctx: Context, message: string, flagHint: string): Promise<string> {
  requireTerminal(ctx, message.replace(/:$/, '').toLowerCase(), flagHint);
  const { password } = await inquirer();
  return password({ message, mask: '*', theme: theme(ctx) }).catch(interrupted);
}

export async function promptText(ctx: Context, message: string, flagHint: string): Promise<string> {
  requireTerminal(ctx, message.replace(/:$/, '').toLowerCase(), flagHint);
  const { input } = await inquirer();
  return input({ message, theme: theme(ctx) }).catch(interrupted);
}

/** Money-moving and destructive commands: --yes, or a yes on a terminal. */
export async function confirmOrRequireYes(ctx: Context, question: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!ctx.io.stdinIsTTY) {
    throw new AppError('CONFIRMATION_REQUIRED', 'this command needs confirmation and stdin is not a terminal', { hint: 'pass --yes to confirm' });
  }
  const { confirm } = await inquirer();
  // The question may quote an argument or a payee: shown escaped, like all output.
  const ok = await confirm({ message: escapeControls(question), default: false, theme: theme(ctx) }).catch(interrupted);
  if (!ok) throw new AppError('CANCELLED', 'cancelled; nothing was changed');
}

/** The --yes flag of every command that confirms, with its short form. */
export const YES_FLAG = ['-y, --yes', 'do not ask for confirmation'] as const;

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

const NEW_PASSWORD_ROUNDS = 3;

/**
 * A new password, typed twice on a terminal: the policy is checked as it is entered, its strength
 * shown before it is repeated, and a repeat that differs starts over (three rounds at most).
 */
export async function readNewPassword(ctx: Context, options: { passwordStdin?: boolean; stdinLines?: string[] }): Promise<string> {
  if (options.passwordStdin || (ctx.env.password !== undefined && ctx.env.password !== '')) {
    return readPassword(ctx, { ...options, message: 'New password:' });
  }
  requireTerminal(ctx, 'new password', 'pass --password-stdin (and pipe the password in) or set OKPAY_PASSWORD');
  const { password } = await inquirer();
  for (let round = 1; ; round += 1) {
    const first = await password({ message: 'New password:', mask: '*', theme: theme(ctx), validate: asValidator(checkPasswordPolicy) }).catch(interrupted);
    ctx.out.note(passwordStrength(first));
    const second = await password({ message: 'Repeat the new password:', mask: '*', theme: theme(ctx) }).catch(interrupted);
    if (first === second) return first;
    if (round === NEW_PASSWORD_ROUNDS) throw new AppError('PASSWORD_MISMATCH', `the two passwords differed ${NEW_PASSWORD_ROUNDS} times; nothing was changed`);
    ctx.out.note('The two passwords differ. Type the new password again.');
  }
}

type Zxcvbn = typeof import('@zxcvbn-ts/core');
type ZxcvbnCommon = typeof import('@zxcvbn-ts/language-common');

const STRENGTH_WORDS = ['very weak', 'weak', 'fair', 'strong', 'very strong'] as const;

/**
 * zxcvbn's estimate, in words, with the time an attacker holding the stored (bcrypt) hash would
 * need. Loaded from node_modules only here: its dictionaries are larger than the rest of okpay.
 */
function passwordStrength(password: string): string {
  const load = createRequire(import.meta.url);
  const { zxcvbn, zxcvbnOptions } = load('@zxcvbn-ts/core') as Zxcvbn;
  const common = load('@zxcvbn-ts/language-common') as ZxcvbnCommon;
  zxcvbnOptions.setOptions({ dictionary: common.dictionary, graphs: common.adjacencyGraphs });
  const estimate = zxcvbn(password);
  const words = STRENGTH_WORDS[estimate.score] ?? 'very weak';
  const advice = estimate.score < 3 ? ' — a longer password, or a few unrelated words, is harder to guess' : '';
  return `Password strength: ${words} (guessing it from a stolen hash would take ${estimate.crackTimesDisplay.offlineSlowHashing1e4PerSecond})${advice}.`;
}
