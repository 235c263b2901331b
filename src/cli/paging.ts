// --limit and --page on every list, and what a page says about the rest: "more on the next page"
// with the command line that prints it (every option the list was given, so its filters and its
// --limit), or, past the end, which page is the last.

import type { Command, CommandUnknownOpts, OptionValues } from '@commander-js/extra-typings';
import { parsePositiveInt } from '../domain/validate.js';
import type { Context } from './context.js';

export const MAX_PAGE_LIMIT = 500;
const MAX_PAGE = 1_000_000;

export interface PageRequest {
  readonly limit: number;
  /** 1 = the first. */
  readonly page: number;
}

export interface PageShown {
  readonly more: boolean;
  /** How many match in all, on every page. */
  readonly total: number;
}

export function pagingOptions<Args extends unknown[], Options extends OptionValues, Globals extends OptionValues>(
  command: Command<Args, Options, Globals>,
  defaultLimit: number,
  rows: string,
) {
  return command.option('--limit <n>', `${rows} per page (1–${MAX_PAGE_LIMIT}, default ${defaultLimit})`).option('--page <n>', 'which page (1 = the first)');
}

export function parsePaging(o: { readonly limit?: string; readonly page?: string }, defaultLimit: number): PageRequest {
  return {
    limit: o.limit === undefined ? defaultLimit : parsePositiveInt(o.limit, '--limit', { min: 1, max: MAX_PAGE_LIMIT }),
    page: o.page === undefined ? 1 : parsePositiveInt(o.page, '--page', { min: 1, max: MAX_PAGE }),
  };
}

export function offsetOf(p: PageRequest): number {
  return (p.page - 1) * p.limit;
}

/** One page of a list that has no index to page through (it is read whole anyway). */
export function pageOf<T>(items: readonly T[], p: PageRequest): PageShown & { readonly items: T[] } {
  const start = offsetOf(p);
  return { items: items.slice(start, start + p.limit), more: items.length > start + p.limit, total: items.length };
}

/** The paging keys of a list's JSON document, as `history --json` has always printed them. */
export function pagingDocument(p: PageRequest, shown: PageShown): { page: number; limit: number; more: boolean } {
  return { page: p.page, limit: p.limit, more: shown.more };
}

/** What an empty table says: `empty` when nothing matches at all, else that the page is past the end. */
export function emptyPageText(p: PageRequest, shown: PageShown, empty: string): string {
  if (shown.total === 0) return empty;
  const last = Math.ceil(shown.total / p.limit);
  return `page ${p.page} is past the end: ${shown.total} in all, the last page is ${last}`;
}

/** After a page's table, on stderr: the command line of the next page, when there is one. */
export function noteNextPage(ctx: Context, command: CommandUnknownOpts, p: PageRequest, shown: PageShown): void {
  if (shown.more) ctx.out.note(`more on the next page: ${nextPageCommand(command, p.page + 1)}`);
}

const SAFE_WORD = /^[\w@.+:/=,%-]+$/;
const quoted = (word: string) => (SAFE_WORD.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

/** `okpay <words> [--data-dir D] <the options given, but --page> --page N`. */
export function nextPageCommand(command: CommandUnknownOpts, page: number): string {
  const words: string[] = [];
  let root: CommandUnknownOpts = command;
  for (; root.parent; root = root.parent) words.unshift(root.name());
  const dataDir: unknown = root.getOptionValue('dataDir');
  const where = root.getOptionValueSource('dataDir') === 'cli' && typeof dataDir === 'string' ? ['--data-dir', quoted(dataDir)] : [];
  const given = command.options.flatMap((option) => {
    const key = option.attributeName();
    if (key === 'page' || command.getOptionValueSource(key) !== 'cli' || option.long === undefined) return [];
    const value: unknown = command.getOptionValue(key);
    return typeof value === 'boolean' ? [option.long] : [option.long, quoted(String(value))];
  });
  return ['okpay', ...words, ...where, ...given, '--page', String(page)].join(' ');
}
