// Validators for what users type: emails, phones, countries, passwords, free text, dates and
// counts. Each one either returns the normalised value or throws an AppError whose one-line
// message says what is wrong with the input, echoed through printable() so that control
// characters and huge inputs cannot break the terminal.

import { AppError } from './errors.js';
import type { Country } from './country.js';
import { printable } from './money.js';
import { looksLikePhone, normalizePhone } from './phone.js';

export { looksLikePhone, normalizePhone } from './phone.js';
export { parseCountries, type Country } from './country.js';

export type Recipient = { readonly kind: 'email'; readonly email: string } | { readonly kind: 'phone'; readonly phone: string };

export interface TextBounds {
  readonly min: number;
  readonly max: number;
  /** Allows line feeds and tabs (CRLF is stored as LF); otherwise the text must be one line. */
  readonly multiline?: boolean;
}

// C0 controls, DEL and C1 controls: invisible, and able to rewrite what a terminal shows.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_EXCEPT_TAB_AND_LF = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
// Bidi embeddings, overrides and isolates make text display in another order than it is stored,
// which lets a ticket or memo disguise what it says.
const BIDI_CONTROL = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
// A lone surrogate cannot be written as UTF-8; the store would silently turn it into U+FFFD.
// Spelled with code units rather than \p{Cs}: see unicodePatterns().
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const EMAIL_MAX_CHARACTERS = 254;
const EMAIL_LOCAL_MAX_CHARACTERS = 64;
const DOMAIN_LABEL_MAX_CHARACTERS = 63;
const LOCAL_PART_CHARACTERS = /^[a-z0-9!#$%&'*+/=?^_`{|}~.-]+$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const EMAIL_HINT = 'write it like name@example.com';

const COUNTRY_HINT = 'use a two-letter code such as US, DE, CN';

const PASSWORD_MIN_CHARACTERS = 8;
// bcrypt reads only the first 72 bytes; anything longer would be silently cut.
const PASSWORD_MAX_BYTES = 72;

const NAME_MAX_CHARACTERS = 100;

/**
 * Patterns with Unicode properties, made on first use: the first such pattern a process makes
 * loads ICU's property tables (about half a millisecond), which commands that validate no names or
 * passwords should not pay.
 */
let unicode: { passwordSymbol: RegExp; name: RegExp } | undefined;
function unicodePatterns(): { passwordSymbol: RegExp; name: RegExp } {
  return (unicode ??= {
    passwordSymbol: /[^\p{L}\p{M}\p{Nd}\s]/u,
    // Letters and marks of every script, and the joiners real names use: spaces (also the
    // ideographic one), apostrophes, hyphens, dots, commas and the middle dots of Chinese and
    // Japanese transliterations (’ · ・, written as escapes like the ideographic space: regular
    // expressions stay ASCII in the bundle, see scripts/bundle.mjs).
    name: /^[\p{L}\p{M} \u3000'\u2019.,\u00b7\u30fb-]+$/u,
  });
}
const MEMO_MAX_CHARACTERS = 140;

const ISO_DATE_TEXT_MAX = 40;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE_HINT = 'use a date like 2026-11-22 or a time with its zone like 2026-11-22T09:30:00Z';

/** Trims and lower-cases an email address (we treat the whole address as case-insensitive). */
export function normalizeEmail(text: string): string {
  const trimmed = text.trim();
  const problem = emailProblem(trimmed);
  if (problem !== null) throw new AppError('INVALID_EMAIL', `"${printable(trimmed)}" is not a valid email address: ${problem}`, { hint: EMAIL_HINT });
  return trimmed.toLowerCase();
}

function emailProblem(email: string): string | null {
  if (email === '') return 'it is empty';
  if (email.length > EMAIL_MAX_CHARACTERS) return `it is longer than ${EMAIL_MAX_CHARACTERS} characters`;
  // Checked before lower-casing: toLowerCase maps some non-ASCII letters (the Kelvin sign) to ASCII.
  if (/\s/.test(email)) return 'it contains a space';
  if (CONTROL.test(email)) return 'it contains a control character';
  if (/[^\x21-\x7e]/.test(email)) return 'it contains a character outside ASCII (write an international domain in its xn-- form)';
  const parts = email.toLowerCase().split('@');
  if (parts.length === 1) return 'it has no @';
  if (parts.length > 2) return 'it has more than one @';
  return localPartProblem(parts[0] ?? '') ?? domainProblem(parts[1] ?? '');
}

function localPartProblem(local: string): string | null {
  if (local === '') return 'nothing comes before the @';
  if (local.length > EMAIL_LOCAL_MAX_CHARACTERS) return `the part before the @ is longer than ${EMAIL_LOCAL_MAX_CHARACTERS} characters`;
  if (!LOCAL_PART_CHARACTERS.test(local)) return 'the part before the @ contains a character that is not allowed';
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    return 'the part before the @ cannot start or end with a dot or have two dots in a row';
  }
  return null;
}

function domainProblem(domain: string): string | null {
  if (domain === '') return 'nothing comes after the @';
  const labels = domain.split('.');
  if (labels.length < 2) return 'the domain has no dot';
  if (labels.some((label) => label === '')) return 'the domain has an empty part (a dot at an end or two dots in a row)';
  if (labels.some((label) => label.length > DOMAIN_LABEL_MAX_CHARACTERS)) {
    return `a part of the domain is longer than ${DOMAIN_LABEL_MAX_CHARACTERS} characters`;
  }
  if (!labels.every((label) => DOMAIN_LABEL.test(label))) {
    return 'the domain may hold only letters, digits and hyphens, with no hyphen at the start or end of a part';
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return 'the domain must end in a name, not a number';
  return null;
}

/** Decides whether a payee is given by email or phone, and normalises it. */
export function classifyRecipient(text: string, countries?: readonly Country[]): Recipient {
  if (text.includes('@')) return { kind: 'email', email: normalizeEmail(text) };
  if (looksLikePhone(text)) return { kind: 'phone', phone: normalizePhone(text, countries) };
  throw new AppError('INVALID_RECIPIENT', `"${printable(text.trim())}" is neither an email address nor a phone number in +<country><number> form`, {
    hint: 'for example alice@example.com or +14155550100',
  });
}

/** Returns the upper-case ISO 3166-1 alpha-2 code, accepting any letter case. */
export function normalizeCountry(text: string, countries: readonly Country[]): string {
  const trimmed = text.trim();
  if (!/^[A-Za-z]{2}$/.test(trimmed)) throw new AppError('INVALID_COUNTRY', `"${printable(trimmed)}" is not a two-letter country code`, { hint: COUNTRY_HINT });
  const code = trimmed.toUpperCase();
  if (!countries.some((country) => country.code === code))
    throw new AppError('INVALID_COUNTRY', `${code} is not an ISO 3166 country code`, { hint: COUNTRY_HINT });
  return code;
}

/**
 * Whether bcrypt sees the whole password. A longer one can never be right (every way to set a
 * password refuses it), and bcrypt would compare only its first 72 bytes.
 */
export function passwordFitsBcrypt(password: string): boolean {
  return utf8ByteLength(password) <= PASSWORD_MAX_BYTES;
}

/**
 * Refuses a weak or unusable password: at least 8 characters with a letter, a digit and a
 * symbol, at most 72 bytes of UTF-8, no control characters. Spaces are allowed inside (so
 * passphrases work) but do not count as the symbol, and may not start or end it, because
 * those are lost too easily when a password is pasted or piped. Never echoes the password.
 */
export function checkPasswordPolicy(password: string): void {
  if (CONTROL.test(password) || LONE_SURROGATE.test(password)) {
    throw new AppError('WEAK_PASSWORD', 'the password contains a control character or a broken character', { hint: 'use printable characters only' });
  }
  if (password !== password.trim()) {
    throw new AppError('WEAK_PASSWORD', 'the password starts or ends with a space', { hint: 'spaces are fine inside the password, not at its ends' });
  }
  const bytes = utf8ByteLength(password);
  if (bytes > PASSWORD_MAX_BYTES) {
    throw new AppError('WEAK_PASSWORD', `the password is ${bytes} bytes long in UTF-8; at most ${PASSWORD_MAX_BYTES} are allowed`, {
      hint: 'bcrypt ignores everything past 72 bytes: use a shorter passphrase',
    });
  }
  const missing = missingPasswordParts(password);
  if (missing.length > 0) {
    throw new AppError('WEAK_PASSWORD', `the password needs ${joinList(missing)}`, { hint: 'mix at least 8 letters, digits and symbols such as ! or #' });
  }
}

function missingPasswordParts(password: string): string[] {
  const missing: string[] = [];
  const characters = [...password].length;
  if (characters < PASSWORD_MIN_CHARACTERS) missing.push(`at least ${PASSWORD_MIN_CHARACTERS} characters (it has ${characters})`);
  if (!/\p{L}/u.test(password)) missing.push('a letter');
  if (!/\p{Nd}/u.test(password)) missing.push('a digit');
  if (!unicodePatterns().passwordSymbol.test(password)) missing.push('a symbol (a character that is not a letter, digit or space)');
  return missing;
}

function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    bytes += codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
  }
  return bytes;
}

