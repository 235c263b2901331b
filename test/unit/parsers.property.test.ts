// Property tests for every parser that takes outside input: amounts (and their round trip through
// formatAmount), emails, phones, IBANs, routing numbers, dates, whole numbers, batch files and
// fixture files. Two kinds of property throughout: what a parser accepts is normalised and stable
// (parsing its own output gives it back), and whatever it is given, it either answers or throws an
// AppError with the expected code — never a TypeError, never a silent wrong value.

import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import currenciesJson from '../../data/currencies.json' with { type: 'json' };
import { formatCsv, neutralizeFormula, parseCsv, type CsvOptions } from '../../src/domain/csv.js';
import { AppError, type ErrorCode } from '../../src/domain/errors.js';
import { planFixtures } from '../../src/domain/fixture-plan.js';
import { formatAmount, parseAmount, type Currency } from '../../src/domain/money.js';
import { formatIban, normalizeIban, parseIbanLengths, validateRoutingNumber } from '../../src/domain/validate-bank.js';
import { normalizeEmail, normalizePhone, parseIsoDate, parsePositiveInt } from '../../src/domain/validate.js';

const currencies: readonly Currency[] = currenciesJson.currencies;
const lengths = parseIbanLengths(JSON.parse(readFileSync(new URL('../../data/iban.json', import.meta.url), 'utf8')));
const RUNS = { numRuns: 300 };

/** Runs `parse`; a refusal must be an AppError with one of `codes`. */
function answerOrRefuse<T>(parse: () => T, codes: readonly ErrorCode[]): T | AppError {
  try {
    return parse();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect(codes).toContain((error as AppError).code);
    return error as AppError;
  }
}

/** Strings built to be awkward: digits of other scripts, signs, exponents, blanks, controls. */
const awkward = fc.string({
  unit: fc.constantFrom(...'0123456789.,-+eE xX_'.split(''), '１', '٣', '९', '²', '\u00a0', '\u2007', '\u0000', '\n', '\u202e', '\ud800', '💸', 'é'),
  maxLength: 30,
});
const anyText = fc.oneof(awkward, fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ maxLength: 60 }));

describe('amounts', () => {
  const currency = fc.constantFrom(...currencies);
  const inRange = currency.chain((c) => fc.tuple(fc.constant(c), fc.integer({ min: 1, max: c.maxTransactionMinor })));

  it('formatAmount then parseAmount gives back the same minor units, in every currency', () => {
    fc.assert(
      fc.property(inRange, ([c, minor]) => {
        expect(parseAmount(formatAmount(minor, c), c)).toBe(minor);
      }),
      RUNS,
    );
  });

  it('a formatted amount is plain ASCII digits with exactly the currency’s decimals', () => {
    fc.assert(
      fc.property(inRange, ([c, minor]) => {
        const text = formatAmount(minor, c);
        expect(text).toMatch(c.exponent === 0 ? /^[0-9]+$/ : new RegExp(`^[0-9]+\\.[0-9]{${c.exponent}}$`));
      }),
      RUNS,
    );
  });

  it('any text is either a positive whole number of minor units within the maximum, or INVALID_AMOUNT', () => {
    fc.assert(
      fc.property(currency, anyText, (c, text) => {
        const result = answerOrRefuse(() => parseAmount(text, c), ['INVALID_AMOUNT']);
        if (typeof result === 'number') {
          expect(Number.isSafeInteger(result) && result >= 1 && result <= c.maxTransactionMinor).toBe(true);
          expect(text).toMatch(/^[0-9]*\.?[0-9]*$/);
        }
      }),
      RUNS,
    );
  });

  it('a valid amount with a sign, an exponent, a separator, a blank or a non-ASCII digit added is refused', () => {
    const spoiler = fc.constantFrom('-', '+', 'e2', 'E0', ',', ' ', '\u00a0', '_', '１', '٣', '.', 'x');
    fc.assert(
      fc.property(inRange, spoiler, fc.nat(), ([c, minor], extra, at) => {
        const text = formatAmount(minor, c);
        const position = at % (text.length + 1);
        const spoiled = text.slice(0, position) + extra + text.slice(position);
        // A point added to a currency without decimals, or at the end, can still be a valid amount.
        if (extra === '.' && (c.exponent === 0 || position === text.length || !text.includes('.'))) return;
        expect(() => parseAmount(spoiled, c)).toThrow(AppError);
      }),
      RUNS,
    );
  });

  it('more decimals than the currency has are refused, even when they are zeros', () => {
    fc.assert(
      fc.property(inRange, fc.integer({ min: 1, max: 4 }), ([c, minor], extraZeros) => {
        const text = formatAmount(minor, c);
        const longer = c.exponent === 0 ? `${text}.${'0'.repeat(extraZeros)}` : `${text}${'0'.repeat(extraZeros)}`;
        expect(() => parseAmount(longer, c)).toThrow(AppError);
      }),
      RUNS,
    );
  });
});

