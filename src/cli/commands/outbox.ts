// outbox list / show / send: the mails the service sent, as .eml files in <data-dir>/outbox (or
// rows of the database), each with its SMTP delivery when OKPAY_SMTP_URL was set.

import type { Command } from '@commander-js/extra-typings';
import { AppError } from '../../domain/errors.js';
import type { Delivery } from '../../domain/mail-delivery.js';
import type { MailRecord } from '../../domain/mail.js';
import { looksLikePhone } from '../../domain/phone.js';
import { normalizeEmail, normalizePhone, parsePositiveInt } from '../../domain/validate.js';
import { action, examples, group, subcommand, type App } from '../command-builder.js';
import type { Context } from '../context.js';
import { emptyPageText, noteNextPage, pageOf, pagingDocument, pagingOptions, parsePaging } from '../paging.js';

import { smtpConfig } from '../smtp-config.js';

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
    const { found, deliveries } = await ctx.store.read(async (t) => {
      const page = pageOf(
        (await t.outbox.list()).filter((m) => (to === undefined || m.to === to) && (o.kind === undefined || m.kind === o.kind)),
        paging,
      );
      return { found: page, deliveries: await Promise.all(page.items.map((mail) => t.deliveries.get(mail.id))) };
    });
    ctx.out.data(
      { mails: found.items.map((mail, i) => ({ ...summary(mail), delivery: deliveryView(deliveries[i] ?? null) })), ...pagingDocument(paging, found) },
      () => {
        ctx.out.table(
          [
            { key: 'id', title: 'ID' },
            { key: 'date', title: 'Date' },
            { key: 'to', title: 'To' },
            { key: 'kind', title: 'Kind' },
            { key: 'subject', title: 'Subject' },
            { key: 'delivery', title: 'Delivery' },
          ],
          found.items.map((m, i) => ({ ...summary(m), date: ctx.out.time(m.date), delivery: deliveryLine(deliveries[i] ?? null) })),
          emptyPageText(paging, found, 'no mails'),
        );
        noteNextPage(ctx, list, paging, found);
      },
    );
  });
  registerSend(outbox, app);
  const show = subcommand(outbox, 'show', 'print one mail')
    .argument('<id>', 'the mail id, e.g. msg_000001')
    .option('--raw', 'print the .eml file as stored (RFC 5322)');
  examples(show, ['okpay outbox show msg_000001', 'okpay outbox show msg_000001 --raw > mail.eml']);
  action(app, show, async (ctx, o, [id]) => {
    const found = await ctx.store.read(async (t) => {
      const mail = await t.outbox.get((id ?? '').trim());
      return mail && { ...mail, delivery: await t.deliveries.get(mail.mail.id) };
    });
    if (!found) throw new AppError('MAIL_NOT_FOUND', `there is no mail ${id}`, { hint: 'list them with `okpay outbox list`' });
    if (o.raw) {
      ctx.out.document(found.raw);
      return;
    }
    const mail = found.mail;
    ctx.out.data(
      {
        mail: {
          ...summary(mail),
          language: mail.language,
          antiPhishingPhrase: mail.antiPhishingPhrase,
          inReplyTo: mail.inReplyTo ?? [],
          text: mail.text,
          file: found.file,
          delivery: deliveryView(found.delivery),
        },
      },
      () => {
        ctx.out.fields([
          ['From', 'OKPay <no-reply@okpay.example>'],
          ['To', mail.to],
          ['Date', ctx.out.time(mail.date)],
          ['Subject', mail.subject],
          ['Anti-phishing phrase', mail.antiPhishingPhrase],
          ['In reply to', mail.inReplyTo?.map((id) => `<${id}>`).join(' ') ?? null],
          ['Delivery', found.delivery && deliveryLine(found.delivery)],
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

/** The delivery as scripts see it; null for a mail made without a mail server (or a text message). */
function deliveryView(delivery: Delivery | null) {
  if (delivery === null) return null;
  const { status, attempts, queuedAt, lastAttemptAt, nextAttemptAt, response, lastError, sentAt } = delivery;
  return {
    status,
    attempts,
    queuedAt,
    lastAttemptAt,
    nextAttemptAt: status === 'sent' ? null : nextAttemptAt,
    response,
    lastError: status === 'sent' ? null : lastError,
    sentAt,
  };
}

function deliveryLine(delivery: Delivery | null): string {
  if (delivery === null) return '—';
  if (delivery.status === 'sent') return `sent (${delivery.response ?? 'accepted'})`;
  if (delivery.status === 'queued') return 'queued';
  return `failed ×${delivery.attempts} (${delivery.lastError ?? 'no answer'}); next try ${delivery.nextAttemptAt}`;
}

const SEND_LIMIT_MAX = 1000;

function registerSend(outbox: Command, app: App): void {
  const send = subcommand(outbox, 'send', 'deliver by SMTP what is still queued or failed (failed mails wait longer before each retry)')
    .argument('[ids...]', 'only these mails, tried now whatever their retry time')
    .option('--limit <n>', 'at most this many mails', '100');
  examples(send, ['OKPAY_SMTP_URL=smtps://okpay:secret@mail.example.com okpay outbox send', 'okpay outbox send msg_000042 --json']);
  action(app, send, async (ctx, o, ids) => {
    const config = smtpConfig(ctx.env);
    if (config === null) throw new AppError('SMTP_NOT_CONFIGURED', 'there is no mail server to send to: OKPAY_SMTP_URL is not set');
    const limit = parsePositiveInt(o.limit ?? '100', '--limit', { max: SEND_LIMIT_MAX });
    const named = ids.length === 0 ? null : [...new Set(ids.map((id) => id.trim()))];
    if (named !== null) await assertMailsExist(ctx, named);
    const { claimWaiting, deliverClaimed } = await import('../../app/deliveries.js');
    const { smtpSender } = await import('../smtp.js');
    const { claimedIds, notWaiting } = await claimWaiting(ctx.store, () => ctx.now(), named, limit);
    // A run of several mails gets room for each, and still ends: --limit bounds the count.
    const results =
      claimedIds.length === 0
        ? []
        : await deliverClaimed(ctx.store, await smtpSender(config), () => ctx.now(), claimedIds, config.timeoutMs * Math.min(claimedIds.length, 6));
    const rows = results.map((r) => ({ id: r.mailId, to: r.to, outcome: r.outcome, delivery: deliveryView(r.delivery) }));
    ctx.out.data(
      { server: config.shown, results: rows, sent: count(rows, 'sent'), failed: count(rows, 'failed'), untried: count(rows, 'untried'), notWaiting },
      () => {
        if (rows.length === 0) ctx.out.note('nothing to send: no mail is queued, or every failed one is waiting for its retry time');
        else
          ctx.out.table(
            [
              { key: 'id', title: 'ID' },
              { key: 'to', title: 'To' },
              { key: 'line', title: 'Delivery' },
            ],
            rows.map((r) => ({
              id: r.id,
              to: r.to,
              line: r.outcome === 'untried' ? 'not tried (server unreachable or out of time); still queued' : deliveryLine(r.delivery as Delivery | null),
            })),
            '',
          );
        for (const id of notWaiting)
          ctx.out.note(`${id} is not waiting to be sent (already sent, being sent by another okpay, or a mail made without a mail server)`);
      },
    );
  });
}

function count(rows: readonly { outcome: string }[], outcome: string): number {
  return rows.filter((r) => r.outcome === outcome).length;
}

async function assertMailsExist(ctx: Context, ids: readonly string[]): Promise<void> {
  const missing = await ctx.store.read(async (t) => {
    for (const id of ids) if ((await t.outbox.get(id)) === null) return id;
    return null;
  });
  if (missing !== null) throw new AppError('MAIL_NOT_FOUND', `there is no mail ${missing}`, { hint: 'list them with `okpay outbox list`' });
}
