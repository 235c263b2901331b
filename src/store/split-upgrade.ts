// The upgrade of a schema-2 store (one state.json beside the journal, audit log, per-user journal
// index and outbox) to the split store: every record of the state, with its indexes, as the
// changes of one first commit. Journal, audit and outbox files are the same in both layouts.

import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { TicketSummary } from '../domain/ticket-summary.js';
import type { Ticket } from '../domain/ticket-record.js';
import { corrupt, errnoOf, parseStoreJson, readTextIfExists, unavailable } from './durable-file.js';
import { RecordView, type Changes, type RecordSource } from './record-view.js';
import type { Schema2State } from './schema2-state.js';

const NOTHING: RecordSource = {
  get: async () => undefined,
  scan: async function* () {
    // A new store holds nothing yet.
  },
};

/** Every record of a schema-2 state; tickets stored before summaries existed get theirs from `summarize`. */
export async function recordsOfState(
  state: Schema2State,
  seqsByUser: ReadonlyMap<string, number[]>,
  links: ReadonlyMap<string, number[]>,
  summarize: (ticket: Ticket) => TicketSummary | Promise<TicketSummary>,
): Promise<Changes> {
  const view = new RecordView(NOTHING);
  const put = (kind: Parameters<RecordView['put']>[0], records: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(records)) view.put(kind, key, value);
  };
  put('users', state.users);
  put('sessions', state.sessions);
  put('balances', state.balances);
  put('quotes', state.quotes);
  // Both layouts key an idempotency record by `${userId}:${key}`.
  put('idempotency', state.idempotency);
  put('unclaimed', state.unclaimed);
  put('refunds', state.refunds);
  put('limits', state.limitWindows);
  put('methods', state.methods);
  put('withdrawals', state.withdrawals);
  put('tickets', state.tickets);
  for (const [number, ticket] of Object.entries(state.tickets)) view.put('summaries', number, state.ticketSummaries?.[number] ?? (await summarize(ticket)));
  // The old index may name entries of a commit that was rolled back after it was written.
  for (const [userId, seqs] of seqsByUser)
    view.put(
      'journal-of-user',
      userId,
      seqs.filter((seq) => seq <= state.meta.journal.seq),
    );
  for (const [txId, seqs] of links) view.put('journal-links', txId, seqs);
  return view.changes();
}

/** The schema-2 per-user journal index: index/<2 hex>.json files of { users: { userId: seqs } }. */
export async function readSchema2Index(directory: string): Promise<Map<string, number[]>> {
  const indexDirectory = path.join(directory, 'index');
  let names: string[];
  try {
    names = readdirSync(indexDirectory).filter((n) => /^[0-9a-f]{2}\.json$/.test(n));
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return new Map();
    throw unavailable(indexDirectory, error);
  }
  const byUser = new Map<string, number[]>();
  for (const name of names) {
    const file = path.join(indexDirectory, name);
    const data = parseStoreJson<{ users?: unknown }>((await readTextIfExists(file)) ?? '', file);
    if (data.users === null || typeof data.users !== 'object' || Array.isArray(data.users)) throw corrupt(file, 'it is not a journal index');
    for (const [userId, seqs] of Object.entries(data.users as Record<string, unknown>)) {
      if (!Array.isArray(seqs) || !seqs.every((s) => Number.isSafeInteger(s))) throw corrupt(file, `the entry of ${userId} is not a list of journal numbers`);
      byUser.set(
        userId,
        [...new Set(seqs as number[])].sort((a, b) => a - b),
      );
    }
  }
  return byUser;
}
