// register, activate, login, logout, whoami, lock, unlock.

import { claimUnclaimedFor } from '../../app/wallet.js';
import type { Command } from 'commander';
import {
  ACTIVATION_TTL_MS,
  activateAccount,
  assertMaySignIn,
  createAccount,
  describeUser,
  explainLock,
  lockedError,
  openSession,
  PASSWORD_MAX_AGE_DAYS,
  passwordAgeDays,
  profileGaps,
  recordFailedSignIn,
  recordSignIn,
  tokenRecord,
  UNLOCK_TOKEN_TTL_MS,
  unlockAccount,
  unlockTokenStatus,
} from '../../domain/accounts.js';
import { activationMail, lockedAfterFailuresMail, lockNoticeMail, unlockedMail } from '../../domain/account-mails.js';
import { AppError } from '../../domain/errors.js';
import { isLanguage, LANGUAGES, type Language } from '../../domain/language.js';
import { sha256Hex } from '../../domain/ledger.js';
import type { User } from '../../domain/state.js';
import { secondFactorMessage, verifySecondFactor } from '../../domain/twofactor.js';
import { boundedText, checkPasswordPolicy, normalizeCountry, normalizeEmail, normalizePhone, parseCountries, validateName } from '../../domain/validate.js';
import type { StoreTransaction } from '../../store/store.js';
import { audit, authenticate, NEED_OTP, readSignedIn, sessionToken, withOtp } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, subcommand, type App } from '../kit.js';
import { confirmOrRequireYes, readNewPassword, readPassword } from '../prompts.js';
import { newId, newToken } from '../random.js';
import { endSessionsByLock, lockUser, pruneSessions, revokeSessions } from '../../app/users.js';

export function registerAccountCommands(program: Command, app: App): void {
  registerRegister(program, app);
  registerActivate(program, app);
  registerLogin(program, app);
  registerLogout(program, app);
  registerWhoami(program, app);
  registerLock(program, app);
  registerUnlock(program, app);
}

export function countries(ctx: Context) {
  return ctx.ref.load('countries.json', parseCountries);
}

export function parseLanguage(text: string): Language {
  const lower = text.trim().toLowerCase();
  if (!isLanguage(lower)) throw new AppError('INVALID_INPUT', `"${text.slice(0, 20)}" is not a supported language`, { hint: `use one of ${LANGUAGES.join(', ')}` });
  return lower;
}

function registerRegister(program: Command, app: App): void {
  const command = subcommand(program, 'register', 'create an account (it stays pending until you activate it from the mail)')
    .requiredOption('--email <email>', 'your email address')
    .option('--phone <phone>', 'phone number in international form, e.g. +14155550100')
    .option('--country <cc>', 'country, two letters (ISO 3166), e.g. US')
    .option('--name <name>', 'your full name')
    .option('--language <lang>', `language for mails and support (${LANGUAGES.join(', ')})`)
    .option('--password-stdin', 'read the password from standard input')
    .option('--accept-terms', 'accept the terms of service and the privacy policy');
  examples(command, [
    'okpay register --email ada@example.com --country GB --accept-terms',
    "printf '%s\\n' 'S3cure!pass' | okpay register --email ada@example.com --password-stdin --accept-terms",
  ]);
  action<{ email: string; phone?: string; country?: string; name?: string; language?: string; passwordStdin?: boolean; acceptTerms?: boolean }>(app, command, async (ctx, o) => {
    const email = normalizeEmail(o.email);
    const phone = o.phone === undefined ? null : normalizePhone(o.phone);
    const country = o.country === undefined ? null : normalizeCountry(o.country, countries(ctx));
    const name = o.name === undefined ? null : validateName(o.name);
    const language = o.language === undefined ? null : parseLanguage(o.language);
    if (!o.acceptTerms) {
      if (!ctx.io.stdinIsTTY || o.passwordStdin) {
        throw new AppError('TERMS_NOT_ACCEPTED', 'the terms of service and the privacy policy must be accepted to open an account', { hint: 'pass --accept-terms' });
      }
      await confirmOrRequireYes(ctx, 'Do you accept the OKPay terms of service and privacy policy?', false).catch(() => {
        throw new AppError('TERMS_NOT_ACCEPTED', 'the terms were not accepted; no account was created');
      });
    }
    const password = await readNewPassword(ctx, { passwordStdin: o.passwordStdin });
    checkPasswordPolicy(password);
    const passwordHash = await ctx.passwords.hash(password);
    const token = newToken(ctx.random, 'act');
    const user = await ctx.store.transaction(async (t) => {
      const nowMs = ctx.now().getTime();
      const created = createAccount(
        { id: newId(ctx.random, 'usr'), email, phone, country, name, language, passwordHash, role: 'user', activation: tokenRecord(sha256Hex(token), nowMs, ACTIVATION_TTL_MS) },
        ctx.now().toISOString(),
        { byEmail: await t.users.byEmail(email), byPhone: phone === null ? null : await t.users.byPhone(phone) },
      );
      t.users.put(created);
      t.mail(activationMail(created, token), ctx.now().toISOString());
      audit(ctx, t, 'account.registered', created.id, created.id, { email });
      return created;
    });
    ctx.out.data({ user: describeUser(user) }, () => {
      ctx.out.success(`Account created for ${user.email}; it is pending activation.`);
      ctx.out.note(`We mailed an activation token. Read it with \`okpay outbox list\`, then run \`okpay activate TOKEN\`.`);
    });
  });
}

