// The records API (records.ts), posting, auditing and mailing over a RecordView: everything a
// record-native store's transaction does before its store persists the changes. The memory store
// and the split file store share it, so both answer every query and apply every posting alike.

import type { AuditEvent } from '../domain/audit.js';
import type { AppError } from '../domain/errors.js';
import {
  addToBalance,
  addToLimitWindow,
  hydrateTransaction,
  seqOfTxId,
  transactionEffects,
  txIdForSeq,
  type NewTransaction,
  type Transaction,
  type TxEffect,
} from '../domain/ledger.js';
import type { Delivery } from '../domain/mail-delivery.js';
import { mailImportKey, type MailImport } from '../domain/inbound-mail.js';
import type { MailRecord, OutgoingMail } from '../domain/mail.js';
import type { MinorUnits } from '../domain/money.js';
import { numberCodeLogKey } from '../domain/phone-verification.js';
import type { NumberCodeLog } from '../domain/user.js';
import type {
  IdempotencyRecord,
  LimitWindow,
  Session,
  StoreMeta,
  StoredQuote,
  UnclaimedTransfer,
  User,
  Withdrawal,
  WithdrawalMethod,
} from '../domain/state.js';
import { foldFacts, groupFacts, queueGroupKey, queueShapeKey, type QueueGroupFacts } from '../domain/queue-group-facts.js';
import type { TicketSummary } from '../domain/ticket-summary.js';
import type { Ticket, TicketStatus } from '../domain/ticket-record.js';
import { DIRECTORY_KEY, idempotencyKey, OPEN_STATUSES, WAITING_KEY, type IndexMembers, type Kind } from './record-kinds.js';
import { checkedRecord, type Counts } from './record-schemas.js';
import type { RecordView } from './record-view.js';
import type {
  BalanceRecords,
  DeliveryRecords,
  MailImportRecords,
  IdempotencyRecords,
  LimitRecords,
  MetaRecords,
  MethodRecords,
  Page,
  PageOf,
  PhoneCodeRecords,
  QuoteRecords,
  RefundRecords,
  SessionRecords,
  TicketRecords,
  UnclaimedRecords,
  UserRecords,
  WithdrawalRecords,
} from './records.js';
import type { AuditReader, JournalReader, OutboxReader, RecordsTransaction } from './store.js';

export const META_KEY = 'meta';
const COUNTS_KEY = 'counts';

