// The store as commands see it when OKPAY_SMTP_URL is set: each transaction that makes mail also
// queues its delivery, and once it has committed the mails are tried (never after a failed commit:
// its mail ids were never its own). Delivery never changes how the command ends: a server that is
// down or slow (bounded by the timeout) leaves the mail queued or failed, with a warning, and
// `okpay outbox send` tries it again. The delivery rules and the mail library load with the first
// transaction, so that a read does not load them.

import type { DeliveryResult } from '../app/deliveries.js';
import type { AppError } from '../domain/errors.js';
import type { RecordStore, RecordsTransaction, TransactionOptions } from '../store/store.js';
import type { Output } from './output.js';
import type { SmtpConfig } from './smtp-config.js';

export function deliveringStore(inner: RecordStore, config: SmtpConfig, now: () => Date, out: Output): RecordStore {
  return {
    location: inner.location,
    read: (work) => inner.read(work),
    transaction: async <T>(work: (t: RecordsTransaction) => Promise<T> | T, options?: TransactionOptions): Promise<T> => {
      const { queueDeliveries } = await import('../app/deliveries.js');
      let queued: string[] = [];
      let raisedAfterCommit: AppError | null = null;
      let committed = false;
      try {
        const result = await inner.transaction(async (t) => {
          // A store may run the work again (PostgreSQL, after a conflict): only the last run's mails count.
          queued = [];
          const result = await work(t);
          queued = queueDeliveries(t, now().toISOString());
          raisedAfterCommit = t.deferredError;
          return result;
        }, options);
        committed = true;
        return result;
      } catch (error) {
        // An error raised after the commit (a counted failed sign-in) keeps its mail. Any other: the
        // commit failed, or may have (a connection lost while committing), and its mail ids may name
        // another command's mails by now; a mail that did commit stays queued for `outbox send`.
        committed = raisedAfterCommit !== null && error === raisedAfterCommit;
        throw error;
      } finally {
        if (committed && queued.length > 0) await deliverQuietly(inner, config, now, queued, out);
      }
    },
  };
}

async function deliverQuietly(store: RecordStore, config: SmtpConfig, now: () => Date, mailIds: readonly string[], out: Output): Promise<void> {
  try {
    const [{ deliverClaimed }, { smtpSender }] = await Promise.all([import('../app/deliveries.js'), import('./smtp.js')]);
    const results = await deliverClaimed(store, await smtpSender(config), now, mailIds, config.timeoutMs);
    for (const result of results) warnUnsent(result, out);
  } catch (error) {
    out.warn(`the mail could not be handed to ${config.shown} (${error instanceof Error ? error.message : String(error)}); \`okpay outbox send\` tries again`);
  }
}

function warnUnsent(result: DeliveryResult, out: Output): void {
  if (result.outcome === 'sent' || result.delivery === null) return;
  const why = result.outcome === 'failed' ? (result.delivery.lastError ?? 'failed') : 'not tried';
  out.warn(`mail ${result.mailId} to ${result.to} is not delivered yet (${why}); \`okpay outbox send\` tries again`);
}
