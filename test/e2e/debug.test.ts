// What a bug looks like from outside: an internal error is one line and exit 1, and with
// OKPAY_DEBUG=1 its stack trace names the TypeScript source lines (through the bundle's source map),
// not a column of the minified bundle. The bug is brought about by a damaged but well-formed store:
// a balance at the largest safe integer, which the next payment into it overflows.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Account, expectOk, PASSWORD } from '../support/accounts.js';
import { Okpay } from '../support/okpay.js';
import { forgeRecord, storeDigest, userIdOf } from '../support/store-files.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ANN = 'ann@example.com';
const BOB = 'bob@example.com';
const person = (name: string, email: string, extra: Record<string, unknown> = {}) => ({
  name,
  email,
  password: PASSWORD,
  country: 'US',
  language: 'en',
  kyc: 'approved',
  ...extra,
});

describe('[files] an internal error', () => {
  const o = new Okpay();
  const ann = new Account(o, ANN);
  const transfer = ['transfer', '--to', BOB, '--amount', '1.00', '--currency', 'USD', '--yes'];
  const digest = () => storeDigest(o.home);

  beforeAll(async () => {
    const fixture = path.join(o.home, 'fixture.json');
    writeFileSync(fixture, JSON.stringify({ users: [person('ann', ANN, { balances: { USD: '50.00' } }), person('bob', BOB, { balances: { USD: '1.00' } })] }));
    expectOk(await o.run(['fixtures', 'load', fixture]));
    await ann.signIn();
    forgeRecord<Record<string, number>>(o.home, 'balances', `user:${userIdOf(o.home, BOB)}`, () => ({ USD: Number.MAX_SAFE_INTEGER }));
  });
  afterAll(() => o.cleanup());

  it('is one line with a bug-report hint, exit 1, and the store left as it was', async () => {
    const before = digest();
    const run = await ann.run(transfer);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^okpay: unexpected error: balance of user:usr_\w+ USD overflowed — this is a bug in okpay; run again with OKPAY_DEBUG=1/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(digest()).toBe(before);
  });

  it('under OKPAY_DEBUG=1 shows a stack trace whose frames are src/*.ts lines', async () => {
    const run = await ann.run(transfer, { env: { OKPAY_DEBUG: '1' } });
    expect(run.code, run.stderr).toBe(1);
    const top = /^Error: balance of .* overflowed\n {4}at .*?\(?([^\s()]+\.ts):(\d+):\d+\)?$/m.exec(run.stderr);
    expect(top, run.stderr).not.toBeNull();
    const [, file, line] = top!;
    expect(path.relative(ROOT, file!)).toMatch(/^src\/.+\.ts$/);
    // The line named is the line that throws.
    expect(readFileSync(file!, 'utf8').split('\n')[Number(line) - 1]).toMatch(/throw new Error\(`balance of .* overflowed`\)/);
    // The frames below it too: none points into the bundle.
    expect(run.stderr.match(/^ {4}at .*\/src\/.+\.ts:\d+:\d+\)?$/gm)?.length, run.stderr).toBeGreaterThan(3);
    expect(run.stderr).not.toMatch(/dist\/bundle/);
  });
});
