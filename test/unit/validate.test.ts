import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { AppError } from '../../src/domain/errors.js';
import {
  boundedText,
  checkPasswordPolicy,
  classifyRecipient,
  looksLikePhone,
  normalizeCountry,
  normalizeEmail,
  normalizePhone,
  parseCountries,
  parseIsoDate,
  parsePositiveInt,
  validateMemo,
  validateName,
} from '../../src/domain/validate.js';
import { validateDocument } from '../../src/domain/validate-document.js';

const countries = parseCountries(JSON.parse(readFileSync(new URL('../../data/countries.json', import.meta.url), 'utf8')));

function caught(run: () => unknown): AppError | null {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  return null;
}

function codeOf(run: () => unknown): string {
  return caught(run)?.code ?? 'OK';
}

function messageOf(run: () => unknown): string {
  return caught(run)?.message ?? '';
}

describe('country data', () => {
  it('lists every officially assigned ISO 3166-1 code once, with a calling code', () => {
    expect(countries).toHaveLength(249);
    expect(new Set(countries.map((c) => c.code)).size).toBe(249);
    expect(countries.find((c) => c.code === 'US')).toEqual({ code: 'US', name: 'United States', callingCode: '1' });
    expect(countries.find((c) => c.code === 'CN')?.callingCode).toBe('86');
    expect(countries.find((c) => c.code === 'DE')?.callingCode).toBe('49');
  });

  it('refuses a malformed list', () => {
    expect(codeOf(() => parseCountries({}))).toBe('INVALID_FILE');
    expect(codeOf(() => parseCountries({ countries: [{ code: 'us', name: 'x', callingCode: '1' }] }))).toBe('INVALID_FILE');
    expect(codeOf(() => parseCountries({ countries: [{ code: 'US', name: 'x', callingCode: '+1' }] }))).toBe('INVALID_FILE');
    const twice = { code: 'US', name: 'United States', callingCode: '1' };
    expect(messageOf(() => parseCountries({ countries: [twice, twice] }))).toMatch(/US twice/);
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases the whole address', () => {
    expect(normalizeEmail('  Alice.Smith+pay@Example.COM ')).toBe('alice.smith+pay@example.com');
    expect(normalizeEmail("o'brien@mail.example.co.uk")).toBe("o'brien@mail.example.co.uk");
    expect(normalizeEmail('x@xn--80ak6aa92e.com')).toBe('x@xn--80ak6aa92e.com');
  });

  it.each([
    ['', /is empty/],
    ['alice.example.com', /has no @/],
    ['a@b@example.com', /more than one @/],
    ['@example.com', /nothing comes before the @/],
    ['alice@', /nothing comes after the @/],
    ['alice@localhost', /no dot/],
    ['alice@example..com', /empty part/],
    ['.alice@example.com', /start or end with a dot/],
    ['al..ice@example.com', /two dots in a row/],
    ['al(ice@example.com', /not allowed/],
    ['alice@-example.com', /letters, digits and hyphens/],
    ['alice@exa_mple.com', /letters, digits and hyphens/],
    ['alice@10.0.0.1', /end in a name/],
    ['al ice@example.com', /space/],
    ['alice@exämple.com', /outside ASCII/],
    ['\u212Alice@example.com', /outside ASCII/],
    ['alice\u0000@example.com', /control character/],
    [`${'a'.repeat(65)}@example.com`, /longer than 64/],
    [`alice@${'a'.repeat(64)}.com`, /longer than 63/],
    [`alice@${'abcdefghi.'.repeat(25)}com`, /longer than 254/],
  ])('refuses %j', (text, reason) => {
    const error = caught(() => normalizeEmail(text));
    expect(error?.code).toBe('INVALID_EMAIL');
    expect(error?.message).toMatch(reason);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.constantFrom('', ' ', '\t'), (email, pad) => {
        const once = normalizeEmail(`${pad}${email.toUpperCase()}${pad}`);
        expect(normalizeEmail(once)).toBe(once);
      }),
    );
  });
});

