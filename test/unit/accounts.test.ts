import { describe, it, expect } from 'vitest';
import {
  checkSession,
  createAccount,
  endSessionByLock,
  explainLock,
  lockAccount,
  lockedError,
  confirmsPassword,
  LOCKED_GUESSES_MAX,
  MAX_FAILED_SIGN_INS,
  openSession,
  recordFailedSignIn,
  recordSignIn,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  sessionIsStale,
  tokenRecord,
  UNLOCK_TOKEN_TTL_MS,
} from '../../src/domain/accounts.js';
import type { LockReason, User } from '../../src/domain/state.js';
import { beginTwoFactor, confirmTwoFactor, hashRecoveryCode, verifySecondFactor, type TotpVerifier } from '../../src/domain/twofactor.js';
import { otplibTotp } from '../../src/cli/auth-adapters.js';

const totp = otplibTotp();
const STEP_MS = 30_000;
const NOW_MS = Date.UTC(2026, 10, 23, 10, 0, 0);
const NOW_ISO = new Date(NOW_MS).toISOString();

/** base32 of the ASCII secret "12345678901234567890" used by the RFC 6238 SHA1 vectors. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

function activeUser(email = 'ada@example.com'): User {
  return createAccount(
    {
      id: `usr_${email.split('@')[0] ?? 'x'}`,
      email,
      phone: null,
      country: null,
      name: null,
      language: null,
      passwordHash: 'hash',
      role: 'user',
      activation: null,
    },
    NOW_ISO,
    { byEmail: null, byPhone: null },
  );
}

function verifierAt(nowMs: number): TotpVerifier {
  return (secret, code, after) => totp.verify(secret, code, nowMs, after);
}

/** A user with 2FA confirmed at NOW_MS - 10 min, with two known recovery codes. */
function userWithTwoFactor(secret = RFC_SECRET): User {
  const started = beginTwoFactor(activeUser(), secret, ['abcde-fghij', 'klmno-pqrst']);
  return confirmTwoFactor(started, Math.floor((NOW_MS - 600_000) / STEP_MS), NOW_ISO);
}

describe('TOTP through otplibTotp (RFC 6238, SHA1)', () => {
  it.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
    [20000000000, '353130'],
  ])('at T=%i the code is %s', (seconds, code) => {
    expect(totp.generate(RFC_SECRET, seconds * 1000)).toBe(code);
    expect(totp.verify(RFC_SECRET, code, seconds * 1000, null)).toEqual({ valid: true, timeStep: Math.floor(seconds / 30) });
  });

  it('accepts the codes of the previous and the next step', () => {
    const previous = totp.generate(RFC_SECRET, NOW_MS - STEP_MS);
    const next = totp.generate(RFC_SECRET, NOW_MS + STEP_MS);
    expect(totp.verify(RFC_SECRET, previous, NOW_MS, null).valid).toBe(true);
    expect(totp.verify(RFC_SECRET, next, NOW_MS, null).valid).toBe(true);
  });

  it('accepts ±1 step from anywhere inside the current step', () => {
    const lateInStep = NOW_MS + STEP_MS - 1000;
    expect(totp.verify(RFC_SECRET, totp.generate(RFC_SECRET, lateInStep - STEP_MS), lateInStep, null).valid).toBe(true);
    expect(totp.verify(RFC_SECRET, totp.generate(RFC_SECRET, lateInStep + STEP_MS), lateInStep, null).valid).toBe(true);
  });

  it('refuses the codes two steps away', () => {
    for (const at of [NOW_MS, NOW_MS + STEP_MS - 1000]) {
      expect(totp.verify(RFC_SECRET, totp.generate(RFC_SECRET, at - 2 * STEP_MS), at, null).valid).toBe(false);
      expect(totp.verify(RFC_SECRET, totp.generate(RFC_SECRET, at + 2 * STEP_MS), at, null).valid).toBe(false);
    }
  });

  it.each(['', '12345', '1234567', 'abcdef', '12 345', '١٢٣٤٥٦'])('answers "not valid" to the malformed code %j without throwing', (code) => {
    expect(totp.verify(RFC_SECRET, code, NOW_MS, null)).toEqual({ valid: false, timeStep: null });
  });

  it('refuses steps at or before afterTimeStep', () => {
    const code = totp.generate(RFC_SECRET, NOW_MS);
    const step = Math.floor(NOW_MS / STEP_MS);
    expect(totp.verify(RFC_SECRET, code, NOW_MS, step).valid).toBe(false);
    expect(totp.verify(RFC_SECRET, code, NOW_MS, step - 1)).toEqual({ valid: true, timeStep: step });
  });

  it('makes secrets an authenticator app can use, and an otpauth URI with the issuer', () => {
    const secret = totp.generateSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = totp.uri('ada@example.com', secret);
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect(uri).toContain(`secret=${secret}`);
    expect(uri).toContain('issuer=OKPay');
  });
});