function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * Checks free text typed for a named field (ticket subject and body, lock reasons, memos):
 * trimmed, between `min` and `max` characters (code points), no control characters, no
 * direction overrides, one line unless `multiline`. `field` is a noun ("subject") or a flag ("--reason").
 */
export function boundedText(text: string, field: string, bounds: TextBounds): string {
  const subject = field.startsWith('-') ? field : `the ${field}`;
  // U+2028 and U+2029 are line breaks too: a new line in text, refused where text is one line.
  const value = (bounds.multiline === true ? text.replace(/\r\n|[\u2028\u2029]/g, '\n') : text).trim();
  // A code point is at most two UTF-16 units, so this refuses huge input before counting it.
  if (value.length > 2 * bounds.max) throw new AppError('INVALID_TEXT', `${subject} is too long: more than ${bounds.max} characters`);
  const problem = textProblem(value, bounds.multiline === true);
  if (problem !== null) throw new AppError('INVALID_TEXT', `${subject} ${problem}`, { hint: 'remove invisible and control characters' });
  const characters = [...value].length;
  if (characters > bounds.max) throw new AppError('INVALID_TEXT', `${subject} is too long: ${characters} characters, at most ${bounds.max}`);
  if (characters < bounds.min) {
    throw new AppError('INVALID_TEXT', characters === 0 ? `${subject} is empty` : `${subject} is too short: ${characters} characters, at least ${bounds.min}`);
  }
  return value;
}

