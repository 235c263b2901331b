// The service's mails in English.

import { passwordAloneUnlocks, type MailTexts, type SecurityChange } from './types.js';

const SECURITY_CHANGE: Readonly<Record<SecurityChange, string>> = {
  password: 'Your OKPay password was changed',
  '2fa-on': 'Two-step verification is on',
  '2fa-off': 'Two-step verification was turned off',
  'recovery-codes': 'New two-step recovery codes were made (the old ones no longer work)',
};

/** The self-lock notice's warning when the password alone lifts the lock (passwordAloneUnlocks). */
const PASSWORD_ALONE_UNLOCKS =
  'Without two-step verification your password alone lifts this lock, for anyone who knows it: if someone else may, ask support to lock the account instead (okpay support), and once you are back in, change your password (okpay password change) and turn on two-step verification (okpay 2fa enable).';

export const en: MailTexts = {
  signature: '— OKPay\nWe never ask for your password or codes by mail. If a message asks for them, it is not from us.',

  activation: (token) => ({
    subject: 'Activate your OKPay account',
    text: `Welcome to OKPay.\n\nTo activate your account, run:\n\n  okpay activate ${token}\n\nIt asks for the password you chose when you registered (a script passes it on standard input with --password-stdin). The token works once and expires in 24 hours. If you did not sign up, ignore this mail: without that password the token opens nothing, and the account stays inactive.`,
  }),
  registrationAttempt: (address, email) => ({
    subject: 'Someone tried to open an OKPay account with your details',
    text: `Someone tried to open a new OKPay account with ${address}, which already belongs to your account. Nothing was created and nothing on your account changed.\n\nIf it was you, sign in (okpay login --email ${email}) or reset your password (okpay password reset --email ${email}). If not, you need do nothing.`,
  }),
  passwordReset: (token) => ({
    subject: 'Reset your OKPay password',
    text: `Someone asked to reset the password of this account. If it was you, run:\n\n  okpay password reset --token ${token}\n\nThe token works once and expires in one hour. If it was not you, ignore this mail: your password stays as it is.`,
  }),
  lockedAfterFailures: (lock, token, explanation) => ({
    subject: 'Your OKPay account was locked',
    text: `We locked your account because of too many failed sign-ins: ${explanation.message}.\n\nIf it was you, unlock it with this token and your password${lock.twoFactor ? ', plus a code from your authenticator app' : ''}:\n\n  okpay unlock --email ${lock.email} --token ${token}\n\nThe token expires in 24 hours. If it was not you, someone may know your email address: after unlocking, change your password (okpay password change) and turn on two-step verification (okpay 2fa enable).`,
  }),
  lockNotice: (lock, explanation) => ({
    subject: 'Your OKPay account is locked',
    text: `${explanation.message.charAt(0).toUpperCase()}${explanation.message.slice(1)}.\n\nWhile it is locked, no money can leave the account and nobody can sign in.\n\nHow to unlock it: ${explanation.hint}.${passwordAloneUnlocks(lock) ? `\n\n${PASSWORD_ALONE_UNLOCKS}` : ''}`,
  }),
  unlocked: {
    subject: 'Your OKPay account is unlocked',
    text: 'Your account is unlocked: you can sign in and send money again. If you did not do this, contact support at once.',
  },
  securityChange: (change, email) => ({
    subject: SECURITY_CHANGE[change],
    text: `${SECURITY_CHANGE[change]} for ${email}. Your other sessions were signed out.\n\nIf you did not do this, reset your password now (okpay password reset --email ${email}) and contact support.`,
  }),

  paymentReceived: ({ from, amount, currency }, memo) => ({
    subject: `You received ${amount} ${currency}`,
    text: `${from} sent you ${amount} ${currency}${memo ? ` with the note "${memo}"` : ''}.\n\nSee your balance: okpay balance`,
  }),
  moneyWaiting: ({ from, amount, currency }, to, until) => ({
    subject: `${from} sent you ${amount} ${currency} with OKPay`,
    text: `${from} sent you ${amount} ${currency}. The money waits for you until ${until}; after that it goes back to the sender.\n\nTo receive it, open an OKPay account with this address:\n\n  okpay register --email ${to} --accept-terms\n\nThe money lands in your wallet as soon as the account is activated.`,
  }),
  payoutCompleted: ({ amount, currency, methodLabel }) => ({
    subject: `Your withdrawal of ${amount} ${currency} is complete`,
    text: `${amount} ${currency} was paid out to ${methodLabel}.\n\nSee your withdrawals: okpay withdraw list`,
  }),
  payoutFailed: ({ amount, currency, methodLabel }, reason) => ({
    subject: `Your withdrawal of ${amount} ${currency} failed`,
    text: `The payout to ${methodLabel} could not be made (${reason ?? 'the receiving bank refused it'}). The amount and the fee are back in your available balance.\n\nSee your withdrawals: okpay withdraw list`,
  }),
  transferReturned: (to, amount, currency) => ({
    subject: `Your transfer to ${to} came back`,
    text: `${to} did not claim your transfer within 30 days. ${amount} ${currency}, fee included, is back in your balance.`,
  }),
  paymentRefunded: ({ from, amount, currency }, txId) => ({
    subject: `A payment you received was refunded`,
    text: `Support refunded ${txId} to ${from} after a dispute: ${amount} ${currency} went back to them from your balance.\n\nSee it in your history: okpay history --type refund. Think this is wrong? Open a ticket with okpay ticket new --tx ${txId}`,
  }),
  phoneCode: (code, minutes) => ({
    subject: 'OKPay code',
    text: `OKPay: ${code} is your code to verify this phone number. It expires in ${minutes} minutes. Never share it: OKPay never asks for it.`,
  }),

  kycApproved: {
    subject: 'Your identity is verified',
    text: 'Your identity check is approved. The higher limits for verified customers now apply to your transfers and withdrawals.',
  },
  kycRejected: (reason) => ({
    subject: 'Your identity check needs attention',
    text: `Your identity check was not approved: ${reason}.\n\nYou can correct this and submit again: okpay kyc submit`,
  }),

  ticket: {
    status: { new: 'new', open: 'open', pending: 'waiting for your reply', 'on-hold': 'on hold', solved: 'solved', closed: 'closed', merged: 'merged' },
    signature: '— OKPay support\nWe never ask for your password or one-time codes. A message that does is not from us.',
    receivedSubject: (n, subject) => `[OKPay #${n}] We have your request: ${subject}`,
    received: (n, expected, relatedTo) =>
      `Thank you for contacting OKPay support. Your request is ticket #${n}${relatedTo === null ? '' : ` (it follows up ticket #${relatedTo})`}.` +
      `${expected === null ? '' : `\n\nYou can expect a first answer by ${expected}.`}\n\nPlease do not send the same request again: a repeat does not make the answer come sooner.`,
    replySubject: (n, subject) => `[OKPay #${n}] New answer: ${subject}`,
    reply: (n, body, status) => `A support agent answered your ticket #${n}:\n\n${body}\n\nThe ticket is now ${status}.`,
    statusSubject: (n, status, subject) => `[OKPay #${n}] Ticket ${status}: ${subject}`,
    statusText: (n, to, mergedInto) =>
      ({
        open: `Your ticket #${n} is open and an agent is working on it.`,
        pending: `We are waiting for your reply on ticket #${n}. The ticket stays open for you.`,
        'on-hold': `Ticket #${n} is on hold while we wait for a third party, such as a bank or another payment provider. We will write as soon as there is news.`,
        solved: `We marked ticket #${n} as solved. If something is still wrong, reply and the ticket opens again; without a reply it closes after 7 days.\n\nTell us how we did: okpay ticket rate ${n} --score 1-5`,
        closed: `Ticket #${n} is closed. If you reply to it, we open a new ticket linked to this one.`,
        merged: `Ticket #${n} was merged into ticket #${mergedInto ?? '?'}, which carries on the conversation. Please reply there.`,
      })[to],
    replyHint: (n) => `To answer: okpay ticket reply ${n} --body "…"\nTo read the whole conversation: okpay ticket show ${n}`,
  },
};
