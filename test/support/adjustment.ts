// A balanced adjustment for tests that post to the journal directly: money from the outside world
// straight into an account, as fixtures seed it.

import { SYSTEM_ACCOUNTS, type NewTransaction } from '../../src/domain/ledger.js';

export function adjustment(account: string, amountMinor: number, at: string, currency = 'USD'): NewTransaction {
  return {
    type: 'adjustment',
    at,
    memo: null,
    links: [],
    parties: [],
    postings: [
      { account: SYSTEM_ACCOUNTS.world, currency, amountMinor: -amountMinor },
      { account, currency, amountMinor },
    ],
    details: { initiator: null },
  };
}
