// password change / reset, and 2fa enable / confirm / disable.

import type { Command } from 'commander';
import { checkResetToken, describeUser, PASSWORD_RESET_TTL_MS, RECOVERY_CODE_COUNT, tokenRecord } from '../../domain/accounts.js';
import { revokeSessions } from '../../app/users.js';
import { passwordResetMail, securityChangeMail } from '../../domain/account-mails.js';
import { AppError } from '../../domain/errors.js';
import { sha256Hex } from '../../domain/ledger.js';
import type { User } from '../../domain/state.js';
import { beginTwoFactor, confirmTwoFactor, disableTwoFactor, secondFactorMessage, verifySecondFactor } from '../../domain/twofactor.js';
import { checkPasswordPolicy, normalizeEmail } from '../../domain/validate.js';
import type { StoreTransaction } from '../../store/store.js';
import { audit, authenticate, NEED_OTP, sessionToken, withOtp, type SignedIn } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, group, subcommand, type App } from '../kit.js';
import { readNewPassword, readPassword, readStdinLines } from '../prompts.js';
import { renderTerminalQr } from '../qr.js';
import { newRecoveryCode, newToken } from '../random.js';

export function registerSecurityCommands(program: Command, app: App): void {
  const password = group(program, 'password', 'change or reset your password');
  registerPasswordChange(password, app);
  registerPasswordReset(password, app);
  const twoFactor = group(program, '2fa', 'two-step verification with an authenticator app (TOTP)');
  registerTwoFactorEnable(twoFactor, app);
  registerTwoFactorConfirm(twoFactor, app);
  registerTwoFactorDisable(twoFactor, app);
}

/** Checks the second factor of a signed-in user inside a transaction (password changes, 2FA off). */
function checkOtpInside(ctx: Context, t: StoreTransaction, user: User, code: string | undefined): User | typeof NEED_OTP {
  if (!user.twoFactor.enabled) return user;
  if (code === undefined) return NEED_OTP;
  const outcome = verifySecondFactor(user, code, (secret, c, after) => ctx.totp.verify(secret, c, ctx.now().getTime(), after), ctx.now().toISOString());
  if (!outcome.ok) throw new AppError('BAD_OTP', secondFactorMessage(outcome.reason));
  t.users.put(outcome.user);
  return outcome.user;
}

async function verifyCurrentPassword(ctx: Context, user: User, password: string): Promise<void> {
  if (!(await ctx.passwords.verify(password, user.passwordHash))) throw new AppError('BAD_CREDENTIALS', 'the current password is wrong');
}

function registerPasswordChange(parent: Command, app: App): void {
  const command = subcommand(parent, 'change', 'change your password (signs out your other sessions)')
    .option('--password-stdin', 'read the current password, then the new one, as two lines of standard input')
    .option('--otp <code>', 'one-time code, when 2FA is on');
  examples(command, ['okpay password change', "printf '%s\\n%s\\n' \"$OLD\" \"$NEW\" | okpay password change --password-stdin"]);
  action<{ passwordStdin?: boolean; otp?: string }>(app, command, async (ctx, o) => {
    const token = await sessionToken(ctx);
    await ctx.store.transaction((t) => authenticate(ctx, t, token));
    const lines = o.passwordStdin ? await readStdinLines(ctx) : undefined;
    const current = await readPassword(ctx, { passwordStdin: o.passwordStdin, stdinLines: lines, message: 'Current password:' });
    const next = o.passwordStdin ? (lines?.shift() ?? '') : await readNewPassword(ctx, {});
    if (next === '') throw new AppError('USAGE', 'the new password is missing', { hint: 'give it as the second line of standard input' });
    checkPasswordPolicy(next);
    if (next === current) throw new AppError('WEAK_PASSWORD', 'the new password must differ from the current one');
    const hash = await ctx.passwords.hash(next);
    const user = await withOtp(ctx, o.otp, (code) =>
      ctx.store.transaction(async (t) => {
        const { user: me, sessionHash } = authenticate(ctx, t, token);
        await verifyCurrentPassword(ctx, me, current);
        const checked = checkOtpInside(ctx, t, me, code);
        if (checked === NEED_OTP) return NEED_OTP;
        const nowIso = ctx.now().toISOString();
        const updated: User = { ...checked, passwordHash: hash, passwordChangedAt: nowIso, passwordReset: null };
        t.users.put(updated);
        const ended = await revokeSessions(t, me.id, sessionHash);
        t.mail(securityChangeMail(updated, 'password'), nowIso);
        audit(ctx, t, 'password.changed', me.id, me.id, { otherSessionsEnded: ended });
        return updated;
      }),
    );
    ctx.out.data({ user: describeUser(user) }, () => ctx.out.success('Password changed; your other sessions were signed out.'));
  });
}

