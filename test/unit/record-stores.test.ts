// The contract of the record-native stores (records by key, indexes, posting's effects, atomic
// commits, reads of one committed version), held by every implementation alike.

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { holdAccount, userAccount, type NewTransaction } from '../../src/domain/ledger.js';
import type { StoredQuote, User, Withdrawal } from '../../src/domain/state.js';
import { summarizeTicket, type TicketSummary } from '../../src/domain/ticket-summary.js';
import type { Ticket, TicketStatus } from '../../src/domain/ticket-record.js';
import { afterAttempt, queuedDelivery } from '../../src/domain/mail-delivery.js';
import type { QueueGroupFacts } from '../../src/domain/queue-group-facts.js';
import { MemoryRecordStore } from '../../src/store/memory-record-store.js';
import { DIRECTORY_KEY, KINDS_ADDED } from '../../src/store/record-kinds.js';
import { seal, unseal } from '../../src/store/sealed-file.js';
import { SplitFileStore } from '../../src/store/split-file-store.js';
import { bucketOf, bucketPath, SPLIT_SCHEMA_VERSION } from '../../src/store/split-layout.js';
import type { RecordStore, RecordsTransaction } from '../../src/store/store.js';
import { customer, europe, newState, open, support } from '../support/desk.js';
import { pgStores } from '../support/pg-store.js';
import { everyQueueGroup } from '../support/records.js';
import { asSchema9, forgeRecord } from '../support/store-files.js';

const NOW = '2026-11-23T10:00:00.000Z';
const homes: string[] = [];
afterAll(() => homes.forEach((home) => rmSync(home, { recursive: true, force: true })));

function tempHome(): string {
  const home = mkdtempSync(path.join(os.tmpdir(), 'okpay-records-'));
  homes.push(home);
  return home;
}

const postgres = await pgStores({ segmentSize: 4 });

/** A split file store with short journal segments, for a store made by this release (no schema-2 tickets). */
const SPLIT_OPTIONS = {
  now: () => new Date(NOW),
  segmentSize: 4,
  summarizeTicket: () => {
    throw new Error('a new store has no schema-2 tickets');
  },
};

const STORES: [string, () => RecordStore][] = [
  ['memory', () => new MemoryRecordStore(NOW, 4)],
  ['split file', () => new SplitFileStore(tempHome(), SPLIT_OPTIONS)],
  ['PostgreSQL', () => postgres.make(NOW)],
];

const state = newState();
const ada = customer(state, 'ada');
const bob = { ...customer(state, 'bob'), phone: '+14155550142' };
const agentUser: User = { ...customer(state, 'amy'), role: 'agent', agent: { tier: 1, languages: ['en'] } };

function deposit(user: User, amountMinor: number): NewTransaction {
  return {
    type: 'deposit',
    at: NOW,
    memo: null,
    links: [],
    parties: [user.id],
    postings: [
      { account: 'world', currency: 'USD', amountMinor: -amountMinor },
      { account: userAccount(user.id), currency: 'USD', amountMinor },
    ],
    details: { initiator: user.id, source: 'card' },
  };
}

function toPhone(user: User, phone: string, amountMinor: number): NewTransaction {
  return {
    type: 'transfer.unclaimed',
    at: NOW,
    memo: null,
    links: [],
    parties: [user.id],
    postings: [
      { account: userAccount(user.id), currency: 'USD', amountMinor: -amountMinor },
      { account: 'unclaimed', currency: 'USD', amountMinor },
    ],
    details: {
      initiator: user.id,
      amountMinor,
      currency: 'USD',
      recipient: { phone },
      unclaimedExpiresAt: '2026-12-23T10:00:00.000Z',
      outgoingUsdMinor: amountMinor,
      idempotency: { key: 'k1', fingerprint: 'f1', expiresAt: '2026-12-23T10:00:00.000Z' },
    },
  };
}

function quote(id: string, expiresAt: string): StoredQuote {
  return {
    id,
    userId: ada.id,
    kind: 'transfer',
    request: { to: 'bob@example.org' },
    amountMinor: 100,
    currency: 'USD',
    feeMinor: 0,
    feeLines: [],
    scope: null,
    midRate: '1',
    rate: '1',
    receiveAmountMinor: 100,
    receiveCurrency: 'USD',
    createdAt: NOW,
    expiresAt,
    usedBy: null,
  };
}

const day = (n: number, hour = 9): string => new Date(Date.UTC(2026, 10, n, hour)).toISOString();

function summaryOf(ticket: Ticket, status: TicketStatus): TicketSummary {
  return { ...summarizeTicket(ticket, support, europe), status };
}

/** The open queue as its groups hold it: how many tickets the directory counts, and which tickets the groups hold. */
async function queueByGroups(t: RecordsTransaction): Promise<{ count: number; numbers: number[] } | null> {
  const groups = await everyQueueGroup(t);
  if (groups === null) return null;
  const members = await t.tickets.inQueueGroups([...groups.keys()]);
  return { count: [...groups.values()].reduce((sum, facts) => sum + facts.count, 0), numbers: members.map((s) => s.number).sort((a, b) => a - b) };
}

