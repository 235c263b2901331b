// Every language's mail texts, by language: the one place a mail's wording lives.

import type { Language } from '../language.js';
import type { OutgoingMail } from '../mail.js';
import type { User } from '../state.js';
import { de } from './de.js';
import { en } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import type { MailText, MailTexts } from './types.js';
import { zh } from './zh.js';

export const MAIL_TEXTS: Readonly<Record<Language, MailTexts>> = { en, zh, es, fr, de };

/** A mail to a customer in their language (English until they choose one), signed in it. */
export function mailTo(user: User, kind: string, choose: (texts: MailTexts) => MailText): OutgoingMail {
  const language = user.language ?? 'en';
  const texts = MAIL_TEXTS[language];
  const { subject, text } = choose(texts);
  return { to: user.email, userId: user.id, kind, language, subject, text: `${text}\n\n${texts.signature}`, antiPhishingPhrase: user.antiPhishingPhrase };
}
