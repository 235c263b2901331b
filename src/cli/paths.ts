// Where okpay's own files are (package.json, data/, bin/), found from this module's location so
// the same code works from the tsc output and from the bundle.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** okpay's package folder, the nearest above `start` whose package.json names okpay, and its version. */
function findPackage(start: string): { root: string; version: string } {
  let directory = start;
  for (let depth = 0; depth < 6; depth += 1) {
    const manifest = path.join(directory, 'package.json');
    if (existsSync(manifest)) {
      const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown; version?: unknown };
      if (name === 'okpay' && typeof version === 'string') return { root: directory, version };
    }
    directory = path.dirname(directory);
  }
  throw new Error(`okpay cannot find its own package folder above ${start}`);
}

const PACKAGE = findPackage(path.dirname(fileURLToPath(import.meta.url)));
const PACKAGE_ROOT = PACKAGE.root;

export const PACKAGE_VERSION = PACKAGE.version;

export function packagePath(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}
