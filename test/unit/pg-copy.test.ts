// COPY's text format against a real server: any text, the four characters it escapes included,
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

describe('COPY … FROM STDIN (pg-copy)', () => {
  it('stores every text exactly as given, backslashes, tabs and line breaks included', async () => {
    const copy = copyInto(client);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: fc.constantFrom('\\', '\t', '\n', '\r', '\\N', '"', 'a', 'é', '😀', ' ') }), { maxLength: 5 }),
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
