// Opening and running accounts: register, activate, the profile, the first administrator and the
// testers' one-time codes. Passwords arrive hashed: hashing never runs under the store lock.

import {
  ACTIVATION_TTL_MS,
  activateAccount,
  checkActivationToken,
  createAccount,
  restartsRegistration,
  tokenRecord,
  type NewAccount,
} from '../domain/accounts.js';
import { activationMail, registrationAttemptMail } from '../domain/account-mails.js';
import { AppError } from '../domain/errors.js';
import type { Language } from '../domain/language.js';
import { sha256Hex } from '../domain/hashing.js';
import { holdAccount, userAccount } from '../domain/ledger.js';
import { assertIdentityEditable } from '../domain/kyc.js';
import type { User } from '../domain/state.js';
import type { Records } from '../store/records.js';
import type { RecordStore, RecordsTransaction } from '../store/store.js';
import { audit } from './audit.js';
import type { Actor } from './authenticate.js';
import { newId, newToken } from './ids.js';
import { currentChecked, withPasswordChecked, type PasswordCheck } from './passwords.js';
import type { AppDeps } from './ports.js';
import { pretendPhoneCode, sendPhoneCode } from './phone.js';
import type { NEED_OTP } from './second-factor.js';
import { passwordRefusal } from './sessions.js';
import { withStepUp, type Proof } from './step-up.js';
import { claimUnclaimedFor, type Claims } from './wallet.js';

export interface Registration {
  /** Normalised and validated by the caller. */
  readonly email: string;
  readonly phone: string | null;
  readonly country: string | null;
  readonly name: string | null;
  readonly language: Language | null;
  /** bcrypt hash of the password, made before the transaction. */
  readonly passwordHash: string;
}

/**
 * `register`: a pending account; the activation token goes out by mail. An email or phone number
 * that already has an account gets the answer a new one gets, and its owner is mailed instead, so
 * that register does not tell who has an account. A sign-up still pending starts over instead
 * (restartsRegistration): the new password, details and token replace the old ones, so that
 * whoever registered an address first cannot keep it from the mailbox's owner.
 */
export async function register(t: RecordsTransaction, deps: AppDeps, input: Registration): Promise<User> {
  const nowIso = deps.now().toISOString();
  const token = newToken(deps.random, 'act');
  const activation = tokenRecord(sha256Hex(token), deps.now().getTime(), ACTIVATION_TTL_MS);
  // The number is the account's only once verified: until then it waits beside it (phone.ts).
  const account: NewAccount = { ...input, phone: null, id: await freshUserId(t, deps), role: 'user', activation };
  const owner = await t.users.byEmail(input.email);
  if (owner && !restartsRegistration(owner)) {
    tellOwner(t, owner, input.email, nowIso);
    // Never stored: only what a new registration would answer.
    const unsaved = createAccount(account, nowIso, NO_EXISTING);
    return input.phone === null ? unsaved : pretendPhoneCode(deps, unsaved, input.phone);
  }
  const phoneOwner = input.phone === null ? null : await t.users.byPhone(input.phone);
  // A restart is a new account under a fresh id, so that the id `register --json` printed before
  // tells nobody the sign-up was still pending; the old record goes. Only a sign-up that something
  // already refers to by its id (tickets imported from the address) keeps it.
  const keepsId = owner !== null && (await referredTo(t, owner));
  if (owner && !keepsId) t.users.remove(owner.id);
  const user = createAccount({ ...account, id: keepsId && owner ? owner.id : account.id }, nowIso, NO_EXISTING);
  t.users.put(user);
  t.mail(activationMail(user, token), nowIso);
  if (owner) audit(t, nowIso, 'account.registration-restarted', user.id, user.id, { email: input.email, pendingSince: owner.createdAt, replaced: owner.id });
  else audit(t, nowIso, 'account.registered', user.id, user.id, { email: input.email });
  if (input.phone === null) return user;
  if (!phoneOwner || phoneOwner.id === user.id || phoneOwner.id === owner?.id) return sendPhoneCode(t, deps, user, input.phone);
  // The number stays with its owner, who is told; the answer is the one any new account gets.
  tellOwner(t, phoneOwner, input.phone, nowIso);
  return pretendPhoneCode(deps, user, input.phone);
}

const NO_EXISTING = { byEmail: null, byPhone: null } as const;

