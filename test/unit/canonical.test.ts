import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, entryContentText } from '../../src/domain/hashing.js';

/** The obvious definition: sorted deep copy, then JSON.stringify. */
function reference(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reference);
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties, so a "__proto__" key stays a key.
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, reference((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

describe('canonicalJson (fingerprints, exports)', () => {
  it('equals JSON.stringify of a key-sorted copy for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(JSON.stringify(reference(value)));
      }),
      { numRuns: 5000 },
    );
  });

  it('does not depend on the order keys were inserted in', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
      }),
    );
  });
});

describe('entryContentText (what a journal hash covers)', () => {
  it('reads back to the same bytes: parse then stringify is stable for stored entries', () => {
    const entry = fc.record({
      id: fc.string(),
      at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      amountMinor: fc.maxSafeInteger(),
      memo: fc.option(fc.string()),
      tags: fc.array(fc.string()),
    });
    fc.assert(
      fc.property(entry, (content) => {
        expect(entryContentText(JSON.parse(entryContentText(content)))).toBe(entryContentText(content));
      }),
    );
  });

  it('changes when a stored entry is edited, even by reordering its keys', () => {
    expect(entryContentText({ a: 1, b: 2 })).not.toBe(entryContentText({ b: 2, a: 1 }));
  });
});
