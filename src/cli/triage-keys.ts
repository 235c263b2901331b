// The triage console's keys: the table `?` shows, the status line that names the most used ones,
// and the modes a key puts the console in (a choice to make, a question to confirm, a text to type).

import type { Key } from 'ink';
import { PRIORITIES, TICKET_CATEGORIES } from '../domain/ticket-kinds.js';
import type { TriageAction } from './triage-desk.js';

export const numbered = (names: readonly string[]) => names.map((name, i) => `${i + 1} ${name}`).join(' ');

export const KEYS: readonly (readonly [string, string])[] = [
  ['↑↓ j k', 'move in the queue (PgUp/PgDn: by 10)'],
  ['r', 'reply to the customer (editor)'],
  ['n', 'internal note (editor)'],
  ['f', 'FAQ suggestions: 1-5 answers with one'],
  ['t', 'saved replies (macros) in the customer’s language'],
  ['a', 'assign to me'],
  ['A', 'assign to an agent (email; empty: least loaded)'],
  ['p', `priority ${numbered(PRIORITIES)}`],
  ['g', `category ${numbered(TICKET_CATEGORIES)}`],
  ['e', 'escalate to the next tier'],
  ['h', 'hold / resume'],
  ['m', 'merge into another ticket (asks which)'],
  ['s', 'resolve (solved)'],
  ['c', 'close'],
  ['$', 'refund the linked transaction (asks y)'],
  ['l', 'lock the customer (asks a reason)'],
  ['R', 'read the store again'],
  ['?', 'show / hide the keys'],
  ['q', 'quit (Ctrl-C: interrupt, exit 130)'],
];

/** The status line's keys, most used first: as many as the width allows, then the way to the rest. */
const STATUS_KEYS = [
  'r reply',
  'n note',
  'f faq',
  't macro',
  'a me',
  'A assign',
  'p pri',
  'g cat',
  'e esc',
  'h hold',
  'm merge',
  's solve',
  'c close',
  '$ refund',
  'l lock',
];
const STATUS_END = '? keys q quit';

export function statusLine(columns: number): string {
  const room = columns - STATUS_END.length - 1;
  let line = '';
  for (const item of STATUS_KEYS) {
    const next = line === '' ? item : `${line} ${item}`;
    if (next.length > room) break;
    line = next;
  }
  return line === '' ? STATUS_END : `${line} ${STATUS_END}`;
}

export type Mode =
  | { readonly kind: 'browse' }
  | { readonly kind: 'help' }
  | { readonly kind: 'priority' }
  | { readonly kind: 'category' }
  | { readonly kind: 'faq' }
  | { readonly kind: 'macros' }
  | { readonly kind: 'confirm'; readonly question: string; readonly action: TriageAction; readonly refused: string }
  | { readonly kind: 'text'; readonly purpose: TextPurpose; readonly text: string };

/** What a text typed in the console is for: a reason, an address or a number end at Enter; a reply or note at Ctrl-D. */
export type TextPurpose = 'lock' | 'reply' | 'note' | 'assign' | 'merge';
export const ONE_LINE: ReadonlySet<TextPurpose> = new Set(['lock', 'assign', 'merge']);

export function textKeys(purpose: TextPurpose): string {
  if (purpose === 'lock') return 'Type the reason · Enter lock · Esc cancel';
  if (purpose === 'assign') return 'Type the agent’s email (empty: least loaded) · Enter assign · Esc cancel';
  if (purpose === 'merge') return 'Type the ticket number · Enter · Esc cancel';
  return `Type the ${purpose} · Enter new line · Ctrl-D send · Esc cancel`;
}

/** One key, or a run of typed text, out of what the terminal sent in one read. */
export interface Stroke {
  readonly input: string;
  readonly key: Key;
}

/** No key pressed, no modifier held: what a run of typed text is. */
export const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/**
 * Splits what the terminal sent in one read into strokes. ink names a key only when it arrives on
 * its own: typed fast or pasted, "Waiting on them.\x04" comes as one text, and its Ctrl-D would be
 * lost. Text runs stay whole (a paste is one stroke, tabs included); Enter, Backspace and each Ctrl-letter
 * become keys of their own; other control characters stand for no key and are dropped.
 */
export function strokes(input: string, key: Key): Stroke[] {
  if (input.length <= 1 || key.ctrl || key.meta) return [{ input, key }];
  const plain: Key = { ...key, ...NO_KEY };
  const out: Stroke[] = [];
  let text = '';
  const named = (input: string, change: Partial<Key>) => {
    if (text !== '') out.push({ input: text, key: plain });
    text = '';
    out.push({ input, key: { ...plain, ...change } });
  };
  for (let i = 0; i < input.length; i++) {
    const char = input.charAt(i);
    const code = char.charCodeAt(0);
    // A tab inside a paste is text, as it was pasted.
    if ((code >= 0x20 && code !== 0x7f) || char === '\t') text += char;
    else if (char === '\r' || char === '\n') {
      if (char === '\r' && input.charAt(i + 1) === '\n') i++;
      named('', { return: true });
    } else if (char === '\x7f' || char === '\b') named('', { backspace: true });
    else if (code >= 1 && code <= 26) named(String.fromCharCode(code + 96), { ctrl: true });
  }
  if (text !== '') out.push({ input: text, key: plain });
  return out;
}
