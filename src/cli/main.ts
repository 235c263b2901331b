// The program: global options, the command tree, and the ONE place where errors become exit
// codes and messages. Expected errors print one line; anything else is a bug report.

import { Command, CommanderError, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { AppError, isAppError } from '../domain/errors.js';
import { closeStores, createContext, type Deps, type Invocation } from './context.js';
import { splitJsonFields } from './fields.js';
import { bufferIO, processIO } from './io.js';
import { collectingIO, page, pagerFor } from './pager.js';
import { escapeControls, loadColor, loadFormatting, loadTerminalKit, wrapForTerminal } from './output.js';
import { PACKAGE_VERSION } from './paths.js';
import { helpTopics, registerHelp, registerVersion } from './help.js';
import { missingFlags } from './prompts.js';
import { groupExamples, refuseRepeatedOptions, type App } from './command-builder.js';
import { invokedCommand, registerCommands } from './commands/index.js';
import { loadBundlesWith } from '../store/pg/pg-driver.js';

const VERSION = PACKAGE_VERSION;

/** The program; with `argv`, only the commands that the command line can reach are loaded. */
export async function buildProgram(
  deps: Deps,
  argv: readonly string[] | null = null,
  invocation: Omit<Invocation, 'commandPath'> = { fields: null, later: () => undefined },
): Promise<Command> {
  const program = new Command('okpay')
    .description('OKPay from the command line: a wallet (deposit, transfer, withdraw, fees) and a support desk')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--data-dir <dir>', 'the data directory (default: $OKPAY_HOME, else ~/.local/share/okpay)')
    .option('--database-url <url>', 'use the PostgreSQL database at this postgres:// URL instead of the data directory (default: $OKPAY_DATABASE_URL)')
    .option('--json', 'print one JSON document on stdout (errors as JSON on stderr); --json id,amount keeps only those fields')
    .option('--jq <expression>', 'filter the JSON document with a jq expression (see `okpay help formatting`)')
    .option('--template <template>', 'format the JSON document with a Handlebars template (see `okpay help formatting`)')
    .option('--no-color', 'never colour the output (NO_COLOR works too)')
    .option('--no-pager', 'never page long output on a terminal (see `okpay help environment`)')
    .helpOption('-h, --help', 'show help for a command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // Commander wraps its own columns to this width; usage lines and examples are wrapped here.
      writeOut: (text) => deps.io.writeOut(wrapForTerminal(text, deps.io.columns)),
      // With outputError silenced, commander writes to writeErr only the help it shows when a
      // subcommand is missing (`okpay password`, `okpay --json`): that help is the output asked for.
      writeErr: (text) => deps.io.writeOut(wrapForTerminal(text, deps.io.columns)),
      outputError: () => undefined,
      getOutHelpWidth: () => deps.io.columns,
      getErrHelpWidth: () => deps.io.columns,
    });
  const app: App = {
    context: (command) => createContext(deps, command.optsWithGlobals(), { ...invocation, commandPath: pathOf(command) }),
    capture: async (args) => {
      const io = bufferIO();
      const code = await run(args, { ...deps, io });
      return { code, stdout: io.stdout() };
    },
  };
  const invoked = argv === null ? null : invokedCommand(argv);
  // `okpay version` needs no command module.
  if (invoked !== 'version') await registerCommands(program, app, invoked);
  registerHelp(program, app, helpTopics());
  registerVersion(program, app);
  groupExamples(program);
  refuseRepeatedOptions(program);
  return program;
}

function asksForHelp(argv: readonly string[]): boolean {
  return argv.length === 0 || argv.some((arg) => arg === '--help' || arg === '-h' || arg === 'help');
}

/** Every command and subcommand name of the program, so `--json kyc` is not read as a field list. */
function commandNames(program: Command): Set<string> {
  const names = new Set<string>();
  const visit = (command: CommandUnknownOpts) => {
    for (const child of command.commands) {
      names.add(child.name());
      visit(child);
    }
  };
  visit(program);
  return names;
}