describe.each(STORES)('the %s record store', (_name, make) => {
  it('reads its own writes, keeps them on commit and drops them all when the work throws', async () => {
    const store = make();
    await expect(
      store.transaction(async (t) => {
        t.users.put(ada);
        expect(await t.users.byEmail(ada.email)).toEqual(ada);
        expect(await t.users.count()).toBe(1);
        throw new AppError('USAGE', 'changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await store.read((t) => t.users.byEmail(ada.email))).toBeNull();
    await store.transaction((t) => t.users.put(ada));
    await store.transaction((t) => t.users.put(bob));
    expect(await store.read(async (t) => [await t.users.count(), (await t.users.byPhone('+14155550142'))?.id])).toEqual([2, bob.id]);
  });

  it('reads several users at once as one by one: in the order asked, none for a missing id, its own writes over the committed', async () => {
    const store = make();
    await store.transaction((t) => {
      t.users.put(ada);
      t.users.put(bob);
    });
    const renamed = { ...bob, name: 'Robert' };
    const [many, single] = await store.transaction(async (t) => {
      t.users.put(renamed);
      const ids = [bob.id, 'usr_nobody', ada.id, bob.id];
      return [await t.users.getMany(ids), await Promise.all(ids.map((id) => t.users.get(id)))];
    });
    expect(many).toEqual([renamed, null, ada, renamed]);
    expect(single).toEqual(many);
    expect(await store.read((t) => t.users.getMany([]))).toEqual([]);
  });

  it('gives users’ emails by id without their records: in the order asked, none for a missing id, its own writes over the committed', async () => {
    const store = make();
    await store.transaction((t) => {
      t.users.put(ada);
      t.users.put(bob);
    });
    const ids = [bob.id, 'usr_nobody', ada.id, bob.id];
    expect(await store.read((t) => t.users.emailsOf(ids))).toEqual([bob.email, null, ada.email, bob.email]);
    const moved = { ...bob, email: 'robert@example.com' };
    const seen = await store.transaction(async (t) => {
      t.users.put(moved);
      return t.users.emailsOf(ids);
    });
    expect(seen).toEqual(['robert@example.com', null, ada.email, 'robert@example.com']);
    // The committed change moves the index with it.
    expect(await store.read((t) => t.users.emailsOf([bob.id, ada.id]))).toEqual(['robert@example.com', ada.email]);
    expect(await store.read((t) => t.users.emailsOf([]))).toEqual([]);
  });

  it('starts from nothing only in a store that holds nothing, and then answers from its own writes alone', async () => {
    const store = make();
    await store.transaction(async (t) => {
      expect(await t.startFromNothing()).toBe(true);
      expect(await t.users.get(ada.id)).toBeNull();
      t.users.put(ada);
      await t.post(deposit(ada, 500));
      expect(await t.users.byEmail(ada.email)).toEqual(ada);
      expect(await t.balances.get(userAccount(ada.id), 'USD')).toBe(500);
      expect(await t.users.count()).toBe(1);
    });
    await store.transaction(async (t) => {
      expect(await t.startFromNothing()).toBe(false);
      expect(await t.users.byEmail(ada.email)).toEqual(ada);
    });
    expect(await store.read(async (t) => [await t.users.count(), await t.balances.get(userAccount(ada.id), 'USD')])).toEqual([1, 500]);
  });

  it('moves the indexes with the record: a changed email, a new token, a new agent', async () => {
    const store = make();
    await store.transaction((t) => {
      t.users.put(ada);
      t.users.put(agentUser);
    });
    const moved = { ...ada, email: 'ada.new@example.com', passwordReset: { tokenHash: 'h1', expiresAt: NOW } };
    await store.transaction(async (t) => {
      t.users.put(moved);
      expect(await t.users.byEmail(ada.email)).toBeNull();
      expect((await t.users.byToken('passwordReset', 'h1'))?.id).toBe(ada.id);
    });
    expect(
      await store.read(async (t) => [
        await t.users.byEmail(ada.email),
        (await t.users.byEmail('ada.new@example.com'))?.id,
        (await t.users.staff()).map((u) => u.id),
      ]),
    ).toEqual([null, ada.id, [agentUser.id]]);
  });

  it('applies a posting through the records: balances, idempotency, limits, unclaimed money and the journal index', async () => {
    const store = make();
    await store.transaction(async (t) => {
      t.users.put(ada);
      await t.post(deposit(ada, 10_000));
    });
    const tx = await store.transaction((t) => t.post(toPhone(ada, '+447700900123', 2_500)));
    await store.read(async (t) => {
      expect(await t.balances.get(userAccount(ada.id), 'USD')).toBe(7_500);
      expect(await t.balances.get('unclaimed', 'USD')).toBe(2_500);
      expect(await t.idempotency.get(ada.id, 'k1')).toEqual({ fingerprint: 'f1', txId: tx.id, expiresAt: '2026-12-23T10:00:00.000Z' });
      expect(await t.limits.get(ada.id)).toEqual({ '2026-11-23': 2_500 });
      expect((await t.unclaimed.forRecipient({ phone: '+447700900123' })).map((u) => u.txId)).toEqual([tx.id]);
      expect((await t.unclaimed.expiredBy('2026-12-24T00:00:00.000Z', 10)).map((u) => u.txId)).toEqual([tx.id]);
      expect(await t.journal.seqsOfUser(ada.id)).toEqual([1, 2]);
      expect((await t.journal.get(2))?.tx.id).toBe(tx.id);
    });
    await store.transaction((t) =>
      t.post({
        type: 'unclaimed.return',
        at: NOW,
        memo: null,
        links: [tx.id],
        parties: [ada.id],
        postings: [
          { account: 'unclaimed', currency: 'USD', amountMinor: -2_500 },
          { account: userAccount(ada.id), currency: 'USD', amountMinor: 2_500 },
        ],
        details: { initiator: null, limitRelease: { userId: ada.id, day: '2026-11-23', usdMinor: 2_500 } },
      }),
    );
    await store.read(async (t) => {
      expect(await t.unclaimed.forRecipient({ phone: '+447700900123' })).toEqual([]);
      expect(await t.limits.get(ada.id)).toEqual({});
      expect(await t.balances.ofAccount('unclaimed')).toEqual({ USD: 0 });
    });
  });

  it('files each entry under the transactions it links to in the commit that posts it, and drops the link with a rolled-back commit', async () => {
    const store = make();
    await store.transaction(async (t) => {
      t.users.put(ada);
      await t.post(deposit(ada, 10_000));
    });
    const sent = await store.transaction((t) => t.post(toPhone(ada, '+447700900123', 2_500)));
    const back = (links: string[]): NewTransaction => ({
      type: 'unclaimed.return',
      at: NOW,
      memo: null,
      links,
      parties: [ada.id],
      postings: [
        { account: 'unclaimed', currency: 'USD', amountMinor: -2_500 },
        { account: userAccount(ada.id), currency: 'USD', amountMinor: 2_500 },
      ],
      details: { initiator: null },
    });
    await expect(
      store.transaction(async (t) => {
        await t.post(back([sent.id]));
        throw new AppError('USAGE', 'rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await store.read((t) => t.journal.seqsLinkingTo(sent.id))).toEqual([]);
    // One entry naming the same transaction twice is filed once; a later one after it.
    const returned = await store.transaction(async (t) => {
      const posted = await t.post(back([sent.id, sent.id]));
      // The running transaction's entries are not committed yet: the index gives committed entries only.
      expect(await t.journal.seqsLinkingTo(sent.id)).toEqual([]);
      return posted;
    });
    await store.transaction(async (t) => {
      await t.post(deposit(ada, 100));
      await t.post({ ...deposit(ada, 200), links: [sent.id, 'txn_0000000001'] });
    });
    await store.read(async (t) => {
      expect(await t.journal.seqsLinkingTo(sent.id)).toEqual([returned.seq, returned.seq + 2]);
      expect(await t.journal.seqsLinkingTo('txn_0000000001')).toEqual([returned.seq + 2]);
      expect(await t.journal.seqsLinkingTo(returned.id)).toEqual([]);
    });
  });

  it('keeps withdrawals in flight findable by user, by hold and in request order until they end', async () => {
    const store = make();
    const record: Omit<Withdrawal, 'holdTxId'> = {
      id: 'wd_1',
      userId: ada.id,
      methodId: 'wm_1',
      methodType: 'bank',
      methodLabel: 'x',
      amountMinor: 1_000,
      currency: 'USD',
      feeMinor: 0,
      feeLines: [],
      status: 'requested',
      requestedAt: NOW,
      processingAt: null,
      expectedBy: NOW,
      finishedAt: null,
      failureReason: null,
      quoteId: null,
      outgoingUsdMinor: 1_000,
    };
    const hold = await store.transaction(async (t) => {
      await t.post(deposit(ada, 5_000));
      return t.post({
        type: 'withdrawal.hold',
        at: NOW,
        memo: null,
        links: [],
        parties: [ada.id],
        postings: [
          { account: userAccount(ada.id), currency: 'USD', amountMinor: -1_000 },
          { account: holdAccount(ada.id), currency: 'USD', amountMinor: 1_000 },
        ],
        details: { initiator: ada.id, record },
      });
    });
    await store.read(async (t) => {
      expect((await t.withdrawals.byHoldTx(hold.id))?.id).toBe('wd_1');
      expect((await t.withdrawals.ofUser(ada.id)).map((w) => w.holdTxId)).toEqual([hold.id]);
      expect((await t.withdrawals.dueBy(NOW, 5)).map((w) => w.id)).toEqual(['wd_1']);
      expect(await t.withdrawals.dueBy('2026-11-23T09:59:59.999Z', 5)).toEqual([]);
    });
    // Processing, it is due again only at its expected arrival.
    await store.transaction(async (t) => t.withdrawals.put({ ...(await t.withdrawals.get('wd_1'))!, status: 'processing', expectedBy: day(26) }));
    await store.read(async (t) => {
      expect(await t.withdrawals.dueBy(day(25), 5)).toEqual([]);
      expect((await t.withdrawals.dueBy(day(26), 5)).map((w) => w.status)).toEqual(['processing']);
    });
    await store.transaction((t) =>
      t.post({
        type: 'withdrawal.complete',
        at: NOW,
        memo: null,
        links: [hold.id],
        parties: [ada.id],
        postings: [
          { account: holdAccount(ada.id), currency: 'USD', amountMinor: -1_000 },
          { account: 'world', currency: 'USD', amountMinor: 1_000 },
        ],
        details: { initiator: null, record: { ...record, status: 'completed', holdTxId: hold.id } },
      }),
    );
    expect(
      await store.read(async (t) => [
        await t.withdrawals.get('wd_1'),
        await t.withdrawals.byHoldTx(hold.id),
        await t.withdrawals.dueBy('9999-12-31T23:59:59.999Z', 5),
      ]),
    ).toEqual([null, null, []]);
  });

  it('finds quotes and idempotency keys by expiry and withdrawals by due time, oldest first, over days, with its own writes', async () => {
    const store = make();
    await store.transaction((t) => {
      for (const [id, at] of [
        ['qt_a', day(21, 8)],
        ['qt_b', day(20)],
        ['qt_c', day(21, 7)],
        ['qt_d', day(23, 11)],
        ['qt_e', day(30)],
      ] as const)
        t.quotes.put(quote(id, at));
    });
    await store.read(async (t) => {
      expect(await t.quotes.expiredBy(NOW, 10)).toEqual(['qt_b', 'qt_c', 'qt_a']);
      expect(await t.quotes.expiredBy(NOW, 2)).toEqual(['qt_b', 'qt_c']);
      expect(await t.quotes.expiredBy(day(19), 10)).toEqual([]);
    });
    await store.transaction(async (t) => {
      t.quotes.delete('qt_b');
      t.quotes.put(quote('qt_f', day(2)));
      t.quotes.put({ ...quote('qt_c', day(29)), usedBy: 'txn_1' });
      expect(await t.quotes.expiredBy(NOW, 10)).toEqual(['qt_f', 'qt_a']);
    });
    const tx = await store.transaction(async (t) => {
      t.users.put(ada);
      await t.post(deposit(ada, 10_000));
      return t.post(toPhone(ada, '+447700900123', 2_500));
    });
    await store.read(async (t) => {
      expect(await t.quotes.get('qt_b')).toBeNull();
      expect(await t.quotes.expiredBy(day(30), 10)).toEqual(['qt_f', 'qt_a', 'qt_d', 'qt_c', 'qt_e']);
      expect(await t.idempotency.expiredBy('2026-12-23T09:59:59.999Z', 10)).toEqual([]);
      expect(await t.idempotency.expiredBy('2026-12-23T10:00:00.000Z', 10)).toEqual([{ userId: ada.id, key: 'k1' }]);
      expect((await t.unclaimed.expiredBy('2026-12-23T10:00:00.000Z', 10)).map((u) => u.txId)).toEqual([tx.id]);
    });
    await store.transaction((t) => t.idempotency.delete(ada.id, 'k1'));
    await store.read(async (t) => {
      expect(await t.idempotency.get(ada.id, 'k1')).toBeNull();
      expect(await t.idempotency.expiredBy('2027-01-01T00:00:00.000Z', 10)).toEqual([]);
    });
    if (store instanceof SplitFileStore) expect((await store.verify()).problems).toEqual([]);
  });

  it('answers expiredBy as a full scan would, for random expiries, removals and cut-offs', async () => {
    const store = make();
    const kept = new Map<string, string>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 23 })), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 11 }), { maxLength: 3 }),
        fc.integer({ min: 1, max: 14 }),
        fc.integer({ min: 1, max: 6 }),
        async (puts, removals, cutDay, limit) => {
          await store.transaction((t) => {
            for (const [n, d, h] of puts) {
              kept.set(`qt_${n}`, day(d, h));
              t.quotes.put(quote(`qt_${n}`, day(d, h)));
            }
            for (const n of removals) {
              kept.delete(`qt_${n}`);
              t.quotes.delete(`qt_${n}`);
            }
          });
          const cut = day(cutDay, 12);
          const expected = [...kept]
            .filter(([, at]) => at <= cut)
            .sort(([x, a], [y, b]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : 1))
            .slice(0, limit)
            .map(([id]) => id);
          expect(await store.read((t) => t.quotes.expiredBy(cut, limit))).toEqual(expected);
        },
      ),
      { numRuns: 25 },
    );
    if (store instanceof SplitFileStore) expect((await store.verify()).problems).toEqual([]);
  });

  it('lists the open queue from its index, and a customer’s tickets newest first a page at a time', async () => {
    const store = make();
    const tickets = [1, 2, 3].map((n) => ({ ...open(newState(), ada, Date.parse(NOW)), number: n, customerId: ada.id }));
    await store.transaction((t) => {
      for (const ticket of tickets) t.tickets.put(ticket, summaryOf(ticket, 'new'));
    });
    await store.transaction(async (t) => {
      t.tickets.put(tickets[1]!, { ...summaryOf(tickets[1]!, 'solved'), solvedAt: NOW });
      expect((await t.tickets.withStatus(['new', 'open'])).map((s) => s.number)).toEqual([1, 3]);
      expect((await t.tickets.solvedBy(NOW, 5)).map((s) => s.number)).toEqual([2]);
      expect(await queueByGroups(t)).toEqual({ count: 2, numbers: [1, 3] });
    });
    await store.read(async (t) => {
      expect((await t.tickets.withStatus(['new'])).map((s) => s.number)).toEqual([1, 3]);
      expect(await queueByGroups(t)).toEqual({ count: 2, numbers: [1, 3] });
      expect((await t.tickets.withStatus(['solved'])).map((s) => s.number)).toEqual([2]);
      expect((await t.tickets.solvedBy(NOW, 5)).map((s) => s.number)).toEqual([2]);
      expect(await t.tickets.solvedBy('2026-11-23T09:59:59.999Z', 5)).toEqual([]);
      const page = await t.tickets.ofCustomer(ada.id, null, { limit: 2, offset: 0 });
      expect([page.items.map((s) => s.number), page.total]).toEqual([[3, 2], 3]);
      expect((await t.tickets.recent(['solved'], { limit: 5, offset: 0 })).items.map((s) => s.number)).toEqual([2]);
      expect((await t.tickets.get(2))?.subject).toBe(tickets[1]!.subject);
    });
  });

  it('numbers tickets and mails once, counts sessions per user, and commits before a deferred failure', async () => {
    const store = make();
    await expect(
      store.transaction((t) => {
        t.sessions.put('s1', { userId: ada.id, createdAt: NOW, lastSeenAt: NOW });
        t.sessions.put('s2', { userId: ada.id, createdAt: NOW, lastSeenAt: NOW });
        expect(t.tickets.nextNumber()).toBe(1);
        t.mail({ to: ada.email, kind: 'activation', subject: 's', text: 'b' } as never, NOW);
        t.audit({ action: 'test', actor: null, subject: null, at: NOW, details: {} } as never);
        t.failAfterCommit(new AppError('BAD_CREDENTIALS', 'counted'));
      }),
    ).rejects.toThrow('counted');
    await store.transaction(async (t) => {
      expect((await t.sessions.ofUser(ada.id)).sort()).toEqual(['s1', 's2']);
      t.sessions.delete('s1');
      expect(await t.sessions.ofUser(ada.id)).toEqual(['s2']);
      expect(t.tickets.nextNumber()).toBe(2);
    });
    await store.read(async (t) => {
      expect(await t.sessions.ofUser(ada.id)).toEqual(['s2']);
      expect((await t.outbox.list()).map((m) => m.id)).toEqual(['msg_000001']);
      expect(t.auditLog.head().seq).toBe(1);
      expect(t.meta.get().ticketSeq).toBe(2);
    });
  });

  it('lets a read that is under way keep seeing the version it started on', async () => {
    const store = make();
    await store.transaction((t) => t.users.put(ada));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const reading = store.read(async (t) => {
      const before = await t.users.get(ada.id);
      await gate;
      return [before?.name, (await t.users.get(ada.id))?.name, await t.users.byEmail(ada.email).then((u) => u?.name)];
    });
    await store.transaction((t) => t.users.put({ ...ada, name: 'Changed' }));
    release();
    expect(await reading).toEqual([null, null, null]);
    expect(await store.read(async (t) => (await t.users.get(ada.id))?.name)).toBe('Changed');
  });

  it('refuses to post, audit or mail in a read', async () => {
    const store = make();
    await expect(store.read((t) => t.post(deposit(ada, 1)))).rejects.toThrow(/read-only/);
  });

  it('keeps each mail’s delivery, and lists those not yet sent in mail order', async () => {
    const store = make();
    const ids = await store.transaction((t) => {
      const made = [1, 2, 3].map((n) =>
        t.mail({ to: `p${n}@example.com`, userId: null, kind: 'activation', language: 'en', subject: 'S', text: 'T', antiPhishingPhrase: null }, NOW),
      );
      expect(t.mails.map((m) => m.id)).toEqual(made.map((m) => m.id));
      for (const mail of made) t.deliveries.put(queuedDelivery(mail.id, NOW));
      return made.map((m) => m.id);
    });
    expect(await store.read((t) => t.deliveries.waiting(10))).toEqual(ids);
    await store.transaction(async (t) => {
      const first = (await t.deliveries.get(ids[0]!))!;
      t.deliveries.put(afterAttempt(first, { ok: true, response: '250 Ok' }, NOW));
      const second = (await t.deliveries.get(ids[1]!))!;
      t.deliveries.put(afterAttempt(second, { ok: false, error: 'connect ECONNREFUSED' }, NOW));
      expect(await t.deliveries.waiting(10)).toEqual(ids.slice(1));
    });
    expect(await store.read((t) => t.deliveries.waiting(1))).toEqual([ids[1]]);
    expect(await store.read((t) => t.deliveries.get(ids[0]!))).toMatchObject({ status: 'sent', attempts: 1, response: '250 Ok', claimedUntil: null });
    expect(await store.read((t) => t.deliveries.get(ids[1]!))).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'connect ECONNREFUSED',
      nextAttemptAt: '2026-11-23T10:01:00.000Z',
    });
    expect(await store.read((t) => t.deliveries.get('msg_999999'))).toBeNull();
  });

  it('keeps each imported mail under its Message-ID, with the ticket it went to', async () => {
    const store = make();
    const odd = 'a"b\\c\'d@[127.0.0.1]';
    await store.transaction((t) => {
      t.mailImports.put({ messageId: 'first@example.de', ticket: 7, importedAt: NOW });
      t.mailImports.put({ messageId: odd, ticket: 8, importedAt: NOW });
    });
    expect(await store.read((t) => t.mailImports.get('first@example.de'))).toEqual({ messageId: 'first@example.de', ticket: 7, importedAt: NOW });
    expect(await store.read((t) => t.mailImports.get(odd))).toMatchObject({ ticket: 8 });
    expect(await store.read((t) => t.mailImports.get('FIRST@example.de'))).toBeNull();
    await store.transaction((t) => t.mailImports.put({ messageId: 'again@example.de', ticket: 7, importedAt: '2026-11-23T11:00:00.000Z' }));
    expect((await store.read((t) => t.mailImports.ofTicket(7))).map((m) => m.messageId)).toEqual(['first@example.de', 'again@example.de']);
    expect(await store.read((t) => t.mailImports.ofTicket(99))).toEqual([]);
    await expect(
      store.transaction((t) => {
        t.mailImports.put({ messageId: 'gone@example.de', ticket: 9, importedAt: NOW });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await store.read((t) => t.mailImports.get('gone@example.de'))).toBeNull();
  });
});

