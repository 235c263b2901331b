import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256, sha256Hex } from '../../src/domain/sha256.js';
import { nodeCryptoIfLoaded } from '../../src/domain/node-crypto.js';

const reference = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('sha256 (plain TypeScript)', () => {
  it('gives the FIPS 180-4 test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('agrees with Node crypto at every length around the block and padding edges', () => {
    for (let length = 0; length <= 200; length += 1) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
      expect(Buffer.from(sha256(bytes)).toString('hex')).toBe(reference(bytes));
    }
  });

  it('answers without Node crypto until something loads it', () => {
    expect(nodeCryptoIfLoaded()).toBeUndefined();
  });

  it('agrees with Node crypto on any text, hashing its UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(Buffer.from(sha256(Buffer.from(text, 'utf8'))).toString('hex')).toBe(reference(text));
        expect(sha256Hex(text)).toBe(reference(text));
      }),
      { numRuns: 500 },
    );
  });
});
