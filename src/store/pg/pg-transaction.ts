// A unit of work on the PostgreSQL store: the shared RecordTransaction over the committed records,
// with the journal, the audit log and the outbox read from their tables, and its own entries and
// mails written into them (ahead of the commit for a large one).
import type { AuditEntry } from '../../domain/audit.js';
import { entryContentText } from '../../domain/hashing.js';
import { hydrateTransaction, type JournalEntry, type NewTransaction, type StoredJournalEntry, type Transaction } from '../../domain/ledger.js';
import { formatEml, type MailRecord } from '../../domain/mail.js';
import { addToTotal, exactSumOf, type Totals } from '../../domain/integrity-check.js';
import type { ChainHead, IdempotencyRecord, StoreMeta } from '../../domain/state.js';
import { RecordTransaction } from '../record-transaction.js';
import type { RecordView } from '../record-view.js';
import type { AuditReader, JournalReader, OutboxReader } from '../store.js';
import { appendChain, appendJournal, CHAIN_COLUMNS, chainPages, pageStart, type ChainRow } from './pg-chain.js';
import type { Kind } from '../record-kinds.js';
import type { CopyBatch, CopyValue } from './pg-copy.js';
import { splitIdempotencyKey, type PgRecordSource, type Query } from './pg-records.js';
import { linkProblems, queueProblems } from './pg-verify.js';

/**
 * Posted transactions a unit of work holds, by default, before it sends its journal, audit and outbox rows ahead
 * of its commit (a batch of 10,000 rows sends them in ten parts): the server stores one part while
 * the next rows are paid, where it used to wait for the commit and the client then waited for it,
 * and the sent entries and their texts no longer stay in memory until the commit.
 */
export const SEND_AHEAD_ENTRIES = 1000;
/**
 * The appenders' turn: an advisory lock every unit of work takes, until its commit, just before it
 * locks the chain heads, and one that waits holds for the whole of its run, from before its
 * snapshot (see PgStore's runWriting). While one holds it no other can append, so its snapshot's
 * heads are still the heads when it appends: it never loses to another append, where it used to
 * lose again and again to the appends of units that started after it. A unit that does not wait
 * (a look's touch of its session) takes it only at its append, and may run again. ("okpayt" in ASCII.)
 */
export const APPEND_TURN = 0x6f6b70617974;
/** Locks what every append follows until the commit (see `sendAppends`), after the appenders' turn. */
const CLAIM_HEADS = `SELECT pg_advisory_xact_lock(${APPEND_TURN}); SELECT 1 FROM chain_heads, counters FOR NO KEY UPDATE`;
/**
 * The tables a unit of work appends to, which a fresh connection loads before it waits for the
 * appenders' turn (see `warmThen`), or, in a unit that does not wait, before its first claim of the heads (see `copyStatements`).
 */
export const APPEND_TABLES = [
  { table: 'journal', columns: ['seq'] },
  { table: 'journal_postings', columns: ['seq'] },
  { table: 'journal_parties', columns: ['seq'] },
  { table: 'journal_links', columns: ['seq'] },
  { table: 'audit', columns: ['seq'] },
  { table: 'outbox', columns: ['seq'] },
  { table: 'idempotency', columns: ['user_id'] },
] as const;
/** Posts between two turns of the event loop while a part is being sent. */
const POSTS_PER_TURN = 16;

/** How far this transaction's chains and outbox were written: ahead of the commit, or by it. */
interface Appended {
  readonly journal: ChainHead;
  readonly audit: ChainHead;
  readonly events: number;
  readonly mails: number;
}

export class PgRecordTransaction extends RecordTransaction {
  readonly journal: JournalReader;
  readonly auditLog: AuditReader;
  readonly outbox: OutboxReader;
  private appended: Appended;
  /** The rows being sent ahead; its failure is the unit of work's (see `failure`). */
  private sending: Promise<void> = Promise.resolve();
  private sendingPart = false;
  private postsSinceTurn = 0;
  private sendFailure: { error: unknown } | null = null;
  /** Set when the unit of work ends without its commit: a part under way sends nothing more. */
  private abandoned = false;
  /** Idempotency records written with a part or the commit's COPYs, as they were then (see `newKeyRows`). */
  private readonly keysSent = new Map<string, unknown>();