function registerPasswordReset(parent: Command, app: App): void {
  const command = subcommand(parent, 'reset', 'forgot it? ask for a reset mail (--email), then set a new one (--token)')
    .option('--email <email>', 'mail a reset token to this address')
    .option('--token <token>', 'the token from the reset mail')
    .option('--password-stdin', 'with --token: read the new password from standard input');
  examples(command, ['okpay password reset --email ada@example.com', 'okpay password reset --token rst_…']);
  action<{ email?: string; token?: string; passwordStdin?: boolean }>(app, command, async (ctx, o) => {
    if (o.email !== undefined && o.token !== undefined) throw new AppError('USAGE', 'give either --email or --token, not both');
    if (o.email !== undefined) return requestReset(ctx, normalizeEmail(o.email));
    if (o.token !== undefined) return completeReset(ctx, o.token.trim(), o.passwordStdin);
    throw new AppError('USAGE', 'password reset needs --email (to get a token) or --token (to use it)', { hint: 'okpay password reset --email you@example.com' });
  });
}

async function requestReset(ctx: Context, email: string): Promise<void> {
  const token = newToken(ctx.random, 'rst');
  await ctx.store.transaction(async (t) => {
    const user = await t.users.byEmail(email);
    if (!user || user.status !== 'active') {
      audit(ctx, t, 'password.reset-requested', null, null, { known: false });
      return;
    }
    const nowMs = ctx.now().getTime();
    const updated: User = { ...user, passwordReset: tokenRecord(sha256Hex(token), nowMs, PASSWORD_RESET_TTL_MS) };
    t.users.put(updated);
    t.mail(passwordResetMail(updated, token), new Date(nowMs).toISOString());
    audit(ctx, t, 'password.reset-requested', null, user.id, { known: true });
  });
  // One answer for every address, so the command cannot be used to find out who has an account.
  ctx.out.data({ sent: true }, () => ctx.out.success(`If ${email} has an active account, a reset mail is on its way (the token lasts one hour).`));
}

async function completeReset(ctx: Context, token: string, passwordStdin: boolean | undefined): Promise<void> {
  const tokenHash = sha256Hex(token);
  await ctx.store.transaction(async (t) => checkResetToken(await t.users.byToken('passwordReset', tokenHash), tokenHash, ctx.now().getTime()));
  const next = await readNewPassword(ctx, { passwordStdin });
  checkPasswordPolicy(next);
  const hash = await ctx.passwords.hash(next);
  const user = await ctx.store.transaction(async (t) => {
    const found = checkResetToken(await t.users.byToken('passwordReset', tokenHash), tokenHash, ctx.now().getTime());
    const nowIso = ctx.now().toISOString();
    const updated: User = { ...found, passwordHash: hash, passwordChangedAt: nowIso, passwordReset: null };
    t.users.put(updated);
    const ended = await revokeSessions(t, found.id, null);
    t.mail(securityChangeMail(updated, 'password'), nowIso);
    audit(ctx, t, 'password.reset', found.id, found.id, { sessionsEnded: ended });
    return updated;
  });
  ctx.out.data({ user: describeUser(user) }, () => ctx.out.success(`Password set for ${user.email}. Sign in with \`okpay login --email ${user.email}\`.`));
}

function registerTwoFactorEnable(parent: Command, app: App): void {
  const command = subcommand(parent, 'enable', 'start two-step verification: shows a secret, a QR code and recovery codes');
  examples(command, ['okpay 2fa enable', 'okpay 2fa confirm 123456']);
  action(app, command, async (ctx) => {
    const token = await sessionToken(ctx);
    const secret = ctx.totp.generateSecret();
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => newRecoveryCode(ctx.random));
    const user = await ctx.store.transaction((t) => {
      const { user: me } = authenticate(ctx, t, token);
      if (me.twoFactor.enabled) throw new AppError('ALREADY_EXISTS', 'two-step verification is already on', { hint: 'to start over, turn it off first: `okpay 2fa disable`' });
      const updated = beginTwoFactor(me, secret, codes);
      t.users.put(updated);
      audit(ctx, t, '2fa.enrolment-started', me.id, me.id);
      return updated;
    });
    const uri = ctx.totp.uri(user.email, secret);
    const qr = ctx.io.stdoutIsTTY ? await renderTerminalQr(uri) : null;
    ctx.out.data({ twoFactor: { secret, uri, recoveryCodes: codes, confirmed: false } }, () => printEnrolment(ctx, secret, uri, qr, codes));
  });
}

