// Loads okpay's bundled CLI (dist/bundle/okpay.cjs) the way Node loads a CommonJS module, but
// through vm.Script so that the V8 code cache recorded at build time can be used: with it, most of
// okpay's code need not be compiled again at every start. Without a cache (or if V8 rejects it,
// say after a Node upgrade) the bundle is simply compiled as usual.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire, wrap } = require('node:module');

const BUILD_LINE = /^\/\/ okpay-build ([0-9a-f]{16})\n/;

/**
 * Runs the bundle in `directory`. `installedAt` is where it will be run from when that differs
 * (the build records the cache beside the bundle before moving it into place): V8 keeps file names
 * in the cache, so they must be the final ones.
 */
function loadBundle(directory, installedAt = directory) {
  // The build writes the bundle in plain ASCII, so Latin-1 reads it exactly, and faster than UTF-8.
  const source = fs.readFileSync(path.join(directory, 'okpay.cjs'), 'latin1');
  const filename = path.join(installedAt, 'okpay.cjs');
  const build = BUILD_LINE.exec(source);
  const cacheFile = build ? path.join(directory, `okpay-${build[1]}.v8cache`) : null;
  let cachedData;
  if (cacheFile) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(wrap(source), { filename, cachedData });
  const module = { exports: {}, filename, id: filename, loaded: false };
  script.runInThisContext()(module.exports, createRequire(filename), module, filename, installedAt);
  module.loaded = true;
  return { cli: module.exports, script, cacheFile };
}

module.exports = { loadBundle };