function registerActivate(program: Command, app: App): void {
  const command = subcommand(program, 'activate', 'activate your account with the token from the activation mail')
    .argument('[token]', 'the activation token')
    .option('--resend', 'mail a new activation token instead')
    .option('--email <email>', 'with --resend: the address you registered');
  examples(command, ['okpay activate act_Xq3…', 'okpay activate --resend --email ada@example.com']);
  action<{ resend?: boolean; email?: string }>(app, command, async (ctx, o, [token]) => {
    if (o.resend) return resendActivation(ctx, o.email);
    if (!token) throw new AppError('USAGE', 'the activation token is missing', { hint: 'run `okpay activate TOKEN` with the token from the mail' });
    const { user, claimed } = await ctx.store.transaction(async (t) => {
      const tokenHash = sha256Hex(token.trim());
      const activated = activateAccount(await t.users.byToken('activation', tokenHash), tokenHash, ctx.now().getTime());
      t.users.put(activated);
      audit(ctx, t, 'account.activated', activated.id, activated.id);
      return { user: activated, claimed: await claimUnclaimedFor(t, ctx, activated) };
    });
    ctx.out.data({ user: describeUser(user), claimed: claimed.map((tx) => tx.id) }, () => {
      ctx.out.success(`Account ${user.email} is active. Sign in with \`okpay login --email ${user.email}\`.`);
      if (claimed.length > 0) ctx.out.note(`${claimed.length} payment${claimed.length === 1 ? '' : 's'} sent to you before you joined landed in your wallet.`);
    });
  });
}

async function resendActivation(ctx: Context, emailText: string | undefined): Promise<void> {
  if (!emailText) throw new AppError('USAGE', '--resend needs --email', { hint: 'okpay activate --resend --email you@example.com' });
  const email = normalizeEmail(emailText);
  const token = newToken(ctx.random, 'act');
  await ctx.store.transaction(async (t) => {
    const user = await t.users.byEmail(email);
    if (!user || user.status !== 'pending') return;
    const nowMs = ctx.now().getTime();
    const updated: User = { ...user, activation: tokenRecord(sha256Hex(token), nowMs, ACTIVATION_TTL_MS) };
    t.users.put(updated);
    t.mail(activationMail(updated, token), ctx.now().toISOString());
    audit(ctx, t, 'account.activation-resent', null, user.id);
  });
  // The same answer whether or not the address has a pending account: no one learns who is registered.
  ctx.out.data({ sent: true }, () => ctx.out.success(`If ${email} has an account waiting for activation, a new activation mail is on its way.`));
}

interface LoginResult {
  user: User;
  token: string;
  warnings: string[];
}

