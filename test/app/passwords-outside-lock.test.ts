// Password checks run outside the store transaction: while one is under way, other commands
// commit; and a check made against an account that changed meanwhile is made again.

import { describe, expect, it } from 'vitest';
import { activate, register } from '../../src/app/accounts.js';
import { changePassword } from '../../src/app/credentials.js';
import type { PasswordHasher } from '../../src/app/ports.js';
import { countFailedSignIn, login } from '../../src/app/sessions.js';
import { NEED_OTP } from '../../src/app/second-factor.js';
import { bcryptHasher } from '../../src/cli/auth-adapters.js';
import { AppError } from '../../src/domain/errors.js';
import { userAccount } from '../../src/domain/ledger.js';
import { findCurrency } from '../../src/domain/money.js';
import { planDeposit } from '../../src/domain/wallet.js';
import type { MemoryRecordStore } from '../../src/store/memory-record-store.js';
import { testDeps, testStore, type TestDeps } from '../support/account-deps.js';
import { PASSWORD } from '../support/outcome.js';

const ADA = 'ada@example.com';
const BOB = 'bob@example.com';

/** bcrypt, with a hook run in the middle of every `verify` (as if the comparison took that long). */
function hasherWithHook(hook: () => Promise<void>): PasswordHasher & { verifications: number } {
  const real = bcryptHasher(4);
  const hasher = {
    verifications: 0,
    hash: real.hash,
    verifyNothing: real.verifyNothing,
    verify: async (password: string, hash: string) => {
      hasher.verifications += 1;
      await hook();
      return real.verify(password, hash);
    },
  };
  return hasher;
}

/** Another user's payment: a deposit of 50.00 USD to bob, in a transaction of its own. */
async function payBob(store: MemoryRecordStore, deps: TestDeps): Promise<void> {
  const usd = findCurrency(deps.ref.currencies, 'USD');
  await store.transaction(async (t) => {
    const bob = await t.users.byEmail(BOB);
    if (!bob) throw new Error('no bob');
    await t.post(planDeposit(bob, 5_000, usd, 'bank', deps.now().toISOString()));
  });
}

