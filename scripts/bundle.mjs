// Bundles the compiled CLI into dist/bundle/ with esbuild: one file for the start-up path and
// separate chunks for what commands load lazily (prompts, YAML, the generator, the file store).
// bcrypt stays external: it is a native module.
import { rm, rename } from 'node:fs/promises';
import { build } from 'esbuild';

// Build beside the live bundle and swap it in, so chunks of an older build never pile up.
const OUT = 'dist/bundle';
const NEXT = 'dist/bundle.next';
const OLD = 'dist/bundle.old';
await rm(NEXT, { recursive: true, force: true });

const result = await build({
  entryPoints: { main: 'src/cli/main.ts', 'verify-worker': 'src/cli/verify-worker.ts' },
  outdir: NEXT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['bcrypt'],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  // CommonJS dependencies (commander, lowdb's steno…) call require(): give every chunk one.
  banner: { js: "import { createRequire as __okpayCreateRequire } from 'node:module'; const require = __okpayCreateRequire(import.meta.url);" },
});

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
