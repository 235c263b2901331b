#!/usr/bin/env node
// okpay's executable. CommonJS (see bin/package.json) because a CommonJS entry starts faster:
// `--version` answers without loading anything else, and every other command loads the bundled
// CLI from dist/bundle (built by `npm install` through the prepare script) with its code cache.
'use strict';

const path = require('node:path');

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  let cli;
  try {
    cli = require('./load-bundle.js').loadBundle(path.join(__dirname, '..', 'dist', 'bundle')).cli;
  } catch (error) {
    if (error && error.code === 'ENOENT' && String(error.path).endsWith('okpay.cjs')) {
      process.stderr.write('okpay: okpay is not built yet — run `npm install` (or `npm run build`) in its folder\n');
      process.exitCode = 1;
    } else {
      throw error;
    }
  }
  if (cli) {
    cli.main(args).then((code) => {
      process.exitCode = code;
    });
  }
}