function registerLogin(program: Command, app: App): void {
  const command = subcommand(program, 'login', 'sign in (password, then a one-time code when 2FA is on)')
    .requiredOption('--email <email>', 'your email address')
    .option('--password-stdin', 'read the password from standard input')
    .option('--otp <code>', 'one-time code from your authenticator app, or a recovery code')
    .option('--raw', 'print only the session token (for OKPAY_SESSION) instead of saving it');
  examples(command, [
    'okpay login --email ada@example.com',
    "printf '%s\\n' \"$PASSWORD\" | okpay login --email ada@example.com --password-stdin --otp 123456",
    'export OKPAY_SESSION=$(okpay login --email ada@example.com --password-stdin --raw < pass.txt)',
  ]);
  action<{ email: string; passwordStdin?: boolean; otp?: string; raw?: boolean }>(app, command, async (ctx, o) => {
    const email = normalizeEmail(o.email);
    const password = await readPassword(ctx, { passwordStdin: o.passwordStdin });
    const result = await withOtp(ctx, o.otp, (code) => attemptLogin(ctx, email, password, code));
    if (o.raw) ctx.out.line(result.token);
    else await ctx.session.write(result.token);
    for (const warning of result.warnings) ctx.out.warn(warning);
    if (o.raw) return;
    ctx.out.data({ user: describeUser(result.user), session: { idleTimeoutMinutes: 30, maxLifetimeHours: 12 } }, () => {
      ctx.out.success(`Signed in as ${result.user.email}.`);
    });
  });
}

const BAD_CREDENTIALS = () => new AppError('BAD_CREDENTIALS', 'the email or the password is wrong', { hint: 'forgot the password? `okpay password reset --email …`' });

async function attemptLogin(ctx: Context, email: string, password: string, code: string | undefined): Promise<LoginResult | typeof NEED_OTP> {
  const token = newToken(ctx.random, 'oks');
  const unlockToken = newToken(ctx.random, 'unl');
  return ctx.store.transaction(async (t) => {
    const nowIso = ctx.now().toISOString();
    const user = await t.users.byEmail(email);
    if (!user) {
      await ctx.passwords.verifyNothing(password);
      audit(ctx, t, 'login.failure', null, null, { reason: 'unknown-email' });
      t.failAfterCommit(BAD_CREDENTIALS());
      return NEED_OTP;
    }
    const passwordOk = await ctx.passwords.verify(password, user.passwordHash);
    if (user.lock) {
      // The same answer whatever the password: a locked account must not confirm guesses.
      audit(ctx, t, 'login.failure', null, user.id, { reason: 'locked' });
      t.failAfterCommit(lockedError(user));
      return NEED_OTP;
    }
    if (!passwordOk) {
      await failSignIn(ctx, t, user, 'wrong-password', unlockToken);
      t.failAfterCommit(BAD_CREDENTIALS());
      return NEED_OTP;
    }
    assertMaySignIn(user);
    let signedIn = user;
    let recoveryLeft: number | null = null;
    if (user.twoFactor.enabled) {
      if (code === undefined) return NEED_OTP;
      const outcome = verifySecondFactor(user, code, (secret, c, after) => ctx.totp.verify(secret, c, ctx.now().getTime(), after), nowIso);
      if (!outcome.ok) {
        await failSignIn(ctx, t, user, `otp-${outcome.reason}`, unlockToken);
        t.failAfterCommit(new AppError('BAD_OTP', secondFactorMessage(outcome.reason), outcome.reason === 'wrong' ? { hint: 'use the current code of your authenticator app, or a recovery code' } : {}));
        return NEED_OTP;
      }
      signedIn = outcome.user;
      if (outcome.method === 'recovery') recoveryLeft = outcome.recoveryCodesLeft;
    }
    const firstSignIn = signedIn.lastLoginAt === null;
    signedIn = recordSignIn(signedIn, nowIso);
    t.users.put(signedIn);
    await pruneSessions(t, user.id, ctx.now().getTime());
    t.sessions.put(sha256Hex(token), openSession(user.id, nowIso));
    audit(ctx, t, 'login.success', user.id, user.id, { secondFactor: user.twoFactor.enabled ? (recoveryLeft === null ? 'totp' : 'recovery-code') : 'none' });
    return { user: signedIn, token, warnings: loginWarnings(ctx, signedIn, firstSignIn, recoveryLeft) };
  });
}

