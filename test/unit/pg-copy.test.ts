// COPY as pg-copy writes it (CSV, tab-separated, U+0001 quotes) against a real server: any text,
// backslashes, tabs, line breaks, the quote character, an empty text and the end-of-data mark included,
// is stored exactly as given (a chain entry's hash covers its text), and a refused row fails the
// whole COPY with its SQLSTATE, as an INSERT would. Several tables' COPYs go as one query, their rows
// sent behind it: all of them stored, or none past the refused row, and the connection goes on.

import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { copyBatch, copyInto, copyStatements, warmThen } from '../../src/store/pg/pg-copy.js';
import { sqlLiteral } from '../../src/store/pg/pg-records.js';
import { testDatabase } from '../support/pg.js';

const db = await testDatabase();
const client = new pg.Client({ connectionString: db.url });
await client.connect();
db.onDrop(() => client.end());
await client.query('CREATE TABLE copied (n bigint PRIMARY KEY, flag boolean NOT NULL, body text NOT NULL, doc json NOT NULL)');
await client.query('CREATE TABLE led (body text NOT NULL, n bigint PRIMARY KEY)');
await client.query('CREATE TABLE first_of_many (n bigint PRIMARY KEY, body text NOT NULL)');
await client.query('CREATE TABLE second_of_many (body text NOT NULL, n bigint PRIMARY KEY)');

