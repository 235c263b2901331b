// okpay verify: the books checked end to end (src/cli/store-verify.ts does the checking).

import type { Command } from '@commander-js/extra-typings';
import { AppError } from '../../domain/errors.js';
import { action, examples, subcommand, type App } from '../command-builder.js';
import { counted } from '../output.js';
import { verifyStore } from '../store-verify.js';

export function registerVerifyCommand(program: Command, app: App): void {
  const command = subcommand(program, 'verify', 'check the books: balanced transactions, balances, hash chains (exit 10 on any mismatch)');
  examples(command, ['okpay verify', 'okpay verify --json']);
  action(app, command, async (ctx) => {
    const doc = await verifyStore(ctx.store);
    ctx.out.data(doc, () => {
      ctx.out.line(
        `checked ${counted(doc.checked.journalEntries, 'journal entry', 'journal entries')} in ${counted(doc.checked.journalSegments, 'segment')}, ${counted(doc.checked.auditEntries, 'audit entry', 'audit entries')} and ${counted(doc.checked.accounts, 'account')} in ${doc.seconds.toFixed(3)} s (${doc.entriesPerSecond} entries/s)`,
      );
      if (doc.ok) ctx.out.line('every transaction balances, every balance matches the journal, the books close, and both hash chains are intact');
    });
    if (!doc.ok) {
      for (const problem of doc.problems) ctx.out.note(`okpay: verify: ${problem}`);
      throw new AppError(
        'STORE_CORRUPT',
        `verify found ${doc.problems.length} problem${doc.problems.length === 1 ? '' : 's'} in the store at ${ctx.store.location}`,
      );
    }
  });
}
