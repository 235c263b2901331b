// `okpay help [COMMAND…|TOPIC]` and `okpay version`: help for a command, or a topic that is not a
// command (exit codes, error codes, environment variables, output formatting). Another topic is one
// entry in helpTopics; its text may be built when it is shown (from the table of error codes).

import type { Command, CommandUnknownOpts } from '@commander-js/extra-typings';
import { AppError, ERRORS, type ErrorCode } from '../domain/errors.js';
import type { App } from './command-builder.js';
import { wrapForTerminal } from './output.js';
import { PACKAGE_VERSION } from './paths.js';

export interface HelpTopic {
  readonly summary: string;
  text(): string;
  /** The topic as a JSON document, for `--json`. */
  data?(): unknown;
}

const EXIT_MEANINGS: Readonly<Record<number, string>> = {
  0: 'success',
  1: 'unexpected internal error (a bug: run again with OKPAY_DEBUG=1 and report it)',
  2: 'invalid usage or input; nothing was changed',
  3: 'authentication required or failed',
  4: 'not allowed for this user or role',
  5: 'not found',
  6: 'conflicting state (locked, already done, expired, …)',
  7: 'insufficient funds',
  8: 'limit exceeded or identity verification required',
  10: 'data store unavailable or damaged',
  130: 'interrupted with Ctrl-C; nothing was changed',
};

const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

function exitCodesText(): string {
  const codes = Object.keys(EXIT_MEANINGS).map(Number);
  const lines = codes.map((code) => {
    const names = ERROR_CODES.filter((name) => ERRORS[name].exitCode === code);
    return `  ${String(code).padStart(3)}  ${EXIT_MEANINGS[code]}${names.length > 0 ? `\n       error codes: ${names.join(', ')}` : ''}`;
  });
  return [
    'Exit codes',
    '',
    'Every okpay command ends with one of these. With --json, an error is also printed on stderr as',
    '{"error":{"code":"INSUFFICIENT_FUNDS","message":"…","exitCode":7}}.',
    '',
    ...lines,
    '',
  ].join('\n');
}

/** Every error code with its exit code, meaning and hint, as `okpay help errors --json` prints it. */
export function errorsDocument(): { errors: { code: ErrorCode; exitCode: number; meaning: string; hint: string }[] } {
  return { errors: ERROR_CODES.map((code) => ({ code, ...ERRORS[code] })) };
}

function errorsText(): string {
  const entries = ERROR_CODES.map((code) => `  ${code} (exit ${ERRORS[code].exitCode})\n      ${ERRORS[code].meaning}\n      hint: ${ERRORS[code].hint}`);
  return [
    'Error codes',
    '',
    'An error prints `okpay: MESSAGE — HINT` on stderr; with --json, {"error":{"code", "message", "exitCode", "hint"}}.',
    'Scripts branch on the code; codes are never renamed.',
    '',
    ...entries,
    '',
  ].join('\n');
}

