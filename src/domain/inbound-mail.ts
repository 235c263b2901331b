// Customer mail coming in (`okpay ticket import`): which mails become tickets or replies, which are
// ignored (auto-replies, bounces), which are refused (hostile or broken), and what of a mail is
// kept: its sender, a clean subject and text, its attachments as a list (never opened), and the
// Message-IDs that thread it. Pure: the parsed mail comes in, plain data goes out.

import * as v from 'valibot';
import { int, object, onFirstUse, readonly } from './schema.js';
import { detectLanguage, type Language } from './language.js';
import { sha256Hex } from './hashing.js';
import type { TicketCategory } from './ticket-kinds.js';
import { normalizeEmail, withoutHiddenCharacters } from './validate.js';

/** A customer mail already imported: its Message-ID is imported once, and later mails naming it thread into `ticket`. */
export const mailImportSchema = onFirstUse(() =>
  readonly(object({ messageId: v.pipe(v.string(), v.minLength(1), v.maxLength(250)), ticket: v.pipe(int(), v.gtValue(0)), importedAt: v.string() })),
);
export type MailImport = v.InferOutput<ReturnType<typeof mailImportSchema>>;

/** The store key of a Message-ID: a fixed-size hash, whatever characters the sender put in it. */
export function mailImportKey(messageId: string): string {
  return sha256Hex(messageId);
}

/** What a MIME parser found in one message (src/app/mail-import.ts fills it from mailparser). */
export interface ParsedInboundMail {
  readonly headerLines: readonly { readonly key: string; readonly line: string }[];
  readonly messageId: string | null;
  readonly inReplyTo: string | null;
  readonly references: readonly string[];
  readonly from: readonly string[];
  readonly subject: string;
  readonly contentType: string;
  /** The text part, else the HTML part reduced to text. */
  readonly text: string;
  readonly attachments: readonly { readonly filename: string | null; readonly contentType: string; readonly sizeBytes: number }[];
}

export interface AttachmentLine {
  readonly name: string;
  readonly contentType: string;
  readonly sizeBytes: number;
  /** Over the size cap: listed, and the customer is told it was not received. */
  readonly tooLarge: boolean;
}

export interface AcceptedMail {
  readonly messageId: string;
  readonly from: string;
  readonly subject: string;
  readonly body: string;
  readonly attachments: readonly AttachmentLine[];
  /** Message-IDs this mail answers (In-Reply-To first, then References, newest first). */
  readonly threadIds: readonly string[];
  /** `[#N]` or `[OKPay #N]` in the subject. */
  readonly ticketTag: number | null;
  readonly language: Language;
  readonly category: TicketCategory;
  /** What was changed to make the mail safe to keep (control characters, line breaks in the subject, cuts). */
  readonly neutralised: readonly string[];
}

export type MailVerdict =
  | { readonly outcome: 'accepted'; readonly mail: AcceptedMail }
  | { readonly outcome: 'ignored'; readonly reason: string; readonly messageId: string | null }
  | { readonly outcome: 'refused'; readonly reason: string; readonly messageId: string | null };

/** A whole message file larger than this is refused unread. */
export const MAIL_MAX_BYTES = 10 * 1024 * 1024;
/** An attachment larger than this is listed as not received. */
export const ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024;
const ATTACHMENTS_LISTED_MAX = 20;
const MESSAGE_ID_MAX_CHARS = 250;
const THREAD_IDS_MAX = 50;
const SUBJECT_MAX_CHARS = 150;
const BODY_MAX_CHARS = 5000;
const ATTACHMENT_NAME_MAX_CHARS = 100;