describe('COPY … FROM STDIN (pg-copy)', () => {
  it('stores every text exactly as given, backslashes, tabs, line breaks, quote characters and empty texts included', async () => {
    const copy = copyInto(client);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: fc.constantFrom('\\', '\t', '\n', '\r', '\\N', '\\.', '\u0001', '"', ',', 'a', 'é', '😀', ' ') }), { maxLength: 5 }),
        async (texts) => {
          const rows = texts.map((text) => [(n += 1), n % 2 === 0, text, JSON.stringify({ text })] as const);
          await copy('copied', ['n', 'flag', 'body', 'doc'], rows);
          const { rows: back } = await client.query<{ n: string; flag: boolean; body: string; doc: string }>(
            'SELECT n::text AS n, flag, body, doc::text AS doc FROM copied WHERE copied.n = ANY($1::bigint[]) ORDER BY copied.n',
            [rows.map((row) => row[0])],
          );
          expect(back).toEqual(rows.map(([key, flag, body, doc]) => ({ n: String(key), flag, body, doc })));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads a line that starts with the end-of-data mark, or a first field that is empty, as data', async () => {
    const rows = [
      ['\\.', 1],
      ['\\.\\.', 2],
      ['', 3],
      ['\u0001', 4],
      ['last', 5],
    ] as const;
    await copyInto(client)('led', ['body', 'n'], rows);
    const { rows: back } = await client.query<{ body: string }>('SELECT body FROM led ORDER BY n');
    expect(back.map((row) => row.body)).toEqual(rows.map(([body]) => body));
  });

  it('fails the whole COPY with the SQLSTATE of the row the server refuses, and the connection goes on', async () => {
    const copy = copyInto(client);
    await copy('copied', ['n', 'flag', 'body', 'doc'], [[1_000_001, true, 'kept', '{}']]);
    await expect(
      copy(
        'copied',
        ['n', 'flag', 'body', 'doc'],
        [
          [1_000_002, true, 'fine', '{}'],
          [1_000_003, false, 'bad json', '{not json'],
        ],
      ),
    ).rejects.toMatchObject({ code: '22P02' });
    await expect(copy('copied', ['n', 'flag', 'body', 'doc'], [[1_000_001, true, 'twice', '{}']])).rejects.toMatchObject({ code: '23505' });
    const { rows } = await client.query<{ n: string }>('SELECT n::text AS n FROM copied WHERE n > 1000000 ORDER BY n');
    expect(rows).toEqual([{ n: '1000001' }]);
  });

  it('copies several tables in one call, each row as given, including rows larger than one chunk', async () => {
    const many = Array.from({ length: 4500 }, (_, i) => [i + 1, `row\t${i}\n${'é'.repeat(i % 7)}`] as const);
    await copyStatements(client, [
      { table: 'first_of_many', columns: ['n', 'body'], rows: many },
      { table: 'second_of_many', columns: ['body', 'n'], rows: [] },
      {
        table: 'second_of_many',
        columns: ['body', 'n'],
        rows: [
          ['\\.', 1],
          ['', 2],
        ],
      },
    ]);
    const first = await client.query<{ n: string; body: string }>('SELECT n::text AS n, body FROM first_of_many ORDER BY first_of_many.n');
    expect(first.rows).toEqual(many.map(([n, body]) => ({ n: String(n), body })));
    const second = await client.query<{ body: string }>('SELECT body FROM second_of_many ORDER BY n');
    expect(second.rows.map((row) => row.body)).toEqual(['\\.', '']);
  });

  it('stores nothing of a call whose later table refuses a row, fails with its SQLSTATE, and the connection goes on', async () => {
    const batch = copyBatch(client);
    await batch.copy('first_of_many', ['n', 'body'], [[100_001, 'not kept']]);
    await batch.copy('second_of_many', ['body', 'n'], [['duplicate', 1]]);
    await batch.copy('first_of_many', ['n', 'body'], [[100_002, 'never read']]);
    const before = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM first_of_many');
    expect(before.rows).toEqual([{ n: '4500' }]);
    await expect(batch.send()).rejects.toMatchObject({ code: '23505' });
    const { rows } = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM first_of_many WHERE n > 100000');
    expect(rows).toEqual([{ n: '0' }]);
    await batch.copy('first_of_many', ['n', 'body'], [[100_003, 'kept']]);
    await batch.send();
    const after = await client.query<{ body: string }>('SELECT body FROM first_of_many WHERE n > 100000');
    expect(after.rows).toEqual([{ body: 'kept' }]);
  });

  it('fails inside a database transaction as a statement does: the transaction is aborted, and rolls back', async () => {
    await client.query('BEGIN');
    await expect(copyStatements(client, [{ table: 'first_of_many', columns: ['n', 'body'], rows: [[1, 'twice']] }])).rejects.toMatchObject({ code: '23505' });
    await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    await client.query('ROLLBACK');
    await expect(client.query<{ one: number }>('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it('warmThen sends empty COPYs in a transaction it rolls back, then the statement, and returns its last rows typed as a query would', async () => {
    const rows = await warmThen<{ n: number; flag: boolean; body: string }>(
      client,
      [{ table: 'led', columns: ['n'] }],
      "SELECT 1 AS unused; SELECT 2::int AS n, true AS flag, 'x' AS body",
    );
    expect(rows).toEqual([{ n: 2, flag: true, body: 'x' }]);
    // The COPY's transaction was rolled back: no lock of the table is left.
    const locks = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE pid = pg_backend_pid() AND relation = 'led'::regclass");
    expect(locks.rows).toEqual([{ n: 0 }]);
    expect(await warmThen(client, [], 'SELECT 3 AS n')).toEqual([{ n: 3 }]);
  });

  it('sqlLiteral writes any text, number, boolean and array as a literal the server reads back as the same value', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: fc.constantFrom('\\', "'", '$1', '$2', '"', '\n', 'E', 'a', 'é', '😀', ' ', ';') }),
        fc.array(fc.string({ unit: fc.constantFrom('\\', "'", 'a', ',', '"', '{', '}') }), { maxLength: 3 }),
        fc.integer(),
        fc.boolean(),
        async (text, texts, n, flag) => {
          const { rows } = await client.query<{ text: string; texts: string[]; n: number; flag: boolean }>(
            `SELECT ${sqlLiteral(text)}::text AS text, ${sqlLiteral(texts)}::text[] AS texts, ${sqlLiteral(n)}::int AS n, ${sqlLiteral(flag)} AS flag`,
          );
          expect(rows).toEqual([{ text, texts, n, flag }]);
        },
      ),
      { numRuns: 60 },
    );
    expect(() => sqlLiteral(Number.NaN)).toThrow();
  });
});
