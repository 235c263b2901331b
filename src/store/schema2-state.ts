// The whole-store object of a schema-2 store (one state.json beside the journal), which the split
// store upgrades from: its shape, the migrations that bring an older state.json up to schema 2
// (in memory), and the fold that redoes a journal entry into it when the last schema-2 commit was
// cut short. Newer files are refused rather than misread.

import { AppError } from '../domain/errors.js';
import { addToBalance, addToLimitWindow, transactionEffects, type Transaction, type TxEffect } from '../domain/ledger.js';
import {
  emptyMeta,
  type Balances,
  type IdempotencyRecord,
  type LimitWindow,
  type Session,
  type StoreMeta,
  type StoredQuote,
  type TxId,
  type UnclaimedTransfer,
  type User,
  type UserId,
  type Withdrawal,
  type WithdrawalMethod,
} from '../domain/state.js';
import type { TicketSummary } from '../domain/ticket-summary.js';
import type { Ticket } from '../domain/ticket-record.js';
import { corrupt } from './durable-file.js';

export const SCHEMA2_VERSION = 2;

export interface Schema2State {
  schemaVersion: number;
  meta: StoreMeta;
  users: Record<UserId, User>;
  /** Keyed by sha256 of the session token. */
  sessions: Record<string, Session>;
  balances: Balances;
  quotes: Record<string, StoredQuote>;
  /** Keyed by `${userId}:${idempotencyKey}`. */
  idempotency: Record<string, IdempotencyRecord>;
  /** Keyed by the transfer's transaction id. */
  unclaimed: Record<TxId, UnclaimedTransfer>;
  /** Keyed by the refunded transaction id. */
  refunds: Record<TxId, TxId>;
  limitWindows: Record<UserId, LimitWindow>;
  /** Keyed by the ticket number (as a string). */
  tickets: Record<string, Ticket>;
  /** Absent in stores written before summaries existed. */
  ticketSummaries?: Record<string, TicketSummary>;
  methods: Record<string, WithdrawalMethod>;
  withdrawals: Record<string, Withdrawal>;
}

function emptySchema2State(): Schema2State {
  return {
    schemaVersion: SCHEMA2_VERSION,
    meta: emptyMeta(new Date(0).toISOString()),
    users: {},
    sessions: {},
    balances: {},
    quotes: {},
    idempotency: {},
    unclaimed: {},
    refunds: {},
    limitWindows: {},
    tickets: {},
    methods: {},
    withdrawals: {},
  };
}

type Migration = (state: Record<string, unknown>) => Record<string, unknown>;

/** MIGRATIONS[n] turns a version-n file into version n + 1. */
const MIGRATIONS: Readonly<Record<number, Migration>> = {
  // 1 → 2: a user's limit window is { day: usdMinor } (days ascending) instead of a list of
  // { day, usdMinor } — half the bytes in a busy store, read and written by every payment.
  1: (state) => ({ ...state, limitWindows: compactLimitWindows(state['limitWindows']) }),
};

function compactLimitWindows(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const windows: Record<string, Record<string, number>> = {};
  for (const [userId, entries] of Object.entries(value)) {
    if (!Array.isArray(entries)) return value;
    const days = new Map<string, number>();
    for (const entry of entries as unknown[]) {
      const { day, usdMinor } = (entry ?? {}) as { day?: unknown; usdMinor?: unknown };
      if (typeof day !== 'string' || typeof usdMinor !== 'number' || !Number.isSafeInteger(usdMinor)) return value;
      days.set(day, (days.get(day) ?? 0) + usdMinor);
    }
    const window = Object.fromEntries([...days].filter(([, amount]) => amount > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    if (Object.keys(window).length > 0) windows[userId] = window;
  }
  return windows;
}

export function upgradeState(
  raw: Record<string, unknown>,
  file: string,
  migrations: Readonly<Record<number, Migration>> = MIGRATIONS,
  currentVersion = SCHEMA2_VERSION,
): Schema2State {
  const version = raw['schemaVersion'];
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw corrupt(file, 'it has no valid schemaVersion');
  }
  if (version > currentVersion) {
    throw new AppError('STORE_TOO_NEW', `the store at ${file} was written by a newer okpay (schema ${version}; this okpay knows up to ${currentVersion})`, {
      hint: 'upgrade okpay to use this store; the file was left untouched',
    });
  }
  let state = raw;
  for (let v = version; v < currentVersion; v += 1) {
    const step = migrations[v];
    if (!step) throw corrupt(file, `there is no migration from schema ${v}`);
    state = { ...step(state), schemaVersion: v + 1 };
  }
  checkShape(state, file);
  return state as unknown as Schema2State;
}

function checkShape(state: Record<string, unknown>, file: string): void {
  const template = emptySchema2State() as unknown as Record<string, unknown>;
  for (const key of Object.keys(template)) {
    const value = state[key];
    const expected = template[key];
    const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
    if (typeof expected === 'object' ? !isObject : typeof value !== typeof expected) {
      throw corrupt(file, `its "${key}" section is missing or has the wrong type`);
    }
  }
}

/** Folds one journal entry into the state: its effects (ledger.transactionEffects), as a schema-2 commit did. */
export function applyTransaction(state: Schema2State, tx: Transaction): void {
  for (const effect of transactionEffects(tx)) applyEffect(state, effect);
}

function applyEffect(state: Schema2State, effect: TxEffect): void {
  switch (effect.kind) {
    case 'balance': {
      const row = (state.balances[effect.account] ??= {});
      row[effect.currency] = addToBalance(effect.account, effect.currency, row[effect.currency] ?? 0, effect.amountMinor);
      return;
    }
    case 'idempotency':
      state.idempotency[`${effect.userId}:${effect.key}`] = effect.record;
      return;
    case 'quote-used': {
      const quote = state.quotes[effect.quoteId];
      if (quote) state.quotes[effect.quoteId] = { ...quote, usedBy: effect.txId };
      return;
    }
    case 'limit': {
      const window = addToLimitWindow(state.limitWindows[effect.userId] ?? {}, effect.day, effect.usdMinor);
      if (Object.keys(window).length > 0) state.limitWindows[effect.userId] = window;
      else delete state.limitWindows[effect.userId];
      return;
    }
    case 'refund':
      state.refunds[effect.refundedTxId] = effect.refundTxId;
      return;
    case 'unclaimed-created':
      state.unclaimed[effect.transfer.txId] = effect.transfer;
      return;
    case 'unclaimed-ended':
      delete state.unclaimed[effect.txId];
      return;
    case 'withdrawal-put':
      state.withdrawals[effect.withdrawal.id] = effect.withdrawal;
      return;
    case 'withdrawal-ended':
      delete state.withdrawals[effect.id];
      return;
  }
}
