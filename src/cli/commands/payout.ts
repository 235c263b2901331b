// admin payout bounce TX --reason R: flags in, the operator's use-case (src/app/payouts.ts), output.

import type { Command } from '@commander-js/extra-typings';
import { bouncePayout } from '../../app/payouts.js';
import { boundedText } from '../../domain/validate.js';
import { action, examples, group, subcommand, type App } from '../command-builder.js';
import { confirmOrRequireYes, YES_FLAG } from '../prompts.js';
import { asSignedIn } from '../signed-in.js';

export function registerPayoutCommands(admin: Command, app: App): void {
  const payout = group(admin, 'payout', 'payouts after they completed');
  const bounce = subcommand(payout, 'bounce', 'record that a completed payout came back: its entries are reversed once and the customer is told')
    .argument('<tx>', 'the payout’s completion transaction (withdrawal.complete), e.g. txn_0000000042')
    .requiredOption('--reason <text>', 'what the bank or wallet said (mailed to the customer)')
    .option(...YES_FLAG);
  examples(bounce, ['okpay admin payout bounce txn_0000000042 --reason "account closed (bank return R02)" --yes']);
  action(app, bounce, async (ctx, o, [txText]) => {
    const reason = boundedText(o.reason, '--reason', { min: 1, max: 200 });
    await confirmOrRequireYes(ctx, `Record that the payout ${txText} came back and return its money?`, o.yes);
    const result = await asSignedIn(ctx, (t, actor) => bouncePayout(t, ctx, actor, { txText: txText ?? '', reason }), {
      roles: ['admin'],
      what: '`okpay admin payout bounce`',
    });
    ctx.out.data({ bounce: result.view, of: result.of }, () =>
      ctx.out.success(`The payout ${result.of} came back: ${result.view.id} returned its money; the customer was told by mail.`),
    );
  });
}
