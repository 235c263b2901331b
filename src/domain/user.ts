// The user record: who someone is, how they sign in (password, tokens, two-step codes), whether
// their account is locked, their identity check, and for staff their agent profile. Its own module
// so that the ticket rules, which name users, need not import the whole store shape (state.ts).
// Each part is a schema and its type is inferred from it: the store checks every user record it
// reads back (store/record-schemas.ts).

import * as z from 'zod/mini';
import { LANGUAGES } from './language.js';

export type UserId = string;
/** A transaction's id (ledger.ts): users and tickets name the payments they are about. */
export type TxId = string;

const text = z.string();
const optionalText = z.nullable(z.string());

const ROLES = ['user', 'agent', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const tokenRecordSchema = z.readonly(
  z.object({
    /** sha256 of the token; the token itself only ever travels in a mail. */
    tokenHash: text,
    expiresAt: text,
  }),
);
export type TokenRecord = z.infer<typeof tokenRecordSchema>;

const recoveryCodeSchema = z.readonly(z.object({ codeHash: text, usedAt: optionalText }));
export type RecoveryCode = z.infer<typeof recoveryCodeSchema>;
const recoveryCodes = z.readonly(z.array(recoveryCodeSchema));

const twoFactorSchema = z.readonly(
  z.object({
    enabled: z.boolean(),
    /** Base32 TOTP secret once confirmed; a TOTP verifier needs it in the clear. */
    secret: optionalText,
    /** A secret shown by `2fa enable` and not yet confirmed with a code. */
    pendingSecret: optionalText,
    pendingRecoveryCodes: recoveryCodes,
    /** Highest TOTP time step accepted so far: a code is accepted once. */
    lastTimeStep: z.nullable(z.int()),
    recoveryCodes,
    changedAt: optionalText,
  }),
);
export type TwoFactor = z.infer<typeof twoFactorSchema>;

const LOCK_REASONS = ['self', 'failed-logins', 'agent'] as const;
export type LockReason = (typeof LOCK_REASONS)[number];

const accountLockSchema = z.readonly(z.object({ reason: z.enum(LOCK_REASONS), note: optionalText, at: text, by: optionalText }));
export type AccountLock = z.infer<typeof accountLockSchema>;

const KYC_STATUSES = ['none', 'pending', 'approved', 'rejected'] as const;
export type KycStatus = (typeof KYC_STATUSES)[number];

const kycSchema = z.readonly(
  z.object({
    status: z.enum(KYC_STATUSES),
    documentType: optionalText,
    documentMasked: optionalText,
    submittedAt: optionalText,
    decidedAt: optionalText,
    decidedBy: optionalText,
    reason: optionalText,
  }),
);
export type Kyc = z.infer<typeof kycSchema>;

const agentProfileSchema = z.readonly(
  z.object({
    tier: z.literal([1, 2, 3]),
    languages: z.readonly(z.array(z.enum(LANGUAGES))),
  }),
);
export type AgentProfile = z.infer<typeof agentProfileSchema>;

/** A phone number waiting for the one-time code texted to it (phone-verification.ts). */
const phoneChallengeSchema = z.readonly(
  z.object({
    /** The number to verify, E.164. */
    phone: text,
    /** sha256 of the account id and the code: the code itself only travels in the text message. */
    codeHash: text,
    expiresAt: text,
    wrongAttempts: z.int(),
  }),
);
export type PhoneChallenge = z.infer<typeof phoneChallengeSchema>;

/** A code texted to a number, or a wrong code typed for it, kept for the window that limits both (phone-verification.ts). */
const phoneCodeEventSchema = z.readonly(z.object({ phone: text, at: text, event: z.enum(['sent', 'wrong']) }));
export type PhoneCodeEvent = z.infer<typeof phoneCodeEventSchema>;

/**
 * The codes texted to one number in the last PHONE_CODE_WINDOW_MS, whichever accounts asked (a
 * record of its own, keyed by a hash of the number), each with the account it was for.
 */
export const numberCodeLogSchema = z.readonly(z.object({ sent: z.readonly(z.array(z.readonly(z.object({ at: text, userId: text })))) }));
export type NumberCodeLog = z.infer<typeof numberCodeLogSchema>;

export const userSchema = z.readonly(
  z.object({
    id: text,
    email: text,
    /** A verified number only (see phone-verification.ts); the one the store finds accounts by. */
    phone: optionalText,
    /** A number waiting for its one-time code. */
    phoneChallenge: z.optional(z.nullable(phoneChallengeSchema)),
    /** Codes sent and wrong codes typed in the last PHONE_CODE_WINDOW_MS: what limits both. */
    phoneCodeLog: z.optional(z.readonly(z.array(phoneCodeEventSchema))),
    country: optionalText,
    name: optionalText,
    language: z.nullable(z.enum(LANGUAGES)),
    idNumberMasked: optionalText,
    antiPhishingPhrase: optionalText,
    role: z.enum(ROLES),
    agent: z.nullable(agentProfileSchema),
    status: z.enum(['pending', 'active']),
    passwordHash: text,
    passwordChangedAt: text,
    createdAt: text,
    termsAcceptedAt: text,
    activatedAt: optionalText,
    activation: z.nullable(tokenRecordSchema),
    passwordReset: z.nullable(tokenRecordSchema),
    unlockToken: z.nullable(tokenRecordSchema),
    twoFactor: twoFactorSchema,
    failedLogins: z.int(),
    lock: z.nullable(accountLockSchema),
    kyc: kycSchema,
    lastLoginAt: optionalText,
  }),
);
export type User = z.infer<typeof userSchema>;
