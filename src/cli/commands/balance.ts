// balance: what you have, per currency. Its own module so that the most common read loads only
// what it needs (start-up time is a feature).

import type { Command } from '@commander-js/extra-typings';
import { balance } from '../../app/wallet.js';
import { action, examples, subcommand, type App } from '../command-builder.js';
import { formatMoney } from '../money-flags.js';
import { lookSignedIn } from '../signed-in.js';

export function registerBalanceCommand(program: Command, app: App): void {
  const command = subcommand(program, 'balance', 'show what you have, per currency (available and held for payouts)');
  examples(command, ['okpay balance', 'okpay balance --json | jq -r \'.balances[] | "\\(.currency) \\(.available)"\'']);
  action(app, command, async (ctx) => {
    const rows = await lookSignedIn(ctx, (t, actor) => balance(t, actor));
    const balances = rows.map((r) => ({
      currency: r.currency,
      available: formatMoney(ctx, r.availableMinor, r.currency),
      held: formatMoney(ctx, r.heldMinor, r.currency),
    }));
    ctx.out.data({ balances }, () =>
      ctx.out.table(
        [
          { key: 'currency', title: 'Currency' },
          { key: 'available', title: 'Available', align: 'right' },
          { key: 'held', title: 'Held', align: 'right' },
        ],
        balances,
        'no money yet — add some with `okpay deposit --amount 100 --currency USD`',
      ),
    );
  });
}
