import { readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { AppError } from '../../src/domain/errors.js';
import {
  formatIban,
  ibanCheckDigits,
  maskAccountNumber,
  normalizeIban,
  parseIbanLengths,
  routingCheckDigit,
  validateAccountNumber,
  validateRoutingNumber,
} from '../../src/domain/validate-bank.js';

const lengths = parseIbanLengths(JSON.parse(readFileSync(new URL('../../data/iban.json', import.meta.url), 'utf8')));

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'OK';
}

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.message;
    throw error;
  }
  return '';
}

const bbanCharacter = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split(''));
const ibanCountry = fc.constantFrom(...Object.keys(lengths));
const generatedIban = ibanCountry.chain((country) =>
  fc.array(bbanCharacter, { minLength: (lengths[country] ?? 0) - 4, maxLength: (lengths[country] ?? 0) - 4 }).map((characters) => {
    const bban = characters.join('');
    return `${country}${ibanCheckDigits(country, bban)}${bban}`;
  }),
);

describe('IBAN table', () => {
  it('holds the SWIFT registry countries with plausible lengths', () => {
    expect(Object.keys(lengths).length).toBeGreaterThanOrEqual(80);
    expect(lengths['DE']).toBe(22);
    expect(lengths['NO']).toBe(15);
    expect(lengths['RU']).toBe(33);
    expect(lengths['US']).toBeUndefined();
  });

  it('refuses a malformed table', () => {
    expect(codeOf(() => parseIbanLengths(null))).toBe('INVALID_FILE');
    expect(codeOf(() => parseIbanLengths({ lengths: {} }))).toBe('INVALID_FILE');
    expect(codeOf(() => parseIbanLengths({ lengths: { de: 22 } }))).toBe('INVALID_FILE');
    expect(codeOf(() => parseIbanLengths({ lengths: { DE: 22.5 } }))).toBe('INVALID_FILE');
    expect(codeOf(() => parseIbanLengths({ lengths: { DE: 99 } }))).toBe('INVALID_FILE');
  });
});

describe('normalizeIban', () => {
  it.each([
    ['DE89 3704 0044 0532 0130 00', 'DE89370400440532013000', 'DE'],
    ['gb29 nwbk 6016 1331 9268 19', 'GB29NWBK60161331926819', 'GB'],
    ['NL91ABNA0417164300', 'NL91ABNA0417164300', 'NL'],
    ['NO93 8601 1117 947', 'NO9386011117947', 'NO'],
    ['MT84 MALT 0110 0001 2345 MTLC AST0 01S', 'MT84MALT011000012345MTLCAST001S', 'MT'],
    ['  FR14 2004 1010 0505 0001 3M02 606  ', 'FR1420041010050500013M02606', 'FR'],
    ['XK05 1212 0123 4567 8906', 'XK051212012345678906', 'XK'],
  ])('accepts %s', (text, iban, country) => {
    expect(normalizeIban(text, lengths)).toEqual({ iban, country });
  });

  it('names the first thing that is wrong', () => {
    expect(messageOf(() => normalizeIban('', lengths))).toBe('the IBAN is empty');
    expect(messageOf(() => normalizeIban('DE89-3704-0044', lengths))).toMatch(/only letters A-Z, digits and spaces/);
    expect(messageOf(() => normalizeIban('1289370400440532013000', lengths))).toMatch(/two-letter country code/);
    expect(messageOf(() => normalizeIban('US89370400440532013000', lengths))).toBe('US is not a country that uses IBANs');
    expect(messageOf(() => normalizeIban('DEXX370400440532013000', lengths))).toMatch(/must be digits/);
    expect(messageOf(() => normalizeIban('DE89 3704 0044 0532 0130 0', lengths))).toMatch(/a DE IBAN has 22 characters, but .* has 21/);
    expect(messageOf(() => normalizeIban('DE88 3704 0044 0532 0130 00', lengths))).toMatch(/check digits do not match/);
  });

  it('refuses hostile input with INVALID_IBAN', () => {
    for (const text of ['DE89\u00003704004405320130', 'DE８９370400440532013000', 'x'.repeat(100_000), 'ßE89370400440532013000', 'toString0000000000']) {
      expect(codeOf(() => normalizeIban(text, lengths))).toBe('INVALID_IBAN');
    }
  });

  it('refuses the check digits 01 and 99 even when mod-97 holds', () => {
    // 98 is the largest proper check value, so swapping "98" for "01" (98 - 97) keeps mod-97 at 1.
    const bban = fc
      .sample(fc.array(fc.constantFrom(...'0123456789'.split('')), { minLength: 18, maxLength: 18 }), { numRuns: 2000, seed: 7 })
      .map((digits) => digits.join(''))
      .find((candidate) => ibanCheckDigits('DE', candidate) === '98');
    expect(bban).toBeDefined();
    expect(codeOf(() => normalizeIban(`DE98${bban}`, lengths))).toBe('OK');
    expect(codeOf(() => normalizeIban(`DE01${bban}`, lengths))).toBe('INVALID_IBAN');
  });

  it('accepts every IBAN built with computed check digits', () => {
    fc.assert(
      fc.property(generatedIban, (iban) => {
        expect(normalizeIban(formatIban(iban).toLowerCase(), lengths).iban).toBe(iban);
      }),
    );
  });

  it('refuses any single-digit change of a valid IBAN', () => {
    fc.assert(
      fc.property(generatedIban, fc.nat(), fc.integer({ min: 1, max: 9 }), (iban, pick, delta) => {
        const digitPositions = [...iban].flatMap((character, index) => (index >= 2 && /[0-9]/.test(character) ? [index] : []));
        const position = digitPositions[pick % digitPositions.length] ?? 2;
        const changed = String((Number(iban[position]) + delta) % 10);
        const mutated = iban.slice(0, position) + changed + iban.slice(position + 1);
        expect(codeOf(() => normalizeIban(mutated, lengths))).toBe('INVALID_IBAN');
      }),
    );
  });
});