describe('a split store written before mail deliveries (schema 3)', () => {
  it('reads as holding none, and its next commit lists them', async () => {
    const home = tempHome();
    await new SplitFileStore(home, SPLIT_OPTIONS).transaction((t) => t.users.put(ada));
    const rootFile = path.join(home, 'store.json');
    const root = unseal<{ schemaVersion: number }>(readFileSync(rootFile, 'utf8'), rootFile);
    writeFileSync(rootFile, seal({ ...root, schemaVersion: 3 }));
    removeKindsAddedAfter(home, 3);
    for (const kind of ['deliveries', 'deliveries-waiting', 'mail-imports']) rmSync(path.join(home, 'records', kind), { recursive: true, force: true });
    const store = new SplitFileStore(home, SPLIT_OPTIONS);
    expect(await store.read((t) => t.deliveries.waiting(10))).toEqual([]);
    // Without the index of addresses (schema 12), emails come from the users themselves.
    expect(await store.read((t) => t.users.emailsOf([ada.id, 'usr_nobody']))).toEqual([ada.email, null]);
    expect((await store.verify()).problems).toEqual([]);
    await store.transaction((t) => t.users.put({ ...ada, name: 'Ada L.' }));
    expect(existsSync(path.join(home, 'records', 'email-of-user', 'buckets.json'))).toBe(true);
    expect(await store.read((t) => t.users.emailsOf([ada.id]))).toEqual([ada.email]);
    expect(unseal<{ schemaVersion: number }>(readFileSync(rootFile, 'utf8'), rootFile).schemaVersion).toBe(SPLIT_SCHEMA_VERSION);
    expect(existsSync(path.join(home, 'records', 'deliveries', 'buckets.json'))).toBe(true);
    expect((await new SplitFileStore(home, SPLIT_OPTIONS).verify()).problems).toEqual([]);
  });
});

