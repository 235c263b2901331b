// password change / reset, and 2fa enable / confirm / disable: flags, prompts and rendering around
// the use-cases of src/app (credentials.ts, two-factor.ts).

import type { Command } from '@commander-js/extra-typings';
import { changePassword, requestPasswordReset, resetPassword, resetTokenOwner } from '../../app/credentials.js';
import { confirmTwoFactorCode, disableTwoFactorWith, enableTwoFactor, regenerateRecoveryCodes } from '../../app/two-factor.js';
import { describeUser } from '../../domain/accounts.js';
import { AppError } from '../../domain/errors.js';
import { checkPasswordPolicy, normalizeEmail } from '../../domain/validate.js';
import { readSignedIn, sessionToken, withOtp } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, group, subcommand, type App } from '../command-builder.js';
import { readNewPassword, readPassword, readStdinLines } from '../prompts.js';
import { renderTerminalQr } from '../qr.js';

export function registerSecurityCommands(program: Command, app: App): void {
  const password = group(program, 'password', 'change or reset your password');
  registerPasswordChange(password, app);
  registerPasswordReset(password, app);
  const twoFactor = group(program, '2fa', 'two-step verification with an authenticator app (TOTP)');
  registerTwoFactorEnable(twoFactor, app);
  registerTwoFactorConfirm(twoFactor, app);
  registerTwoFactorDisable(twoFactor, app);
  registerRecoveryCodes(twoFactor, app);
}

const PASSWORD_STDIN = 'read your password from standard input (or set OKPAY_PASSWORD; else a prompt)';
const OTP = 'a current code of your authenticator app, or a recovery code (when 2FA is on)';

/** The signed-in person's two-step state, checked on a lock-free read before a password is asked for. */
async function twoFactorOn(ctx: Context, token: string | null): Promise<boolean> {
  return readSignedIn(ctx, token, (_t, me) => me.user.twoFactor.enabled);
}

function registerPasswordChange(parent: Command, app: App): void {
  const command = subcommand(parent, 'change', 'change your password (signs out your other sessions)')
    .option('--password-stdin', 'read the current password, then the new one, as two lines of standard input')
    .option('--otp <code>', 'one-time code, when 2FA is on');
  examples(command, ['okpay password change', 'printf \'%s\\n%s\\n\' "$OLD" "$NEW" | okpay password change --password-stdin']);
  action(app, command, async (ctx, o) => {
    const token = await sessionToken(ctx);
    await readSignedIn(ctx, token, () => undefined);
    const lines = o.passwordStdin ? await readStdinLines(ctx) : undefined;
    const current = await readPassword(ctx, { passwordStdin: o.passwordStdin, stdinLines: lines, message: 'Current password:' });
    const next = o.passwordStdin ? (lines?.shift() ?? '') : await readNewPassword(ctx, {});
    if (next === '') throw new AppError('USAGE', 'the new password is missing', { hint: 'give it as the second line of standard input' });
    checkPasswordPolicy(next);
    if (next === current) throw new AppError('WEAK_PASSWORD', 'the new password must differ from the current one');
    const hash = await ctx.passwords.hash(next);
    const user = await withOtp(ctx, o.otp, (code) => changePassword(ctx.store, ctx, token, { current, newHash: hash, otp: code }));
    ctx.out.data({ user: describeUser(user) }, () => ctx.out.success('Password changed; your other sessions were signed out.'));
  });
}

function registerPasswordReset(parent: Command, app: App): void {
  const command = subcommand(parent, 'reset', 'forgot it? ask for a reset mail (--email), then set a new one (--token)')
    .option('--email <email>', 'mail a reset token to this address')
    .option('--token <token>', 'the token from the reset mail')
    .option('--password-stdin', 'with --token: read the new password from standard input');
  examples(command, ['okpay password reset --email ada@example.com', 'okpay password reset --token rst_…']);
  action(app, command, async (ctx, o) => {
    if (o.email !== undefined && o.token !== undefined) throw new AppError('USAGE', 'give either --email or --token, not both');
    if (o.email !== undefined) return requestReset(ctx, normalizeEmail(o.email));
    if (o.token !== undefined) return completeReset(ctx, o.token.trim(), o.passwordStdin);
    throw new AppError('USAGE', 'password reset needs --email (to get a token) or --token (to use it)', {
      hint: 'okpay password reset --email you@example.com',
    });
  });
}

async function requestReset(ctx: Context, email: string): Promise<void> {
  await ctx.store.transaction((t) => requestPasswordReset(t, ctx, email));
  // One answer for every address, so the command cannot be used to find out who has an account.
  ctx.out.data({ sent: true }, () => ctx.out.success(`If ${email} has an active account, a reset mail is on its way (the token lasts one hour).`));
}

