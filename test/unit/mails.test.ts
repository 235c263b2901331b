import { describe, expect, it } from 'vitest';
import {
  activationMail,
  lockedAfterFailuresMail,
  lockNoticeMail,
  passwordResetMail,
  registrationAttemptMail,
  securityChangeMail,
  unlockedMail,
} from '../../src/domain/account-mails.js';
import { explainLock } from '../../src/domain/accounts.js';
import { kycDecisionMail } from '../../src/domain/kyc.js';
import { detectLanguage, LANGUAGES, type Language } from '../../src/domain/language.js';
import { formatEml, parseEml, type OutgoingMail } from '../../src/domain/mail.js';
import { MAIL_TEXTS } from '../../src/domain/mail-texts/index.js';
import type { ChangedStatus } from '../../src/domain/mail-texts/types.js';
import type { LockReason, User } from '../../src/domain/state.js';
import { ticketReceivedMail, ticketReplyMail, ticketStatusMail } from '../../src/domain/ticket-mails.js';
import type { Ticket } from '../../src/domain/ticket-record.js';
import { moneyWaitingMail, payoutMail, paymentReceivedMail, paymentRefundedMail, returnedTransferMail } from '../../src/domain/wallet-mails.js';
import { phoneCodeText } from '../../src/domain/phone-verification.js';
import { asciiPunctuationInChinese } from '../support/chinese-punctuation.js';
import { at, customer, europe, newState, open } from '../support/desk.js';

const TOKEN = 'act_Q7x-9kLm2';
const PHRASE = 'blue heron 42';
const REPLY: Readonly<Record<Language, string>> = {
  en: 'Please look in your spam folder as well.',
  zh: '也请查看一下垃圾邮件箱。',
  es: 'Revise también su carpeta de correo no deseado.',
  fr: 'Regardez aussi dans votre dossier de courrier indésirable.',
  de: 'Bitte sehen Sie auch in Ihrem Spam-Ordner nach.',
};

interface Scene {
  readonly user: User;
  readonly ticket: Ticket;
  readonly language: Language;
}

interface Template {
  readonly name: string;
  /** The entry of the language texts this template renders. */
  readonly covers: string;
  render(scene: Scene): OutgoingMail;
  /** Facts that must reach the mail exactly as given: tokens, amounts, addresses, commands. */
  readonly keeps: readonly string[];
}

function locked(user: User, reason: LockReason, note: string | null, twoFactor: boolean): User {
  return { ...user, twoFactor: { ...user.twoFactor, enabled: twoFactor }, lock: { reason, note, at: '2026-11-20T08:15:00.000Z', by: null } };
}

const STATUSES: readonly ChangedStatus[] = ['open', 'pending', 'on-hold', 'solved', 'closed', 'merged'];