/** docs/ERRORS.md: the table of error codes, generated (`npm run docs:errors`) and checked by a test. */
export function errorsMarkdown(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = ERROR_CODES.map((code) => `| \`${code}\` | ${ERRORS[code].exitCode} | ${cell(ERRORS[code].meaning)} | ${cell(ERRORS[code].hint)} |`);
  return [
    '# Error codes',
    '',
    '<!-- Generated from src/domain/errors.ts by `npm run docs:errors`; a test fails when it is stale. -->',
    '',
    'Every error okpay reports has one of these codes. Without `--json` it prints `okpay: MESSAGE — HINT` on stderr;',
    'with `--json`, `{"error":{"code":"INSUFFICIENT_FUNDS","message":"…","exitCode":7,"hint":"…"}}` on stderr.',
    "The hint below is what usually helps; an error's own hint is more specific. Scripts branch on the code:",
    'codes and their exit codes are never changed, only added. `okpay help errors [--json]` prints this table.',
    '',
    '| code | exit | meaning | hint |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

const ENVIRONMENT = [
  ['OKPAY_HOME', 'the data directory (the --data-dir flag wins; default ~/.local/share/okpay)'],
  ['OKPAY_DATABASE_URL', 'a postgres:// URL: use that PostgreSQL database instead of the data directory (--database-url wins)'],
  ['OKPAY_SESSION', 'a session token from `okpay login --raw`; wins over the saved session (set but empty: exit 3)'],
  ['OKPAY_PASSWORD', 'the password, for commands that ask for one (instead of a prompt or --password-stdin)'],
  ['OKPAY_NOW', 'a fixed ISO 8601 time used as "now" by every rule; only in a test store (`okpay dev init`; a database: `store migrate --test`), else exit 2'],
  ['OKPAY_SMTP_URL', 'smtp:// or smtps:// (user:password@host:port): also deliver every mail there after its commit; `okpay outbox send` retries'],
  ['OKPAY_SMTP_TIMEOUT', 'seconds one delivery waits for the mail server, 1-300 (default 10)'],
  ['OKPAY_PAGER', 'the pager for long output on a terminal; wins over PAGER (empty or "cat": no pager)'],
  ['PAGER', 'the pager when OKPAY_PAGER is not set (default: less -FRX)'],
  ['OKPAY_DEBUG', '1 prints stack traces of errors'],
  ['OKPAY_BCRYPT_COST', 'bcrypt cost for new password hashes (tests lower it; default 12)'],
  ['NO_COLOR', 'set to anything: never colour the output (as --no-color)'],
  ['OKPAY_FORCE_TTY', 'set: lay stdout out as on a terminal (tables, wrapping, local times) even when piped; a number gives the width (default 100); no pager'],
  ['FORCE_COLOR', 'set (not 0): colour even when the output is not a terminal; NO_COLOR still wins'],
  ['TZ', 'the time zone that times are shown in on a terminal (default: the system zone)'],
  ['XDG_DATA_HOME', 'where the default data directory goes ($XDG_DATA_HOME/okpay)'],
  ['XDG_CACHE_HOME', 'where Node 20 keeps the compiled code of okpay between runs ($XDG_CACHE_HOME/okpay, default ~/.cache/okpay)'],
  ['NODE_DISABLE_COMPILE_CACHE', 'set: compile okpay at every start (no code cache kept between runs)'],
] as const;

function environmentText(): string {
  const width = Math.max(...ENVIRONMENT.map(([name]) => name.length));
  return ['Environment variables', '', ...ENVIRONMENT.map(([name, meaning]) => `  ${name.padEnd(width)}  ${meaning}`), ''].join('\n');
}

const FORMATTING = `Formatting output

On a terminal, okpay prints tables sized to the window, times in your time zone
("2026-12-05 16:16 CET"; set TZ to change it) and long output through a pager.
When the output is piped, it prints plain tab-separated lines, times in UTC
("2026-12-05 15:16 UTC"), no colour and no pager.

For scripts, every command that prints data takes:

  --json              one JSON document on stdout: amounts as decimal strings with
                      their currency, times in ISO 8601 UTC, ids as strings.
  --json FIELDS       only these fields of each record, e.g. --json id,amount,status
                      (an unknown field is a usage error, exit 2, that lists the
                      valid ones; use --json=FIELDS when a field could be mistaken
                      for an argument). The result keeps the record's key:
                      {"transactions":[{"id":…,"amount":…,"status":…}]}.
  --jq EXPRESSION     filter the JSON document with jq (the jq language, run by
                      jq-wasm; no jq program is needed). Strings are printed raw.
                        okpay history --jq '.transactions[] | select(.status == "completed") | .id'
                        okpay balance --jq '.balances[] | "\\(.currency) \\(.available)"'
  --template TEXT     format the JSON document with a Handlebars template:
                        {{field}}                     a field of the current record
                        {{#each list}}…{{/each}}      every item of a list ({{@index}} counts)
                        {{#if field}}…{{else}}…{{/if}}
                        {{json value}}  {{join list ", "}}  {{time field}}  {{pad field 12}}  {{upper field}}
                      \\n and \\t in the template stand for a newline and a tab.
                        okpay history --template '{{#each transactions}}{{id}}\\t{{amount}} {{currency}}\\n{{/each}}'

--jq and --template imply --json and work with a field list (the fields are chosen
first). Errors are still one line on stderr (a JSON document with --json).

  --no-pager          never page; OKPAY_PAGER or PAGER choose the pager (default
                      less -FRX); output is paged only on a terminal.
  --no-color          no colour (NO_COLOR works too; FORCE_COLOR=1 colours piped output).
`;

export function helpTopics(): Map<string, HelpTopic> {
  return new Map<string, HelpTopic>([
    ['exit-codes', { summary: 'what each exit code means, with its error codes', text: exitCodesText }],
    ['environment', { summary: 'the environment variables okpay reads', text: environmentText }],
    ['formatting', { summary: '--json FIELDS, --jq, --template, tables, times, pager and colour', text: () => FORMATTING }],
    ['errors', { summary: 'every error code: its exit code, meaning and hint (--json too)', text: errorsText, data: errorsDocument }],
  ]);
}

function findCommand(program: Command, words: readonly string[]): CommandUnknownOpts | null {
  let current: CommandUnknownOpts = program;
  for (const word of words) {
    const next = current.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!next) return null;
    current = next;
  }
  return current;
}

/** `okpay help [COMMAND…|TOPIC]`: commander's own help command is replaced by this one. */
export function registerHelp(program: Command, app: App, topics: ReadonlyMap<string, HelpTopic>): void {
  program.helpCommand(false);
  program.addHelpText(
    'after',
    () => `\nHelp topics (okpay help TOPIC):\n${[...topics].map(([name, topic]) => `  ${name.padEnd(12)} ${topic.summary}`).join('\n')}\n`,
  );
  const help = program
    .command('help')
    .description('help for a command, or a topic: ' + [...topics.keys()].join(', '))
    .argument('[words...]', 'a command (e.g. `transfer`, `ticket show`) or a topic');
  help.action((words, _options, self) => {
    const ctx = app.context(self);
    if (words.length === 0) return program.outputHelp();
    const topic = words.length === 1 ? topics.get(words[0] ?? '') : undefined;
    if (topic?.data) return ctx.out.data(topic.data(), () => ctx.out.line(wrapForTerminal(topic.text().trimEnd(), ctx.io.columns)));
    if (topic) return ctx.out.line(wrapForTerminal(topic.text().trimEnd(), ctx.io.columns));
    const command = findCommand(program, words);
    if (command && command !== program) return command.outputHelp();
    throw new AppError('USAGE', `no help topic or command "${words.join(' ').slice(0, 60)}"`, {
      hint: `topics: ${[...topics.keys()].join(', ')}; commands: see \`okpay --help\``,
    });
  });
}

/** `okpay version [--json]`, as gh and docker have it (`--version` stays). */
export function registerVersion(program: Command, app: App): void {
  const version = program.command('version').description('print the version of okpay and of Node.js');
  version.action((_options: unknown, self: Command) => {
    const ctx = app.context(self);
    const document = { version: PACKAGE_VERSION, node: process.versions.node, platform: `${process.platform}-${process.arch}` };
    ctx.out.data(document, () => ctx.out.line(`okpay ${document.version} (Node.js ${document.node}, ${document.platform})`));
  });
}
