// verify's tally of a file store's indexes (src/store/index-tally.ts): it keeps digests, not the
// records, and must agree exactly when the indexes are what the records and the journal make them;
// anything else sends verify to its exact comparison.

import { describe, expect, it } from 'vitest';
import { IndexTally, MultisetDigest } from '../../src/store/index-tally.js';
import { SLOTS_KEY, type Kind } from '../../src/store/record-kinds.js';

type Row = readonly [Kind, string, unknown];

const RECORDS: Row[] = [
  ['methods', 'mth_1', { userId: 'usr_a' }],
  ['methods', 'mth_2', { userId: 'usr_a' }],
  ['methods', 'mth_3', { userId: 'usr_b' }],
  ['unclaimed', 'tx_1', { expiresAt: '2026-12-08T10:00:00.000Z', toEmail: 'x@example.org', toPhone: null }],
  ['unclaimed', 'tx_2', { expiresAt: '2026-12-09T11:00:00.000Z', toEmail: null, toPhone: '+447700900123' }],
];

const INDEXES: Row[] = [
  ['methods-of-user', 'usr_a', { mth_2: true, mth_1: true }],
  ['methods-of-user', 'usr_b', { mth_3: true }],
  ['unclaimed-due', '2026-12-08', { tx_1: '2026-12-08T10:00:00.000Z' }],
  ['unclaimed-due', '2026-12-09', { tx_2: '2026-12-09T11:00:00.000Z' }],
  ['unclaimed-due', SLOTS_KEY, { '2026-12-09': true, '2026-12-08': true }],
  ['unclaimed-by-recipient', 'email:x@example.org', { tx_1: true }],
  ['unclaimed-by-recipient', 'phone:+447700900123', { tx_2: true }],
  ['journal-of-user', 'usr_a', [1, 2]],
  ['journal-of-user', 'usr_b', [2]],
];

const JOURNAL = {
  'journal-of-user': new Map([
    ['usr_a', [1, 2]],
    ['usr_b', [2]],
  ]),
  'journal-links': new Map<string, number[]>(),
};

function agrees(rows: readonly Row[], misplaced: ReadonlySet<string> = new Set()): boolean {
  const tally = new IndexTally(() => true);
  for (const [kind, key, value] of rows) tally.add(kind, key, value, !misplaced.has(key));
  return tally.agrees(JOURNAL);
}

function replaced(kind: Kind, key: string, value: unknown): Row[] {
  return INDEXES.map((row) => (row[0] === kind && row[1] === key ? [kind, key, value] : row));
}

describe('IndexTally', () => {
  it('agrees when every index holds what its records and the journal give, in whatever order they are read', () => {
    expect(agrees([...RECORDS, ...INDEXES])).toBe(true);
    expect(agrees([...INDEXES].reverse().concat([...RECORDS].reverse()))).toBe(true);
  });

  it('disagrees when a member is missing, added, moved to another key or holds another value', () => {
    expect(agrees([...RECORDS, ...replaced('methods-of-user', 'usr_a', { mth_1: true })])).toBe(false);
    expect(agrees([...RECORDS, ...replaced('methods-of-user', 'usr_b', { mth_3: true, mth_9: true })])).toBe(false);
    const moved = replaced('methods-of-user', 'usr_a', { mth_1: true }).concat([['methods-of-user', 'usr_c', { mth_2: true }]]);
    expect(agrees([...RECORDS, ...moved])).toBe(false);
    expect(agrees([...RECORDS, ...replaced('unclaimed-due', '2026-12-08', { tx_1: '2026-12-08T11:00:00.000Z' })])).toBe(false);
  });

  it('disagrees when an index record is missing or one no record gives is there', () => {
    expect(agrees([...RECORDS, ...INDEXES.filter((row) => row[1] !== 'phone:+447700900123')])).toBe(false);
    expect(agrees([...RECORDS, ...INDEXES, ['methods-of-user', 'usr_z', { mth_7: true }]])).toBe(false);
  });

  it('disagrees on a wrong list of slots, or a journal list out of order, short or long', () => {
    expect(agrees([...RECORDS, ...replaced('unclaimed-due', SLOTS_KEY, { '2026-12-08': true })])).toBe(false);
    expect(agrees([...RECORDS, ...replaced('journal-of-user', 'usr_a', [2, 1])])).toBe(false);
    expect(agrees([...RECORDS, ...replaced('journal-of-user', 'usr_a', [1])])).toBe(false);
    expect(agrees([...RECORDS, ...replaced('journal-of-user', 'usr_b', [2, 2])])).toBe(false);
  });

  it('disagrees on what a digest of members cannot tell apart: an index record with no members, or not an object, and a record in the wrong bucket', () => {
    expect(agrees([...RECORDS, ...INDEXES, ['methods-of-user', 'usr_y', {}]])).toBe(false);
    expect(agrees([...RECORDS, ...replaced('methods-of-user', 'usr_b', ['mth_3'])])).toBe(false);
    expect(agrees([...RECORDS, ...INDEXES], new Set(['mth_3']))).toBe(false);
  });

  it('disagrees when a key and its member are split elsewhere, even where a character between them could join them back', () => {
    const records: Row[] = [['methods', 'b\u0000c', { userId: 'a' }], ...INDEXES.filter((row) => row[0] === 'journal-of-user')];
    expect(agrees([...records, ['methods-of-user', 'a', { 'b\u0000c': true }]])).toBe(true);
    expect(agrees([...records, ['methods-of-user', 'a\u0000b', { c: true }]])).toBe(false);
  });

  it('leaves out the index kinds the store does not have yet', () => {
    const tally = new IndexTally((kind) => kind !== 'methods-of-user');
    for (const [kind, key, value] of [...RECORDS, ...INDEXES.filter((row) => row[0] !== 'methods-of-user')]) tally.add(kind, key, value, true);
    expect(tally.agrees(JOURNAL)).toBe(true);
  });
});

describe('MultisetDigest', () => {
  it('is the same for the same texts in any order, and counts a text added twice twice', () => {
    const of = (texts: string[]) => texts.reduce((digest, text) => (digest.add(text), digest), new MultisetDigest('key'));
    expect(of(['a', 'b', 'c']).equals(of(['c', 'a', 'b']))).toBe(true);
    expect(of(['a', 'a']).equals(of(['a']))).toBe(false);
    expect(of(['a', 'a', 'b', 'b']).equals(of(['a', 'b', 'c', 'c']))).toBe(false);
  });

  it('digests behind its key: the same texts under another key sum to something else (what a forger would have to match is unknown before verify runs)', () => {
    const of = (key: string) => ['a', 'b'].reduce((digest, text) => (digest.add(text), digest), new MultisetDigest(key));
    expect(of('one').equals(of('one'))).toBe(true);
    expect(of('one').equals(of('two'))).toBe(false);
  });
});
