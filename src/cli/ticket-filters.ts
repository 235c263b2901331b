// The filter and sort options that `ticket list`, `agent queue` and the bulk ticket verbs share,
// and how their text becomes a ticket selection. Each filter takes one value or a comma-separated
// list ("--status open,pending"); different filters must all match.

import type { Command, OptionValues } from '@commander-js/extra-typings';
import type { AssigneeQuery, TicketSelection } from '../app/desk.js';
import { AppError } from '../domain/errors.js';
import { parseLanguage } from '../domain/language.js';
import { queryTerms, TICKET_SORTS, type TicketSort } from '../domain/ticket-filter.js';
import { parseCategory, parseChannel, parsePriority, parseStatus } from '../domain/ticket-input.js';
import { boundedText, normalizeEmail } from '../domain/validate.js';

// Types, not interfaces: commander's option values are a record, which an interface is not.
export type FilterOptions = {
  status?: string;
  priority?: string;
  category?: string;
  language?: string;
  channel?: string;
  assignee?: string;
  mine?: boolean;
  unassigned?: boolean;
  breaching?: boolean;
  search?: string;
  sort?: string;
};

/** `ticket set` filters by status, priority and category with these, as its --status, --priority and --category are the change. */
type WhereOptions = {
  whereStatus?: string;
  wherePriority?: string;
  whereCategory?: string;
};

const SEARCH_MAX_CHARS = 200;

/**
 * Adds the filter options, and `--sort` when the command lists (`sortDefault` names its order).
 * `ticket set` takes --status, --priority and --category as the change to make, so there those
 * filters are --where-status, --where-priority and --where-category.
 */
export function filterOptions<Args extends unknown[], Options extends OptionValues, Globals extends OptionValues>(
  command: Command<Args, Options, Globals>,
  sortDefault: TicketSort | null,
  where = false,
): Command<Args, Options & FilterOptions & WhereOptions, Globals> {
  // The flags' names depend on `where`, so their type is stated here rather than inferred.
  const filtered = command as unknown as Command<Args, Options & FilterOptions & WhereOptions, Globals>;
  filtered
    .option(where ? '--where-status <list>' : '--status <list>', 'only these statuses, e.g. open or open,pending')
    .option(where ? '--where-priority <list>' : '--priority <list>', 'only these priorities: urgent, high, normal, low')
    .option(where ? '--where-category <list>' : '--category <list>', 'only these categories, e.g. dispute,funds')
    .option('--language <list>', 'only tickets in these languages, e.g. zh or de,fr')
    .option('--channel <list>', 'only tickets that came by email, chat, phone or social')
    .option('--assignee <who>', 'agents: @me, an agent’s email, or none (nobody holds it)')
    .option('--breaching', 'only tickets whose running SLA is missed or at risk')
    .option('--search <text>', 'only tickets whose subject or messages hold every word (Chinese too)');
  if (sortDefault !== null) filtered.option('--sort <order>', `urgency, created, updated or priority (default: ${sortDefault})`);
  return filtered;
}

function listOf<T>(text: string | undefined, flag: string, parse: (item: string) => T): T[] | null {
  if (text === undefined) return null;
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw new AppError('USAGE', `${flag} needs a value`);
  return [...new Set(items.map(parse))];
}

function assigneeOf(o: FilterOptions): AssigneeQuery {
  const given = [o.assignee !== undefined, o.mine === true, o.unassigned === true].filter(Boolean).length;
  if (given > 1) throw new AppError('USAGE', 'pass only one of --assignee, --mine and --unassigned');
  if (o.mine === true) return { kind: 'me' };
  if (o.unassigned === true) return { kind: 'none' };
  if (o.assignee === undefined) return { kind: 'any' };
  const who = o.assignee.trim().toLowerCase();
  if (who === '@me') return { kind: 'me' };
  if (who === 'none') return { kind: 'none' };
  return { kind: 'email', email: normalizeEmail(o.assignee) };
}

function searchOf(text: string | undefined): string[] | null {
  if (text === undefined) return null;
  const terms = queryTerms(boundedText(text, '--search', { min: 1, max: SEARCH_MAX_CHARS }));
  if (terms === null)
    throw new AppError('USAGE', '--search has no word to look for', {
      hint: 'very common words such as "the" or "的" are not searched; add a more telling word',
    });
  return terms;
}

export function parseSort(text: string | undefined, fallback: TicketSort): TicketSort {
  if (text === undefined) return fallback;
  const sort = TICKET_SORTS.find((name) => name === text.trim().toLowerCase());
  if (sort === undefined) throw new AppError('INVALID_CHOICE', `"${text.slice(0, 20)}" is not a sort order`, { hint: `use one of ${TICKET_SORTS.join(', ')}` });
  return sort;
}

/** The selection the options describe; a bad value is refused before anything is read. */
export function parseSelection(o: FilterOptions, sortDefault: TicketSort): TicketSelection {
  return {
    statuses: listOf(o.status, '--status', parseStatus),
    priorities: listOf(o.priority, '--priority', parsePriority),
    categories: listOf(o.category, '--category', parseCategory),
    languages: listOf(o.language, '--language', parseLanguage),
    channels: listOf(o.channel, '--channel', parseChannel),
    assignee: assigneeOf(o),
    breaching: o.breaching === true,
    search: searchOf(o.search),
    sort: parseSort(o.sort, sortDefault),
  };
}

/** Whether any filter was given (the bulk verbs select by numbers or by filters, never both). */
export function selectsByFilter(s: TicketSelection): boolean {
  return (
    [s.statuses, s.priorities, s.categories, s.languages, s.channels, s.search].some((value) => value !== null) || s.assignee.kind !== 'any' || s.breaching
  );
}

const FILTER_FLAGS: readonly (readonly [keyof FilterOptions, string])[] = [
  ['status', '--status'],
  ['priority', '--priority'],
  ['category', '--category'],
  ['language', '--language'],
  ['channel', '--channel'],
  ['assignee', '--assignee'],
  ['mine', '--mine'],
  ['unassigned', '--unassigned'],
  ['breaching', '--breaching'],
  ['search', '--search'],
];

/** The filters as typed, e.g. `--status closed --language de`. */
function filtersGiven(o: FilterOptions): string {
  return FILTER_FLAGS.flatMap(([key, flag]) => {
    const value = o[key];
    if (value === undefined || value === false) return [];
    return [value === true ? flag : `${flag} ${/\s/.test(value) ? `"${value}"` : value}`];
  }).join(' ');
}

/**
 * What an empty ticket list says: a filter that matched nothing is named; otherwise the words fit
 * who asks (only a customer is pointed at `okpay ticket new`).
 */
export function emptyTicketsText(o: FilterOptions, audience: 'customer' | 'agent', list: 'list' | 'queue'): string {
  const filters = filtersGiven(o);
  if (filters !== '') return `no tickets match ${filters}${audience === 'agent' ? '' : '; `okpay ticket list` shows all of yours'}`;
  if (audience === 'customer') return 'no tickets; open one with `okpay ticket new`';
  return list === 'queue' ? 'the queue is empty: no ticket is waiting' : 'no tickets on the desk yet';
}
