// register, activate, login, logout, whoami, lock, unlock: flags, prompts and rendering around the
// use-cases of src/app (accounts.ts, sessions.ts).

import type { Command } from '@commander-js/extra-typings';
import { activate, activationTokenOwner, register, resendActivation as mailActivationAgain } from '../../app/accounts.js';
import { lockSelf, login, logout, unlockSelf, type SignedIn } from '../../app/sessions.js';
import { describeUser, PASSWORD_MAX_AGE_DAYS, profileGaps } from '../../domain/accounts.js';
import { AppError, isAppError } from '../../domain/errors.js';
import { LANGUAGES, parseLanguage } from '../../domain/language.js';
import { boundedText, checkPasswordPolicy, normalizeCountry, normalizeEmail, normalizePhone, validateName } from '../../domain/validate.js';
import { readSignedIn, sessionToken, signedIn, withOtp } from '../auth.js';
import type { Context } from '../context.js';
import { countries } from '../countries.js';
import { action, examples, subcommand, type App } from '../command-builder.js';
import { askForMissing, confirmOrRequireYes, missingFlags, readNewPassword, readPassword, YES_FLAG } from '../prompts.js';
import { claimsDocument, warnStillWaiting } from '../waiting-money.js';

export function registerAccountCommands(program: Command, app: App): void {
  registerRegister(program, app);
  registerActivate(program, app);
  registerLogin(program, app);
  registerLogout(program, app);
  registerWhoami(program, app);
  registerLock(program, app);
  registerUnlock(program, app);
}

function registerRegister(program: Command, app: App): void {
  const command = subcommand(program, 'register', 'create an account (it stays pending until you activate it from the mail)')
    .option('--email <email>', 'your email address (asked for on a terminal)')
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
  action(app, command, async (ctx, o) => {
    // Without a terminal a script learns every flag it lacks at once.
    if (o.email === undefined && !ctx.io.stdinIsTTY) throw missingFlags(o.acceptTerms ? ['--email'] : ['--email', '--accept-terms']);
    const [emailText = ''] = await askForMissing(ctx, [{ flag: '--email', message: 'Email:', given: o.email, check: normalizeEmail }]);
    const email = normalizeEmail(emailText);
    const phone = o.phone === undefined ? null : normalizePhone(o.phone);
    const country = o.country === undefined ? null : normalizeCountry(o.country, countries(ctx));
    const name = o.name === undefined ? null : validateName(o.name);
    const language = o.language === undefined ? null : parseLanguage(o.language);
    if (!o.acceptTerms) {
      if (!ctx.io.stdinIsTTY || o.passwordStdin) {
        throw new AppError('TERMS_NOT_ACCEPTED', 'the terms of service and the privacy policy must be accepted to open an account', {
          hint: 'pass --accept-terms',
        });
      }
      await confirmOrRequireYes(ctx, 'Do you accept the OKPay terms of service and privacy policy?', false).catch((error: unknown) => {
        if (isAppError(error) && error.code === 'INTERRUPTED') throw error;
        throw new AppError('TERMS_NOT_ACCEPTED', 'the terms were not accepted; no account was created');
      });
    }
    const password = await readNewPassword(ctx, { passwordStdin: o.passwordStdin });
    checkPasswordPolicy(password);
    const passwordHash = await ctx.passwords.hash(password);
    const user = await ctx.store.transaction((t) => register(t, ctx, { email, phone, country, name, language, passwordHash }));
    ctx.out.data({ user: describeUser(user) }, () => {
      ctx.out.success(`Account created for ${user.email}; it is pending activation.`);
      ctx.out.note(
        `We mailed an activation token. Read it with \`okpay outbox list\`, then run \`okpay activate TOKEN\`: it asks for the password you just chose.`,
      );
      if (user.phoneChallenge)
        ctx.out.note(
          `We sent a code to ${user.phoneChallenge.phone} by text message: once signed in, verify the number with \`okpay profile verify-phone CODE\` within 10 minutes.`,
        );
    });
  });
}

function registerActivate(program: Command, app: App): void {
  const command = subcommand(program, 'activate', 'activate your account with the token from the activation mail and the password you registered with')
    .argument('[token]', 'the activation token')
    .option('--password-stdin', 'read the password chosen at registration from standard input')
    .option('--resend', 'mail a new activation token instead')
    .option('--email <email>', 'with --resend: the address you registered');
  examples(command, [
    'okpay activate act_Xq3…',
    'printf \'%s\\n\' "$PASSWORD" | okpay activate act_Xq3… --password-stdin',
    'okpay activate --resend --email ada@example.com',
  ]);
  action(app, command, async (ctx, o, [token]) => {
    if (o.resend) return resendActivation(ctx, o.email);
    if (!token) throw new AppError('USAGE', 'the activation token is missing', { hint: 'run `okpay activate TOKEN` with the token from the mail' });
    // A mistyped or expired token is told before the password is asked for.
    await ctx.store.read((t) => activationTokenOwner(t, ctx, token));
    const password = await readPassword(ctx, { passwordStdin: o.passwordStdin, message: 'Password chosen at registration:' });
    const { user, ...claims } = await activate(ctx.store, ctx, { token, password });
    const { claimed } = claims;
    ctx.out.data({ user: describeUser(user), ...claimsDocument(ctx, claims) }, () => {
      ctx.out.success(`Account ${user.email} is active. Sign in with \`okpay login --email ${user.email}\`.`);
      if (claimed.length > 0) ctx.out.note(`${claimed.length} payment${claimed.length === 1 ? '' : 's'} sent to you before you joined landed in your wallet.`);
      warnStillWaiting(ctx, claims);
    });
  });
}

