// Phone numbers, kept in E.164 ("+14155550100"). libphonenumber-js with its full ("max") metadata
// knows every calling code and numbering plan: it reads national formats when the country is
// known, names the country of a number and tells a mobile number from a landline.

import { createRequire } from 'node:module';
import { AppError } from './errors.js';
import { printable } from './money.js';
import type { Country } from './country.js';

type PhoneLibrary = typeof import('libphonenumber-js/max');
type CountryCode = import('libphonenumber-js/max').CountryCode;

let library: PhoneLibrary | undefined;

// 150 kB of metadata, so it is loaded the first time a number is read, not by every command.
function phoneLibrary(): PhoneLibrary {
  return (library ??= createRequire(import.meta.url)('libphonenumber-js/max') as PhoneLibrary);
}

const PHONE_TEXT_MAX_CHARACTERS = 32;
const PHONE_DIGITS_MIN = 8;
const PHONE_DIGITS_MAX = 15;
const PHONE_SEPARATORS = /[\s().-]/g;
const PHONE_HINT = 'write + then the country code and number, like +14155550100 or +1 415-555-0100';

/** What a number is, by its country's numbering plan. */
export type PhoneType = 'mobile' | 'fixed-line' | 'fixed-line-or-mobile' | 'other';

/**
 * Normalises a phone number to E.164. Spaces, dashes, dots and parentheses are dropped. With
 * `country` (ISO 3166 alpha-2) a number without + is read in that country's national format;
 * with `countries` the number's calling code must be one of theirs.
 */
export function normalizePhone(text: string, countries?: readonly Country[], country?: string): string {
  const trimmed = text.trim();
  const shown = printable(trimmed);
  if (trimmed === '') throw new AppError('INVALID_PHONE', 'the phone number is empty', { hint: PHONE_HINT });
  if (trimmed.length > PHONE_TEXT_MAX_CHARACTERS) throw new AppError('INVALID_PHONE', `"${shown}" is too long for a phone number`, { hint: PHONE_HINT });
  const international = trimmed.startsWith('+') ? trimmed : nationalToInternational(trimmed, shown, country);
  const digits = international.slice(1).replace(PHONE_SEPARATORS, '');
  if (/(?![0-9])\p{Nd}/u.test(digits)) throw new AppError('INVALID_PHONE', `"${shown}" contains digits other than 0-9`, { hint: PHONE_HINT });
  if (/[^0-9]/.test(digits)) {
    throw new AppError('INVALID_PHONE', `"${shown}" may contain only digits, spaces, dashes, dots and parentheses after the +`, { hint: PHONE_HINT });
  }
  if (digits.length < PHONE_DIGITS_MIN || digits.length > PHONE_DIGITS_MAX) {
    throw new AppError(
      'INVALID_PHONE',
      `"${shown}" has ${digits.length} digits; a phone number has ${PHONE_DIGITS_MIN} to ${PHONE_DIGITS_MAX} with its country code`,
      { hint: PHONE_HINT },
    );
  }
  if (digits.startsWith('0')) throw new AppError('INVALID_PHONE', `"${shown}" is not a phone number: no country code starts with 0`, { hint: PHONE_HINT });
  if (countries !== undefined) {
    const callingCode = phoneLibrary().parsePhoneNumberFromString(`+${digits}`)?.countryCallingCode;
    if (callingCode === undefined || !countries.some((known) => known.callingCode === callingCode)) {
      throw new AppError('INVALID_PHONE', `"${shown}" does not start with a known country calling code`, { hint: PHONE_HINT });
    }
  }
  return `+${digits}`;
}

// A number written as at home ("(415) 555-0100", "030 1234567") needs its country to be read.
function nationalToInternational(text: string, shown: string, country: string | undefined): string {
  const { isSupportedCountry, parsePhoneNumberFromString } = phoneLibrary();
  if (country === undefined || !isSupportedCountry(country))
    throw new AppError('INVALID_PHONE', `"${shown}" does not start with + and a country code`, { hint: PHONE_HINT });
  const parsed = parsePhoneNumberFromString(text, country as CountryCode);
  if (parsed === undefined || !parsed.isPossible()) throw new AppError('INVALID_PHONE', `"${shown}" is not a phone number in ${country}`, { hint: PHONE_HINT });
  return parsed.number;
}

/** True when the text is made of digits and phone punctuation, so it should be judged as a phone number. */
export function looksLikePhone(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > 2 * PHONE_TEXT_MAX_CHARACTERS) return false;
  return /^\+?[\p{Nd}\s().-]+$/u.test(trimmed) && /\p{Nd}/u.test(trimmed);
}

/** The country of an E.164 number by its numbering plan, or null when no plan claims it. */
export function phoneCountry(e164: string): string | null {
  return phoneLibrary().parsePhoneNumberFromString(e164)?.country ?? null;
}

/** The type of a valid E.164 number (to tell where a text message can go), or null for an invalid one. */
export function phoneType(e164: string): PhoneType | null {
  const parsed = phoneLibrary().parsePhoneNumberFromString(e164);
  if (parsed === undefined || !parsed.isValid()) return null;
  const type = parsed.getType();
  if (type === 'MOBILE') return 'mobile';
  if (type === 'FIXED_LINE') return 'fixed-line';
  if (type === 'FIXED_LINE_OR_MOBILE') return 'fixed-line-or-mobile';
  return 'other';
}