// The Chinese prefixes for reply, answer and forward are written as escapes like the
// full-width colon: regular expressions stay ASCII in the bundle (scripts/bundle.mjs).
const REPLY_PREFIX = /^\s*((re|aw|sv|antw|fwd?|wg|tr|rv|\u56de\u590d|\u7b54\u590d|\u8f6c\u53d1)\s*[:\uFF1A]\s*)+/i;
const TICKET_TAG = /\[(?:okpay\s*)?#(\d{1,9})\]/i;

/** A Message-ID as kept: without its angle brackets; null when it is missing or not one id of printable ASCII. */
export function messageIdOf(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const inner = text.trim().replace(/^<(.*)>$/s, '$1');
  if (inner.length === 0 || inner.length > MESSAGE_ID_MAX_CHARS || !/^[\x21-\x7e]+$/.test(inner) || /[<>]/.test(inner)) return null;
  return inner;
}

/** Why a mail is an automatic one (a bounce, an out-of-office answer, a list), or null for a person's mail. */
export function automaticMail(mail: ParsedInboundMail): string | null {
  const header = (name: string) =>
    mail.headerLines
      .find((h) => h.key === name)
      ?.line.slice(name.length + 1)
      .trim() ?? null;
  if (/^multipart\/report\b/i.test(mail.contentType)) return 'a delivery report (bounce)';
  const autoSubmitted = header('auto-submitted');
  if (autoSubmitted !== null && !/^no\b/i.test(autoSubmitted)) return `an automatic mail (Auto-Submitted: ${autoSubmitted.slice(0, 40)})`;
  const precedence = header('precedence');
  if (precedence !== null && /^(bulk|junk|list)\b/i.test(precedence)) return `a bulk or list mail (Precedence: ${precedence.slice(0, 20)})`;
  if (mail.from.some((address) => /^(mailer-daemon|postmaster)@/i.test(address))) return 'a delivery report (bounce) from a mail server';
  return null;
}

/** Judges one parsed mail: accepted (cleaned), ignored (automatic) or refused (and why). */
export function judgeMail(mail: ParsedInboundMail): MailVerdict {
  const messageId = messageIdOf(mail.messageId);
  const automatic = automaticMail(mail);
  if (automatic !== null) return { outcome: 'ignored', reason: automatic, messageId };
  if (messageId === null) return refuse('it has no usable Message-ID (one id of printable ASCII, at most 250 characters)', null);
  const from = senderOf(mail.from);
  if (typeof from !== 'string') return refuse(from.problem, messageId);
  const neutralised: string[] = [];
  const subject = cleanSubject(mail.subject, neutralised);
  const attachments = listAttachments(mail.attachments, neutralised);
  const note = attachmentNote(attachments);
  const text = cleanBody(mail.text, neutralised, BODY_MAX_CHARS - [...note].length);
  if (text === '') return refuse('it has no text (nothing in a text or HTML part)', messageId);
  const clue = `${subject}\n${text}`;
  return {
    outcome: 'accepted',
    mail: {
      messageId,
      from,
      subject: subject.replace(REPLY_PREFIX, '').trim() || '(no subject)',
      body: `${text}${note}`,
      attachments,
      threadIds: threadIdsOf(mail),
      ticketTag: ticketTagOf(subject),
      language: detectLanguage(clue) ?? 'en',
      category: guessCategory(clue),
      neutralised,
    },
  };
}

function refuse(reason: string, messageId: string | null): MailVerdict {
  return { outcome: 'refused', reason, messageId };
}

function senderOf(addresses: readonly string[]): string | { problem: string } {
  if (addresses.length === 0) return { problem: 'it has no sender address (From)' };
  if (addresses.length > 1) return { problem: 'it names more than one sender (From)' };
  try {
    return normalizeEmail(addresses[0] ?? '');
  } catch {
    return { problem: 'its sender (From) is not a valid email address' };
  }
}

function cleanSubject(text: string, neutralised: string[]): string {
  const { text: oneLine, removed } = withoutHiddenCharacters(text, false);
  if (removed) neutralised.push('line breaks or control characters removed from the subject');
  const trimmed = oneLine.replace(/\s+/g, ' ').trim();
  const characters = [...trimmed];
  if (characters.length <= SUBJECT_MAX_CHARS) return trimmed;
  neutralised.push(`subject cut to ${SUBJECT_MAX_CHARS} characters`);
  return `${characters.slice(0, SUBJECT_MAX_CHARS - 1).join('')}…`;
}

function cleanBody(text: string, neutralised: string[], maxChars: number): string {
  const { text: clean, removed } = withoutHiddenCharacters(text, true);
  if (removed) neutralised.push('control or invisible characters removed from the text');
  const trimmed = clean
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  const characters = [...trimmed];
  if (characters.length <= maxChars) return trimmed;
  neutralised.push(`text cut to ${maxChars} characters`);
  return `${characters.slice(0, maxChars - 1).join('')}…`;
}

function listAttachments(attachments: ParsedInboundMail['attachments'], neutralised: string[]): AttachmentLine[] {
  if (attachments.length > ATTACHMENTS_LISTED_MAX) neutralised.push(`only the first ${ATTACHMENTS_LISTED_MAX} of ${attachments.length} attachments listed`);
  return attachments.slice(0, ATTACHMENTS_LISTED_MAX).map((attachment) => {
    const name =
      withoutHiddenCharacters(attachment.filename ?? 'unnamed', false)
        .text.trim()
        .slice(0, ATTACHMENT_NAME_MAX_CHARS) || 'unnamed';
    const contentType = /^[\w.+-]+\/[\w.+-]+$/.test(attachment.contentType) ? attachment.contentType.toLowerCase() : 'application/octet-stream';
    return { name, contentType, sizeBytes: attachment.sizeBytes, tooLarge: attachment.sizeBytes > ATTACHMENT_MAX_BYTES };
  });
}

function threadIdsOf(mail: ParsedInboundMail): string[] {
  const ids = [mail.inReplyTo, ...[...mail.references].reverse()].map(messageIdOf).filter((id): id is string => id !== null);
  return [...new Set(ids)].slice(0, THREAD_IDS_MAX);
}

function ticketTagOf(subject: string): number | null {
  const match = TICKET_TAG.exec(subject);
  return match ? Number(match[1]) : null;
}

/**
 * Words that point at a category, in the five languages. The first category with a match wins, in
 * this order (a dispute about a withdrawal is a dispute); a mail with no clue is a technical question.
 */
const CATEGORY_WORDS: readonly (readonly [TicketCategory, RegExp])[] = [
  [
    'dispute',
    /(?<!\p{L})(refund|dispute|chargeback|not received|never arrived|fraud|scam|reembolso|disputa|remboursement|litige|rückerstattung|erstattung|betrug)|退款|争议|没收到|欺诈/iu,
  ],
  [
    'identity',
    /(?<!\p{L})(kyc|identity|verification|verify|passport|id card|identidad|verificación|pasaporte|identité|vérification|passeport|identität|verifizierung|ausweis|reisepass)|身份|认证|护照/iu,
  ],
  [
    'funds',
    /(?<!\p{L})(withdraw\w*|deposit\w*|transfer\w*|payment|balance|retiro|depósito|transferencia|pago|saldo|retrait|dépôt|virement|paiement|solde|auszahlung|einzahlung|überweisung|zahlung|guthaben)|提现|充值|转账|付款|余额/iu,
  ],
  [
    'account',
    /(?<!\p{L})(password|locked|sign in|log in|login|2fa|two-factor|account|contraseña|bloquead|cuenta|mot de passe|bloqué|compte|passwort|gesperrt|konto)|密码|锁定|登录|账户|帐户/iu,
  ],
  ['feedback', /(?<!\p{L})(suggest\w*|feedback|idea|would be nice|sugerencia|idée|suggestion|vorschlag|anregung)|建议|反馈/iu],
];

export function guessCategory(text: string): TicketCategory {
  return CATEGORY_WORDS.find(([, words]) => words.test(text))?.[0] ?? 'technical';
}

/** The attachment list appended to the ticket's message, so an agent knows what came (nothing was opened or kept). */
function attachmentNote(attachments: readonly AttachmentLine[]): string {
  if (attachments.length === 0) return '';
  const lines = attachments.map(
    (a) =>
      `- ${a.name} (${a.contentType}, ${formatBytes(a.sizeBytes)})${a.tooLarge ? ` — over the ${formatBytes(ATTACHMENT_MAX_BYTES)} cap, not received` : ''}`,
  );
  return `\n\n[Attachments, not opened or kept by okpay:]\n${lines.join('\n')}`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