async function resendActivation(ctx: Context, emailText: string | undefined): Promise<void> {
  if (!emailText) throw new AppError('USAGE', '--resend needs --email', { hint: 'okpay activate --resend --email you@example.com' });
  const email = normalizeEmail(emailText);
  await ctx.store.transaction((t) => mailActivationAgain(t, ctx, email));
  // The same answer whether or not the address has a pending account: no one learns who is registered.
  ctx.out.data({ sent: true }, () => ctx.out.success(`If ${email} has an account waiting for activation, a new activation mail is on its way.`));
}

function registerLogin(program: Command, app: App): void {
  const command = subcommand(program, 'login', 'sign in (password, then a one-time code when 2FA is on)')
    .option('--email <email>', 'your email address (asked for on a terminal)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--otp <code>', 'one-time code from your authenticator app, or a recovery code')
    .option('--raw', 'print only the session token (for OKPAY_SESSION) instead of saving it');
  examples(command, [
    'okpay login --email ada@example.com',
    'printf \'%s\\n\' "$PASSWORD" | okpay login --email ada@example.com --password-stdin --otp 123456',
    'export OKPAY_SESSION=$(okpay login --email ada@example.com --password-stdin --raw < pass.txt)',
  ]);
  action(app, command, async (ctx, o) => {
    const [emailText = ''] = await askForMissing(ctx, [{ flag: '--email', message: 'Email:', given: o.email, check: normalizeEmail }]);
    const email = normalizeEmail(emailText);
    const password = await readPassword(ctx, { passwordStdin: o.passwordStdin });
    const result = await withOtp(ctx, o.otp, (code) => login(ctx.store, ctx, { email, password, otp: code }));
    if (o.raw) {
      // Only the token, for $(…): the notes are for the person at a terminal.
      ctx.out.line(result.token);
      return;
    }
    await ctx.session.write(result.token);
    printLoginNotes(ctx, result);
    ctx.out.data({ user: describeUser(result.user), session: { idleTimeoutMinutes: 30, maxLifetimeHours: 12 } }, () => {
      ctx.out.success(`Signed in as ${result.user.email}.`);
    });
  });
}

/** A welcome and a request to complete the profile (customers only) are notes; risks are warnings. */
function printLoginNotes(ctx: Context, result: SignedIn): void {
  const { user, firstSignIn, recoveryCodesLeft: recoveryLeft, passwordAgeDays: age } = result;
  if (firstSignIn) ctx.out.note(`Welcome to OKPay${user.name ? `, ${user.name}` : ''}!`);
  const gaps = user.role === 'user' ? profileGaps(user) : [];
  if (gaps.length > 0) ctx.out.note(`Your profile is missing: ${gaps.join(', ')} — complete it with \`okpay profile set\`.`);
  if (age > PASSWORD_MAX_AGE_DAYS) ctx.out.warn(`your password is ${age} days old; change it every 3–6 months: \`okpay password change\``);
  if (recoveryLeft !== null) ctx.out.warn(`you signed in with a recovery code; ${recoveryLeft} left`);
  if (!user.twoFactor.enabled) ctx.out.warn('two-step verification is off; turn it on with `okpay 2fa enable`');
}

function registerLogout(program: Command, app: App): void {
  const command = subcommand(program, 'logout', 'sign out and end this session');
  examples(command, ['okpay logout']);
  action(app, command, async (ctx) => {
    const token = await sessionToken(ctx);
    if (token) await ctx.store.transaction((t) => logout(t, ctx, token));
    if (ctx.env.session === undefined) await ctx.session.clear();
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
    .option(...YES_FLAG);
  examples(command, ['okpay lock --reason "phone stolen" --yes']);
  action(app, command, async (ctx, o) => {
    const note = o.reason === undefined ? null : boundedText(o.reason, 'reason', { min: 1, max: 200 });
    const token = await sessionToken(ctx);
    await readSignedIn(ctx, token, () => undefined);
    await confirmOrRequireYes(ctx, 'Lock your account? Nothing can be sent or withdrawn and every session ends until you unlock it.', o.yes);
    const user = await ctx.store.transaction(async (t) => lockSelf(t, ctx, await signedIn(ctx, t, token), note));
    if (ctx.env.session === undefined) await ctx.session.clear();
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
  action(app, command, async (ctx, o) => {
    const email = normalizeEmail(o.email);
    const password = await readPassword(ctx, { passwordStdin: o.passwordStdin });
    const user = await withOtp(ctx, o.otp, (code) => unlockSelf(ctx.store, ctx, { email, password, otp: code, unlockToken: o.token }));
    ctx.out.data({ user: describeUser(user) }, () => ctx.out.success(`Account ${user.email} is unlocked. Sign in with \`okpay login --email ${user.email}\`.`));
  });
}
