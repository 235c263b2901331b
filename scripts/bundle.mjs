// Bundles the CLI into dist/bundle/ with esbuild, as CommonJS with source maps.
//
// Why a bundle: a command's start-up is mostly Node finding, reading and compiling modules; one
// file spares the look-ups of a few hundred. Modules a command does not use are bundled as lazy
// initialisers, so they cost parsing only. bcrypt stays external (a native module), and so do the
// libraries okpay loads through createRequire only when a command needs them (prompts, otplib,
// YAML, QR codes, progress bars). The mail and PostgreSQL libraries are external too: they are
// loaded only in the commands that send or read mail or open a PostgreSQL store, and bundled they
// were 1.7 MB of the 2.8 MB that every command read and compiled at start. node-postgres has a bundle
// of its own, pg.cjs, loaded when a command opens a database (below). The
// source maps let OKPAY_DEBUG=1 stack traces name src/*.ts lines. The import() of those libraries is
// in src/cli/libraries.ts, which stays a file of its own that Node loads: the bundle may run from V8's
// code cache through vm.Script (bin/code-cache.js), where import() is not available on Node 20, so the
// build refuses a bundle that still holds one.
//
// Output: okpay.cjs, okpay-read.cjs (below), libraries.cjs, pg.cjs and verify-worker.cjs, each with its .map.
import { readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

// Build beside the live bundle and swap it in: files of an older build never pile up, and a
// command running during a rebuild never sees half a bundle.
const OUT = 'dist/bundle';
const NEXT = 'dist/bundle.next';
const OLD = 'dist/bundle.old';
await rm(NEXT, { recursive: true, force: true });

const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // pg-native: node-postgres's optional libpq binding, which okpay does not use (pure JavaScript only).
  // ink (and its React) is ESM with top-level await (yoga's WebAssembly): loaded by import() from node_modules.
  // nodemailer, mailparser (with its character-set tables) and pg: loaded by import() from node_modules.
  external: ['bcrypt', '@inquirer/prompts', 'pg-native', 'ink', 'react', 'nodemailer', 'mailparser', 'pg'],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  minifyWhitespace: true,
  minifySyntax: true,
  // Short local names: the bundle is 0.84 MB instead of 1.18 MB, which every command reads, decodes and
  // checks against its code cache. OKPAY_DEBUG=1 stack traces still point at src/*.ts files and lines (the
  // source map); the function names they show are the short ones (esbuild's keepNames would cost every start).
  minifyIdentifiers: true,
  // The map names the sources and their lines; the sources themselves are in src/.
  sourcemap: 'linked',
  sourcesContent: false,
  outdir: NEXT,
  outExtension: { '.js': '.cjs' },
  // ESM sources ask import.meta.url for their own location (package root, createRequire).
  define: { 'import.meta.url': '__okpayModuleUrl' },
  banner: { js: "'use strict';\nconst __okpayModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
};

const librariesOutside = {
  name: 'libraries-outside',
  setup(build) {
    build.onResolve({ filter: /^\.\/libraries\.js$/ }, () => ({ path: './libraries.cjs', external: true }));
  },
};
// node-postgres is a bundle of its own, pg.cjs, which src/store/pg/pg-driver.ts loads (__okpayPgModule) only
// when a command opens a database: one file to read instead of 32 modules to find in node_modules.
const pgModule = { define: { ...common.define, __okpayPgModule: JSON.stringify('./pg.cjs') } };
const result = await build({ ...common, ...pgModule, entryPoints: { okpay: 'src/cli/main.ts' }, plugins: [librariesOutside] });
const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports);
const left = imports.filter((entry) => entry.kind === 'dynamic-import').map((entry) => entry.path);
if (left.length > 0) throw new Error(`the bundle imports ${left.join(', ')} with import(): do it in src/cli/libraries.ts`);
// The everyday read has a bundle of its own: okpay-read.cjs is the same program in which the command
// modules other than READ_COMMANDS' are left out (each replaced by a module that refuses to load), and
// bin/okpay.js runs it for those commands. A start reads, checksums and decodes its bundle and V8 reads
// the bundle's code cache: with half the bytes, a read touches about 470 fewer pages of memory, each
// about 13 µs of CPU on these machines (docs/BENCHMARKS.md). Keep the list in step with bin/okpay.js.
const READ_COMMANDS = { balance: './balance.js' };
const readCommandsOnly = {
  name: 'read-commands-only',
  setup(build) {
    const kept = new Set(Object.values(READ_COMMANDS));
    build.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (args) =>
      args.kind === 'dynamic-import' && args.importer.endsWith(path.join('src', 'cli', 'commands', 'index.ts')) && !kept.has(args.path)
        ? { path: args.path, namespace: 'left-out' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      contents: `throw new Error('commands/${args.path.slice(2)} is not in okpay-read.cjs: bin/okpay.js runs only ${Object.keys(READ_COMMANDS).join(', ')} with it');`,
      loader: 'js',
    }));
  },
};
await build({ ...common, ...pgModule, entryPoints: { 'okpay-read': 'src/cli/main.ts' }, plugins: [librariesOutside, readCommandsOnly] });
// esbuild writes strings and names as ASCII (\u escapes) but keeps regular expression literals as they are,
// and one character outside ASCII makes Node decode the whole bundle into a string of two bytes a
// character: twice the memory, and about 3 ms more of every start here. A regular expression that
// needs such a character writes it as an escape (\u2022) or is built from a string.
for (const name of ['okpay.cjs', 'okpay-read.cjs']) {
  const text = await readFile(`${NEXT}/${name}`, 'utf8');
  const wide = text.search(/[^\x00-\x7f]/u);
  if (wide >= 0) throw new Error(`${name} is not ASCII: ${JSON.stringify(text.slice(Math.max(0, wide - 60), wide + 20))} (escape the character in its source)`);
}
await build({ ...common, entryPoints: { libraries: 'src/cli/libraries.ts' } });
// pg-native (node-postgres's optional libpq binding) stays outside: okpay uses the pure JavaScript client.
await build({ ...common, external: ['pg-native'], entryPoints: { pg: 'node_modules/pg/lib/index.js' } });
await build({ ...common, entryPoints: { 'verify-worker': 'src/cli/verify-worker.ts' } });

await rm(OLD, { recursive: true, force: true });
await rename(OUT, OLD).catch((error) => {
  if (error.code !== 'ENOENT') throw error;
});
await rename(NEXT, OUT);
await rm(OLD, { recursive: true, force: true });

if (process.argv.includes('--analyze')) {
  const { analyzeMetafile } = await import('esbuild');
  console.log(await analyzeMetafile(result.metafile));
}
