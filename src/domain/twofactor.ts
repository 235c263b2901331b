// Two-step verification: TOTP codes (each accepted once) and single-use recovery codes. The TOTP
// arithmetic is done by a verifier passed in; this module keeps the rules and the state.

import { sha256Hex } from './hashing.js';
import { NO_TWO_FACTOR } from './accounts.js';
import type { RecoveryCode, User } from './state.js';

export interface TotpVerifier {
  /** Checks a code at now ±1 step, accepting only steps after `afterTimeStep`. */
  (secret: string, code: string, afterTimeStep: number | null): { valid: boolean; timeStep: number | null };
}

export type SecondFactorOutcome =
  | { readonly ok: true; readonly user: User; readonly method: 'totp' | 'recovery'; readonly recoveryCodesLeft: number }
  | { readonly ok: false; readonly reason: 'wrong' | 'replayed' };

const TOTP_PATTERN = /^[0-9]{6}$/;
const RECOVERY_PATTERN = /^([a-z2-7]{5})-?([a-z2-7]{5})$/;

function normalizeRecoveryCode(text: string): string | null {
  const match = RECOVERY_PATTERN.exec(text.trim().toLowerCase());
  return match ? `${match[1]}-${match[2]}` : null;
}

export function hashRecoveryCode(code: string): string {
  return sha256Hex(`okpay-recovery:${code}`);
}

function unusedRecoveryCodes(user: User): number {
  return user.twoFactor.recoveryCodes.filter((c) => c.usedAt === null).length;
}

/** Verifies a TOTP or recovery code against an enabled second factor and returns the updated user. */
export function verifySecondFactor(user: User, code: string, verify: TotpVerifier, nowIso: string): SecondFactorOutcome {
  const secret = user.twoFactor.secret;
  if (!user.twoFactor.enabled || !secret) return { ok: true, user, method: 'totp', recoveryCodesLeft: 0 };
  const trimmed = code.trim();
  if (TOTP_PATTERN.test(trimmed)) {
    const check = verify(secret, trimmed, user.twoFactor.lastTimeStep);
    if (check.valid && check.timeStep !== null) {
      const updated: User = { ...user, twoFactor: { ...user.twoFactor, lastTimeStep: check.timeStep } };
      return { ok: true, user: updated, method: 'totp', recoveryCodesLeft: unusedRecoveryCodes(user) };
    }
    const replayed = user.twoFactor.lastTimeStep !== null && verify(secret, trimmed, null).valid;
    return { ok: false, reason: replayed ? 'replayed' : 'wrong' };
  }
  const recovery = normalizeRecoveryCode(trimmed);
  if (recovery === null) return { ok: false, reason: 'wrong' };
  const hash = hashRecoveryCode(recovery);
  const index = user.twoFactor.recoveryCodes.findIndex((c) => c.codeHash === hash);
  const found = user.twoFactor.recoveryCodes[index];
  if (!found) return { ok: false, reason: 'wrong' };
  if (found.usedAt !== null) return { ok: false, reason: 'replayed' };
  const codes = user.twoFactor.recoveryCodes.map((c, i) => (i === index ? { ...c, usedAt: nowIso } : c));
  const updated: User = { ...user, twoFactor: { ...user.twoFactor, recoveryCodes: codes } };
  return { ok: true, user: updated, method: 'recovery', recoveryCodesLeft: codes.filter((c) => c.usedAt === null).length };
}

export function secondFactorMessage(reason: 'wrong' | 'replayed'): string {
  return reason === 'replayed' ? 'this code was already used; wait for the next code of your authenticator app' : 'the one-time code is wrong';
}

/** `2fa enable`: a new secret and recovery codes wait for confirmation; 2FA is not on yet. */
export function beginTwoFactor(user: User, secret: string, recoveryCodes: readonly string[]): User {
  const pending: RecoveryCode[] = recoveryCodes.map((code) => ({ codeHash: hashRecoveryCode(code), usedAt: null }));
  return { ...user, twoFactor: { ...user.twoFactor, pendingSecret: secret, pendingRecoveryCodes: pending } };
}

/** `2fa confirm CODE`: the pending secret becomes the account's, with its recovery codes. */
export function confirmTwoFactor(user: User, timeStep: number, nowIso: string): User {
  return {
    ...user,
    twoFactor: {
      enabled: true,
      secret: user.twoFactor.pendingSecret,
      pendingSecret: null,
      pendingRecoveryCodes: [],
      lastTimeStep: timeStep,
      recoveryCodes: user.twoFactor.pendingRecoveryCodes,
      changedAt: nowIso,
    },
  };
}

/** `2fa recovery-codes`: a new set replaces every old code, used or not. */
export function replaceRecoveryCodes(user: User, recoveryCodes: readonly string[]): User {
  const codes: RecoveryCode[] = recoveryCodes.map((code) => ({ codeHash: hashRecoveryCode(code), usedAt: null }));
  return { ...user, twoFactor: { ...user.twoFactor, recoveryCodes: codes } };
}

export function disableTwoFactor(user: User, nowIso: string): User {
  return { ...user, twoFactor: { ...NO_TWO_FACTOR, changedAt: nowIso } };
}