function activationToken(store: MemoryRecordStore, email: string): string {
  const mail = store.mails.filter((m) => m.to === email && m.kind === 'activation').pop();
  return /\b(act_[A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1] ?? '';
}

async function registered(store: MemoryRecordStore, deps: TestDeps, email: string): Promise<void> {
  const passwordHash = await bcryptHasher(4).hash(PASSWORD);
  await store.transaction((t) => register(t, deps, { email, phone: null, country: 'GB', name: null, language: null, passwordHash }));
  await activate(store, deps, { token: activationToken(store, email), password: PASSWORD });
}

describe('password checks and the store lock', () => {
  // Memory-store transactions run one at a time, like the file lock. If a sign-in held its
  // transaction open while comparing the password, the deposit started inside the comparison
  // would wait for it, and the comparison for the deposit: the test would time out.
  it('another user’s payment commits while a sign-in compares the password', { timeout: 10_000 }, async () => {
    const store = testStore();
    const events: string[] = [];
    let hook = async (): Promise<void> => undefined;
    const deps = testDeps(hasherWithHook(() => hook()));
    await registered(store, deps, ADA);
    await registered(store, deps, BOB);
    hook = async () => {
      events.push('comparing');
      await payBob(store, deps);
      events.push('payment committed');
    };
    const signed = await login(store, deps, { email: ADA, password: PASSWORD, otp: undefined });
    events.push('signed in');
    expect(signed).not.toBe(NEED_OTP);
    expect(events).toEqual(['comparing', 'payment committed', 'signed in']);
    const bobId = (await store.read((t) => t.users.byEmail(BOB)))?.id ?? '';
    expect(await store.read((t) => t.balances.get(userAccount(bobId), 'USD'))).toBe(5_000);
  });

  it('an activation compares the password outside the transaction; a sign-up started over meanwhile voids its token', { timeout: 10_000 }, async () => {
    const store = testStore();
    const events: string[] = [];
    let hook = async (): Promise<void> => undefined;
    const deps = testDeps(hasherWithHook(() => hook()));
    await registered(store, deps, BOB);
    const signUp = (passwordHash: string) =>
      store.transaction((t) => register(t, deps, { email: ADA, phone: null, country: 'GB', name: null, language: null, passwordHash }));
    await signUp(await bcryptHasher(4).hash(PASSWORD));
    const first = activationToken(store, ADA);
    hook = async () => {
      hook = async () => undefined;
      events.push('comparing');
      await payBob(store, deps);
      events.push('payment committed');
      // The address's owner registers again while this activation compares the first password.
      await signUp(await bcryptHasher(4).hash('Owners-password-8!'));
    };
    const refused = await activate(store, deps, { token: first, password: PASSWORD }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(events).toEqual(['comparing', 'payment committed']);
    expect((refused as AppError).code).toBe('INVALID_TOKEN');
    expect((await store.read((t) => t.users.byEmail(ADA)))?.status).toBe('pending');
    const { user } = await activate(store, deps, { token: activationToken(store, ADA), password: 'Owners-password-8!' });
    expect(user.status).toBe('active');
  });

  it('checks again when the password changed during the check, and the old one then fails', { timeout: 10_000 }, async () => {
    const store = testStore();
    let hook = async (): Promise<void> => undefined;
    const hasher = hasherWithHook(() => hook());
    const deps = testDeps(hasher);
    await registered(store, deps, ADA);
    const signed = await login(store, deps, { email: ADA, password: PASSWORD, otp: undefined });
    if (signed === NEED_OTP) throw new Error('a code was needed');
    const newHash = await bcryptHasher(4).hash('Another-password-7!');
    hook = async () => {
      hook = async () => undefined;
      // The person changes the password in another window while this sign-in compares the old one.
      await changePassword(store, deps, signed.token, { current: PASSWORD, newHash, otp: undefined });
    };
    const before = hasher.verifications;
    const refused = await login(store, deps, { email: ADA, password: PASSWORD, otp: undefined }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('BAD_CREDENTIALS');
    // The sign-in's own check, the change's check inside it, and the sign-in's check again.
    expect(hasher.verifications - before).toBe(3);
    expect((await store.read((t) => t.users.byEmail(ADA)))?.failedLogins).toBe(1);
  });

  it('a failed sign-in counted during the check does not make it stale: no second check, the right password signs in', { timeout: 10_000 }, async () => {
    const store = testStore();
    let hook = async (): Promise<void> => undefined;
    const hasher = hasherWithHook(() => hook());
    const deps = testDeps(hasher);
    await registered(store, deps, ADA);
    hook = async () => {
      // Three other sign-ins with a wrong code (or password) are counted while this one compares.
      for (let i = 0; i < 3; i += 1) {
        await store.transaction(async (t) => {
          const ada = await t.users.byEmail(ADA);
          if (!ada) throw new Error('no ada');
          await countFailedSignIn(t, deps.now().getTime(), ada, `unl_other_${i}`, null);
        });
      }
    };
    const before = hasher.verifications;
    const signed = await login(store, deps, { email: ADA, password: PASSWORD, otp: undefined });
    expect(signed).not.toBe(NEED_OTP);
    expect(hasher.verifications - before).toBe(1);
    expect((await store.read((t) => t.users.byEmail(ADA)))?.failedLogins).toBe(0);
  });

  it('a password changed during every check is answered ACCOUNT_CHANGED (exit 6, try again), not a store error', { timeout: 10_000 }, async () => {
    const store = testStore();
    let hook = async (): Promise<void> => undefined;
    const deps = testDeps(hasherWithHook(() => hook()));
    await registered(store, deps, ADA);
    let changes = 0;
    hook = async () => {
      changes += 1;
      const passwordHash = await bcryptHasher(4).hash(`Changed-password-${changes}!`);
      await store.transaction(async (t) => {
        const ada = await t.users.byEmail(ADA);
        if (!ada) throw new Error('no ada');
        t.users.put({ ...ada, passwordHash });
      });
    };
    const refused = await login(store, deps, { email: ADA, password: PASSWORD, otp: undefined }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe('ACCOUNT_CHANGED');
    expect((refused as AppError).exitCode).toBe(6);
    expect(changes).toBe(3);
    expect((await store.read((t) => t.users.byEmail(ADA)))?.failedLogins).toBe(0);
  });
});
