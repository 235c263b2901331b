// Making a data directory read-only for this process, which root cannot do by permissions alone:
// a read-only bind mount (root, as on CI), else immutable directories (`chattr +i`), else, for a
// normal user, chmod 0500.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type ReadOnlyTechnique = 'bind mount' | 'chattr +i' | 'chmod 0500' | 'none';

export const isRoot = process.getuid?.() === 0;

/** Runs a program quietly; true when it exits 0. */
export function sh(command: string, args: readonly string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/** The first technique that works here ('none' when none does). */
export function probeTechnique(): ReadOnlyTechnique {
  if (!isRoot) return 'chmod 0500';
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'okpay-ro-probe-'));
  try {
    for (const technique of ['bind mount', 'chattr +i'] as const) {
      const undo = applyReadOnly(technique, [scratch]);
      if (undo) {
        undo();
        return technique;
      }
    }
    return 'none';
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Makes directories read-only for this process (a bind mount: the first, and all below it); returns how to undo it, or null if it could not. */
export function applyReadOnly(technique: ReadOnlyTechnique, directories: readonly string[]): (() => void) | null {
  const [top] = directories;
  if (technique === 'chmod 0500' && directories.every((d) => sh('chmod', ['0500', d]))) return () => directories.forEach((d) => sh('chmod', ['0700', d]));
  if (technique === 'chattr +i' && sh('chattr', ['+i', ...directories])) return () => void sh('chattr', ['-i', ...directories]);
  if (technique === 'bind mount' && top && sh('mount', ['--bind', top, top])) {
    if (sh('mount', ['-o', 'remount,ro,bind', top])) return () => void sh('umount', [top]);
    sh('umount', [top]);
  }
  return null;
}
