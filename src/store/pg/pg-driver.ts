// node-postgres, loaded when a PostgreSQL store first connects. When pg loads, it chooses its socket
// code by asking whether it runs in a Cloudflare Worker: where the runtime has no `navigator` (Node
// 20), it finds out by constructing a fetch Response, which loads Node's whole fetch implementation
// (undici) for nothing: about 40 ms of CPU on this project's machines, in every command that opens a
// database (90 ms in a profile of `transfer --batch`). A `navigator` saying Node.js, there only while
// pg loads, gives it its answer at once; a runtime that has its own (Node 21 and later) is left alone.
//
// The CLI's bundle loads pg from dist/bundle/pg.cjs (scripts/bundle.mjs), node-postgres and its
// dependencies in one file: from node_modules, Node finds, reads and compiles 32 modules, which cost
// a PostgreSQL command 40-50 ms more CPU than one file at load 19 here. The tsc output loads `pg`.
// bin/okpay.js hands the CLI the way it loads its own bundle (loadBundlesWith), so that on Node 20
// pg.cjs is compiled from a V8 code cache too (bin/code-cache.js): loading it and a first query took
// 14.9 ms of CPU instead of 18.2 (medians of 12 alternating runs at load 10). Node 22.1 and newer
// cache every module themselves.

import { createRequire } from 'node:module';
import type pg from 'pg';

/** The module that holds node-postgres: set by the bundle to the file beside it; `pg` elsewhere. */
declare const __okpayPgModule: string | undefined;

let loaded: typeof pg | null = null;
/** How the bundled pg.cjs is loaded: bin/okpay.js's loader (with its code cache) when it gave one. */
let requireBundled: ((file: string) => unknown) | null = null;

export function loadBundlesWith(load: (file: string) => unknown): void {
  requireBundled = load;
}

export function loadPg(): typeof pg {
  if (loaded) return loaded;
  const bundled = typeof __okpayPgModule === 'string' ? __okpayPgModule : null;
  const require = createRequire(import.meta.url);
  const load = () => (bundled !== null && requireBundled !== null ? requireBundled(require.resolve(bundled)) : require(bundled ?? 'pg')) as typeof pg;
  if ('navigator' in globalThis) return (loaded = load());
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node}` }, configurable: true });
  try {
    return (loaded = load());
  } finally {
    delete (globalThis as { navigator?: unknown }).navigator;
  }
}
