// The mail server of OKPAY_SMTP_URL, through nodemailer (loaded only when a mail is delivered):
// the stored .eml is sent as it is, so what the customer receives is byte for byte the outbox's
// record. Every wait on the server is bounded by OKPAY_SMTP_TIMEOUT.

import type { MailSender } from '../app/deliveries.js';
import { AppError } from '../domain/errors.js';
import type { MailRecord } from '../domain/mail.js';
import { maskDatabaseUrl } from '../store/pg/url.js';
import type { Env } from './env.js';
import { importNodemailer } from './libraries.js';

export interface SmtpConfig {
  readonly url: string;
  /** The URL as printed: the password masked. */
  readonly shown: string;
  readonly timeoutMs: number;
}

const ENVELOPE_FROM = 'no-reply@okpay.example';
const DEFAULT_TIMEOUT_S = 10;
const LONGEST_TIMEOUT_S = 300;

/** The configured server, or null when mail stays in the outbox. A bad setting is a usage error before anything runs. */
export function smtpConfig(env: Env): SmtpConfig | null {
  if (env.smtpUrl === undefined) return null;
  const url = env.smtpUrl.trim();
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (parsed === null || !['smtp:', 'smtps:'].includes(parsed.protocol) || parsed.hostname === '') {
    throw new AppError('USAGE', 'OKPAY_SMTP_URL is not an smtp:// or smtps:// URL', {
      hint: 'for example smtps://okpay:secret@mail.example.com:465 or smtp://mail.example.com:587',
    });
  }
  return { url, shown: maskDatabaseUrl(url), timeoutMs: timeoutSeconds(env.smtpTimeout) * 1000 };
}

function timeoutSeconds(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_S;
  const seconds = /^[0-9]{1,3}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(seconds >= 1 && seconds <= LONGEST_TIMEOUT_S))
    throw new AppError('USAGE', `OKPAY_SMTP_TIMEOUT must be a whole number of seconds from 1 to ${LONGEST_TIMEOUT_S}`);
  return seconds;
}

/** One connection, reused for every mail of a run, closed by `close`. */
export async function smtpSender(config: SmtpConfig): Promise<MailSender> {
  const nodemailer = (await importNodemailer()).default;
  const transport = nodemailer.createTransport({
    url: config.url,
    pool: true,
    maxConnections: 1,
    connectionTimeout: config.timeoutMs,
    greetingTimeout: config.timeoutMs,
    socketTimeout: config.timeoutMs,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    send: async (mail: MailRecord, raw: string) => {
      try {
        const info = await transport.sendMail({ envelope: { from: ENVELOPE_FROM, to: [mail.to] }, raw });
        if (info.rejected.length > 0) return { ok: false, error: `the server refused ${mail.to}: ${info.response}` };
        return { ok: true, response: info.response };
      } catch (error) {
        return failure(error);
      }
    },
    close: () => transport.close(),
  };
}

/** A server that answered gives its reply; otherwise the connection never worked and later mails would wait in vain. */
function failure(error: unknown): { ok: false; error: string; unreachable: boolean } {
  const found = error as { response?: unknown; message?: unknown; responseCode?: unknown };
  if (typeof found.response === 'string' && found.response !== '') return { ok: false, error: found.response, unreachable: false };
  const message = typeof found.message === 'string' ? found.message : String(error);
  return { ok: false, error: message, unreachable: typeof found.responseCode !== 'number' };
}
