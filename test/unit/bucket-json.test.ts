// A bucket file's JSON is made from its records in a Map (split-layout.bucketJson), not through an
// object: it must be exactly the text JSON.stringify gives for the object a commit built before,
// the committed records with the changes set and deleted over them, key order included.

import { describe, expect, it } from 'vitest';
import { bucketJson } from '../../src/store/split-layout.js';

/** The body as it was made before: an object given the committed records, then each change. */
function asObject(committed: Record<string, unknown>, changes: [string, unknown][]): string {
  const records: Record<string, unknown> = { ...committed };
  for (const [key, value] of changes) {
    if (value === null) delete records[key];
    else records[key] = value;
  }
  return JSON.stringify({ kind: 'tickets', bucket: '0a1', commit: 3, records });
}

function asMap(committed: Record<string, unknown>, changes: [string, unknown][]): string {
  const records = new Map(Object.entries(committed));
  for (const [key, value] of changes) {
    if (value === null) records.delete(key);
    else records.set(key, value);
  }
  return bucketJson('tickets', '0a1', 3, records);
}

describe('a bucket file’s JSON', () => {
  it('lists array-index keys first by number, then the others in the order they were added, as an object does', () => {
    const committed = { usr_b: { n: 1 }, '12': 'twelve', usr_a: [1, 2], '3': { x: 'three' }, '007': 'not an index', '4294967295': 'too big for one' };
    const changes: [string, unknown][] = [
      ['usr_b', { n: 2 }],
      ['100', 'hundred'],
      ['usr_c', { text: 'naïve "quoted" \\ 💸' }],
      ['usr_a', null],
      ['usr_a', 'back, at the end'],
      ['3', null],
      ['0', 0],
      ['missing', null],
      ['usr_d', undefined],
    ];
    const made = asMap(committed, changes);
    expect(made).toBe(asObject(committed, changes));
    expect(Object.keys((JSON.parse(made) as { records: object }).records)).toEqual(['0', '12', '100', 'usr_b', '007', '4294967295', 'usr_c', 'usr_a']);
  });

  it('is the same for a bucket with no records, or with new records only', () => {
    expect(asMap({}, [])).toBe(asObject({}, []));
    const changes: [string, unknown][] = Array.from({ length: 300 }, (_, i) => [i % 7 === 0 ? String(i) : `user:usr_${i}`, { USD: i, EUR: -i }]);
    expect(asMap({}, changes)).toBe(asObject({}, changes));
  });
});
