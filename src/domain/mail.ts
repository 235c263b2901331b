// Mail the service "sends": RFC 5322 messages that a mail client can open. Every message to a
// user who chose an anti-phishing phrase carries it at the top, so a copy without it is fake.

import type { Language, UserId } from './state.js';

const SENDER = 'OKPay <no-reply@okpay.example>';

export interface OutgoingMail {
  readonly to: string;
  readonly userId: UserId | null;
  /** activation, password-reset, account-locked, ticket-reply, payout-completed, … */
  readonly kind: string;
  readonly language: Language;
  readonly subject: string;
  readonly text: string;
  readonly antiPhishingPhrase: string | null;
  /**
   * Message-IDs (without brackets) of the customer's mails this one answers, oldest first: the
   * last becomes In-Reply-To and the last few References, so the customer's mail client threads it.
   */
  readonly inReplyTo?: readonly string[];
}

export interface MailRecord extends OutgoingMail {
  readonly id: string;
  readonly date: string;
}

const PHRASE_LABEL: Record<Language, string> = {
  en: 'Your anti-phishing phrase',
  zh: '您的防钓鱼短语',
  es: 'Su frase antiphishing',
  fr: 'Votre phrase anti-hameçonnage',
  de: 'Ihre Anti-Phishing-Phrase',
};

/** The body as sent: the anti-phishing phrase first when the user set one. */
function bodyWithPhrase(mail: OutgoingMail): string {
  if (!mail.antiPhishingPhrase) return mail.text;
  return `${PHRASE_LABEL[mail.language]}: ${mail.antiPhishingPhrase}\n\n${mail.text}`;
}

export function formatEml(mail: MailRecord): string {
  const headers = [
    `From: ${SENDER}`,
    `To: ${mail.to}`,
    `Subject: ${encodeHeader(mail.subject)}`,
    `Date: ${rfc5322Date(mail.date)}`,
    `Message-ID: <${mail.id}@okpay.example>`,
    ...threadHeaders(mail.inReplyTo ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    `Content-Language: ${mail.language}`,
    `X-OKPay-Mail-Id: ${mail.id}`,
    `X-OKPay-Kind: ${mail.kind}`,
    ...(mail.userId ? [`X-OKPay-User: ${mail.userId}`] : []),
    ...(mail.antiPhishingPhrase ? [`X-OKPay-Anti-Phishing: ${encodeHeader(mail.antiPhishingPhrase)}`] : []),
  ];
  const body = bodyWithPhrase(mail).replace(/\r?\n/g, '\r\n');
  return `${headers.join('\r\n')}\r\n\r\n${body}\r\n`;
}

/** Ids longer than this, or not one id of printable ASCII, are left out (they came from outside, in imported mail). */
const THREAD_ID_MAX_CHARS = 250;
/** Three ids of at most 250 characters keep the References line under RFC 5322's 998. */
const REFERENCES_MAX = 3;

/** The thread ids a mail keeps: the last few usable ones (what formatEml writes, so every store reads back the same). */
export function usableThreadIds(ids: readonly string[]): string[] {
  return ids.filter((id) => id.length <= THREAD_ID_MAX_CHARS && /^[\x21-\x7e]+$/.test(id) && !/[<>]/.test(id)).slice(-REFERENCES_MAX);
}

function threadHeaders(ids: readonly string[]): string[] {
  const usable = usableThreadIds(ids);
  const last = usable[usable.length - 1];
  if (last === undefined) return [];
  return [`In-Reply-To: <${last}>`, `References: ${usable.map((id) => `<${id}>`).join(' ')}`];
}

/** Reads back a message written by formatEml. Returns null for anything else. */
export function parseEml(text: string): MailRecord | null {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return null;
  const headers = new Map<string, string>();
  for (const line of text.slice(0, split).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const id = headers.get('x-okpay-mail-id');
  const date = headers.get('date');
  if (!id || !date) return null;
  const phrase = headers.has('x-okpay-anti-phishing') ? decodeHeader(headers.get('x-okpay-anti-phishing') ?? '') : null;
  const language = (headers.get('content-language') ?? 'en') as Language;
  const references = headers.get('references');
  let body = text
    .slice(split + 4)
    .replace(/\r\n/g, '\n')
    .replace(/\n$/, '');
  if (phrase) body = body.replace(`${PHRASE_LABEL[language]}: ${phrase}\n\n`, '');
  return {
    id,
    date: new Date(date).toISOString(),
    to: headers.get('to') ?? '',
    userId: headers.get('x-okpay-user') ?? null,
    kind: headers.get('x-okpay-kind') ?? 'unknown',
    language,
    subject: decodeHeader(headers.get('subject') ?? ''),
    text: body,
    antiPhishingPhrase: phrase,
    ...(references === undefined ? {} : { inReplyTo: references.split(' ').map((id) => id.slice(1, -1)) }),
  };
}

/** RFC 2047 encoded-word for anything that is not plain printable ASCII. */
function encodeHeader(value: string): string {
  const oneLine = value.replace(/[\r\n]+/g, ' ');
  if (/^[\x20-\x7e]*$/.test(oneLine)) return oneLine;
  return `=?UTF-8?B?${Buffer.from(oneLine, 'utf8').toString('base64')}?=`;
}

function decodeHeader(value: string): string {
  return value.replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/gi, (_, b64: string) => Buffer.from(b64, 'base64').toString('utf8'));
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function rfc5322Date(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => n.toString().padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}
