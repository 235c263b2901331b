// One audit line of a use-case, at the instant the use-case read at its start.

import type { AuditValue } from '../domain/audit.js';
import type { RecordsTransaction } from '../store/store.js';

export function audit(
  t: RecordsTransaction,
  atIso: string,
  type: string,
  actor: string | null,
  subject: string | null,
  details: Record<string, AuditValue> = {},
): void {
  t.audit({ at: atIso, type, actor, subject, details });
}
