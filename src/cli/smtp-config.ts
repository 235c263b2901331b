// The mail server setting (OKPAY_SMTP_URL, OKPAY_SMTP_TIMEOUT), checked before a command runs. Apart
// from smtp.ts, which sends through nodemailer, so that reading the setting loads no mail library.

import { AppError } from '../domain/errors.js';
import { maskDatabaseUrl } from '../store/pg/url.js';
import type { Env } from './env.js';

export interface SmtpConfig {
  readonly url: string;
  /** The URL as printed: the password masked. */
  readonly shown: string;
  readonly timeoutMs: number;
}

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
