// Loading node-postgres (src/store/pg/pg-driver.ts) in a Node process of its own, from the build:
// pg asks whether it runs in a Cloudflare Worker, and on a runtime without `navigator` it used to
// find out by constructing a fetch Response, which loads Node's fetch implementation (undici).

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

describe('the CLI bundle', () => {
  it('loads node-postgres from a bundle of its own (dist/bundle/pg.cjs), not module by module from node_modules', () => {
    const bin = fileURLToPath(new URL('../../bin/okpay.js', import.meta.url));
    // Nothing listens on port 1: the command loads the driver, fails to connect and exits 10.
    const script = `process.argv = [process.execPath, ${JSON.stringify(bin)}, 'balance', '--json'];
      process.on('exit', () => process.stderr.write('\\n' + JSON.stringify(Object.keys(require.cache))));
      require(${JSON.stringify(bin)});`;
    const modulesLoaded = (env: Record<string, string>): string[] => {
      const home = mkdtempSync(path.join(os.tmpdir(), 'okpay-pg-driver-'));
      const result = spawnSync(process.execPath, ['-e', script], {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: home,
          OKPAY_HOME: home,
          OKPAY_SESSION: 'oks_none',
          OKPAY_DATABASE_URL: 'postgres://okpay@127.0.0.1:1/okpay',
          ...env,
        },
      });
      rmSync(home, { recursive: true, force: true });
      expect(result.status).toBe(10);
      return JSON.parse(result.stderr.trim().split('\n').pop() ?? '[]') as string[];
    };
    // Loaded by require(): the bundles are in its cache, and nothing else of okpay's.
    const required = modulesLoaded({ NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(required.filter((file) => file.endsWith(path.join('dist', 'bundle', 'pg.cjs')))).toHaveLength(1);
    expect(required.filter((file) => file.includes(`${path.sep}node_modules${path.sep}`))).toEqual([]);
    // Through the code cache (on Node 20 bin/code-cache.js runs the bundles itself, outside require's cache): still nothing from node_modules.
    expect(modulesLoaded({}).filter((file) => file.includes(`${path.sep}node_modules${path.sep}`))).toEqual([]);
  });
});
