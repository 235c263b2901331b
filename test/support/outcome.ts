// What the tests of okpay's runs share, spawned (okpay.ts) or in-process (cli.ts): the password of
// the people they sign up, and the two assertions on how a run ended.

import { expect } from 'vitest';

export const PASSWORD = 'Harbour-lights-42!';

/** How a run ended: its exit code, its output, and the JSON error document printed with --json. */
export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  error(): { code: string; message: string; exitCode: number; hint?: string };
}

/** Asserts success (exit 0, no error line) and hands the run back for a closer look. */
export function expectOk<R extends Outcome>(run: R): R {
  expect(run.stderr, `exit ${run.code}`).not.toMatch(/^okpay: /m);
  expect(run.code, run.stderr).toBe(0);
  return run;
}

/** Asserts a refusal (run with --json): the exit code, the error document's code and exit code, nothing on stdout. */
export function expectError<R extends Outcome>(run: R, exitCode: number, code: string): R {
  expect(run.code, run.stderr).toBe(exitCode);
  expect(run.error()).toMatchObject({ code, exitCode });
  expect(run.stdout).toBe('');
  return run;
}
