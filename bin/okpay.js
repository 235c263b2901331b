#!/usr/bin/env node
// okpay's executable: `--version` answers without loading anything; every other command runs
// the compiled CLI in dist/ (built by `npm install` through the prepare script).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  let cli;
  try {
    cli = await import('../dist/bundle/main.js');
  } catch (error) {
    if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/bundle/main.js')) {
      process.stderr.write('okpay: okpay is not built yet — run `npm install` (or `npm run build`) in its folder\n');
      process.exit(1);
    }
    throw error;
  }
  process.exitCode = await cli.main(args);
}
