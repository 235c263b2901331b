// The test server itself: every test file that asks gets a database of its own on a live server.

import pg from 'pg';
import { expect, it } from 'vitest';
import { testDatabase } from '../support/pg.js';

const db = await testDatabase();
const other = await testDatabase();

it('gives each caller its own empty database on a running server', async () => {
  const names: string[] = [];
  for (const url of [db.url, other.url]) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ name: string; tables: string }>(
      "select current_database() as name, (select count(*) from information_schema.tables where table_schema = 'public') as tables",
    );
    await client.end();
    expect(rows[0]?.tables).toBe('0');
    names.push(rows[0]?.name ?? '');
  }
  expect(new Set(names).size).toBe(2);
});
