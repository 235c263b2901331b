import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { checkedRecord } from '../../src/store/record-schemas.js';
import { checkRoot } from '../../src/store/split-layout.js';

const WITHDRAWAL = {
  id: 'wd_1',
  userId: 'usr_1',
  methodId: 'wm_1',
  methodType: 'bank',
  methodLabel: 'Ada Lovelace •••• 4321',
  amountMinor: 10_000,
  currency: 'USD',
  feeMinor: 100,
  feeLines: [{ code: 'payout', label: 'Bank payout', amountMinor: 100 }],
  status: 'requested',
  requestedAt: '2026-11-23T10:00:00.000Z',
  processingAt: null,
  expectedBy: '2026-11-26T10:00:00.000Z',
  finishedAt: null,
  failureReason: null,
  holdTxId: 'txn_0000000001',
  quoteId: null,
  outgoingUsdMinor: 10_000,
};

function refusal(kind: Parameters<typeof checkedRecord>[0], key: string, value: unknown): AppError {
  try {
    checkedRecord(kind, key, value);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('the record was accepted');
}

describe('records read back from a store', () => {
  it('a record that matches its kind comes back as it was read, the very object', () => {
    expect(checkedRecord('withdrawals', 'wd_1', WITHDRAWAL)).toBe(WITHDRAWAL);
    expect(checkedRecord('balances', 'user:usr_1', { USD: -5, EUR: 0 })).toEqual({ USD: -5, EUR: 0 });
    expect(checkedRecord('sessions', 'h', { userId: 'usr_1', createdAt: 'a', lastSeenAt: 'b', endedByLockAt: 'c' })).toBeDefined();
  });

  it('an absent record stays absent', () => {
    expect(checkedRecord('withdrawals', 'wd_1', undefined)).toBeUndefined();
  });

  it('a damaged record is STORE_CORRUPT naming the kind, the key and every bad field with what was expected', () => {
    const damaged = { ...WITHDRAWAL, amountMinor: 100.5, status: 'lost', feeLines: [{ code: 'payout', label: 'Bank payout' }] };
    delete (damaged as Partial<typeof WITHDRAWAL>).holdTxId;
    const error = refusal('withdrawals', 'wd_1', damaged);
    expect(error.code).toBe('STORE_CORRUPT');
    expect(error.message).toBe(
      "the store's withdrawals record wd_1 is damaged: amountMinor must be a whole number; feeLines[0].amountMinor is required; " +
        'status must be "requested" or "processing" or "completed" or "failed" or "cancelled" or "returned"; holdTxId is required',
    );
  });

  it('a balance that is not whole minor units is refused with its currency', () => {
    expect(refusal('balances', 'user:usr_1', { USD: '500.00', EUR: 1.5, GBP: 1e300 }).message).toBe(
      "the store's balances record user:usr_1 is damaged: USD must be a number; EUR must be a whole number; GBP must be at most 9007199254740991",
    );
  });

  it('a ticket whose event log holds an event of an unknown shape is refused, naming the event and its field', () => {
    const ticket = {
      number: 7,
      customerId: 'usr_1',
      category: 'funds',
      subject: 'Where is my money?',
      channel: 'email',
      language: 'en',
      regionId: 'eu',
      status: 'open',
      priority: 'normal',
      tier: 1,
      assigneeId: null,
      tags: [],
      txId: null,
      lockedAccount: false,
      origin: 'customer',
      relatedTo: null,
      mergedInto: null,
      escalationRequest: null,
      rating: null,
      createdAt: '2026-11-23T10:00:00.000Z',
      updatedAt: '2026-11-23T10:00:00.000Z',
      messages: [
        { id: 1, at: '2026-11-23T10:00:00.000Z', authorId: 'usr_1', author: 'customer', visibility: 'public', body: 'Hello', faqId: null, fromTicket: null },
      ],
      events: [
        { type: 'created', at: '2026-11-23T10:00:00.000Z', by: 'usr_1' },
        { type: 'status', at: '2026-11-23T10:00:00.000Z', by: null, from: 'new', to: 'open' },
      ],
    };
    expect(checkedRecord('tickets', '7', ticket)).toBe(ticket);
    const damaged = { ...ticket, tier: 4, events: [...ticket.events, { type: 'escalated', at: 'x', by: null, from: 1, to: 5, reason: null }] };
    expect(refusal('tickets', '7', damaged).message).toBe(
      "the store's tickets record 7 is damaged: tier must be 1 or 2 or 3; events[2].to must be 1 or 2 or 3",
    );
  });

  const SUMMARY = {
    number: 7,
    customerId: 'usr_1',
    status: 'open',
    assigneeId: null,
    createdAt: '2026-11-23T10:00:00.000Z',
    updatedAt: '2026-11-23T10:00:00.000Z',
    priority: 'normal',
    tier: 1,
    category: 'account',
    language: 'en',
    channel: 'email',
    subject: 'Cannot sign in',
    regionId: 'us',
    origin: 'customer',
    escalationRequest: null,
    rating: null,
    waitingForFirstReply: true,
    solvedAt: null,
    sla: { kind: 'first-reply', startedAtMs: 1, targetMinutes: 60, elapsedMinutes: 0, runningSinceMs: 1, dueAtMs: null },
  };

  it('ticket summaries, and the copies the open queue keeps of them, are checked field by field', () => {
    expect(checkedRecord('summaries', '7', SUMMARY)).toBe(SUMMARY);
    expect(checkedRecord('open-queue', '7', { 7: SUMMARY })).toEqual({ 7: SUMMARY });
    const damaged = { ...SUMMARY, status: 'gone', sla: { ...SUMMARY.sla, kind: 'third-reply', dueAtMs: 'soon' } };
    expect(refusal('summaries', '7', damaged).message).toBe(
      'the store\'s summaries record 7 is damaged: status must be "new" or "open" or "pending" or "on-hold" or "solved" or "closed" or "merged"; ' +
        'sla.kind must be "first-reply" or "next-reply"; sla.dueAtMs must be a number',
    );
    expect(refusal('open-queue', '7', { 7: { ...SUMMARY, waitingForFirstReply: 'yes' } }).message).toBe(
      "the store's open-queue record 7 is damaged: 7.waitingForFirstReply must be true or false",
    );
  });

  it('index records, the user count, refunds and mail deliveries are checked too', () => {
    expect(checkedRecord('user-by-email', 'a@example.com', { usr_1: true })).toEqual({ usr_1: true });
    expect(refusal('sessions-of-user', 'usr_1', { h1: true, h2: 'yes' }).message).toBe("the store's sessions-of-user record usr_1 is damaged: h2 must be true");
    expect(checkedRecord('journal-of-user', 'usr_1', [1, 2, 5])).toEqual([1, 2, 5]);
    expect(refusal('journal-of-user', 'usr_1', [1, '2', 0]).message).toBe(
      "the store's journal-of-user record usr_1 is damaged: [1] must be a number; [2] must be more than 0",
    );
    expect(checkedRecord('counts', 'counts', { users: 3 })).toEqual({ users: 3 });
    expect(refusal('counts', 'counts', { users: -1 }).message).toBe("the store's counts record counts is damaged: users must be at least 0");
    expect(refusal('refunds', 'txn_1', 42).message).toBe("the store's refunds record txn_1 is damaged: must be text");
    const delivery = {
      mailId: 'msg_000001',
      status: 'queued',
      attempts: 0,
      queuedAt: '2026-11-23T10:00:00.000Z',
      lastAttemptAt: null,
      nextAttemptAt: '2026-11-23T10:00:00.000Z',
      claimedUntil: null,
      response: null,
      lastError: null,
      sentAt: null,
    };
    expect(checkedRecord('deliveries', 'msg_000001', delivery)).toBe(delivery);
    expect(refusal('deliveries', 'msg_000001', { ...delivery, status: 'bounced', attempts: 1.5, sentAt: undefined }).message).toBe(
      'the store\'s deliveries record msg_000001 is damaged: status must be "queued" or "sent" or "failed"; attempts must be a whole number; sentAt is required',
    );
  });
});

describe("the split store's root (store.json)", () => {
  const head = { seq: 3, hash: 'ab', bytes: 120 };
  const meta = { createdAt: '2026-11-23T10:00:00.000Z', segmentSize: 1000, testStore: false, journal: head, audit: head, mailSeq: 2, ticketSeq: 0 };
  const root = { schemaVersion: 5, commit: 9, meta, counts: { users: 2 } };

  it('is read as it is when its meta and counts match their schemas', () => {
    expect(checkRoot(root, '/data/store.json')).toBe(root);
  });

  it('a damaged root is STORE_CORRUPT naming every bad field', () => {
    const damaged = { ...root, commit: 0, meta: { ...meta, segmentSize: '1000', journal: { ...head, seq: -1 } }, counts: {} };
    let error: unknown;
    try {
      checkRoot(damaged as unknown as Parameters<typeof checkRoot>[0], '/data/store.json');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('STORE_CORRUPT');
    expect((error as AppError).message).toBe(
      'the store file /data/store.json is damaged: it does not describe a commit: commit must be more than 0; meta.segmentSize must be a number; ' +
        'meta.journal.seq must be at least 0; counts.users is required',
    );
  });
});