describe('a split store written before the time-ordered indexes (schema 5)', () => {
  it('passes verify as it is, and its next writer files every quote, key and withdrawal by time first', async () => {
    const home = tempHome();
    await new SplitFileStore(home, SPLIT_OPTIONS).transaction(async (t) => {
      t.users.put(ada);
      t.quotes.put(quote('qt_old', day(2)));
      await t.post(deposit(ada, 10_000));
      await t.post(toPhone(ada, '+447700900123', 2_500));
    });
    const rootFile = path.join(home, 'store.json');
    const root = unseal<{ schemaVersion: number }>(readFileSync(rootFile, 'utf8'), rootFile);
    writeFileSync(rootFile, seal({ ...root, schemaVersion: 5 }));
    removeKindsAddedAfter(home, 5);
    for (const kind of ['withdrawals-due', 'unclaimed-due', 'quotes-expiry', 'idempotency-expiry', 'solved-due'])
      rmSync(path.join(home, 'records', kind), { recursive: true, force: true });
    const store = new SplitFileStore(home, SPLIT_OPTIONS);
    expect((await store.verify()).problems).toEqual([]);
    const found = await store.transaction(async (t) => ({
      quotes: await t.quotes.expiredBy(NOW, 10),
      keys: await t.idempotency.expiredBy('2027-01-01T00:00:00.000Z', 10),
      unclaimed: (await t.unclaimed.expiredBy('2027-01-01T00:00:00.000Z', 10)).length,
    }));
    expect(found).toEqual({ quotes: ['qt_old'], keys: [{ userId: ada.id, key: 'k1' }], unclaimed: 1 });
    expect(unseal<{ schemaVersion: number }>(readFileSync(rootFile, 'utf8'), rootFile).schemaVersion).toBe(SPLIT_SCHEMA_VERSION);
    expect((await new SplitFileStore(home, SPLIT_OPTIONS).verify()).problems).toEqual([]);
  });
});

