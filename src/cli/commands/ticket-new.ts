// ticket new: a customer opens a ticket. Signed in, or — because a locked account cannot sign in
// but must still reach support — with --email and the password (and a one-time code when 2FA is
// on), like `okpay unlock`.

import type { Command } from 'commander';
import { newTicket, openTicketFor, type OpenedTicket, type TicketRequest } from '../../app/tickets.js';
import { explainLock, recordFailedSignIn, tokenRecord, UNLOCK_TOKEN_TTL_MS } from '../../domain/accounts.js';
import { endSessionsByLock } from '../../app/users.js';
import { lockedAfterFailuresMail } from '../../domain/account-mails.js';
import { AppError } from '../../domain/errors.js';
import { sha256Hex } from '../../domain/ledger.js';
import type { User } from '../../domain/state.js';
import { parseCategory, parseChannel, validateSubject } from '../../domain/tickets.js';
import { secondFactorMessage, verifySecondFactor } from '../../domain/twofactor.js';
import { normalizeEmail } from '../../domain/validate.js';
import type { StoreTransaction } from '../../store/store.js';
import { audit, NEED_OTP, sessionToken, withOtp } from '../auth.js';
import type { Context } from '../context.js';
import { action, examples, subcommand, type App } from '../kit.js';
import { readPassword } from '../prompts.js';
import { newToken } from '../random.js';
import { parseLanguage } from './account.js';
import { actAs, printTicket, readBody, ticketDocument } from './ticket-kit.js';

interface NewOptions {
  category: string;
  subject: string;
  body?: string;
  bodyFile?: string;
  tx?: string;
  channel?: string;
  language?: string;
  email?: string;
  passwordStdin?: boolean;
  otp?: string;
}

export function registerTicketNew(ticket: Command, app: App): void {
  const command = subcommand(ticket, 'new', 'open a support ticket')
    .requiredOption('--category <category>', 'account, funds, identity, dispute, technical or feedback')
    .requiredOption('--subject <text>', 'one line that sums the problem up')
    .option('--body <text>', 'what happened: amounts, times, the payee, what you expected')
    .option('--body-file <file>', 'read the message from a file (- for standard input)')
    .option('--tx <id>', 'the transaction this is about (one of yours), e.g. txn_0000000042')
    .option('--channel <channel>', 'where you reach us from: email, chat, phone or social', 'email')
    .option('--language <lang>', 'answer in en, zh, es, fr or de (default: your profile, else the text’s language)')
    .option('--email <email>', 'without a session (e.g. a locked account): your email; asks for the password')
    .option('--password-stdin', 'with --email: read the password from standard input')
    .option('--otp <code>', 'with --email on an account with 2FA: a one-time code');
  examples(command, [
    'okpay ticket new --category dispute --subject "Refund not received" --body "I returned the goods on 2 Nov…" --tx txn_0000000042',
    'okpay ticket new --category account --subject "My account is locked" --body-file note.txt --email ada@example.com',
    'okpay ticket new --category technical --subject "转账失败" --body "转账时一直提示错误"',
  ]);
  action<NewOptions>(app, command, async (ctx, o) => {
    if (o.email !== undefined && o.passwordStdin && o.bodyFile === '-') {
      throw new AppError('USAGE', 'standard input cannot carry both the password and the message', { hint: 'use --body or --body-file FILE, or set OKPAY_PASSWORD' });
    }
    const request = await readRequest(ctx, o);
    const opened = o.email === undefined ? await openSignedIn(ctx, request) : await openWithPassword(ctx, o, request);
    printOpened(ctx, opened);
  });
}

async function readRequest(ctx: Context, o: NewOptions): Promise<TicketRequest> {
  const category = parseCategory(o.category);
  const subject = validateSubject(o.subject);
  const channel = parseChannel(o.channel ?? 'email');
  const language = o.language === undefined ? null : parseLanguage(o.language);
  const body = (await readBody(ctx, o, true)) ?? '';
  return { category, subject, body, channel, language, tx: o.tx === undefined ? null : o.tx };
}

