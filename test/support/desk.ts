// A support desk in memory for unit tests: the shipped support and calendar data, a fresh desk,
// and customers and agents made through the real account functions.

import { DateTime } from 'luxon';
import { createAccount } from '../../src/domain/accounts.js';
import type { Region } from '../../src/domain/calendar.js';
import type { Language } from '../../src/domain/language.js';
import type { User } from '../../src/domain/state.js';
import type { Ticket } from '../../src/domain/ticket-record.js';
import type { NewTicket } from '../../src/domain/tickets.js';
import { appErrorOf } from './app-error.js';
import { support } from './desk-data.js';
import { openTicket, type DeskState } from './desk-state.js';

export { americas, asia, calendars, europe, support } from './desk-data.js';

/** An instant given as wall-clock time in the region's zone, e.g. at(europe, '2026-11-23T10:00'). */
export function at(region: Region, local: string): number {
  const instant = DateTime.fromISO(local, { zone: region.timeZone });
  if (!instant.isValid) throw new Error(`bad test time ${local}`);
  return instant.toMillis();
}

export function local(region: Region, ms: number | null): string | null {
  return ms === null ? null : DateTime.fromMillis(ms, { zone: region.timeZone }).toFormat("yyyy-MM-dd'T'HH:mm");
}

export const iso = (ms: number): string => new Date(ms).toISOString();

export function newState(): DeskState {
  return { meta: { ticketSeq: 0 }, users: {}, tickets: {}, ticketSummaries: {} };
}

let counter = 0;

export function customer(state: DeskState, name: string, options: { country?: string; language?: Language; locked?: boolean } = {}): User {
  counter += 1;
  const user = createAccount(
    {
      id: `usr_${name}${counter}`,
      email: `${name}${counter}@example.com`,
      phone: null,
      country: options.country ?? 'DE',
      name: null,
      language: options.language ?? null,
      passwordHash: 'x',
      role: 'user',
      activation: null,
    },
    '2026-01-01T00:00:00.000Z',
    { byEmail: null, byPhone: null },
  );
  return put(state, options.locked ? { ...user, lock: { reason: 'self', note: null, at: '2026-01-01T00:00:00.000Z', by: user.id } } : user);
}

function put(state: DeskState, user: User): User {
  state.users[user.id] = user;
  return user;
}

export function agent(state: DeskState, name: string, tier: 1 | 2 | 3, languages: Language[] = ['en']): User {
  const user = customer(state, name);
  return put(state, { ...user, role: 'agent', agent: { tier, languages } });
}

export function open(state: DeskState, who: User, nowMs: number, overrides: Partial<NewTicket> = {}): Ticket {
  const input: NewTicket = {
    customer: who,
    category: 'account',
    subject: 'Cannot sign in',
    body: 'It says my password is wrong.',
    channel: 'email',
    language: 'en',
    regionId: 'europe',
    txId: null,
    ...overrides,
  };
  return openTicket(state, input, support, nowMs).ticket;
}

/** The AppError code `run` throws (fails the test when it does not throw one). */
export function errorCode(run: () => unknown): string {
  return appErrorOf(run).code;
}
