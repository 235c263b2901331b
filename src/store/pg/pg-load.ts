// `store copy` into a database: each page written as it comes, in the one transaction that
// PgStore.load commits at the end (rows by COPY and multi-row upserts, as a commit writes them), so
// the client holds one page at a time and a copy cut short leaves nothing.

import type { AuditEntry } from '../../domain/audit.js';
import { entryContentText } from '../../domain/hashing.js';
import type { StoredJournalEntry } from '../../domain/ledger.js';
import type { MailRecord } from '../../domain/mail.js';
import type { ChainHead, StoreMeta } from '../../domain/state.js';
import { holdsNothing } from '../empty-store.js';
import type { DataKind } from '../record-kinds.js';
import type { StoreLoader } from '../store.js';
import { copyChain, copyJournal } from './pg-chain.js';
import type { CopyIn } from './pg-copy.js';
import { PgRecordSource, writeRecords, type Query } from './pg-records.js';

/** Rows from which the growing tables are first analyzed; then again each time they have doubled. */
const ANALYZE_FROM_ROWS = 5000;

export class PgLoader implements StoreLoader {
  private users = 0;
  private rows = 0;
  private analyzedAt = 0;
  private journalHead: ChainHead | null = null;
  private auditHead: ChainHead | null = null;
  private adopted: StoreMeta | null = null;

  constructor(
    private readonly query: Query,
    private readonly copy: CopyIn,
    private readonly scanPageRows?: number,
  ) {}

  async isEmpty(): Promise<boolean> {
    const source = new PgRecordSource(this.query, this.scanPageRows);
    const { meta } = await source.meta();
    const { rows } = await this.query<{ value: string }>("SELECT value::text AS value FROM counters WHERE name = 'users'");
    return holdsNothing(meta, Number(rows[0]?.value ?? 0), source);
  }

  async records(kind: DataKind, page: readonly (readonly [string, unknown])[]): Promise<void> {
    if (kind === 'users') this.users += page.length;
    await writeRecords(this.query, new Map([[kind, new Map(page)]]));
    await this.grown(page.length);
  }

  /**
   * The tables grow from nothing inside this one transaction, and the server plans the statement
   * checks of each page (the chain continues, postings and parties name existing entries) from
   * their statistics: planned for empty tables, each page's check read a whole table (a copy four
   * times larger took eight times longer). Analyzed each time they have doubled, the checks stay
   * index probes, and the analyses cost as much as the rows once more at most.
   */
  private async grown(rows: number): Promise<void> {
    this.rows += rows;
    if (this.rows < ANALYZE_FROM_ROWS || this.rows < 2 * this.analyzedAt) return;
    await this.query('ANALYZE');
    this.analyzedAt = this.rows;
  }

  async journal(entries: readonly StoredJournalEntry[]): Promise<void> {
    if (entries.length > 0) this.journalHead = await copyJournal(this.copy, entries);
    await this.grown(entries.length);
  }

  async audit(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length > 0)
      this.auditHead = await copyChain(
        this.copy,
        'audit',
        entries.map((e) => ({ ...e, content: entryContentText(e.event) })),
      );
    await this.grown(entries.length);
  }

  async mails(mails: readonly MailRecord[]): Promise<void> {
    await this.copy(
      'outbox',
      ['seq', 'id', 'mail'],
      mails.map((mail) => [Number(mail.id.slice('msg_'.length)), mail.id, JSON.stringify(mail)]),
    );
  }

  adopt(meta: StoreMeta): void {
    this.adopted = meta;
  }

  /** Whether the store will be a test store once committed. */
  get testStore(): boolean {
    return this.adopted?.testStore ?? false;
  }

  /** The counters, chain heads and facts, just before the commit. */
  async finish(): Promise<void> {
    const meta = this.adopted;
    if (meta === null) throw new Error('store copy finished without the source store’s facts');
    await this.query(
      "UPDATE counters SET value = CASE name WHEN 'users' THEN $1::bigint WHEN 'mail' THEN $2::bigint ELSE $3::bigint END WHERE name IN ('users', 'mail', 'ticket')",
      [this.users, meta.mailSeq, meta.ticketSeq],
    );
    if (this.journalHead) await this.query("UPDATE chain_heads SET seq = $1, hash = $2 WHERE chain = 'journal'", [this.journalHead.seq, this.journalHead.hash]);
    if (this.auditHead) await this.query("UPDATE chain_heads SET seq = $1, hash = $2 WHERE chain = 'audit'", [this.auditHead.seq, this.auditHead.hash]);
    await this.query('UPDATE store_meta SET test_store = $1, created_at = $2', [meta.testStore, meta.createdAt]);
  }
}
