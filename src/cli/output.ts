// How commands print. Data goes to stdout (JSON with --json; a table on a terminal; plain lines
// when piped); messages go to stderr. Colour only on a terminal, and never with NO_COLOR or --no-color.

import type { Chalk } from 'chalk';
import { availableFields, checkFields, selectFields } from './fields.js';
import type { IO } from './io.js';
import type { TableColumn } from './table.js';
import type { TimeInput } from './time.js';

export type Cell = string | number | null | undefined;

export interface Column extends TableColumn {
  readonly key: string;
}

export interface Styles {
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const plain = (text: string) => text;
const PLAIN: Styles = { bold: plain, dim: plain, green: plain, red: plain, yellow: plain, cyan: plain };

let chalkClass: typeof Chalk | null = null;
let terminalKit: typeof import('./terminal.js') | null = null;
let formatting: typeof import('./formatting.js') | null = null;

/** Loads tables, wrapping and local times: run() does so when stdout or stderr is a terminal, or help is asked for. */
export async function loadTerminalKit(): Promise<void> {
  terminalKit ??= await import('./terminal.js');
}

/** Loads --jq and --template support: run() does so when either is on the command line. */
export async function loadFormatting(): Promise<void> {
  formatting ??= await import('./formatting.js');
}

function loaded<T>(module: T | null, what: string): T {
  if (module === null) throw new Error(`${what} was used before it was loaded`);
  return module;
}

/** Text wrapped to `width` when the terminal kit is loaded (help is printed through this). */
export function wrapForTerminal(text: string, width: number): string {
  return terminalKit ? terminalKit.wrapText(text, width) : text;
}

/** "2026-12-05 15:16 UTC", without loading time-zone code. */
function utcMinute(at: TimeInput): string {
  const ms = typeof at === 'number' ? at : typeof at === 'string' ? Date.parse(at) : at.getTime();
  return Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : String(at);
}

/** Loads chalk, only when colour can be on: piped and scripted runs never pay for it. */
export async function loadColor(): Promise<void> {
  chalkClass ??= (await import('chalk')).Chalk;
}

function makeStyles(color: boolean): Styles {
  if (!color || !chalkClass) return PLAIN;
  // chalk ignores NO_COLOR by itself, so the level is decided here and passed in.
  const chalk = new chalkClass({ level: 1 });
  return {
    bold: (t) => chalk.bold(t),
    dim: (t) => chalk.dim(t),
    green: (t) => chalk.green(t),
    red: (t) => chalk.red(t),
    yellow: (t) => chalk.yellow(t),
    cyan: (t) => chalk.cyan(t),
  };
}

/** What --json FIELDS, --jq and --template asked for (see `okpay help formatting`). */
interface DataFormat {
  readonly fields: readonly string[] | null;
  readonly jq: string | null;
  readonly template: string | null;
  /** The fields declared for the command (fields.ts), if it is listed there. */
  readonly declared: readonly string[] | undefined;
  /** Output that is produced asynchronously (jq); the program waits for it before it exits. */
  later(task: Promise<void>): void;
}

const NO_FORMAT: DataFormat = { fields: null, jq: null, template: null, declared: undefined, later: () => undefined };

export class Output {
  readonly style: Styles;

  constructor(
    readonly io: IO,
    readonly json: boolean,
    readonly color: boolean,
    private readonly format: DataFormat = NO_FORMAT,
  ) {
    this.style = makeStyles(color);
  }

  /**
   * The one place data is printed for scripts: with --json the document (cut down to --json FIELDS,
   * then through --template or --jq), otherwise the human renderer.
   */
  data(document: unknown, human: () => void): void {
    if (!this.json) return human();
    const { fields, jq, template } = this.format;
    let shown = document;
    if (fields !== null) {
      checkFields(fields, availableFields(document, this.format.declared));
      shown = selectFields(document, fields);
    }
    if (template !== null) this.io.writeOut(loaded(formatting, '--template').applyTemplate(shown, template));
    else if (jq !== null) this.format.later(loaded(formatting, '--jq').applyJq(shown, jq).then((text) => this.io.writeOut(text)));
    else this.io.writeOut(`${JSON.stringify(shown, null, 2)}\n`);
  }

  line(text = ''): void {
    this.io.writeOut(`${text}\n`);
  }

  /** Prose (articles, mails, messages): wrapped to the terminal with its indent kept; as it is when piped. */
  text(text: string): void {
    this.line(this.io.stdoutIsTTY ? loaded(terminalKit, 'wrapping').wrapText(text, this.io.columns) : text);
  }

  /** A status message for people, on stderr (so piped data stays clean). */
  note(text: string): void {
    this.io.writeErr(`${this.io.stderrIsTTY ? loaded(terminalKit, 'wrapping').wrapText(text, this.io.columns) : text}\n`);
  }

  success(text: string): void {
    this.note(`${this.color ? this.style.green('✓') : '✓'} ${text}`);
  }

  warn(text: string): void {
    this.note(`${this.style.yellow('warning:')} ${text}`);
  }

  /** Aligned "key: value" lines; empty values are skipped. */
  fields(pairs: readonly (readonly [string, Cell])[]): void {
    const shown = pairs.filter(([, v]) => v !== null && v !== undefined && v !== '');
    const width = Math.max(0, ...shown.map(([k]) => k.length));
    const indent = ' '.repeat(width + 2);
    for (const [key, value] of shown) {
      // On a terminal a long value wraps under itself, not under its label.
      const text = this.io.stdoutIsTTY ? loaded(terminalKit, 'wrapping').wrapText(String(value), Math.max(20, this.io.columns - indent.length)).replace(/\n/g, `\n${indent}`) : String(value);
      this.line(`${this.style.dim(`${key}:`.padEnd(width + 1))} ${text}`);
    }
  }

  /** A bordered table on a terminal; tab-separated lines with a header when piped. */
  table(columns: readonly Column[], rows: readonly Record<string, Cell>[], empty = 'nothing to show'): void {
    if (rows.length === 0) {
      this.note(empty);
      return;
    }
    const text = (row: Record<string, Cell>, key: string) => {
      const value = row[key];
      return value === null || value === undefined ? '' : String(value);
    };
    if (!this.io.stdoutIsTTY) {
      this.line(columns.map((c) => c.title.toLowerCase().replace(/\s+/g, '_')).join('\t'));
      for (const row of rows) this.line(columns.map((c) => text(row, c.key).replace(/[\t\n]/g, ' ')).join('\t'));
      return;
    }
    const cells = rows.map((row) => columns.map((c) => text(row, c.key)));
    for (const line of loaded(terminalKit, 'tables').renderTable(columns, cells, this.io.columns, { header: this.style.bold, border: (t) => t })) this.line(line);
  }

  /** A time for people: "2026-12-05 16:16 CET" in the local zone on a terminal, in UTC when piped (JSON and CSV carry ISO 8601). */
  time(at: TimeInput): string {
    return this.io.stdoutIsTTY ? loaded(terminalKit, 'local times').humanTime(at) : utcMinute(at);
  }
}

/** Colour on when stdout is a terminal, unless NO_COLOR or --no-color; FORCE_COLOR turns it on. */
export function colorEnabled(io: IO, options: { noColorFlag: boolean; noColorEnv: boolean; forceColorEnv: boolean }): boolean {
  if (options.noColorFlag || options.noColorEnv) return false;
  if (options.forceColorEnv) return true;
  return io.stdoutIsTTY;
}
