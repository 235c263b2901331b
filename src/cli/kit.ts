// Helpers every command file uses: define a subcommand that inherits the program's settings,
// attach examples to its help, and run its action with a context.

import { Command } from 'commander';
import type { Context } from './context.js';

export interface App {
  context(command: Command): Context;
  /** Runs another okpay command line in this process, with no terminal, and returns what it printed (for completion). */
  capture(argv: readonly string[]): Promise<{ code: number; stdout: string }>;
}

/** A subcommand of `parent` that shares its error handling and output settings. */
export function subcommand(parent: Command, name: string, description: string): Command {
  const command = new Command(name).description(description);
  command.copyInheritedSettings(parent);
  parent.addCommand(command);
  return command;
}

const EXAMPLES = new WeakMap<Command, readonly string[]>();

/** Every command's help ends with copy-paste examples. */
export function examples(command: Command, lines: readonly string[]): Command {
  EXAMPLES.set(command, lines);
  return command.addHelpText('after', formatExamples(lines));
}

function formatExamples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** A group's examples: the first example of each command under it (worked out when help is shown). */
function firstExamples(command: Command): string[] {
  return command.commands.flatMap((child) => {
    const own = EXAMPLES.get(child)?.[0];
    return own ? [own] : firstExamples(child).slice(0, 1);
  });
}

export function groupExamples(command: Command): Command {
  return command.addHelpText('after', () => formatExamples(firstExamples(command)));
}

type Options = object;

/**
 * Binds an action: positional arguments first, then the command's own options, with the context
 * built from the global options (--data-dir, --json, --no-color).
 */
export function action<O extends Options>(app: App, command: Command, run: (ctx: Context, options: O, args: string[]) => Promise<void>): Command {
  return command.action(async (...received: unknown[]) => {
    const self = received[received.length - 1] as Command;
    const args = received.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a.map(String) : a === undefined ? [] : [String(a)]));
    // optsWithGlobals: an option given after a subcommand may belong to its parent (e.g. --yes).
    await run(app.context(self), self.optsWithGlobals<O>(), args);
  });
}

/**
 * A command that only groups others: without a subcommand commander prints its help (exit 0, see
 * main.ts). It has no action of its own, so a mistyped subcommand is an "unknown command" with a
 * suggestion rather than "too many arguments".
 */
export function group(parent: Command, name: string, description: string): Command {
  return groupExamples(subcommand(parent, name, description));
}
