// ticket new: a customer opens a ticket. Signed in, or — because a locked account cannot sign in
// but must still reach support — with --email and the password (and a one-time code when 2FA is
// on), like `okpay unlock`.

import type { Command } from '@commander-js/extra-typings';
import { withPasswordChecked } from '../../app/passwords.js';
import { newTicket, openTicketWithPassword, type OpenedTicket, type TicketRequest } from '../../app/tickets.js';
import { AppError } from '../../domain/errors.js';
import { parseLanguage } from '../../domain/language.js';
import { TICKET_CATEGORIES } from '../../domain/ticket-kinds.js';
import { parseCategory, parseChannel, validateBody, validateSubject } from '../../domain/ticket-input.js';
import { normalizeEmail } from '../../domain/validate.js';
import { sessionToken, withOtp } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, subcommand, type App, type OptionsOf } from '../command-builder.js';
import { askForMissing, readPassword } from '../prompts.js';
import { newToken } from '../random.js';
import { readBody } from '../message-body.js';
import { actAs } from '../signed-in.js';
import { printTicket, ticketDocument } from '../ticket-output.js';

type NewOptions = OptionsOf<ReturnType<typeof ticketNewCommand>>;

function ticketNewCommand(ticket: Command) {
  return subcommand(ticket, 'new', 'open a support ticket')
    .option('--category <category>', 'account, funds, identity, dispute, technical or feedback (asked for on a terminal)')
    .option('--subject <text>', 'one line that sums the problem up (asked for on a terminal)')
    .option('--body <text>', 'what happened: amounts, times, the payee, what you expected')
    .option('--body-file <file>', 'read the message from a file (- for standard input)')
    .option('--tx <id>', 'the transaction this is about (one of yours), e.g. txn_0000000042')
    .option('--channel <channel>', 'where you reach us from: email, chat, phone or social', 'email')
    .option('--language <lang>', 'answer in en, zh, es, fr or de (default: your profile, else the text’s language)')
    .option('--email <email>', 'without a session (e.g. a locked account): your email; asks for the password')
    .option('--password-stdin', 'with --email: read the password from standard input')
    .option('--otp <code>', 'with --email on an account with 2FA: a one-time code');
}

export function registerTicketNew(ticket: Command, app: App): void {
  const command = ticketNewCommand(ticket);
  examples(command, [
    'okpay ticket new --category dispute --subject "Refund not received" --body "I returned the goods on 2 Nov…" --tx txn_0000000042',
    'okpay ticket new --category account --subject "My account is locked" --body-file note.txt --email ada@example.com',
    'okpay ticket new --category technical --subject "转账失败" --body "转账时一直提示错误"',
  ]);
  action(app, command, async (ctx, o) => {
    if (o.email !== undefined && o.passwordStdin && o.bodyFile === '-') {
      throw new AppError('USAGE', 'standard input cannot carry both the password and the message', {
        hint: 'use --body or --body-file FILE, or set OKPAY_PASSWORD',
      });
    }
    const request = await readRequest(ctx, o);
    const opened = o.email === undefined ? await openSignedIn(ctx, request) : await openWithPassword(ctx, o, request);
    printOpened(ctx, opened);
  });
}

async function readRequest(ctx: Context, o: NewOptions): Promise<TicketRequest> {
  const channel = parseChannel(o.channel ?? 'email');
  const language = o.language === undefined ? null : parseLanguage(o.language);
  const bodyGiven = o.body !== undefined || o.bodyFile !== undefined;
  const [categoryText = '', subjectText = '', typedBody = ''] = await askForMissing(ctx, [
    { flag: '--category', message: `Category (${TICKET_CATEGORIES.join(', ')}):`, given: o.category, check: parseCategory },
    { flag: '--subject', message: 'Subject (one line):', given: o.subject, check: validateSubject },
    // --body-file gives the message too; only its absence with --body's is missing.
    { flag: '--body (or --body-file)', message: 'Message (what happened: amounts, times, the payee):', given: bodyGiven ? '' : undefined, check: validateBody },
  ]);
  const category = parseCategory(categoryText);
  const subject = validateSubject(subjectText);
  const body = bodyGiven ? ((await readBody(ctx, o, true)) ?? '') : validateBody(typedBody);
  return { category, subject, body, channel, language, tx: o.tx === undefined ? null : o.tx };
}

async function openSignedIn(ctx: Context, request: TicketRequest): Promise<OpenedTicket> {
  const token = await sessionToken(ctx);
  if (!token) {
    throw new AppError('NOT_LOGGED_IN', 'you are not signed in', {
      hint: 'sign in with `okpay login`, or (for a locked account) pass --email and your password',
    });
  }
  return actAs(ctx, token, {}, (t, actor) => newTicket(t, ctx, actor, request));
}

async function openWithPassword(ctx: Context, o: NewOptions, request: TicketRequest): Promise<OpenedTicket> {
  const email = normalizeEmail(o.email ?? '');
  const password = await readPassword(ctx, { passwordStdin: o.passwordStdin });
  return withOtp(ctx, o.otp, (otp) => {
    const unlockToken = newToken(ctx.random, 'unl');
    // The slow password check runs before the transaction, without the store lock, as login's does.
    return withPasswordChecked(
      ctx.store,
      ctx,
      password,
      (t) => t.users.byEmail(email),
      (t, check) => openTicketWithPassword(t, ctx, { email, check, otp, unlockToken, request }),
    );
  });
}

function printOpened(ctx: Context, opened: OpenedTicket): void {
  const { detail, duplicate } = opened;
  const ticket = detail.ticket;
  ctx.out.data({ ticket: ticketDocument(detail, { duplicate }) }, () => {
    if (duplicate) {
      ctx.out.warn(
        `you sent this same request at ${ctx.out.time(ticket.createdAt)}: it is ticket #${ticket.number}, still ${ticket.status}; nothing new was queued`,
      );
    } else {
      ctx.out.success(`Ticket #${ticket.number} opened (priority ${ticket.priority}). We mailed you a confirmation.`);
    }
    printTicket(ctx, detail);
    ctx.out.note(`Add details with \`okpay ticket reply ${ticket.number} --body "…"\`.`);
  });
}
