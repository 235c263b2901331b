// node-postgres, loaded when a PostgreSQL store first connects. When pg loads, it chooses its socket
// code by asking whether it runs in a Cloudflare Worker: where the runtime has no `navigator` (Node
// 20), it finds out by constructing a fetch Response, which loads Node's whole fetch implementation
// (undici) for nothing: about 40 ms of CPU on this project's machines, in every command that opens a
// database (90 ms in a profile of `transfer --batch`). A `navigator` saying Node.js, there only while
// pg loads, gives it its answer at once; a runtime that has its own (Node 21 and later) is left alone.

import { createRequire } from 'node:module';
import type pg from 'pg';

let loaded: typeof pg | null = null;

export function loadPg(): typeof pg {
  if (loaded) return loaded;
  const load = () => createRequire(import.meta.url)('pg') as typeof pg;
  if ('navigator' in globalThis) return (loaded = load());
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: `Node.js/${process.versions.node}` }, configurable: true });
  try {
    return (loaded = load());
  } finally {
    delete (globalThis as { navigator?: unknown }).navigator;
  }
}
