// RFC 4180 CSV for batch payouts and exports, read with csv-parse and written with csv-stringify.
// Reading never stops at a bad row: the batch command reports one result per row, so a malformed
// row becomes an entry in `errors` with its file line. Only problems that make the whole file
// unusable (no header, a missing required column, a duplicated column, too many rows) throw
// INVALID_FILE. csv-parse stops at the first malformed row (skip_records_with_error loses its
// place after a bad quote) and counts a CRLF inside quotes as two lines, so this module numbers
// lines from the fields it hands back and, after a bad row, parses again from the next line.

import { CsvError as ParseError, parse, type Options } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { AppError } from './errors.js';
import { printable } from './money.js';

export interface CsvOptions {
  /** Data rows allowed (blank lines and the header do not count); more throws INVALID_FILE. */
  readonly maxRows: number;
  readonly requiredColumns: readonly string[];
  readonly optionalColumns?: readonly string[];
  /** Longest field allowed, in UTF-16 units; a longer one is an error for its row. Default 1000. */
  readonly maxFieldLength?: number;
}

export interface CsvError {
  readonly line: number;
  readonly message: string;
}

export interface CsvResult {
  /** Keyed by the column names as spelled in the options; only columns present in the header. */
  readonly rows: Record<string, string>[];
  /** The 1-based file line on which each row of `rows` starts. */
  readonly rowLines: number[];
  readonly errors: CsvError[];
}

interface RawRecord {
  readonly line: number;
  readonly fields: readonly string[];
  readonly blank: boolean;
  readonly error: string | null;
}

interface Reading {
  readonly options: CsvOptions;
  header: { readonly names: (string | null)[] } | null;
  count: number;
  readonly result: CsvResult;
}

const DEFAULT_MAX_FIELD_LENGTH = 1000;
const LINE_BREAK = /\r\n|\r|\n/g;

export function parseCsv(text: string, options: CsvOptions): CsvResult {
  const reading: Reading = { options, header: null, count: 0, result: { rows: [], rowLines: [], errors: [] } };
  readRecords(text, (record) => take(reading, record));
  if (reading.header === null) {
    const allColumns = [...options.requiredColumns, ...(options.optionalColumns ?? [])];
    throw new AppError('INVALID_FILE', 'the file is empty: it needs a header row naming the columns', { hint: `for example: ${allColumns.join(',')}` });
  }
  return reading.result;
}

function take(reading: Reading, record: RawRecord): void {
  if (record.blank) return;
  if (reading.header === null) {
    if (record.error !== null) throw new AppError('INVALID_FILE', `line ${record.line}: the header row is malformed: ${record.error}`);
    const { names, errors } = resolveColumns(record, reading.options);
    reading.header = { names };
    reading.result.errors.push(...errors);
    return;
  }
  reading.count += 1;
  if (reading.count > reading.options.maxRows)
    throw new AppError('INVALID_FILE', `the file has more than ${reading.options.maxRows} rows`, { hint: 'split it into smaller files' });
  addRecord(reading.result, record, reading.header.names, reading.options.maxFieldLength ?? DEFAULT_MAX_FIELD_LENGTH);
}

// Maps each header field to the canonical column name, or null for a column we do not know.
function resolveColumns(header: RawRecord, options: CsvOptions): { names: (string | null)[]; errors: CsvError[] } {
  const allColumns = [...options.requiredColumns, ...(options.optionalColumns ?? [])];
  const known = new Map(allColumns.map((column) => [column.trim().toLowerCase(), column]));
  const keys = header.fields.map((field) => field.trim().toLowerCase());
  const duplicate = keys.find((key, index) => key !== '' && keys.indexOf(key) !== index);
  if (duplicate !== undefined) throw new AppError('INVALID_FILE', `line ${header.line}: the column "${printable(duplicate)}" appears twice in the header`);
  const missing = options.requiredColumns.filter((column) => !keys.includes(column.trim().toLowerCase()));
  if (missing.length > 0) {
    throw new AppError('INVALID_FILE', `line ${header.line}: the header row lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`, {
      hint: `the first row must name the columns, for example: ${allColumns.join(',')}`,
    });
  }
  const errors: CsvError[] = [];
  const names = keys.map((key, index) => {
    const name = known.get(key);
    if (name !== undefined) return name;
    const message =
      key === ''
        ? `column ${index + 1} of the header has no name`
        : `unknown column "${printable(header.fields[index]?.trim() ?? '')}"; the columns are ${allColumns.join(', ')}`;
    errors.push({ line: header.line, message });
    return null;
  });
  return { names, errors };
}

function addRecord(result: CsvResult, record: RawRecord, names: readonly (string | null)[], maxFieldLength: number): void {
  const problem = record.error ?? recordProblem(record, names, maxFieldLength);
  if (problem !== null) {
    result.errors.push({ line: record.line, message: problem });
    return;
  }
  const row: Record<string, string> = {};
  names.forEach((name, index) => {
    if (name !== null) row[name] = record.fields[index] ?? '';
  });
  result.rows.push(row);
  result.rowLines.push(record.line);
}

