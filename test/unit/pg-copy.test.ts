// COPY as pg-copy writes it (CSV, tab-separated, U+0001 quotes) against a real server: any text,
// backslashes, tabs, line breaks, the quote character, an empty text and the end-of-data mark included,
// is stored exactly as given (a chain entry's hash covers its text), and a refused row fails the
// whole COPY with its SQLSTATE, as an INSERT would.

import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { copyInto } from '../../src/store/pg/pg-copy.js';
import { testDatabase } from '../support/pg.js';

const db = await testDatabase();
const client = new pg.Client({ connectionString: db.url });
await client.connect();
db.onDrop(() => client.end());
await client.query('CREATE TABLE copied (n bigint PRIMARY KEY, flag boolean NOT NULL, body text NOT NULL, doc json NOT NULL)');
await client.query('CREATE TABLE led (body text NOT NULL, n bigint PRIMARY KEY)');

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
});
