// Fixture users: an account created as registration creates it, then given what the entry says
// (a role, two-factor, an identity check, balances deposited through the deposit use-case, a lock).

import { createAccount, lockAccount, tokenRecord, UNLOCK_TOKEN_TTL_MS, ACTIVATION_TTL_MS, explainLock } from '../domain/accounts.js';
import { activationMail, lockedAfterFailuresMail } from '../domain/account-mails.js';
import type { FixtureUser } from '../domain/fixture-schemas.js';
import { SYSTEM_ACCOUNTS } from '../domain/ledger.js';
import { sha256Hex } from '../domain/hashing.js';
import { findCurrency, parseAmount } from '../domain/money.js';
import type { User } from '../domain/state.js';
import { normalizeCountry, normalizeEmail, normalizePhone, validateName } from '../domain/validate.js';
import { assertSeedable } from '../domain/wallet.js';
import { parseLanguage } from '../domain/language.js';
import { countries } from './countries.js';
import { receiveDeposit } from '../app/wallet.js';
import { newId, newToken } from './random.js';
import { at, atAsync, counted, depsOf, nowIso, resolve, type Loader } from './fixture-load-state.js';

export async function applyUser(l: Loader, u: FixtureUser): Promise<void> {
  const { ctx, t } = l;
  const when = nowIso(l, u.at);
  const fields = {
    email: at(u.where, 'email', () => normalizeEmail(resolve(l, u.email))),
    phone: u.phone === null ? null : at(u.where, 'phone', () => normalizePhone(resolve(l, u.phone ?? ''))),
    country: u.country === null ? null : at(u.where, 'country', () => normalizeCountry(u.country ?? '', countries(ctx))),
    name: u.fullName === null ? null : at(u.where, 'fullName', () => validateName(resolve(l, u.fullName ?? ''))),
    language: u.language === null ? null : parseLanguage(u.language),
  };
  const activationToken = newToken(ctx.random, 'act');
  const activation = u.status === 'pending' ? tokenRecord(sha256Hex(activationToken), Date.parse(when), ACTIVATION_TTL_MS) : null;
  const existing = { byEmail: await t.users.byEmail(fields.email), byPhone: fields.phone === null ? null : await t.users.byPhone(fields.phone) };
  const created = at(u.where, 'email', () =>
    createAccount({ id: newId(ctx.random, 'usr'), ...fields, passwordHash: l.hashes.get(u.password) ?? '', role: u.role, activation }, when, existing),
  );
  let user: User = {
    ...created,
    antiPhishingPhrase: u.antiPhishingPhrase,
    agent: u.kind === 'agent' && u.tier ? { tier: u.tier, languages: u.languages } : null,
    twoFactor: u.twoFactorSecret ? { ...created.twoFactor, enabled: true, secret: u.twoFactorSecret, changedAt: when } : created.twoFactor,
    kyc:
      u.kyc === 'none'
        ? created.kyc
        : {
            status: u.kyc,
            documentType: 'passport',
            documentMasked: '•••• 0000',
            submittedAt: when,
            decidedAt: u.kyc === 'pending' ? null : when,
            decidedBy: null,
            reason: u.kyc === 'rejected' ? 'the document could not be read' : null,
          },
  };
  t.users.put(user);
  if (activation) t.mail(activationMail(user, activationToken), when);
  for (const [code, amountText] of Object.entries(u.balances)) {
    const currency = at(u.where, `balances.${code}`, () => findCurrency(ctx.ref.currencies, code));
    const amountMinor = at(u.where, `balances.${code}`, () => parseAmount(amountText, currency, { ignoreMaximum: true }));
    const takenInMinor = -(await t.balances.get(SYSTEM_ACCOUNTS.world, currency.code));
    await atAsync(u.where, `balances.${code}`, async () => {
      assertSeedable(amountMinor, currency, takenInMinor);
      return counted(l, receiveDeposit(t, depsOf(l, when), user, { amountMinor, currency, source: 'fixture' }));
    });
  }
  if (u.lock) user = lockFixtureUser(l, user, u.lock, when);
  l.users.set(u.name, user);
  l.values.set(u.name, { id: user.id, email: user.email, phone: user.phone ?? '', name: user.name ?? '' });
  l.ids[u.name] = user.id;
}

function lockFixtureUser(l: Loader, user: User, lock: NonNullable<FixtureUser['lock']>, when: string): User {
  // A fixture user has no sessions yet, so there are none for the lock to end.
  const locked = lockAccount(user, { reason: lock.reason, note: lock.note, at: when, by: null });
  l.t.users.put(locked);
  if (lock.reason !== 'failed-logins') return locked;
  // The way out of this lock is the mailed unlock token, so the fixture mails one as the service would.
  const token = newToken(l.ctx.random, 'unl');
  const withToken: User = { ...locked, failedLogins: 5, unlockToken: tokenRecord(sha256Hex(token), Date.parse(when), UNLOCK_TOKEN_TTL_MS) };
  l.t.users.put(withToken);
  l.t.mail(lockedAfterFailuresMail(withToken, token, explainLock(withToken)), when);
  return withToken;
}
