// Verifying a phone number: a one-time code goes to the number as a text message (at sign-up or
// `profile set --phone`), and `profile verify-phone CODE` makes the number the account's, after
// which money that waited for it lands. Wrong codes are counted and committed before the refusal.

import { AppError } from '../domain/errors.js';
import {
  assertNumberCodeAllowed,
  assertPhoneCodeAllowed,
  assertPhoneFree,
  checkPhoneCode,
  logNumberCode,
  logPhoneEvent,
  newPhoneChallenge,
  phoneCodeText,
} from '../domain/phone-verification.js';
import type { User } from '../domain/state.js';
import type { RecordsTransaction } from '../store/store.js';
import { audit } from './audit.js';
import type { Actor } from './authenticate.js';
import type { AppDeps, Random } from './ports.js';
import { claimUnclaimedFor, type Claims } from './wallet.js';

/** Six decimal digits, uniformly: draws past the last whole million of 2^32 are drawn again. */
function newPhoneCode(random: Random): string {
  for (;;) {
    const value = random.bytes(4).readUInt32BE(0);
    if (value < 4_294_000_000) return String(value % 1_000_000).padStart(6, '0');
  }
}

/**
 * Sends a code to `phone` for `user` and keeps the number waiting beside the account (replacing
 * any earlier one); the account's verified number, if any, stays until the new one is verified.
 */
export async function sendPhoneCode(t: RecordsTransaction, deps: AppDeps, user: User, phone: string): Promise<User> {
  assertPhoneFree(phone, await t.users.byPhone(phone), user);
  if (user.phone === phone) return user;
  const now = deps.now();
  assertPhoneCodeAllowed(user, phone, now.getTime());
  // The number's own bound, whichever accounts ask (the account's above holds for every number).
  const numberLog = await t.phoneCodes.get(phone);
  assertNumberCodeAllowed(numberLog, phone, now.getTime());
  const { updated, code } = challenged(deps, logPhoneEvent(user, phone, 'sent', now.getTime()), phone);
  t.users.put(updated);
  t.phoneCodes.put(phone, logNumberCode(numberLog, user.id, now.getTime()));
  t.mail(phoneCodeText(updated, phone, code), now.toISOString());
  audit(t, now.toISOString(), 'phone.code-sent', user.id, user.id, { phone });
  return updated;
}

/**
 * The account as `sendPhoneCode` would answer, with nothing stored or sent: for a registration
 * that must not show that the number already belongs to someone.
 */
export function pretendPhoneCode(deps: AppDeps, user: User, phone: string): User {
  return challenged(deps, user, phone).updated;
}

function challenged(deps: AppDeps, user: User, phone: string): { updated: User; code: string } {
  const code = newPhoneCode(deps.random);
  return { updated: { ...user, phoneChallenge: newPhoneChallenge(user, phone, code, deps.now().getTime()) }, code };
}

/** `profile verify-phone CODE`: the number becomes the account's and the money waiting for it lands. */
export async function verifyPhone(t: RecordsTransaction, deps: AppDeps, actor: Actor, code: string): Promise<{ user: User } & Claims> {
  const me = actor.user;
  const now = deps.now();
  const check = checkPhoneCode(me, me.phoneChallenge ?? null, code, now.getTime());
  if (check.kind === 'wrong') {
    t.users.put({ ...logPhoneEvent(me, me.phoneChallenge?.phone ?? '', 'wrong', now.getTime()), phoneChallenge: check.challenge });
    audit(t, now.toISOString(), 'phone.code-wrong', me.id, me.id, { phone: me.phoneChallenge?.phone ?? null, codeVoid: check.challenge === null });
    t.failAfterCommit(
      new AppError('BAD_OTP', check.message, {
        hint: check.challenge === null ? 'run `okpay profile set --phone NUMBER` again for a new code' : 'type the six digits of the latest text message',
      }),
    );
    return { user: me, claimed: [], stillWaiting: [] };
  }
  assertPhoneFree(check.phone, await t.users.byPhone(check.phone), me);
  const updated: User = { ...me, phone: check.phone, phoneChallenge: null };
  t.users.put(updated);
  audit(t, now.toISOString(), 'phone.verified', me.id, me.id, { phone: check.phone, replaced: me.phone });
  return { user: updated, ...(await claimUnclaimedFor(t, deps, updated)) };
}
