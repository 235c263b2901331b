// The account use-cases against the memory store: what each one changes, refuses and mails.

import { describe, expect, it } from 'vitest';
import { generateSync } from 'otplib';
import { activate, currentOtp, initAdmin, register, updateProfile } from '../../src/app/accounts.js';
import { authenticate, type Actor } from '../../src/app/authenticate.js';
import { changePassword, requestPasswordReset, resetPassword } from '../../src/app/credentials.js';
import { decideDocument, kycStatus, submitDocument } from '../../src/app/kyc.js';
import { verifyPhone } from '../../src/app/phone.js';
import { lockSelf, login, logout, unlockSelf, type SignedIn } from '../../src/app/sessions.js';
import { confirmTwoFactorCode, disableTwoFactorWith, enableTwoFactor } from '../../src/app/two-factor.js';
import { NEED_OTP } from '../../src/app/second-factor.js';
import { MAX_FAILED_SIGN_INS } from '../../src/domain/accounts.js';
import { sha256Hex } from '../../src/domain/hashing.js';
import type { MemoryRecordStore } from '../../src/store/memory-record-store.js';
import { testDeps, testStore, type TestDeps } from '../support/account-deps.js';
import { AppError } from '../../src/domain/errors.js';
import { PASSWORD } from '../support/outcome.js';
import { adjustment } from '../support/adjustment.js';
import { userAccount } from '../../src/domain/ledger.js';

const ADA = 'ada@example.com';

/** The AppError a use-case rejects with; anything else is rethrown, and success fails the test. */
async function appErrorOf(action: () => Promise<unknown>): Promise<AppError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}
const BOB = 'bob@example.com';

/** A token of the form `<prefix>_…` in the newest mail of a kind to an address. */
function tokenIn(store: MemoryRecordStore, to: string, kind: string, prefix: string): string {
  const mail = store.mails.filter((m) => m.to === to && m.kind === kind).pop();
  const match = mail ? new RegExp(`\\b(${prefix}_[A-Za-z0-9_-]+)`).exec(mail.text) : null;
  if (!match?.[1]) throw new Error(`no ${prefix} token in a ${kind} mail to ${to}`);
  return match[1];
}

/** The six digits of the newest text message to a phone number. */
function codeTexted(store: MemoryRecordStore, phone: string): string {
  const text = store.mails.filter((m) => m.to === phone && m.kind === 'text-message').pop();
  return /\b(\d{6})\b/.exec(text?.text ?? '')?.[1] ?? '';
}

/** Registered and activated; a phone number given is verified with the code texted to it. */
async function registered(store: MemoryRecordStore, deps: TestDeps, email: string, phone: string | null = null): Promise<void> {
  const passwordHash = await deps.passwords.hash(PASSWORD);
  await store.transaction((t) => register(t, deps, { email, phone, country: 'GB', name: null, language: null, passwordHash }));
  await activate(store, deps, { token: tokenIn(store, email, 'activation', 'act'), password: PASSWORD });
  if (phone === null) return;
  const actor = await actorOf(store, deps, (await signIn(store, deps, email)).token);
  await store.transaction((t) => verifyPhone(t, deps, actor, codeTexted(store, phone)));
}

async function signIn(store: MemoryRecordStore, deps: TestDeps, email: string, otp?: string): Promise<SignedIn> {
  const result = await login(store, deps, { email, password: PASSWORD, otp });
  if (result === NEED_OTP) throw new Error('a code was needed');
  return result;
}

function actorOf(store: MemoryRecordStore, deps: TestDeps, token: string): Promise<Actor> {
  return store.read((t) => authenticate(t, deps.now().getTime(), token));
}

