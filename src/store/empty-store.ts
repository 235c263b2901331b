// Whether a store holds nothing yet (`store copy` fills only such a store): no entry, mail,
// ticket or user counted in its facts, and no record of any data kind.

import type { StoreMeta } from '../domain/state.js';
import { DATA_KINDS } from './record-kinds.js';
import type { RecordSource } from './record-view.js';

export async function holdsNothing(meta: StoreMeta, users: number, source: RecordSource): Promise<boolean> {
  if (meta.journal.seq !== 0 || meta.audit.seq !== 0 || meta.mailSeq !== 0 || meta.ticketSeq !== 0 || users !== 0) return false;
  for (const kind of DATA_KINDS) for await (const batch of source.scan(kind)) if (batch.length > 0) return false;
  return true;
}
