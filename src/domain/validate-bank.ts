// Bank details for withdrawal methods: IBANs (ISO 13616, mod-97 check digits), US ABA routing
// numbers and account numbers, and the masked form in which we show any of them.
// The mod-97 stays here because ibantools checks it only together with each country's BBAN
// format and national check digits, and okpay accepts any IBAN whose ISO 13616 check digits hold.

import { electronicFormatIBAN, friendlyFormatIBAN } from 'ibantools';
import * as v from 'valibot';
import { AppError } from './errors.js';
import { printable } from './money.js';
import { int, object, parseShippedData, record } from './schema.js';

export interface Iban {
  readonly iban: string;
  readonly country: string;
}

// The longest IBAN has 34 characters; the printed form adds a space every four.
const IBAN_TEXT_MAX_CHARACTERS = 64;
const IBAN_MIN_LENGTH = 5;
const IBAN_MAX_LENGTH = 34;
const IBAN_HINT = 'copy it from your bank statement, like DE89 3704 0044 0532 0130 00';

// The first two digits are the Federal Reserve routing symbol: 00–12 for banks, 21–32 for
// thrift institutions, 61–72 for electronic transactions and 80 for traveller's cheques.
const ROUTING_PREFIX = /^(?:0[0-9]|1[0-2]|2[1-9]|3[0-2]|6[1-9]|7[0-2]|80)/;
const ROUTING_WEIGHTS = [3, 7, 1, 3, 7, 1, 3, 7, 1] as const;
const ROUTING_HINT = 'a US routing number is the 9 digits at the bottom left of a cheque';

const IBAN_LENGTH_PROBLEM = `needs a length from ${IBAN_MIN_LENGTH} to ${IBAN_MAX_LENGTH}`;

/** Total IBAN length per country, as in data/iban.json. */
const ibanFileSchema = object({
  lengths: v.pipe(
    record(
      v.pipe(v.string(), v.regex(/^[A-Z]{2}$/, 'must be a two-letter country code')),
      v.pipe(int(IBAN_LENGTH_PROBLEM), v.minValue(IBAN_MIN_LENGTH, IBAN_LENGTH_PROBLEM), v.maxValue(IBAN_MAX_LENGTH, IBAN_LENGTH_PROBLEM)),
    ),
    v.check((lengths) => Object.keys(lengths).length > 0, 'has no entries'),
  ),
});

export type IbanLengths = Readonly<v.InferOutput<typeof ibanFileSchema>['lengths']>;

/** Reads the parsed contents of data/iban.json, refusing a malformed table. */
export function parseIbanLengths(json: unknown): IbanLengths {
  return parseShippedData(ibanFileSchema, json, 'the IBAN table', (message) => {
    throw new AppError('INVALID_FILE', message);
  }).lengths;
}

/**
 * Normalises an IBAN (spaces dropped, upper case) and checks, in this order, its characters,
 * country, check-digit position, the length for that country and the mod-97 checksum, so
 * the message names the first thing that is wrong.
 */
export function normalizeIban(text: string, lengths: IbanLengths): Iban {
  const shown = printable(text.trim());
  if (text.length > IBAN_TEXT_MAX_CHARACTERS)
    throw new AppError('INVALID_IBAN', `"${shown}" is too long for an IBAN (at most ${IBAN_MAX_LENGTH} letters and digits)`, { hint: IBAN_HINT });
  const compact = text.replace(/\s/g, '');
  if (compact === '') throw new AppError('INVALID_IBAN', 'the IBAN is empty', { hint: IBAN_HINT });
  // Checked before upper-casing: toUpperCase turns "ß" into "SS" and would invent characters.
  if (!/^[A-Za-z0-9]+$/.test(compact))
    throw new AppError('INVALID_IBAN', `"${shown}" is not an IBAN: only letters A-Z, digits and spaces belong in one`, { hint: IBAN_HINT });
  const iban = electronicFormatIBAN(compact) ?? compact;
  const country = iban.slice(0, 2);
  if (!/^[A-Z]{2}$/.test(country))
    throw new AppError('INVALID_IBAN', `"${shown}" is not an IBAN: it must start with a two-letter country code`, { hint: IBAN_HINT });
  const expected = Object.hasOwn(lengths, country) ? lengths[country] : undefined;
  if (expected === undefined) {
    throw new AppError('INVALID_IBAN', `${country} is not a country that uses IBANs`, {
      hint: 'for a US account use --account-number and --routing-number instead',
    });
  }
  const check = iban.slice(2, 4);
  if (!/^[0-9]{2}$/.test(check))
    throw new AppError('INVALID_IBAN', `"${shown}" is not an IBAN: the two characters after the country code must be digits`, { hint: IBAN_HINT });
  if (iban.length !== expected)
    throw new AppError('INVALID_IBAN', `a ${country} IBAN has ${expected} characters, but "${shown}" has ${iban.length}`, { hint: IBAN_HINT });
  // 00, 01 and 99 can satisfy mod-97 but ISO 13616 never issues them.
  if (check === '00' || check === '01' || check === '99' || ibanRemainder(iban) !== 1) {
    throw new AppError('INVALID_IBAN', `"${shown}" is not a valid IBAN: its check digits do not match (look for a typo)`, { hint: IBAN_HINT });
  }
  return { iban, country };
}

