// The layering of docs/ARCHITECTURE.md, held by dependency-cruiser (.dependency-cruiser.cjs): no
// import circles in src/ (type-only imports count), the domain imports nothing of the shell, the
// use-cases or the store, use-cases never import the shell, and no command file imports another.

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function cruise(): { status: number; output: string } {
  try {
    const output = execFileSync(
      process.execPath,
      [path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return { status: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { status: failed.status, output: `${failed.stdout}${failed.stderr}` };
  }
}

describe('architecture', () => {
  it('has no import circle and no import against the layering', () => {
    const result = cruise();
    expect(result.output).not.toMatch(/error /);
    expect(result.status).toBe(0);
  });
});
