// ticket import: staff turn customer mail (.eml files, or a Maildir) into tickets on the email
// channel, or replies on the tickets the mails answer. Each mail is its own store transaction, so
// a refused mail writes nothing and never stops the others; the report says what became of each.
// Files and the maildir are only read (never moved or deleted): importing again is harmless,
// because a Message-ID is imported once.

import type { Command } from '@commander-js/extra-typings';
import type { ImportOutcome } from '../../app/mail-import.js';
import { AppError } from '../../domain/errors.js';
import { judgeMail } from '../../domain/inbound-mail.js';
import type { FollowUpWay } from '../../domain/tickets.js';
import { sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, subcommand, type App } from '../command-builder.js';
import { maildirFiles, MAILS_PER_RUN_MAX, readMailFile } from '../mail-files.js';
import { actAs } from '../signed-in.js';

const ACCESS = { roles: ['agent', 'admin'] as const, what: '`ticket import`' };

export interface ImportRow {
  readonly file: string;
  readonly messageId: string | null;
  readonly outcome: ImportOutcome['outcome'] | 'ignored' | 'refused';
  readonly ticket: number | null;
  /** Why a mail was ignored, refused or held; how it was threaded. */
  readonly detail: string | null;
  readonly neutralised: readonly string[];
}

const NOT_IMPORTED: ReadonlySet<ImportRow['outcome']> = new Set(['refused', 'held']);

export function registerTicketImport(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'import', 'agents and admins: turn customer mail (.eml files or a Maildir) into tickets and replies')
    .argument('[files...]', '.eml files, one message each')
    .option('--maildir <dir>', 'every message in this Maildir (new/ and cur/); it is only read');
  examples(command, ['okpay ticket import ~/mail/question.eml', 'okpay ticket import --maildir ~/Maildir/support --json']);
  action(app, command, async (ctx, o, files) => {
    if (files.length === 0 && o.maildir === undefined) throw new AppError('USAGE', 'name .eml files or --maildir DIR');
    const token = await sessionToken(ctx);
    // Who may import is settled before any file is read.
    await actAs(ctx, token, { roles: [...ACCESS.roles], what: ACCESS.what }, async () => undefined);
    const names = [...files, ...(o.maildir === undefined ? [] : await maildirFiles(o.maildir))];
    if (names.length > MAILS_PER_RUN_MAX)
      throw new AppError('USAGE', `${names.length} mails is more than one import takes (${MAILS_PER_RUN_MAX}); import them in parts`);
    const rows: ImportRow[] = [];
    for (const file of names) rows.push(await importOne(ctx, token, file));
    printReport(ctx, rows);
    const failed = rows.filter((row) => NOT_IMPORTED.has(row.outcome)).length;
    if (failed > 0) {
      throw new AppError(
        'MAIL_NOT_IMPORTED',
        `${failed} of ${rows.length} mail${rows.length === 1 ? ' was' : 's were'} not imported (refused or held); the report says why`,
      );
    }
  });
}

async function importOne(ctx: Context, token: string | null, file: string): Promise<ImportRow> {
  const read = await readMailFile(file);
  if ('problem' in read) return { file, messageId: null, outcome: 'refused', ticket: null, detail: read.problem, neutralised: [] };
  const verdict = judgeMail(read.mail);
  if (verdict.outcome !== 'accepted')
    return { file, messageId: verdict.messageId, outcome: verdict.outcome, ticket: null, detail: verdict.reason, neutralised: [] };
  const { importMail } = await import('../../app/mail-import.js');
  const mail = verdict.mail;
  const result = await actAs(ctx, token, { roles: [...ACCESS.roles], what: ACCESS.what }, (t, actor) => importMail(t, ctx, actor, mail));
  return {
    file,
    messageId: mail.messageId,
    outcome: result.outcome,
    ticket: 'ticket' in result ? result.ticket : null,
    detail: detailOf(result),
    neutralised: mail.neutralised,
  };
}

const FOLLOW_UP_DETAIL: Readonly<Record<FollowUpWay, string>> = {
  opened: 'it opened a follow-up',
  joined: 'added to its open follow-up',
  duplicate: 'the same request came in within a day, flagged as a duplicate of the follow-up',
};

function detailOf(result: ImportOutcome): string | null {
  switch (result.outcome) {
    case 'replied':
      return `threaded by ${result.threadedBy}${result.followUpOf === null ? '' : `; #${result.followUpOf} was closed: ${FOLLOW_UP_DETAIL[result.followUp ?? 'opened']}`}`;
    case 'held':
      return result.reason;
    case 'duplicate-request':
      return 'the same request came in within a day: added to nothing, the earlier ticket stands';
    case 'already-imported':
      return 'this Message-ID was imported before; nothing changed';
    case 'opened':
      return null;
  }
}

function printReport(ctx: Context, rows: readonly ImportRow[]): void {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.outcome] = (counts[row.outcome] ?? 0) + 1;
  ctx.out.data({ mails: rows, counts }, () => {
    ctx.out.table(
      [
        { key: 'file', title: 'File' },
        { key: 'outcome', title: 'Outcome' },
        { key: 'ticket', title: 'Ticket' },
        { key: 'detail', title: 'Detail' },
      ],
      rows.map((row) => ({
        file: row.file,
        outcome: row.outcome,
        ticket: row.ticket === null ? null : `#${row.ticket}`,
        detail: [row.detail, ...row.neutralised].filter((part) => part !== null).join('; ') || null,
      })),
    );
    ctx.out.note(
      Object.entries(counts)
        .map(([outcome, count]) => `${count} ${outcome}`)
        .join(', '),
    );
  });
}
