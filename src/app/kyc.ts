// Identity checks: a customer submits a document (kept masked); an agent or an administrator
// approves or rejects it, and the customer is told by mail.

import { AppError } from '../domain/errors.js';
import { decideKyc, kycDecisionMail, submitKyc } from '../domain/kyc.js';
import { remainingAllowance, windowUsdMinor, type Allowance } from '../domain/limits.js';
import type { User } from '../domain/state.js';
import type { Records } from '../store/records.js';
import type { RecordsTransaction } from '../store/store.js';
import { audit } from './audit.js';
import type { Actor } from './authenticate.js';
import type { AppDeps } from './ports.js';
import { userByEmail } from './users.js';

/** `kyc submit`: a validated, masked document waits for review. */
export async function submitDocument(t: RecordsTransaction, deps: AppDeps, actor: Actor, document: { type: string; masked: string }): Promise<User> {
  const nowIso = deps.now().toISOString();
  const updated = submitKyc(actor.user, document, nowIso);
  t.users.put(updated);
  audit(t, nowIso, 'kyc.submitted', actor.user.id, actor.user.id, { documentType: document.type });
  return updated;
}

/** `kyc status`: the check, and the limits that apply with what is left of them. */
export async function kycStatus(t: Records, deps: AppDeps, actor: Actor): Promise<{ user: User; allowance: Allowance }> {
  const window = await t.limits.get(actor.user.id);
  const windowUsd = windowUsdMinor(window, deps.now().getTime());
  return { user: actor.user, allowance: remainingAllowance({ verified: actor.user.kyc.status === 'approved', windowUsdMinor: windowUsd }, deps.ref.limits) };
}

/** `agent|admin kyc approve|reject EMAIL`: nobody decides their own check. */
export async function decideDocument(
  t: RecordsTransaction,
  deps: AppDeps,
  actor: Actor,
  email: string,
  decision: 'approve' | 'reject',
  reason: string | null,
): Promise<User> {
  const customer = await userByEmail(t, email);
  if (customer.id === actor.user.id) throw new AppError('FORBIDDEN', 'you cannot decide your own identity check');
  const nowIso = deps.now().toISOString();
  const updated = decideKyc(customer, decision, reason, actor.user.id, nowIso);
  t.users.put(updated);
  t.mail(kycDecisionMail(updated), nowIso);
  audit(t, nowIso, `kyc.${decision === 'approve' ? 'approved' : 'rejected'}`, actor.user.id, customer.id, { reason });
  return updated;
}
