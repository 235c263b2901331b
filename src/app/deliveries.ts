// Delivering the outbox by SMTP. A mail made while a server is configured is queued in the
// transaction that made it and tried once that transaction has committed (never before: a mail
// about something that did not happen must not leave). `outbox send` tries again what is still
// waiting. Trying never holds the store: the mails are read, sent, and the outcomes written in a
// second, short transaction.

import { afterAttempt, claimed, deliverableByMail, mayTry, queuedDelivery, type Delivery, type DeliveryOutcome } from '../domain/mail-delivery.js';
import type { MailRecord } from '../domain/mail.js';
import type { RecordStore, RecordsTransaction } from '../store/store.js';

export interface MailSender {
  /** Sends one stored message as it is (the .eml text); never throws, the outcome says what happened. */
  send(mail: MailRecord, raw: string): Promise<DeliveryOutcome & { readonly unreachable?: boolean }>;
  close(): void;
}

export interface DeliveryResult {
  readonly mailId: string;
  readonly to: string;
  /** What the try did; "untried" when the server could not be reached for an earlier mail, or time ran out. */
  readonly outcome: 'sent' | 'failed' | 'untried';
  readonly delivery: Delivery | null;
}

/** Queues the SMTP delivery of the mails this transaction made; returns their ids. */
export function queueDeliveries(t: RecordsTransaction, nowIso: string): string[] {
  const queued = t.mails.filter(deliverableByMail).map((mail) => queuedDelivery(mail.id, nowIso));
  for (const delivery of queued) t.deliveries.put(delivery);
  return queued.map((d) => d.mailId);
}

/** Claims what `outbox send` may try now: the named mails, or every waiting one that is due (at most `limit`). */
export async function claimWaiting(
  store: RecordStore,
  now: () => Date,
  named: readonly string[] | null,
  limit: number,
): Promise<{ claimedIds: string[]; notWaiting: string[] }> {
  return store.transaction(async (t) => {
    const nowIso = now().toISOString();
    const ids = named ?? (await t.deliveries.waiting(limit));
    const claimedIds: string[] = [];
    const notWaiting: string[] = [];
    for (const id of ids) {
      const delivery = await t.deliveries.get(id);
      if (delivery === null || !mayTry(delivery, nowIso, named !== null)) {
        if (named !== null) notWaiting.push(id);
        continue;
      }
      t.deliveries.put(claimed(delivery, nowIso));
      claimedIds.push(id);
    }
    return { claimedIds, notWaiting };
  });
}

/**
 * Tries the given (claimed) mails in order, within `budgetMs`, and writes each outcome. After a
 * server that cannot be reached, or past the budget, the rest are released untried for a later
 * `outbox send`, so a down server costs one timeout, not one per mail.
 */
export async function deliverClaimed(
  store: RecordStore,
  sender: MailSender,
  now: () => Date,
  mailIds: readonly string[],
  budgetMs: number,
): Promise<DeliveryResult[]> {
  const mails = await store.read(async (t) => Promise.all(mailIds.map(async (id) => ({ id, found: await t.outbox.get(id) }))));
  const deadline = Date.now() + budgetMs;
  const outcomes = new Map<string, DeliveryOutcome>();
  try {
    for (const { id, found } of mails) {
      if (found === null || Date.now() >= deadline) continue;
      const outcome = await sender.send(found.mail, found.raw);
      outcomes.set(id, outcome);
      if (outcome.unreachable) break;
    }
  } finally {
    sender.close();
  }
  return record(
    store,
    now,
    mails.map((m) => ({ id: m.id, to: m.found?.mail.to ?? '' })),
    outcomes,
  );
}

async function record(
  store: RecordStore,
  now: () => Date,
  mails: readonly { id: string; to: string }[],
  outcomes: ReadonlyMap<string, DeliveryOutcome>,
): Promise<DeliveryResult[]> {
  return store.transaction(async (t) => {
    const nowIso = now().toISOString();
    const results: DeliveryResult[] = [];
    for (const { id, to } of mails) {
      const current = await t.deliveries.get(id);
      const outcome = outcomes.get(id);
      // Someone may have sent it meanwhile (a claim that ran out): a sent mail stays sent.
      if (current === null || current.status === 'sent') {
        results.push({ mailId: id, to, outcome: 'untried', delivery: current });
        continue;
      }
      const next = outcome === undefined ? { ...current, claimedUntil: null } : afterAttempt(current, outcome, nowIso);
      t.deliveries.put(next);
      results.push({ mailId: id, to, outcome: outcome === undefined ? 'untried' : outcome.ok ? 'sent' : 'failed', delivery: next });
    }
    return results;
  });
}
