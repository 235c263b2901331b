// Appending many rows with COPY … FROM STDIN, in CSV (see OPTIONS). For the journal, audit and
// outbox rows of a batch this is the cheapest way in: the server reads each field once, where
// `json_to_recordset` parsed every entry's JSON content twice (the whole parameter, then each
// `json` value) before the INSERT. COPY fires the same constraints and statement triggers (with
// their transition tables) as an INSERT of the same rows.
//
// Several COPYs go as ONE simple query (`COPY a …; COPY b …`) with every table's rows sent right
// behind it, without waiting for the server's CopyInResponse: the server reads the messages in
// order, each COPY taking its rows as it starts, so a commit's five tables cost one round trip
// instead of two each (pg-copy-streams, which this replaces, sends one COPY per query and its rows
// only once the server has answered). On a busy machine a round trip is two waits for a core; a
// batch of 10,000 rows made about a hundred of them. pg drives the statements as a submitted query
// (its `Submittable`), and frames the rows with its own connection's messages.

import type pg from 'pg';
import { loadPg } from './pg-driver.js';

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
  // pg copies the bytes into its own message (sendCopyFromChunk): no need to trim the buffer first.
  return bytes.subarray(0, at);
}

/** A table and the columns a COPY names. */
export interface CopyTable {
  readonly table: string;
  readonly columns: readonly string[];
}

/** One table's rows for COPY. */
export interface CopyStatement extends CopyTable {
  readonly rows: readonly (readonly CopyValue[])[];
}

/** pg's Result as its queries use it to type a row's fields (pg/lib/result.js; not in @types/pg). */
interface ResultRows {
  addFields(fields: unknown[]): void;
  parseRow(fields: unknown[]): unknown;
}

/** pg's connection as a submitted query drives it (pg/lib/connection.js; not in @types/pg). */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

/** The COPY statement of a table's columns, its rows read in OPTIONS' format. */
function copySql(s: CopyTable): string {
  return `COPY ${s.table} (${s.columns.join(', ')}) FROM STDIN WITH ${OPTIONS}`;
}

/**
 * Statements as one simple query, with the rows of its COPYs sent right behind it: `empty` COPYs
 * (sent no rows) first in the text, then the `statements`' COPYs, each statement's rows in order.
 * pg's client calls the handlers as the server answers. A refused row fails its COPY with its
 * SQLSTATE: the server skips the rest of the query, drops the rows still to come, and answers
 * ReadyForQuery; pg settles the query at the error (handleError), and the connection goes on.
 */
class CopyQuery implements pg.Submittable {
  readonly done: Promise<void>;
  /** The rows of the last statement that returned rows, typed as pg types them. */
  rows: unknown[] = [];
  private result: ResultRows | null = null;
  private resolve: () => void = () => undefined;
  private reject: (error: unknown) => void = () => undefined;

  constructor(
    private readonly text: string,
    private readonly empty: number,
    private readonly statements: readonly CopyStatement[],
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: pg.Connection): void {
    const to = connection as unknown as CopyConnection;
    // A failed statement skips the COPYs after it; the server ignores the copy data that still follows.
    to.query(this.text);
    for (let i = 0; i < this.empty; i += 1) to.endCopyFrom();
    for (const { rows } of this.statements) {
      for (let from = 0; from < rows.length; from += CHUNK_ROWS) to.sendCopyFromChunk(copyBytes(rows.slice(from, from + CHUNK_ROWS)));
      to.endCopyFrom();
    }
  }

  handleCopyInResponse(): void {}

  handleRowDescription(message: { fields: unknown[] }): void {
    this.result = new (loadPg().Result as unknown as new () => ResultRows)();
    this.result.addFields(message.fields);
    this.rows = [];
  }

  handleDataRow(message: { fields: unknown[] }): void {
    if (this.result) this.rows.push(this.result.parseRow(message.fields));
  }

  handleCommandComplete(): void {}

  handleError(error: unknown): void {
    this.reject(error);
  }

  handleReadyForQuery(): void {
    this.resolve();
  }

  /** pg replaces it when a query timeout is set; it must exist. */
  callback(): void {}
}

/**
 * COPY into each table, in order, in one round trip, after `before` and followed by `after`
 * (statements without parameters) when given; the first refused row fails the rest with its
 * SQLSTATE, as a failed `before` does, and `after` then does not run.
 *
 * `warm`: tables sent an empty COPY ahead of everything else. A fresh backend loads a table, its
 * indexes and constraints, and compiles its statement triggers' functions (which fire for no rows
 * too) at its first insert: before the claim of the chain heads (`before`) and not after it, where
 * it took 26-77 ms at load 20 (15-30 ms at load 8-10) while every other append waited.
 */
export async function copyStatements(
  client: pg.Client,
  statements: readonly CopyStatement[],
  before?: string,
  warm: readonly CopyTable[] = [],
  after?: string,
): Promise<void> {
  const filled = statements.filter((s) => s.rows.length > 0);
  const text = [...warm.map(copySql), ...(before === undefined ? [] : [before]), ...filled.map(copySql), ...(after === undefined ? [] : [after])];
  if (filled.length > 0 || warm.length > 0) await client.query(new CopyQuery(text.join('; '), warm.length, filled)).done;
  else if (text.length > 0) await client.query(text.join('; '));
}

/**
 * Loads `tables` into a fresh backend (an empty COPY into each, in a transaction of its own that is
 * rolled back: see `copyStatements`' `warm`), then runs `then`, in one round trip; returns the rows
 * of its last statement. A unit of work that waits for the appenders' turn does this before it
 * waits (`then` takes the turn), so the tables are loaded while the other appenders go on, not
 * while they wait for it; no table lock is held while it waits.
 */
export async function warmThen<R>(client: pg.Client, tables: readonly CopyTable[], then: string): Promise<R[]> {
  if (tables.length === 0) {
    const results = (await client.query(then)) as unknown as pg.QueryResult | pg.QueryResult[];
    return (Array.isArray(results) ? (results[results.length - 1]?.rows ?? []) : results.rows) as R[];
  }
  const query = new CopyQuery(['BEGIN', ...tables.map(copySql), 'ROLLBACK', then].join('; '), tables.length, []);
  await client.query(query).done;
  return query.rows as R[];
}

/** COPY into `table` on `client`; a row the server refuses fails the whole statement with its SQLSTATE. */
export function copyInto(client: pg.Client): CopyIn {
  return (table, columns, rows) => copyStatements(client, [{ table, columns, rows }]);
}

/**
 * COPYs gathered by `copy` and sent together by `send` (one round trip, after `before` and followed by `after` when given):
 * `copy` stores nothing by itself, `send` stores them all or fails.
 */
export interface CopyBatch {
  readonly copy: CopyIn;
  send(before?: string, after?: string): Promise<void>;
}

export function copyBatch(client: pg.Client, cold: () => readonly CopyTable[] = () => []): CopyBatch {
  const statements: CopyStatement[] = [];
  return {
    copy: async (table, columns, rows) => {
      statements.push({ table, columns, rows });
    },
    // Tables the connection has not written yet are loaded ahead of `before` (see `copyStatements`).
    send: (before, after) => copyStatements(client, statements.splice(0), before, before === undefined ? [] : cold(), after),
  };
}