describe('normalizePhone', () => {
  it('accepts E.164 and common punctuation', () => {
    expect(normalizePhone('+14155550100')).toBe('+14155550100');
    expect(normalizePhone('+1 415-555-0100')).toBe('+14155550100');
    expect(normalizePhone(' +1 (415) 555 0100 ')).toBe('+14155550100');
    expect(normalizePhone('+86 138.0013.8000', countries)).toBe('+8613800138000');
  });

  it.each([
    ['', /empty/],
    ['4155550100', /does not start with \+/],
    ['+1 415 55', /has 6 digits; a phone number has 8 to 15 with its country code/],
    ['+1234567', /has 7 digits/],
    ['+1234567890123456', /has 16 digits/],
    ['+0 415 555 0100', /no country code starts with 0/],
    ['+1 415 CALL NOW', /only digits, spaces/],
    ['+١٤١٥٥٥٥٠١٠٠', /digits other than 0-9/],
    ['+１４１５５５５０１００', /digits other than 0-9/],
    ['+1 415\u0000555 0100', /only digits/],
    [`+${'1'.repeat(100)}`, /too long/],
  ])('refuses %j with INVALID_PHONE', (text, reason) => {
    const error = caught(() => normalizePhone(text));
    expect(error?.code).toBe('INVALID_PHONE');
    expect(error?.message).toMatch(reason);
    expect(error?.hint).toMatch(/\+14155550100/);
  });

  it('checks the calling code when given the country list', () => {
    expect(messageOf(() => normalizePhone('+999 1234 5678', countries))).toMatch(/known country calling code/);
    expect(normalizePhone('+999 1234 5678')).toBe('+99912345678');
  });
});

describe('classifyRecipient and looksLikePhone', () => {
  it('tells emails from phones', () => {
    expect(classifyRecipient(' Bob@Example.com ')).toEqual({ kind: 'email', email: 'bob@example.com' });
    expect(classifyRecipient('+44 20 7946 0958')).toEqual({ kind: 'phone', phone: '+442079460958' });
    expect(looksLikePhone('+1 (415) 555-0100')).toBe(true);
    expect(looksLikePhone('415.555.0100')).toBe(true);
    expect(looksLikePhone('bob')).toBe(false);
    expect(looksLikePhone('+')).toBe(false);
    expect(looksLikePhone('')).toBe(false);
  });

  it('gives the specific error of the kind it looks like', () => {
    expect(codeOf(() => classifyRecipient('bob@'))).toBe('INVALID_EMAIL');
    expect(codeOf(() => classifyRecipient('4155550100'))).toBe('INVALID_PHONE');
    expect(codeOf(() => classifyRecipient('+999 1234 5678', countries))).toBe('INVALID_PHONE');
  });

  it('refuses anything else as INVALID_RECIPIENT', () => {
    const error = caught(() => classifyRecipient('bob smith'));
    expect(error?.code).toBe('INVALID_RECIPIENT');
    expect(error?.message).toBe('"bob smith" is neither an email address nor a phone number in +<country><number> form');
  });
});

describe('normalizeCountry', () => {
  it('accepts any letter case', () => {
    expect(normalizeCountry('us', countries)).toBe('US');
    expect(normalizeCountry(' De ', countries)).toBe('DE');
  });

  it('refuses unknown and malformed codes', () => {
    for (const text of ['XX', 'USA', 'U', '', '１２', 'ÜS', 'U\u0000']) {
      const error = caught(() => normalizeCountry(text, countries));
      expect(error?.code).toBe('INVALID_COUNTRY');
      expect(error?.hint).toBe('use a two-letter code such as US, DE, CN');
    }
    expect(messageOf(() => normalizeCountry('xx', countries))).toBe('XX is not an ISO 3166 country code');
  });
});

