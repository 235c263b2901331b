// Bundles the compiled CLI into dist/bundle/ with esbuild: one file for the start-up path and
// separate chunks for what commands load lazily (prompts, YAML, the generator, the file store).
// bcrypt stays external: it is a native module.
import { build } from 'esbuild';

const result = await build({
  entryPoints: { main: 'src/cli/main.ts', 'verify-worker': 'src/cli/verify-worker.ts' },
  outdir: 'dist/bundle',
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

if (process.argv.includes('--analyze')) {
  const { analyzeMetafile } = await import('esbuild');
  console.log(await analyzeMetafile(result.metafile));
}
