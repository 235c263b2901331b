// The user record: who someone is, how they sign in (password, tokens, two-step codes), whether
// their account is locked, their identity check, and for staff their agent profile. Its own module
// so that the ticket rules, which name users, need not import the whole store shape (state.ts).

import type { Language } from './language.js';

export type UserId = string;
/** A transaction's id (ledger.ts): users and tickets name the payments they are about. */
export type TxId = string;
export type Role = 'user' | 'agent' | 'admin';

export interface TokenRecord {
  /** sha256 of the token; the token itself only ever travels in a mail. */
  readonly tokenHash: string;
  readonly expiresAt: string;
}

export interface RecoveryCode {
  readonly codeHash: string;
  readonly usedAt: string | null;
}

export interface TwoFactor {
  readonly enabled: boolean;
  /** Base32 TOTP secret once confirmed; a TOTP verifier needs it in the clear. */
  readonly secret: string | null;
  /** A secret shown by `2fa enable` and not yet confirmed with a code. */
  readonly pendingSecret: string | null;
  readonly pendingRecoveryCodes: readonly RecoveryCode[];
  /** Highest TOTP time step accepted so far: a code is accepted once. */
  readonly lastTimeStep: number | null;
  readonly recoveryCodes: readonly RecoveryCode[];
  readonly changedAt: string | null;
}

export type LockReason = 'self' | 'failed-logins' | 'agent';

export interface AccountLock {
  readonly reason: LockReason;
  readonly note: string | null;
  readonly at: string;
  readonly by: UserId | null;
}

export type KycStatus = 'none' | 'pending' | 'approved' | 'rejected';

export interface Kyc {
  readonly status: KycStatus;
  readonly documentType: string | null;
  readonly documentMasked: string | null;
  readonly submittedAt: string | null;
  readonly decidedAt: string | null;
  readonly decidedBy: UserId | null;
  readonly reason: string | null;
}

export interface AgentProfile {
  readonly tier: 1 | 2 | 3;
  readonly languages: readonly Language[];
}

/** A phone number waiting for the one-time code texted to it (phone-verification.ts). */
export interface PhoneChallenge {
  /** The number to verify, E.164. */
  readonly phone: string;
  /** sha256 of the account id and the code: the code itself only travels in the text message. */
  readonly codeHash: string;
  readonly expiresAt: string;
  readonly wrongAttempts: number;
}

export interface User {
  readonly id: UserId;
  readonly email: string;
  /** A verified number only (see phone-verification.ts); the one the store finds accounts by. */
  readonly phone: string | null;
  /** A number waiting for its one-time code. */
  readonly phoneChallenge?: PhoneChallenge | null;
  readonly country: string | null;
  readonly name: string | null;
  readonly language: Language | null;
  readonly idNumberMasked: string | null;
  readonly antiPhishingPhrase: string | null;
  readonly role: Role;
  readonly agent: AgentProfile | null;
  readonly status: 'pending' | 'active';
  readonly passwordHash: string;
  readonly passwordChangedAt: string;
  readonly createdAt: string;
  readonly termsAcceptedAt: string;
  readonly activatedAt: string | null;
  readonly activation: TokenRecord | null;
  readonly passwordReset: TokenRecord | null;
  readonly unlockToken: TokenRecord | null;
  readonly twoFactor: TwoFactor;
  readonly failedLogins: number;
  readonly lock: AccountLock | null;
  readonly kyc: Kyc;
  readonly lastLoginAt: string | null;
}
