// The entity-level records (records.ts) over one in-memory State object. Used by the memory
// store, and by the file store while it still keeps the whole state in one file.

import type { MinorUnits } from '../domain/money.js';
import type { State, TxId, UnclaimedTransfer, User, UserId, Withdrawal } from '../domain/state.js';
import type { Ticket, TicketStatus } from '../domain/tickets.js';
import type { Page, PageOf, Records, TicketSummary } from './records.js';

function byCode(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function* pages<T>(items: readonly T[], size: number): AsyncGenerator<T[]> {
  const bounded = Math.max(1, Math.floor(size));
  for (let i = 0; i < items.length; i += bounded) yield items.slice(i, i + bounded);
}

function page<T>(items: readonly T[], p: Page): PageOf<T> {
  return { items: items.slice(p.offset, p.offset + p.limit), total: items.length };
}

const STAFF_ROLES = new Set(['agent', 'admin']);

export function stateRecords(state: State): Records {
  const summaries = (state.ticketSummaries ??= {});
  const users = (): User[] => Object.values(state.users);
  const unclaimedList = (): UnclaimedTransfer[] => Object.values(state.unclaimed).sort((a, b) => byCode(a.createdAt, b.createdAt) || byCode(a.txId, b.txId));
  const withdrawalList = (): Withdrawal[] => Object.values(state.withdrawals).sort((a, b) => byCode(a.requestedAt, b.requestedAt) || byCode(a.id, b.id));
  return {
    meta: {
      get: () => state.meta,
      markTestStore: () => {
        state.meta = { ...state.meta, testStore: true };
      },
    },
    users: {
      get: async (id) => state.users[id] ?? null,
      byEmail: async (email) => users().find((u) => u.email === email) ?? null,
      byPhone: async (phone) => users().find((u) => u.phone === phone) ?? null,
      byToken: async (kind, tokenHash) => users().find((u) => u[kind]?.tokenHash === tokenHash) ?? null,
      staff: async () => users().filter((u) => STAFF_ROLES.has(u.role)).sort((a, b) => byCode(a.id, b.id)),
      count: async () => Object.keys(state.users).length,
      put: (user) => {
        state.users[user.id] = user;
      },
      scan: (size) => pages(users().sort((a, b) => byCode(a.id, b.id)), size),
    },
    sessions: {
      get: async (hash) => state.sessions[hash] ?? null,
      put: (hash, session) => {
        state.sessions[hash] = session;
      },
      delete: (hash) => {
        delete state.sessions[hash];
      },
      ofUser: async (userId: UserId) => Object.keys(state.sessions).filter((hash) => state.sessions[hash]?.userId === userId),
    },
    balances: {
      get: async (account, currency): Promise<MinorUnits> => state.balances[account]?.[currency] ?? 0,
      ofAccount: async (account) => ({ ...(state.balances[account] ?? {}) }),
      scan: (size) => pages(Object.keys(state.balances).sort(byCode).map((account) => ({ account, currencies: { ...(state.balances[account] ?? {}) } })), size),
    },
    quotes: {
      get: async (id) => state.quotes[id] ?? null,
      put: (quote) => {
        state.quotes[quote.id] = quote;
      },
    },
    idempotency: {
      get: async (userId, key) => state.idempotency[`${userId}:${key}`] ?? null,
    },
    unclaimed: {
      get: async (txId: TxId) => state.unclaimed[txId] ?? null,
      forRecipient: async ({ email, phone }) => unclaimedList().filter((u) => (email != null && u.toEmail === email) || (phone != null && u.toPhone === phone)),
      expiredBy: async (atIso, limit) =>
        Object.values(state.unclaimed)
          .filter((u) => u.expiresAt <= atIso)
          .sort((a, b) => byCode(a.expiresAt, b.expiresAt) || byCode(a.txId, b.txId))
          .slice(0, limit),
      scan: (size) => pages(unclaimedList(), size),
    },
    refunds: {
      get: async (txId) => state.refunds[txId] ?? null,
    },
    limits: {
      get: async (userId) => state.limitWindows[userId] ?? {},
      put: (userId, window) => {
        if (Object.keys(window).length === 0) delete state.limitWindows[userId];
        else state.limitWindows[userId] = window;
      },
    },
    methods: {
      get: async (id) => state.methods[id] ?? null,
      ofUser: async (userId) => Object.values(state.methods).filter((m) => m.userId === userId).sort((a, b) => byCode(a.createdAt, b.createdAt) || byCode(a.id, b.id)),
      put: (method) => {
        state.methods[method.id] = method;
      },
    },
    withdrawals: {
      get: async (id) => state.withdrawals[id] ?? null,
      byHoldTx: async (holdTxId) => Object.values(state.withdrawals).find((w) => w.holdTxId === holdTxId) ?? null,
      ofUser: async (userId) => withdrawalList().filter((w) => w.userId === userId),
      inFlight: async (limit) => withdrawalList().slice(0, limit),
      put: (withdrawal) => {
        state.withdrawals[withdrawal.id] = withdrawal;
      },
      scan: (size) => pages(withdrawalList(), size),
    },
    tickets: {
      get: async (number) => state.tickets[String(number)] ?? null,
      nextNumber: () => {
        const number = state.meta.ticketSeq + 1;
        state.meta = { ...state.meta, ticketSeq: number };
        return number;
      },
      put: (ticket: Ticket, summary: TicketSummary) => {
        state.tickets[String(ticket.number)] = ticket;
        summaries[String(ticket.number)] = summary;
      },
      withStatus: async (statuses: readonly TicketStatus[]) =>
        Object.values(summaries)
          .filter((s) => statuses.includes(s.status))
          .sort((a, b) => a.number - b.number),
      ofCustomer: async (customerId, statuses, p) =>
        page(
          Object.values(summaries)
            .filter((s) => s.customerId === customerId && (statuses === null || statuses.includes(s.status)))
            .sort((a, b) => b.number - a.number),
          p,
        ),
      recent: async (statuses, p) =>
        page(
          Object.values(summaries)
            .filter((s) => statuses === null || statuses.includes(s.status))
            .sort((a, b) => b.number - a.number),
          p,
        ),
      scan: (size) => pages(Object.values(state.tickets).sort((a, b) => a.number - b.number), size),
    },
  };
}

/** Gives every ticket kept without a summary (a store from before summaries) its summary. */
export function addMissingSummaries(state: State, summarize: (ticket: Ticket) => TicketSummary): void {
  const summaries = (state.ticketSummaries ??= {});
  for (const [key, ticket] of Object.entries(state.tickets)) summaries[key] ??= summarize(ticket);
}

/** A base for transactions that work on one State object: its records, by key. */
export abstract class StateRecords implements Records {
  readonly meta: Records['meta'];
  readonly users: Records['users'];
  readonly sessions: Records['sessions'];
  readonly balances: Records['balances'];
  readonly quotes: Records['quotes'];
  readonly idempotency: Records['idempotency'];
  readonly unclaimed: Records['unclaimed'];
  readonly refunds: Records['refunds'];
  readonly limits: Records['limits'];
  readonly methods: Records['methods'];
  readonly withdrawals: Records['withdrawals'];
  readonly tickets: Records['tickets'];

  constructor(readonly state: State) {
    const records = stateRecords(state);
    this.meta = records.meta;
    this.users = records.users;
    this.sessions = records.sessions;
    this.balances = records.balances;
    this.quotes = records.quotes;
    this.idempotency = records.idempotency;
    this.unclaimed = records.unclaimed;
    this.refunds = records.refunds;
    this.limits = records.limits;
    this.methods = records.methods;
    this.withdrawals = records.withdrawals;
    this.tickets = records.tickets;
  }
}
