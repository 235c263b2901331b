// PgStores for tests: each a fresh, empty store in its own PostgreSQL schema of the file's test
// database (test/support/pg.ts), closed before the database is dropped.

import { fileURLToPath } from 'node:url';
import type { AuditEntry } from '../../src/domain/audit.js';
import type { MailRecord } from '../../src/domain/mail.js';
import { PgStore } from '../../src/store/pg/pg-store.js';
import { testDatabase, type TestDatabase } from './pg.js';

export const MIGRATIONS = fileURLToPath(new URL('../../data/postgres', import.meta.url));

let made = 0;

/** A maker of empty PgStores in one database made for this test file. */
export async function pgStores(
  options: { segmentSize?: number } = {},
): Promise<{ db: TestDatabase; make: (now: string, more?: { sendAheadEntries?: number }) => PgStore }> {
  const db = await testDatabase();
  const make = (now: string, more: { sendAheadEntries?: number } = {}): PgStore => {
    made += 1;
    const store = new PgStore(db.url, {
      migrationsDirectory: MIGRATIONS,
      now: () => new Date(now),
      segmentSize: options.segmentSize,
      schema: `store_${made}`,
      sendAheadEntries: more.sendAheadEntries,
    });
    db.onDrop(() => store.close());
    return store;
  };
  return { db, make };
}

/**
 * A PgStore with the memory stores' `mails` and `auditEntries` lists, read back from the database
 * after every transaction, for use-case tests that look at what was mailed and audited.
 */
export function withLogs(store: PgStore): Pick<PgStore, 'transaction' | 'read'> & { mails: MailRecord[]; auditEntries: AuditEntry[] } {
  const logged = {
    mails: [] as MailRecord[],
    auditEntries: [] as AuditEntry[],
    read: store.read.bind(store),
    async transaction<T>(work: Parameters<PgStore['transaction']>[0]): Promise<T> {
      try {
        return (await store.transaction(work)) as T;
      } finally {
        await store.read(async (t) => {
          logged.mails = await t.outbox.list();
          logged.auditEntries = [];
          for await (const page of t.auditLog.scan()) logged.auditEntries.push(...page);
        });
      }
    },
  };
  return logged;
}
