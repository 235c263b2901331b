// The everyday reads run from dist/bundle/okpay-read.cjs (scripts/bundle.mjs), the program without the
// other commands' modules: it answers them exactly as the full bundle okpay.cjs does, it holds no other
// command, and `okpay --help` (from the full bundle) still lists every command.

import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type Account } from '../support/accounts.js';
import { Okpay, runBin } from '../support/okpay.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUNDLES = path.join(ROOT, 'dist', 'bundle');

let o: Okpay;
let ada: Account;
let drivers: string;
beforeAll(async () => {
  o = new Okpay();
  ada = await signUp(o, 'ada@example.com');
  drivers = mkdtempSync(path.join(os.tmpdir(), 'okpay-bundles-'));
});
afterAll(() => {
  o.cleanup();
  rmSync(drivers, { recursive: true, force: true });
});

/** Runs one bundle's main() itself, as bin/okpay.js does, without bin's choice of bundle. */
function runBundle(name: string, args: readonly string[], session: string | undefined = ada.token) {
  const driver = path.join(drivers, `${name}.cjs`);
  writeFileSync(driver, `require(${JSON.stringify(path.join(BUNDLES, name))}).main(process.argv.slice(2)).then((code) => { process.exitCode = code; });\n`);
  return runBin(args, { env: { ...o.storeEnv(), OKPAY_NOW: o.now, OKPAY_SESSION: session } }, driver);
}

describe('the bundle of the everyday reads', () => {
  it('answers balance as the full bundle does: the table, --json, --help, and signed out', async () => {
    for (const [args, session] of [
      [['balance'], ada.token],
      [['balance', '--json'], ada.token],
      [['--json', 'balance'], ada.token],
      [['balance', '--help'], ada.token],
      [['balance', '--json'], undefined],
      [['balance', 'extra'], ada.token],
    ] as const) {
      const read = await runBundle('okpay-read.cjs', args, session);
      const full = await runBundle('okpay.cjs', args, session);
      expect({ code: read.code, stdout: read.stdout, stderr: read.stderr }, args.join(' ')).toEqual({
        code: full.code,
        stdout: full.stdout,
        stderr: full.stderr,
      });
    }
    expect((await ada.run(['balance', '--json'])).json()).toEqual({ balances: [] });
  });

  it('holds no other command', async () => {
    const run = await runBundle('okpay-read.cjs', ['whoami', '--json']);
    expect(run.code).not.toBe(0);
    expect(run.error().message).toMatch(/not in okpay-read\.cjs/);
    const full = await runBundle('okpay.cjs', ['whoami', '--json']);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout).toContain('ada@example.com');
  });

  it('is optional: a build from before it (a pull not yet built) runs balance from the full bundle', async () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'okpay-package-'));
    try {
      for (const part of ['bin', 'dist', 'data', 'package.json']) cpSync(path.join(ROOT, part), path.join(copy, part), { recursive: true });
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
      rmSync(path.join(copy, 'dist', 'bundle', 'okpay-read.cjs'));
      const run = await runBin(
        ['balance', '--json'],
        { env: { ...o.storeEnv(), OKPAY_NOW: o.now, OKPAY_SESSION: ada.token } },
        path.join(copy, 'bin', 'okpay.js'),
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.json()).toEqual({ balances: [] });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('leaves `okpay --help` to the full bundle, which lists every command', async () => {
    const help = await ada.run(['--help']);
    expect(help.code, help.stderr).toBe(0);
    for (const command of [
      'register',
      'login',
      'whoami',
      'balance',
      'deposit',
      'transfer',
      'withdraw',
      'history',
      'ticket',
      'agent',
      'admin',
      'faq',
      'outbox',
      'fixtures',
      'store',
      'verify',
      'demo',
      'completion',
    ])
      expect(help.stdout).toMatch(new RegExp(`^ {2}${command}\\b`, 'm'));
  });
});