describe('verifySecondFactor', () => {
  it('accepts a current code once and refuses the same code again as replayed', () => {
    const user = userWithTwoFactor();
    const code = totp.generate(RFC_SECRET, NOW_MS);
    const first = verifySecondFactor(user, code, verifierAt(NOW_MS), NOW_ISO);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.method).toBe('totp');
    expect(first.user.twoFactor.lastTimeStep).toBe(Math.floor(NOW_MS / STEP_MS));
    expect(verifySecondFactor(first.user, code, verifierAt(NOW_MS), NOW_ISO)).toEqual({ ok: false, reason: 'replayed' });
  });

  it('refuses a code of an earlier step once a later one was used', () => {
    const user = userWithTwoFactor();
    const used = verifySecondFactor(user, totp.generate(RFC_SECRET, NOW_MS + STEP_MS), verifierAt(NOW_MS), NOW_ISO);
    expect(used.ok).toBe(true);
    if (!used.ok) return;
    const older = totp.generate(RFC_SECRET, NOW_MS);
    expect(verifySecondFactor(used.user, older, verifierAt(NOW_MS), NOW_ISO)).toEqual({ ok: false, reason: 'replayed' });
  });

  it('calls a wrong code wrong, not replayed', () => {
    const user = userWithTwoFactor();
    const right = totp.generate(RFC_SECRET, NOW_MS);
    const wrong = right === '000000' ? '111111' : '000000';
    expect(verifySecondFactor(user, wrong, verifierAt(NOW_MS), NOW_ISO)).toEqual({ ok: false, reason: 'wrong' });
  });

  it.each(['', 'abc', '12345', '1234567', 'zzzzz-zzzzz-zzzzz', '!!!!!!'])('treats the malformed input %j as a wrong code', (code) => {
    expect(verifySecondFactor(userWithTwoFactor(), code, verifierAt(NOW_MS), NOW_ISO)).toEqual({ ok: false, reason: 'wrong' });
  });

  it('takes a recovery code once, in any case and with or without the dash', () => {
    const user = userWithTwoFactor();
    const first = verifySecondFactor(user, ' ABCDEFGHIJ ', verifierAt(NOW_MS), NOW_ISO);
    expect(first).toMatchObject({ ok: true, method: 'recovery', recoveryCodesLeft: 1 });
    if (!first.ok) return;
    const used = first.user.twoFactor.recoveryCodes.find((c) => c.codeHash === hashRecoveryCode('abcde-fghij'));
    expect(used?.usedAt).toBe(NOW_ISO);
    expect(verifySecondFactor(first.user, 'abcde-fghij', verifierAt(NOW_MS), NOW_ISO)).toEqual({ ok: false, reason: 'replayed' });
    const second = verifySecondFactor(first.user, 'klmno-pqrst', verifierAt(NOW_MS), NOW_ISO);
    expect(second).toMatchObject({ ok: true, method: 'recovery', recoveryCodesLeft: 0 });
  });

  it('refuses a recovery code that was never issued', () => {
    expect(verifySecondFactor(userWithTwoFactor(), 'aaaaa-aaaaa', verifierAt(NOW_MS), NOW_ISO)).toEqual({ ok: false, reason: 'wrong' });
  });

  it('does not accept the pending secret before 2FA is confirmed', () => {
    const pending = beginTwoFactor(activeUser(), RFC_SECRET, ['abcde-fghij']);
    expect(pending.twoFactor.enabled).toBe(false);
    expect(pending.twoFactor.recoveryCodes).toEqual([]);
    expect(pending.twoFactor.pendingRecoveryCodes).toHaveLength(1);
  });
});

