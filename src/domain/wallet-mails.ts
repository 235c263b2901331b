// Mails about money: to a customer who received a transfer, an invitation to someone without an
// account who has money waiting for them, and the outcome of a payout.

import type { Language } from './language.js';
import type { OutgoingMail } from './mail.js';
import { MAIL_TEXTS, mailTo } from './mail-texts/index.js';
import type { User } from './state.js';

export function paymentReceivedMail(recipient: User, from: string, amount: string, currency: string, memo: string | null): OutgoingMail {
  return mailTo(recipient, 'payment-received', (texts) => texts.paymentReceived({ from, amount, currency }, memo));
}

/** To an address without an account: nobody chose a language there, so the caller guesses one. */
export function moneyWaitingMail(to: string, from: string, amount: string, currency: string, expiresAt: string, language: Language = 'en'): OutgoingMail {
  const texts = MAIL_TEXTS[language];
  const { subject, text } = texts.moneyWaiting({ from, amount, currency }, to, expiresAt.slice(0, 10));
  return { to, userId: null, kind: 'money-waiting', language, subject, text: `${text}\n\n${texts.signature}`, antiPhishingPhrase: null };
}

export function payoutMail(
  user: User,
  outcome: 'completed' | 'failed',
  amount: string,
  currency: string,
  methodLabel: string,
  reason: string | null,
): OutgoingMail {
  const payout = { amount, currency, methodLabel };
  if (outcome === 'completed') return mailTo(user, 'payout-completed', (texts) => texts.payoutCompleted(payout));
  return mailTo(user, 'payout-failed', (texts) => texts.payoutFailed(payout, reason));
}

/** A completed payout that came back: the failed-payout text, which says the money is back. */
export function payoutReturnedMail(user: User, amount: string, currency: string, methodLabel: string, reason: string): OutgoingMail {
  return mailTo(user, 'payout-returned', (texts) => texts.payoutFailed({ amount, currency, methodLabel }, reason));
}

export function returnedTransferMail(sender: User, to: string, amount: string, currency: string): OutgoingMail {
  return mailTo(sender, 'transfer-returned', (texts) => texts.transferReturned(to, amount, currency));
}

/** To the payee of a transfer that support refunded to the payer. */
export function paymentRefundedMail(payee: User, from: string, amount: string, currency: string, txId: string): OutgoingMail {
  return mailTo(payee, 'payment-refunded', (texts) => texts.paymentRefunded({ from, amount, currency }, txId));
}