async function failSignIn(ctx: Context, t: StoreTransaction, user: User, reason: string, unlockToken: string): Promise<void> {
  const nowMs = ctx.now().getTime();
  const { user: updated, lockedNow } = recordFailedSignIn(user, new Date(nowMs).toISOString(), tokenRecord(sha256Hex(unlockToken), nowMs, UNLOCK_TOKEN_TTL_MS));
  t.users.put(updated);
  if (lockedNow) await endSessionsByLock(t, user.id, new Date(nowMs).toISOString());
  audit(ctx, t, 'login.failure', null, user.id, { reason, failedInARow: updated.failedLogins });
  if (lockedNow) {
    t.mail(lockedAfterFailuresMail(updated, unlockToken, explainLock(updated)), new Date(nowMs).toISOString());
    audit(ctx, t, 'account.locked', null, user.id, { reason: 'failed-logins' });
  }
}

function loginWarnings(ctx: Context, user: User, firstSignIn: boolean, recoveryLeft: number | null): string[] {
  const warnings: string[] = [];
  const age = passwordAgeDays(user, ctx.now().getTime());
  if (age > PASSWORD_MAX_AGE_DAYS) warnings.push(`your password is ${age} days old; change it every 3–6 months: \`okpay password change\``);
  const gaps = profileGaps(user);
  if (gaps.length > 0) {
    warnings.push(`${firstSignIn ? 'welcome! ' : ''}your profile is missing: ${gaps.join(', ')} — complete it with \`okpay profile set\``);
  }
  if (recoveryLeft !== null) warnings.push(`you signed in with a recovery code; ${recoveryLeft} left`);
  if (!user.twoFactor.enabled) warnings.push('two-step verification is off; turn it on with `okpay 2fa enable`');
  return warnings;
}

function registerLogout(program: Command, app: App): void {
  const command = subcommand(program, 'logout', 'sign out and end this session');
  examples(command, ['okpay logout']);
  action(app, command, async (ctx) => {
    const token = await sessionToken(ctx);
    if (token) {
      await ctx.store.transaction(async (t) => {
        const hash = sha256Hex(token);
        const session = await t.sessions.get(hash);
        if (!session) return;
        t.sessions.delete(hash);
        audit(ctx, t, 'logout', session.userId, session.userId);
      });
    }
    if (!ctx.env.session) await ctx.session.clear();
    ctx.out.data({ signedOut: true }, () => ctx.out.success(token ? 'Signed out.' : 'You were not signed in.'));
  });
}

function registerWhoami(program: Command, app: App): void {
  const command = subcommand(program, 'whoami', 'show the signed-in account');
  examples(command, ['okpay whoami', 'okpay whoami --json | jq -r .user.email']);
  action(app, command, async (ctx) => {
    const token = await sessionToken(ctx);
    const user = await readSignedIn(ctx, token, (_t, signed) => signed.user);
    ctx.out.data({ user: describeUser(user) }, () => {
      ctx.out.fields([
        ['email', user.email],
        ['name', user.name],
        ['id', user.id],
        ['role', user.agent ? `${user.role} (tier ${user.agent.tier}; ${user.agent.languages.join(', ')})` : user.role],
        ['status', user.status],
        ['two-step verification', user.twoFactor.enabled ? 'on' : 'off'],
        ['identity check', user.kyc.status],
      ]);
    });
  });
}

function registerLock(program: Command, app: App): void {
  const command = subcommand(program, 'lock', 'freeze your own account at once (ends every session)')
    .option('--reason <text>', 'why (kept with the lock, e.g. "lost my phone")')
    .option('--yes', 'do not ask for confirmation');
  examples(command, ['okpay lock --reason "phone stolen" --yes']);
  action<{ reason?: string; yes?: boolean }>(app, command, async (ctx, o) => {
    const note = o.reason === undefined ? null : boundedText(o.reason, 'reason', { min: 1, max: 200 });
    const token = await sessionToken(ctx);
    await ctx.store.transaction((t) => authenticate(ctx, t, token));
    await confirmOrRequireYes(ctx, 'Lock your account? Nothing can be sent or withdrawn and every session ends until you unlock it.', o.yes);
    const user = await ctx.store.transaction(async (t) => {
      const { user: me } = authenticate(ctx, t, token);
      const locked = await lockUser(t, me, { reason: 'self', note, at: ctx.now().toISOString(), by: me.id });
      t.mail(lockNoticeMail(locked, explainLock(locked)), ctx.now().toISOString());
      audit(ctx, t, 'account.locked', me.id, me.id, { reason: 'self' });
      return locked;
    });
    if (!ctx.env.session) await ctx.session.clear();
    ctx.out.data({ user: describeUser(user) }, () => {
      ctx.out.success(`Account ${user.email} is locked and signed out everywhere.`);
      ctx.out.note(`To unlock it: okpay unlock --email ${user.email}`);
    });
  });
}

