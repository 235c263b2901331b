// Phone numbers are verified before they count: the number waits in a challenge beside the account
// until its owner types the one-time code sent to it as a text message. Only a verified number is
// the account's `phone` (the one the store finds accounts by), so only then do payments to it land
// or route there; money sent to a number nobody verified waits as unclaimed, and an account that
// never verifies (or never activates) blocks nobody.

import { AppError } from './errors.js';
import { sha256Hex } from './hashing.js';
import type { OutgoingMail } from './mail.js';
import { MAIL_TEXTS } from './mail-texts/index.js';
import type { PhoneChallenge, User } from './user.js';

export const PHONE_CODE_TTL_MS = 10 * 60 * 1000;
/** Wrong codes a challenge takes before it is void: 10^6 codes, so a guess wins 1 time in 200 000. */
export const PHONE_CODE_MAX_ATTEMPTS = 5;
const PHONE_CODE_PATTERN = /^[0-9]{6}$/;

export function phoneCodeHash(userId: string, code: string): string {
  return sha256Hex(`${userId}:${code}`);
}

export function newPhoneChallenge(user: User, phone: string, code: string, nowMs: number): PhoneChallenge {
  return { phone, codeHash: phoneCodeHash(user.id, code), expiresAt: new Date(nowMs + PHONE_CODE_TTL_MS).toISOString(), wrongAttempts: 0 };
}

/** The code as typed: six digits, or a usage error before anything is counted. */
export function parsePhoneCode(text: string): string {
  const code = text.trim();
  if (!PHONE_CODE_PATTERN.test(code))
    throw new AppError('BAD_OTP', 'a phone code is six digits', { hint: 'type the code from the text message, e.g. okpay profile verify-phone 123456' });
  return code;
}

/** A number may be verified by an account unless another account already verified it. */
export function assertPhoneFree(phone: string, owner: User | null, user: User): void {
  if (owner && owner.id !== user.id) throw new AppError('ALREADY_EXISTS', `the phone number ${phone} belongs to another account`);
}

export type PhoneCodeCheck =
  { readonly kind: 'verified'; readonly phone: string } | { readonly kind: 'wrong'; readonly challenge: PhoneChallenge | null; readonly message: string };

/**
 * Checks a code against the waiting challenge. A wrong code is counted (the caller stores the
 * challenge it returns, null once the last try is spent, and then fails); an expired one is refused.
 */
export function checkPhoneCode(user: User, challenge: PhoneChallenge | null, code: string, nowMs: number): PhoneCodeCheck {
  if (!challenge)
    throw new AppError('INVALID_TRANSITION', 'no phone number is waiting for a code', {
      hint: 'set one with `okpay profile set --phone NUMBER`: a code is sent to it',
    });
  if (Date.parse(challenge.expiresAt) <= nowMs)
    throw new AppError('BAD_OTP', `the code sent to ${challenge.phone} expired; ask for a new one`, { hint: 'run `okpay profile set --phone NUMBER` again' });
  if (phoneCodeHash(user.id, code) === challenge.codeHash) return { kind: 'verified', phone: challenge.phone };
  const wrongAttempts = challenge.wrongAttempts + 1;
  const left = PHONE_CODE_MAX_ATTEMPTS - wrongAttempts;
  if (left <= 0)
    return { kind: 'wrong', challenge: null, message: `that code is not the one sent to ${challenge.phone}, and that was the last try: ask for a new code` };
  return {
    kind: 'wrong',
    challenge: { ...challenge, wrongAttempts },
    message: `that code is not the one sent to ${challenge.phone}; ${left} ${left === 1 ? 'try' : 'tries'} left`,
  };
}

/** The text message that carries the code: a record of its own kind in the outbox, addressed to the number, with the anti-phishing phrase like every message to the customer. */
export function phoneCodeText(user: User, phone: string, code: string): OutgoingMail {
  const language = user.language ?? 'en';
  const { subject, text } = MAIL_TEXTS[language].phoneCode(code, PHONE_CODE_TTL_MS / 60_000);
  return { to: phone, userId: user.id, kind: 'text-message', language, subject, text, antiPhishingPhrase: user.antiPhishingPhrase ?? null };
}