async function completeReset(ctx: Context, token: string, passwordStdin: boolean | undefined): Promise<void> {
  await ctx.store.read((t) => resetTokenOwner(t, ctx, token));
  const next = await readNewPassword(ctx, { passwordStdin });
  checkPasswordPolicy(next);
  const hash = await ctx.passwords.hash(next);
  const user = await ctx.store.transaction((t) => resetPassword(t, ctx, token, hash));
  ctx.out.data({ user: describeUser(user) }, () => ctx.out.success(`Password set for ${user.email}. Sign in with \`okpay login --email ${user.email}\`.`));
}

function registerTwoFactorEnable(parent: Command, app: App): void {
  const command = subcommand(parent, 'enable', 'start two-step verification (needs your password): shows a secret, a QR code and recovery codes').option(
    '--password-stdin',
    PASSWORD_STDIN,
  );
  examples(command, ['okpay 2fa enable', 'okpay 2fa enable --password-stdin < pass.txt', 'okpay 2fa confirm 123456']);
  action(app, command, async (ctx, o) => {
    const token = await sessionToken(ctx);
    if (await twoFactorOn(ctx, token))
      throw new AppError('ALREADY_EXISTS', 'two-step verification is already on', { hint: 'to start over, turn it off first: `okpay 2fa disable`' });
    const password = await readPassword(ctx, { passwordStdin: o.passwordStdin });
    const { secret, uri, recoveryCodes: codes } = await withOtp(ctx, undefined, (otp) => enableTwoFactor(ctx.store, ctx, { token, password, otp }));
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
  const command = subcommand(parent, 'confirm', 'finish turning on two-step verification with a code from your app (needs your password)')
    .argument('<code>', 'the 6-digit code your app shows')
    .option('--password-stdin', PASSWORD_STDIN);
  examples(command, ['okpay 2fa confirm 123456', 'okpay 2fa confirm 123456 --password-stdin < pass.txt']);
  action(app, command, async (ctx, o, [code]) => {
    const token = await sessionToken(ctx);
    if (await twoFactorOn(ctx, token)) throw new AppError('ALREADY_EXISTS', 'two-step verification is already on');
    const password = await readPassword(ctx, { passwordStdin: o.passwordStdin });
    const user = await withOtp(ctx, undefined, (otp) => confirmTwoFactorCode(ctx.store, ctx, { token, password, otp }, code ?? ''));
    ctx.out.data({ user: describeUser(user) }, () => ctx.out.success('Two-step verification is on. Sign-ins now need a code from your app.'));
  });
}

function registerTwoFactorDisable(parent: Command, app: App): void {
  const command = subcommand(parent, 'disable', 'turn two-step verification off (needs your password and a code)')
    .option('--password-stdin', PASSWORD_STDIN)
    .option('--otp <code>', OTP);
  examples(command, ['okpay 2fa disable', 'okpay 2fa disable --password-stdin --otp 123456 < pass.txt']);
  action(app, command, async (ctx, o) => {
    const token = await sessionToken(ctx);
    if (!(await twoFactorOn(ctx, token))) throw new AppError('INVALID_TRANSITION', 'two-step verification is already off');
    const password = await readPassword(ctx, { passwordStdin: o.passwordStdin });
    const user = await withOtp(ctx, o.otp, (otp) => disableTwoFactorWith(ctx.store, ctx, { token, password, otp }));
    ctx.out.data({ user: describeUser(user) }, () => ctx.out.success('Two-step verification is off.'));
  });
}

function registerRecoveryCodes(parent: Command, app: App): void {
  const command = subcommand(parent, 'recovery-codes', 'make a new set of recovery codes; the old ones stop working (needs your password and a code)')
    .option('--password-stdin', PASSWORD_STDIN)
    .option('--otp <code>', OTP);
  examples(command, ['okpay 2fa recovery-codes', 'okpay 2fa recovery-codes --password-stdin --otp 123456 < pass.txt']);
  action(app, command, async (ctx, o) => {
    const token = await sessionToken(ctx);
    if (!(await twoFactorOn(ctx, token)))
      throw new AppError('INVALID_TRANSITION', 'two-step verification is off: there are no recovery codes', { hint: 'turn it on with `okpay 2fa enable`' });
    const password = await readPassword(ctx, { passwordStdin: o.passwordStdin });
    const { recoveryCodes: codes } = await withOtp(ctx, o.otp, (otp) => regenerateRecoveryCodes(ctx.store, ctx, { token, password, otp }));
    ctx.out.data({ recoveryCodes: codes }, () => {
      ctx.out.line('New recovery codes — each works once in place of a code; the old ones no longer work. Store them offline; they are shown only now:');
      for (const code of codes) ctx.out.line(`  ${code}`);
    });
  });
}
