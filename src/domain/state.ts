// The records the store keeps: plain data, no behaviour. The store persists them by key; the domain
// reads them and returns changes. Everything that grows with history (journal, audit log) lives
// outside them.

import * as v from 'valibot';
import type { MinorUnits } from './money.js';
import { int, object, onFirstUse, readonly, record } from './schema.js';

export type { Language } from './language.js';

export type { AccountLock, AgentProfile, Kyc, KycStatus, LockReason, RecoveryCode, Role, TokenRecord, TwoFactor, TxId, User, UserId } from './user.js';

// Each record is a schema, and its type is inferred from it: the store checks every record it reads
// back against the schema of its kind (store/record-schemas.ts), so a field's type and its check
// cannot drift apart. The schemas of records that not every command reads are built on first use
// (onFirstUse in schema.ts).

const minor = int();
const text = v.string();
const optionalText = v.nullable(v.string());

export const sessionSchema = readonly(
  object({
    userId: text,
    createdAt: text,
    lastSeenAt: text,
    /** Set when a lock ended the session: it then answers with the lock's explanation, not "expired". */
    endedByLockAt: v.optional(text),
  }),
);
export type Session = v.InferOutput<typeof sessionSchema>;

/** A chain head: the last sequence number committed, its hash, and the byte size of the
 * segment file that holds it (a cheap check on open that nothing was written after it). */
const chainHeadSchema = readonly(object({ seq: v.pipe(int(), v.minValue(0)), hash: text, bytes: v.pipe(int(), v.minValue(0)) }));
export type ChainHead = v.InferOutput<typeof chainHeadSchema>;

/** The store's own record: checked when a store's root is read back (store/split-layout.ts). */
export const storeMetaSchema = readonly(
  object({
    createdAt: text,
    /** Entries per journal and audit segment file; fixed for the life of a store. */
    segmentSize: v.pipe(int(), v.gtValue(0)),
    /** Set when fixtures were loaded: enables tester-only commands such as `dev otp`. */
    testStore: v.boolean(),
    journal: chainHeadSchema,
    audit: chainHeadSchema,
    mailSeq: v.pipe(int(), v.minValue(0)),
    ticketSeq: v.pipe(int(), v.minValue(0)),
  }),
);
export type StoreMeta = v.InferOutput<typeof storeMetaSchema>;

/** One account's balances: currency → signed minor units; see ledger.ts for the account names. */
export const balanceRowSchema = record(text, minor);
/** balances[account][currency] = signed minor units. */
export type Balances = Record<string, Record<string, MinorUnits>>;

const WITHDRAWAL_STATUSES = ['requested', 'processing', 'completed', 'failed', 'cancelled', 'returned'] as const;
export type WithdrawalStatus = (typeof WITHDRAWAL_STATUSES)[number];
const methodType = () => v.picklist(['bank', 'ewallet']);

export const withdrawalMethodSchema = onFirstUse(() =>
  readonly(
    object({
      id: text,
      userId: text,
      type: methodType(),
      /** What people see: holder or provider and a masked number, e.g. "Ada Lovelace •••• 4321". */
      label: text,
      holder: optionalText,
      iban: optionalText,
      accountNumber: optionalText,
      routingNumber: optionalText,
      country: optionalText,
      provider: optionalText,
      walletAccount: optionalText,
      createdAt: text,
      removedAt: optionalText,
    }),
  ),
);
export type WithdrawalMethod = v.InferOutput<ReturnType<typeof withdrawalMethodSchema>>;

const feeLineSchema = onFirstUse(() => readonly(object({ code: text, label: text, amountMinor: minor })));
export type FeeLineRecord = v.InferOutput<ReturnType<typeof feeLineSchema>>;
const feeLines = onFirstUse(() => readonly(v.array(feeLineSchema())));

