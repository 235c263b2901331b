// A unit of work on the PostgreSQL store: the shared RecordTransaction over the committed records,
// with the journal, the audit log and the outbox read from their tables.
import type { AuditEntry } from '../../domain/audit.js';
import { hydrateTransaction, type JournalEntry, type StoredJournalEntry } from '../../domain/ledger.js';
import { formatEml, type MailRecord } from '../../domain/mail.js';
import type { Balances, StoreMeta } from '../../domain/state.js';
import { RecordTransaction } from '../record-transaction.js';
import type { RecordView } from '../record-view.js';
import type { AuditReader, JournalReader, OutboxReader } from '../store.js';
import { CHAIN_COLUMNS, chainPages, pageStart, type ChainRow } from './pg-chain.js';
import { minorUnits, type Query } from './pg-records.js';
import { linkProblems, queueProblems } from './pg-verify.js';

export class PgRecordTransaction extends RecordTransaction {
  readonly journal: JournalReader;
  readonly auditLog: AuditReader;
  readonly outbox: OutboxReader;

  constructor(
    query: Query,
    view: RecordView,
    readonly startMeta: StoreMeta,
    readOnly: boolean,
    location: string,
  ) {
    super(view, startMeta, readOnly);
    const journalHead = startMeta.journal;
    const auditHead = startMeta.audit;
    const size = startMeta.segmentSize;
    const entry = (row: ChainRow): StoredJournalEntry => ({
      seq: Number(row.seq),
      prevHash: row.prev_hash,
      hash: row.hash,
      end: row.end_of_commit,
      tx: JSON.parse(row.content) as StoredJournalEntry['tx'],
    });
    const hydrated = (row: ChainRow): JournalEntry => {
      const stored = entry(row);
      return { ...stored, tx: hydrateTransaction(stored.tx, stored.seq) };
    };
    this.journal = {
      segmentSize: size,
      head: () => journalHead,
      get: async (seq) => {
        const { rows } = await query<ChainRow>(`${CHAIN_COLUMNS} FROM journal WHERE seq = $1 AND seq <= $2`, [seq, journalHead.seq]);
        return rows[0] ? hydrated(rows[0]) : null;
      },
      getMany: async (seqs) => {
        const { rows } = await query<ChainRow>(`${CHAIN_COLUMNS} FROM journal WHERE seq = ANY($1::bigint[]) AND seq <= $2`, [seqs, journalHead.seq]);
        const bySeq = new Map(rows.map((row) => [Number(row.seq), hydrated(row)]));
        return seqs.map((seq) => bySeq.get(seq)).filter((e): e is JournalEntry => e !== undefined);
      },
      seqsOfUser: async (userId) =>
        (await query<{ seq: string }>('SELECT seq FROM journal_parties WHERE user_id = $1 AND seq <= $2 ORDER BY seq', [userId, journalHead.seq])).rows.map(
          (r) => Number(r.seq),
        ),
      seqsLinkingTo: async (txId) =>
        (await query<{ seq: string }>('SELECT seq FROM journal_links WHERE tx_id = $1 AND seq <= $2 ORDER BY seq', [txId, journalHead.seq])).rows.map((r) =>
          Number(r.seq),
        ),
      scan: () => chainPages(query, 'journal', journalHead.seq, size, entry),
      describeSegment: (seq) => `journal rows ${pageStart(seq, size)}–${pageStart(seq, size) + size - 1} of ${location}`,
      segmentFiles: async () => null,
      besideEntries: async () => {
        const { rows } = await query<{ account: string; currency: string; total: string }>(
          'SELECT account, currency, sum(amount_minor)::text AS total FROM journal_postings WHERE seq <= $1 GROUP BY account, currency',
          [journalHead.seq],
        );
        const balances: Balances = {};
        for (const row of rows) (balances[row.account] ??= {})[row.currency] = minorUnits(row.total);
        const parties = await query<{ count: string }>('SELECT count(*)::text AS count FROM journal_parties WHERE seq <= $1', [journalHead.seq]);
        const links = await query<{ count: string }>('SELECT count(*)::text AS count FROM journal_links WHERE seq <= $1', [journalHead.seq]);
        return {
          balances,
          parties: Number(parties.rows[0]?.count ?? 0),
          links: Number(links.rows[0]?.count ?? 0),
          problems: [...(await linkProblems(query, journalHead.seq)), ...(await queueProblems(query))],
        };
      },
    };
    this.auditLog = {
      head: () => auditHead,
      scan: () =>
        chainPages(query, 'audit', auditHead.seq, size, (row): AuditEntry => ({
          seq: Number(row.seq),
          prevHash: row.prev_hash,
          hash: row.hash,
          end: row.end_of_commit,
          event: JSON.parse(row.content) as AuditEntry['event'],
        })),
      describeSegment: (seq) => `audit rows ${pageStart(seq, size)}–${pageStart(seq, size) + size - 1} of ${location}`,
    };
    const mailSeq = startMeta.mailSeq;
    this.outbox = {
      list: async () =>
        (await query<{ mail: string }>('SELECT mail::text AS mail FROM outbox WHERE seq <= $1 ORDER BY seq', [mailSeq])).rows.map(
          (r) => JSON.parse(r.mail) as MailRecord,
        ),
      get: async (id) => {
        const { rows } = await query<{ mail: string }>('SELECT mail::text AS mail FROM outbox WHERE id = $1 AND seq <= $2', [id, mailSeq]);
        if (!rows[0]) return null;
        const mail = JSON.parse(rows[0].mail) as MailRecord;
        return { mail, raw: formatEml(mail), file: null };
      },
    };
  }

  /** The journal indexes its parties and links itself (journal_parties, journal_links), written with the entries at commit. */
  protected override async fileInJournalIndexes(): Promise<void> {}
}