const TEMPLATES: readonly Template[] = [
  { name: 'activation', covers: 'activation', render: ({ user }) => activationMail(user, TOKEN), keeps: [`okpay activate ${TOKEN}`, '--password-stdin'] },
  { name: 'password reset', covers: 'passwordReset', render: ({ user }) => passwordResetMail(user, TOKEN), keeps: [`okpay password reset --token ${TOKEN}`] },
  {
    name: 'locked after failed sign-ins',
    covers: 'lockedAfterFailures',
    render: ({ user }) => {
      const lockedUser = locked(user, 'failed-logins', null, true);
      return lockedAfterFailuresMail(lockedUser, TOKEN, explainLock(lockedUser));
    },
    keeps: [`--token ${TOKEN}`, 'okpay password change', 'okpay 2fa enable', '5'],
  },
  ...(['self', 'failed-logins', 'agent'] as const).map((reason): Template => ({
    name: `lock notice (${reason})`,
    covers: 'lockNotice',
    render: ({ user }) => {
      const lockedUser = locked(user, reason, reason === 'failed-logins' ? null : 'passport check', false);
      return lockNoticeMail(lockedUser, explainLock(lockedUser));
    },
    keeps: [
      '2026-11-20 08:15',
      reason === 'agent' ? 'okpay support' : 'okpay unlock --email',
      ...(reason === 'failed-logins' ? [] : ['passport check']),
      // A self-lock without 2FA: the password alone lifts it, so the owner is told to turn 2FA on.
      ...(reason === 'self' ? ['okpay 2fa enable', 'okpay password change'] : []),
    ],
  })),
  { name: 'unlocked', covers: 'unlocked', render: ({ user }) => unlockedMail(user), keeps: [] },
  {
    name: 'registration attempt',
    covers: 'registrationAttempt',
    render: ({ user }) => registrationAttemptMail(user, '+14155550100'),
    keeps: ['+14155550100', 'okpay password reset --email'],
  },
  ...(['password', '2fa-on', '2fa-off', 'recovery-codes'] as const).map((change): Template => ({
    name: `security change (${change})`,
    covers: 'securityChange',
    render: ({ user }) => securityChangeMail(user, change),
    keeps: ['okpay password reset --email'],
  })),
  {
    name: 'payment received',
    covers: 'paymentReceived',
    render: ({ user }) => paymentReceivedMail(user, 'Ada Lovelace', '12.50', 'EUR', 'rent 11/2026'),
    keeps: ['Ada Lovelace', '12.50 EUR', 'rent 11/2026', 'okpay balance'],
  },
  {
    name: 'money waiting',
    covers: 'moneyWaiting',
    render: ({ language }) => moneyWaitingMail('new.friend@example.com', 'Ada Lovelace', '1200', 'JPY', '2026-12-23T10:00:00.000Z', language),
    keeps: ['Ada Lovelace', '1200 JPY', '2026-12-23', 'okpay register --email new.friend@example.com --accept-terms'],
  },
  {
    name: 'payout completed',
    covers: 'payoutCompleted',
    render: ({ user }) => payoutMail(user, 'completed', '100.00', 'USD', 'bank ••••3000', null),
    keeps: ['100.00 USD', 'bank ••••3000', 'okpay withdraw list'],
  },
  {
    name: 'payout failed',
    covers: 'payoutFailed',
    render: ({ user }) => payoutMail(user, 'failed', '100.00', 'USD', 'bank ••••3000', 'the receiving account refused the payout'),
    keeps: ['100.00 USD', 'bank ••••3000', 'okpay withdraw list'],
  },
  {
    name: 'transfer returned',
    covers: 'transferReturned',
    render: ({ user }) => returnedTransferMail(user, 'nobody@example.com', '51.75', 'USD'),
    keeps: ['nobody@example.com', '51.75 USD'],
  },
  {
    name: 'payment refunded',
    covers: 'paymentRefunded',
    render: ({ user }) => paymentRefundedMail(user, 'Ann Example', '60.00', 'USD', 'txn_0000000042'),
    keeps: ['Ann Example', '60.00 USD', 'txn_0000000042', 'okpay history --type refund', 'okpay ticket new --tx txn_0000000042'],
  },
  { name: 'phone code', covers: 'phoneCode', render: ({ user }) => phoneCodeText(user, '+14155550123', '048213'), keeps: ['048213', '10'] },
  { name: 'identity approved', covers: 'kycApproved', render: ({ user }) => kycDecisionMail({ ...user, kyc: { ...user.kyc, status: 'approved' } }), keeps: [] },
  {
    name: 'identity rejected',
    covers: 'kycRejected',
    render: ({ user }) => kycDecisionMail({ ...user, kyc: { ...user.kyc, status: 'rejected', reason: 'ID-4471 blurred' } }),
    keeps: ['ID-4471 blurred', 'okpay kyc submit'],
  },
  {
    name: 'ticket received',
    covers: 'ticket',
    render: ({ user, ticket }) => ticketReceivedMail(user, ticket, '2026-11-24 10:00 Europe/Berlin'),
    keeps: ['#1', '2026-11-24 10:00 Europe/Berlin', 'okpay ticket reply 1'],
  },
  {
    name: 'ticket reply',
    covers: 'ticket',
    render: ({ user, ticket, language }) => ticketReplyMail(user, ticket, REPLY[language]),
    keeps: ['#1', 'okpay ticket show 1'],
  },
  ...STATUSES.map((status): Template => ({
    name: `ticket ${status}`,
    covers: 'ticket',
    render: ({ user, ticket }) => ticketStatusMail(user, { ...ticket, status, mergedInto: status === 'merged' ? 7 : null }, status),
    keeps: ['#1', ...(status === 'merged' ? ['#7'] : []), ...(status === 'solved' ? ['okpay ticket rate 1 --score 1-5'] : [])],
  })),
];