export const withdrawalSchema = onFirstUse(() =>
  readonly(
    object({
      id: text,
      userId: text,
      methodId: text,
      methodType: methodType(),
      methodLabel: text,
      amountMinor: minor,
      currency: text,
      feeMinor: minor,
      feeLines: feeLines(),
      status: v.picklist(WITHDRAWAL_STATUSES),
      requestedAt: text,
      /**
       * When processing may start: the next opening of the payout region after the request, fixed
       * when it is requested (absent on withdrawals requested before this field existed).
       */
      processingFrom: v.optional(text),
      processingAt: optionalText,
      expectedBy: text,
      finishedAt: optionalText,
      failureReason: optionalText,
      holdTxId: text,
      quoteId: optionalText,
      /** What the payout counted against the user's limits; given back if it fails or is cancelled. */
      outgoingUsdMinor: minor,
    }),
  ),
);
export type Withdrawal = v.InferOutput<ReturnType<typeof withdrawalSchema>>;

/**
 * The earliest moment settlement may move a withdrawal in flight on: a requested one from the
 * moment its processing may start (from its request when that was not recorded), a processing one
 * from its expected arrival. A fixed instant of the record, so stores can index it, and settlement
 * reads no withdrawal that is waiting for its payout region to open.
 */
export function settleDueAt(withdrawal: Withdrawal): string {
  return withdrawal.status === 'processing' ? withdrawal.expectedBy : (withdrawal.processingFrom ?? withdrawal.requestedAt);
}

export const storedQuoteSchema = onFirstUse(() =>
  readonly(
    object({
      id: text,
      userId: text,
      kind: v.picklist(['transfer', 'withdrawal']),
      /** Canonical description of the request the quote prices; a transfer must match it. */
      request: readonly(record(text, optionalText)),
      amountMinor: minor,
      currency: text,
      feeMinor: minor,
      feeLines: feeLines(),
      scope: optionalText,
      midRate: text,
      rate: text,
      receiveAmountMinor: minor,
      receiveCurrency: text,
      createdAt: text,
      expiresAt: text,
      usedBy: optionalText,
    }),
  ),
);
export type StoredQuote = v.InferOutput<ReturnType<typeof storedQuoteSchema>>;

export const idempotencyRecordSchema = onFirstUse(() => readonly(object({ fingerprint: text, txId: text, expiresAt: text })));
export type IdempotencyRecord = v.InferOutput<ReturnType<typeof idempotencyRecordSchema>>;

export const unclaimedTransferSchema = onFirstUse(() =>
  readonly(
    object({
      txId: text,
      senderId: text,
      toEmail: optionalText,
      toPhone: optionalText,
      amountMinor: minor,
      currency: text,
      feeMinor: minor,
      receiveAmountMinor: minor,
      receiveCurrency: text,
      createdAt: text,
      expiresAt: text,
      /** What the transfer counted against the sender's limits; given back if it returns. */
      outgoingUsdMinor: minor,
    }),
  ),
);
export type UnclaimedTransfer = v.InferOutput<ReturnType<typeof unclaimedTransferSchema>>;

/**
 * What a user sent per UTC day, { "2026-11-22": usdMinor, … } with days in ascending order: day
 * buckets keep the state small however busy the user is. (Schema 1 held a list of { day, usdMinor }.)
 */
export const limitWindowSchema = onFirstUse(() => readonly(record(text, minor)));
export type LimitWindow = v.InferOutput<ReturnType<typeof limitWindowSchema>>;

export const GENESIS_HASH = '0'.repeat(64);

/** The facts of a store that holds nothing yet. */
export function emptyMeta(nowIso: string, segmentSize = 1000): StoreMeta {
  return {
    createdAt: nowIso,
    segmentSize,
    testStore: false,
    journal: { seq: 0, hash: GENESIS_HASH, bytes: 0 },
    audit: { seq: 0, hash: GENESIS_HASH, bytes: 0 },
    mailSeq: 0,
    ticketSeq: 0,
  };
}
