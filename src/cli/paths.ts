// Where okpay's own files are (package.json, data/, bin/), found from this module's location so
// the same code works from the tsc output and from the bundle.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let directory = start;
  for (let depth = 0; depth < 6; depth += 1) {
    const manifest = path.join(directory, 'package.json');
    if (existsSync(manifest) && /"name":\s*"okpay"/.test(readFileSync(manifest, 'utf8'))) return directory;
    directory = path.dirname(directory);
  }
  throw new Error(`okpay cannot find its own package folder above ${start}`);
}

const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

export const PACKAGE_VERSION = (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export function packagePath(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}
