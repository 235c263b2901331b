// Generated fixture users fit their country: names in its script and order, the support language
// its people are served in (an explicit fallback where theirs is not supported: Japanese → English),
// mobile numbers of its ranges, and its currency. The generator stays deterministic for a seed.

import { readFileSync } from 'node:fs';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseGeneratorData } from '../../src/domain/generator-data.js';
import { Cli } from '../support/cli.js';

const NOW = '2026-12-04T15:00:00.000Z';

interface Exported {
  state: { users: Record<string, { id: string; role: string; name: string; country: string; language: string; phone: string | null }> };
  journal: { tx: { type: string; parties: string[]; details: { currency?: string } } }[];
}

async function generated(seed: string): Promise<string> {
  const cli = new Cli(NOW);
  const run = await cli.run(['fixtures', 'generate', '--users', '300', '--transactions', '400', '--tickets', '5', '--seed', seed]);
  expect(run.code, run.stderr).toBe(0);
  return (await cli.run(['fixtures', 'export'])).stdout;
}

const HAN = /^[\p{Script=Han}\p{Script=Hiragana}]+$/u;
const LATIN = /^[\p{Script=Latin}]+(?: [\p{Script=Latin}]+)+$/u;

const EXPECTED: Record<string, { languages: string[]; script: RegExp; currency: string }> = {
  US: { languages: ['en'], script: LATIN, currency: 'USD' },
  GB: { languages: ['en'], script: LATIN, currency: 'GBP' },
  CA: { languages: ['en', 'fr'], script: LATIN, currency: 'USD' },
  CN: { languages: ['zh'], script: HAN, currency: 'CNY' },
  JP: { languages: ['en'], script: HAN, currency: 'JPY' },
  DE: { languages: ['de'], script: LATIN, currency: 'EUR' },
  FR: { languages: ['fr'], script: LATIN, currency: 'EUR' },
  ES: { languages: ['es'], script: LATIN, currency: 'EUR' },
  MX: { languages: ['es'], script: LATIN, currency: 'USD' },
};

let exported: string;
let customers: Exported['state']['users'][string][];
let data: Exported;

beforeAll(async () => {
  exported = await generated('fit');
  data = JSON.parse(exported) as Exported;
  customers = Object.values(data.state.users).filter((u) => u.role === 'user');
});

describe('generated customers fit their country', () => {
  it('every country of the mix appears, with names in its script and its support language', () => {
    expect(new Set(customers.map((u) => u.country))).toEqual(new Set(Object.keys(EXPECTED)));
    for (const user of customers) {
      const expected = EXPECTED[user.country];
      expect(expected, user.country).toBeDefined();
      expect(expected?.languages, `${user.name} (${user.country})`).toContain(user.language);
      expect(user.name, `${user.name} (${user.country})`).toMatch(expected?.script ?? /never/);
    }
  });

  it('Canadians are served in English and in French, the Japanese in English with Japanese names', () => {
    const canadians = customers.filter((u) => u.country === 'CA');
    expect(new Set(canadians.map((u) => u.language))).toEqual(new Set(['en', 'fr']));
    expect(canadians.filter((u) => u.language === 'en').length).toBeGreaterThan(canadians.filter((u) => u.language === 'fr').length);
    const japanese = customers.filter((u) => u.country === 'JP');
    expect(japanese.length).toBeGreaterThan(0);
    expect(japanese.every((u) => u.language === 'en' && HAN.test(u.name))).toBe(true);
  });

  it('phone numbers are valid mobile numbers of the country, each used once', () => {
    const phones = customers.filter((u) => u.phone !== null);
    expect(phones.length).toBeGreaterThan(100);
    for (const user of phones) {
      const parsed = parsePhoneNumberFromString(user.phone ?? '');
      expect(parsed?.isValid(), `${user.phone} (${user.country})`).toBe(true);
      expect(parsed?.country === user.country || (user.country === 'CA' && parsed?.countryCallingCode === '1'), `${user.phone} (${user.country})`).toBe(true);
      expect(['MOBILE', 'FIXED_LINE_OR_MOBILE']).toContain(parsed?.getType());
    }
    expect(new Set(phones.map((u) => u.phone)).size).toBe(phones.length);
  });

  it('each customer’s first deposit is in the currency of the country', () => {
    const firstDeposit = new Map<string, string>();
    for (const { tx } of data.journal) {
      const who = tx.parties[0];
      if (tx.type === 'deposit' && who && !firstDeposit.has(who) && tx.details.currency) firstDeposit.set(who, tx.details.currency);
    }
    const checked = customers.filter((u) => firstDeposit.has(u.id));
    expect(checked.length).toBeGreaterThan(200);
    for (const user of checked) expect(firstDeposit.get(user.id), `${user.name} (${user.country})`).toBe(EXPECTED[user.country]?.currency);
  });

  it('stays byte-for-byte the same for a seed', async () => {
    expect(await generated('fit')).toBe(exported);
  });
});

describe('the generator data', () => {
  const shipped = JSON.parse(readFileSync('data/generator.json', 'utf8')) as {
    countries: { code: string; people: { speaks: string; language: string; weight: number }[] }[];
  };
  const withJapan = (people: { speaks: string; language: string; weight: number }[]) => ({
    ...shipped,
    countries: shipped.countries.map((c) => (c.code === 'JP' ? { ...c, people } : c)),
  });

  it('refuses a language okpay does not support as a support language, and a supported one served in another', () => {
    expect(() => parseGeneratorData(withJapan([{ speaks: 'ja', language: 'ja', weight: 1 }]))).toThrow(/language/);
    expect(() => parseGeneratorData(withJapan([{ speaks: 'fr', language: 'en', weight: 1 }]))).toThrow(/served in it/);
    expect(() => parseGeneratorData(withJapan([{ speaks: 'ko', language: 'en', weight: 1 }]))).toThrow(/needs its names/);
    expect(() => parseGeneratorData(shipped)).not.toThrow();
  });
});