describe('emails', () => {
  it('normalising is stable: the normal form of a normal form is itself', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.constantFrom('', ' ', '\t'), fc.boolean(), (email, pad, upper) => {
        const first = answerOrRefuse(() => normalizeEmail(`${pad}${upper ? email.toUpperCase() : email}${pad}`), ['INVALID_EMAIL']);
        if (typeof first === 'string') {
          expect(normalizeEmail(first)).toBe(first);
          expect(first).toBe(first.trim());
          expect(first).not.toMatch(/[\s\u0000-\u001f]/);
        }
      }),
      RUNS,
    );
  });

  it('any text is either an address with one @ or INVALID_EMAIL', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = answerOrRefuse(() => normalizeEmail(text), ['INVALID_EMAIL']);
        if (typeof result === 'string') expect(result.split('@')).toHaveLength(2);
      }),
      RUNS,
    );
  });
});

describe('phones', () => {
  const phone = fc.tuple(fc.constantFrom('1', '44', '49', '86', '81', '33', '34'), fc.stringMatching(/^[1-9][0-9]{8,10}$/));

  it('spaces, dashes, dots and brackets do not change the number', () => {
    fc.assert(
      fc.property(phone, fc.constantFrom(' ', '-', '.', ''), ([cc, rest], separator) => {
        const plain = answerOrRefuse(() => normalizePhone(`+${cc}${rest}`), ['INVALID_PHONE']);
        if (typeof plain !== 'string') return;
        const spaced = `+${cc} (${rest.slice(0, 3)})${separator}${rest.slice(3, 6)}${separator}${rest.slice(6)}`;
        expect(normalizePhone(spaced)).toBe(plain);
        expect(normalizePhone(plain)).toBe(plain);
      }),
      RUNS,
    );
  });

  it('any text is either +digits (E.164, at most 15 digits) or INVALID_PHONE', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = answerOrRefuse(() => normalizePhone(text), ['INVALID_PHONE']);
        if (typeof result === 'string') expect(result).toMatch(/^\+[1-9][0-9]{1,14}$/);
      }),
      RUNS,
    );
  });
});

describe('IBANs and routing numbers', () => {
  const country = fc.constantFrom(...Object.keys(lengths));

  it('any text is either a checked IBAN of its country’s length or INVALID_IBAN; formatting and parsing agree', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyText,
          country.map((cc) => `${cc}00${'1'.repeat(20)}`),
        ),
        (text) => {
          const result = answerOrRefuse(() => normalizeIban(text, lengths), ['INVALID_IBAN']);
          if (result instanceof AppError) return;
          const iban = String(result);
          expect(iban).toMatch(/^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/);
          expect(iban.length).toBe(lengths[iban.slice(0, 2)]);
          expect(String(normalizeIban(formatIban(iban), lengths))).toBe(iban);
        },
      ),
      RUNS,
    );
  });

  it('any text is either a nine-digit routing number with a valid check digit or INVALID_ROUTING_NUMBER', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.stringMatching(/^[0-9]{9}$/)), (text) => {
        const result = answerOrRefuse(() => validateRoutingNumber(text), ['INVALID_ROUTING_NUMBER']);
        if (typeof result !== 'string') return;
        expect(result).toMatch(/^[0-9]{9}$/);
        const d = [...result].map(Number);
        const sum = 3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!);
        expect(sum % 10).toBe(0);
      }),
      RUNS,
    );
  });
});

