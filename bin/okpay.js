#!/usr/bin/env node
// okpay's executable. CommonJS (see bin/package.json) so that `--version` answers without loading
// anything else; every other command runs the bundled CLI from dist/bundle (built by `npm install`
// through the prepare script).
'use strict';

const args = process.argv.slice(2);
/** The commands of dist/bundle/okpay-read.cjs: READ_COMMANDS in scripts/bundle.mjs. */
const READ_COMMANDS = new Set(['balance']);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  // Written to file descriptor 1 directly: process.stdout would first set up a stream (on a pipe, the
  // net and stream modules), about 150 page faults of a start that is otherwise Node's alone.
  // A reader that went away (EPIPE) is not a crash, as for every other command (src/cli/io.ts); a
  // descriptor someone made non-blocking (EAGAIN) goes through the stream.
  const line = `${require('../package.json').version}\n`;
  try {
    require('node:fs').writeSync(1, line);
  } catch (error) {
    if (error.code === 'EAGAIN') process.stdout.write(line);
    else if (error.code !== 'EPIPE') throw error;
  }
} else {
  const word = commandWord(args);
  const { existsSync } = require('node:fs');
  const bundles = require('node:path').join(__dirname, '..', 'dist', 'bundle');
  // The everyday reads run from a bundle that holds only their commands (half the bytes to load);
  // a build made before it (a pull not yet built) has only the full one, which runs every command.
  const read = `${bundles}/okpay-read.cjs`;
  const bundle = READ_COMMANDS.has(word) && existsSync(read) ? read : `${bundles}/okpay.cjs`;
  if (existsSync(bundle)) {
    const cli = load(bundle, word);
    // The bundles the CLI loads later (node-postgres's pg.cjs) go through the same code cache.
    const later = [];
    const requireBundled = (file) => {
      const loaded = load(file, word);
      later.push(loaded);
      return loaded.exports;
    };
    cli.exports.main(args, { requireBundled }).then((code) => {
      process.exitCode = code;
      // A failed command (a mistyped one too) leaves no cache behind, nor one whose name was a guess
      // that the bundle's own reading of the command line does not confirm.
      // (A bundle older than this file, built before a pull and not since, has no invokedCommand: no cache.)
      const confirmed = typeof cli.exports.invokedCommand === 'function' && cli.exports.invokedCommand(args) === word;
      if (code === 0 && confirmed) for (const loaded of [cli, ...later]) loaded.save();
    });
  } else {
    process.stderr.write('okpay: okpay is not built yet — run `npm install` (or `npm run build`) in its folder\n');
    process.exitCode = 1;
  }
}

/**
 * The top-level command named, or null: the name of its code cache, read before the bundle is. Global
 * options that take a value are skipped with it (as src/cli/commands/index.ts's invokedCommand does,
 * which confirms the name before a cache is written).
 */
function commandWord(argv) {
  for (let i = 0; i < argv.length; i += 1) {
    if (['--data-dir', '--database-url', '--jq', '--template'].includes(argv[i])) i += 1;
    else if (!argv[i].startsWith('-')) return /^[a-z0-9][a-z0-9-]{0,23}$/.test(argv[i]) ? argv[i] : null;
  }
  return null;
}

/** The bundle's exports, and `save()` to keep its compiled code for the next start of `command`. */
function load(bundle, command) {
  // Reading the source map costs a few ms, so only a debugging run pays for src/*.ts stack frames.
  if (process.env.OKPAY_DEBUG === '1') process.setSourceMapsEnabled(true);
  const { enableCompileCache } = require('node:module');
  // Node 22.1 and newer keep V8's compiled code of modules between runs themselves (in the temp
  // directory), of every module loaded after this call.
  if (enableCompileCache) {
    enableCompileCache();
    return plainRequire(bundle);
  }
  // Node maps stack frames (OKPAY_DEBUG=1, --enable-source-maps) only in modules it loads itself,
  // so such a run goes without the code cache.
  if (process.sourceMapsEnabled) return plainRequire(bundle);
  return require('./code-cache.js').requireWithCodeCache(bundle, command, process.env);
}

function plainRequire(bundle) {
  return { exports: require(bundle), save: () => undefined };
}
