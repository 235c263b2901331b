// What `okpay verify` compares (Maps by key) made from records kept as plain objects by a test.

import { addToTotal, type LiveRecords, type Totals } from '../../src/domain/integrity-check.js';
import type { Posting } from '../../src/domain/ledger.js';
import type { Balances, UnclaimedTransfer, Withdrawal } from '../../src/domain/state.js';

export function liveRecords(records: {
  readonly balances: Balances;
  readonly unclaimed: Readonly<Record<string, UnclaimedTransfer>>;
  readonly withdrawals: Readonly<Record<string, Withdrawal>>;
}): LiveRecords {
  return {
    balances: new Map(Object.entries(records.balances).map(([account, row]) => [account, new Map(Object.entries(row))])),
    unclaimed: new Map(Object.entries(records.unclaimed)),
    withdrawals: new Map(Object.entries(records.withdrawals)),
  };
}

/** Postings added into totals, as verify's replay adds them. */
export function addPostings(totals: Totals, postings: readonly Posting[]): void {
  for (const p of postings) addToTotal(totals, p.account, p.currency, p.amountMinor);
}
