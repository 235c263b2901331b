// Appending many rows with COPY … FROM STDIN (pg-copy-streams), in CSV (see OPTIONS). For the
// journal, audit and outbox rows of a batch this is the cheapest way in: the server reads each
// field once, where `json_to_recordset` parsed every entry's JSON content twice (the whole
// parameter, then each `json` value) before the INSERT. COPY fires the same constraints and
// statement triggers (with their transition tables) as an INSERT of the same rows.

import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { finished } from 'node:stream/promises';

/** A field: a number, a boolean, or text (JSON text included) written as it is. */
export type CopyValue = string | number | boolean;

export type CopyIn = (table: string, columns: readonly string[], rows: readonly (readonly CopyValue[])[]) => Promise<void>;

/** Rows per chunk written to the connection: bounded strings, few writes. */
const CHUNK_ROWS = 2000;

/**
 * COPY's CSV format with a tab between fields and U+0001 as its quote character, chosen so that
 * most fields go as they are: in CSV a backslash means nothing, and JSON text (a chain entry's
 * content, a mail) holds no raw tab, line break or control character (JSON.stringify escapes them),
 * so it needs no quoting. In the text format every backslash of a JSON text (each \" and \n of a
 * mail) had to be doubled: a pass over every field and a copy of most mails, about a tenth of a
 * batch's commit. A field that holds a tab, a line break or the quote character, is empty (which
 * CSV would read as NULL) or starts with the end-of-data mark \. is quoted, its quote characters
 * doubled.
 */
const QUOTE = '\u0001';
const OPTIONS = "(FORMAT csv, DELIMITER E'\\t', QUOTE E'\\x01')";
const NEEDS_QUOTES = /[\t\n\r\u0001]/;

function field(value: CopyValue): string {
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  const plain = value !== '' && !NEEDS_QUOTES.test(value) && !value.startsWith('\\.');
  return plain ? value : `${QUOTE}${value.replaceAll(QUOTE, QUOTE + QUOTE)}${QUOTE}`;
}

const TAB = 0x09;
const LINE_FEED = 0x0a;

/**
 * The rows as COPY reads them with OPTIONS (fields separated by tabs, one row a line), each field
 * encoded as UTF-8 straight into one buffer: joining the fields into
 * rows and the rows into a chunk copied every text twice, and turning the chunk into bytes took a
 * third pass (a mail's em dash makes a whole chunk a two-byte string), together most of a batch's
 * commit on the client.
 */
export function copyBytes(rows: readonly (readonly CopyValue[])[]): Buffer {
  const fields: string[] = [];
  // A UTF-16 code unit is at most three bytes of UTF-8 (a surrogate pair, two units, four).
  let bound = 0;
  for (const row of rows)
    for (const value of row) {
      const text = field(value);
      fields.push(text);
      bound += 3 * text.length + 1;
    }
  const bytes = Buffer.allocUnsafe(bound);
  let at = 0;
  let next = 0;
  for (const row of rows) {
    for (let column = 0; column < row.length; column += 1) {
      if (column > 0) bytes[at++] = TAB;
      at += bytes.write(fields[next++] as string, at, 'utf8');
    }
    bytes[at++] = LINE_FEED;
  }
  // Most texts are ASCII: the bound is about three times what was written, so keep only that.
  return Buffer.from(bytes.subarray(0, at));
}

/** COPY into `table` on `client`; a row the server refuses fails the whole statement with its SQLSTATE. */
export function copyInto(client: pg.Client): CopyIn {
  return async (table, columns, rows) => {
    if (rows.length === 0) return;
    const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN WITH ${OPTIONS}`));
    const done = finished(stream);
    for (let from = 0; from < rows.length; from += CHUNK_ROWS) stream.write(copyBytes(rows.slice(from, from + CHUNK_ROWS)));
    stream.end();
    await done;
  };
}
