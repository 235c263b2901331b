// Money that waited for an account (activate, profile verify-phone): what landed, and what could
// not (the account has no room for it) and so keeps waiting until it goes back to its sender.

import type { Claims } from '../app/wallet.js';
import type { Context } from './context.js';
import { formatMoney } from './money-flags.js';

export function claimsDocument(ctx: Context, claims: Claims) {
  return {
    claimed: claims.claimed.map((tx) => tx.id),
    stillWaiting: claims.stillWaiting.map(({ item, refusal }) => ({
      transaction: item.txId,
      amount: formatMoney(ctx, item.receiveAmountMinor, item.receiveCurrency),
      currency: item.receiveCurrency,
      returnsAt: item.expiresAt,
      code: refusal.code,
      reason: refusal.message,
    })),
  };
}

export function warnStillWaiting(ctx: Context, claims: Claims): void {
  for (const { item, refusal } of claims.stillWaiting)
    ctx.out.warn(
      `${formatMoney(ctx, item.receiveAmountMinor, item.receiveCurrency)} ${item.receiveCurrency} sent to you (${item.txId}) could not land: ${refusal.message}. ` +
        `It goes back to its sender after ${ctx.out.time(item.expiresAt)}.`,
    );
}
