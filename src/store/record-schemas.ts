// Records read back from a store are checked against the schema of their kind before anything
// believes them: a record edited outside okpay, or left by a bug, is refused as damage naming the
// kind, the key and every bad field, instead of surfacing later as a wrong balance or a crash.

import * as v from 'valibot';
import { AppError } from '../domain/errors.js';
import { printable } from '../domain/money.js';
import { checkWithSchema, int, object, problemsText, readonly, record } from '../domain/schema.js';
import {
  balanceRowSchema,
  idempotencyRecordSchema,
  limitWindowSchema,
  sessionSchema,
  storedQuoteSchema,
  unclaimedTransferSchema,
  withdrawalMethodSchema,
  withdrawalSchema,
} from '../domain/state.js';
import { ticketSchema } from '../domain/ticket-record.js';
import { numberCodeLogSchema, userSchema } from '../domain/user.js';
import { mailImportSchema } from '../domain/inbound-mail.js';
import { deliverySchema } from '../domain/mail-delivery.js';
import { ticketSummarySchema } from '../domain/ticket-summary-record.js';
import { queueGroupFactsSchema } from '../domain/queue-group-facts.js';
import { INDEX_KINDS, ORDERED_KINDS, type Kind } from './record-kinds.js';

/** The store's count of users, kept beside the records so that counting never scans them. */
export const countsSchema = readonly(object({ users: v.pipe(int(), v.minValue(0)) }));
export type Counts = v.InferOutput<typeof countsSchema>;

type Schema = Parameters<typeof checkWithSchema>[0];
const INDEX_KIND_SET: ReadonlySet<Kind> = new Set(INDEX_KINDS);

/** An index record: the keys of the records filed under one index key. */
const membersSchema = () => record(v.string(), v.literal(true));

/** A time-ordered index record: each member with its time; the index's list of days (SLOTS_KEY) marks each day true. */
const timedMembersSchema = () => record(v.string(), v.union([v.string(), v.literal(true)]));

/**
 * Each kind's schema, built the first time a record of that kind is read: a command reads records
 * of a few kinds, and building every kind's schema made a good part of each start
 * (docs/BENCHMARKS.md). Index kinds not named here hold members only.
 */
const RECORD_SCHEMAS: Partial<Record<Kind, () => Schema>> = {
  // The open queue keeps a copy of each open ticket's summary, so listing it reads no ticket.
  'open-queue': () => record(v.string(), ticketSummarySchema()),
  'queue-groups': () => record(v.string(), ticketSummarySchema()),
  'queue-directory': () => record(v.string(), queueGroupFactsSchema()),
  'queue-days': () => record(v.string(), queueGroupFactsSchema()),
  // A user's email under their id (the user's id its one member).
  'email-of-user': () => record(v.string(), v.string()),
  'journal-of-user': () => v.array(v.pipe(int(), v.gtValue(0))),
  'journal-links': () => v.array(v.pipe(int(), v.gtValue(0))),
  ...Object.fromEntries(Object.keys(ORDERED_KINDS).map((kind) => [kind, timedMembersSchema])),
  counts: () => countsSchema,
  refunds: () => v.string(),
  summaries: ticketSummarySchema,
  deliveries: deliverySchema,
  users: () => userSchema,
  sessions: () => sessionSchema,
  balances: () => balanceRowSchema,
  quotes: storedQuoteSchema,
  idempotency: idempotencyRecordSchema,
  unclaimed: unclaimedTransferSchema,
  limits: limitWindowSchema,
  methods: withdrawalMethodSchema,
  withdrawals: withdrawalSchema,
  tickets: ticketSchema,
  'mail-imports': mailImportSchema,
  'phone-codes': () => numberCodeLogSchema,
};

const built = new Map<Kind, Schema | undefined>();

/** The schema of a kind's records (undefined: a kind whose records are not checked, such as meta). */
function schemaOf(kind: Kind): Schema | undefined {
  if (!built.has(kind)) built.set(kind, (RECORD_SCHEMAS[kind] ?? (INDEX_KIND_SET.has(kind) ? membersSchema : undefined))?.());
  return built.get(kind);
}

/**
 * Records already found to match, by identity: a store's source hands back the same object for a
 * record read again in one transaction (a batch reads its payer thousands of times), and nothing
 * changes a record read back (a change is a new object put into the transaction).
 */
const matched = new WeakSet<object>();

/** The record as read, once it matches its kind's schema; STORE_CORRUPT naming every bad field otherwise. */
export function checkedRecord(kind: Kind, key: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  const schema = schemaOf(kind);
  if (schema === undefined) return value;
  if (typeof value === 'object' && matched.has(value)) return value;
  const result = checkWithSchema(schema, value);
  if (result.ok) {
    if (typeof value === 'object') matched.add(value);
    return value;
  }
  throw new AppError('STORE_CORRUPT', `the store's ${kind} record ${printable(key)} is damaged: ${problemsText(result.problems)}`, {
    hint: 'it was left untouched; restore the store from a backup, or run `okpay verify` to see what is wrong',
  });
}