describe('formatIban and maskAccountNumber', () => {
  it('groups an IBAN by four', () => {
    expect(formatIban('DE89370400440532013000')).toBe('DE89 3704 0044 0532 0130 00');
    expect(formatIban('NL91ABNA0417164300')).toBe('NL91 ABNA 0417 1643 00');
    expect(formatIban('ABCD')).toBe('ABCD');
  });

  it('shows only the last four characters', () => {
    expect(maskAccountNumber('000123454321')).toBe('•••• 4321');
    expect(maskAccountNumber('DE89 3704 0044 0532 0130 00')).toBe('•••• 3000');
    expect(maskAccountNumber('1234')).toBe('••••');
    expect(maskAccountNumber('')).toBe('••••');
  });
});

describe('validateRoutingNumber', () => {
  it('accepts real routing numbers', () => {
    expect(validateRoutingNumber('021000021')).toBe('021000021');
    expect(validateRoutingNumber(' 011000015 ')).toBe('011000015');
    expect(validateRoutingNumber('121000358')).toBe('121000358');
  });

  it('refuses malformed ones with INVALID_ROUTING_NUMBER and a reason', () => {
    expect(messageOf(() => validateRoutingNumber('02100002'))).toMatch(/exactly 9 digits/);
    expect(messageOf(() => validateRoutingNumber('02100002１'))).toMatch(/exactly 9 digits/);
    expect(messageOf(() => validateRoutingNumber('021000022'))).toMatch(/check digit does not match/);
    expect(messageOf(() => validateRoutingNumber('000000000'))).toMatch(/all zeros/);
    expect(messageOf(() => validateRoutingNumber('500000005'))).toMatch(/starts with 50/);
    expect(codeOf(() => validateRoutingNumber('abc'))).toBe('INVALID_ROUTING_NUMBER');
  });

  const prefix = fc.constantFrom('01', '02', '07', '11', '12', '21', '26', '32', '61', '72', '80');
  const generatedRouting = fc
    .tuple(prefix, fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 6, maxLength: 6 }))
    .map(([start, rest]) => {
      const firstEight = start + rest.join('');
      return firstEight + routingCheckDigit(firstEight);
    })
    .filter((routing) => routing !== '000000000');

  it('accepts every number completed with its check digit', () => {
    fc.assert(
      fc.property(generatedRouting, (routing) => {
        expect(validateRoutingNumber(routing)).toBe(routing);
      }),
    );
  });

  it('refuses any single-digit change', () => {
    fc.assert(
      fc.property(generatedRouting, fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 9 }), (routing, position, delta) => {
        const mutated = routing.slice(0, position) + String((Number(routing[position]) + delta) % 10) + routing.slice(position + 1);
        expect(codeOf(() => validateRoutingNumber(mutated))).toBe('INVALID_ROUTING_NUMBER');
      }),
    );
  });
});

describe('validateAccountNumber', () => {
  it('accepts 4 to 17 digits', () => {
    expect(validateAccountNumber('1234')).toBe('1234');
    expect(validateAccountNumber(' 12345678901234567 ')).toBe('12345678901234567');
  });

  it('refuses anything else with INVALID_ACCOUNT_NUMBER', () => {
    for (const text of ['123', '123456789012345678', '1234-5678', '１２３４５', '', '12 34']) {
      expect(codeOf(() => validateAccountNumber(text))).toBe('INVALID_ACCOUNT_NUMBER');
    }
  });
});

describe('hostile input', () => {
  it('never throws anything but AppError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        for (const run of [
          () => normalizeIban(text, lengths),
          () => validateRoutingNumber(text),
          () => validateAccountNumber(text),
          () => maskAccountNumber(text),
        ]) {
          expect(['OK', 'INVALID_IBAN', 'INVALID_ROUTING_NUMBER', 'INVALID_ACCOUNT_NUMBER']).toContain(codeOf(run));
        }
      }),
    );
  });
});
