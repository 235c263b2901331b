// The mails of account security: activation, password reset, lock notices, and notices of
// changes a user should hear about (so an intruder's change does not go unnoticed).

import type { LockExplanation } from './accounts.js';
import type { Language } from './language.js';
import type { OutgoingMail } from './mail.js';
import type { User } from './state.js';

type Text = { subject: string; text: string };
type Localized = Partial<Record<Language, Text>> & { en: Text };

const SIGNATURE: Record<'en' | 'zh', string> = {
  en: '— OKPay\nWe never ask for your password or codes by mail. If a message asks for them, it is not from us.',
  zh: '—— OKPay\n我们绝不会通过邮件索要您的密码或验证码。如有邮件索要，那不是我们发的。',
};

function pick(user: User, texts: Localized): { language: Language; text: Text } {
  const language = user.language ?? 'en';
  const text = texts[language];
  return text ? { language, text } : { language: 'en', text: texts.en };
}

function compose(user: User, kind: string, texts: Localized): OutgoingMail {
  const { language, text } = pick(user, texts);
  const signature = language === 'zh' ? SIGNATURE.zh : SIGNATURE.en;
  return {
    to: user.email,
    userId: user.id,
    kind,
    language,
    subject: text.subject,
    text: `${text.text}\n\n${signature}`,
    antiPhishingPhrase: user.antiPhishingPhrase,
  };
}

export function activationMail(user: User, token: string): OutgoingMail {
  return compose(user, 'activation', {
    en: {
      subject: 'Activate your OKPay account',
      text: `Welcome to OKPay.\n\nTo activate your account, run:\n\n  okpay activate ${token}\n\nThe token works once and expires in 24 hours. If you did not sign up, ignore this mail: the account stays inactive.`,
    },
    zh: {
      subject: '激活您的 OKPay 账户',
      text: `欢迎使用 OKPay。\n\n请运行以下命令激活账户：\n\n  okpay activate ${token}\n\n该令牌只能使用一次，24 小时内有效。如果您没有注册过，请忽略本邮件，账户不会被激活。`,
    },
  });
}

export function passwordResetMail(user: User, token: string): OutgoingMail {
  return compose(user, 'password-reset', {
    en: {
      subject: 'Reset your OKPay password',
      text: `Someone asked to reset the password of this account. If it was you, run:\n\n  okpay password reset --token ${token}\n\nThe token works once and expires in one hour. If it was not you, ignore this mail: your password stays as it is.`,
    },
    zh: {
      subject: '重置您的 OKPay 密码',
      text: `有人申请重置此账户的密码。如果是您本人，请运行：\n\n  okpay password reset --token ${token}\n\n该令牌只能使用一次，一小时内有效。如果不是您，请忽略本邮件，密码不会改变。`,
    },
  });
}

export function lockedAfterFailuresMail(user: User, token: string, explanation: LockExplanation): OutgoingMail {
  return compose(user, 'account-locked', {
    en: {
      subject: 'Your OKPay account was locked',
      text: `We locked your account because of too many failed sign-ins: ${explanation.message}.\n\nIf it was you, unlock it with this token, your password${user.twoFactor.enabled ? ' and a code from your authenticator app' : ''}:\n\n  okpay unlock --email ${user.email} --token ${token}\n\nThe token expires in 24 hours. If it was not you, someone may know your email address: after unlocking, change your password (okpay password change) and turn on two-step verification (okpay 2fa enable).`,
    },
    zh: {
      subject: '您的 OKPay 账户已被锁定',
      text: `由于登录失败次数过多，我们锁定了您的账户。\n\n如果是您本人，请使用此令牌、您的密码${user.twoFactor.enabled ? '以及验证器应用中的验证码' : ''}解锁：\n\n  okpay unlock --email ${user.email} --token ${token}\n\n令牌 24 小时内有效。如果不是您本人操作，说明有人知道您的邮箱地址：解锁后请修改密码（okpay password change）并开启两步验证（okpay 2fa enable）。`,
    },
  });
}

export function lockNoticeMail(user: User, explanation: LockExplanation): OutgoingMail {
  return compose(user, 'account-locked', {
    en: { subject: 'Your OKPay account is locked', text: `${capitalise(explanation.message)}.\n\nWhile it is locked, no money can leave the account and nobody can sign in.\n\nHow to unlock it: ${explanation.hint}.` },
    zh: { subject: '您的 OKPay 账户已锁定', text: `您的账户已锁定。原因：${explanation.message}。\n\n锁定期间，资金无法转出，任何人都无法登录。\n\n解锁方法：${explanation.hint}。` },
  });
}

export function unlockedMail(user: User): OutgoingMail {
  return compose(user, 'account-unlocked', {
    en: { subject: 'Your OKPay account is unlocked', text: 'Your account is unlocked: you can sign in and send money again. If you did not do this, contact support at once.' },
    zh: { subject: '您的 OKPay 账户已解锁', text: '您的账户已解锁，可以重新登录和付款。如果这不是您本人的操作，请立即联系客服。' },
  });
}

export function securityChangeMail(user: User, change: 'password' | '2fa-on' | '2fa-off'): OutgoingMail {
  const en = { password: 'Your OKPay password was changed', '2fa-on': 'Two-step verification is on', '2fa-off': 'Two-step verification was turned off' }[change];
  const zh = { password: '您的 OKPay 密码已修改', '2fa-on': '两步验证已开启', '2fa-off': '两步验证已关闭' }[change];
  return compose(user, `security-${change}`, {
    en: { subject: en, text: `${en} for ${user.email}. Your other sessions were signed out.\n\nIf you did not do this, reset your password now (okpay password reset --email ${user.email}) and contact support.` },
    zh: { subject: zh, text: `${user.email} 的${zh.replace('您的 OKPay ', '')}。其他登录会话已退出。\n\n如果这不是您本人的操作，请立即重置密码（okpay password reset --email ${user.email}）并联系客服。` },
  });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
