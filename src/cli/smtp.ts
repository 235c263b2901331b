// The mail server of OKPAY_SMTP_URL, through nodemailer (loaded only when a mail is delivered):
// the stored .eml is sent as it is, so what the customer receives is byte for byte the outbox's
// record. Every wait on the server is bounded by OKPAY_SMTP_TIMEOUT.

import type { MailSender } from '../app/deliveries.js';
import type { MailRecord } from '../domain/mail.js';
import { importNodemailer } from './libraries.js';
import type { SmtpConfig } from './smtp-config.js';

const ENVELOPE_FROM = 'no-reply@okpay.example';

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