describe('register and activate', () => {
  it('creates a pending account, mails the token, and activation makes it active', async () => {
    const store = testStore();
    const deps = testDeps();
    const passwordHash = await deps.passwords.hash(PASSWORD);
    const user = await store.transaction((t) =>
      register(t, deps, { email: ADA, phone: '+442079460958', country: 'GB', name: 'Ada', language: 'en', passwordHash }),
    );
    // The number waits for the code texted to it: it is not the account's yet.
    expect(user).toMatchObject({
      email: ADA,
      status: 'pending',
      role: 'user',
      passwordHash,
      phone: null,
      phoneChallenge: { phone: '+442079460958', wrongAttempts: 0 },
    });
    const { user: active, claimed } = await activate(store, deps, { token: tokenIn(store, ADA, 'activation', 'act'), password: PASSWORD });
    expect(active.status).toBe('active');
    expect(claimed).toEqual([]);
    expect(await store.read((t) => t.users.byPhone('+442079460958'))).toBeNull();
    const actor = await actorOf(store, deps, (await signIn(store, deps, ADA)).token);
    await store.transaction((t) => verifyPhone(t, deps, actor, codeTexted(store, '+442079460958')));
    expect(await store.read((t) => t.users.byPhone('+442079460958'))).toMatchObject({ id: user.id, status: 'active', phoneChallenge: null });
  });

  it('answers a taken email or phone as a new one: nothing of the owner changes, and the owner is mailed', async () => {
    const store = testStore();
    const deps = testDeps();
    await registered(store, deps, ADA, '+442079460958');
    const ada = await store.read((t) => t.users.byEmail(ADA));
    const attempt = (email: string, phone: string | null) =>
      store.transaction((t) => register(t, deps, { email, phone, country: null, name: null, language: null, passwordHash: 'x' }));
    expect(await attempt(ADA, null)).toMatchObject({ email: ADA, status: 'pending' });
    expect(await store.read((t) => t.users.count())).toBe(1);
    expect(await store.read((t) => t.users.byEmail(ADA))).toEqual(ada);
    const texts = () => store.mails.filter((m) => m.to === '+442079460958').length;
    const textsBefore = texts();
    // Answered as any sign-up with a number is (a code on its way), yet nothing is sent to it.
    expect(await attempt(BOB, '+442079460958')).toMatchObject({ email: BOB, phone: null, phoneChallenge: { phone: '+442079460958' } });
    const bob = await store.read((t) => t.users.byEmail(BOB));
    expect(bob?.phone).toBeNull();
    expect(bob?.phoneChallenge ?? null).toBeNull();
    expect(texts()).toBe(textsBefore);
    expect(await store.read((t) => t.users.byPhone('+442079460958'))).toEqual(ada);
    expect(store.mails.filter((m) => m.to === ADA && m.kind === 'registration-attempt')).toHaveLength(2);
  });

  it('activation needs the password chosen at registration: a wrong one is counted, changes nothing else, and the token still works', async () => {
    const store = testStore();
    const deps = testDeps();
    const passwordHash = await deps.passwords.hash(PASSWORD);
    await store.transaction((t) => register(t, deps, { email: ADA, phone: null, country: 'GB', name: null, language: null, passwordHash }));
    const token = tokenIn(store, ADA, 'activation', 'act');
    const wrong = await appErrorOf(() => activate(store, deps, { token, password: 'Not-the-one-1!' }));
    expect(wrong.code).toBe('BAD_CREDENTIALS');
    expect(await store.read((t) => t.users.byEmail(ADA))).toMatchObject({ status: 'pending', failedLogins: 1, passwordHash });
    const { user } = await activate(store, deps, { token, password: PASSWORD });
    expect(user).toMatchObject({ status: 'active', failedLogins: 0, activation: null });
  });

  it('register of a pending address starts it over; one held by support keeps today’s answer and mails the owner', async () => {
    const store = testStore();
    const deps = testDeps();
    const signUp = async (password: string, phone: string | null, name: string) =>
      store.transaction(async (t) =>
        register(t, deps, { email: ADA, phone, country: 'GB', name, language: null, passwordHash: await deps.passwords.hash(password) }),
      );
    const first = await signUp('Attacker-pass-9!', '+442079460958', 'Mallory');
    const firstToken = tokenIn(store, ADA, 'activation', 'act');
    deps.advance(60_000);
    const again = await signUp(PASSWORD, null, 'Ada');
    // A fresh id: the one the first sign-up was told says nothing about the address now.
    expect(again).toMatchObject({ name: 'Ada', createdAt: deps.now().toISOString(), failedLogins: 0 });
    expect(again.id).not.toBe(first.id);
    expect(await store.read((t) => t.users.get(first.id))).toBeNull();
    expect(first.phoneChallenge?.phone).toBe('+442079460958');
    // The number the first sign-up was waiting to verify is no longer waited for.
    expect((await store.read((t) => t.users.byEmail(ADA)))?.phoneChallenge ?? null).toBeNull();
    expect(await store.read((t) => t.users.count())).toBe(1);
    expect((await appErrorOf(() => activate(store, deps, { token: firstToken, password: 'Attacker-pass-9!' }))).code).toBe('INVALID_TOKEN');
    expect(store.auditEntries.find((e) => e.event.type === 'account.registration-restarted')?.event).toMatchObject({
      subject: again.id,
      details: { replaced: first.id },
    });

    const held = { ...again, lock: { reason: 'agent' as const, note: 'review', at: deps.now().toISOString(), by: null } };
    await store.transaction(async (t) => t.users.put(held));
    const heldToken = tokenIn(store, ADA, 'activation', 'act');
    await signUp('Another-pass-7!', null, 'Eve');
    expect(await store.read((t) => t.users.byEmail(ADA))).toEqual(held);
    expect(store.mails.filter((m) => m.to === ADA && m.kind === 'registration-attempt')).toHaveLength(1);
    expect((await appErrorOf(() => activate(store, deps, { token: heldToken, password: PASSWORD }))).code).toBe('ACCOUNT_LOCKED');
  });

  it('a pending sign-up that something already refers to by its id (here a balance) keeps its id when started over', async () => {
    const store = testStore();
    const deps = testDeps();
    const signUp = async (password: string) =>
      store.transaction(async (t) =>
        register(t, deps, { email: ADA, phone: null, country: 'GB', name: null, language: null, passwordHash: await deps.passwords.hash(password) }),
      );
    const first = await signUp('Attacker-pass-9!');
    await store.transaction(async (t) => void (await t.post(adjustment(userAccount(first.id), 500, deps.now().toISOString()))));
    const again = await signUp(PASSWORD);
    expect(again.id).toBe(first.id);
    expect(await store.read((t) => t.users.count())).toBe(1);
  });

  it('refuses an activation token twice', async () => {
    const store = testStore();
    const deps = testDeps();
    await registered(store, deps, ADA);
    const again = await appErrorOf(() => activate(store, deps, { token: tokenIn(store, ADA, 'activation', 'act'), password: PASSWORD }));
    expect(again.code).toBe('INVALID_TOKEN');
  });
});

