// The bulk form of `ticket assign|set|resolve|close`: several numbers, or filters, instead of
// one number. Asks before acting (several numbers: on a terminal, else --yes; filters: always
// --yes, since what a filter selects can change between looking and acting), then prints one
// row per ticket. When any ticket refuses, nothing changes and the report says which and why.

import { BulkRefused, bulkChange, type BulkAction, type BulkOutcome, type BulkTarget } from '../app/bulk.js';
import { AppError } from '../domain/errors.js';
import { parseTicketNumber } from '../domain/ticket-input.js';
import { sessionToken } from './auth.js';
import type { Context } from './context.js';
import { confirmOrRequireYes } from './prompts.js';
import { actAs } from './signed-in.js';
import { parseSelection, selectsByFilter, type FilterOptions } from './ticket-filters.js';

/** One ticket (the verb's usual form) or a bulk target. */
export type TicketTarget = { readonly single: number } | BulkTarget;

const MAX_NUMBERS = 500;

/** The tickets the arguments and filters name: numbers or filters, not both, and at least one. */
export function ticketTarget(args: readonly string[], o: FilterOptions): TicketTarget {
  const selection = parseSelection(o, 'created');
  const byFilter = selectsByFilter(selection);
  if (byFilter && args.length > 0) throw new AppError('USAGE', 'name tickets by number or select them with filters, not both');
  if (byFilter) return { selection };
  if (args.length === 0)
    throw new AppError('USAGE', 'name the tickets: one or more numbers, or filters such as --search or --status', {
      hint: 'e.g. `okpay ticket resolve 12 14 15`',
    });
  if (args.length > MAX_NUMBERS) throw new AppError('TOO_MANY_TICKETS', `${args.length} ticket numbers given; one bulk change takes at most ${MAX_NUMBERS}`);
  const numbers = [...new Set(args.map(parseTicketNumber))];
  return numbers.length === 1 && numbers[0] !== undefined ? { single: numbers[0] } : { numbers };
}

export interface BulkRun {
  /** The verb as typed, e.g. "resolve". */
  readonly verb: string;
  /** What happened to a changed ticket, e.g. "solved". */
  readonly done: string;
  readonly action: BulkAction;
  readonly yes: boolean | undefined;
}

async function confirm(ctx: Context, target: BulkTarget, run: BulkRun): Promise<void> {
  if ('numbers' in target)
    return confirmOrRequireYes(ctx, `${run.verb} ${target.numbers.length} tickets (${target.numbers.map((n) => `#${n}`).join(', ')})?`, run.yes);
  if (run.yes === true) return;
  throw new AppError('CONFIRMATION_REQUIRED', `changing the tickets a filter selects needs --yes`, {
    hint: 'see which they are with `okpay ticket list` and the same filters, then add --yes',
  });
}

export async function runBulk(ctx: Context, target: BulkTarget, run: BulkRun): Promise<void> {
  await confirm(ctx, target, run);
  const token = await sessionToken(ctx);
  let outcomes: readonly BulkOutcome[];
  try {
    outcomes = await actAs(ctx, token, { roles: ['agent'], what: `\`ticket ${run.verb}\`` }, (t, actor) => bulkChange(t, ctx, actor, target, run.action));
  } catch (error) {
    if (!(error instanceof BulkRefused)) throw error;
    outcomes = error.outcomes;
  }
  report(ctx, run, outcomes);
  const failed = outcomes.filter((outcome) => outcome.error !== null);
  const first = failed[0]?.error;
  if (first)
    throw new AppError(
      first.code,
      `${failed.length} of ${outcomes.length} tickets cannot be ${run.done} (first: #${failed[0]?.number}: ${first.message}); nothing was changed`,
    );
}

function outcomeDocument(outcome: BulkOutcome) {
  return {
    number: outcome.number,
    result: outcome.result,
    status: outcome.ticket?.status ?? null,
    priority: outcome.ticket?.priority ?? null,
    assignee: outcome.assigneeEmail,
    error: outcome.error,
  };
}

function detail(outcome: BulkOutcome, run: BulkRun): string {
  if (outcome.error) return outcome.error.message;
  if (outcome.result === 'not-changed') return 'not changed: another ticket failed';
  return outcome.assigneeEmail === null ? (outcome.ticket?.status ?? run.done) : `assigned to ${outcome.assigneeEmail}`;
}

function report(ctx: Context, run: BulkRun, outcomes: readonly BulkOutcome[]): void {
  const count = (result: BulkOutcome['result']) => outcomes.filter((o) => o.result === result).length;
  const summary = { action: run.verb, selected: outcomes.length, changed: count('changed'), failed: count('failed') };
  ctx.out.data({ bulk: summary, tickets: outcomes.map(outcomeDocument) }, () => {
    ctx.out.table(
      [
        { key: 'number', title: '#', align: 'right' },
        { key: 'result', title: 'Result' },
        { key: 'detail', title: 'Status / reason' },
      ],
      outcomes.map((outcome) => ({ number: outcome.number, result: outcome.result, detail: detail(outcome, run) })),
      'no ticket matches; nothing was changed',
    );
    if (summary.failed === 0 && summary.changed > 0) ctx.out.success(`${summary.changed} ticket${summary.changed === 1 ? '' : 's'} ${run.done}.`);
  });
}