  /** Whether this unit of work holds the chain heads and counters (see `sendAppends`). */
  private claimed = false;

  constructor(
    query: Query,
    view: RecordView,
    readonly startMeta: StoreMeta,
    readOnly: boolean,
    location: string,
    /**
     * COPYs on this transaction's connection, the posted entries held before sending them ahead, and
     * the committed records' source (what it read absent); a read has none.
     */
    private readonly writing: { copies: () => CopyBatch; entries: number; source: PgRecordSource } | null = null,
  ) {
    super(view, startMeta, readOnly);
    this.appended = { journal: startMeta.journal, audit: startMeta.audit, events: 0, mails: 0 };
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
        // Exact at any size (a forged posting may take a sum past 2^53), in Maps (an account may be named __proto__).
        const balances: Totals = new Map();
        for (const row of rows) addToTotal(balances, row.account, row.currency, exactSumOf(row.total));
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

  /**
   * Rows written ahead stay inside this database transaction: other sessions see them at COMMIT, and
   * this one's readers stop at the heads it started from, as before. The newest entry of each chain
   * is kept back, so that the commit writes the one that carries the end mark.
   */
  override async post(newTx: NewTransaction): Promise<Transaction> {
    // The database transaction is aborted: nothing more can be written in it.
    if (this.sendFailure) throw this.sendFailure.error;
    const tx = await super.post(newTx);
    if (this.sendingPart) {
      // A part moves on only when its connection's replies are read: a use-case posting in a loop
      // (whose own reads are mostly answered from memory) gives the event loop a turn now and then.
      this.postsSinceTurn += 1;
      if (this.postsSinceTurn >= POSTS_PER_TURN) {
        this.postsSinceTurn = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } else if (this.aheadDue) this.sendAhead();
    return tx;
  }

  /** Writes what is final so far (as post does past its threshold) and waits until it is stored. */
  override async flush(): Promise<void> {
    await this.sending;
    if (this.aheadDue) this.sendAhead();
    await this.sending;
    if (this.sendFailure) throw this.sendFailure.error;
  }

  private get aheadDue(): boolean {
    return this.writing !== null && this.posted.length > this.writing.entries;
  }

  /** Why rows sent ahead failed: the unit of work's error (what came after it only fails on the aborted transaction). */
  get failure(): unknown {
    return this.sendFailure?.error;
  }

  /**
   * Starts sending what is final so far and returns without waiting for it: the commit does. The
   * next part starts once this one is stored; until then, entries wait in memory as they always did.
   */
  private sendAhead(): void {
    const writing = this.writing;
    if (writing === null || this.sendFailure) return;
    this.sendingPart = true;
    // A part's COPYs go together, and only while the unit of work is still going to commit: sent
    // after its ROLLBACK they would run outside any transaction and be committed on their own.
    const batch = writing.copies();
    const guarded: CopyBatch = { copy: batch.copy, send: (before, after) => (this.abandoned ? Promise.reject(new Abandoned()) : batch.send(before, after)) };
    this.sending = this.sendAppends(guarded, false).then(
      () => {
        this.sendingPart = false;
      },
      (error: unknown) => {
        if (!(error instanceof Abandoned)) this.sendFailure ??= { error };
      },
    );
  }

  /**
   * The unit of work ends without its commit (an error, a rehearsal, a conflict to run again): the
   * part under way, if any, stops before its next COPY and is waited for, so that nothing of it
   * reaches the connection after the ROLLBACK (where it would be committed on its own, or land in
   * the next attempt's transaction).
   */
  async abandon(): Promise<void> {
    this.abandoned = true;
    await this.sending;
  }

  /**
   * At the commit: the journal, audit and outbox rows not written yet, once those sent ahead are
   * stored, after the claim of the heads and counters when `claim` (see `sendAppends`), followed in
   * the same round trip by the statements `after` gives once the rows are gathered (the commit's
   * records: see `unsentRecords`). Returns the chain heads.
   */
  async finishAppends(claim: boolean, after?: () => Promise<string | undefined>): Promise<{ journal: ChainHead; audit: ChainHead }> {
    await this.sending;
    if (this.sendFailure) throw this.sendFailure.error;
    if (this.writing === null) throw new Error('a read-only unit of work writes nothing');
    return this.sendAppends(this.writing.copies(), true, claim, after);
  }

  /**
   * The journal, audit and outbox rows not written yet: all of them at the commit (`final`), else all
   * but each chain's newest entry, in one round trip. Returns the chain heads they lead to.
   *
   * `claim`: the first rows that follow the chain heads or counters (entries, audit events, mail and
   * ticket numbers, the user count) are sent after a lock of those rows (CLAIM_HEADS), in the same
   * round trip. This unit of work's numbers come from its snapshot: if another commit moved them
   * since, the lock fails at once with a serialization failure (40001: the row changed after the
   * snapshot), before anything is written, and the unit of work runs again on a fresh snapshot; if
   * another unit of work holds them, this waits for its commit (then fails the same way) or its
   * rollback. So one commit at a time appends and it cannot then lose on the heads: writers' reads
   * and checks run side by side, their appends one after another. Before, each wrote its entries and
   * found at its end that a concurrent commit had moved the heads, and one of every pair ran again.
   */
  private async sendAppends(
    batch: CopyBatch,
    final: boolean,
    claim = true,
    after?: () => Promise<string | undefined>,
  ): Promise<{ journal: ChainHead; audit: ChainHead }> {
    const copy = batch.copy;
    const from = this.appended;
    const posted = this.takePosted(final ? 0 : 1);
    const events = this.events.slice(from.events, final ? this.events.length : Math.max(from.events, this.events.length - 1));
    const mails = this.mails.slice(from.mails);
    this.appended = { ...from, events: from.events + events.length, mails: from.mails + mails.length };
    const journal = await appendJournal(copy, from.journal, posted, final);
    const audit = await appendChain(
      copy,
      'audit',
      from.audit,
      events.map((event) => entryContentText(event)),
      final,
    );
    await copy(
      'outbox',
      ['seq', 'id', 'mail'],
      mails.map((mail, index) => [this.startMeta.mailSeq + from.mails + index + 1, mail.id, JSON.stringify(mail)]),
    );
    await copy('idempotency', ['user_id', 'key', 'fingerprint', 'tx_id', 'expires_at'], this.newKeyRows());
    await batch.send(claim && !this.claimed ? CLAIM_HEADS : undefined, await after?.());
    if (claim) this.claimed = true;
    this.appended = { ...this.appended, journal, audit };
    return { journal, audit };
  }

  /**
   * The idempotency records written here, not sent yet, whose key this transaction read and the
   * database did not hold (a batch's new references): they go by COPY with the part, where an
   * upsert at the commit cost a `json_to_recordset` of every record and a round trip at the end. A
   * key another session adds meanwhile fails the COPY as a serialization failure, as it fails the
   * upsert: this transaction read it absent. Keys the database held go with the commit's upserts.
   */
  private newKeyRows(): CopyValue[][] {
    const rows: CopyValue[][] = [];
    const written = this.view.written.get('idempotency');
    if (!written || this.writing === null) return rows;
    for (const [stored, value] of written) {
      if (value === null || this.keysSent.has(stored) || !this.writing.source.readAbsent('idempotency', stored)) continue;
      const record = value as IdempotencyRecord;
      const [userId, key] = splitIdempotencyKey(stored);
      rows.push([userId, key, record.fingerprint, record.txId, record.expiresAt]);
      this.keysSent.set(stored, value);
    }
    return rows;
  }

  /** The records the commit writes: every write but an idempotency record already COPYd and not changed since. */
  unsentRecords(): ReadonlyMap<Kind, ReadonlyMap<string, unknown>> {
    const written = this.view.written;
    const keys = written.get('idempotency');
    if (keys === undefined || this.keysSent.size === 0) return written;
    const rest = new Map(written);
    rest.set('idempotency', new Map([...keys].filter(([stored, value]) => this.keysSent.get(stored) !== value)));
    return rest;
  }
}

/** Why a part sent ahead stopped: its unit of work ended without a commit. */
class Abandoned extends Error {
  constructor() {
    super('the unit of work ended before its commit');
  }
}
