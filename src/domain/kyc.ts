// Identity checks: a customer submits a document (kept masked), an agent or an administrator
// approves or rejects it. Approval lifts the customer to the verified limits.

import { fail } from './errors.js';
import type { OutgoingMail } from './mail.js';
import type { User, UserId } from './state.js';

export function submitKyc(user: User, document: { type: string; masked: string }, nowIso: string): User {
  if (user.kyc.status === 'approved') fail('ALREADY_EXISTS', 'your identity is already verified');
  if (user.kyc.status === 'pending') fail('INVALID_TRANSITION', 'your identity check is already waiting for review', 'you will get a mail when it is decided');
  return {
    ...user,
    kyc: { status: 'pending', documentType: document.type, documentMasked: document.masked, submittedAt: nowIso, decidedAt: null, decidedBy: null, reason: null },
  };
}

export function decideKyc(user: User, decision: 'approve' | 'reject', reason: string | null, deciderId: UserId, nowIso: string): User {
  if (user.kyc.status !== 'pending') {
    fail('INVALID_TRANSITION', `${user.email} has no identity check waiting for review (status: ${user.kyc.status})`);
  }
  if (decision === 'reject' && !reason) fail('USAGE', 'a rejection needs a reason the customer can act on', 'pass --reason "…"');
  return { ...user, kyc: { ...user.kyc, status: decision === 'approve' ? 'approved' : 'rejected', decidedAt: nowIso, decidedBy: deciderId, reason } };
}

export function kycDecisionMail(user: User): OutgoingMail {
  const approved = user.kyc.status === 'approved';
  const zh = user.language === 'zh';
  const text = approved
    ? zh
      ? '您的身份验证已通过。现在适用已验证用户的转账和提现限额。'
      : 'Your identity check is approved. The higher limits for verified customers now apply to your transfers and withdrawals.'
    : zh
      ? `您的身份验证未通过，原因：${user.kyc.reason ?? ''}。\n\n您可以修正后重新提交：okpay kyc submit`
      : `Your identity check was not approved: ${user.kyc.reason ?? ''}.\n\nYou can correct this and submit again: okpay kyc submit`;
  return {
    to: user.email,
    userId: user.id,
    kind: approved ? 'kyc-approved' : 'kyc-rejected',
    language: zh ? 'zh' : 'en',
    subject: approved ? (zh ? '身份验证已通过' : 'Your identity is verified') : zh ? '身份验证未通过' : 'Your identity check needs attention',
    text: `${text}\n\n${zh ? '—— OKPay' : '— OKPay'}`,
    antiPhishingPhrase: user.antiPhishingPhrase,
  };
}