/**
 * Text from outside okpay (an imported mail) with every character `boundedText` refuses taken out
 * (line breaks too unless `multiline`, as spaces); `removed` says whether there were any.
 */
export function withoutHiddenCharacters(text: string, multiline: boolean): { text: string; removed: boolean } {
  const breaks = multiline ? text.replace(/\r\n|[\r\u2028\u2029]/g, '\n') : text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
  const hidden = new RegExp(`${LONE_SURROGATE.source}|${BIDI_CONTROL.source}|${(multiline ? CONTROL_EXCEPT_TAB_AND_LF : CONTROL).source}`, 'g');
  const cleaned = breaks.replace(hidden, '');
  return { text: cleaned, removed: cleaned !== (multiline ? text.replace(/\r\n/g, '\n') : text) };
}

function textProblem(value: string, multiline: boolean): string | null {
  if (LONE_SURROGATE.test(value)) return 'contains a broken character (a lone UTF-16 surrogate)';
  if (BIDI_CONTROL.test(value)) return 'contains an invisible text-direction control character';
  if (!multiline && /[\r\n\u2028\u2029]/.test(value)) return 'must fit on one line';
  const control = (multiline ? CONTROL_EXCEPT_TAB_AND_LF : CONTROL).exec(value);
  if (control === null) return null;
  const codePoint = (control[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  return `contains a control character (U+${codePoint})`;
}

/** A person's name, 1–100 characters of letters with spaces, apostrophes, hyphens and dots. */
export function validateName(text: string, field = 'name'): string {
  const name = boundedText(text, field, { min: 1, max: NAME_MAX_CHARACTERS });
  if (!unicodePatterns().name.test(name) || !/\p{L}/u.test(name)) {
    const subject = field.startsWith('-') ? field : `the ${field}`;
    throw new AppError('INVALID_NAME', `${subject} "${printable(name)}" may contain only letters, spaces, apostrophes, hyphens and dots`);
  }
  return name;
}

/** A transfer memo: one line of at most 140 characters; an empty memo is no memo (null). */
export function validateMemo(text: string): string | null {
  const memo = boundedText(text, 'memo', { min: 0, max: MEMO_MAX_CHARACTERS });
  return memo === '' ? null : memo;
}

interface DateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  readonly offsetHours: number;
  readonly offsetMinutes: number;
  readonly offsetSign: 1 | -1;
}

/**
 * Parses "2026-11-22" (midnight UTC) or a full ISO 8601 time with its zone
 * ("2026-11-22T09:30:00+08:00", "…Z") into epoch milliseconds. A time without a zone is
 * refused: it would mean a different moment on every machine.
 */
export function parseIsoDate(text: string, field: string): number {
  const trimmed = text.trim();
  const parts = trimmed.length <= ISO_DATE_TEXT_MAX ? matchIsoDate(trimmed) : null;
  if (parts === null) throw new AppError('INVALID_DATE', `${field} "${printable(trimmed)}" is not an ISO 8601 date`, { hint: DATE_HINT });
  const problem = dateRangeProblem(parts);
  if (problem !== null) throw new AppError('INVALID_DATE', `${field} "${printable(trimmed)}" has ${problem}`, { hint: DATE_HINT });
  const days = daysFromCivil(parts.year, parts.month, parts.day);
  const offsetMs = parts.offsetSign * (parts.offsetHours * 60 + parts.offsetMinutes) * 60_000;
  return (((days * 24 + parts.hour) * 60 + parts.minute) * 60 + parts.second) * 1000 + parts.millisecond - offsetMs;
}

function matchIsoDate(text: string): DateParts | null {
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly !== null) {
    const [, year, month, day] = dateOnly.map(Number);
    return {
      year: year ?? 0,
      month: month ?? 0,
      day: day ?? 0,
      hour: 0,
      minute: 0,
      second: 0,
      millisecond: 0,
      offsetHours: 0,
      offsetMinutes: 0,
      offsetSign: 1,
    };
  }
  const match = DATE_TIME.exec(text);
  if (match === null) return null;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const utc = zone.toUpperCase() === 'Z';
  return {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second ?? '0'),
    // Sub-millisecond digits are dropped: the store keeps milliseconds.
    millisecond: Number((fraction ?? '').padEnd(3, '0').slice(0, 3)),
    offsetHours: utc ? 0 : Number(zone.slice(1, 3)),
    offsetMinutes: utc ? 0 : Number(zone.slice(4, 6)),
    offsetSign: !utc && zone.startsWith('-') ? -1 : 1,
  };
}