describe('dates and whole numbers', () => {
  it('an instant printed as ISO 8601 parses back to the same millisecond', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true }), (date) => {
        expect(parseIsoDate(date.toISOString(), '--since')).toBe(date.getTime());
      }),
      RUNS,
    );
  });

  it('any text is either a finite instant or INVALID_DATE', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.stringMatching(/^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2})?$/)), (text) => {
        const result = answerOrRefuse(() => parseIsoDate(text, '--since'), ['INVALID_DATE', 'USAGE']);
        if (typeof result === 'number') expect(Number.isFinite(result)).toBe(true);
      }),
      RUNS,
    );
  });

  it('parsePositiveInt answers a whole number within its bounds, or refuses', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.integer().map(String)), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 100, max: 1000 }), (text, min, max) => {
        const result = answerOrRefuse(() => parsePositiveInt(text, '--limit', { min, max }), ['INVALID_NUMBER', 'USAGE']);
        if (typeof result === 'number') expect(Number.isInteger(result) && result >= min && result <= max).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('batch files', () => {
  const options: CsvOptions = { maxRows: 10_000, requiredColumns: ['to', 'amount', 'currency', 'reference'], optionalColumns: ['memo'] };
  const memo = fc.string({ unit: fc.constantFrom(...'ab ,"\n\r;=+-'.split(''), 'é', '中'), maxLength: 20 });
  const row = fc.record({
    to: fc.emailAddress(),
    amount: fc.integer({ min: 1, max: 10_000_000 }).map((m) => formatAmount(m, { exponent: 2 })),
    currency: fc.constantFrom('USD', 'EUR', 'GBP'),
    memo,
    reference: fc.stringMatching(/^[a-z0-9-]{1,20}$/),
  });

  it('a batch written by formatCsv reads back row for row (a formula-like cell as text), and every amount parses to what was written', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 30 }), (rows) => {
        const parsed = parseCsv(formatCsv(['to', 'amount', 'currency', 'memo', 'reference'], rows), options);
        expect(parsed.errors).toEqual([]);
        expect(parsed.rows).toHaveLength(rows.length);
        parsed.rows.forEach((r, i) => {
          expect(r).toMatchObject({
            to: neutralizeFormula(rows[i]?.to ?? ''),
            currency: rows[i]?.currency,
            reference: neutralizeFormula(rows[i]?.reference ?? ''),
          });
          expect(r['memo']?.replace(/\r\n/g, '\n')).toBe(neutralizeFormula(rows[i]?.memo ?? '').replace(/\r\n/g, '\n'));
          expect(parseAmount(r['amount'] ?? '', { code: 'USD', exponent: 2, maxTransactionMinor: 10_000_000 } as Currency)).toBe(
            parseAmount(rows[i]?.amount ?? '', { code: 'USD', exponent: 2, maxTransactionMinor: 10_000_000 } as Currency),
          );
        });
      }),
      { numRuns: 150 },
    );
  });

  it('arbitrary bytes never crash the reader: rows and errors are reported, each on a real line', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 400 }),
          fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', '\u0000', '\ufeff'), maxLength: 200 }),
        ),
        (text) => {
          const result = answerOrRefuse(() => parseCsv(`to,amount,currency,memo,reference\n${text}`, options), ['INVALID_FILE']);
          if (result instanceof AppError) return;
          const lineCount = text.split(/\r\n|\r|\n/).length + 1;
          for (const e of result.errors) expect(e.line >= 1 && e.line <= lineCount + 1).toBe(true);
          expect(result.rows.length).toBe(result.rowLines.length);
        },
      ),
      RUNS,
    );
  });
});

describe('fixture files', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
  const user = fc.record({
    name,
    email: fc.emailAddress(),
    password: fc.constant('Harbour-lights-42!'),
    balances: fc.dictionary(fc.constantFrom('USD', 'EUR', 'JPY'), fc.integer({ min: 1, max: 1_000_000 }).map(String), { maxKeys: 3 }),
  });

  it('a valid document plans one entry per user, in order', () => {
    fc.assert(
      fc.property(fc.uniqueArray(user, { selector: (u) => u.name, minLength: 1, maxLength: 8 }), (users) => {
        const result = answerOrRefuse(
          () => planFixtures([{ file: 'f.json', data: { users } }]),
          ['INVALID_FILE', 'INVALID_TEXT', 'INVALID_NAME', 'INVALID_EMAIL'],
        );
        if (result instanceof AppError) return;
        expect(result.entries.map((e) => (e.kind === 'user' ? e.value.name : null))).toEqual(users.map((u) => u.name));
      }),
      { numRuns: 150 },
    );
  });

  it('any JSON value, or a valid document with one field replaced by any JSON value, is planned or refused with a clear error', () => {
    const path = fc.constantFrom('users', 'name', 'email', 'password', 'balances', 'role', 'kyc', 'at', 'expect', 'transfers');
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.tuple(fc.array(user, { minLength: 1, maxLength: 3 }), path, fc.jsonValue())), (input) => {
        let data: unknown = input;
        if (Array.isArray(input) && input.length === 3 && typeof input[1] === 'string' && Array.isArray(input[0])) {
          const [users, key, value] = input as [Record<string, unknown>[], string, unknown];
          data = ['users', 'expect', 'transfers'].includes(key)
            ? { users, [key]: value }
            : { users: users.map((u, i) => (i === 0 ? { ...u, [key]: value } : u)) };
        }
        answerOrRefuse(
          () => planFixtures([{ file: 'f.json', data }]),
          [
            'INVALID_FILE',
            'INVALID_TEXT',
            'INVALID_NAME',
            'INVALID_DATE',
            'INVALID_RECIPIENT',
            'INVALID_CHOICE',
            'INVALID_NUMBER',
            'INVALID_EMAIL',
            'INVALID_AMOUNT',
            'INVALID_CURRENCY',
            'INVALID_PHONE',
            'INVALID_COUNTRY',
            'WEAK_PASSWORD',
            'USAGE',
          ],
        );
      }),
      RUNS,
    );
  });
});