function printEnrolment(ctx: Context, secret: string, uri: string, qr: string | null, codes: readonly string[]): void {
  ctx.out.line('Scan this code with your authenticator app, or type the secret in by hand.');
  if (qr !== null) ctx.out.line(qr);
  ctx.out.fields([
    ['secret', secret],
    ['uri', uri],
  ]);
  ctx.out.line();
  ctx.out.line('Recovery codes — each works once in place of a code. Store them offline; they are shown only now:');
  for (const code of codes) ctx.out.line(`  ${code}`);
  ctx.out.line();
  ctx.out.line('Then confirm with the code your app shows: okpay 2fa confirm CODE');
}

function registerTwoFactorConfirm(parent: Command, app: App): void {
  const command = subcommand(parent, 'confirm', 'finish turning on two-step verification with a code from your app').argument('<code>', 'the 6-digit code your app shows');
  examples(command, ['okpay 2fa confirm 123456']);
  action(app, command, async (ctx, _o, [code]) => {
    const token = await sessionToken(ctx);
    const user = await ctx.store.transaction(async (t) => confirmEnrolment(ctx, t, token, code ?? ''));
    ctx.out.data({ user: describeUser(user) }, () => ctx.out.success('Two-step verification is on. Sign-ins now need a code from your app.'));
  });
}

async function confirmEnrolment(ctx: Context, t: StoreTransaction, token: string | null, code: string): Promise<User> {
  const { user: me, sessionHash }: SignedIn = authenticate(ctx, t, token);
  if (me.twoFactor.enabled) throw new AppError('ALREADY_EXISTS', 'two-step verification is already on');
  const pending = me.twoFactor.pendingSecret;
  if (!pending) throw new AppError('INVALID_TRANSITION', 'there is nothing to confirm', { hint: 'start with `okpay 2fa enable`' });
  const check = ctx.totp.verify(pending, code.trim(), ctx.now().getTime(), null);
  if (!check.valid || check.timeStep === null) throw new AppError('BAD_OTP', 'the code does not match the new secret', { hint: 'check the clock of your device and use the newest code' });
  const nowIso = ctx.now().toISOString();
  const updated = confirmTwoFactor(me, check.timeStep ?? 0, nowIso);
  t.users.put(updated);
  const ended = await revokeSessions(t, me.id, sessionHash);
  t.mail(securityChangeMail(updated, '2fa-on'), nowIso);
  audit(ctx, t, '2fa.enabled', me.id, me.id, { otherSessionsEnded: ended });
  return updated;
}

function registerTwoFactorDisable(parent: Command, app: App): void {
  const command = subcommand(parent, 'disable', 'turn two-step verification off (needs your password and a code)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--otp <code>', 'a current code, or a recovery code');
  examples(command, ['okpay 2fa disable', "okpay 2fa disable --password-stdin --otp 123456 < pass.txt"]);
  action<{ passwordStdin?: boolean; otp?: string }>(app, command, async (ctx, o) => {
    const token = await sessionToken(ctx);
    const state = await ctx.store.transaction((t) => authenticate(ctx, t, token).user.twoFactor.enabled);
    if (!state) throw new AppError('INVALID_TRANSITION', 'two-step verification is already off');
    const password = await readPassword(ctx, { passwordStdin: o.passwordStdin });
    const user = await withOtp(ctx, o.otp, (code) =>
      ctx.store.transaction(async (t) => {
        const { user: me, sessionHash } = authenticate(ctx, t, token);
        await verifyCurrentPassword(ctx, me, password);
        const checked = checkOtpInside(ctx, t, me, code);
        if (checked === NEED_OTP) return NEED_OTP;
        const nowIso = ctx.now().toISOString();
        const updated = disableTwoFactor(checked, nowIso);
        t.users.put(updated);
        const ended = await revokeSessions(t, me.id, sessionHash);
        t.mail(securityChangeMail(updated, '2fa-off'), nowIso);
        audit(ctx, t, '2fa.disabled', me.id, me.id, { otherSessionsEnded: ended });
        return updated;
      }),
    );
    ctx.out.data({ user: describeUser(user) }, () => ctx.out.success('Two-step verification is off.'));
  });
}
