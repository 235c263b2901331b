// Loading node-postgres (src/store/pg/pg-driver.ts) in a Node process of its own, from the build:
// pg asks whether it runs in a Cloudflare Worker, and on a runtime without `navigator` it used to
// find out by constructing a fetch Response, which loads Node's fetch implementation (undici).

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DRIVER = fileURLToPath(new URL('../../dist/store/pg/pg-driver.js', import.meta.url));

const loaded = (script: string): { undici: boolean; navigator: string; client: string } =>
  JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as never;

describe('loading node-postgres', () => {
  it('gives pg the Node.js socket code without loading fetch, and leaves no navigator of its own behind', () => {
    const report = `console.log(JSON.stringify({ undici: process.moduleLoadList.some((name) => name.includes('undici')), navigator: typeof navigator, client: typeof pg.Client }))`;
    const seen = loaded(`const { loadPg } = await import(${JSON.stringify(DRIVER)}); const pg = loadPg(); ${report}`);
    expect(seen).toEqual({ undici: false, navigator: typeof (globalThis as { navigator?: unknown }).navigator, client: 'function' });
    // Where the runtime has no navigator (Node 20), pg on its own loads fetch: what the loader spares.
    if (!('navigator' in globalThis)) expect(loaded(`const pg = (await import('pg')).default; ${report}`).undici).toBe(true);
  });
});
