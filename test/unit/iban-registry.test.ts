import { readFileSync } from 'node:fs';
import { getCountrySpecifications } from 'ibantools';
import { describe, expect, it } from 'vitest';
import { formatIban, normalizeIban, parseIbanLengths } from '../../src/domain/validate-bank.js';

const lengths = parseIbanLengths(JSON.parse(readFileSync(new URL('../../data/iban.json', import.meta.url), 'utf8')));

describe('data/iban.json and the IBAN registry that ibantools keeps', () => {
  it('gives every country the length the registry gives it', () => {
    const registry = getCountrySpecifications();
    for (const [country, length] of Object.entries(lengths)) expect({ country, length }).toEqual({ country, length: registry[country]?.chars });
  });

  it('reads and prints IBANs through ibantools: compact upper case in, groups of four out', () => {
    expect(normalizeIban('gb33 bukb 2020 1555 5555 55', lengths).iban).toBe('GB33BUKB20201555555555');
    expect(formatIban('GB33BUKB20201555555555')).toBe('GB33 BUKB 2020 1555 5555 55');
  });
});
