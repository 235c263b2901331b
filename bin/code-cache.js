// Loads okpay's bundle with a V8 code cache, for Nodes without module.enableCompileCache() (Node 20;
// bin/okpay.js uses Node's own cache on 22.1 and newer), so that the bundle's 0.8 MB is not compiled
// again at every start. Hand-written because the kept library (v8-compile-cache) hooks the compiling
// of every module, keeps its files in the shared temp directory and writes them in place.
//
// Why it can never change what a command does: the cache lives in the user's own cache directory
// ($XDG_CACHE_HOME/okpay, else ~/.cache/okpay), used only if that is a directory of this user that
// nobody else may write. Its file starts with a line naming the bundle's content, Node's version and
// the checksum of the bytes that follow; a file that does not match (another build, another Node, a
// torn or damaged file) is not given to V8, and V8 checks what it is given (and may reject it). In
// every such case the bundle is compiled as usual and, after the command, the file is written anew
// (to a temporary name, then renamed over). A cache that cannot be made (read-only home, no home) is
// simply not made. NODE_DISABLE_COMPILE_CACHE=1, Node's own switch, turns it off.
//
// One file per top-level command (`balance`, `ticket`, …): a cache holds the functions its first run
// compiled, and V8 reads all of it at every start, so a read given the cache of `fixtures load` (0.94
// MB) spent about 10 ms more CPU than with its own (0.56 MB). At most one file per command okpay has
// and bundle it loads (a PostgreSQL command loads pg.cjs too: bin/okpay.js's requireBundled).
'use strict';

const { createHash } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire, wrap } = require('node:module');

const FORMAT = 'okpay-v8-code-cache 1';

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

/** The cache directory, made if missing, when it is this user's alone; else null. */
function privateDirectory(env) {
  if (env.NODE_DISABLE_COMPILE_CACHE || typeof process.getuid !== 'function') return null;
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  const directory = path.join(base, 'okpay');
  try {
    fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(directory);
    return stat.isDirectory() && stat.uid === process.getuid() && (stat.mode & 0o022) === 0 ? directory : null;
  } catch {
    return null;
  }
}

/** The cached data in `file` when its first line names `key` and the checksum of what follows. */
function readCache(file, key) {
  let bytes;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const end = bytes.indexOf(0x0a);
  if (end < 0) return undefined;
  const data = bytes.subarray(end + 1);
  return bytes.toString('latin1', 0, end) === `${FORMAT} ${key} ${sha256(data)}` ? data : undefined;
}

function writeCache(file, key, script) {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    fs.writeFileSync(temporary, Buffer.concat([Buffer.from(`${FORMAT} ${key} ${sha256(data)}\n`, 'latin1'), data]), { mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}

/**
 * Runs the CommonJS file `filename` as require() would and returns its exports, with `save()` to
 * call once the command is done: it writes the cache of `command` (null: commands without a name)
 * when there was none or V8 rejected it (after the command, so that the functions it compiled are in
 * it too).
 */
function requireWithCodeCache(filename, command, env) {
  const directory = privateDirectory(env);
  if (directory === null) return { exports: require(filename), save: () => undefined };
  const source = fs.readFileSync(filename);
  const key = createHash('sha256').update(`${process.version} ${process.arch} ${filename}\n`).update(source).digest('hex');
  // One file per installed bundle and command, so that two installs do not keep replacing each other's cache.
  const file = path.join(directory, `bundle-${sha256(filename).slice(0, 16)}-${command ?? 'none'}.v8cache`);
  const cachedData = readCache(file, key);
  const script = new vm.Script(wrap(source.toString('utf8')), {
    filename,
    cachedData,
    // The bundle loads some libraries with import(), resolved from its own location as under require().
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {}, filename, id: filename, loaded: false };
  script.runInThisContext()(module.exports, createRequire(filename), module, filename, path.dirname(filename));
  module.loaded = true;
  const stale = cachedData === undefined || script.cachedDataRejected === true;
  return { exports: module.exports, save: () => stale && writeCache(file, key, script) };
}

module.exports = { requireWithCodeCache };
