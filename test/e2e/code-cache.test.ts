// The V8 code cache of the bundle (bin/code-cache.js) on Nodes without module.enableCompileCache():
// written after a first run into the user's private cache directory, then used as it is; a damaged,
// foreign or rejected cache file only means a normal compile, and the file is written anew. It never
// changes what a command prints. On Node 22.1 and newer, Node's own compile cache does this instead.

import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import nodeModule from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBin } from '../support/okpay.js';

const COMMAND = ['help', 'errors', '--json'];
const NODE_HAS_ITS_OWN = 'enableCompileCache' in nodeModule;

let base: string;
let expected: string;
beforeEach(async () => {
  base = mkdtempSync(path.join(os.tmpdir(), 'okpay-cache-test-'));
  expected ??= (await runBin(COMMAND, { env: { NODE_DISABLE_COMPILE_CACHE: '1' } })).stdout;
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const cacheDirectory = () => path.join(base, 'okpay');
const cacheFiles = () => readdirSync(cacheDirectory()).map((name) => path.join(cacheDirectory(), name));

/** Runs the command with the cache under `base`; it must print what it prints without a cache. */
async function runChecked(env: Record<string, string> = {}): Promise<void> {
  const run = await runBin(COMMAND, { env: { XDG_CACHE_HOME: base, ...env } });
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toBe(expected);
}

/** The one cache file, which must be whole: its first line holds the checksum of the rest. */
function wholeCacheFile(): { file: string; bytes: Buffer } {
  const files = cacheFiles();
  expect(files).toHaveLength(1);
  const file = files[0]!;
  const bytes = readFileSync(file);
  const end = bytes.indexOf(0x0a);
  const [format, version, key, checksum] = bytes.toString('latin1', 0, end).split(' ');
  expect([format, version]).toEqual(['okpay-v8-code-cache', '1']);
  expect(key).toMatch(/^[0-9a-f]{64}$/);
  expect(checksum).toBe(
    createHash('sha256')
      .update(bytes.subarray(end + 1))
      .digest('hex'),
  );
  return { file, bytes };
}

if (NODE_HAS_ITS_OWN) {
  describe('the code cache on Node 22.1 and newer', () => {
    it("is Node's own: okpay writes none", async () => {
      await runChecked();
      await runChecked();
      expect(readdirSync(base)).toEqual([]);
    });
  });
} else {
  describe('the code cache of the bundle', () => {
    it('is written by a first run into $XDG_CACHE_HOME/okpay, private, and then used as it is', async () => {
      await runChecked();
      expect(statSync(cacheDirectory()).mode & 0o777).toBe(0o700);
      const { file, bytes } = wholeCacheFile();
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const written = statSync(file).mtimeMs;
      await runChecked();
      expect(readFileSync(file)).toEqual(bytes);
      expect(statSync(file).mtimeMs).toBe(written);
    });

    it('damaged or foreign: the bundle is compiled as usual and the file written anew', async () => {
      await runChecked();
      const { file, bytes } = wholeCacheFile();
      const damaged = Buffer.from(bytes);
      for (let i = bytes.indexOf(0x0a) + 100; i < damaged.length; i += 997) damaged[i] = damaged[i]! ^ 0xff;
      for (const bad of [damaged, bytes.subarray(0, bytes.length >> 1), Buffer.from('not a cache at all\n')]) {
        writeFileSync(file, bad);
        await runChecked();
        expect(wholeCacheFile().bytes.length).toBeGreaterThan(1000);
      }
    });

    it('is one file per top-level command, left alone by the others; a failed command writes none', async () => {
      await runChecked();
      const { file, bytes } = wholeCacheFile();
      expect(path.basename(file)).toMatch(/^bundle-[0-9a-f]{16}-help\.v8cache$/);
      const failed = await runBin(['balance', '--json'], { env: { XDG_CACHE_HOME: base, OKPAY_HOME: path.join(base, 'store') } });
      expect(failed.code).not.toBe(0);
      expect(cacheFiles()).toEqual([file]);
      const version = await runBin(['version'], { env: { XDG_CACHE_HOME: base } });
      expect(version.code, version.stderr).toBe(0);
      const files = cacheFiles().sort();
      expect(files.map((name) => path.basename(name).replace(/^bundle-[0-9a-f]{16}-/, ''))).toEqual(['help.v8cache', 'version.v8cache']);
      expect(readFileSync(file)).toEqual(bytes);
    });

    it("is named after the command, never after a global option's value", async () => {
      const env = { XDG_CACHE_HOME: base };
      for (const args of [
        ['--jq', 'length', 'version', '--json'],
        ['--template', 'faq', 'version', '--json'],
        ['--json', 'node', 'version'],
      ]) {
        const run = await runBin(args, { env });
        expect(run.code, run.stderr).toBe(0);
      }
      expect(cacheFiles().map((name) => path.basename(name).replace(/^bundle-[0-9a-f]{16}-/, ''))).toEqual(['version.v8cache']);
    });

    it('rejected by V8 (made under other V8 flags): rebuilt, then used as it is', async () => {
      await runChecked();
      const made = wholeCacheFile().bytes;
      const otherFlags = { NODE_OPTIONS: '--max-old-space-size=300' };
      await runChecked(otherFlags);
      const rebuilt = wholeCacheFile();
      expect(rebuilt.bytes.equals(made)).toBe(false);
      await runChecked(otherFlags);
      expect(readFileSync(rebuilt.file).equals(rebuilt.bytes)).toBe(true);
    });

    it('is not used in a directory others may write, nor where none can be made, nor when turned off', async () => {
      mkdirSync(cacheDirectory());
      chmodSync(cacheDirectory(), 0o777);
      await runChecked();
      expect(readdirSync(cacheDirectory())).toEqual([]);
      const notADirectory = path.join(base, 'file');
      writeFileSync(notADirectory, '');
      await runChecked({ XDG_CACHE_HOME: notADirectory });
      chmodSync(cacheDirectory(), 0o700);
      await runChecked({ NODE_DISABLE_COMPILE_CACHE: '1' });
      expect(readdirSync(cacheDirectory())).toEqual([]);
    });
  });
}
