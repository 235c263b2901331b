// The user record: who someone is, how they sign in (password, tokens, two-step codes), whether
// their account is locked, their identity check, and for staff their agent profile. Its own module
// so that the ticket rules, which name users, need not import the whole store shape (state.ts).
// Each part is a schema and its type is inferred from it: the store checks every user record it
// reads back (store/record-schemas.ts).

import * as v from 'valibot';
import { int, object, readonly } from './schema.js';
import { LANGUAGES } from './language.js';

export type UserId = string;
/** A transaction's id (ledger.ts): users and tickets name the payments they are about. */
export type TxId = string;

const text = v.string();
const optionalText = v.nullable(v.string());

const ROLES = ['user', 'agent', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const tokenRecordSchema = readonly(
  object({
    /** sha256 of the token; the token itself only ever travels in a mail. */
    tokenHash: text,
    expiresAt: text,
  }),
);
export type TokenRecord = v.InferOutput<typeof tokenRecordSchema>;

const recoveryCodeSchema = readonly(object({ codeHash: text, usedAt: optionalText }));
export type RecoveryCode = v.InferOutput<typeof recoveryCodeSchema>;
const recoveryCodes = readonly(v.array(recoveryCodeSchema));

const twoFactorSchema = readonly(
  object({
    enabled: v.boolean(),
    /** Base32 TOTP secret once confirmed; a TOTP verifier needs it in the clear. */
    secret: optionalText,
    /** A secret shown by `2fa enable` and not yet confirmed with a code. */
    pendingSecret: optionalText,
    pendingRecoveryCodes: recoveryCodes,
    /** Highest TOTP time step accepted so far: a code is accepted once. */
    lastTimeStep: v.nullable(int()),
    recoveryCodes,
    changedAt: optionalText,
  }),
);
export type TwoFactor = v.InferOutput<typeof twoFactorSchema>;

const LOCK_REASONS = ['self', 'failed-logins', 'agent'] as const;
export type LockReason = (typeof LOCK_REASONS)[number];

const accountLockSchema = readonly(object({ reason: v.picklist(LOCK_REASONS), note: optionalText, at: text, by: optionalText }));
export type AccountLock = v.InferOutput<typeof accountLockSchema>;

const KYC_STATUSES = ['none', 'pending', 'approved', 'rejected'] as const;
export type KycStatus = (typeof KYC_STATUSES)[number];

const kycSchema = readonly(
  object({
    status: v.picklist(KYC_STATUSES),
    documentType: optionalText,
    documentMasked: optionalText,
    submittedAt: optionalText,
    decidedAt: optionalText,
    decidedBy: optionalText,
    reason: optionalText,
  }),
);
export type Kyc = v.InferOutput<typeof kycSchema>;

const agentProfileSchema = readonly(
  object({
    tier: v.picklist([1, 2, 3]),
    languages: readonly(v.array(v.picklist(LANGUAGES))),
  }),
);
export type AgentProfile = v.InferOutput<typeof agentProfileSchema>;

/** A phone number waiting for the one-time code texted to it (phone-verification.ts). */
const phoneChallengeSchema = readonly(
  object({
    /** The number to verify, E.164. */
    phone: text,
    /** sha256 of the account id and the code: the code itself only travels in the text message. */
    codeHash: text,
    expiresAt: text,
    wrongAttempts: int(),
  }),
);
export type PhoneChallenge = v.InferOutput<typeof phoneChallengeSchema>;

/** A code texted to a number, or a wrong code typed for it, kept for the window that limits both (phone-verification.ts). */
const phoneCodeEventSchema = readonly(object({ phone: text, at: text, event: v.picklist(['sent', 'wrong']) }));
export type PhoneCodeEvent = v.InferOutput<typeof phoneCodeEventSchema>;

/**
 * The codes texted to one number in the last PHONE_CODE_WINDOW_MS, whichever accounts asked (a
 * record of its own, keyed by a hash of the number), each with the account it was for.
 */
export const numberCodeLogSchema = readonly(object({ sent: readonly(v.array(readonly(object({ at: text, userId: text })))) }));
export type NumberCodeLog = v.InferOutput<typeof numberCodeLogSchema>;

export const userSchema = readonly(
  object({
    id: text,
    email: text,
    /** A verified number only (see phone-verification.ts); the one the store finds accounts by. */
    phone: optionalText,
    /** A number waiting for its one-time code. */
    phoneChallenge: v.optional(v.nullable(phoneChallengeSchema)),
    /** Codes sent and wrong codes typed in the last PHONE_CODE_WINDOW_MS: what limits both. */
    phoneCodeLog: v.optional(readonly(v.array(phoneCodeEventSchema))),
    country: optionalText,
    name: optionalText,
    language: v.nullable(v.picklist(LANGUAGES)),
    idNumberMasked: optionalText,
    antiPhishingPhrase: optionalText,
    role: v.picklist(ROLES),
    agent: v.nullable(agentProfileSchema),
    status: v.picklist(['pending', 'active']),
    passwordHash: text,
    passwordChangedAt: text,
    createdAt: text,
    termsAcceptedAt: text,
    activatedAt: optionalText,
    activation: v.nullable(tokenRecordSchema),
    passwordReset: v.nullable(tokenRecordSchema),
    unlockToken: v.nullable(tokenRecordSchema),
    twoFactor: twoFactorSchema,
    failedLogins: int(),
    lock: v.nullable(accountLockSchema),
    kyc: kycSchema,
    lastLoginAt: optionalText,
  }),
);
export type User = v.InferOutput<typeof userSchema>;
