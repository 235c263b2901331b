// What `okpay verify` checks of the journal_links table (the index of links that follow-ups are read
// from) against the journal itself, row by row, as the file store's verify compares its index of
// links with the links its entries name: each row's linking entry exists and names the linked
// transaction, that transaction is an earlier entry (a link always points back), and every link an
// entry names has its row. All of it in SQL, a few rows of each kind reported.

import type { Query } from './pg-records.js';

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
