// Issue 15, money item 1 through the real binary: a phone number is an account's only once its
// owner typed the one-time code sent to it as a text message (a record of its own kind in the
// outbox); wrong codes are counted, codes expire, money sent to a number nobody verified waits as
// unclaimed, and a sign-up that never activates blocks nobody.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Desk, expectError, expectOk, PASSWORD } from '../support/desk-cli.js';

const BOB_PHONE = '+14155550123';
const ANN = 'ann@example.com';
const BOB = 'bob@example.com';
const EVE = 'eve@example.com';
const MAL = 'mallory@example.com';
const MINUTE_MS = 60_000;

interface MailSummary {
  id: string;
  to: string;
  kind: string;
}

describe('phone numbers are verified by a one-time code before money follows them', () => {
  const desk = new Desk();
  const texts = async (phone = BOB_PHONE): Promise<MailSummary[]> =>
    expectOk(await desk.o.run(['outbox', 'list', '--to', phone, '--json'])).json<{ mails: MailSummary[] }>().mails;
  const codeIn = async (id: string): Promise<string> => {
    const text = expectOk(await desk.o.run(['outbox', 'show', id, '--json'])).json<{ mail: { text: string } }>().mail.text;
    return /\b(\d{6})\b/.exec(text)?.[1] ?? '';
  };
  const latestCode = async () => codeIn((await texts()).at(-1)?.id ?? '');
  const profile = async (email: string) =>
    expectOk(await desk.as(email, ['profile', '--json'])).json<{ profile: { phone: string | null; phoneToVerify: string | null } }>().profile;
  const usd = async (email: string) =>
    expectOk(await desk.as(email, ['balance', '--json']))
      .json<{ balances: { currency: string; available: string }[] }>()
      .balances.find((b) => b.currency === 'USD')?.available ?? '0.00';

  beforeAll(async () => {
    await desk.customer(ANN, ['--country', 'US']);
    await desk.customer(MAL, ['--country', 'US']);
    expectOk(await desk.as(ANN, ['deposit', '--amount', '500.00', '--currency', 'USD']));
  });

  afterAll(() => desk.cleanup());

  it('a pending sign-up with someone else’s number blocks nobody; registering with a number sends a text, not the number', async () => {
    expectOk(await desk.o.run(['register', '--email', EVE, '--phone', BOB_PHONE, '--password-stdin', '--accept-terms'], { stdin: `${PASSWORD}\n` }));
    await desk.customer(BOB, ['--phone', BOB_PHONE, '--country', 'US']);
    expect(await profile(BOB)).toMatchObject({ phone: null, phoneToVerify: BOB_PHONE });
    const sent = await texts();
    expect(sent.map((m) => m.kind)).toEqual(['text-message', 'text-message']);
  });

  it('a number set without its code receives nothing: money sent to it waits as unclaimed', async () => {
    const set = expectOk(await desk.as(MAL, ['profile', 'set', '--phone', BOB_PHONE, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` })).json<{
      profile: { phone: string | null; phoneToVerify: string };
    }>().profile;
    expect(set).toMatchObject({ phone: null, phoneToVerify: BOB_PHONE });
    const sent = expectOk(await desk.as(ANN, ['transfer', '--to', BOB_PHONE, '--amount', '60.00', '--currency', 'USD', '--yes', '--json'])).json<{
      transaction: { status: string };
    }>().transaction;
    expect(sent.status).toBe('unclaimed');
    expect(await usd(MAL)).toBe('0.00');
  });

  it('wrong codes are counted: after five the code is void, and nothing else changes', async () => {
    const right = await latestCode();
    const wrong = right === '000000' ? '111111' : '000000';
    const first = expectError(await desk.as(MAL, ['profile', 'verify-phone', wrong, '--json']), 3, 'BAD_OTP').error();
    expect(first.message).toBe('that code is not the one sent to +14155550123; 4 tries left');
    for (let i = 0; i < 3; i += 1) expectError(await desk.as(MAL, ['profile', 'verify-phone', wrong, '--json']), 3, 'BAD_OTP');
    const last = expectError(await desk.as(MAL, ['profile', 'verify-phone', wrong, '--json']), 3, 'BAD_OTP').error();
    expect(last.message).toBe('that code is not the one sent to +14155550123, and that was the last try: ask for a new code');
    expectError(await desk.as(MAL, ['profile', 'verify-phone', right, '--json']), 6, 'INVALID_TRANSITION');
    expectError(await desk.as(MAL, ['profile', 'verify-phone', 'abc', '--json']), 3, 'BAD_OTP');
    expect(await profile(MAL)).toMatchObject({ phone: null, phoneToVerify: null });
  });

  it('a new code gives no new tries: the number’s five are spent for 24 hours (LIMIT_EXCEEDED, exit 8, saying when)', async () => {
    const again = await desk.as(MAL, ['profile', 'set', '--phone', BOB_PHONE, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    const refused = expectError(again, 8, 'LIMIT_EXCEEDED').error();
    expect(refused.message).toBe('5 wrong codes were typed for +14155550123 in the last 24 hours: no new code for it until the first is a day old');
    expect(refused.hint).toMatch(/^a new code can be asked for from 20\d\d-/);
    expect(await texts()).toHaveLength(3);
  });

  it('a code expires after ten minutes; an account is sent at most five codes a day', async () => {
    const other = '+14155550188';
    expectOk(await desk.as(MAL, ['profile', 'set', '--phone', other, '--password-stdin'], { stdin: `${PASSWORD}\n` }));
    const code = await codeIn((await texts(other)).at(-1)?.id ?? '');
    desk.advance(11 * MINUTE_MS);
    const expired = expectError(await desk.as(MAL, ['profile', 'verify-phone', code, '--json']), 3, 'BAD_OTP').error();
    expect(expired.message).toBe('the code sent to +14155550188 expired; ask for a new one');
    expect((await profile(MAL)).phone).toBeNull();
    // Two codes so far (BOB_PHONE, then this number): three more, and the sixth is refused.
    for (let i = 0; i < 3; i += 1) expectOk(await desk.as(MAL, ['profile', 'set', '--phone', other, '--password-stdin'], { stdin: `${PASSWORD}\n` }));
    const sixth = await desk.as(MAL, ['profile', 'set', '--phone', other, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(expectError(sixth, 8, 'LIMIT_EXCEEDED').error().message).toBe(
      '5 phone codes were sent for this account in the last 24 hours, the most there may be',
    );
    expect(await texts(other)).toHaveLength(4);
  });

  it('the owner’s code makes the number theirs: the waiting money lands, later payments route to them', async () => {
    expectOk(await desk.as(BOB, ['profile', 'set', '--phone', BOB_PHONE, '--password-stdin'], { stdin: `${PASSWORD}\n` }));
    const verified = expectOk(await desk.as(BOB, ['profile', 'verify-phone', await latestCode(), '--json'])).json<{
      profile: { phone: string; phoneToVerify: null };
      claimed: string[];
    }>();
    expect(verified.profile).toMatchObject({ phone: BOB_PHONE, phoneToVerify: null });
    expect(verified.claimed).toHaveLength(1);
    expect(await usd(BOB)).toBe('60.00');
    const next = expectOk(await desk.as(ANN, ['transfer', '--to', BOB_PHONE, '--amount', '5.00', '--currency', 'USD', '--yes', '--json'])).json<{
      transaction: { status: string };
    }>().transaction;
    expect(next.status).toBe('completed');
    expect(await usd(BOB)).toBe('65.00');
    const taken = expectError(
      await desk.as(MAL, ['profile', 'set', '--phone', BOB_PHONE, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` }),
      6,
      'ALREADY_EXISTS',
    ).error();
    expect(taken.message).toContain(BOB_PHONE);
    expectOk(await desk.o.run(['verify']));
  });

  it('a number is texted at most five codes a day, whichever accounts ask (LIMIT_EXCEEDED, exit 8, saying when)', async () => {
    const pumped = '+14155550177';
    const asks = (email: string) => desk.as(email, ['profile', 'set', '--phone', pumped, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    const others = ['p1@example.com', 'p2@example.com', 'p3@example.com'];
    for (const email of others) await desk.customer(email, ['--country', 'US']);
    // Two accounts, each within its own five, send the number five codes between them.
    for (let i = 0; i < 3; i += 1) expectOk(await asks(others[0]!));
    for (let i = 0; i < 2; i += 1) expectOk(await asks(others[1]!));
    const sixth = expectError(await asks(others[2]!), 8, 'LIMIT_EXCEEDED').error();
    expect(sixth.message).toBe('5 codes were texted to +14155550177 in the last 24 hours, the most one number is sent');
    expect(sixth.hint).toMatch(/^a new code can be asked for from 20\d\d-/);
    expect(await texts(pumped)).toHaveLength(5);
    expect(await profile(others[2]!)).toMatchObject({ phoneToVerify: null });
    // A day after the first, the number takes codes again.
    desk.advance(24 * 60 * MINUTE_MS);
    await desk.signIn(others[2]!);
    expectOk(await asks(others[2]!));
    expect(await texts(pumped)).toHaveLength(6);
  });
});