/** A split store of Ada with three open tickets (the second pending), as this okpay writes it. */
async function storeOfThreeTickets(): Promise<string> {
  const home = tempHome();
  const tickets = [1, 2, 3].map((n) => ({ ...open(newState(), ada, Date.parse(NOW)), number: n, customerId: ada.id }));
  await new SplitFileStore(home, SPLIT_OPTIONS).transaction((t) => {
    t.users.put(ada);
    tickets.forEach((ticket, index) => t.tickets.put(ticket, summaryOf(ticket, index === 1 ? 'pending' : 'new')));
  });
  return home;
}

/** Marks the store as written by an older schema; returns its root file. */
function markSchema(home: string, schemaVersion: number): string {
  const rootFile = path.join(home, 'store.json');
  const root = unseal<{ schemaVersion: number }>(readFileSync(rootFile, 'utf8'), rootFile);
  writeFileSync(rootFile, seal({ ...root, schemaVersion }));
  removeKindsAddedAfter(home, schemaVersion);
  return rootFile;
}

/** The files of the kinds a store of an older schema never had (a test's older store is a current one marked older). */
function removeKindsAddedAfter(home: string, schemaVersion: number): void {
  for (const [kind, since] of KINDS_ADDED) if (since > schemaVersion) rmSync(path.join(home, 'records', kind), { recursive: true, force: true });
}