function dateRangeProblem(parts: DateParts): string | null {
  if (parts.month < 1 || parts.month > 12 || parts.day < 1 || parts.day > daysInMonth(parts.year, parts.month)) return 'no such day';
  if (parts.hour > 23 || parts.minute > 59 || parts.second > 59) return 'no such time of day';
  if (parts.offsetHours > 23 || parts.offsetMinutes > 59) return 'no such time zone offset';
  return null;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm), so that
// years 0000–0099 are not shifted by 1900 as Date.UTC would do.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/**
 * Parses a whole number given for a flag such as --limit, within [min, max] (by default
 * 1 to the largest safe integer). A missing value is a usage error; anything else is invalid input.
 */
export function parsePositiveInt(text: string, field: string, bounds: { readonly min?: number; readonly max?: number } = {}): number {
  const min = bounds.min ?? 1;
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  const trimmed = text.trim();
  if (trimmed === '') throw new AppError('USAGE', `${field} needs a value`, { hint: `for example ${field} ${min}` });
  if (!/^[0-9]+$/.test(trimmed)) {
    throw new AppError('INVALID_NUMBER', `${field} "${printable(trimmed)}" is not a whole number`, {
      hint: `use the digits 0-9 for a number from ${min} to ${max}`,
    });
  }
  const significant = trimmed.replace(/^0+(?=.)/, '');
  const value = significant.length > 16 ? Number.POSITIVE_INFINITY : Number(significant);
  if (value < min || value > max) throw new AppError('INVALID_NUMBER', `${field} must be from ${min} to ${max}, not ${printable(trimmed)}`);
  return value;
}
