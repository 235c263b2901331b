// The records the store keeps: plain data, no behaviour. The store persists them by key; the domain
// reads them and returns changes. Everything that grows with history (journal, audit log) lives
// outside them.

import type { MinorUnits } from './money.js';
import type { TxId, UserId } from './user.js';

export type { Language } from './language.js';

export type { AccountLock, AgentProfile, Kyc, KycStatus, LockReason, RecoveryCode, Role, TokenRecord, TwoFactor, TxId, User, UserId } from './user.js';

export interface Session {
  readonly userId: UserId;
  readonly createdAt: string;
  readonly lastSeenAt: string;
  /** Set when a lock ended the session: it then answers with the lock's explanation, not "expired". */
  readonly endedByLockAt?: string;
}

/** A chain head: the last sequence number committed, its hash, and the byte size of the
 * segment file that holds it (a cheap check on open that nothing was written after it). */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
  readonly bytes: number;
}

export interface StoreMeta {
  readonly createdAt: string;
  /** Entries per journal and audit segment file; fixed for the life of a store. */
  readonly segmentSize: number;
  /** Set when fixtures were loaded: enables tester-only commands such as `dev otp`. */
  readonly testStore: boolean;
  readonly journal: ChainHead;
  readonly audit: ChainHead;
  readonly mailSeq: number;
  readonly ticketSeq: number;
}

/** balances[account][currency] = signed minor units; see ledger.ts for the account names. */
export type Balances = Record<string, Record<string, MinorUnits>>;

export type WithdrawalStatus = 'requested' | 'processing' | 'completed' | 'failed' | 'cancelled' | 'returned';

export interface WithdrawalMethod {
  readonly id: string;
  readonly userId: UserId;
  readonly type: 'bank' | 'ewallet';
  /** What people see: holder or provider and a masked number, e.g. "Ada Lovelace •••• 4321". */
  readonly label: string;
  readonly holder: string | null;
  readonly iban: string | null;
  readonly accountNumber: string | null;
  readonly routingNumber: string | null;
  readonly country: string | null;
  readonly provider: string | null;
  readonly walletAccount: string | null;
  readonly createdAt: string;
  readonly removedAt: string | null;
}

export interface Withdrawal {
  readonly id: string;
  readonly userId: UserId;
  readonly methodId: string;
  readonly methodType: 'bank' | 'ewallet';
  readonly methodLabel: string;
  readonly amountMinor: MinorUnits;
  readonly currency: string;
  readonly feeMinor: MinorUnits;
  readonly feeLines: readonly FeeLineRecord[];
  readonly status: WithdrawalStatus;
  readonly requestedAt: string;
  readonly processingAt: string | null;
  readonly expectedBy: string;
  readonly finishedAt: string | null;
  readonly failureReason: string | null;
  readonly holdTxId: TxId;
  readonly quoteId: string | null;
  /** What the payout counted against the user's limits; given back if it fails or is cancelled. */
  readonly outgoingUsdMinor: MinorUnits;
}

export interface FeeLineRecord {
  readonly code: string;
  readonly label: string;
  readonly amountMinor: MinorUnits;
}

export interface StoredQuote {
  readonly id: string;
  readonly userId: UserId;
  readonly kind: 'transfer' | 'withdrawal';
  /** Canonical description of the request the quote prices; a transfer must match it. */
  readonly request: Readonly<Record<string, string | null>>;
  readonly amountMinor: MinorUnits;
  readonly currency: string;
  readonly feeMinor: MinorUnits;
  readonly feeLines: readonly FeeLineRecord[];
  readonly scope: string | null;
  readonly midRate: string;
  readonly rate: string;
  readonly receiveAmountMinor: MinorUnits;
  readonly receiveCurrency: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly usedBy: TxId | null;
}

export interface IdempotencyRecord {
  readonly fingerprint: string;
  readonly txId: TxId;
  readonly expiresAt: string;
}

export interface UnclaimedTransfer {
  readonly txId: TxId;
  readonly senderId: UserId;
  readonly toEmail: string | null;
  readonly toPhone: string | null;
  readonly amountMinor: MinorUnits;
  readonly currency: string;
  readonly feeMinor: MinorUnits;
  readonly receiveAmountMinor: MinorUnits;
  readonly receiveCurrency: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** What the transfer counted against the sender's limits; given back if it returns. */
  readonly outgoingUsdMinor: MinorUnits;
}

/**
 * What a user sent per UTC day, { "2026-11-22": usdMinor, … } with days in ascending order: day
 * buckets keep the state small however busy the user is. (Schema 1 held a list of { day, usdMinor }.)
 */
export type LimitWindow = Readonly<Record<string, MinorUnits>>;

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