/**
 * The store of storeOfThreeTickets, marked older: verify passes and the queue is ranked without its
 * groups until a change by this okpay, which groups it (and verify then checks the groups).
 */
async function expectGroupedByNextWriter(home: string, rootFile: string): Promise<SplitFileStore> {
  const store = new SplitFileStore(home, SPLIT_OPTIONS);
  expect((await store.verify()).problems).toEqual([]);
  expect(await store.read(queueByGroups)).toBeNull();
  await store.transaction((t) => t.users.put({ ...ada, name: 'Ada L.' }));
  expect(unseal<{ schemaVersion: number }>(readFileSync(rootFile, 'utf8'), rootFile).schemaVersion).toBe(SPLIT_SCHEMA_VERSION);
  expect(await store.read(queueByGroups)).toEqual({ count: 3, numbers: [1, 2, 3] });
  expect((await new SplitFileStore(home, SPLIT_OPTIONS).verify()).problems).toEqual([]);
  return store;
}

describe('a split store written before the queue groups (schema 6)', () => {
  it('ranks its queue from every open ticket until its next writer files them in groups', async () => {
    const home = await storeOfThreeTickets();
    const rootFile = markSchema(home, 6);
    for (const kind of ['queue-groups', 'queue-directory', 'queue-days']) rmSync(path.join(home, 'records', kind), { recursive: true, force: true });
    await expectGroupedByNextWriter(home, rootFile);
  });

  it('has verify name a queue group or directory entry that does not match the open tickets', async () => {
    const home = tempHome();
    const ticket = { ...open(newState(), ada, Date.parse(NOW)), number: 1, customerId: ada.id };
    await new SplitFileStore(home, SPLIT_OPTIONS).transaction((t) => t.tickets.put(ticket, summaryOf(ticket, 'new')));
    const directory = path.join(home, 'records', 'queue-directory');
    const [file] = readdirSync(directory).filter((name) => name !== 'buckets.json' && name.endsWith('.json'));
    const bucketFile = path.join(directory, file!);
    const bucket = unseal<{ records: { groups: Record<string, { count: number }> } }>(readFileSync(bucketFile, 'utf8'), bucketFile);
    const [key, facts] = Object.entries(bucket.records.groups)[0]!;
    writeFileSync(bucketFile, seal({ ...bucket, records: { groups: { [key]: { ...facts, count: 2 } } } }));
    expect((await new SplitFileStore(home, SPLIT_OPTIONS).verify()).problems).toEqual([
      `index queue-directory entry groups does not match the records it is derived from`,
    ]);
  });
});

