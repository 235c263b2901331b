// Entity-level access inside one store transaction: every call reads or writes records by key
// (or through one secondary index), so that each maps to one indexed query in SQL and to a few
// small files in the file store. Nothing here loads "every user" or "every ticket"; the few
// calls that walk a whole kind (`scan`) are for reports, exports and verify, page by page.
//
// Reads see the transaction's own earlier writes. Writes are buffered and become visible to
// other processes only when the transaction commits, all at once or not at all. Records are
// plain immutable data: to change one, put a new value.

import type { Delivery } from '../domain/mail-delivery.js';
import type { MailImport } from '../domain/inbound-mail.js';
import type { MinorUnits } from '../domain/money.js';
import type { NumberCodeLog } from '../domain/user.js';
import type { Recipient } from '../domain/validate.js';
import type {
  IdempotencyRecord,
  LimitWindow,
  Session,
  StoreMeta,
  StoredQuote,
  TxId,
  UnclaimedTransfer,
  User,
  UserId,
  Withdrawal,
  WithdrawalMethod,
} from '../domain/state.js';
import type { QueueGroupFacts } from '../domain/queue-group-facts.js';
import type { TicketSummary } from '../domain/ticket-summary.js';
import type { Ticket, TicketStatus } from '../domain/ticket-record.js';

export type { TicketSummary } from '../domain/ticket-summary.js';

export interface Page {
  /** At most this many (callers bound it; the store never returns more). */
  readonly limit: number;
  /** How many to skip, in the listing's order. */
  readonly offset: number;
}

export interface PageOf<T> {
  readonly items: T[];
  /** How many match in all, for "more on the next page" hints. */
  readonly total: number;
}

export interface UserRecords {
  get(id: UserId): Promise<User | null>;
  /** Users by id, in the order asked (null for none): one query where the store is across a network. */
  getMany(ids: readonly UserId[]): Promise<(User | null)[]>;
  /**
   * The email of each of these users (null: no such user), for display: without their whole
   * records, so that a page naming fifty people reads an index of addresses, not fifty users.
   */
  emailsOf(ids: readonly UserId[]): Promise<(string | null)[]>;
  /** Emails are stored normalised (lower case); pass the normalised form. */
  byEmail(email: string): Promise<User | null>;
  /** E.164 form. */
  byPhone(phone: string): Promise<User | null>;
  /**
   * Says which users are about to be looked up by address, and their balances read (a batch's
   * payees), so that a store behind a network reads them in one query; changes nothing that the
   * lookups return.
   */
  prefetchRecipients(recipients: readonly Recipient[]): Promise<void>;
  /** sha256 of a mailed token (activation, password reset or unlock). */
  byToken(kind: 'activation' | 'passwordReset' | 'unlockToken', tokenHash: string): Promise<User | null>;
  /** Agents and admins: a small set, indexed by role. */
  staff(): Promise<User[]>;
  count(): Promise<number>;
  put(user: User): void;
  /**
   * Removes a user record: only a pending sign-up that `register` starts over under a fresh id, when
   * nothing else refers to it (accounts.ts). Every other account lives on.
   */
  remove(id: UserId): void;
  /** Every user, a page at a time, in id order: for exports and reports only. */
  scan(pageSize: number): AsyncIterable<User[]>;
}

export interface SessionRecords {
  /** Keyed by sha256 of the session token. */
  get(tokenHash: string): Promise<Session | null>;
  put(tokenHash: string, session: Session): void;
  delete(tokenHash: string): void;
  /** Token hashes of one user's sessions. */
  ofUser(userId: UserId): Promise<string[]>;
}

export interface BalanceRecords {
  /** Signed minor units of one account in one currency (0 when never touched). */
  get(account: string, currency: string): Promise<MinorUnits>;
  /** Every currency an account has ever held. */
  ofAccount(account: string): Promise<Readonly<Record<string, MinorUnits>>>;
  /** Every account, a page at a time: for verify and exports only. */
  scan(pageSize: number): AsyncIterable<{ account: string; currencies: Readonly<Record<string, MinorUnits>> }[]>;
}

/**
 * Where a walk of a time-ordered index stopped: the next page starts past this time and key (keyset
 * paging), so records that stay due (settlement held them back) are not met again in the same walk.
 */
export interface OrderedAfter {
  readonly at: string;
  readonly key: string;
}

export interface QuoteRecords {
  get(id: string): Promise<StoredQuote | null>;
  put(quote: StoredQuote): void;
  delete(id: string): void;
  /** Ids of quotes that expired at or before the given time, oldest expiry first, at most `limit` (for pruning). */
  expiredBy(atIso: string, limit: number): Promise<string[]>;
}

export interface IdempotencyRecords {
  get(userId: UserId, key: string): Promise<IdempotencyRecord | null>;
  /**
   * Says which keys are about to be looked up one by one (a batch's references), so that a store
   * behind a network reads them in one query; changes nothing that `get` returns.
   */
  prefetch(userId: UserId, keys: readonly string[]): Promise<void>;
  delete(userId: UserId, key: string): void;
  /** Keys that expired at or before the given time, oldest expiry first, at most `limit` (for pruning). */
  expiredBy(atIso: string, limit: number): Promise<{ userId: UserId; key: string }[]>;
}

export interface UnclaimedRecords {
  get(txId: TxId): Promise<UnclaimedTransfer | null>;
  /** Waiting for this address (an email, or a phone in E.164), oldest first. */
  forRecipient(address: { email?: string | null; phone?: string | null }): Promise<UnclaimedTransfer[]>;
  /**
   * Those whose expiry is at or before the given time, oldest expiry first, at most `limit`; with
   * `after`, only those past it in (expiresAt, txId) order (the next page of a walk).
   */
  expiredBy(atIso: string, limit: number, after?: OrderedAfter): Promise<UnclaimedTransfer[]>;
  /** Every waiting transfer, a page at a time: for verify, exports and reports only. */
  scan(pageSize: number): AsyncIterable<UnclaimedTransfer[]>;
}