async function openSignedIn(ctx: Context, request: TicketRequest): Promise<OpenedTicket> {
  const token = await sessionToken(ctx);
  if (!token) {
    throw new AppError('NOT_LOGGED_IN', 'you are not signed in', { hint: 'sign in with `okpay login`, or (for a locked account) pass --email and your password' });
  }
  return actAs(ctx, token, {}, (t, actor) => newTicket(t, ctx, actor, request));
}

const BAD_CREDENTIALS = () => new AppError('BAD_CREDENTIALS', 'the email or the password is wrong', { hint: 'forgot the password? `okpay password reset --email …`' });

async function openWithPassword(ctx: Context, o: NewOptions, request: TicketRequest): Promise<OpenedTicket> {
  const email = normalizeEmail(o.email ?? '');
  const password = await readPassword(ctx, { passwordStdin: o.passwordStdin });
  return withOtp(ctx, o.otp, (code) => attemptWithPassword(ctx, email, password, code, request));
}

async function attemptWithPassword(ctx: Context, email: string, password: string, code: string | undefined, request: TicketRequest): Promise<OpenedTicket | typeof NEED_OTP> {
  const unlockToken = newToken(ctx.random, 'unl');
  return ctx.store.transaction(async (t) => {
    const user = await t.users.byEmail(email);
    const passwordOk = user ? await ctx.passwords.verify(password, user.passwordHash) : (await ctx.passwords.verifyNothing(password), false);
    if (!user || !passwordOk) {
      if (user) await countFailedSignIn(ctx, t, user, unlockToken);
      audit(ctx, t, 'ticket.sign-in-failure', null, user?.id ?? null, { reason: 'bad-credentials' });
      t.failAfterCommit(BAD_CREDENTIALS());
      return NEED_OTP;
    }
    if (user.status !== 'active') throw new AppError('NOT_ACTIVATED', `the account ${user.email} is not activated yet`, { hint: 'use the token from the activation mail: `okpay activate TOKEN`' });
    let customer = user;
    if (user.twoFactor.enabled) {
      if (code === undefined) return NEED_OTP;
      const outcome = verifySecondFactor(user, code, (secret, c, after) => ctx.totp.verify(secret, c, ctx.now().getTime(), after), ctx.now().toISOString());
      if (!outcome.ok) {
        audit(ctx, t, 'ticket.sign-in-failure', null, user.id, { reason: `otp-${outcome.reason}` });
        t.failAfterCommit(new AppError('BAD_OTP', secondFactorMessage(outcome.reason)));
        return NEED_OTP;
      }
      customer = outcome.user;
      t.users.put(customer);
    }
    return openTicketFor(t, ctx, customer, request);
  });
}

/** A wrong password here counts like a failed sign-in, so this door is no way around the lockout. */
async function countFailedSignIn(ctx: Context, t: StoreTransaction, user: User, unlockToken: string): Promise<void> {
  const nowMs = ctx.now().getTime();
  const { user: updated, lockedNow } = recordFailedSignIn(user, new Date(nowMs).toISOString(), tokenRecord(sha256Hex(unlockToken), nowMs, UNLOCK_TOKEN_TTL_MS));
  t.users.put(updated);
  if (!lockedNow) return;
  await endSessionsByLock(t, user.id, new Date(nowMs).toISOString());
  t.mail(lockedAfterFailuresMail(updated, unlockToken, explainLock(updated)), new Date(nowMs).toISOString());
  audit(ctx, t, 'account.locked', null, user.id, { reason: 'failed-logins' });
}

function printOpened(ctx: Context, opened: OpenedTicket): void {
  const { detail, duplicate } = opened;
  const ticket = detail.ticket;
  ctx.out.data({ ticket: ticketDocument(detail, { duplicate }) }, () => {
    if (duplicate) {
      ctx.out.warn(`you sent this same request at ${ticket.createdAt.slice(0, 16).replace('T', ' ')} UTC: it is ticket #${ticket.number}, still ${ticket.status}; nothing new was queued`);
    } else {
      ctx.out.success(`Ticket #${ticket.number} opened (priority ${ticket.priority}). We mailed you a confirmation.`);
    }
    printTicket(ctx, detail);
    ctx.out.note(`Add details with \`okpay ticket reply ${ticket.number} --body "…"\`.`);
  });
}
