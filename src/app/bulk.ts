// An agent's change to many tickets at once (`ticket assign|set|resolve|close N N …`, or the
// tickets a filter selects): each ticket goes through the same use-case as the one-ticket verb,
// with its checks, mail and audit entry, inside one store transaction. A ticket that cannot take
// the change rolls the whole transaction back, so either every ticket changed or none did.

import { AppError, isAppError, type ErrorCode } from '../domain/errors.js';
import { TICKET_STATUSES, type Ticket, type TicketStatus } from '../domain/ticket-record.js';
import type { RecordsTransaction } from '../store/store.js';
import { assignAsAgent, setStatusAsAgent, updateAsAgent, type TicketChanges } from './agent.js';
import type { Actor } from './authenticate.js';
import { filterOf, selectTickets, type TicketSelection } from './desk.js';
import type { AppDeps } from './ports.js';

/** A bound on one bulk change, so a loose filter cannot rewrite the whole desk in one commit. */
export const MAX_BULK_TICKETS = 500;

export type BulkAction =
  | { readonly verb: 'assign'; readonly toEmail: string | null }
  | { readonly verb: 'set'; readonly changes: TicketChanges }
  | { readonly verb: 'resolve' | 'close'; readonly to: TicketStatus };

/** The tickets named by number, or those a filter selects (in number order). */
export type BulkTarget = { readonly numbers: readonly number[] } | { readonly selection: TicketSelection };

export interface BulkOutcome {
  readonly number: number;
  /** changed; failed (the reason is in `error`); not-changed: it could have, but another ticket failed. */
  readonly result: 'changed' | 'failed' | 'not-changed';
  readonly ticket: Ticket | null;
  readonly assigneeEmail: string | null;
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly exitCode: number } | null;
}

/** Thrown out of the store transaction (so nothing commits) when any ticket failed; carries the report. */
export class BulkRefused extends Error {
  constructor(readonly outcomes: readonly BulkOutcome[]) {
    super('bulk change refused');
  }
}

async function targetNumbers(t: RecordsTransaction, deps: AppDeps, actor: Actor, target: BulkTarget): Promise<number[]> {
  if ('numbers' in target) return [...new Set(target.numbers)];
  const filter = await filterOf(t, actor.user, target.selection);
  const candidates = await t.tickets.withStatus(filter.statuses ?? TICKET_STATUSES);
  const found = await selectTickets(t, deps.ref, candidates, filter, target.selection.sort, 'agent', deps.now().getTime());
  return found.map((entry) => entry.ticket.number).sort((a, b) => a - b);
}

async function applyOne(
  t: RecordsTransaction,
  deps: AppDeps,
  actor: Actor,
  number: number,
  action: BulkAction,
): Promise<{ ticket: Ticket; assigneeEmail: string | null }> {
  switch (action.verb) {
    case 'assign': {
      const { ticket, assignee } = await assignAsAgent(t, deps, actor, number, action.toEmail);
      return { ticket, assigneeEmail: assignee.email };
    }
    case 'set':
      return { ticket: await updateAsAgent(t, deps, actor, number, action.changes), assigneeEmail: null };
    default:
      return { ticket: await setStatusAsAgent(t, deps, actor, number, action.to, action.verb), assigneeEmail: null };
  }
}

/** Applies the action to every target ticket, or to none (BulkRefused) when any of them refuses it. */
export async function bulkChange(t: RecordsTransaction, deps: AppDeps, actor: Actor, target: BulkTarget, action: BulkAction): Promise<BulkOutcome[]> {
  const numbers = await targetNumbers(t, deps, actor, target);
  if (numbers.length > MAX_BULK_TICKETS) {
    throw new AppError('TOO_MANY_TICKETS', `${numbers.length} tickets selected; one bulk change takes at most ${MAX_BULK_TICKETS}`);
  }
  const outcomes: BulkOutcome[] = [];
  for (const number of numbers) {
    try {
      const done = await applyOne(t, deps, actor, number, action);
      outcomes.push({ number, result: 'changed', ticket: done.ticket, assigneeEmail: done.assigneeEmail, error: null });
    } catch (error) {
      if (!isAppError(error)) throw error;
      outcomes.push({
        number,
        result: 'failed',
        ticket: null,
        assigneeEmail: null,
        error: { code: error.code, message: error.message, exitCode: error.exitCode },
      });
    }
  }
  if (outcomes.some((outcome) => outcome.result === 'failed'))
    throw new BulkRefused(outcomes.map((o) => (o.result === 'changed' ? { ...o, result: 'not-changed', ticket: null, assigneeEmail: null } : o)));
  return outcomes;
}