describe('a split store written before the facts of first-answer places (schema 8)', () => {
  it('ranks its queue from every open ticket until its next writer folds its queue directory again, which verify then checks', async () => {
    const home = await storeOfThreeTickets();
    // The directory as schema 8 wrote it: each group's facts without the four added since.
    const directory = path.join(home, 'records', 'queue-directory');
    const [file] = readdirSync(directory).filter((name) => name !== 'buckets.json' && name.endsWith('.json'));
    const bucketFile = path.join(directory, file!);
    const bucket = unseal<{ records: { groups: Record<string, Record<string, unknown>> } }>(readFileSync(bucketFile, 'utf8'), bucketFile);
    const older = Object.fromEntries(
      Object.entries(bucket.records.groups).map(([key, facts]) => {
        const { firstReplyCount, leastElapsedMinutes, latestRunningSinceMs, latestCreatedMs, ...kept } = facts;
        expect([firstReplyCount, leastElapsedMinutes, latestRunningSinceMs, latestCreatedMs]).not.toContain(undefined);
        return [key, kept];
      }),
    );
    writeFileSync(bucketFile, seal({ ...bucket, records: { groups: older } }));
    rmSync(path.join(home, 'records', 'queue-days'), { recursive: true, force: true });
    const rootFile = markSchema(home, 8);
    const store = await expectGroupedByNextWriter(home, rootFile);
    const folded = await store.read(async (t) => [...((await everyQueueGroup(t)) ?? new Map()).values()]);
    // Each summary here says it waits for its first answer (only its status was changed).
    expect(folded.reduce((sum, facts) => sum + facts.firstReplyCount, 0)).toBe(3);
  });
});

/** A split store of Ada with six open tickets opened a day apart (every third pending): two shapes, each over several days. */
async function storeOfTicketsOverDays(): Promise<string> {
  const home = tempHome();
  const tickets = [1, 2, 3, 4, 5, 6].map((n) => ({ ...open(newState(), ada, Date.parse(NOW) - n * 86_400_000), number: n, customerId: ada.id }));
  await new SplitFileStore(home, SPLIT_OPTIONS).transaction((t) => {
    t.users.put(ada);
    tickets.forEach((ticket) => t.tickets.put(ticket, summaryOf(ticket, ticket.number % 3 === 0 ? 'pending' : 'new')));
  });
  return home;
}

