// Session 7's review of main, through the real binary on the demo fixtures: the country that sets a
// transfer's fee is a step-up field and, with the name and ID number, fixed once the identity is
// verified; a payee without an account is priced cross-border; staff looking at a customer's
// transaction is audited; and an error is one line, commander's included (docs/SECURITY.md 14, 15).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../support/outcome.js';
import { Okpay } from '../support/okpay.js';

const DEMO_PASSWORD = 'Demo-pass-2026!';
const LENA = 'lena.mueller@example.de';
const CAMILLE = 'camille.martin@example.fr';
const BOB = 'bob@example.com';
const AMY = 'amy@support.okpay.example';
const NOBODY = 'nobody-here@example.com';
const DAY_MS = 24 * 60 * 60 * 1000;

describe('the profile, fees and looks of the session-7 review', () => {
  const o = new Okpay({ now: '2026-12-07T12:00:00.000Z' });
  let ids: Record<string, string> = {};
  const sessions = new Map<string, string>();

  /** The current code of a demo user with 2FA (bob); the clock moves a minute first, so a code is never replayed. */
  const otp = async (email: string): Promise<string[]> => {
    o.advance(60_000);
    const { code, confirmed } = expectOk(await o.run(['dev', 'otp', '--email', email, '--json'])).json<{ code: string; confirmed: boolean }>();
    return confirmed ? ['--otp', code] : [];
  };
  const login = async (email: string): Promise<string> => {
    const second = email === BOB ? await otp(email) : [];
    const token = expectOk(await o.run(['login', '--email', email, '--password-stdin', '--raw', ...second], { stdin: DEMO_PASSWORD })).stdout.trim();
    sessions.set(email, token);
    return token;
  };
  const as = (email: string, args: string[], options: { stdin?: string } = {}) =>
    o.run(args, { ...options, env: { OKPAY_SESSION: sessions.get(email) ?? '' } });
  const quote = async (email: string, to: string) =>
    expectOk(await as(email, ['fee', 'quote', 'transfer', '--to', to, '--amount', '100.00', '--currency', 'EUR', '--json'])).json<{
      quote: { fee: string; scope: string };
    }>().quote;
  const profile = async (email: string) =>
    expectOk(await as(email, ['profile', '--json'])).json<{
      profile: { name: string; country: string; idNumber: string | null; kyc: string; language: string };
    }>().profile;
  const eur = async (email: string) =>
    expectOk(await as(email, ['balance', '--json']))
      .json<{ balances: { currency: string; available: string }[] }>()
      .balances.find((b) => b.currency === 'EUR')?.available;
  const auditTypes = async (): Promise<{ type: string; actor: string | null; details: Record<string, unknown> }[]> =>
    expectOk(await o.run(['fixtures', 'export']))
      .json<{ audit: { event: { type: string; actor: string | null; details: Record<string, unknown> } }[] }>()
      .audit.map((entry) => entry.event);

  beforeAll(async () => {
    ids = expectOk(await o.run(['fixtures', 'load', 'data/fixtures/demo.json'])).json<Record<string, string>>();
    for (const email of [LENA, CAMILLE, BOB, AMY]) await login(email);
  });

  afterAll(() => o.cleanup());

  it('the sender’s country is a step-up field: a session alone cannot make a cross-border transfer domestic', async () => {
    expect(await quote(LENA, CAMILLE)).toMatchObject({ fee: '3.25', scope: 'cross-border' });
    const refused = await as(LENA, ['profile', 'set', '--country', 'FR', '--json']);
    expectError(refused, 2, 'USAGE');
    expect((await profile(LENA)).country).toBe('DE');
    expect(await quote(LENA, CAMILLE)).toMatchObject({ fee: '3.25', scope: 'cross-border' });
    // The owner, with the password, still can.
    expect(expectOk(await as(LENA, ['profile', 'set', '--country', 'FR', '--password-stdin', '--json'], { stdin: DEMO_PASSWORD })).json()).toMatchObject({
      profile: { country: 'FR' },
    });
    expectOk(await as(LENA, ['profile', 'set', '--country', 'DE', '--password-stdin'], { stdin: DEMO_PASSWORD }));
  });

  it('a verified identity’s name, ID number and country are refused (exit 6, a hint to open a ticket); the language is not', async () => {
    const before = await profile(BOB);
    expect(before.kyc).toBe('approved');
    for (const args of [
      ['--name', 'Robert Smith'],
      ['--id-number', 'Z9876543'],
      ['--name', 'Bob', '--language', 'fr'],
    ]) {
      const run = expectError(await as(BOB, ['profile', 'set', ...args, '--json']), 6, 'INVALID_TRANSITION');
      expect(run.error().hint).toMatch(/open a ticket to change verified details/);
    }
    const country = await as(BOB, ['profile', 'set', '--country', 'FR', '--password-stdin', ...(await otp(BOB)), '--json'], { stdin: DEMO_PASSWORD });
    expect(expectError(country, 6, 'INVALID_TRANSITION').error().message).toBe('your identity is verified, so --country cannot be changed with `profile set`');
    const human = await as(BOB, ['profile', 'set', '--name', 'Robert Smith']);
    expect(human.code).toBe(6);
    expect(human.stderr).toMatch(
      /^okpay: your identity is verified, so --name cannot be changed with `profile set` — open a ticket to change verified details/,
    );
    expect(await profile(BOB)).toEqual(before);
    expect(expectOk(await as(BOB, ['profile', 'set', '--language', 'fr', '--json'])).json()).toMatchObject({ profile: { language: 'fr', kyc: 'approved' } });
  });

  it('a payee without an account is priced cross-border, and the return after 30 days refunds that fee', async () => {
    expect(await quote(LENA, NOBODY)).toMatchObject({ fee: '3.25', scope: 'cross-border' });
    const before = await eur(LENA);
    const sent = expectOk(await as(LENA, ['transfer', '--to', NOBODY, '--amount', '100.00', '--currency', 'EUR', '--yes', '--json'])).json<{
      transaction: { status: string; fee: string };
    }>().transaction;
    expect(sent).toMatchObject({ status: 'unclaimed', fee: '3.25' });
    expect(await eur(LENA)).toBe((Number(before) - 103.25).toFixed(2));
    o.advance(31 * DAY_MS);
    const admin = expectOk(await o.run(['login', '--email', 'ops@okpay.example', '--password-stdin', '--raw'], { stdin: DEMO_PASSWORD })).stdout.trim();
    expectOk(await o.run(['admin', 'settle'], { env: { OKPAY_SESSION: admin } }));
    await login(LENA);
    // Both come back whole: this 100.00 + 3.25, and the fixtures' own 25.00 to noah + its 1.08 cross-border fee.
    expect(await eur(LENA)).toBe((Number(before) + 26.08).toFixed(2));
    expectOk(await o.run(['verify']));
  });

  it('staff looking at a customer’s transaction is audited (tx.viewed); a customer looking at their own is not', async () => {
    await login(AMY);
    await login(BOB);
    const rent = ids['rent'] ?? '';
    const before = (await auditTypes()).length;
    expectOk(await as(BOB, ['tx', 'show', rent]));
    expect((await auditTypes()).length).toBe(before);
    expect(expectOk(await as(AMY, ['tx', 'show', rent, '--json'])).json()).toMatchObject({ transaction: { id: rent } });
    const events = await auditTypes();
    expect(events.length).toBe(before + 1);
    expect(events.at(-1)).toMatchObject({ type: 'tx.viewed', details: { tx: rent } });
    expect(events.at(-1)?.actor).toBe(ids['amy']);
  });

  it('an error is one line in both forms, commander’s suggestions included', async () => {
    for (const args of [['balanse'], ['balance', '--jsn'], ['profile', 'sett']]) {
      const json = await o.run([...args, '--json']);
      expect(json.code, json.stderr).toBe(2);
      expect(json.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(json.error().message).not.toMatch(/\n/);
      const human = await o.run(args);
      expect(human.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
    expect((await o.run(['balanse', '--json'])).error()).toMatchObject({ code: 'USAGE', message: "unknown command 'balanse' (Did you mean balance?)" });
  });
});
