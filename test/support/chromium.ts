// A headless Chromium for the tests that check HTML okpay writes: Debian's `chromium` package,
// driven by puppeteer-core (which downloads no browser of its own). $OKPAY_TEST_CHROMIUM names
// another binary; otherwise, as root on a fresh machine (CI), the package is installed here with
// apt-get, the way test/support/pg-cluster.ts installs PostgreSQL.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

const found = (): string | undefined =>
  [process.env['OKPAY_TEST_CHROMIUM'], ...CANDIDATES].find((file): file is string => file !== undefined && file !== '' && existsSync(file));

/** The path of a Chromium binary, installed first when there is none and this process may. */
export function chromiumPath(): string {
  const present = found();
  if (present) return present;
  if (process.getuid?.() !== 0) {
    throw new Error('The HTML report test needs Chromium: install it (Debian: apt-get install chromium) or set OKPAY_TEST_CHROMIUM=/path/to/chrome.');
  }
  process.stderr.write("Chromium is not installed: installing Debian's chromium for the tests (apt-get)…\n");
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const installed = found();
  if (!installed) throw new Error('apt-get installed chromium, but no /usr/bin/chromium was found');
  return installed;
}