describe('a split store written before the queue shapes (schema 9)', () => {
  it('ranks its queue from every open ticket until its next writer files the groups’ facts by shape, which verify then checks', async () => {
    const home = await storeOfTicketsOverDays();
    const groups = await new SplitFileStore(home, SPLIT_OPTIONS).read(everyQueueGroup);
    asSchema9(home);
    const rootFile = path.join(home, 'store.json');
    const store = new SplitFileStore(home, SPLIT_OPTIONS);
    expect((await store.verify()).problems).toEqual([]);
    expect(await store.read((t) => t.tickets.queueShapes())).toBeNull();
    await store.transaction((t) => t.users.put({ ...ada, name: 'Ada L.' }));
    expect(unseal<{ schemaVersion: number }>(readFileSync(rootFile, 'utf8'), rootFile).schemaVersion).toBe(SPLIT_SCHEMA_VERSION);
    expect(await store.read(everyQueueGroup)).toEqual(groups);
    const shapes = await store.read((t) => t.tickets.queueShapes());
    expect([shapes?.size, groups?.size]).toEqual([2, 6]);
    expect([...(shapes?.values() ?? [])].reduce((sum, facts) => sum + facts.count, 0)).toBe(6);
    expect((await new SplitFileStore(home, SPLIT_OPTIONS).verify()).problems).toEqual([]);

    // A shape's record, or the directory, that no longer matches the groups (resealed, so only verify's cross-check sees it).
    const [shape] = [...(shapes?.keys() ?? [])];
    const putBack = forgeRecord<Record<string, QueueGroupFacts>>(home, 'queue-days', shape!, (days) =>
      Object.fromEntries(Object.entries(days).map(([key, facts]) => [key, { ...facts, firstReplyCount: facts.firstReplyCount + 1 }])),
    );
    expect((await new SplitFileStore(home, SPLIT_OPTIONS).verify()).problems).toEqual([
      `index queue-days entry ${shape} does not match the records it is derived from`,
    ]);
    putBack();
    forgeRecord<Record<string, QueueGroupFacts>>(home, 'queue-directory', DIRECTORY_KEY, (directory) => ({
      ...directory,
      [shape!]: { ...directory[shape!]!, count: 1 },
    }));
    expect((await new SplitFileStore(home, SPLIT_OPTIONS).verify()).problems).toEqual([
      `index queue-directory entry ${DIRECTORY_KEY} does not match the records it is derived from`,
    ]);
  });
});

describe('a split store written before the index of links (schema 7)', () => {
  const returnOf = (txId: string, user: User): NewTransaction => ({
    type: 'unclaimed.return',
    at: NOW,
    memo: null,
    links: [txId],
    parties: [user.id],
    postings: [
      { account: 'unclaimed', currency: 'USD', amountMinor: -2_500 },
      { account: userAccount(user.id), currency: 'USD', amountMinor: 2_500 },
    ],
    details: { initiator: null },
  });

  it('finds follow-ups by reading the journal until its next writer files every link, and verify then checks the index', async () => {
    const home = tempHome();
    const sent = await new SplitFileStore(home, SPLIT_OPTIONS).transaction(async (t) => {
      t.users.put(ada);
      await t.post(deposit(ada, 10_000));
      return t.post(toPhone(ada, '+447700900123', 2_500));
    });
    // Past the first segment (4 entries), so the reading crosses segments.
    await new SplitFileStore(home, SPLIT_OPTIONS).transaction(async (t) => {
      for (let i = 0; i < 5; i += 1) await t.post(deposit(ada, 100));
      await t.post(returnOf(sent.id, ada));
    });
    const rootFile = path.join(home, 'store.json');
    const root = unseal<{ schemaVersion: number }>(readFileSync(rootFile, 'utf8'), rootFile);
    writeFileSync(rootFile, seal({ ...root, schemaVersion: 7 }));
    removeKindsAddedAfter(home, 7);
    rmSync(path.join(home, 'records', 'journal-links'), { recursive: true, force: true });
    const store = new SplitFileStore(home, SPLIT_OPTIONS);
    expect((await store.verify()).problems).toEqual([]);
    expect(await store.read((t) => t.journal.seqsLinkingTo(sent.id))).toEqual([8]);
    await store.transaction((t) => t.users.put({ ...ada, name: 'Ada L.' }));
    expect(unseal<{ schemaVersion: number }>(readFileSync(rootFile, 'utf8'), rootFile).schemaVersion).toBe(SPLIT_SCHEMA_VERSION);
    expect(existsSync(path.join(home, 'records', 'journal-links', 'buckets.json'))).toBe(true);
    expect(await store.read((t) => t.journal.seqsLinkingTo(sent.id))).toEqual([8]);
    expect((await new SplitFileStore(home, SPLIT_OPTIONS).verify()).problems).toEqual([]);

    // An index record that no longer matches the journal (resealed, so only verify's cross-check sees it).
    const bucket = path.join(home, bucketPath('journal-links', bucketOf('journal-links', sent.id)));
    const body = unseal<{ records: Record<string, number[]> }>(readFileSync(bucket, 'utf8'), bucket);
    writeFileSync(bucket, seal({ ...body, records: { ...body.records, [sent.id]: [7] } }));
    expect((await new SplitFileStore(home, SPLIT_OPTIONS).verify()).problems).toEqual([
      `index journal-links entry ${sent.id} does not match the records it is derived from`,
    ]);
  });
});