export interface RefundRecords {
  /** The refund transaction of a refunded transaction, or null. */
  get(refundedTxId: TxId): Promise<TxId | null>;
}

export interface LimitRecords {
  get(userId: UserId): Promise<LimitWindow>;
  put(userId: UserId, window: LimitWindow): void;
}

export interface MethodRecords {
  get(id: string): Promise<WithdrawalMethod | null>;
  ofUser(userId: UserId): Promise<WithdrawalMethod[]>;
  put(method: WithdrawalMethod): void;
}

export interface WithdrawalRecords {
  /** A withdrawal still in flight (finished ones live on in the journal entry that ended them). */
  get(id: string): Promise<Withdrawal | null>;
  byHoldTx(holdTxId: TxId): Promise<Withdrawal | null>;
  ofUser(userId: UserId): Promise<Withdrawal[]>;
  /**
   * Withdrawals in flight that settlement may move on at the given time (settleDueAt at or before
   * it), at most `limit` of the earliest due, in request order: what settlement advances. With
   * `after`, only those past it in (settleDueAt, id) order (the next page of a walk).
   */
  dueBy(atIso: string, limit: number, after?: OrderedAfter): Promise<Withdrawal[]>;
  /**
   * A withdrawal in flight whose status moved on without moving money (requested → processing).
   * Withdrawals start and end only through `post` (their hold, completion or release).
   */
  put(withdrawal: Withdrawal): void;
  /** Every withdrawal in flight, a page at a time: for verify and exports only. */
  scan(pageSize: number): AsyncIterable<Withdrawal[]>;
}

export interface TicketRecords {
  get(number: number): Promise<Ticket | null>;
  /** Numbers are handed out in order, once; a rolled-back transaction's number is not reused. */
  nextNumber(): number;
  put(ticket: Ticket, summary: TicketSummary): void;
  /** Summaries of tickets in the given statuses (the open queue: new, open, pending, on-hold). */
  withStatus(statuses: readonly TicketStatus[]): Promise<TicketSummary[]>;
  /**
   * The shapes of the open queue's groups (domain/queue-groups.ts), each with the facts that bound
   * the urgency of its groups' tickets at any instant, folded over its groups: a few dozen however
   * many days the tickets span. Null while a store written before them has not been written to since.
   */
  queueShapes(): Promise<ReadonlyMap<string, QueueGroupFacts> | null>;
  /** The groups of these shapes, each with its facts, so that the most urgent tickets are found by reading a few groups. */
  queueGroups(shapes: readonly string[]): Promise<ReadonlyMap<string, QueueGroupFacts>>;
  /** The summaries of the open tickets in these groups, in no particular order. */
  inQueueGroups(keys: readonly string[]): Promise<TicketSummary[]>;
  /** Summaries of the tickets solved at or before the given time, earliest solved first, at most `limit` (those settle closes). */
  solvedBy(atIso: string, limit: number): Promise<TicketSummary[]>;
  /** One customer's tickets, newest first, optionally only some statuses. */
  ofCustomer(customerId: UserId, statuses: readonly TicketStatus[] | null, page: Page): Promise<PageOf<TicketSummary>>;
  /** Every customer's tickets, newest first, optionally only some statuses (agents' list). */
  recent(statuses: readonly TicketStatus[] | null, page: Page): Promise<PageOf<TicketSummary>>;
  /** Every ticket, a page at a time, in number order: for reports, exports and verify only. */
  scan(pageSize: number): AsyncIterable<Ticket[]>;
}

export interface DeliveryRecords {
  /** The SMTP delivery of one outbox mail; null for a mail made without a mail server configured. */
  get(mailId: string): Promise<Delivery | null>;
  put(delivery: Delivery): void;
  /** Mail ids of deliveries not yet sent (queued or failed), oldest first, at most `limit`. */
  waiting(limit: number): Promise<string[]>;
}

export interface MailImportRecords {
  /** The customer mail imported under this Message-ID (as `messageIdOf` gives it), or null: each is imported once. */
  get(messageId: string): Promise<MailImport | null>;
  put(imported: MailImport): void;
  /** The customer mails imported into one ticket, oldest first (for threading okpay's answers). */
  ofTicket(ticket: number): Promise<MailImport[]>;
}

export interface PhoneCodeRecords {
  /** One number's codes across every account in the last day (domain/phone-verification.ts), or null; `phone` in E.164. */
  get(phone: string): Promise<NumberCodeLog | null>;
  put(phone: string, log: NumberCodeLog): void;
}

export interface MetaRecords {
  /** The store's own facts: creation time, test-store mark, counters and chain heads. */
  get(): StoreMeta;
  markTestStore(): void;
}

/** Everything a use-case may read or change, by key. */
export interface Records {
  readonly meta: MetaRecords;
  readonly users: UserRecords;
  readonly sessions: SessionRecords;
  readonly balances: BalanceRecords;
  readonly quotes: QuoteRecords;
  readonly idempotency: IdempotencyRecords;
  readonly unclaimed: UnclaimedRecords;
  readonly refunds: RefundRecords;
  readonly limits: LimitRecords;
  readonly methods: MethodRecords;
  readonly withdrawals: WithdrawalRecords;
  readonly tickets: TicketRecords;
  readonly deliveries: DeliveryRecords;
  readonly mailImports: MailImportRecords;
  readonly phoneCodes: PhoneCodeRecords;
}
