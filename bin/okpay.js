#!/usr/bin/env node
// okpay's executable. CommonJS (see bin/package.json) so that `--version` answers without loading
// anything else; every other command runs the bundled CLI from dist/bundle (built by `npm install`
// through the prepare script).
'use strict';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  // Node 22.1 and newer keep V8's compiled code of the bundle between runs (in the temp directory),
  // which spares compiling it at every start; older Nodes compile it each time.
  require('node:module').enableCompileCache?.();
  // Reading the source map costs a few ms, so only a debugging run pays for src/*.ts stack frames.
  if (process.env.OKPAY_DEBUG === '1') process.setSourceMapsEnabled(true);
  const bundle = require('node:path').join(__dirname, '..', 'dist', 'bundle', 'okpay.cjs');
  if (require('node:fs').existsSync(bundle)) {
    require(bundle)
      .main(args)
      .then((code) => {
        process.exitCode = code;
      });
  } else {
    process.stderr.write('okpay: okpay is not built yet — run `npm install` (or `npm run build`) in its folder\n');
    process.exitCode = 1;
  }
}