describe('login, sessions and locks', () => {
  it('opens a session whose token authenticates, and logout ends it', async () => {
    const store = testStore();
    const deps = testDeps();
    await registered(store, deps, ADA);
    const signed = await signIn(store, deps, ADA);
    expect(signed).toMatchObject({ firstSignIn: true, recoveryCodesLeft: null });
    expect((await actorOf(store, deps, signed.token)).user.email).toBe(ADA);
    expect(await store.transaction((t) => logout(t, deps, signed.token))).toBe(true);
    expect((await appErrorOf(() => actorOf(store, deps, signed.token))).code).toBe('SESSION_EXPIRED');
  });

  it('answers an unknown email like a wrong password, and counts only the wrong password', async () => {
    const store = testStore();
    const deps = testDeps();
    await registered(store, deps, ADA);
    const unknown = await appErrorOf(() => login(store, deps, { email: BOB, password: PASSWORD, otp: undefined }));
    const wrong = await appErrorOf(() => login(store, deps, { email: ADA, password: 'Wrong-password-1', otp: undefined }));
    expect([unknown.code, unknown.message]).toEqual([wrong.code, wrong.message]);
    expect((await store.read((t) => t.users.byEmail(ADA)))?.failedLogins).toBe(1);
  });

  it('locks at the fifth wrong password, ends that account’s sessions only, and the mailed token unlocks it', async () => {
    const store = testStore();
    const deps = testDeps();
    await registered(store, deps, ADA);
    await registered(store, deps, BOB);
    const ada = await signIn(store, deps, ADA);
    const bob = await signIn(store, deps, BOB);
    for (let i = 0; i < MAX_FAILED_SIGN_INS; i += 1) {
      expect((await appErrorOf(() => login(store, deps, { email: ADA, password: 'Wrong-password-1', otp: undefined }))).code).toBe('BAD_CREDENTIALS');
    }
    expect((await appErrorOf(() => actorOf(store, deps, ada.token))).code).toBe('ACCOUNT_LOCKED');
    expect((await actorOf(store, deps, bob.token)).user.email).toBe(BOB);
    expect((await appErrorOf(() => signIn(store, deps, ADA))).code).toBe('ACCOUNT_LOCKED');
    const withoutToken = await appErrorOf(() => unlockSelf(store, deps, { email: ADA, password: PASSWORD, otp: undefined, unlockToken: undefined }));
    expect(withoutToken.code).toBe('INVALID_TOKEN');
    const unlockToken = tokenIn(store, ADA, 'account-locked', 'unl');
    const unlocked = await unlockSelf(store, deps, { email: ADA, password: PASSWORD, otp: undefined, unlockToken });
    expect(unlocked).toMatchObject({ lock: null, failedLogins: 0, unlockToken: null });
    expect(await store.read((t) => t.sessions.ofUser(ada.user.id))).toEqual([]);
    await signIn(store, deps, ADA);
  });

  it('a self-lock ends every session; only the password unlocks it', async () => {
    const store = testStore();
    const deps = testDeps();
    await registered(store, deps, ADA);
    const signed = await signIn(store, deps, ADA);
    const locked = await store.transaction(async (t) => lockSelf(t, deps, await authenticate(t, deps.now().getTime(), signed.token), 'lost phone'));
    expect(locked.lock).toMatchObject({ reason: 'self', note: 'lost phone' });
    expect((await appErrorOf(() => actorOf(store, deps, signed.token))).code).toBe('ACCOUNT_LOCKED');
    const wrong = await appErrorOf(() => unlockSelf(store, deps, { email: ADA, password: 'Wrong-password-1', otp: undefined, unlockToken: undefined }));
    expect(wrong.code).toBe('BAD_CREDENTIALS');
    expect(await unlockSelf(store, deps, { email: ADA, password: PASSWORD, otp: undefined, unlockToken: undefined })).toMatchObject({ lock: null });
  });
});

