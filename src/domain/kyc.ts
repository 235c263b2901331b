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
