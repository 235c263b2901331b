// Mails about money: to a customer who received a transfer, an invitation to someone without an
// account who has money waiting for them, and the outcome of a payout.

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

export function payoutMail(user: User, outcome: 'completed' | 'failed', amount: string, currency: string, methodLabel: string, reason: string | null): OutgoingMail {
  const zh = user.language === 'zh';
  const done = outcome === 'completed';
  const subject = done ? (zh ? `提现已完成：${amount} ${currency}` : `Your withdrawal of ${amount} ${currency} is complete`) : zh ? `提现失败：${amount} ${currency}` : `Your withdrawal of ${amount} ${currency} failed`;
  const text = done
    ? zh
      ? `${amount} ${currency} 已发送至 ${methodLabel}。`
      : `${amount} ${currency} was paid out to ${methodLabel}.`
    : zh
      ? `向 ${methodLabel} 的提现未能完成（${reason ?? ''}）。金额和手续费已退回您的余额。`
      : `The payout to ${methodLabel} could not be made (${reason ?? 'the receiving bank refused it'}). The amount and the fee are back in your available balance.`;
  return { to: user.email, userId: user.id, kind: done ? 'payout-completed' : 'payout-failed', language: zh ? 'zh' : 'en', subject, text: `${text}\n\n${zh ? '查看记录：okpay withdraw list\n\n—— OKPay' : 'See your withdrawals: okpay withdraw list\n\n— OKPay'}`, antiPhishingPhrase: user.antiPhishingPhrase };
}

export function returnedTransferMail(sender: User, to: string, amount: string, currency: string): OutgoingMail {
  const zh = sender.language === 'zh';
  return {
    to: sender.email,
    userId: sender.id,
    kind: 'transfer-returned',
    language: zh ? 'zh' : 'en',
    subject: zh ? `转给 ${to} 的款项已退回` : `Your transfer to ${to} came back`,
    text: zh
      ? `${to} 在 30 天内没有领取您的转账。${amount} ${currency}（含手续费）已退回您的余额。\n\n—— OKPay`
      : `${to} did not claim your transfer within 30 days. ${amount} ${currency}, fee included, is back in your balance.\n\n— OKPay`,
    antiPhishingPhrase: sender.antiPhishingPhrase,
  };
}