describe('recordFailedSignIn (lockout counting)', () => {
  const unlock = tokenRecord('unlock-hash', NOW_MS, UNLOCK_TOKEN_TTL_MS);

  /** Counts `times` failures in a row, each on the user the previous one returned. */
  function failures(user: User, times: number): { user: User; lockedNow: boolean }[] {
    const results: { user: User; lockedNow: boolean }[] = [];
    let current = user;
    for (let i = 0; i < times; i += 1) {
      const result = recordFailedSignIn(current, NOW_ISO, unlock);
      results.push(result);
      current = result.user;
    }
    return results;
  }

  it('counts four failures without locking, and locks at the fifth with the failed-logins reason', () => {
    const user = activeUser();
    const results = failures(user, MAX_FAILED_SIGN_INS);
    for (let i = 1; i < MAX_FAILED_SIGN_INS; i += 1) {
      const result = results[i - 1];
      expect(result?.lockedNow).toBe(false);
      expect(result?.user.failedLogins).toBe(i);
      expect(result?.user.lock).toBeNull();
    }
    const fifth = results[MAX_FAILED_SIGN_INS - 1];
    expect(fifth?.lockedNow).toBe(true);
    expect(fifth?.user.lock).toEqual({ reason: 'failed-logins', note: null, at: NOW_ISO, by: null });
    expect(fifth?.user.unlockToken).toEqual(unlock);
    expect(user.failedLogins).toBe(0);
  });

  it('turns a self-lock into a failed-logins lock after five wrong passwords (guessing at unlock ends in the mailed token)', () => {
    const user = lockAccount(activeUser(), { reason: 'self', note: 'lost phone', at: NOW_ISO, by: 'usr_ada' });
    const results = failures(user, MAX_FAILED_SIGN_INS);
    for (const result of results.slice(0, -1)) expect(result.user.lock?.reason).toBe('self');
    const fifth = results[MAX_FAILED_SIGN_INS - 1];
    expect(fifth?.lockedNow).toBe(true);
    expect(fifth?.user.lock?.reason).toBe('failed-logins');
    expect(fifth?.user.unlockToken).toEqual(unlock);
  });

  it('leaves failed-logins and agent locks as they are, still counting the failures', () => {
    const user = lockAccount(activeUser(), { reason: 'agent', note: 'review', at: NOW_ISO, by: null });
    const results = failures(user, MAX_FAILED_SIGN_INS + 2);
    for (const result of results) expect(result.lockedNow).toBe(false);
    const last = results[results.length - 1];
    expect(last?.user.lock?.reason).toBe('agent');
    expect(last?.user.failedLogins).toBe(MAX_FAILED_SIGN_INS + 2);
  });

  it('a locked account stops telling a right password from a wrong one after LOCKED_GUESSES_MAX failures', () => {
    const locked = lockAccount(activeUser(), { reason: 'agent', note: null, at: NOW_ISO, by: null });
    expect(confirmsPassword(activeUser())).toBe(true);
    expect(confirmsPassword({ ...activeUser(), failedLogins: LOCKED_GUESSES_MAX + 3 })).toBe(true);
    expect(confirmsPassword({ ...locked, failedLogins: LOCKED_GUESSES_MAX - 1 })).toBe(true);
    expect(confirmsPassword({ ...locked, failedLogins: LOCKED_GUESSES_MAX })).toBe(false);
  });

  it('marks a session ended by a lock (kept only to explain the lock) until it would have expired anyway', () => {
    const user = activeUser();
    const other = activeUser('bob@example.com');
    const ended = endSessionByLock(openSession(user.id, NOW_ISO), NOW_ISO);
    const idle = openSession(other.id, NOW_ISO);
    expect(ended.endedByLockAt).toBe(NOW_ISO);
    expect(idle.endedByLockAt).toBeUndefined();
    // Pruning keeps the marker until the session would have expired anyway, then drops it.
    expect(sessionIsStale(ended, NOW_MS + 31 * 60 * 1000)).toBe(false);
    expect(sessionIsStale(idle, NOW_MS + 31 * 60 * 1000)).toBe(true);
    expect(sessionIsStale(ended, NOW_MS + SESSION_ABSOLUTE_MS)).toBe(true);
    expect(sessionIsStale(idle, NOW_MS)).toBe(false);
  });

  it('resets the count after a successful sign-in', () => {
    const counted = failures(activeUser(), MAX_FAILED_SIGN_INS - 1).at(-1)?.user ?? activeUser();
    const signedIn = recordSignIn(counted, NOW_ISO);
    expect(signedIn.failedLogins).toBe(0);
    const again = failures(signedIn, MAX_FAILED_SIGN_INS - 1);
    for (const result of again) expect(result.lockedNow).toBe(false);
    expect(again.at(-1)?.user.lock).toBeNull();
  });

  it('does not count or re-lock an account that is already locked', () => {
    const user = lockAccount(activeUser(), { reason: 'agent', note: 'fraud check', at: NOW_ISO, by: 'usr_agent' });
    const result = recordFailedSignIn(user, NOW_ISO, unlock);
    expect(result.lockedNow).toBe(false);
    expect(result.user.lock?.reason).toBe('agent');
    expect(result.user.unlockToken).toBeNull();
  });
});