/**
 * Whether any record refers to a pending account by its id: a ticket (staff import mail from any
 * address with an account), a session, a payout method or payout, a journal entry or a balance. A
 * sign-up made by `register` has none of these until it is activated; one made otherwise (fixtures)
 * may.
 */
async function referredTo(t: RecordsTransaction, user: User): Promise<boolean> {
  const tickets = await t.tickets.ofCustomer(user.id, null, { limit: 1, offset: 0 });
  if (tickets.total > 0) return true;
  if ((await t.sessions.ofUser(user.id)).length > 0) return true;
  if ((await t.methods.ofUser(user.id)).length > 0 || (await t.withdrawals.ofUser(user.id)).length > 0) return true;
  if ((await t.journal.seqsOfUser(user.id)).length > 0) return true;
  for (const account of [userAccount(user.id), holdAccount(user.id)]) if (Object.keys(await t.balances.ofAccount(account)).length > 0) return true;
  return false;
}

function tellOwner(t: RecordsTransaction, owner: User, address: string, nowIso: string): void {
  t.mail(registrationAttemptMail(owner, address), nowIso);
  audit(t, nowIso, 'account.registration-attempt', null, owner.id, { taken: address === owner.email ? 'email' : 'phone' });
}

async function freshUserId(t: RecordsTransaction, deps: AppDeps): Promise<string> {
  const id = newId(deps.random, 'usr');
  // 60 random bits: a collision means the randomness is broken, not bad luck.
  if (await t.users.get(id)) throw new Error(`user id collision: ${id}`);
  return id;
}

export interface Activation {
  readonly token: string;
  /** The password chosen at registration: the token proves the mailbox, the password the sign-up. */
  readonly password: string;
}

export interface Activated extends Claims {
  readonly user: User;
}

/** The account an activation token is for, or INVALID_TOKEN: checked before the password is asked for. */
export async function activationTokenOwner(t: Records, deps: AppDeps, token: string): Promise<User> {
  const tokenHash = sha256Hex(token.trim());
  return checkActivationToken(await t.users.byToken('activation', tokenHash), tokenHash, deps.now().getTime());
}

/**
 * `activate TOKEN`: the account becomes active, and money sent to it before it existed lands, once
 * the password chosen at registration is given too (checked outside the store lock, passwords.ts):
 * whoever reads the mail cannot take over a sign-up someone else made with their address.
 */
export function activate(store: RecordStore, deps: AppDeps, activation: Activation): Promise<Activated> {
  const tokenHash = sha256Hex(activation.token.trim());
  const unlockToken = newToken(deps.random, 'unl');
  return withPasswordChecked(
    store,
    deps,
    activation.password,
    (t) => t.users.byToken('activation', tokenHash),
    (t, check) => completeActivation(t, deps, tokenHash, check, unlockToken),
  );
}

/**
 * The part of `activate` that runs in the transaction, with the password already checked against
 * the account as it was read: the token first (a wrong or expired one is answered as ever), then
 * the password, refused and counted like a wrong one at sign-in (passwordRefusal: the fifth in a
 * row locks the account); the refusal is committed, then thrown, and the token stays usable.
 */
export async function completeActivation(
  t: RecordsTransaction,
  deps: AppDeps,
  tokenHash: string,
  check: PasswordCheck,
  unlockToken: string,
): Promise<Activated> {
  const now = deps.now();
  const found = checkActivationToken(currentChecked(check, await t.users.byToken('activation', tokenHash)), tokenHash, now.getTime());
  const refusal = await passwordRefusal(t, now.getTime(), found, check.ok, unlockToken, { type: 'activation.failure', wrong: wrongRegistrationPassword });
  if (refusal) {
    t.failAfterCommit(refusal);
    return { user: found, claimed: [], stillWaiting: [] };
  }
  const user = activateAccount(found, now.getTime());
  t.users.put(user);
  audit(t, now.toISOString(), 'account.activated', user.id, user.id);
  return { user, ...(await claimUnclaimedFor(t, deps, user)) };
}

const wrongRegistrationPassword = (): AppError =>
  new AppError('BAD_CREDENTIALS', 'the password is not the one this account was registered with', {
    hint: 'type the password you chose at `okpay register`; did not register, or forgot it? `okpay register --email …` again starts the sign-up over',
  });

