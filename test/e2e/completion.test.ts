// Shell completion through a real bash: commands and flags from the command tree, and values from
// the store through the hidden `okpay __complete KIND`.

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, Okpay } from '../support/okpay.js';

const NOW = '2026-12-04T15:00:00.000Z';
const okpay = new Okpay({ now: NOW });
const bin = mkdtempSync(path.join(os.tmpdir(), 'okpay-bin-'));
let customer = '';
let script = '';

beforeAll(async () => {
  expect((await okpay.run(['fixtures', 'generate', '--users', '8', '--transactions', '60', '--tickets', '25', '--seed', '7'])).code).toBe(0);
  customer = (await okpay.run(['login', '--email', 'grace.smith.7@example.com', '--raw'], { env: { OKPAY_PASSWORD: 'Generated-pass-1!' } })).stdout.trim();
  // `okpay` on PATH, as an installed package puts it.
  writeFileSync(path.join(bin, 'okpay'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(path.join(bin, 'okpay'), 0o755);
  const printed = await okpay.run(['completion', 'bash']);
  expect(printed.code).toBe(0);
  script = printed.stdout;
});

afterAll(() => {
  okpay.cleanup();
  rmSync(bin, { recursive: true, force: true });
});

/** What bash offers for the words typed so far (the last one being completed). */
function complete(words: readonly string[], session = customer): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const program = `${script}\nCOMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _okpay; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', program], {
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env['PATH']}`, HOME: process.env['HOME'], ...okpay.storeEnv(), OKPAY_NOW: NOW, OKPAY_SESSION: session },
  });
  return out.split('\n').filter((line) => line !== '');
}

describe('bash completion', () => {
  it('offers commands and each global flag once', () => {
    const top = complete(['okpay', '']);
    expect(top).toEqual(expect.arrayContaining(['history', 'ticket', 'transfer', 'completion', '--json', '--data-dir', '--no-pager']));
    expect(top.filter((word) => word === '--json')).toHaveLength(1);
    expect(new Set(top).size).toBe(top.length);
    expect(top).not.toContain('__complete');
    expect(complete(['okpay', 'ticket', 's'])).toEqual(expect.arrayContaining(['show', 'set']));
    expect(complete(['okpay', 'transfer', '--to-'])).toEqual(['--to-currency']);
  });

  it('offers the customer’s ticket numbers, transaction ids and currencies from the store', () => {
    const tickets = complete(['okpay', 'ticket', 'show', '']);
    expect(tickets.length).toBeGreaterThan(0);
    for (const number of tickets) expect(number).toMatch(/^\d+$/);
    expect(complete(['okpay', 'tx', 'show', 'txn_00000000'])).toContain('txn_0000000060');
    expect(complete(['okpay', 'deposit', '--currency', ''])).toEqual(expect.arrayContaining(['USD', 'EUR', 'GBP', 'CNY', 'JPY']));
    expect(complete(['okpay', 'transfer', '--to-currency', 'J'])).toEqual(['JPY']);
  });

  it('offers nothing from the store when signed out, and never fails or prompts', () => {
    expect(complete(['okpay', 'ticket', 'show', ''], '')).toEqual([]);
    expect(complete(['okpay', 'deposit', '--currency', 'U'], '')).toEqual(['USD']);
  });
});

describe('okpay __complete', () => {
  it('lists a signed-in customer’s payout method ids', async () => {
    const added = await okpay.run(['withdraw', 'methods', 'add', 'ewallet', '--provider', 'paypal', '--account', 'zoe@example.com', '--json', 'id'], {
      env: { OKPAY_SESSION: customer },
    });
    expect(added.code).toBe(0);
    const methods = await okpay.run(['withdraw', 'methods', 'list', '--json', 'id'], { env: { OKPAY_SESSION: customer } });
    const ids = methods.json<{ methods: { id: string }[] }>().methods.map((m) => m.id);
    expect(ids).toContain(added.json<{ method: { id: string } }>().method.id);
    const listed = await okpay.run(['__complete', 'methods'], { env: { OKPAY_SESSION: customer } });
    expect(listed.code).toBe(0);
    expect(listed.stdout.split('\n').filter(Boolean)).toEqual(ids);
  });

  it('refuses an unknown kind with exit 2', async () => {
    const run = await okpay.run(['__complete', 'colours']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^okpay: nothing to complete for "colours" — use tickets, methods, currencies, transactions/);
  });

  it('is in the zsh and fish scripts too', async () => {
    const zsh = (await okpay.run(['completion', 'zsh'])).stdout;
    const fish = (await okpay.run(['completion', 'fish'])).stdout;
    expect(zsh).toContain('__complete "$kind"');
    expect(zsh).toContain('"ticket show") words_here=');
    expect(fish).toContain("complete -c okpay -l currency -x -a '(okpay __complete currencies 2>/dev/null)'");
    expect(fish).toContain(
      "complete -c okpay -n '__fish_seen_subcommand_from ticket; and __fish_seen_subcommand_from show' -a '(okpay __complete tickets 2>/dev/null)'",
    );
    for (const shell of ['zsh', 'fish']) expect((await okpay.run(['completion', shell])).stdout).not.toContain('__complete tickets tickets');
  });
});
