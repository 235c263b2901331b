// `okpay dev otp` in a test store: the code of a confirmed 2FA, and of a setup still waiting for
// `2fa confirm`, so a tester can follow the README's tour to the letter.

import { describe, expect, it } from 'vitest';
import { Cli, PASSWORD } from '../support/cli.js';

const EMAIL = 'ada@example.com';

describe('dev otp', () => {
  it('gives the code of a 2FA setup waiting for confirmation, which 2fa confirm then takes', async () => {
    const cli = new Cli();
    await cli.signedIn(EMAIL);
    const before = await cli.run(['dev', 'otp', '--email', EMAIL, '--json']);
    expect(before.error()).toMatchObject({ code: 'INVALID_TRANSITION', hint: 'start one with `okpay 2fa enable`' });
    expect((await cli.run(['2fa', 'enable', '--password-stdin'], { stdin: `${PASSWORD}\n` })).code).toBe(0);
    const pending = await cli.run(['dev', 'otp', '--email', EMAIL, '--json']);
    expect(pending.code, pending.stderr).toBe(0);
    const { code, confirmed } = pending.json<{ code: string; confirmed: boolean }>();
    expect(code).toMatch(/^\d{6}$/);
    expect(confirmed).toBe(false);
    const confirm = await cli.run(['2fa', 'confirm', code, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` });
    expect(confirm.code, confirm.stderr).toBe(0);
    expect(confirm.json<{ user: { twoFactor: boolean } }>().user.twoFactor).toBe(true);
    cli.advance(60_000);
    const on = (await cli.run(['dev', 'otp', '--email', EMAIL, '--json'])).json<{ code: string; confirmed: boolean }>();
    expect(on.confirmed).toBe(true);
    expect(on.code).toMatch(/^\d{6}$/);
  });
});
