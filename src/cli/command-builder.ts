// Helpers every command file uses: define a subcommand that inherits the program's settings,
// attach examples to its help, and run its action with a context.

import { Command, type Option, type OptionValues } from '@commander-js/extra-typings';
import type { Context } from './context.js';

/** Any command, whatever its arguments and options. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- commander's own "any command" type
export type AnyCommand = Command<any, any, any>;

/** The options a command's flags give (camel-cased, typed from the flags), for a helper that reads them. */
export type OptionsOf<C extends AnyCommand> = ReturnType<C['opts']>;

export interface App {
  context(command: AnyCommand): Context;
  /** Runs another okpay command line in this process, with no terminal, and returns what it printed (for completion). */
  capture(argv: readonly string[]): Promise<{ code: number; stdout: string }>;
}

/** A subcommand of `parent` that shares its error handling and output settings. */
export function subcommand(parent: AnyCommand, name: string, description: string): Command {
  const command = new Command(name).description(description);
  command.copyInheritedSettings(parent);
  parent.addCommand(command);
  return command;
}

const EXAMPLES = new WeakMap<AnyCommand, readonly string[]>();

/** Every command's help ends with copy-paste examples. */
export function examples<C extends AnyCommand>(command: C, lines: readonly string[]): C {
  EXAMPLES.set(command, lines);
  return command.addHelpText('after', formatExamples(lines));
}

function formatExamples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** A group's examples: the first example of each command under it (worked out when help is shown). */
function firstExamples(command: AnyCommand): string[] {
  return command.commands.flatMap((child) => {
    const own = EXAMPLES.get(child)?.[0];
    return own ? [own] : firstExamples(child).slice(0, 1);
  });
}

export function groupExamples<C extends AnyCommand>(command: C): C {
  return command.addHelpText('after', () => formatExamples(firstExamples(command)));
}

/**
 * Binds an action: positional arguments first, then the command's options (typed from its flags,
 * and its parents'), with the context built from the global options (--data-dir, --json, --no-color).
 */
export function action<Args extends unknown[], Options extends OptionValues, Globals extends OptionValues>(
  app: App,
  command: Command<Args, Options, Globals>,
  run: (ctx: Context, options: Options & Globals, args: string[]) => Promise<void>,
): Command<Args, Options, Globals> {
  return command.action(async (...received: unknown[]) => {
    const self = received[received.length - 1] as Command<Args, Options, Globals>;
    const args = received.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a.map(String) : a === undefined ? [] : [String(a)]));
    // optsWithGlobals: an option given after a subcommand may belong to its parent (e.g. --yes).
    await run(app.context(self), self.optsWithGlobals() as Options & Globals, args);
  });
}

/**
 * Every okpay option takes one value, so one given twice with different values
 * (`transfer --amount 5 --amount 50`) is a mistake: refused (USAGE, exit 2) rather than the last
 * one silently winning. The same value twice is harmless. Watches commander's own events for each
 * option, so `--to=x`, `-y` and options of a parent command given after a subcommand count alike.
 * Called once the tree is built, for one command line.
 */
export function refuseRepeatedOptions(root: AnyCommand): void {
  const given = new Map<Option, unknown>();
  const watch = (command: AnyCommand): void => {
    for (const option of command.options as readonly Option[]) {
      command.on(`option:${option.name()}`, (value: unknown) => {
        if (given.has(option) && given.get(option) !== value) {
          command.error(`error: ${option.long ?? option.flags} is given twice with different values; give it once`, { code: 'okpay.repeatedOption' });
        }
        given.set(option, value);
      });
    }
    for (const child of command.commands) watch(child);
  };
  watch(root);
}

/**
 * A command that only groups others: without a subcommand commander prints its help (exit 0, see
 * main.ts). It has no action of its own, so a mistyped subcommand is an "unknown command" with a
 * suggestion rather than "too many arguments".
 */
export function group(parent: AnyCommand, name: string, description: string): Command {
  return groupExamples(subcommand(parent, name, description));
}