/** `activate --resend`: a new token for a pending account; nothing (and no sign of it) otherwise. */
export async function resendActivation(t: RecordsTransaction, deps: AppDeps, email: string): Promise<void> {
  const user = await t.users.byEmail(email);
  if (!user || user.status !== 'pending') return;
  const now = deps.now();
  const token = newToken(deps.random, 'act');
  const updated: User = { ...user, activation: tokenRecord(sha256Hex(token), now.getTime(), ACTIVATION_TTL_MS) };
  t.users.put(updated);
  t.mail(activationMail(updated, token), now.toISOString());
  audit(t, now.toISOString(), 'account.activation-resent', null, user.id);
}

export type ProfileChanges = Partial<Pick<User, 'phone' | 'idNumberMasked' | 'name' | 'country' | 'language' | 'antiPhishingPhrase'>>;

/** `profile set`: validated changes; a new phone number is sent a code and counts once verified. */
export async function updateProfile(t: RecordsTransaction, deps: AppDeps, actor: Actor, changes: ProfileChanges): Promise<User> {
  const me = actor.user;
  assertIdentityEditable(me, changes);
  const { phone, ...others } = changes;
  const changed: User = { ...me, ...others };
  const updated = phone ? await sendPhoneCode(t, deps, changed, phone) : changed;
  t.users.put(updated);
  audit(t, deps.now().toISOString(), 'profile.updated', me.id, me.id, { fields: Object.keys(changes).join(',') });
  return updated;
}

/**
 * Profile fields a session alone may not change: a phone number receives money sent to it, the
 * anti-phishing phrase is what tells the owner a genuine mail from a forged one, and the country
 * sets a transfer's fee (domestic or cross-border).
 */
export const STEP_UP_FIELDS: readonly (keyof ProfileChanges)[] = ['phone', 'antiPhishingPhrase', 'country'];

/** `profile set` with a field of STEP_UP_FIELDS: the password and, when 2FA is on, a code. */
export function updateProfileSteppedUp(store: RecordStore, deps: AppDeps, proof: Proof, changes: ProfileChanges): Promise<User | typeof NEED_OTP> {
  return withStepUp(store, deps, { ...proof, action: 'profile.change' }, (t, actor) => updateProfile(t, deps, actor, changes));
}

/** `admin init`: the first administrator, active at once; refused once there is one. */
export async function initAdmin(t: RecordsTransaction, deps: AppDeps, input: { email: string; name: string | null; passwordHash: string }): Promise<User> {
  if ((await t.users.staff()).some((u) => u.role === 'admin')) {
    throw new AppError('ALREADY_EXISTS', 'this store already has an administrator', { hint: 'sign in as that administrator to manage the store' });
  }
  const nowIso = deps.now().toISOString();
  const fields = {
    email: input.email,
    phone: null,
    country: null,
    name: input.name,
    language: null,
    passwordHash: input.passwordHash,
    role: 'admin' as const,
    activation: null,
  };
  const user = createAccount({ ...fields, id: await freshUserId(t, deps) }, nowIso, { byEmail: await t.users.byEmail(input.email), byPhone: null });
  t.users.put(user);
  audit(t, nowIso, 'admin.initialised', user.id, user.id, { email: input.email });
  return user;
}

/** `dev otp`: the current code of a 2FA user, only in a test store (made by fixtures). */
export async function currentOtp(t: Records, deps: AppDeps, email: string): Promise<{ code: string; validForSeconds: number; confirmed: boolean }> {
  if (!t.meta.get().testStore)
    throw new AppError('FORBIDDEN', '`okpay dev otp` works only in a test store (one made by `okpay dev init`, `fixtures load` or `fixtures generate`)');
  const user = await t.users.byEmail(email);
  if (!user) throw new AppError('USER_NOT_FOUND', `no account uses ${email}`);
  // A setup waiting for `2fa confirm` has its code too, so a tester can finish it as a person would.
  const secret = user.twoFactor.enabled ? user.twoFactor.secret : user.twoFactor.pendingSecret;
  if (!secret) throw new AppError('INVALID_TRANSITION', `${email} has no two-step verification`, { hint: 'start one with `okpay 2fa enable`' });
  const nowMs = deps.now().getTime();
  return { code: deps.totp.generate(secret, nowMs), validForSeconds: 30 - (Math.floor(nowMs / 1000) % 30), confirmed: user.twoFactor.enabled };
}
