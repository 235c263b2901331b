// Phone numbers are verified before they count: the number waits in a challenge beside the account
// until its owner types the one-time code sent to it as a text message. Only a verified number is
// the account's `phone` (the one the store finds accounts by), so only then do payments to it land
// or route there; money sent to a number nobody verified waits as unclaimed, and an account that
// never verifies (or never activates) blocks nobody.

import { AppError } from './errors.js';
import { sha256Hex } from './hashing.js';
import type { OutgoingMail } from './mail.js';
import { MAIL_TEXTS } from './mail-texts/index.js';
import type { NumberCodeLog, PhoneChallenge, PhoneCodeEvent, User } from './user.js';

export const PHONE_CODE_TTL_MS = 10 * 60 * 1000;
/** Wrong codes a challenge takes before it is void: 10^6 codes, so a guess wins 1 time in 200 000. */
export const PHONE_CODE_MAX_ATTEMPTS = 5;
const PHONE_CODE_PATTERN = /^[0-9]{6}$/;

export function phoneCodeHash(userId: string, code: string): string {
  return sha256Hex(`${userId}:${code}`);
}

/**
 * The window that bounds guessing: an account is sent at most PHONE_CODES_PER_WINDOW codes in it,
 * and the wrong codes typed for one number in it count towards PHONE_CODE_MAX_ATTEMPTS across
 * every code sent to that number, so asking for a new code does not give new tries.
 */
export const PHONE_CODE_WINDOW_MS = 24 * 60 * 60 * 1000;
export const PHONE_CODES_PER_WINDOW = 5;

/**
 * Codes texted to one number in the window, whichever accounts asked. Without it, accounts opened
 * one after another could each have five codes a day texted to the same number (texts the service
 * pays for: SMS pumping; and one number's owner spammed). It also bounds the guesses at a number:
 * each code takes PHONE_CODE_MAX_ATTEMPTS, so at most 25 a day whatever the number of accounts.
 */
export const PHONE_CODES_PER_NUMBER_WINDOW = 5;

/** The key of a number's log: a hash of the number in E.164, so the store's keys do not list numbers. */
export function numberCodeLogKey(phone: string): string {
  return sha256Hex(`phone-codes:${phone}`);
}

/** The codes of a number's log still inside the window at `nowMs`, oldest first. */
function sentInWindow(log: NumberCodeLog | null, nowMs: number): NumberCodeLog['sent'] {
  return (log?.sent ?? []).filter((e) => Date.parse(e.at) > nowMs - PHONE_CODE_WINDOW_MS);
}

/** The number's log with one more code sent (and those past the window dropped, so it stays small). */
export function logNumberCode(log: NumberCodeLog | null, userId: string, nowMs: number): NumberCodeLog {
  return { sent: [...sentInWindow(log, nowMs), { at: new Date(nowMs).toISOString(), userId }] };
}

/** Whether another code may be texted to `phone`, whichever account asks (LIMIT_EXCEEDED, with when, otherwise). */
export function assertNumberCodeAllowed(log: NumberCodeLog | null, phone: string, nowMs: number): void {
  const sent = sentInWindow(log, nowMs);
  if (sent.length < PHONE_CODES_PER_NUMBER_WINDOW) return;
  throw new AppError('LIMIT_EXCEEDED', `${PHONE_CODES_PER_NUMBER_WINDOW} codes were texted to ${phone} in the last 24 hours, the most one number is sent`, {
    hint: `a new code can be asked for from ${new Date(Date.parse(sent[0]?.at ?? '') + PHONE_CODE_WINDOW_MS).toISOString()}`,
  });
}

/** The events of the log still inside the window at `nowMs`, oldest first. */
function inWindow(user: User, nowMs: number): PhoneCodeEvent[] {
  return (user.phoneCodeLog ?? []).filter((e) => Date.parse(e.at) > nowMs - PHONE_CODE_WINDOW_MS);
}

/** The account with one more event logged (and the ones past the window dropped, so the log stays small). */
export function logPhoneEvent(user: User, phone: string, event: PhoneCodeEvent['event'], nowMs: number): User {
  return { ...user, phoneCodeLog: [...inWindow(user, nowMs), { phone, at: new Date(nowMs).toISOString(), event }] };
}

/**
 * Whether a new code may be sent to `phone` for this account: not when PHONE_CODES_PER_WINDOW went
 * in the window, nor when the number's tries in the window are spent (LIMIT_EXCEEDED, with when).
 */
export function assertPhoneCodeAllowed(user: User, phone: string, nowMs: number): void {
  const events = inWindow(user, nowMs);
  const sent = events.filter((e) => e.event === 'sent');
  const wrong = events.filter((e) => e.event === 'wrong' && e.phone === phone);
  const refuse = (what: string, oldest: PhoneCodeEvent | undefined): AppError =>
    new AppError('LIMIT_EXCEEDED', what, {
      hint: `a new code can be asked for from ${new Date(Date.parse(oldest?.at ?? '') + PHONE_CODE_WINDOW_MS).toISOString()}`,
    });
  if (sent.length >= PHONE_CODES_PER_WINDOW)
    throw refuse(`${PHONE_CODES_PER_WINDOW} phone codes were sent for this account in the last 24 hours, the most there may be`, sent[0]);
  if (wrong.length >= PHONE_CODE_MAX_ATTEMPTS)
    throw refuse(
      `${PHONE_CODE_MAX_ATTEMPTS} wrong codes were typed for ${phone} in the last 24 hours: no new code for it until the first is a day old`,
      wrong[0],
    );
}

/** A new challenge for `phone`; the wrong codes typed for the number in the window still count. */
export function newPhoneChallenge(user: User, phone: string, code: string, nowMs: number): PhoneChallenge {
  const wrongAttempts = inWindow(user, nowMs).filter((e) => e.event === 'wrong' && e.phone === phone).length;
  return { phone, codeHash: phoneCodeHash(user.id, code), expiresAt: new Date(nowMs + PHONE_CODE_TTL_MS).toISOString(), wrongAttempts };
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
