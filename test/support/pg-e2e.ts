// `npm test` runs the end-to-end suite twice: on the data directory's files, and (vitest project
// `postgres`, OKPAY_TEST_STORE=postgres) on PostgreSQL, the same tests. There every test store the Okpay harness
// makes is a fresh database of its own on the suite's server (a copy of a template database,
// test/support/store-templates.ts); the project's teardown drops them all
// (test/support/pg-cluster.ts), so a failing test leaves none behind.

import pg from 'pg';
import { formatEml, parseEml, type MailRecord } from '../../src/domain/mail.js';

export const E2E_DATABASE_PREFIX = 'okpay_e2e_';

export function suiteStore(): 'file' | 'postgres' {
  return process.env['OKPAY_TEST_STORE'] === 'postgres' ? 'postgres' : 'file';
}

/** The same server and role, another database (a socket URL like postgres://role@/db?host=/dir has no host for URL()). */
export function withDatabase(adminUrl: string, name: string): string {
  const match = /^(postgres(?:ql)?:\/\/[^/?]*)(?:\/[^?]*)?(\?.*)?$/.exec(adminUrl);
  if (!match) throw new Error('OKPAY_TEST_DATABASE_URL is not a postgres:// URL');
  return `${match[1]}/${name}${match[2] ?? ''}`;
}

/** Runs `work` on a connection of its own to the database at `url`, closed afterwards however `work` ends. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The mails of a PostgreSQL store as the .eml text renders them, oldest first (what the file store's files hold). */
export async function databaseMails(url: string): Promise<MailRecord[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ mail: MailRecord }>('SELECT mail FROM outbox ORDER BY seq');
    return rows.map((row) => parseEml(formatEml(row.mail))).filter((m): m is MailRecord => m !== null);
  });
}

/** One digest of every row of every table of a PostgreSQL store: what "changes nothing" compares there. */
export async function databaseDigest(url: string): Promise<string> {
  return withClient(url, async (client) => {
    const { rows: tables } = await client.query<{ name: string }>(
      "SELECT quote_ident(table_name) AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
    );
    const parts: string[] = [];
    for (const { name } of tables) {
      const { rows } = await client.query<{ digest: string | null }>(`SELECT md5(string_agg(t::text, E'\\n' ORDER BY t::text)) AS digest FROM ${name} t`);
      parts.push(`${name}:${rows[0]?.digest ?? 'empty'}`);
    }
    return parts.join('\n');
  });
}
