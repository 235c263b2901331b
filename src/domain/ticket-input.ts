// What a person types about a ticket (category, status, tier, number, tags, subject, body,
// reason), read into checked values or refused with a one-line error.

import { AppError } from './errors.js';
import { printable } from './money.js';
import { PRIORITIES, TICKET_CATEGORIES, TICKET_CHANNELS, type Priority, type TicketCategory, type TicketChannel } from './ticket-kinds.js';
import { TICKET_STATUSES, type TicketStatus, type Tier } from './ticket-record.js';
import { boundedText } from './validate.js';

export const SUBJECT_MAX_CHARS = 150;
const BODY_MAX_CHARS = 5000;
const REASON_MAX_CHARS = 500;
const MAX_TAGS = 10;
const TAG_PATTERN = /^[a-z0-9][a-z0-9-]{0,29}$/;

function oneOf<T extends string>(values: readonly T[], text: string, what: string): T {
  const lower = text.trim().toLowerCase();
  const found = values.find((value) => value === lower);
  if (found === undefined) throw new AppError('INVALID_CHOICE', `"${printable(text)}" is not a ${what}`, { hint: `use one of ${values.join(', ')}` });
  return found;
}

export const parseCategory = (text: string): TicketCategory => oneOf(TICKET_CATEGORIES, text, 'ticket category');
export const parseChannel = (text: string): TicketChannel => oneOf(TICKET_CHANNELS, text, 'support channel for tickets');
export const parsePriority = (text: string): Priority => oneOf(PRIORITIES, text, 'priority');
export const parseStatus = (text: string): TicketStatus => oneOf(TICKET_STATUSES, text, 'ticket status');

/** What an agent may set with `--status`: a ticket is closed by `ticket close` and merged only by `ticket merge` (into a target). */
export const SETTABLE_STATUSES = ['open', 'pending', 'on-hold', 'solved'] as const satisfies readonly TicketStatus[];
export type SettableStatus = (typeof SETTABLE_STATUSES)[number];
export const parseSettableStatus = (text: string): SettableStatus => oneOf(SETTABLE_STATUSES, text, 'status a ticket can be set to');

export function parseTier(text: string): Tier {
  const trimmed = text.trim();
  if (trimmed !== '1' && trimmed !== '2' && trimmed !== '3')
    throw new AppError('INVALID_CHOICE', `"${printable(text)}" is not a support tier`, { hint: 'use 1, 2 or 3 (3 is a manager)' });
  return Number(trimmed) as Tier;
}

/** "12" or "#12". */
export function parseTicketNumber(text: string): number {
  const match = /^#?([0-9]{1,9})$/.exec(text.trim());
  const value = match?.[1] === undefined ? 0 : Number(match[1]);
  if (value < 1)
    throw new AppError('INVALID_NUMBER', `"${printable(text)}" is not a ticket number`, {
      hint: 'ticket numbers look like 12 or #12 (see `okpay ticket list`)',
    });
  return value;
}

/** Comma-separated tags: lowercase letters, digits and hyphens; an empty list clears them. */
export function parseTags(text: string): string[] {
  const tags = [
    ...new Set(
      text
        .split(',')
        .map((tag) => tag.trim().toLowerCase())
        .filter((tag) => tag !== ''),
    ),
  ];
  const wrong = tags.find((tag) => !TAG_PATTERN.test(tag));
  if (wrong !== undefined)
    throw new AppError('INVALID_TAG', `the tag "${printable(wrong)}" may hold only a-z, 0-9 and hyphens (at most 30)`, {
      hint: 'for example --tags refund,card-payment',
    });
  if (tags.length > MAX_TAGS) throw new AppError('INVALID_TAG', `at most ${MAX_TAGS} tags, not ${tags.length}`);
  return tags;
}

export const validateSubject = (text: string): string => boundedText(text, 'subject', { min: 1, max: SUBJECT_MAX_CHARS });
export const validateBody = (text: string): string => boundedText(text, 'message', { min: 1, max: BODY_MAX_CHARS, multiline: true });
export const validateReason = (text: string, field = '--reason'): string => boundedText(text, field, { min: 1, max: REASON_MAX_CHARS, multiline: true });
