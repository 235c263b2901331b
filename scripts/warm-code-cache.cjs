// Records the V8 code cache of a freshly built bundle (see scripts/bundle.mjs): runs the commands
// people run most (reads, a transfer, history) in this process against a throw-away store, then
// saves the bytecode V8 compiled for them next to the bundle.
// Usage: node warm-code-cache.cjs <built-in dir> <installed-at dir>
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { loadBundle } = require('../bin/load-bundle.js');

const [directory, installedAt] = process.argv.slice(2);
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'okpay-warm-'));
Object.assign(process.env, {
  OKPAY_HOME: home,
  OKPAY_NOW: '2026-11-23T10:00:00.000Z',
  OKPAY_BCRYPT_COST: '4',
  OKPAY_PASSWORD: 'Demo-pass-2026!',
  NO_COLOR: '1',
});
delete process.env.OKPAY_SESSION;

// The store is made and signed in to in another process: the fixture loader's code (run once per
// store) need not weigh on every command's start, and the reads below then run as they do in a
// fresh process, before anything has loaded Node's crypto module (see src/domain/sha256.ts).
const SETUP = [
  ['fixtures', 'load', path.resolve(__dirname, '..', 'data', 'fixtures', 'demo.json')],
  ['login', '--email', 'lena.mueller@example.de'],
];
const steps = [
  ['balance', '--json'],
  ['balance'],
  ['whoami'],
  ['transfer', '--to', 'bob@example.com', '--amount', '1.00', '--currency', 'EUR', '--yes', '--json'],
  ['history', '--json'],
  ['history'],
];
// Plus one mistake, so the error path is cached too.
const MISTAKE = ['nonsense-command'];

async function setUp() {
  const { execFileSync } = require('node:child_process');
  const program = `const { cli } = require(${JSON.stringify(path.join(__dirname, '..', 'bin', 'load-bundle.js'))}).loadBundle(${JSON.stringify(directory)});
(async () => {
  for (const argv of ${JSON.stringify(SETUP)}) if ((await cli.main(argv)) !== 0) throw new Error('okpay ' + argv.join(' ') + ' failed');
})().catch((error) => { console.error(error); process.exitCode = 1; });`;
  execFileSync(process.execPath, ['-e', program], { env: process.env, stdio: 'pipe' });
}

async function main() {
  await setUp();
  const { cli, script, cacheFile } = loadBundle(directory, installedAt);
  if (!cacheFile) throw new Error(`${directory}/okpay.cjs has no build line`);
  for (const argv of steps) {
    const code = await cli.main(argv);
    if (code !== 0) throw new Error(`okpay ${argv.join(' ')} exited ${code} while warming the code cache`);
  }
  await cli.main(MISTAKE);
  process.exitCode = 0;
  fs.writeFileSync(cacheFile, script.createCachedData());
}

main()
  .catch((error) => {
    process.stderr.write(`warm-code-cache: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  })
  .finally(() => fs.rmSync(home, { recursive: true, force: true }));