/** "ticket show" for the command `okpay ticket show`. */
function pathOf(command: CommandUnknownOpts): string {
  const names: string[] = [];
  for (let c: CommandUnknownOpts | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** The top-level command of a command line: bin/okpay.js keeps a code cache only under that name. */
export { invokedCommand };

export async function run(given: readonly string[], deps: Deps): Promise<number> {
  if (((deps.io.stdoutIsTTY && !deps.io.forcedTTY) || deps.env['FORCE_COLOR']) && !deps.env['NO_COLOR'] && !given.includes('--no-color')) await loadColor();
  if (deps.io.stdoutIsTTY || deps.io.stderrIsTTY || asksForHelp(given)) await loadTerminalKit();
  if (given.some((arg) => /^--(jq|template)(=|$)/.test(arg))) await loadFormatting();
  const tasks: Promise<void>[] = [];
  const invocation: { fields: readonly string[] | null; later(task: Promise<void>): void } = { fields: null, later: (task) => void tasks.push(task) };
  let program: Command | null = null;
  try {
    const built = await buildProgram(deps, given, invocation);
    program = built;
    const commandWords = commandNames(built);
    const split = splitJsonFields(given, {
      isCommand: (word) => commandWords.has(word),
      isArgument: (words, index) => takesArgument(built, words, index),
      path: (words) => commandPath(built, words).join(' '),
    });
    const argv = split.argv;
    invocation.fields = split.fields;
    if (argv.length === 0) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync([...argv], { from: 'user' });
    await Promise.all(tasks);
    return 0;
  } catch (error) {
    return report(error, given, deps, program ?? new Command('okpay'));
  } finally {
    // A database connection would keep the process alive after the command.
    await closeStores(deps);
  }
}

/** The subcommand names in argv, found by walking the command tree (option values are skipped). */
function commandPath(program: Command, argv: readonly string[]): string[] {
  const path: string[] = [];
  let current: CommandUnknownOpts = program;
  for (const word of argv) {
    const next = current.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (next && !word.startsWith('-')) {
      path.push(next.name());
      current = next;
    }
  }
  return path;
}

/** Whether the command argv names would take argv[index] as an argument: it has one left besides its other words. */
function takesArgument(program: Command, argv: readonly string[], index: number): boolean {
  let command: CommandUnknownOpts = program;
  let positional = 0;
  for (let i = 0; i < argv.length; i += 1) {
    const word = argv[i] ?? '';
    const sub = word.startsWith('-') ? undefined : command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (word === '--') {
      positional += argv.length - i - 1 - (index > i ? 1 : 0);
      break;
    }
    if (sub) command = sub;
    else if (word.startsWith('-')) i += takesValue(command, word) ? 1 : 0;
    else if (i !== index) positional += 1;
  }
  const declared = command.registeredArguments;
  return declared.some((argument) => argument.variadic) || positional < declared.length;
}

/** An option such as `--limit` whose value is the next word (not `--limit=5`). */
function takesValue(command: CommandUnknownOpts, word: string): boolean {
  if (word.includes('=')) return false;
  for (let c: CommandUnknownOpts | null = command; c; c = c.parent) {
    const option = c.options.find((o) => o.long === word || o.short === word);
    if (option) return option.required;
  }
  return false;
}

/** Commander stops at the first required option it misses; the error names them all. */
function missingMandatory(program: Command, argv: readonly string[]): string[] {
  let command: CommandUnknownOpts = program;
  for (const name of commandPath(program, argv)) command = command.commands.find((c) => c.name() === name) ?? command;
  const missing: string[] = [];
  for (let c: CommandUnknownOpts | null = command; c; c = c.parent) {
    for (const option of c.options) if (option.mandatory && c.getOptionValue(option.attributeName()) === undefined) missing.push(option.long ?? option.flags);
  }
  return missing;
}

function report(error: unknown, argv: readonly string[], deps: Deps, program: Command): number {
  const json = argv.some((arg) => arg === '--json' || arg.startsWith('--json='));
  if (error instanceof CommanderError) {
    if (error.exitCode === 0 || error.code === 'commander.help') return 0;
    const words = commandPath(program, argv).join(' ');
    if (error.code === 'commander.missingMandatoryOptionValue')
      return print(missingFlags(missingMandatory(program, argv), `see \`okpay ${words} --help\``), json, deps);
    return print(new AppError('USAGE', error.message.replace(/^error: /, ''), { hint: `see \`okpay ${words ? `${words} ` : ''}--help\`` }), json, deps);
  }
  if (isAppError(error)) return print(error, json, deps);
  const bug = new AppError('INTERNAL', `unexpected error: ${error instanceof Error ? error.message : String(error)}`, {
    hint: 'this is a bug in okpay; run again with OKPAY_DEBUG=1 and report the output',
  });
  if (deps.env['OKPAY_DEBUG'] === '1' && error instanceof Error && error.stack) deps.io.writeErr(`${escapeControls(error.stack)}\n`);
  return print(bug, json, deps);
}

const MAX_MESSAGE_CHARACTERS = 500;

/** A message may quote the input, which can be 100 kB long: it is cut short. */
function bounded(text: string): string {
  return text.length > MAX_MESSAGE_CHARACTERS ? `${text.slice(0, MAX_MESSAGE_CHARACTERS)}…` : text;
}

/** Commander puts its suggestion on a line of its own ("…\n(Did you mean balance?)"): every message is one line, in both forms. */
function oneLine(text: string): string {
  return text.replace(/[ \t]*(?:\r?\n)+[ \t]*/g, ' ');
}

// Messages quote input and stored text: one line, escaped like all output (escapeControls).
function print(error: AppError, json: boolean, deps: Deps): number {
  const exitCode = error.exitCode;
  if (deps.env['OKPAY_DEBUG'] === '1' && error.stack && error.code !== 'INTERNAL') deps.io.writeErr(`${escapeControls(error.stack)}\n`);
  if (json) {
    const body = {
      code: error.code,
      message: bounded(oneLine(error.message)),
      exitCode,
      ...(error.hint ? { hint: bounded(oneLine(error.hint)) } : {}),
      ...(error.details ? { details: error.details } : {}),
    };
    deps.io.writeErr(`${escapeControls(JSON.stringify({ error: body }))}\n`);
  } else {
    const shown = (text: string) => bounded(escapeControls(oneLine(text)));
    deps.io.writeErr(`okpay: ${shown(error.message)}${error.hint ? ` — ${shown(error.hint)}` : ''}\n`);
  }
  return exitCode;
}

/** How bin/okpay.js runs the CLI: `requireBundled` loads the other bundles (pg.cjs) as it loads this one. */
export interface Host {
  readonly requireBundled?: (file: string) => unknown;
}

export async function main(argv: readonly string[], host: Host = {}): Promise<number> {
  if (host.requireBundled) loadBundlesWith(host.requireBundled);
  const io = processIO(process.env['OKPAY_FORCE_TTY']);
  const pager = pagerFor(argv, process.env, io);
  if (pager === null) return run(argv, { io, env: process.env });
  const collected = collectingIO(io);
  const code = await run(argv, { io: collected.io, env: process.env });
  await page(collected.text(), pager, io, process.env);
  return code;
}
