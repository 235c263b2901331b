// What the triage console asks of the command that runs it: the queue, a ticket's panel, the moves
// it can make on a ticket (the same use-cases as the `ticket`/`agent` commands), and the editor.

import type { AgentQueue } from '../app/agent.js';
import type { SeenVersion, TriagePanel } from '../app/triage.js';
import type { Priority, TicketCategory } from '../domain/ticket-kinds.js';

export type TriageAction =
  | { readonly kind: 'reply'; readonly body: string | null; readonly faqId: string | null }
  | { readonly kind: 'macro'; readonly name: string }
  | { readonly kind: 'note'; readonly body: string }
  | { readonly kind: 'assign'; readonly to: 'me' | 'auto' | { readonly email: string } }
  | { readonly kind: 'priority'; readonly priority: Priority }
  | { readonly kind: 'category'; readonly category: TicketCategory }
  | { readonly kind: 'merge'; readonly into: number }
  | { readonly kind: 'status'; readonly to: 'solved' | 'closed' | 'on-hold' | 'open' }
  | { readonly kind: 'escalate' }
  | { readonly kind: 'refund'; readonly txId: string }
  | { readonly kind: 'lock'; readonly email: string; readonly reason: string };

export interface TriageDesk {
  queue(): Promise<AgentQueue>;
  panel(number: number): Promise<TriagePanel>;
  /** Performs the action if the ticket is still as `seen`; says what was done. */
  act(seen: SeenVersion, action: TriageAction): Promise<string>;
  /** Opens the editor on a draft; the text written, or null (cancelled). Null editor: no editor set. */
  readonly editor: ((draft: string) => Promise<string | null>) | null;
  draft(panel: TriagePanel, kind: 'reply' | 'note'): string;
}