function recordProblem(record: RawRecord, names: readonly (string | null)[], maxFieldLength: number): string | null {
  if (record.fields.length !== names.length) return `expected ${names.length} fields as in the header, found ${record.fields.length}`;
  const long = record.fields.findIndex((field) => field.length > maxFieldLength);
  if (long === -1) return null;
  return `field ${long + 1}${names[long] ? ` (${names[long]})` : ''} is longer than ${maxFieldLength} characters`;
}

const READ_OPTIONS: Options = { raw: true, relax_column_count: true, record_delimiter: ['\r\n', '\n', '\r'] };

/** Hands every record to `take` in file order, a malformed one as a record with its error. */
function readRecords(text: string, take: (record: RawRecord) => void): void {
  let rest: { text: string; line: number } | null = { text, line: 1 };
  while (rest !== null && rest.text !== '') rest = readUntilError(rest.text, rest.line, take);
}

/** Reads records up to the first malformed one; returns where reading resumes, or null at the end. */
function readUntilError(text: string, firstLine: number, take: (record: RawRecord) => void): { text: string; line: number } | null {
  let line = firstLine;
  try {
    parse(text, {
      ...READ_OPTIONS,
      bom: firstLine === 1,
      // With `raw`, csv-parse hands each record over as { record, raw }: its text as in the file.
      on_record: (read: unknown) => {
        const { record, raw } = read as { record: string[]; raw: string };
        // Spreadsheets export empty rows as lines of commas; they carry no data, like blank lines. A
        // quote in a record that was read is a quoted field (`""` is a value), found in its raw text:
        // a cast function would make csv-parse build a context object for every field.
        const blank = record.every((value) => value.trim() === '') && !raw.includes('"');
        take({ line, fields: record, blank, error: null });
        line += 1 + record.reduce((breaks, value) => breaks + lineBreaks(value), 0);
        return null;
      },
    });
    return null;
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    take({ line, fields: [], blank: false, error: problemOf(error) });
    if (error.code === 'CSV_QUOTE_NOT_CLOSED') return null;
    // The rest of the line where the parser gave up belongs to the bad row too.
    const start = offsetOfLine(text, line - firstLine);
    const resume = endOfLine(text, start + (typeof error['raw'] === 'string' ? error['raw'].length : 0));
    return { text: text.slice(resume), line: line + lineBreaks(text.slice(start, resume)) };
  }
}

function problemOf(error: ParseError): string {
  switch (error.code) {
    case 'INVALID_OPENING_QUOTE':
      return 'a quote inside an unquoted field: wrap the whole field in quotes and double the quotes inside it';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'unexpected text after a closing quote: a quoted field must end at a comma or the end of the line';
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quote in this row is never closed, so the rest of the file was read into one field';
    default:
      return `the row cannot be read (${error.code})`;
  }
}

function lineBreaks(text: string): number {
  return text.match(LINE_BREAK)?.length ?? 0;
}

/** Where the line `lines` breaks after the start of `text` begins. */
function offsetOfLine(text: string, lines: number): number {
  const breaks = new RegExp(LINE_BREAK.source, 'g');
  let offset = 0;
  for (let seen = 0; seen < lines; seen += 1) {
    const found = breaks.exec(text);
    if (found === null) return text.length;
    offset = found.index + found[0].length;
  }
  return offset;
}

/** The offset just after the line break that ends the line holding `offset` (or the end of the text). */
function endOfLine(text: string, offset: number): number {
  const breaks = new RegExp(LINE_BREAK.source, 'g');
  breaks.lastIndex = offset;
  const found = breaks.exec(text);
  return found === null ? text.length : found.index + found[0].length;
}

// A spreadsheet runs a cell that begins with =, +, -, @, a tab or a carriage return as a formula
// (OWASP's rule for CSV injection): such a cell is written after an apostrophe, which makes it text.
// A plain number (a signed amount) is a number, not a formula, and stays one.
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;

/** A cell's text that no spreadsheet reads as a formula. */
export function neutralizeFormula(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

/**
 * Writes rows as RFC 4180 CSV with CRLF line ends, quoting only the fields that need it; every
 * cell that a spreadsheet would run as a formula is neutralised.
 */
export function formatCsv(columns: readonly string[], rows: readonly Readonly<Record<string, string>>[]): string {
  const records = [columns, ...rows.map((row) => columns.map((column) => row[column] ?? ''))].map((values) => values.map(neutralizeFormula));
  // A row of empty or blank fields would read back as a blank line, which parseCsv skips: its first field is quoted.
  const blankRows = new Set(records.flatMap((values, index) => (values.every((value) => value.trim() === '') ? [index] : [])));
  return stringify(records, {
    record_delimiter: '\r\n',
    // csv-stringify quotes a field holding the whole CRLF, not a lone CR or LF; a spreadsheet needs both quoted.
    quoted_match: /[\r\n]/,
    cast: { string: (value, context) => (context.index === 0 && blankRows.has(context.records) ? { value, quoted: true, quoted_empty: true } : value) },
  });
}
