#!/usr/bin/env node
// okpay's executable. CommonJS (see bin/package.json) because a CommonJS entry starts faster:
// `--version` answers without loading anything else, and every other command loads the bundled
// CLI from dist/ (built by `npm install` through the prepare script).
'use strict';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  import('../dist/bundle/main.js').then(
    async (cli) => {
      process.exitCode = await cli.main(args);
    },
    (error) => {
      if (error && error.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/bundle/main.js')) {
        process.stderr.write('okpay: okpay is not built yet — run `npm install` (or `npm run build`) in its folder\n');
        process.exitCode = 1;
        return;
      }
      throw error;
    },
  );
}