describe('checkSession (fixed clock)', () => {
  const created = NOW_MS;
  const session = (lastSeenMs: number) => ({ userId: 'usr_a', createdAt: new Date(created).toISOString(), lastSeenAt: new Date(lastSeenMs).toISOString() });

  it('is active just before 30 idle minutes and idle at 30', () => {
    expect(checkSession(session(created), created + SESSION_IDLE_MS - 1)).toBe('active');
    expect(checkSession(session(created), created + SESSION_IDLE_MS)).toBe('idle');
    expect(SESSION_IDLE_MS).toBe(30 * 60 * 1000);
  });

  it('stays active while used, and expires 12 hours after it opened however busy', () => {
    const lastSeen = created + SESSION_ABSOLUTE_MS - 60_000;
    expect(checkSession(session(lastSeen), created + SESSION_ABSOLUTE_MS - 1)).toBe('active');
    expect(checkSession(session(lastSeen), created + SESSION_ABSOLUTE_MS)).toBe('expired');
    expect(SESSION_ABSOLUTE_MS).toBe(12 * 60 * 60 * 1000);
  });
});

describe('explainLock', () => {
  function locked(reason: LockReason, note: string | null, twoFactor = false): User {
    const user = activeUser();
    const base = twoFactor ? confirmTwoFactor(beginTwoFactor(user, RFC_SECRET, []), 1, NOW_ISO) : user;
    return lockAccount(base, { reason, note, at: '2026-11-23T09:15:00.000Z', by: reason === 'agent' ? 'usr_agent' : null });
  }

  it('says a self-lock was the owner’s doing and that unlock needs the password', () => {
    const { message, hint } = explainLock(locked('self', 'lost my phone'));
    expect(message).toBe('the account ada@example.com is locked: you froze it on 2026-11-23 09:15 UTC (lost my phone)');
    expect(hint).toContain('okpay unlock --email ada@example.com');
    expect(hint).toContain('password');
    expect(hint).not.toContain('2FA');
  });

  it('asks for a 2FA code too when 2FA is on', () => {
    expect(explainLock(locked('self', null, true)).hint).toContain('2FA code');
    expect(explainLock(locked('failed-logins', null, true)).hint).toContain('2FA code');
  });

  it('names the five failed sign-ins and the mailed unlock token', () => {
    const { message, hint } = explainLock(locked('failed-logins', null));
    expect(message).toContain(`${MAX_FAILED_SIGN_INS} failed sign-ins`);
    expect(message).toContain('2026-11-23 09:15 UTC');
    expect(hint).toContain('--token');
    expect(hint).toContain('mailed');
  });

  it('sends an agent lock to support, with the agent’s note', () => {
    const { message, hint } = explainLock(locked('agent', 'identity check needed'));
    expect(message).toContain('locked by OKPay support');
    expect(message).toContain('identity check needed');
    expect(hint).toContain('only support');
    expect(hint).toContain('okpay support');
  });

  it('says so when the account is not locked', () => {
    expect(explainLock(activeUser()).message).toBe('the account ada@example.com is not locked');
  });

  it('gives lockedError the ACCOUNT_LOCKED code, the hint and the reason', () => {
    const error = lockedError(locked('agent', null));
    expect(error.code).toBe('ACCOUNT_LOCKED');
    expect(error.hint).toContain('support');
    expect(error.details).toEqual({ lockReason: 'agent' });
  });
});
