// The operator's record of a completed payout that the receiving bank or wallet sent back: the
// payout's own entries reversed once, the customer told by mail, the operator in the audit log.
// (Agents refund transfers only: src/app/refunds.ts.)

import { AppError } from '../domain/errors.js';
import type { TxId } from '../domain/state.js';
import type { TxView } from '../domain/tx-view.js';
import { payoutReturnedMail } from '../domain/wallet-mails.js';
import { planBounce } from '../domain/withdrawals.js';
import type { RecordsTransaction } from '../store/store.js';
import { audit } from './audit.js';
import type { Actor } from './authenticate.js';
import { visibleEntry } from './history.js';
import type { AppDeps } from './ports.js';
import { viewOf } from './tx-views.js';
import { formatMinor } from './wallet.js';

export interface BounceInput {
  /** The payout's completion, as typed (txn_…). */
  readonly txText: string;
  readonly reason: string;
}

export async function bouncePayout(t: RecordsTransaction, deps: AppDeps, actor: Actor, input: BounceInput): Promise<{ view: TxView; of: TxId }> {
  const nowIso = deps.now().toISOString();
  const completion = (await visibleEntry(t, input.txText, actor.user.id, true)).tx;
  const tx = await t.post(planBounce(completion, await t.refunds.get(completion.id), actor.user.id, input.reason, nowIso));
  const record = tx.details.record;
  const customer = record ? await t.users.get(record.userId) : null;
  if (!record || !customer) throw new AppError('USER_NOT_FOUND', `the customer of the payout ${completion.id} no longer exists`);
  t.mail(payoutReturnedMail(customer, formatMinor(deps, record.amountMinor, record.currency), record.currency, record.methodLabel, input.reason), nowIso);
  audit(t, nowIso, 'payout.bounced', actor.user.id, customer.id, { tx: tx.id, of: completion.id, withdrawal: record.id, reason: input.reason });
  return { view: await viewOf(t, tx, null, [], deps.ref.currencies), of: completion.id };
}
