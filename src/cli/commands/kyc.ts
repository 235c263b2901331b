// kyc submit / status (customers), and admin kyc approve / reject (the fallback until agents do it):
// flags and rendering around the use-cases of src/app/kyc.ts.

import { Option, type Command } from '@commander-js/extra-typings';
import { decideDocument, kycStatus, submitDocument } from '../../app/kyc.js';
import { describeUser } from '../../domain/accounts.js';
import type { Allowance } from '../../domain/limits.js';
import type { User } from '../../domain/state.js';
import { boundedText, normalizeEmail } from '../../domain/validate.js';
import { validateDocument } from '../../domain/validate-document.js';
import { confirmSignedIn, readSignedIn, sessionToken, signedIn } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, group, subcommand, type App } from '../command-builder.js';
import { formatMoney } from '../money-flags.js';
import { YES_FLAG } from '../prompts.js';

export function registerKycCommands(program: Command, app: App): void {
  const kyc = group(program, 'kyc', 'identity verification: needed above the limits for unverified customers');
  const submit = subcommand(kyc, 'submit', 'send an identity document for review (kept masked)')
    .requiredOption('--document-type <type>', 'passport, id-card or driving-licence')
    .requiredOption('--document-number <number>', 'the document number');
  examples(submit, ['okpay kyc submit --document-type passport --document-number X1234567']);
  action(app, submit, async (ctx, o) => {
    const document = validateDocument(o.documentType, o.documentNumber);
    const token = await sessionToken(ctx);
    const user = await ctx.store.transaction(async (t) => submitDocument(t, ctx, await signedIn(ctx, t, token), document));
    ctx.out.data({ kyc: kycDocument(ctx, user, null) }, () =>
      ctx.out.success(`Identity check submitted (${document.type} ${document.masked}); you will get a mail when it is reviewed.`),
    );
  });
  const status = subcommand(kyc, 'status', 'your identity check and the limits that apply to you');
  examples(status, ['okpay kyc status --json']);
  action(app, status, async (ctx) => {
    const token = await sessionToken(ctx);
    const { user, allowance } = await readSignedIn(ctx, token, (t, actor) => kycStatus(t, ctx, actor));
    const doc = kycDocument(ctx, user, allowance);
    ctx.out.data({ kyc: doc }, () => {
      ctx.out.fields([
        ['status', doc.status],
        ['document', doc.document],
        ['reason', doc.reason],
        ['per payment up to', `${doc.limits?.perTransaction} USD`],
        ['left in 30 days', `${doc.limits?.remaining30Days} of ${doc.limits?.rolling30Days} USD`],
      ]);
    });
  });
}

function kycDocument(ctx: Context, user: User, allowance: Allowance | null) {
  return {
    status: user.kyc.status,
    document: user.kyc.documentType ? `${user.kyc.documentType} ${user.kyc.documentMasked ?? ''}`.trim() : null,
    submittedAt: user.kyc.submittedAt,
    decidedAt: user.kyc.decidedAt,
    reason: user.kyc.reason,
    limits: allowance && {
      perTransaction: formatMoney(ctx, allowance.perTransactionMinor, 'USD'),
      rolling30Days: formatMoney(ctx, allowance.rolling30DaysMinor, 'USD'),
      remaining30Days: formatMoney(ctx, allowance.remainingRolling30DaysMinor, 'USD'),
    },
  };
}

/** `admin kyc approve|reject EMAIL` — and `agent kyc …` for agents, from the support desk. */
export function registerKycDecisions(parent: Command, app: App, roles: readonly ('agent' | 'admin')[], noun: string): void {
  const kyc = group(parent, 'kyc', 'decide identity checks');
  for (const decision of ['approve', 'reject'] as const) {
    // A rejection without a reason is a usage error, found before anyone has to sign in.
    const reasonOption = new Option('--reason <text>', decision === 'reject' ? 'why (the customer reads it)' : 'a note').makeOptionMandatory(
      decision === 'reject',
    );
    const command = subcommand(kyc, decision, `${decision} a customer’s identity check`)
      .argument('<email>', 'the customer')
      .addOption(reasonOption)
      .option(...YES_FLAG);
    examples(command, [
      decision === 'approve'
        ? `okpay ${noun} kyc approve ada@example.com --yes`
        : `okpay ${noun} kyc reject ada@example.com --reason "the document has expired" --yes`,
    ]);
    action(app, command, async (ctx, o, [emailText]) => {
      const reason = o.reason === undefined ? null : boundedText(o.reason, '--reason', { min: 3, max: 300 });
      const email = normalizeEmail(emailText ?? '');
      const token = await sessionToken(ctx);
      const what = `\`okpay ${noun} kyc\``;
      const question =
        decision === 'approve'
          ? `Approve the identity check of ${email}? Their higher limits apply at once.`
          : `Reject the identity check of ${email}? They are mailed the reason.`;
      await confirmSignedIn(ctx, token, { roles, what }, question, o.yes);
      const user = await ctx.store.transaction(async (t) => decideDocument(t, ctx, await signedIn(ctx, t, token, { roles, what }), email, decision, reason));
      ctx.out.data({ user: describeUser(user) }, () =>
        ctx.out.success(`Identity check of ${user.email} ${decision === 'approve' ? 'approved' : 'rejected'}; the customer was mailed.`),
      );
    });
  }
}
