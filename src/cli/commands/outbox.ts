// outbox list / show: the mails the service "sent", as .eml files in <data-dir>/outbox.

import type { Command } from '@commander-js/extra-typings';
import { AppError } from '../../domain/errors.js';
import type { MailRecord } from '../../domain/mail.js';
import { looksLikePhone } from '../../domain/phone.js';
import { normalizeEmail, normalizePhone } from '../../domain/validate.js';
import { action, examples, group, subcommand, type App } from '../command-builder.js';
import { emptyPageText, noteNextPage, pageOf, pagingDocument, pagingOptions, parsePaging } from '../paging.js';

const LIST_LIMIT = 100;

export function registerOutboxCommands(program: Command, app: App): void {
  const outbox = group(program, 'outbox', 'the mails and text messages OKPay sent (activation, resets, lock notices, ticket replies, payouts, phone codes)');
  const list = pagingOptions(
    subcommand(outbox, 'list', 'list the mails, oldest first')
      .option('--to <address>', 'only mails to this email address, or text messages to this phone number')
      .option('--kind <kind>', 'only this kind, e.g. activation, password-reset, account-locked, text-message'),
    LIST_LIMIT,
    'mails',
  );
  examples(list, ['okpay outbox list', 'okpay outbox list --to ada@example.com --kind activation --json', 'okpay outbox list --limit 20 --page 2']);
  action(app, list, async (ctx, o) => {
    // Text messages go to phone numbers, mails to email addresses.
    const to = o.to === undefined ? undefined : looksLikePhone(o.to) ? normalizePhone(o.to) : normalizeEmail(o.to);
    const paging = parsePaging(o, LIST_LIMIT);
    // The outbox has no index by address or kind: the mails are read and filtered whole.
    const mails = await ctx.store.read((t) => t.outbox.list());
    const found = pageOf(
      mails.filter((m) => (to === undefined || m.to === to) && (o.kind === undefined || m.kind === o.kind)),
      paging,
    );
    ctx.out.data({ mails: found.items.map(summary), ...pagingDocument(paging, found) }, () => {
      ctx.out.table(
        [
          { key: 'id', title: 'ID' },
          { key: 'date', title: 'Date' },
          { key: 'to', title: 'To' },
          { key: 'kind', title: 'Kind' },
          { key: 'subject', title: 'Subject' },
        ],
        found.items.map((m) => ({ ...summary(m), date: ctx.out.time(m.date) })),
        emptyPageText(paging, found, 'no mails'),
      );
      noteNextPage(ctx, list, paging, found);
    });
  });
  const show = subcommand(outbox, 'show', 'print one mail')
    .argument('<id>', 'the mail id, e.g. msg_000001')
    .option('--raw', 'print the .eml file as stored (RFC 5322)');
  examples(show, ['okpay outbox show msg_000001', 'okpay outbox show msg_000001 --raw > mail.eml']);
  action(app, show, async (ctx, o, [id]) => {
    const found = await ctx.store.read((t) => t.outbox.get((id ?? '').trim()));
    if (!found) throw new AppError('MAIL_NOT_FOUND', `there is no mail ${id}`, { hint: 'list them with `okpay outbox list`' });
    if (o.raw) {
      ctx.out.document(found.raw);
      return;
    }
    const mail = found.mail;
    ctx.out.data(
      { mail: { ...summary(mail), language: mail.language, antiPhishingPhrase: mail.antiPhishingPhrase, text: mail.text, file: found.file } },
      () => {
        ctx.out.fields([
          ['From', 'OKPay <no-reply@okpay.example>'],
          ['To', mail.to],
          ['Date', ctx.out.time(mail.date)],
          ['Subject', mail.subject],
          ['Anti-phishing phrase', mail.antiPhishingPhrase],
        ]);
        ctx.out.line();
        ctx.out.text(mail.text);
      },
    );
  });
}

function summary(mail: MailRecord) {
  return { id: mail.id, date: mail.date, to: mail.to, kind: mail.kind, subject: mail.subject };
}