function byCode(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function* pages<T>(items: readonly T[], size: number): AsyncGenerator<T[]> {
  const bounded = Math.max(1, Math.floor(size));
  for (let i = 0; i < items.length; i += bounded) yield items.slice(i, i + bounded);
}

function present<T>(items: readonly (T | null)[]): T[] {
  return items.filter((item): item is T => item !== null);
}

export const mailIdForSeq = (seq: number): string => `msg_${seq.toString().padStart(6, '0')}`;

export abstract class RecordTransaction implements RecordsTransaction {
  /** Transactions posted here and not yet handed to the store (see `takePosted`). */
  readonly posted: Transaction[] = [];
  /** How many posted transactions the store has already taken (written early, by `flush`). */
  private taken = 0;
  /** The number of the first transaction posted here: the others follow it one by one. */
  private firstPostedSeq: number | null = null;
  /** The journal index lists this transaction made (appendSeq): each is the value of one index key. */
  private readonly ownSeqs = new WeakSet<number[]>();
  readonly events: AuditEvent[] = [];
  readonly mails: MailRecord[] = [];
  deferredError: AppError | null = null;
  /** A read that may post, audit and mail, all dropped with it (rehearse). */
  private rehearsal = false;
  private metaValue: StoreMeta;
  private readonly committedMeta: StoreMeta;
  abstract readonly journal: JournalReader;
  abstract readonly auditLog: AuditReader;
  abstract readonly outbox: OutboxReader;

  constructor(
    readonly view: RecordView,
    meta: StoreMeta,
    private readonly readOnly: boolean,
  ) {
    this.metaValue = meta;
    this.committedMeta = meta;
  }

  /** The store's facts as this transaction leaves them (counters; chain heads are the store's to set). */
  get currentMeta(): StoreMeta {
    return this.metaValue;
  }

  get metaChanged(): boolean {
    return this.metaValue !== this.committedMeta;
  }

  readonly meta: MetaRecords = {
    get: () => this.metaValue,
    markTestStore: () => {
      this.metaValue = { ...this.metaValue, testStore: true };
    },
  };

  readonly users: UserRecords = {
    get: (id) => this.view.get<User>('users', id),
    getMany: async (ids) => {
      await this.view.prefetch('users', ids);
      return Promise.all(ids.map((id) => this.view.get<User>('users', id)));
    },
    emailsOf: async (ids) => {
      // A store written before the index (its next writer builds it) is asked for the users themselves.
      if (this.view.source.keeps?.('email-of-user') === false) return (await this.users.getMany(ids)).map((user) => user?.email ?? null);
      // A user this transaction knows (wrote or read) is its own answer; the others, the committed index.
      await this.view.prefetch(
        'email-of-user',
        ids.filter((id) => this.view.known('users', id) === undefined),
      );
      return Promise.all(ids.map((id) => this.emailOf(id)));
    },
    byEmail: async (email) => this.firstMember('user-by-email', email),
    byPhone: async (phone) => this.firstMember('user-by-phone', phone),
    prefetchRecipients: async (recipients) => {
      await this.view.prefetch('user-by-email', [...new Set(recipients.flatMap((r) => (r.kind === 'email' ? [r.email] : [])))]);
      await this.view.prefetch('user-by-phone', [...new Set(recipients.flatMap((r) => (r.kind === 'phone' ? [r.phone] : [])))]);
    },
    byToken: async (kind, tokenHash) => this.firstMember('user-by-token', `${kind}:${tokenHash}`),
    staff: async () => (await this.usersFiled('staff', 'staff')).sort((a, b) => byCode(a.id, b.id)),
    count: async () => ((await this.view.committed<Counts>('counts', COUNTS_KEY))?.users ?? 0) + (await this.newUsers()),
    put: (user) => this.view.put('users', user.id, user),
    remove: (id) => this.view.remove('users', id),
    scan: (size) => this.scanSorted<User>('users', size, (a, b) => byCode(a.id, b.id)),
  };

  readonly sessions: SessionRecords = {
    get: (hash) => this.view.get<Session>('sessions', hash),
    put: (hash, session) => this.view.put('sessions', hash, session),
    delete: (hash) => this.view.remove('sessions', hash),
    ofUser: (userId) => this.view.members('sessions-of-user', userId, 'sessions'),
  };

  readonly balances: BalanceRecords = {
    get: async (account, currency): Promise<MinorUnits> => (await this.view.get<Record<string, MinorUnits>>('balances', account))?.[currency] ?? 0,
    ofAccount: async (account) => ({ ...((await this.view.get<Record<string, MinorUnits>>('balances', account)) ?? {}) }),
    scan: (size) =>
      this.scanSortedEntries<Record<string, MinorUnits>, { account: string; currencies: Record<string, MinorUnits> }>(
        'balances',
        size,
        (account, currencies) => ({ account, currencies: { ...currencies } }),
      ),
  };

  readonly quotes: QuoteRecords = {
    get: (id) => this.view.get<StoredQuote>('quotes', id),
    put: (quote) => this.view.put('quotes', quote.id, quote),
    delete: (id) => this.view.remove('quotes', id),
    expiredBy: (atIso, limit) => this.view.ordered('quotes-expiry', atIso, limit),
  };

  readonly idempotency: IdempotencyRecords = {
    get: (userId, key) => this.view.get<IdempotencyRecord>('idempotency', idempotencyKey(userId, key)),
    prefetch: (userId, keys) =>
      this.view.prefetch(
        'idempotency',
        keys.map((key) => idempotencyKey(userId, key)),
      ),
    delete: (userId, key) => this.view.remove('idempotency', idempotencyKey(userId, key)),
    expiredBy: async (atIso, limit) => (await this.view.ordered('idempotency-expiry', atIso, limit)).map(splitIdempotencyKey),
  };

  readonly unclaimed: UnclaimedRecords = {
    get: (txId) => this.view.get<UnclaimedTransfer>('unclaimed', txId),
    forRecipient: async ({ email, phone }) => {
      const ids = new Set<string>();
      if (email != null) for (const id of await this.view.members('unclaimed-by-recipient', `email:${email}`, 'unclaimed')) ids.add(id);
      if (phone != null) for (const id of await this.view.members('unclaimed-by-recipient', `phone:${phone}`, 'unclaimed')) ids.add(id);
      const found = present(await Promise.all([...ids].map((id) => this.view.get<UnclaimedTransfer>('unclaimed', id))));
      return found.sort((a, b) => byCode(a.createdAt, b.createdAt) || byCode(a.txId, b.txId));
    },
    expiredBy: async (atIso, limit, after) =>
      present(
        await Promise.all((await this.view.ordered('unclaimed-due', atIso, limit, after)).map((id) => this.view.get<UnclaimedTransfer>('unclaimed', id))),
      ),
    scan: (size) => this.scanSorted<UnclaimedTransfer>('unclaimed', size, (a, b) => byCode(a.createdAt, b.createdAt) || byCode(a.txId, b.txId)),
  };

  readonly refunds: RefundRecords = {
    // A transaction posted here has no committed refund: only this transaction's writes can hold one.
    get: async (txId) =>
      this.postedHere(txId) ? ((this.view.written.get('refunds')?.get(txId) as string | null | undefined) ?? null) : this.view.get<string>('refunds', txId),
  };

  readonly limits: LimitRecords = {
    get: async (userId) => (await this.view.get<LimitWindow>('limits', userId)) ?? {},
    put: (userId, window) => {
      if (Object.keys(window).length === 0) this.view.remove('limits', userId);
      else this.view.put('limits', userId, window);
    },
  };

  readonly methods: MethodRecords = {
    get: (id) => this.view.get<WithdrawalMethod>('methods', id),
    ofUser: async (userId) => {
      const ids = await this.view.members('methods-of-user', userId, 'methods');
      const found = present(await Promise.all(ids.map((id) => this.view.get<WithdrawalMethod>('methods', id))));
      return found.sort((a, b) => byCode(a.createdAt, b.createdAt) || byCode(a.id, b.id));
    },
    put: (method) => this.view.put('methods', method.id, method),
  };

  readonly withdrawals: WithdrawalRecords = {
    get: (id) => this.view.get<Withdrawal>('withdrawals', id),
    byHoldTx: async (holdTxId) => {
      const [id] = await this.view.members('withdrawal-by-hold', holdTxId, 'withdrawals');
      return id === undefined ? null : this.view.get<Withdrawal>('withdrawals', id);
    },
    ofUser: async (userId) => {
      const ids = await this.view.members('withdrawals-of-user', userId, 'withdrawals');
      return present(await Promise.all(ids.map((id) => this.view.get<Withdrawal>('withdrawals', id)))).sort(byRequest);
    },
    dueBy: async (atIso, limit, after) =>
      present(
        await Promise.all((await this.view.ordered('withdrawals-due', atIso, limit, after)).map((id) => this.view.get<Withdrawal>('withdrawals', id))),
      ).sort(byRequest),
    put: (withdrawal) => this.view.put('withdrawals', withdrawal.id, withdrawal),
    scan: (size) => this.scanSorted<Withdrawal>('withdrawals', size, byRequest),
  };

  readonly tickets: TicketRecords = {
    get: (number) => this.view.get<Ticket>('tickets', String(number)),
    nextNumber: () => {
      const number = this.metaValue.ticketSeq + 1;
      this.metaValue = { ...this.metaValue, ticketSeq: number };
      return number;
    },
    put: (ticket, summary) => {
      this.view.put('tickets', String(ticket.number), ticket);
      this.view.put('summaries', String(ticket.number), summary);
    },
    withStatus: (statuses) => this.summariesWithStatus(statuses),
    queueShapes: () => this.queueShapes(),
    queueGroups: (shapes) => this.queueGroups(shapes),
    inQueueGroups: (keys) => this.inQueueGroups(keys),
    solvedBy: async (atIso, limit) =>
      present(await Promise.all((await this.view.ordered('solved-due', atIso, limit)).map((n) => this.view.get<TicketSummary>('summaries', n)))),
    ofCustomer: async (customerId, statuses, page) => {
      const numbers = await this.view.members('tickets-of-customer', customerId, 'summaries');
      const summaries = present(await Promise.all(numbers.map((n) => this.view.get<TicketSummary>('summaries', n))));
      return pageOf(
        summaries.filter((s) => statuses === null || statuses.includes(s.status)).sort((a, b) => b.number - a.number),
        page,
      );
    },
    recent: async (statuses, page) =>
      pageOf(
        (await this.summariesWithStatus(statuses)).sort((a, b) => b.number - a.number),
        page,
      ),
    scan: (size) => this.scanSorted<Ticket>('tickets', size, (a, b) => a.number - b.number),
  };

  readonly deliveries: DeliveryRecords = {
    get: (mailId) => this.view.get<Delivery>('deliveries', mailId),
    put: (delivery) => this.view.put('deliveries', delivery.mailId, delivery),
    // Mail ids number mails in order, so their order is the order the mails were made.
    waiting: async (limit) => (await this.view.members('deliveries-waiting', WAITING_KEY, 'deliveries')).sort(byCode).slice(0, limit),
  };

  readonly mailImports: MailImportRecords = {
    get: (messageId) => this.view.get<MailImport>('mail-imports', mailImportKey(messageId)),
    put: (imported) => this.view.put('mail-imports', mailImportKey(imported.messageId), imported),
    ofTicket: async (ticket) => {
      const keys = await this.view.members('mail-imports-of-ticket', String(ticket), 'mail-imports');
      const found = await Promise.all(keys.map((key) => this.view.get<MailImport>('mail-imports', key)));
      return found
        .filter((record): record is MailImport => record !== null)
        .sort((a, b) => byCode(a.importedAt, b.importedAt) || byCode(a.messageId, b.messageId));
    },
  };

  readonly phoneCodes: PhoneCodeRecords = {
    get: (phone) => this.view.get<NumberCodeLog>('phone-codes', numberCodeLogKey(phone)),
    put: (phone, log) => this.view.put('phone-codes', numberCodeLogKey(phone), log),
  };

  async post(newTx: NewTransaction): Promise<Transaction> {
    this.assertWritable('post a transaction');
    const seq = this.metaValue.journal.seq + this.taken + this.posted.length + 1;
    const tx = hydrateTransaction(newTx, seq);
    // Every effect is worked out before any is applied: one that is refused (a balance past its
    // bound) must leave none of the others behind, as a batch goes on to its next row in this
    // same transaction (a payer debited for a row that was never paid).
    const staged = new Map<string, readonly [Kind, string, unknown]>();
    for (const effect of transactionEffects(tx)) {
      const at = changedRecord(effect);
      let record: unknown = null;
      if (at !== null) {
        // An effect sees the ones before it; the record is read without a pause when this transaction knows it already.
        const before = staged.get(`${at[0]}\u0000${at[1]}`);
        const known = before ? before[2] : this.view.known(at[0], at[1]);
        record = known !== undefined ? known : await this.view.get(at[0], at[1]);
      }
      const write = this.effectWrite(effect, record);
      if (write !== null) staged.set(`${write[0]}\u0000${write[1]}`, write);
    }
    for (const [kind, key, value] of staged.values()) this.view.put(kind, key, value);
    await this.fileInJournalIndexes(tx);
    this.firstPostedSeq ??= tx.seq;
    this.posted.push(tx);
    return tx;
  }

  /**
   * Whether this transaction posted the transaction with this id: the ids of the numbers from its
   * first posting on, one per posting (a generated store posts a million, and a set of their ids
   * kept a million strings to answer this).
   */
  private postedHere(txId: string): boolean {
    const seq = seqOfTxId(txId);
    const first = this.firstPostedSeq;
    return seq !== null && first !== null && seq >= first && seq < first + this.postedCount && txIdForSeq(seq) === txId;
  }

  /**
   * Files the transaction under each party's journal index and under each transaction it links to
   * (a store that indexes the journal itself skips this).
   */
  protected async fileInJournalIndexes(tx: Transaction): Promise<void> {
    for (const party of new Set(tx.parties)) await this.appendSeq('journal-of-user', party, tx.seq);
    for (const linked of new Set(tx.links)) await this.appendSeq('journal-links', linked, tx.seq);
  }

  /**
   * Appends to the list this transaction already wrote in place: a batch files 10,000 entries under
   * its payer, and a new copy of the list for each would copy 50 million numbers.
   */
  private async appendSeq(index: 'journal-of-user' | 'journal-links', key: string, seq: number): Promise<void> {
    const known = this.view.known<number[]>(index, key);
    const current = known !== undefined ? known : await this.view.get<number[]>(index, key);
    // A list made here is put under this key alone, so the current value being one of them means it is this key's.
    if (current !== null && this.ownSeqs.has(current)) {
      current.push(seq);
      return;
    }
    const seqs = [...(current ?? []), seq];
    this.ownSeqs.add(seqs);
    this.view.put(index, key, seqs);
  }

  audit(event: AuditEvent): void {
    this.assertWritable('audit');
    this.events.push(event);
  }

  mail(mail: OutgoingMail, dateIso: string): MailRecord {
    this.assertWritable('send mail');
    const seq = this.metaValue.mailSeq + 1;
    this.metaValue = { ...this.metaValue, mailSeq: seq };
    // Not a spread with new keys: each such object gets a hidden class of its own (see hydrateTransaction).
    const record: MailRecord = Object.assign({}, mail, { id: mailIdForSeq(seq), date: dateIso });
    this.mails.push(record);
    return record;
  }

  failAfterCommit(error: AppError): void {
    this.deferredError = error;
  }

  async flush(): Promise<void> {
    // The memory store keeps its entries until the commit; the file store and PostgreSQL write them early.
  }

  /**
   * For a writer that fills an empty store (fixtures generate): when the store holds nothing
   * (no user, no entry, no mail, no ticket) and this transaction has written nothing yet, reads of
   * records it has not written stop asking the store. Returns whether that applies.
   */
  async startFromNothing(): Promise<boolean> {
    const meta = this.committedMeta;
    if (this.view.changed || meta.journal.seq > 0 || meta.audit.seq > 0 || meta.mailSeq > 0 || meta.ticketSeq > 0) return false;
    if (((await this.view.committed<Counts>('counts', COUNTS_KEY))?.users ?? 0) > 0) return false;
    this.view.startFromNothing();
    return true;
  }

  /** The posted transactions not taken yet, oldest first, but the newest `keep`, handed over to be written: they leave `posted`. */
  takePosted(keep = 0): Transaction[] {
    const taken = this.posted.splice(0, Math.max(0, this.posted.length - keep));
    this.taken += taken.length;
    return taken;
  }

  /** How many transactions this transaction posted in all (taken or not). */
  get postedCount(): number {
    return this.taken + this.posted.length;
  }

  /** Nothing to write: no records, entries, audit events, mails or counters changed. */
  get unchanged(): boolean {
    return !this.view.changed && this.postedCount === 0 && this.events.length === 0 && this.mails.length === 0 && !this.metaChanged;
  }

  /** The number of users this commit adds, less those it removes (a restarted sign-up's), for the store's user count. */
  async newUsers(): Promise<number> {
    let added = 0;
    const written = this.view.written.get('users');
    for (const id of this.view.writtenKeys('users')) {
      const stored = (await this.view.source.get('users', id)) !== undefined;
      if (written?.get(id) === null) added -= stored ? 1 : 0;
      else if (!stored) added += 1;
    }
    return added;
  }

  /** Puts the counters (meta, user count) among the writes: call once, just before the commit. */
  async settleCounters(journalHead: StoreMeta['journal'], auditHead: StoreMeta['audit']): Promise<void> {
    const added = await this.newUsers();
    if (added !== 0) {
      const counts = (await this.view.committed<Counts>('counts', COUNTS_KEY)) ?? { users: 0 };
      this.view.put('counts', COUNTS_KEY, { users: counts.users + added });
    }
    this.metaValue = { ...this.metaValue, journal: journalHead, audit: auditHead };
    this.view.put('meta', META_KEY, this.metaValue);
  }

  rehearse(): void {
    this.rehearsal = true;
  }

  protected assertWritable(what: string): void {
    if (this.readOnly && !this.rehearsal) throw new Error(`a read-only store view cannot ${what}`);
  }

  /** The write one effect of a posting makes to the record it changes (`changedRecord`), read before: null when there is none. A null value removes; no write at all is null. */
  private effectWrite(effect: TxEffect, record: unknown): readonly [Kind, string, unknown] | null {
    switch (effect.kind) {
      case 'balance': {
        const row = (record as Record<string, MinorUnits> | null) ?? {};
        return [
          'balances',
          effect.account,
          { ...row, [effect.currency]: addToBalance(effect.account, effect.currency, row[effect.currency] ?? 0, effect.amountMinor) },
        ];
      }
      case 'idempotency':
        return ['idempotency', idempotencyKey(effect.userId, effect.key), effect.record];
      case 'quote-used': {
        const quote = record as StoredQuote | null;
        return quote ? ['quotes', effect.quoteId, { ...quote, usedBy: effect.txId }] : null;
      }
      case 'limit': {
        const window = addToLimitWindow((record as LimitWindow | null) ?? {}, effect.day, effect.usdMinor);
        return ['limits', effect.userId, Object.keys(window).length === 0 ? null : window];
      }
      case 'refund':
        return ['refunds', effect.refundedTxId, effect.refundTxId];
      case 'unclaimed-created':
        return ['unclaimed', effect.transfer.txId, effect.transfer];
      case 'unclaimed-ended':
        return ['unclaimed', effect.txId, null];
      case 'withdrawal-put':
        return ['withdrawals', effect.withdrawal.id, effect.withdrawal];
      case 'withdrawal-ended':
        return ['withdrawals', effect.id, null];
    }
  }

  private async emailOf(id: string): Promise<string | null> {
    const known = this.view.known<User>('users', id);
    if (known !== undefined) return known?.email ?? null;
    const email = (await this.view.committed<IndexMembers>('email-of-user', id))?.[id];
    return typeof email === 'string' ? email : null;
  }

  private async firstMember(index: 'user-by-email' | 'user-by-phone' | 'user-by-token', key: string): Promise<User | null> {
    const [id] = (await this.view.members(index, key, 'users')).sort(byCode);
    return id === undefined ? null : this.view.get<User>('users', id);
  }

  private async usersFiled(index: 'staff', key: string): Promise<User[]> {
    const ids = await this.view.members(index, key, 'users');
    return present(await Promise.all(ids.map((id) => this.view.get<User>('users', id))));
  }

  /** Summaries in the given statuses (null: all), in number order. */
  private async summariesWithStatus(statuses: readonly TicketStatus[] | null): Promise<TicketSummary[]> {
    const openOnly = statuses !== null && statuses.every((s) => OPEN_STATUSES.includes(s));
    // The open queue keeps copies of its summaries: listing it reads one small index, not every ticket.
    const source = openOnly ? await this.openQueue() : [...(await this.view.all<TicketSummary>('summaries')).values()];
    return source.filter((s) => statuses === null || statuses.includes(s.status)).sort((a, b) => a.number - b.number);
  }

  /** The committed directory, with the shapes whose groups this transaction's summaries left or joined folded again. */
  private async queueShapes(): Promise<Map<string, QueueGroupFacts> | null> {
    if (this.view.source.keeps?.('queue-directory') === false) return null;
    const shapes = new Map(Object.entries((await this.view.committed<Record<string, QueueGroupFacts>>('queue-directory', DIRECTORY_KEY)) ?? {}));
    const touched = new Set([...(await this.touchedGroups())].map(queueShapeKey));
    for (const shape of touched) {
      const facts = foldFacts((await this.queueGroups([shape])).values());
      if (facts === null) shapes.delete(shape);
      else shapes.set(shape, facts);
    }
    return shapes;
  }

  /** The committed facts of these shapes' groups, with the groups this transaction's summaries left or joined folded again. */
  private async queueGroups(shapes: readonly string[]): Promise<Map<string, QueueGroupFacts>> {
    const wanted = new Set(shapes);
    await this.view.prefetch('queue-days', [...wanted]);
    const groups = new Map<string, QueueGroupFacts>();
    for (const shape of wanted)
      for (const [key, facts] of Object.entries((await this.view.committed<Record<string, QueueGroupFacts>>('queue-days', shape)) ?? {}))
        groups.set(key, facts);
    for (const key of await this.touchedGroups()) {
      if (!wanted.has(queueShapeKey(key))) continue;
      const facts = groupFacts(await this.inQueueGroups([key]));
      if (facts === null) groups.delete(key);
      else groups.set(key, facts);
    }
    return groups;
  }

  /** The groups this transaction's summaries left or joined. */
  private async touchedGroups(): Promise<Set<string>> {
    const touched = new Set<string>();
    for (const number of this.view.writtenKeys('summaries')) {
      for (const summary of [await this.view.committed<TicketSummary>('summaries', number), await this.view.get<TicketSummary>('summaries', number)])
        if (summary && OPEN_STATUSES.includes(summary.status)) touched.add(queueGroupKey(summary));
    }
    return touched;
  }

  private async inQueueGroups(keys: readonly string[]): Promise<TicketSummary[]> {
    const found = new Map<string, TicketSummary>();
    await this.view.prefetch('queue-groups', keys);
    for (const key of new Set(keys))
      for (const [number, summary] of Object.entries((await this.view.committed<IndexMembers>('queue-groups', key)) ?? {}))
        found.set(number, summary as TicketSummary);
    const wanted = new Set(keys);
    for (const number of this.view.writtenKeys('summaries')) {
      const summary = await this.view.get<TicketSummary>('summaries', number);
      if (summary && OPEN_STATUSES.includes(summary.status) && wanted.has(queueGroupKey(summary))) found.set(number, summary);
      else found.delete(number);
    }
    return [...found.values()];
  }

  private async openQueue(): Promise<TicketSummary[]> {
    const queue = new Map<string, TicketSummary>();
    for await (const batch of this.view.source.scan('open-queue')) {
      for (const [key, members] of batch) {
        for (const [number, summary] of Object.entries(checkedRecord('open-queue', key, members) as IndexMembers)) queue.set(number, summary as TicketSummary);
      }
    }
    for (const number of this.view.writtenKeys('summaries')) {
      const summary = await this.view.get<TicketSummary>('summaries', number);
      if (summary && OPEN_STATUSES.includes(summary.status)) queue.set(number, summary);
      else queue.delete(number);
    }
    return [...queue.values()];
  }

  private scanSorted<T>(kind: 'users' | 'unclaimed' | 'withdrawals' | 'tickets', size: number, order: (a: T, b: T) => number): AsyncIterable<T[]> {
    const view = this.view;
    return (async function* () {
      yield* pages([...(await view.all<T>(kind)).values()].sort(order), size);
    })();
  }

  private scanSortedEntries<V, R>(kind: 'balances', size: number, make: (key: string, value: V) => R): AsyncIterable<R[]> {
    const view = this.view;
    return (async function* () {
      const all = await view.all<V>(kind);
      yield* pages(
        [...all.keys()].sort(byCode).map((key) => make(key, all.get(key) as V)),
        size,
      );
    })();
  }
}

/** The record an effect changes from what it was (a balance row, a quote, a limit window), or null for one it writes whole. */
function changedRecord(effect: TxEffect): readonly [Kind, string] | null {
  switch (effect.kind) {
    case 'balance':
      return ['balances', effect.account];
    case 'quote-used':
      return ['quotes', effect.quoteId];
    case 'limit':
      return ['limits', effect.userId];
    default:
      return null;
  }
}

/** An idempotency record's store key split back into the user and the key they chose (which may hold colons). */
function splitIdempotencyKey(stored: string): { userId: string; key: string } {
  const split = stored.indexOf(':');
  return { userId: stored.slice(0, split), key: stored.slice(split + 1) };
}

function byRequest(a: Withdrawal, b: Withdrawal): number {
  return byCode(a.requestedAt, b.requestedAt) || byCode(a.id, b.id);
}

function pageOf<T>(items: readonly T[], p: Page): PageOf<T> {
  return { items: items.slice(p.offset, p.offset + p.limit), total: items.length };
}
