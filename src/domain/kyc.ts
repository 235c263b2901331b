// Identity checks: a customer submits a document (kept masked), an agent or an administrator
// approves or rejects it. Approval lifts the customer to the verified limits.

import { AppError } from './errors.js';
import type { OutgoingMail } from './mail.js';
import { mailTo } from './mail-texts/index.js';
import type { User, UserId } from './state.js';

export function submitKyc(user: User, document: { type: string; masked: string }, nowIso: string): User {
  if (user.kyc.status === 'approved') throw new AppError('ALREADY_EXISTS', 'your identity is already verified');
  if (user.kyc.status === 'pending')
    throw new AppError('INVALID_TRANSITION', 'your identity check is already waiting for review', { hint: 'you will get a mail when it is decided' });
  return {
    ...user,
    kyc: {
      status: 'pending',
      documentType: document.type,
      documentMasked: document.masked,
      submittedAt: nowIso,
      decidedAt: null,
      decidedBy: null,
      reason: null,
    },
  };
}

/** What an identity check vouches for, with the flag of `profile set` that changes it. */
const IDENTITY_FIELDS = { name: '--name', idNumberMasked: '--id-number', country: '--country' } as const;
type IdentityField = keyof typeof IDENTITY_FIELDS;

/**
 * Once an identity check is approved (or waiting for review), the name, ID number and country it
 * vouches for are no longer the customer's to change: the verified limits and the transfer fee's
 * scope rest on them. A value equal to the current one is no change.
 */
export function assertIdentityEditable(user: User, changes: Partial<Pick<User, IdentityField>>): void {
  if (user.kyc.status !== 'approved' && user.kyc.status !== 'pending') return;
  const flags = (Object.keys(IDENTITY_FIELDS) as IdentityField[])
    .filter((field) => field in changes && changes[field] !== user[field])
    .map((field) => IDENTITY_FIELDS[field]);
  if (flags.length === 0) return;
  if (user.kyc.status === 'pending')
    throw new AppError('INVALID_TRANSITION', `your identity check is waiting for review, so ${flags.join(', ')} cannot be changed now`, {
      hint: 'wait for the decision mail; to change verified details afterwards, open a ticket: `okpay ticket new --category identity …`',
    });
  throw new AppError('INVALID_TRANSITION', `your identity is verified, so ${flags.join(', ')} cannot be changed with \`profile set\``, {
    hint: 'open a ticket to change verified details: `okpay ticket new --category identity --subject "…"`',
  });
}

export function decideKyc(user: User, decision: 'approve' | 'reject', reason: string | null, deciderId: UserId, nowIso: string): User {
  if (user.kyc.status !== 'pending') {
    throw new AppError('INVALID_TRANSITION', `${user.email} has no identity check waiting for review (status: ${user.kyc.status})`);
  }
  if (decision === 'reject' && !reason) throw new AppError('USAGE', 'a rejection needs a reason the customer can act on', { hint: 'pass --reason "…"' });
  return { ...user, kyc: { ...user.kyc, status: decision === 'approve' ? 'approved' : 'rejected', decidedAt: nowIso, decidedBy: deciderId, reason } };
}

export function kycDecisionMail(user: User): OutgoingMail {
  if (user.kyc.status === 'approved') return mailTo(user, 'kyc-approved', (texts) => texts.kycApproved);
  return mailTo(user, 'kyc-rejected', (texts) => texts.kycRejected(user.kyc.reason ?? ''));
}
