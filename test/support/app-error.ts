// The AppError an action throws, for tests of refusals.

import { AppError } from '../../src/domain/errors.js';

/** The AppError `action` throws; anything else it throws is rethrown, and not throwing fails the test. */
export function appErrorOf(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}
