// How commands print. Data goes to stdout (JSON with --json; a table on a terminal; plain lines
// when piped); messages go to stderr. Colour only on a terminal, and never with NO_COLOR or --no-color.

import type { Chalk } from 'chalk';
import { availableFields, checkFields, selectFields } from './fields.js';
import type { IO } from './io.js';
import type { TableColumn } from './table.js';
import type { TimeInput } from './time.js';

export type Cell = string | number | null | undefined;

/** "1 mail", "3 mails": a count and its noun, in the plural unless the count is 1. */
export function counted(count: number, word: string, plural = `${word}s`): string {
  return `${count} ${count === 1 ? word : plural}`;
}

export interface Column extends TableColumn {
  readonly key: string;
  /** The key of a row's shorter text for this cell, shown on a terminal too narrow for the full one. */
  readonly narrowKey?: string;
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

// Control characters (C0 but tab and line feed, a carriage return not before a line feed, DEL, C1),
// text-direction controls and the Unicode line and paragraph separators: from stored or typed text
// they could move the cursor, rewrite the screen or the window title, or make text read in another
// order than it is stored.
const UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;

/**
 * Text with every unsafe character shown as a \uXXXX escape. It is JSON's own escape, so a JSON
 * document stays valid and means the same. Everything okpay prints or writes on request goes
 * through this, error messages included.
 */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const ESC = '\u001b';

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

/**
 * okpay's own colours are the only escape sequences that reach a terminal. Styles write a mark
 * instead of ESC: a private-use character and a key drawn once per process, which no stored or
 * typed text can hold. An Output method escapes its text first and only then turns marks into ESC.
 */
function colourMark(): string {
  const [high, low] = globalThis.crypto.getRandomValues(new Uint32Array(2));
  return `\uE000${(high ?? 0).toString(36)}.${(low ?? 0).toString(36)}\uE001`;
}

function makeStyles(color: boolean, mark: string): Styles {
  if (!color || !chalkClass) return PLAIN;
  // chalk ignores NO_COLOR by itself, so the level is decided here and passed in.
  const chalk = new chalkClass({ level: 1 });
  const marked = (styled: string) => styled.replaceAll(ESC, mark);
  return {
    bold: (t) => marked(chalk.bold(t)),
    dim: (t) => marked(chalk.dim(t)),
    green: (t) => marked(chalk.green(t)),
    red: (t) => marked(chalk.red(t)),
    yellow: (t) => marked(chalk.yellow(t)),
    cyan: (t) => marked(chalk.cyan(t)),
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

const CHECKMARK = '✓';

export class Output {
  readonly style: Styles;
  private readonly mark: string;

  constructor(
    readonly io: IO,
    readonly json: boolean,
    readonly color: boolean,
    private readonly format: DataFormat = NO_FORMAT,
  ) {
    this.mark = color ? colourMark() : '';
    this.style = makeStyles(color, this.mark);
  }

  /** Text as it may reach the terminal: escaped, then okpay's own colour marks made colour. */
  private shown(text: string): string {
    const escaped = escapeControls(text);
    return this.mark === '' ? escaped : escaped.replaceAll(this.mark, ESC);
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
    if (template !== null) this.document(loaded(formatting, '--template').applyTemplate(shown, template));
    else if (jq !== null)
      this.format.later(
        loaded(formatting, '--jq')
          .applyJq(shown, jq)
          .then((text) => this.document(text)),
      );
    else this.document(`${JSON.stringify(shown, null, 2)}\n`);
  }

  /** A whole document (CSV, an export, a mail, JSON) on stdout, as it is apart from escapes. */
  document(text: string): void {
    this.io.writeOut(escapeControls(text));
  }

  /** A large document handed on piece by piece (waits while a pipe is full). */
  documentPart(text: string): Promise<void> {
    return this.io.writeOutAsync(escapeControls(text));
  }

  line(text = ''): void {
    this.io.writeOut(`${this.shown(text)}\n`);
  }

  /** Prose (articles, mails, messages): wrapped to the terminal with its indent kept; as it is when piped. */
  text(text: string): void {
    const shown = this.shown(text);
    this.io.writeOut(`${this.io.stdoutIsTTY ? loaded(terminalKit, 'wrapping').wrapText(shown, this.io.columns) : shown}\n`);
  }

  /** A status message for people, on stderr (so piped data stays clean). */
  note(text: string): void {
    const shown = this.shown(text);
    this.io.writeErr(`${this.io.stderrIsTTY ? loaded(terminalKit, 'wrapping').wrapText(shown, this.io.columns) : shown}\n`);
  }

  success(text: string): void {
    this.note(`${this.style.green(CHECKMARK)} ${text}`);
  }

  /** okpay's one checkmark, ready to write (green with colour): success lines and answered prompts. */
  checkmark(): string {
    return this.shown(this.style.green(CHECKMARK));
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
      const safe = this.shown(String(value));
      // On a terminal a long value wraps under itself, not under its label.
      const text = this.io.stdoutIsTTY
        ? loaded(terminalKit, 'wrapping')
            .wrapText(safe, Math.max(20, this.io.columns - indent.length))
            .replace(/\n/g, `\n${indent}`)
        : safe;
      this.io.writeOut(`${this.shown(this.style.dim(`${key}:`.padEnd(width + 1)))} ${text}\n`);
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
      return value === null || value === undefined ? '' : this.shown(String(value));
    };
    if (!this.io.stdoutIsTTY) {
      this.line(columns.map(plainColumnName).join('\t'));
      for (const row of rows) this.io.writeOut(`${columns.map((c) => text(row, c.key).replace(/[\t\n]/g, ' ')).join('\t')}\n`);
      return;
    }
    const cells = rows.map((row) => columns.map((c) => text(row, c.key)));
    const narrow = rows.map((row) => columns.map((c) => text(row, c.narrowKey !== undefined && (row[c.narrowKey] ?? null) !== null ? c.narrowKey : c.key)));
    const header = (title: string) => this.shown(this.style.bold(title));
    const lines = loaded(terminalKit, 'tables').renderTable(columns, cells, this.io.columns, { header, border: (t) => t }, narrow);
    for (const line of lines) this.io.writeOut(`${line}\n`);
  }

  /** The date of `time()` ("2026-12-05"), for a column too narrow for the time. */
  date(at: TimeInput): string {
    return this.time(at).slice(0, 'YYYY-MM-DD'.length);
  }

  /** A time for people: "2026-12-05 16:16 CET" in the local zone on a terminal, in UTC when piped (JSON and CSV carry ISO 8601). */
  time(at: TimeInput): string {
    return this.io.stdoutIsTTY ? loaded(terminalKit, 'local times').humanTime(at) : utcMinute(at);
  }
}

/** A column's name in tab-separated output: the words of its title ("CSAT (4–5)" → csat, "Status / reason" → status_reason), else its key ("#" → number). */
function plainColumnName(column: Column): string {
  const words = column.title
    .replace(/\([^)]*\)/g, ' ')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word !== '');
  return words.length > 0 ? words.join('_') : column.key;
}

/** Colour on when stdout is a terminal, unless NO_COLOR or --no-color; FORCE_COLOR turns it on. */
export function colorEnabled(io: IO, options: { noColorFlag: boolean; noColorEnv: boolean; forceColorEnv: boolean }): boolean {
  if (options.noColorFlag || options.noColorEnv) return false;
  if (options.forceColorEnv) return true;
  return io.stdoutIsTTY && !io.forcedTTY;
}
