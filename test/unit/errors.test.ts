// The table of error codes: the contract's codes keep their exit codes, every code is thrown
// somewhere, and docs/ERRORS.md is the table as it is now.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorsMarkdown } from '../../src/cli/help.js';
import { AppError, ERRORS, type ErrorCode } from '../../src/domain/errors.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

// The codes the command-line contract names, with their exit codes: scripts rely on them.
const CONTRACT: Readonly<Record<string, number>> = {
  INTERNAL: 1,
  USAGE: 2,
  INVALID_AMOUNT: 2,
  INVALID_EMAIL: 2,
  WEAK_PASSWORD: 2,
  CONFIRMATION_REQUIRED: 2,
  INVALID_FILE: 2,
  CANCELLED: 2,
  NOT_LOGGED_IN: 3,
  BAD_CREDENTIALS: 3,
  BAD_OTP: 3,
  SESSION_EXPIRED: 3,
  INVALID_TOKEN: 3,
  FORBIDDEN: 4,
  USER_NOT_FOUND: 5,
  TX_NOT_FOUND: 5,
  TICKET_NOT_FOUND: 5,
  QUOTE_NOT_FOUND: 5,
  METHOD_NOT_FOUND: 5,
  ACCOUNT_LOCKED: 6,
  NOT_ACTIVATED: 6,
  INVALID_TRANSITION: 6,
  IDEMPOTENCY_CONFLICT: 6,
  QUOTE_EXPIRED: 6,
  ALREADY_EXISTS: 6,
  EXPECTATION_FAILED: 6,
  STORE_NOT_EMPTY: 6,
  INSUFFICIENT_FUNDS: 7,
  LIMIT_EXCEEDED: 8,
  KYC_REQUIRED: 8,
  STORE_LOCKED: 10,
  STORE_CORRUPT: 10,
  STORE_TOO_NEW: 10,
  STORE_UNAVAILABLE: 10,
};

function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => readFileSync(path.join(entry.parentPath, entry.name), 'utf8'));
}

describe('the table of error codes', () => {
  it('keeps every code of the command-line contract with its exit code', () => {
    const table = ERRORS as Readonly<Record<string, { exitCode: number }>>;
    for (const [code, exitCode] of Object.entries(CONTRACT)) expect(table[code]?.exitCode, code).toBe(exitCode);
  });

  it('has no code that nothing throws', () => {
    const code = sources(path.join(ROOT, 'src'))
      .filter((text) => !text.startsWith('// Every expected failure is `throw new AppError'))
      .join('\n');
    const unused = (Object.keys(ERRORS) as ErrorCode[]).filter((name) => !code.includes(`'${name}'`));
    expect(unused).toEqual([]);
  });

  it('gives every error its exit code from the table', () => {
    expect(new AppError('INSUFFICIENT_FUNDS', 'x').exitCode).toBe(7);
    expect(new AppError('STORE_UNSAFE', 'x').exitCode).toBe(10);
  });

  it('is what docs/ERRORS.md says (run `npm run docs:errors` after changing it)', () => {
    expect(readFileSync(path.join(ROOT, 'docs/ERRORS.md'), 'utf8')).toBe(errorsMarkdown());
  });
});
