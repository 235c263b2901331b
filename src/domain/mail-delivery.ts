// Delivery of the outbox by SMTP: each mail made while a mail server is configured gets a delivery
// record beside it (the .eml stays the record of what was sent). A record is claimed for a while
// by the process that tries it, so two processes never send one mail at the same moment; a failure
// waits longer before each retry (1 minute, doubling, at most 6 hours).

import * as v from 'valibot';
import { int, object, onFirstUse, readonly } from './schema.js';
import type { MailRecord } from './mail.js';

const DELIVERY_STATUSES = ['queued', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A delivery record; the store checks each one it reads back against this schema. */
export const deliverySchema = onFirstUse(() =>
  readonly(
    object({
      mailId: v.string(),
      status: v.picklist(DELIVERY_STATUSES),
      /** Tries so far, successful or not. */
      attempts: v.pipe(int(), v.minValue(0)),
      queuedAt: v.string(),
      lastAttemptAt: v.nullable(v.string()),
      /** Not tried again before this time (unless asked by name). */
      nextAttemptAt: v.string(),
      /** A process is trying it until this time; null when nobody is. */
      claimedUntil: v.nullable(v.string()),
      /** The server's answer to the accepted message, e.g. "250 2.0.0 Ok: queued as 4F2A". */
      response: v.nullable(v.string()),
      lastError: v.nullable(v.string()),
      sentAt: v.nullable(v.string()),
    }),
  ),
);
export type Delivery = v.InferOutput<ReturnType<typeof deliverySchema>>;

export type DeliveryOutcome = { readonly ok: true; readonly response: string } | { readonly ok: false; readonly error: string };

/** How long a claim lasts: longer than any one try (connection, greeting and data timeouts). */
export const CLAIM_MS = 5 * 60_000;
const FIRST_RETRY_MS = 60_000;
const LONGEST_RETRY_MS = 6 * 3_600_000;
/** Server answers and errors are kept to this many characters. */
const TEXT_MAX = 500;

const plus = (iso: string, ms: number): string => new Date(Date.parse(iso) + ms).toISOString();

/** Only mails to email addresses go by SMTP (text messages to phone numbers stay in the outbox). */
export function deliverableByMail(mail: MailRecord): boolean {
  return /^[^@\s]+@[^@\s]+$/.test(mail.to);
}

/** The record of a mail just made, claimed by the process that made it, which tries it right after its commit. */
export function queuedDelivery(mailId: string, nowIso: string): Delivery {
  return {
    mailId,
    status: 'queued',
    attempts: 0,
    queuedAt: nowIso,
    lastAttemptAt: null,
    nextAttemptAt: nowIso,
    claimedUntil: plus(nowIso, CLAIM_MS),
    response: null,
    lastError: null,
    sentAt: null,
  };
}

/** Whether `outbox send` takes it now: not sent, not claimed by a process still trying, due (or named). */
export function mayTry(delivery: Delivery, nowIso: string, named: boolean): boolean {
  if (delivery.status === 'sent') return false;
  if (delivery.claimedUntil !== null && delivery.claimedUntil > nowIso) return false;
  return named || delivery.nextAttemptAt <= nowIso;
}

export function claimed(delivery: Delivery, nowIso: string): Delivery {
  return { ...delivery, claimedUntil: plus(nowIso, CLAIM_MS) };
}

/** The record after one try; a failure is retried after a delay that doubles with each failure. */
export function afterAttempt(delivery: Delivery, outcome: DeliveryOutcome, nowIso: string): Delivery {
  const attempts = delivery.attempts + 1;
  const base = { ...delivery, attempts, lastAttemptAt: nowIso, claimedUntil: null };
  if (outcome.ok) return { ...base, status: 'sent', response: clip(outcome.response), sentAt: nowIso, nextAttemptAt: nowIso };
  const waitMs = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(attempts - 1, 20));
  return { ...base, status: 'failed', lastError: clip(outcome.error), nextAttemptAt: plus(nowIso, waitMs) };
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > TEXT_MAX ? `${oneLine.slice(0, TEXT_MAX - 1)}…` : oneLine;
}