/** The two check digits for a country code and BBAN, both already upper case (for generating test accounts). */
export function ibanCheckDigits(country: string, bban: string): string {
  return String(98 - ibanRemainder(`${country}00${bban}`)).padStart(2, '0');
}

// ISO 7064 MOD 97-10 over the IBAN with its first four characters moved to the end and each
// letter read as two digits (A = 10 … Z = 35), folded one step at a time so it never overflows.
function ibanRemainder(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const character of rearranged) {
    const code = character.charCodeAt(0);
    remainder = code <= 57 ? (remainder * 10 + (code - 48)) % 97 : (remainder * 100 + (code - 55)) % 97;
  }
  return remainder;
}

/** The print form of an IBAN: groups of four separated by spaces. */
export function formatIban(iban: string): string {
  return friendlyFormatIBAN(iban) ?? iban;
}

/** Hides an account number or IBAN except its last four characters: "•••• 4321". */
export function maskAccountNumber(text: string): string {
  const compact = text.replace(/[^A-Za-z0-9]/g, '');
  // Showing four characters of a number that short would show all of it.
  return compact.length <= 4 ? '••••' : `•••• ${compact.slice(-4)}`;
}

/** A US ABA routing number: 9 ASCII digits, a known routing symbol and a matching check digit. */
export function validateRoutingNumber(text: string): string {
  const routing = text.trim();
  const shown = printable(routing);
  if (!/^[0-9]{9}$/.test(routing))
    throw new AppError('INVALID_ROUTING_NUMBER', `"${shown}" is not a routing number: it must be exactly 9 digits 0-9`, { hint: ROUTING_HINT });
  if (routing === '000000000') throw new AppError('INVALID_ROUTING_NUMBER', 'a routing number cannot be all zeros', { hint: ROUTING_HINT });
  if (!ROUTING_PREFIX.test(routing)) {
    throw new AppError('INVALID_ROUTING_NUMBER', `"${shown}" is not a routing number: no US routing number starts with ${routing.slice(0, 2)}`, {
      hint: ROUTING_HINT,
    });
  }
  if (routingChecksum(routing) % 10 !== 0) {
    throw new AppError('INVALID_ROUTING_NUMBER', `"${shown}" is not a valid routing number: its check digit does not match (look for a typo)`, {
      hint: ROUTING_HINT,
    });
  }
  return routing;
}

/** The ninth digit that completes the first eight digits of a routing number (for generating test accounts). */
export function routingCheckDigit(firstEight: string): string {
  return String((10 - (routingChecksum(`${firstEight}0`) % 10)) % 10);
}

function routingChecksum(digits: string): number {
  return ROUTING_WEIGHTS.reduce((sum, weight, index) => sum + weight * Number(digits[index]), 0);
}

/** A US bank account number: 4 to 17 ASCII digits. */
export function validateAccountNumber(text: string): string {
  const account = text.trim();
  if (!/^[0-9]{4,17}$/.test(account)) {
    throw new AppError('INVALID_ACCOUNT_NUMBER', `"${printable(account)}" is not a US account number: it must be 4 to 17 digits 0-9`, {
      hint: 'leave out spaces and dashes',
    });
  }
  return account;
}
