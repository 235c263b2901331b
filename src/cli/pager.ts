// Long output on a terminal goes through a pager, as git and gh do: $OKPAY_PAGER, else $PAGER,
// else `less -FRX` (quit at once when it fits one screen, keep colours, leave the text on screen).
// Only for the read-only commands below, and never when stdout is not a terminal, with --no-pager,
// or when the pager is empty or `cat`. The output is collected and handed to the pager at the end,
// so a command that asks a question never has its prompt hidden behind one.

import { createRequire } from 'node:module';
import type { IO } from './io.js';

const PAGED_COMMANDS: ReadonlySet<string> = new Set([
  'history',
  'tx show',
  'balance',
  'ticket list',
  'ticket show',
  'ticket why',
  'ticket export',
  'agent queue',
  'agent user show',
  'agent stats',
  'outbox list',
  'outbox show',
  'withdraw list',
  'withdraw methods list',
  'faq',
  'support',
  'help',
]);

/** Options of okpay's program that take a value, so that value is not read as a command word. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--data-dir', '--jq', '--template']);

function commandWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i += 1) {
    const arg = argv[i] ?? '';
    if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) i += 1;
    else if (arg === '--') break;
    else if (!arg.startsWith('-')) words.push(arg);
  }
  return words;
}

/** The pager command to run for this command line, or null for none. */
export function pagerFor(argv: readonly string[], env: NodeJS.ProcessEnv, io: IO): string | null {
  if (!io.stdoutIsTTY || io.forcedTTY || argv.includes('--no-pager') || argv.includes('--help') || argv.includes('-h')) return null;
  const [first = '', second = ''] = commandWords(argv);
  if (!PAGED_COMMANDS.has(`${first} ${second}`) && !PAGED_COMMANDS.has(first)) return null;
  const chosen = (env['OKPAY_PAGER'] ?? env['PAGER'] ?? 'less -FRX').trim();
  return chosen === '' || chosen === 'cat' ? null : chosen;
}

/** An IO whose standard output is kept for the pager; everything else goes straight through. */
export function collectingIO(io: IO): { io: IO; text(): string } {
  const chunks: string[] = [];
  const collecting: IO = Object.create(io, {
    writeOut: { value: (text: string) => void chunks.push(text) },
    writeOutAsync: { value: async (text: string) => void chunks.push(text) },
  }) as IO;
  return { io: collecting, text: () => chunks.join('') };
}

/** Runs the pager through the shell (as git does) with the text on its stdin; resolves when it quits. */
export async function page(text: string, pager: string, io: IO, env: NodeJS.ProcessEnv): Promise<void> {
  if (text === '') return;
  // Loaded here: most commands never start a process.
  const { spawn } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  const child = spawn('sh', ['-c', pager], { stdio: ['pipe', 'inherit', 'inherit'], env: { ...env, LESS: env['LESS'] ?? 'FRX' } });
  const done = new Promise<boolean>((resolve) => {
    child.on('error', () => resolve(false));
    child.on('close', () => resolve(true));
  });
  // The reader may quit before reading everything (q in less): that is not an error.
  child.stdin.on('error', () => undefined);
  child.stdin.end(text);
  if (!(await done)) io.writeOut(text);
}