function registerUnlock(program: Command, app: App): void {
  const command = subcommand(program, 'unlock', 'unlock your account (works without a session)')
    .requiredOption('--email <email>', 'your email address')
    .option('--token <token>', 'the unlock token mailed after failed sign-ins')
    .option('--password-stdin', 'read the password from standard input')
    .option('--otp <code>', 'one-time code (when 2FA is on), or a recovery code');
  examples(command, ['okpay unlock --email ada@example.com', 'okpay unlock --email ada@example.com --token unl_… --otp 123456']);
  action<{ email: string; token?: string; passwordStdin?: boolean; otp?: string }>(app, command, async (ctx, o) => {
    const email = normalizeEmail(o.email);
    const password = await readPassword(ctx, { passwordStdin: o.passwordStdin });
    const user = await withOtp(ctx, o.otp, (code) => attemptUnlock(ctx, email, password, o.token, code));
    ctx.out.data({ user: describeUser(user) }, () => ctx.out.success(`Account ${user.email} is unlocked. Sign in with \`okpay login --email ${user.email}\`.`));
  });
}

/**
 * What an unlock needs besides the password: agent locks are for support, and a lock after failed
 * sign-ins needs the mailed token. Checked before the password is judged, so that these answers
 * do not tell a right password from a wrong one.
 */
function requireUnlockPath(ctx: Context, user: User, token: string | undefined): void {
  if (user.lock?.reason === 'agent') throw lockedError(user);
  if (user.lock?.reason !== 'failed-logins') return;
  const status = token ? unlockTokenStatus(user, sha256Hex(token.trim()), ctx.now().getTime()) : 'no';
  if (status === 'ok') return;
  throw new AppError('INVALID_TOKEN', token ? `the unlock token is ${status === 'expired' ? 'expired' : 'not valid'}` : 'this lock needs the unlock token we mailed you', {
    hint: `pass --token TOKEN from the "account locked" mail (okpay outbox list); lost it? contact support`,
  });
}

async function attemptUnlock(ctx: Context, email: string, password: string, token: string | undefined, code: string | undefined): Promise<User | typeof NEED_OTP> {
  const newUnlockToken = newToken(ctx.random, 'unl');
  return ctx.store.transaction(async (t) => {
    const user = await t.users.byEmail(email);
    const passwordOk = user ? await ctx.passwords.verify(password, user.passwordHash) : (await ctx.passwords.verifyNothing(password), false);
    if (user) requireUnlockPath(ctx, user, token);
    if (!user || !passwordOk) {
      // A wrong password here counts like one at sign-in, or unlock would be a free password oracle.
      if (user) await failSignIn(ctx, t, user, 'unlock-wrong-password', newUnlockToken);
      else audit(ctx, t, 'unlock.failure', null, null, { reason: 'unknown-email' });
      t.failAfterCommit(BAD_CREDENTIALS());
      return NEED_OTP;
    }
    if (!user.lock) throw new AppError('INVALID_TRANSITION', `the account ${user.email} is not locked`);
    let checked = user;
    if (user.twoFactor.enabled) {
      if (code === undefined) return NEED_OTP;
      const outcome = verifySecondFactor(user, code, (secret, c, after) => ctx.totp.verify(secret, c, ctx.now().getTime(), after), ctx.now().toISOString());
      if (!outcome.ok) {
        audit(ctx, t, 'unlock.failure', null, user.id, { reason: `otp-${outcome.reason}` });
        t.failAfterCommit(new AppError('BAD_OTP', secondFactorMessage(outcome.reason)));
        return NEED_OTP;
      }
      checked = outcome.user;
    }
    const unlocked = unlockAccount(checked);
    t.users.put(unlocked);
    await revokeSessions(t, unlocked.id, null);
    t.mail(unlockedMail(unlocked), ctx.now().toISOString());
    audit(ctx, t, 'account.unlocked', unlocked.id, unlocked.id, { lockReason: user.lock.reason });
    return unlocked;
  });
}