describe('checkPasswordPolicy', () => {
  it('accepts strong passwords, including passphrases and other scripts', () => {
    for (const password of ['Tr0ub4dor&3', 'correct horse 9 battery!', '密码安全测试2026!', 'Ünïcødé-1x']) {
      expect(codeOf(() => checkPasswordPolicy(password))).toBe('OK');
    }
  });

  it('says exactly what is missing', () => {
    expect(messageOf(() => checkPasswordPolicy('abc'))).toBe(
      'the password needs at least 8 characters (it has 3), a digit and a symbol (a character that is not a letter, digit or space)',
    );
    expect(messageOf(() => checkPasswordPolicy('abcdefgh1'))).toBe('the password needs a symbol (a character that is not a letter, digit or space)');
    expect(messageOf(() => checkPasswordPolicy('12345678!'))).toBe('the password needs a letter');
    expect(messageOf(() => checkPasswordPolicy('abc def 12'))).toMatch(/needs a symbol/);
  });

  it('refuses more than 72 bytes, counted in UTF-8', () => {
    expect(codeOf(() => checkPasswordPolicy(`Aa1!${'x'.repeat(68)}`))).toBe('OK');
    expect(messageOf(() => checkPasswordPolicy(`Aa1!${'x'.repeat(69)}`))).toMatch(/73 bytes/);
    expect(messageOf(() => checkPasswordPolicy(`密码1!${'密'.repeat(22)}`))).toMatch(/74 bytes/);
  });

  it('refuses control characters, broken characters and spaces at the ends, never echoing the password', () => {
    for (const password of ['Secret1!\n', 'Sec\u0000ret1!', 'Secret1!\uD800', ' Secret1!', 'Secret1! ']) {
      const error = caught(() => checkPasswordPolicy(password));
      expect(error?.code).toBe('WEAK_PASSWORD');
      expect(error?.message).not.toContain('Secret');
    }
  });
});

describe('boundedText, validateName, validateMemo', () => {
  it('trims and bounds text, naming the field', () => {
    expect(boundedText('  Refund please ', 'subject', { min: 3, max: 20 })).toBe('Refund please');
    expect(messageOf(() => boundedText('   ', 'subject', { min: 1, max: 20 }))).toBe('the subject is empty');
    expect(messageOf(() => boundedText('ab', 'subject', { min: 3, max: 20 }))).toBe('the subject is too short: 2 characters, at least 3');
    expect(messageOf(() => boundedText('x'.repeat(21), '--reason', { min: 1, max: 20 }))).toBe('--reason is too long: 21 characters, at most 20');
    expect(messageOf(() => boundedText('x'.repeat(10_000_000), 'body', { min: 1, max: 5000, multiline: true }))).toMatch(/more than 5000/);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(boundedText('😀'.repeat(5), 'memo', { min: 0, max: 5 })).toBe('😀😀😀😀😀');
  });

  it('keeps line breaks only in multiline text, as LF', () => {
    expect(boundedText('line one\r\nline two\n\tindented', 'body', { min: 1, max: 100, multiline: true })).toBe('line one\nline two\n\tindented');
    expect(messageOf(() => boundedText('line one\nline two', 'subject', { min: 1, max: 100 }))).toBe('the subject must fit on one line');
    expect(messageOf(() => boundedText('bell\u0007', 'body', { min: 1, max: 100, multiline: true }))).toBe('the body contains a control character (U+0007)');
    expect(messageOf(() => boundedText('a\u009bb', 'body', { min: 1, max: 100 }))).toMatch(/U\+009B/);
  });

  it('refuses direction overrides and lone surrogates', () => {
    expect(messageOf(() => boundedText('pay \u202Eevil', 'memo', { min: 0, max: 100 }))).toMatch(/text-direction/);
    expect(messageOf(() => boundedText('half \uDC00', 'memo', { min: 0, max: 100 }))).toMatch(/broken character/);
  });

  it('validates names in any script', () => {
    for (const name of [
      'Alice Smith',
      "Seán O'Brien",
      'Jean-Luc Picard',
      '李雷',
      '阿沛·阿旺晋美',
      'Ñandú M. Pérez',
      '山田　太郎',
      'D’Arcy Smith',
      'ジョン・スミス',
    ]) {
      expect(validateName(name)).toBe(name);
    }
    for (const name of ['R2-D2', '<script>', 'Bob 😀', '--']) expect(codeOf(() => validateName(name))).toBe('INVALID_NAME');
    for (const name of ['', '   ', 'Bob\u0000', 'x'.repeat(101)]) expect(codeOf(() => validateName(name))).toBe('INVALID_TEXT');
    expect(messageOf(() => validateName('R2', '--holder'))).toMatch(/^--holder "R2" may contain only letters/);
  });

  it('returns null for an empty memo and bounds it at 140 characters', () => {
    expect(validateMemo('')).toBeNull();
    expect(validateMemo('   ')).toBeNull();
    expect(validateMemo(' rent for May ')).toBe('rent for May');
    expect(validateMemo('m'.repeat(140))).toHaveLength(140);
    expect(messageOf(() => validateMemo('m'.repeat(141)))).toBe('the memo is too long: 141 characters, at most 140');
    expect(codeOf(() => validateMemo('two\nlines'))).toBe('INVALID_TEXT');
  });
});

