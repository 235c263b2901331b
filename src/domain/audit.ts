// The audit trail of security and agent events. Entries are hash-chained like the journal, so
// editing or deleting one breaks the chain that `okpay verify` checks.

import type { UserId } from './state.js';

export type AuditValue = string | number | boolean | null;

export interface AuditEvent {
  readonly at: string;
  /** e.g. login.success, login.failure, account.locked, 2fa.enabled, ticket.reply, refund.issued */
  readonly type: string;
  readonly actor: UserId | null;
  readonly subject: UserId | null;
  /** Never secrets: no passwords, codes, tokens or full account numbers. */
  readonly details: Readonly<Record<string, AuditValue>>;
}

export interface AuditEntry {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly end: boolean;
  readonly event: AuditEvent;
}
