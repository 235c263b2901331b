// Idempotency keys: a payment retried with the same key and the same request gets the original
// transaction back; the same key with a different request is a conflict. A key is kept 30 days.

import { AppError } from './errors.js';
import { canonicalJson, sha256Hex } from './hashing.js';
import type { IdempotencyRecord, TxId } from './state.js';

export const IDEMPOTENCY_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

export function checkIdempotencyKey(key: string): string {
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new AppError('INVALID_IDEMPOTENCY_KEY', 'the idempotency key must be 1–64 characters of letters, digits and . _ : -', {
      hint: 'for example --idempotency-key invoice-2026-0042',
    });
  }
  return key;
}

export function fingerprint(request: Readonly<Record<string, string | null>>): string {
  return sha256Hex(canonicalJson(request));
}

/** The earlier transaction for this key and request, null for a new key, or a conflict. */
export function priorForKey(record: IdempotencyRecord | null, key: string, requestFingerprint: string, nowMs: number): TxId | null {
  if (!record || Date.parse(record.expiresAt) <= nowMs) return null;
  if (record.fingerprint !== requestFingerprint) throw conflict(key, record.txId);
  return record.txId;
}

/** What a payment made under a quote kept of it: the quote's id and the memo. */
export interface QuotedPayment {
  readonly quoteId: string | undefined;
  readonly memo: string | null;
}

/**
 * A payment by quote id retried under its key, told without the quote (which `admin settle` may have
 * pruned once it expired): the key's transaction `paid` that very quote, so the request is the same
 * when the memo is. Null when the key is new or paid something else (the quote then says what is asked).
 */
export function priorForQuote(record: IdempotencyRecord | null, key: string, paid: QuotedPayment, retry: QuotedPayment, nowMs: number): TxId | null {
  if (!record || Date.parse(record.expiresAt) <= nowMs || paid.quoteId === undefined || paid.quoteId !== retry.quoteId) return null;
  if (paid.memo !== retry.memo) throw conflict(key, record.txId);
  return record.txId;
}

function conflict(key: string, txId: TxId): AppError {
  return new AppError('IDEMPOTENCY_CONFLICT', `the idempotency key "${key}" was already used for a different request (${txId})`, {
    hint: 'use a new key for a new payment',
  });
}
