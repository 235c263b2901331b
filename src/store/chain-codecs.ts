// How the two chained logs, the journal and the audit log, hash their entries: what both the
// split store and the schema-2 reader (the upgrade) check a chain with.

import type { AuditEntry, AuditEvent } from '../domain/audit.js';
import { storedTransaction, type StoredJournalEntry, type StoredTransaction, type Transaction } from '../domain/ledger.js';
import { entryContentText } from '../domain/hashing.js';
import type { ChainCodec } from './segment-log.js';

export const journalCodec: ChainCodec<StoredJournalEntry, Transaction | StoredTransaction> = {
  field: 'tx',
  content: (entry) => entry.tx,
  canonical: (tx) => entryContentText(storedTransaction(tx)),
};

export const auditCodec: ChainCodec<AuditEntry, AuditEvent> = {
  field: 'event',
  content: (entry) => entry.event,
  canonical: (event) => entryContentText(event),
};