const SUBJECT: Readonly<Record<Language, string>> = { en: 'Question', zh: '问题', es: 'Pregunta', fr: 'Question', de: 'Frage' };

function scene(language: Language): Scene {
  const state = newState();
  const user: User = { ...customer(state, `mail-${language}`, { language }), antiPhishingPhrase: PHRASE };
  const ticket = open(state, user, at(europe, '2026-11-23T10:00'), { language, subject: SUBJECT[language] });
  return { user, ticket, language };
}

const SCENES = Object.fromEntries(LANGUAGES.map((language) => [language, scene(language)])) as Record<Language, Scene>;
const rendered = (template: Template, language: Language): OutgoingMail => template.render(SCENES[language]);
const CASES = TEMPLATES.flatMap((template) => LANGUAGES.map((language) => [template.name, language, template] as const));

describe('mail texts', () => {
  it('every language has every template', () => {
    const shape = (language: Language) => ({ mails: Object.keys(MAIL_TEXTS[language]).sort(), ticket: Object.keys(MAIL_TEXTS[language].ticket).sort() });
    for (const language of LANGUAGES) expect(shape(language), language).toEqual(shape('en'));
  });

  it('the templates below render every entry of the texts', () => {
    const entries = Object.keys(MAIL_TEXTS.en).filter((key) => key !== 'signature');
    expect(new Set(TEMPLATES.map((template) => template.covers))).toEqual(new Set(entries));
  });
});

describe.each(CASES)('the %s mail in %s', (_name, language, template) => {
  const mail = rendered(template, language);

  it('is written in that language, not the English fallback', () => {
    expect(mail.language).toBe(language);
    expect(detectLanguage(`${mail.subject}\n${mail.text}`)).toBe(language);
    if (language === 'en') return;
    const english = rendered(template, 'en');
    expect(mail.subject).not.toBe(english.subject);
    expect(mail.text).not.toContain(english.text.split('\n')[0]);
    expect(mail.text).not.toContain(MAIL_TEXTS.en.signature);
    expect(mail.text).not.toContain(MAIL_TEXTS.en.ticket.signature);
  });

  it('keeps tokens, amounts, addresses and commands exactly', () => {
    for (const fact of template.keeps) expect(`${mail.subject}\n${mail.text}`).toContain(fact);
  });

  it('carries the anti-phishing phrase at the top when the mail goes to a customer', () => {
    if (mail.userId === null) return expect(mail.antiPhishingPhrase).toBeNull();
    const eml = formatEml({ ...mail, id: 'msg_000001', date: '2026-11-23T10:00:00.000Z' });
    const body = eml.slice(eml.indexOf('\r\n\r\n') + 4);
    expect(body.split('\r\n')[0]).toContain(PHRASE);
    expect(parseEml(eml)).toMatchObject({ subject: mail.subject, text: mail.text, language, antiPhishingPhrase: PHRASE });
  });
});

describe('Chinese mails', () => {
  it.each(TEMPLATES.map((template) => [template.name, template] as const))('the %s mail uses full-width punctuation', (_name, template) => {
    const mail = rendered(template, 'zh');
    expect(asciiPunctuationInChinese(`${mail.subject}\n${mail.text}`)).toEqual([]);
  });
});

describe('the self-lock notice', () => {
  it('warns that the password alone lifts the lock only when two-step verification is off', () => {
    for (const language of LANGUAGES) {
      const user: User = customer(newState(), `lock-${language}`, { language });
      const text = (twoFactor: boolean) => {
        const lockedUser = locked(user, 'self', null, twoFactor);
        return lockNoticeMail(lockedUser, explainLock(lockedUser)).text;
      };
      expect(text(false), language).toContain('okpay 2fa enable');
      expect(text(true), language).not.toContain('okpay 2fa enable');
    }
  });
});