describe('validateDocument', () => {
  it('accepts well-formed numbers and masks them', () => {
    expect(validateDocument('passport', 'x1234567')).toEqual({ type: 'passport', masked: '•••• 4567' });
    expect(validateDocument('ID-Card', '11010519491231002x')).toEqual({ type: 'id-card', masked: '•••• 002X' });
    expect(validateDocument('id-card', 'AB12345')).toEqual({ type: 'id-card', masked: '•••• 2345' });
    expect(validateDocument('driving-licence', 'SMITH-901234-AB9')).toEqual({ type: 'driving-licence', masked: '•••• 4AB9' });
    expect(validateDocument('driving-license', 'D123 4567')).toEqual({ type: 'driving-licence', masked: '•••• 4567' });
  });

  it('checks the Chinese resident ID check character', () => {
    expect(codeOf(() => validateDocument('id-card', '110105194912310021'))).toBe('INVALID_DOCUMENT');
    expect(messageOf(() => validateDocument('id-card', '110105194912310021'))).toMatch(/check/);
    // 18 characters that are not all digits are an ordinary ID card number.
    expect(codeOf(() => validateDocument('id-card', 'AB0105194912310021'))).toBe('OK');
  });

  it('refuses unknown types and malformed numbers', () => {
    expect(caught(() => validateDocument('visa', 'X1234567'))?.hint).toBe('use passport, id-card, driving-licence');
    for (const [type, number] of [
      ['passport', '12345'],
      ['passport', '1234567890'],
      ['passport', 'AB-12345'],
      ['passport', ''],
      ['id-card', '1234'],
      ['id-card', '１２３４５６'],
      ['driving-licence', '-1234'],
      ['driving-licence', '12_345'],
      ['passport', 'X'.repeat(100_000)],
    ] as const) {
      expect(codeOf(() => validateDocument(type, number))).toBe('INVALID_DOCUMENT');
    }
  });
});

