// agent refund TX_ID --ticket N: flags in, the refund use-case (src/app/refunds.ts), output.

import type { Command } from '@commander-js/extra-typings';
import { refund } from '../../app/refunds.js';
import { parseTicketNumber } from '../../domain/ticket-input.js';
import { boundedText } from '../../domain/validate.js';
import { action, examples, subcommand, type App } from '../command-builder.js';
import { confirmOrRequireYes, YES_FLAG } from '../prompts.js';
import { asSignedIn } from '../signed-in.js';

export function registerAgentLedgerCommands(agent: Command, app: App): void {
  const command = subcommand(
    agent,
    'refund',
    'refund a disputed transfer on the payer’s ticket about it (once; above the four-eyes amount a second agent approves by running the same command)',
  )
    .argument('<tx>', 'the transaction to refund, e.g. txn_0000000042')
    .requiredOption('--ticket <number>', 'the payer’s ticket about the transfer')
    .option('--reason <text>', 'why, for the record (shown to the customer)')
    .option(...YES_FLAG);
  examples(command, ['okpay agent refund txn_0000000042 --ticket 12 --reason "goods never shipped" --yes']);
  action(app, command, async (ctx, o, [txText]) => {
    const ticketNumber = parseTicketNumber(o.ticket);
    // Shown to the customer and mailed: one line of plain text, like every reason.
    const reason = o.reason === undefined ? null : boundedText(o.reason, '--reason', { min: 1, max: 300 });
    await confirmOrRequireYes(ctx, `Refund ${txText} for ticket #${ticketNumber}?`, o.yes);
    const result = await asSignedIn(ctx, (t, actor) => refund(t, ctx, actor, { txText: txText ?? '', ticketNumber, reason }), {
      roles: ['agent'],
      what: '`okpay agent refund`',
    });
    ctx.out.data({ refund: result.view, of: result.of, ticket: ticketNumber, approval: result.approval }, () => {
      if (result.view === null) {
        ctx.out.success(
          `Refund of ${result.of} requested: above ${result.approval?.aboveAmount ?? ''} ${result.approval?.currency ?? ''} a second agent approves it with \`okpay agent refund ${result.of} --ticket ${ticketNumber}\`.`,
        );
      } else {
        ctx.out.success(`Refunded ${result.of} with ${result.view.id}; the customer was told on ticket #${ticketNumber} and the payee by mail.`);
      }
    });
  });
}
