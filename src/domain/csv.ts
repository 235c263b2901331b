// RFC 4180 CSV for batch payouts and exports. Parsing never stops at a bad row: the batch
// command reports one result per row, so a malformed row becomes an entry in `errors` with its
// file line. Only problems that make the whole file unusable (no header, a missing required
// column, a duplicated column, too many rows) throw INVALID_FILE. Writing goes through csv-stringify.
// Reading is hand-written because csv-parse (6.2.1, checked) cannot resume at the next line after a
// bad row (with skip_records_with_error, `1,"x"y` swallows every row after it; relax_quotes instead
// takes such rows as data) and counts a CRLF inside a quoted field as two lines in `info.lines`.

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
  readonly fields: string[];
  readonly blank: boolean;
  readonly error: string | null;
}

interface Reader {
  readonly text: string;
  position: number;
  line: number;
}

type FieldRead = { readonly value: string; readonly quoted: boolean } | { readonly error: string; readonly skipLine: boolean };

const DEFAULT_MAX_FIELD_LENGTH = 1000;
const LINE_BREAK = /\r\n|\r|\n/g;

export function parseCsv(text: string, options: CsvOptions): CsvResult {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records = readRecords(source);
  const header = firstNonBlank(records);
  const allColumns = [...options.requiredColumns, ...(options.optionalColumns ?? [])];
  if (header === null)
    throw new AppError('INVALID_FILE', 'the file is empty: it needs a header row naming the columns', { hint: `for example: ${allColumns.join(',')}` });
  if (header.error !== null) throw new AppError('INVALID_FILE', `line ${header.line}: the header row is malformed: ${header.error}`);
  const { names, errors } = resolveColumns(header, options);
  const result: CsvResult = { rows: [], rowLines: [], errors };
  let count = 0;
  for (const record of records) {
    if (record.blank) continue;
    count += 1;
    if (count > options.maxRows) throw new AppError('INVALID_FILE', `the file has more than ${options.maxRows} rows`, { hint: 'split it into smaller files' });
    addRecord(result, record, names, options.maxFieldLength ?? DEFAULT_MAX_FIELD_LENGTH);
  }
  return result;
}

function firstNonBlank(records: Generator<RawRecord>): RawRecord | null {
  for (let next = records.next(); next.done !== true; next = records.next()) {
    if (!next.value.blank) return next.value;
  }
  return null;
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

function* readRecords(text: string): Generator<RawRecord> {
  const reader: Reader = { text, position: 0, line: 1 };
  while (reader.position < text.length) yield readRecord(reader);
}

function readRecord(reader: Reader): RawRecord {
  const line = reader.line;
  const fields: string[] = [];
  let quotedAny = false;
  for (;;) {
    const field = reader.text[reader.position] === '"' ? readQuoted(reader) : readPlain(reader);
    if ('error' in field) {
      if (field.skipLine) skipRestOfLine(reader);
      return { line, fields, blank: false, error: field.error };
    }
    fields.push(field.value);
    quotedAny ||= field.quoted;
    if (reader.text[reader.position] === ',') {
      reader.position += 1;
      continue;
    }
    consumeLineBreak(reader);
    // Spreadsheets export empty rows as lines of commas; they carry no data, like blank lines.
    return { line, fields, blank: !quotedAny && fields.every((value) => value.trim() === ''), error: null };
  }
}

function readPlain(reader: Reader): FieldRead {
  const { text } = reader;
  const start = reader.position;
  let end = start;
  while (end < text.length && text[end] !== ',' && text[end] !== '\n' && text[end] !== '\r') {
    if (text[end] === '"') {
      return { error: 'a quote inside an unquoted field: wrap the whole field in quotes and double the quotes inside it', skipLine: true };
    }
    end += 1;
  }
  reader.position = end;
  return { value: text.slice(start, end), quoted: false };
}

function readQuoted(reader: Reader): FieldRead {
  const { text } = reader;
  const startLine = reader.line;
  let value = '';
  let position = reader.position + 1;
  for (;;) {
    const quote = text.indexOf('"', position);
    if (quote === -1) {
      reader.position = text.length;
      return { error: `the quote opened on line ${startLine} is never closed, so the rest of the file was read into one field`, skipLine: false };
    }
    const chunk = text.slice(position, quote);
    reader.line += chunk.match(LINE_BREAK)?.length ?? 0;
    value += chunk;
    if (text[quote + 1] === '"') {
      value += '"';
      position = quote + 2;
      continue;
    }
    reader.position = quote + 1;
    const after = text[reader.position];
    if (after !== undefined && after !== ',' && after !== '\n' && after !== '\r') {
      return { error: 'unexpected text after a closing quote: a quoted field must end at a comma or the end of the line', skipLine: true };
    }
    return { value, quoted: true };
  }
}

function consumeLineBreak(reader: Reader): void {
  const { text } = reader;
  if (text.startsWith('\r\n', reader.position)) reader.position += 2;
  else if (text[reader.position] === '\n' || text[reader.position] === '\r') reader.position += 1;
  else return;
  reader.line += 1;
}

function skipRestOfLine(reader: Reader): void {
  const { text } = reader;
  while (reader.position < text.length && text[reader.position] !== '\n' && text[reader.position] !== '\r') reader.position += 1;
  consumeLineBreak(reader);
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
