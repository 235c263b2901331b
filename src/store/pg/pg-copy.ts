// Appending many rows with COPY … FROM STDIN (pg-copy-streams) in PostgreSQL's text format. For the
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

/** The four characters COPY's text format gives a meaning to inside a field (most fields have none). */
const SPECIAL = /[\\\n\r\t]/g;
const HAS_SPECIAL = /[\\\n\r\t]/;
const ESCAPED: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function field(value: CopyValue): string {
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return HAS_SPECIAL.test(value) ? value.replace(SPECIAL, (ch) => ESCAPED[ch] ?? ch) : value;
}

/** COPY's text format: fields separated by tabs, one row a line. */
export function copyText(rows: readonly (readonly CopyValue[])[]): string {
  let text = '';
  for (const row of rows) text += `${row.map(field).join('\t')}\n`;
  return text;
}

/** COPY into `table` on `client`; a row the server refuses fails the whole statement with its SQLSTATE. */
export function copyInto(client: pg.Client): CopyIn {
  return async (table, columns, rows) => {
    if (rows.length === 0) return;
    const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    const done = finished(stream);
    for (let from = 0; from < rows.length; from += CHUNK_ROWS) stream.write(copyText(rows.slice(from, from + CHUNK_ROWS)));
    stream.end();
    await done;
  };
}
