// profile, profile set: flags and rendering around the profile use-case (src/app/accounts.ts).

import type { Command } from '@commander-js/extra-typings';
import { STEP_UP_FIELDS, updateProfile, updateProfileSteppedUp, type ProfileChanges } from '../../app/accounts.js';
import { describeUser, profileGaps } from '../../domain/accounts.js';
import { AppError } from '../../domain/errors.js';
import type { User } from '../../domain/state.js';
import { boundedText, normalizeCountry, normalizePhone, validateName } from '../../domain/validate.js';
import { validateDocument } from '../../domain/validate-document.js';
import { readSignedIn, sessionToken, signedIn, withOtp } from '../auth.js';
import { verifyPhone } from '../../app/phone.js';
import { parsePhoneCode } from '../../domain/phone-verification.js';
import { promptText, readPassword } from '../prompts.js';
import { asSignedIn } from '../signed-in.js';
import type { Context } from '../context.js';
import { action, examples, subcommand, type App, type OptionsOf } from '../command-builder.js';
import { parseLanguage } from '../../domain/language.js';
import { countries } from '../countries.js';
import { claimsDocument, warnStillWaiting } from '../waiting-money.js';

export function registerProfileCommands(program: Command, app: App): void {
  const profile = subcommand(program, 'profile', 'show your profile');
  examples(profile, [
    'okpay profile',
    'okpay profile set --id-number X1234567 --name "Ada Lovelace"',
    'okpay profile set --phone +14155550100 --password-stdin < pass.txt',
  ]);
  action(app, profile, async (ctx) => {
    const token = await sessionToken(ctx);
    const user = await readSignedIn(ctx, token, (_t, signed) => signed.user);
    printProfile(ctx, user);
  });
  const set = profileSetCommand(profile);
  examples(set, [
    'okpay profile set --name "Ada Lovelace" --language en',
    'okpay profile set --anti-phishing-phrase "blue heron 42" --password-stdin --otp 123456 < pass.txt',
  ]);
  action(app, set, async (ctx, o) => {
    const changes = validateChanges(ctx, o);
    if (Object.keys(changes).length === 0)
      throw new AppError('USAGE', 'nothing to change', {
        hint: 'pass at least one of --phone, --id-number, --name, --country, --language, --anti-phishing-phrase',
      });
    const token = await sessionToken(ctx);
    if (!STEP_UP_FIELDS.some((field) => field in changes)) {
      printProfile(ctx, await ctx.store.transaction(async (t) => updateProfile(t, ctx, await signedIn(ctx, t, token), changes)));
      return;
    }
    // The session must be alive before a password is asked for.
    await readSignedIn(ctx, token, () => undefined);
    const password = await readPassword(ctx, { passwordStdin: o.passwordStdin });
    printProfile(ctx, await withOtp(ctx, o.otp, (otp) => updateProfileSteppedUp(ctx.store, ctx, { token, password, otp }, changes)));
  });
  registerVerifyPhone(profile, app);
}

function profileSetCommand(profile: Command) {
  return subcommand(profile, 'set', 'update your profile')
    .option('--phone <phone>', 'phone number, e.g. +14155550100: a code is sent to it by text message, and it is yours once verified')
    .option('--id-number <number>', 'national ID number (kept masked: only the last four characters)')
    .option('--name <name>', 'full name')
    .option('--country <cc>', 'country, two letters')
    .option('--language <lang>', 'language for mails and support: en, zh, es, fr, de')
    .option('--anti-phishing-phrase <phrase>', 'a phrase every mail from OKPay will show, so fakes stand out')
    .option(
      '--password-stdin',
      'with --phone, --country or --anti-phishing-phrase: read your password from standard input (or set OKPAY_PASSWORD; else a prompt)',
    )
    .option('--otp <code>', 'with --phone, --country or --anti-phishing-phrase, when 2FA is on: a current code, or a recovery code');
}

function registerVerifyPhone(profile: Command, app: App): void {
  const command = subcommand(
    profile,
    'verify-phone',
    'make a phone number yours with the code sent to it by text message; money waiting for it lands',
  ).argument('[code]', 'the six digits of the text message (asked for when left out, on a terminal)');
  examples(command, ['okpay profile verify-phone 123456']);
  action(app, command, async (ctx, _o, [typed]) => {
    const code = parsePhoneCode(typed ?? (await promptText(ctx, 'Code from the text message', 'pass the code: okpay profile verify-phone CODE')));
    const result = await asSignedIn(ctx, (t, actor) => verifyPhone(t, ctx, actor, code));
    ctx.out.data({ profile: profileDocument(result.user), ...claimsDocument(ctx, result) }, () => {
      ctx.out.success(`${result.user.phone ?? ''} is verified: payments to it now reach you.`);
      if (result.claimed.length > 0) ctx.out.note(`${result.claimed.length} payment(s) waiting for it landed in your balance.`);
      warnStillWaiting(ctx, result);
    });
  });
}

function profileDocument(user: User): Record<string, unknown> {
  return { ...describeUser(user), phoneToVerify: user.phoneChallenge?.phone ?? null, missing: profileGaps(user) };
}

function validateChanges(ctx: Context, o: OptionsOf<ReturnType<typeof profileSetCommand>>): ProfileChanges {
  const changes: { -readonly [K in keyof ProfileChanges]: ProfileChanges[K] } = {};
  if (o.phone !== undefined) changes.phone = normalizePhone(o.phone);
  if (o.idNumber !== undefined) changes.idNumberMasked = validateDocument('id-card', o.idNumber).masked;
  if (o.name !== undefined) changes.name = validateName(o.name);
  if (o.country !== undefined) changes.country = normalizeCountry(o.country, countries(ctx));
  if (o.language !== undefined) changes.language = parseLanguage(o.language);
  if (o.antiPhishingPhrase !== undefined) changes.antiPhishingPhrase = boundedText(o.antiPhishingPhrase, '--anti-phishing-phrase', { min: 4, max: 40 });
  return changes;
}

function printProfile(ctx: Context, user: User): void {
  const waiting = user.phoneChallenge?.phone ?? null;
  // A number waiting for its code is not missing: the note about the code says what to do.
  const gaps = profileGaps(user).filter((gap) => waiting === null || gap !== 'phone number');
  ctx.out.data({ profile: profileDocument(user) }, () => {
    ctx.out.fields([
      ['email', user.email],
      ['name', user.name ?? '(not set)'],
      ['phone', user.phone ?? '(not set)'],
      ['phone to verify', waiting],
      ['ID number', user.idNumberMasked ?? '(not set)'],
      ['country', user.country ?? '(not set)'],
      ['language', user.language ?? 'en'],
      ['anti-phishing phrase', user.antiPhishingPhrase ? 'set (shown at the top of every mail we send you)' : '(not set)'],
      ['two-step verification', user.twoFactor.enabled ? 'on' : 'off'],
      ['identity check', user.kyc.status],
    ]);
    if (waiting !== null)
      ctx.out.note(`A code was sent to ${waiting} by text message: type it with \`okpay profile verify-phone CODE\` (it lasts 10 minutes).`);
    if (gaps.length > 0) ctx.out.note(`Missing: ${gaps.join(', ')}. Add ${gaps.length === 1 ? 'it' : 'them'} with \`okpay profile set\`.`);
  });
}
