// Bundles the CLI into dist/bundle/ with esbuild, as CommonJS, and records a V8 code cache for it.
//
// Why CommonJS and a code cache: a command's start-up is mostly Node loading and compiling okpay's
// code. CommonJS loads faster than ES modules on Node 20, and a code cache (V8's compiled bytecode
// for the functions a typical command runs) lets bin/okpay.js skip most of the compiling. Modules
// a command does not use are bundled as lazy initialisers, so they cost parsing only; the cache
// covers that too. bcrypt stays external (a native module), and so do the libraries okpay loads
// through createRequire only when a command needs them (prompts, otplib, YAML, QR codes, progress bars).
//
// Output: okpay.cjs (first line `// okpay-build <id>`, the id a hash of the rest), verify-worker.cjs
// and okpay-<id>.v8cache. The cache's name carries the id, so a cache never meets another build.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

// Build beside the live bundle and swap it in: files of an older build never pile up, and a
// command running during a rebuild never sees half a bundle.
const OUT = 'dist/bundle';
const NEXT = 'dist/bundle.next';
const OLD = 'dist/bundle.old';
await rm(NEXT, { recursive: true, force: true });

// commander requires child_process at load time, for subcommands that are separate executables
// (okpay has none). Loading it pulls in net, streams and more: a few ms of every start. Give
// commander a stand-in that loads the real module on first use.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}commander${path.sep}`) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined,
    );
    esbuild.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:child_process'))[key] });",
      loader: 'js',
    }));
  },
};

const common = {
  plugins: [lazyChildProcess],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['bcrypt', '@inquirer/prompts'],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  minifyWhitespace: true,
  minifySyntax: true,
  // ESM sources ask import.meta.url for their own location (package root, createRequire).
  define: { 'import.meta.url': '__okpayModuleUrl' },
  banner: { js: "'use strict';\nconst __okpayModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
};

const result = await build({ ...common, entryPoints: { okpay: 'src/cli/main.ts' }, outdir: NEXT, outExtension: { '.js': '.cjs' } });
const worker = await build({ ...common, entryPoints: { 'verify-worker': 'src/cli/verify-worker.ts' }, outdir: NEXT, outExtension: { '.js': '.cjs' } });

// bin/load-bundle.js runs the bundle through vm.Script, where import() has no loader to call: an
// external module must be loaded with require (createRequire), never imported dynamically.
for (const [file, output] of Object.entries({ ...result.metafile.outputs, ...worker.metafile.outputs })) {
  const dynamic = output.imports.filter((i) => i.external && i.kind === 'dynamic-import');
  if (dynamic.length > 0) throw new Error(`${file} imports ${dynamic.map((i) => i.path).join(', ')} with import(): use createRequire instead`);
}

const bundlePath = path.join(NEXT, 'okpay.cjs');
// Plain ASCII (esbuild leaves a few characters of regular expressions as they are): the loader
// reads the file as one-byte text, several ms faster than decoding UTF-8.
const body = (await readFile(bundlePath, 'utf8')).replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
const id = createHash('sha256').update(body).digest('hex').slice(0, 16);
await writeFile(bundlePath, `// okpay-build ${id}\n${body}`);

// The code cache: run typical commands once against a throw-away store, then save what V8 compiled.
try {
  execFileSync(process.execPath, [path.resolve('scripts/warm-code-cache.cjs'), path.resolve(NEXT), path.resolve(OUT)], { stdio: 'pipe', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
} catch (error) {
  process.stderr.write(`${error.stderr ?? ''}${error.stdout ?? ''}`);
  throw new Error('could not record the code cache (see above)');
}

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
