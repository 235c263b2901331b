import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appErrorOf } from '../support/app-error.js';
import { normalizePhone, phoneCountry, phoneType } from '../../src/domain/phone.js';
import { parseCountries } from '../../src/domain/validate.js';

const countries = parseCountries(JSON.parse(readFileSync(new URL('../../data/countries.json', import.meta.url), 'utf8')));

describe('normalizePhone with a country: national formats', () => {
  it.each([
    ['(415) 555-0100', 'US', '+14155550100'],
    ['030 1234567', 'DE', '+49301234567'],
    ['020 7946 0958', 'GB', '+442079460958'],
    ['138 0013 8000', 'CN', '+8613800138000'],
    ['03-1234-5678', 'JP', '+81312345678'],
  ])('reads %s in %s as %s', (text, country, e164) => {
    expect(normalizePhone(text, undefined, country)).toBe(e164);
  });

  it('still reads an international number the same way, whatever the country', () => {
    expect(normalizePhone('+44 20 7946 0958', undefined, 'US')).toBe('+442079460958');
  });

  it('refuses a national number that cannot be one in that country, or without a usable country', () => {
    expect(appErrorOf(() => normalizePhone('12', undefined, 'DE'))).toMatchObject({ code: 'INVALID_PHONE', message: '"12" is not a phone number in DE' });
    expect(appErrorOf(() => normalizePhone('4155550100', undefined, 'XX'))).toMatchObject({
      code: 'INVALID_PHONE',
      message: '"4155550100" does not start with + and a country code',
    });
    expect(appErrorOf(() => normalizePhone('4155550100')).code).toBe('INVALID_PHONE');
  });
});

describe('normalizePhone with the country list: calling codes', () => {
  it('splits the calling code by the numbering plans, not by the longest matching prefix', () => {
    // +1 242 is the Bahamas' part of the North American plan, still under calling code 1.
    expect(normalizePhone('+1 242 357 1234', countries)).toBe('+12423571234');
    expect(appErrorOf(() => normalizePhone('+999 1234 5678', countries)).message).toMatch(/known country calling code/);
  });
});

describe('phoneCountry', () => {
  it('names the country of a number, also inside shared calling codes', () => {
    expect(phoneCountry('+14155550100')).toBe('US');
    expect(phoneCountry('+16135550100')).toBe('CA');
    expect(phoneCountry('+12423571234')).toBe('BS');
    expect(phoneCountry('+74951234567')).toBe('RU');
    expect(phoneCountry('+77172123456')).toBe('KZ');
    expect(phoneCountry('+4915112345678')).toBe('DE');
  });

  it('is null when no numbering plan claims the number', () => {
    expect(phoneCountry('+99912345678')).toBeNull();
    expect(phoneCountry('+447700900123')).toBeNull();
  });
});

describe('phoneType', () => {
  it('tells mobiles from landlines by the numbering plan', () => {
    expect(phoneType('+4915112345678')).toBe('mobile');
    expect(phoneType('+49301234567')).toBe('fixed-line');
    expect(phoneType('+8613800138000')).toBe('mobile');
    expect(phoneType('+14155550100')).toBe('fixed-line-or-mobile');
    expect(phoneType('+18005550142')).toBe('other');
  });

  it('is null for a number its plan does not allow', () => {
    expect(phoneType('+447700900123')).toBeNull();
    expect(phoneType('+4915')).toBeNull();
  });
});
