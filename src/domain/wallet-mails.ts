// Mails about money arriving: to a customer who received a transfer, and an invitation to
// someone without an account who has money waiting for them.

import type { OutgoingMail } from './mail.js';
import type { User } from './state.js';

export function paymentReceivedMail(recipient: User, from: string, amount: string, currency: string, memo: string | null): OutgoingMail {
  const zh = recipient.language === 'zh';
  return {
    to: recipient.email,
    userId: recipient.id,
    kind: 'payment-received',
    language: zh ? 'zh' : 'en',
    subject: zh ? `您收到了 ${amount} ${currency}` : `You received ${amount} ${currency}`,
    text: zh
      ? `${from} 向您转账 ${amount} ${currency}${memo ? `，附言：${memo}` : ''}。\n\n查看余额：okpay balance\n\n—— OKPay`
      : `${from} sent you ${amount} ${currency}${memo ? ` with the note "${memo}"` : ''}.\n\nSee your balance: okpay balance\n\n— OKPay`,
    antiPhishingPhrase: recipient.antiPhishingPhrase,
  };
}

export function moneyWaitingMail(to: string, from: string, amount: string, currency: string, expiresAt: string): OutgoingMail {
  return {
    to,
    userId: null,
    kind: 'money-waiting',
    language: 'en',
    subject: `${from} sent you ${amount} ${currency} with OKPay`,
    text: `${from} sent you ${amount} ${currency}. The money waits for you until ${expiresAt.slice(0, 10)}; after that it goes back to the sender.\n\nTo receive it, open an OKPay account with this address:\n\n  okpay register --email ${to} --accept-terms\n\nThe money lands in your wallet as soon as the account is activated.\n\n— OKPay\nWe never ask for your password or codes by mail.`,
    antiPhishingPhrase: null,
  };
}
