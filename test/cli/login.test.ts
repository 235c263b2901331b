// What login says besides "signed in": a welcome only for a newcomer, and never as a warning; the
// profile request only to customers; nothing at all with --raw.

import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_PEOPLE, MemoryDesk } from '../support/memory-desk.js';
import { Cli, PASSWORD } from '../support/cli.js';

const EMAIL = 'ada@example.com';

async function newAccount(): Promise<Cli> {
  const cli = new Cli();
  await cli.register(EMAIL, ['--name', 'Ada Lovelace']);
  await cli.activate(cli.tokenFromMail(EMAIL, 'activation', 'act'));
  return cli;
}

const login = (cli: Cli, extra: readonly string[] = []) => cli.run(['login', '--email', EMAIL, '--password-stdin', ...extra], { stdin: `${PASSWORD}\n` });

describe('login notes', () => {
  it('welcomes a newcomer once, as a note and not a warning, and asks a customer to complete the profile', async () => {
    const cli = await newAccount();
    const first = await login(cli);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^Welcome to OKPay, Ada Lovelace!$/m);
    expect(first.stderr).toMatch(/^Your profile is missing: phone number, ID number, country/m);
    expect(first.stderr).not.toMatch(/warning:.*(welcome|profile)/i);
    const again = await login(cli);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/welcome/i);
  });

  it('does not welcome someone who joined weeks ago and first signs in now', async () => {
    const cli = await newAccount();
    cli.advance(20 * 24 * 60 * 60 * 1000);
    const late = await login(cli);
    expect(late.code, late.stderr).toBe(0);
    expect(late.stderr).not.toMatch(/welcome/i);
  });

  it('prints only the session token with --raw: nothing on stderr', async () => {
    const cli = await newAccount();
    const raw = await login(cli, ['--raw']);
    expect(raw.code).toBe(0);
    expect(raw.stdout).toMatch(/^oks_[A-Za-z0-9_-]+\n$/);
    expect(raw.stderr).toBe('');
  });

  it('fixture users with weeks of history are not newcomers, and staff are not asked about a customer profile', async () => {
    const desk = new MemoryDesk();
    await desk.setUp([]);
    const signIn = (email: string) => desk.okpay(['login', '--email', email, '--password-stdin'], { stdin: `${DEMO_PASSWORD}\n` });
    const lena = await signIn(DEMO_PEOPLE.customer);
    expect(lena.code, lena.stderr).toBe(0);
    expect(lena.stderr).not.toMatch(/welcome/i);
    expect(lena.stderr).toContain('Your profile is missing');
    for (const staff of [DEMO_PEOPLE.agent1, DEMO_PEOPLE.admin]) {
      const shown = await signIn(staff);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stderr).not.toMatch(/welcome|profile/i);
    }
  });
});