describe('two-step verification', () => {
  it('turns on with a code, then sign-in needs a code once, and turning off needs the password and a code', async () => {
    const store = testStore();
    const deps = testDeps();
    await registered(store, deps, ADA);
    const first = await signIn(store, deps, ADA);
    const other = await signIn(store, deps, ADA);
    const proof = { token: first.token, password: PASSWORD, otp: undefined };
    const enrolment = await enableTwoFactor(store, deps, proof);
    if (enrolment === NEED_OTP) throw new Error('2FA is off: no code is needed to turn it on');
    expect(enrolment.recoveryCodes).toHaveLength(10);
    const code = () => generateSync({ secret: enrolment.secret, epoch: Math.floor(deps.now().getTime() / 1000) });
    await confirmTwoFactorCode(store, deps, proof, code());
    expect((await appErrorOf(() => actorOf(store, deps, other.token))).code).toBe('SESSION_EXPIRED');
    expect(await login(store, deps, { email: ADA, password: PASSWORD, otp: undefined })).toBe(NEED_OTP);
    deps.advance(30_000);
    const withCode = code();
    await signIn(store, deps, ADA, withCode);
    expect((await appErrorOf(() => signIn(store, deps, ADA, withCode))).code).toBe('BAD_OTP');
    expect((await appErrorOf(() => disableTwoFactorWith(store, deps, { ...proof, password: 'Wrong-password-1' }))).code).toBe('BAD_CREDENTIALS');
    expect(await disableTwoFactorWith(store, deps, proof)).toBe(NEED_OTP);
    const off = await disableTwoFactorWith(store, deps, { ...proof, otp: enrolment.recoveryCodes[0] });
    expect(off).toMatchObject({ twoFactor: { enabled: false } });
  });
});

