// What the queue and ticket lists need of a ticket without its conversation. The store keeps it
// beside the ticket (indexed by status, assignee and customer), so listing the open queue never
// loads every message of every ticket.

import type { UserId } from './state.js';
import type { TicketStatus } from './tickets.js';

export interface TicketSummary {
  readonly number: number;
  readonly customerId: UserId;
  readonly status: TicketStatus;
  readonly assigneeId: UserId | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Everything else the queue and lists show or sort by (priority, tier, SLA due times, …). */
  readonly [field: string]: unknown;
}
