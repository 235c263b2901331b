// The mails a customer gets about a ticket — received, answered, status changed — in the ticket's
// language (en, zh, es, fr, de), with the anti-phishing phrase when the customer set one.

import { usableThreadIds, type OutgoingMail } from './mail.js';
import { MAIL_TEXTS } from './mail-texts/index.js';
import type { ChangedStatus } from './mail-texts/types.js';
import type { User } from './state.js';
import type { Ticket } from './ticket-record.js';

/** The Message-IDs of the customer's own mails on a ticket (imported by `ticket import`), oldest first. */
export type CustomerMailIds = readonly string[];

function compose(customer: User, ticket: Ticket, kind: string, subject: string, text: string, thread: CustomerMailIds = []): OutgoingMail {
  const phrases = MAIL_TEXTS[ticket.language].ticket;
  const inReplyTo = usableThreadIds(thread);
  return {
    to: customer.email,
    userId: customer.id,
    kind,
    language: ticket.language,
    subject,
    text: `${text}\n\n${phrases.replyHint(ticket.number)}\n\n${phrases.signature}`,
    antiPhishingPhrase: customer.antiPhishingPhrase,
    ...(inReplyTo.length === 0 ? {} : { inReplyTo }),
  };
}

/** The acknowledgement of a new ticket; `expectedBy` is the first-reply deadline as local text, if one runs. */
export function ticketReceivedMail(customer: User, ticket: Ticket, expectedBy: string | null): OutgoingMail {
  const phrases = MAIL_TEXTS[ticket.language].ticket;
  return compose(
    customer,
    ticket,
    'ticket-received',
    phrases.receivedSubject(ticket.number, ticket.subject),
    phrases.received(ticket.number, expectedBy, ticket.relatedTo),
  );
}

/** An agent's public answer, quoted in full. */
export function ticketReplyMail(customer: User, ticket: Ticket, body: string, thread: CustomerMailIds = []): OutgoingMail {
  const phrases = MAIL_TEXTS[ticket.language].ticket;
  return compose(
    customer,
    ticket,
    'ticket-reply',
    phrases.replySubject(ticket.number, ticket.subject),
    phrases.reply(ticket.number, body, phrases.status[ticket.status]),
    thread,
  );
}

/** A status change the customer did not make themselves. */
export function ticketStatusMail(customer: User, ticket: Ticket, to: ChangedStatus, thread: CustomerMailIds = []): OutgoingMail {
  const phrases = MAIL_TEXTS[ticket.language].ticket;
  return compose(
    customer,
    ticket,
    'ticket-status',
    phrases.statusSubject(ticket.number, phrases.status[to], ticket.subject),
    phrases.statusText(ticket.number, to, ticket.mergedInto),
    thread,
  );
}