describe('passwords', () => {
  it('a change needs the current password and ends the other sessions; a reset token works once and ends them all', async () => {
    const store = testStore();
    const deps = testDeps();
    await registered(store, deps, ADA);
    const mine = await signIn(store, deps, ADA);
    const other = await signIn(store, deps, ADA);
    const newHash = await deps.passwords.hash('Another-password-7!');
    const wrong = await appErrorOf(() => changePassword(store, deps, mine.token, { current: 'Wrong-password-1', newHash, otp: undefined }));
    expect(wrong.code).toBe('BAD_CREDENTIALS');
    expect(await changePassword(store, deps, mine.token, { current: PASSWORD, newHash, otp: undefined })).toMatchObject({ passwordHash: newHash });
    expect((await actorOf(store, deps, mine.token)).user.email).toBe(ADA);
    expect((await appErrorOf(() => actorOf(store, deps, other.token))).code).toBe('SESSION_EXPIRED');
    await store.transaction((t) => requestPasswordReset(t, deps, ADA));
    await store.transaction((t) => requestPasswordReset(t, deps, BOB));
    expect(store.mails.filter((m) => m.kind === 'password-reset').map((m) => m.to)).toEqual([ADA]);
    const token = tokenIn(store, ADA, 'password-reset', 'rst');
    const oldHash = await deps.passwords.hash(PASSWORD);
    await store.transaction((t) => resetPassword(t, deps, token, oldHash));
    expect((await appErrorOf(() => actorOf(store, deps, mine.token))).code).toBe('SESSION_EXPIRED');
    expect((await appErrorOf(() => store.transaction((t) => resetPassword(t, deps, token, newHash)))).code).toBe('INVALID_TOKEN');
    await signIn(store, deps, ADA);
  });
});

describe('profile, KYC, administrators and testers', () => {
  it('a phone number belongs to one account', async () => {
    const store = testStore();
    const deps = testDeps();
    await registered(store, deps, ADA, '+442079460958');
    await registered(store, deps, BOB);
    const bob = await actorOf(store, deps, (await signIn(store, deps, BOB)).token);
    const taken = await appErrorOf(() => store.transaction((t) => updateProfile(t, deps, bob, { phone: '+442079460958' })));
    expect(taken.code).toBe('ALREADY_EXISTS');
    expect(await store.transaction((t) => updateProfile(t, deps, bob, { name: 'Bob', antiPhishingPhrase: 'blue heron' }))).toMatchObject({
      name: 'Bob',
      antiPhishingPhrase: 'blue heron',
    });
  });

  it('KYC: submitted once, decided by someone else, mailed, and the limits follow', async () => {
    const store = testStore();
    const deps = testDeps();
    await registered(store, deps, ADA);
    await registered(store, deps, BOB);
    const adaToken = (await signIn(store, deps, ADA)).token;
    const ada = await actorOf(store, deps, adaToken);
    const bob = await actorOf(store, deps, (await signIn(store, deps, BOB)).token);
    const before = await store.read((t) => kycStatus(t, deps, ada));
    await store.transaction((t) => submitDocument(t, deps, ada, { type: 'passport', masked: '•••• 4567' }));
    expect((await appErrorOf(() => store.transaction((t) => decideDocument(t, deps, ada, ADA, 'approve', null)))).code).toBe('FORBIDDEN');
    expect((await appErrorOf(() => store.transaction((t) => decideDocument(t, deps, bob, ADA, 'reject', null)))).code).toBe('USAGE');
    await store.transaction((t) => decideDocument(t, deps, bob, ADA, 'approve', null));
    expect(store.mails.filter((m) => m.to === ADA && m.kind === 'kyc-approved')).toHaveLength(1);
    const after = await store.read(async (t) => kycStatus(t, deps, await authenticate(t, deps.now().getTime(), adaToken)));
    expect(after.user.kyc.status).toBe('approved');
    expect(after.allowance.perTransactionMinor).toBeGreaterThan(before.allowance.perTransactionMinor);
  });

  it('admin init works once; dev otp only in a test store', async () => {
    const store = testStore();
    const deps = testDeps();
    await store.transaction((t) => initAdmin(t, deps, { email: 'ops@example.com', name: null, passwordHash: 'x' }));
    const again = await appErrorOf(() => store.transaction((t) => initAdmin(t, deps, { email: 'ops2@example.com', name: null, passwordHash: 'x' })));
    expect(again.code).toBe('ALREADY_EXISTS');
    expect((await appErrorOf(() => store.read((t) => currentOtp(t, deps, 'ops@example.com')))).code).toBe('FORBIDDEN');
  });
});

describe('sessions are stored by hash', () => {
  it('never stores the bearer token itself', async () => {
    const store = testStore();
    const deps = testDeps();
    await registered(store, deps, ADA);
    const signed = await signIn(store, deps, ADA);
    const hashes = await store.read((t) => t.sessions.ofUser(signed.user.id));
    expect(hashes).toEqual([sha256Hex(signed.token)]);
  });
});
