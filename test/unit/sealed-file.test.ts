// A sealed file's bytes made straight from its body are the UTF-8 bytes of its sealed text,
// {"digest":"<SHA-256 of the body's JSON>","body":<the body's JSON>}, worked out here on its own, so
// a commit that writes them and a reader that checks their digest agree with every other writer.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digest, seal, sealedBytes, unseal } from '../../src/store/sealed-file.js';

describe('a sealed file', () => {
  const bodies: unknown[] = [
    { kind: 'mails', segment: 3, commit: 7, mails: ['From: OKPay\r\n\r\n— OKPay\r\n', '您的防钓鱼短语: 月光', 'emoji 💸 "quoted" \\ backslash'] },
    { kind: 'users', bucket: 'a1', commit: 1, records: {} },
    { schemaVersion: 11, commit: 2, meta: { note: 'x'.repeat(70_000) } },
  ];

  it('is the same bytes made from its body as its sealed text in UTF-8, multi-byte text included', () => {
    for (const body of bodies) {
      const bytes = sealedBytes(body);
      const json = JSON.stringify(body);
      const expected = `{"digest":"${createHash('sha256').update(json, 'utf8').digest('hex')}","body":${json}}`;
      expect(bytes.equals(Buffer.from(expected, 'utf8'))).toBe(true);
      expect(seal(body)).toBe(expected);
      expect(digest(bytes)).toBe(digest(seal(body)));
      expect(unseal(bytes.toString('utf8'), 'test.json')).toEqual(body);
    }
  });
});
