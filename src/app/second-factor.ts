// Checking a one-time code (TOTP or recovery code) for the flows that need one, and the answer a
// use-case gives when a code is still to be asked for.

import type { User } from '../domain/state.js';
import { verifySecondFactor, type SecondFactorOutcome } from '../domain/twofactor.js';
import type { AppDeps } from './ports.js';

/** A use-case's answer when the account uses 2FA and no code was given: ask, and try again. */
export const NEED_OTP = Symbol('need-otp');

/** The second factor of a user, checked against `code` at `nowMs`. */
export function secondFactor(deps: AppDeps, user: User, code: string, nowMs: number): SecondFactorOutcome {
  return verifySecondFactor(user, code, (secret, c, after) => deps.totp.verify(secret, c, nowMs, after), new Date(nowMs).toISOString());
}
