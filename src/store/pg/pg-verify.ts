// What `okpay verify` checks of what the database keeps for its queries against the records it is
// derived from, as the file store's verify compares its index records with their records:
// - the journal_links table (the index of links that follow-ups are read from) against the journal
//   itself, row by row: each row's linking entry exists and names the linked transaction, that
//   transaction is an earlier entry (a link always points back), and every link an entry names has
//   its row. All of it in SQL, a few rows of each kind reported.
// - the open queue's group columns of ticket_summaries (0008, 0009), from which `agent queue` and
//   `ticket show` read the groups' counts and score bounds: each summary's columns recomputed from
//   its document, and each group's facts (the server's aggregate) against the facts its tickets fold
//   to. The summaries are read a page at a time; what is held is one fold per group.

import { combineFacts, memberFacts, type QueueGroupFacts } from '../../domain/queue-group-facts.js';
import type { TicketSummary } from '../../domain/ticket-summary.js';
import { minorUnits, queueColumns, queueGroupsInDatabase, type QueueColumns, type Query } from './pg-records.js';

/** How many rows of each kind of damage are named; verify caps its whole report anyway. */
const SHOWN = 20;

/** The problems of the journal_links rows up to the head, as lines of verify's report; none when they match the entries. */
export async function linkProblems(query: Query, headSeq: number): Promise<string[]> {
  const problems: string[] = [];
  const stray = await query<{ tx_id: string; seq: string; entry: boolean }>(
    `SELECT l.tx_id, l.seq::text AS seq, j.seq IS NOT NULL AS entry
       FROM journal_links l LEFT JOIN journal j ON j.seq = l.seq
      WHERE l.seq <= $1
        AND (j.seq IS NULL OR NOT EXISTS (SELECT 1 FROM json_array_elements_text(j.content -> 'links') AS x(link) WHERE x.link = l.tx_id))
      ORDER BY l.seq, l.tx_id LIMIT $2`,
    [headSeq, SHOWN],
  );
  for (const row of stray.rows)
    problems.push(
      row.entry
        ? `journal_links says entry ${row.seq} links to ${row.tx_id}, but the entry does not name it`
        : `journal_links says entry ${row.seq} links to ${row.tx_id}, but there is no entry ${row.seq}`,
    );
  // The cast sits inside the CASE: a guard beside it in the WHERE does not stop the planner from
  // casting first (it puts the cast in the index condition), and a damaged tx_id such as
  // txn_99999999999999999999 or txn_1a would then fail verify with an SQL error instead of being reported.
  const dangling = await query<{ tx_id: string; seq: string }>(
    `SELECT l.tx_id, l.seq::text AS seq FROM journal_links l
      WHERE l.seq <= $1
        AND NOT EXISTS (SELECT 1 FROM journal k
                         WHERE k.seq = CASE WHEN l.tx_id ~ '^txn_[0-9]{1,18}$' THEN substr(l.tx_id, 5)::bigint END AND k.seq < l.seq)
      ORDER BY l.seq, l.tx_id LIMIT $2`,
    [headSeq, SHOWN],
  );
  for (const row of dangling.rows) problems.push(`journal_links says entry ${row.seq} links to ${row.tx_id}, which is not an earlier entry of the journal`);
  const missing = await query<{ link: string; seq: string }>(
    `SELECT x.link, j.seq::text AS seq FROM journal j CROSS JOIN LATERAL json_array_elements_text(j.content -> 'links') AS x(link)
      WHERE j.seq <= $1 AND NOT EXISTS (SELECT 1 FROM journal_links l WHERE l.tx_id = x.link AND l.seq = j.seq)
      ORDER BY j.seq, x.link LIMIT $2`,
    [headSeq, SHOWN],
  );
  for (const row of missing.rows) problems.push(`entry ${row.seq} links to ${row.link}, but journal_links has no row for it`);
  return problems;
}

const SUMMARY_PAGE = 1000;

const COLUMN_NAMES: Readonly<Record<keyof QueueColumns, string>> = {
  g: 'queue_group',
  e: 'queue_elapsed_minutes',
  rs: 'queue_running_since_ms',
  u: 'queue_unreached',
  du: 'queue_due_at_ms',
  c: 'queue_created_ms',
  f: 'queue_first_reply',
};

interface SummaryRow {
  number: number;
  doc: string;
  g: string | null;
  e: number | null;
  rs: string | null;
  u: boolean | null;
  du: string | null;
  c: string | null;
  f: boolean | null;
}

/** The queue columns of every ticket summary and the groups' facts, against what the summaries say; none when they match. */
export async function queueProblems(query: Query): Promise<string[]> {
  const problems: string[] = [];
  const expected = new Map<string, QueueGroupFacts>();
  const exact = (text: string | null) => (text === null ? null : minorUnits(text));
  for (let after = 0; ;) {
    const { rows } = await query<SummaryRow>(
      `SELECT number, doc::text AS doc, queue_group AS g, queue_elapsed_minutes AS e, queue_running_since_ms::text AS rs, queue_unreached AS u,
              queue_due_at_ms::text AS du, queue_created_ms::text AS c, queue_first_reply AS f
         FROM ticket_summaries WHERE number > $1 ORDER BY number LIMIT ${SUMMARY_PAGE}`,
      [after],
    );
    for (const row of rows) {
      const summary = JSON.parse(row.doc) as TicketSummary;
      const wanted = queueColumns(summary);
      const stored: QueueColumns = { g: row.g, e: row.e, rs: exact(row.rs), u: row.u, du: exact(row.du), c: exact(row.c), f: row.f };
      const differing = (Object.keys(COLUMN_NAMES) as (keyof QueueColumns)[]).filter((column) => stored[column] !== wanted[column]);
      if (differing.length > 0 && problems.length < SHOWN)
        problems.push(
          `ticket_summaries row ${row.number}: ${differing.map((column) => `${COLUMN_NAMES[column]} is ${String(stored[column])}, but its summary says ${String(wanted[column])}`).join('; ')}`,
        );
      if (wanted.g !== null) {
        const facts = memberFacts(summary);
        const before = expected.get(wanted.g);
        expected.set(wanted.g, before ? combineFacts(before, facts) : facts);
      }
    }
    const last = rows[rows.length - 1];
    if (!last) break;
    after = last.number;
  }
  return [...problems, ...groupProblems(await queueGroupsInDatabase(query), expected)];
}

/** Each group's facts as the database folds them against the facts of the tickets that belong to it. */
function groupProblems(stored: ReadonlyMap<string, QueueGroupFacts>, expected: ReadonlyMap<string, QueueGroupFacts>): string[] {
  const problems: string[] = [];
  for (const key of [...new Set([...stored.keys(), ...expected.keys()])].sort()) {
    if (problems.length >= SHOWN) break;
    const kept = stored.get(key);
    const wanted = expected.get(key);
    if (!kept) problems.push(`queue group ${key} holds ${wanted?.count ?? 0} open tickets, but no row of ticket_summaries is filed in it`);
    else if (!wanted) problems.push(`queue group ${key} has ${kept.count} rows of ticket_summaries filed in it, but none of its tickets belongs to it`);
    else {
      const differing = (Object.keys(wanted) as (keyof QueueGroupFacts)[]).filter((fact) => kept[fact] !== wanted[fact]);
      const show = (facts: QueueGroupFacts) => differing.map((fact) => `${fact} ${String(facts[fact])}`).join(', ');
      if (differing.length > 0) problems.push(`queue group ${key}: the database's queue columns give ${show(kept)}, but its tickets give ${show(wanted)}`);
    }
  }
  return problems;
}