describe('parseIsoDate', () => {
  it('reads dates as midnight UTC and times with their zone', () => {
    expect(parseIsoDate('2026-11-22', '--since')).toBe(Date.UTC(2026, 10, 22));
    expect(parseIsoDate('2026-11-22T09:30:00Z', '--since')).toBe(Date.UTC(2026, 10, 22, 9, 30));
    expect(parseIsoDate('2026-11-22T09:30+08:00', '--since')).toBe(Date.UTC(2026, 10, 22, 1, 30));
    expect(parseIsoDate('2026-11-22T09:30:15.123456-05:30', '--since')).toBe(Date.UTC(2026, 10, 22, 15, 0, 15, 123));
    expect(parseIsoDate('2024-02-29', '--until')).toBe(Date.UTC(2024, 1, 29));
    expect(parseIsoDate('0001-01-01', '--until')).toBe(Date.parse('0001-01-01T00:00:00Z'));
  });

  it.each([
    ['2026-11-22T09:30:00', /not an ISO 8601 date/],
    ['22/11/2026', /not an ISO 8601 date/],
    ['2026-11-22 09:30Z', /not an ISO 8601 date/],
    ['yesterday', /not an ISO 8601 date/],
    ['２０２６-11-22', /not an ISO 8601 date/],
    ['2026-02-29', /no such day/],
    ['2026-13-01', /no such day/],
    ['2026-11-22T24:00:00Z', /no such time of day/],
    ['2026-11-22T09:30:60Z', /no such time of day/],
    ['2026-11-22T09:30:00+24:00', /no such time zone offset/],
    ['2026-11-22'.repeat(1000), /not an ISO 8601 date/],
  ])('refuses %j naming the field', (text, reason) => {
    const error = caught(() => parseIsoDate(text, '--since'));
    expect(error?.code).toBe('INVALID_DATE');
    expect(error?.message).toMatch(/^--since /);
    expect(error?.message).toMatch(reason);
  });

  it('agrees with Date.parse on every valid time', () => {
    const moment = fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });
    fc.assert(
      fc.property(moment, fc.integer({ min: -14 * 60, max: 14 * 60 }), (date, offsetMinutes) => {
        const iso = date.toISOString();
        expect(parseIsoDate(iso, 'at')).toBe(date.getTime());
        const sign = offsetMinutes < 0 ? '-' : '+';
        const zone = `${sign}${String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMinutes) % 60).padStart(2, '0')}`;
        const zoned = `${iso.slice(0, 23)}${zone}`;
        expect(parseIsoDate(zoned, 'at')).toBe(Date.parse(zoned));
      }),
    );
  });
});

describe('parsePositiveInt', () => {
  it('reads whole numbers within bounds', () => {
    expect(parsePositiveInt('25', '--limit', { min: 1, max: 1000 })).toBe(25);
    expect(parsePositiveInt(' 007 ', '--limit')).toBe(7);
    expect(parsePositiveInt('0', '--offset', { min: 0 })).toBe(0);
  });

  it('refuses the rest, naming the flag', () => {
    expect(codeOf(() => parsePositiveInt('', '--limit'))).toBe('USAGE');
    expect(messageOf(() => parsePositiveInt('', '--limit'))).toBe('--limit needs a value');
    for (const text of ['-1', '1.5', '1e3', 'ten', '١٢', '0x10', '+5', '1 000']) {
      const error = caught(() => parsePositiveInt(text, '--limit', { min: 1, max: 1000 }));
      expect(error?.code).toBe('INVALID_NUMBER');
      expect(error?.message).toMatch(/^--limit .*not a whole number/);
    }
    expect(messageOf(() => parsePositiveInt('0', '--limit', { min: 1, max: 1000 }))).toBe('--limit must be from 1 to 1000, not 0');
    expect(messageOf(() => parsePositiveInt('1001', '--limit', { min: 1, max: 1000 }))).toBe('--limit must be from 1 to 1000, not 1001');
    expect(codeOf(() => parsePositiveInt('9'.repeat(400), '--limit'))).toBe('INVALID_NUMBER');
    expect(codeOf(() => parsePositiveInt('9007199254740992', '--limit'))).toBe('INVALID_NUMBER');
  });
});

describe('hostile input', () => {
  it('never makes a parser throw anything but AppError', () => {
    const parsers: ((text: string) => unknown)[] = [
      normalizeEmail,
      (text) => normalizePhone(text, countries),
      looksLikePhone,
      (text) => classifyRecipient(text, countries),
      (text) => normalizeCountry(text, countries),
      checkPasswordPolicy,
      validateName,
      validateMemo,
      (text) => boundedText(text, 'body', { min: 1, max: 50, multiline: true }),
      (text) => validateDocument(text, text),
      (text) => validateDocument('id-card', text),
      (text) => parseIsoDate(text, '--since'),
      (text) => parsePositiveInt(text, '--limit', { min: 1, max: 100 }),
    ];
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        for (const parse of parsers) codeOf(() => parse(text));
      }),
    );
  });
});
