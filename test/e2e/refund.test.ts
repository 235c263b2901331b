// The agents' ledger actions through the real binary, on a store loaded from a fixture file:
// refunds of disputed payments (once, by tier, exactly the reverse, told to the customer),
// identity-check decisions, and `admin settle` closing solved tickets after seven days.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Desk, expectError, expectOk, fixturePerson, mails, ticketOf } from '../support/desk-cli.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const ANN = 'ann@example.com';
const SHOP = 'orders@shop.example';
const EVE = 'eve@example.com';
const T1 = 'tara@support.okpay.example';
const T2 = 'tomas@support.okpay.example';
const OPS = 'ops@okpay.example';

const FIXTURE = {
  users: [
    fixturePerson('ann', ANN, { kyc: 'approved', balances: { USD: '1000.00' } }),
    fixturePerson('shop', SHOP),
    fixturePerson('eve', EVE),
    fixturePerson('kim', 'kim@example.com', { kyc: 'pending' }),
    fixturePerson('lee', 'lee@example.com', { kyc: 'pending' }),
    fixturePerson('mo', 'mo@example.com', { kyc: 'pending' }),
    fixturePerson('ops', OPS, { role: 'admin' }),
  ],
  agents: [fixturePerson('tara', T1, { tier: 1, languages: ['en'] }), fixturePerson('tomas', T2, { tier: 2, languages: ['en'] })],
  transfers: [
    { name: 'small', from: 'ann', to: '${shop.email}', amount: '40.00', currency: 'USD', at: '-9d' },
    { name: 'big', from: 'ann', to: '${shop.email}', amount: '250.00', currency: 'USD', at: '-8d' },
    { name: 'spent', from: 'ann', to: '${eve.email}', amount: '60.00', currency: 'USD', at: '-7d' },
  ],
  tickets: [
    {
      name: 'dSmall',
      customer: 'ann',
      category: 'dispute',
      subject: 'Small order never came',
      body: 'Please refund ${small.id}.',
      tx: '${small.id}',
      at: '-5d',
    },
    { name: 'dBig', customer: 'ann', category: 'dispute', subject: 'Headphones never came', body: 'Please refund ${big.id}.', tx: '${big.id}', at: '-5d' },
    {
      name: 'dSpent',
      customer: 'ann',
      category: 'dispute',
      subject: 'Wrong payee',
      body: 'I paid ${eve.email} by mistake: ${spent.id}.',
      tx: '${spent.id}',
      at: '-5d',
    },
    {
      name: 'old',
      customer: 'ann',
      category: 'account',
      subject: 'Old question',
      body: 'Answered long ago.',
      assignee: 'tara',
      messages: [{ from: 'tara', body: 'Here is the answer.', at: '-8d' }],
      status: 'solved',
      at: '-10d',
    },
    {
      name: 'young',
      customer: 'ann',
      category: 'account',
      subject: 'Newer question',
      body: 'Answered this week.',
      assignee: 'tara',
      messages: [{ from: 'tara', body: 'Here is the answer.', at: '-6d' }],
      status: 'solved',
      at: '-7d',
    },
    { name: 'open', customer: 'ann', category: 'account', subject: 'Still open', body: 'Waiting for an answer.', at: '-12d' },
  ],
  expect: { balances: { ann: { USD: '648.25' }, shop: { USD: '290.00' }, eve: { USD: '60.00' } }, statuses: { old: 'solved', young: 'solved' } },
};

interface Posting {
  account: string;
  currency: string;
  amount: string;
}
interface TxJson {
  id: string;
  type: string;
  status: string;
  net: { currency: string; amount: string }[];
  links: string[];
  postings: Posting[];
  followedBy: string[];
}

describe('agent refund, agent kyc and admin settle', () => {
  const desk = new Desk();
  let ids: Record<string, string | number> = {};

  const tx = async (email: string, id: string): Promise<TxJson> =>
    expectOk(await desk.as(email, ['tx', 'show', id, '--json'])).json<{ transaction: TxJson }>().transaction;
  const available = async (email: string): Promise<string | undefined> =>
    expectOk(await desk.as(email, ['balance', '--json']))
      .json<{ balances: { currency: string; available: string }[] }>()
      .balances.find((b) => b.currency === 'USD')?.available;
  const exported = async (): Promise<string> => expectOk(await desk.o.run(['fixtures', 'export'])).stdout;
  const refund = (email: string, name: string, ticket: string) =>
    desk.as(email, ['agent', 'refund', String(ids[name]), '--ticket', String(ids[ticket]), '--yes', '--json']);

  beforeAll(async () => {
    const directory = `${desk.o.home}-files`;
    mkdirSync(directory, { recursive: true });
    const file = path.join(directory, 'refunds.json');
    writeFileSync(file, JSON.stringify(FIXTURE));
    ids = expectOk(await desk.o.run(['fixtures', 'load', file])).json<Record<string, string | number>>();
    for (const email of [ANN, SHOP, EVE, T1, T2, OPS]) await desk.signIn(email);
  });

  afterAll(() => desk.cleanup());

  it('a tier-1 agent may not refund above the documented amount; a tier-2 agent may, exactly once', async () => {
    // data/support.json: tier 1 refunds up to 100.00 USD; this payment was 250.00 USD.
    const before = await exported();
    const refused = expectError(await refund(T1, 'big', 'dBig'), 4, 'FORBIDDEN').error();
    expect(refused.message).toBe(`refunds above 100.00 USD need a tier-2 agent or a manager; ${T1} is tier 1`);
    expect(await exported()).toBe(before);

    const done = expectOk(await refund(T2, 'big', 'dBig')).json<{ refund: TxJson; of: string; ticket: number }>();
    expect(done).toMatchObject({
      of: ids['big'],
      ticket: ids['dBig'],
      refund: { type: 'refund', links: [ids['big']], net: [{ currency: 'USD', amount: '251.25' }] },
    });

    const again = expectError(await refund(T2, 'big', 'dBig'), 6, 'INVALID_TRANSITION').error();
    expect(again.message).toBe(`${ids['big']} was already refunded by ${done.refund.id}`);
  });

  it('a tier-1 agent refunds up to the documented amount', async () => {
    const done = expectOk(await refund(T1, 'small', 'dSmall')).json<{ refund: TxJson }>();
    expect(done.refund.net).toEqual([{ currency: 'USD', amount: '40.20' }]);
  });

  it('customers and administrators cannot refund', async () => {
    expectError(await refund(ANN, 'spent', 'dSpent'), 4, 'FORBIDDEN');
    expectError(await refund(OPS, 'spent', 'dSpent'), 4, 'FORBIDDEN');
  });

  it('the refund is exactly the reverse: both balances back, the fee returned, the original marked refunded', async () => {
    const original = await tx(ANN, String(ids['big']));
    expect(original.status).toBe('refunded');
    expect(original.followedBy).toHaveLength(1);
    const reversal = await tx(ANN, original.followedBy[0] ?? '');
    expect(reversal).toMatchObject({ type: 'refund', links: [ids['big']] });
    const negated = original.postings.map((p) => ({ ...p, amount: p.amount.startsWith('-') ? p.amount.slice(1) : `-${p.amount}` }));
    const order = (list: Posting[]) => [...list].sort((a, b) => a.account.localeCompare(b.account));
    expect(order(reversal.postings)).toEqual(order(negated));
    expect(reversal.postings).toContainEqual({ account: 'fees', currency: 'USD', amount: '-1.25' });
    // 648.25 after the fixture; +251.25 (big, fee included) and +40.20 (small).
    expect(await available(ANN)).toBe('939.70');
    expect(await available(SHOP)).toBe('0.00');
    expectOk(await desk.o.run(['verify']));
  });

  it('the ticket gets a public reply and the customer a mail, both naming the refund', async () => {
    const ticket = ticketOf(expectOk(await desk.as(ANN, ['ticket', 'show', String(ids['dBig']), '--json'])));
    expect(ticket.transaction).toMatchObject({ id: ids['big'], status: 'refunded' });
    const reply = ticket.messages.at(-1);
    expect(reply).toMatchObject({ author: 'agent', visibility: 'public' });
    expect(reply?.body).toMatch(new RegExp(`^We refunded ${String(ids['big'])} \\(txn_\\d{10}\\)\\. The money is back in your balance\\.$`));
    const mail = (await mails(desk.o, ANN, 'ticket-reply')).find((m) => m.subject.includes(`#${String(ids['dBig'])}`));
    expect(mail?.text).toContain(`We refunded ${String(ids['big'])}`);
  });

  it('is refused with exit 7 when the payee no longer has the money, and nothing changes', async () => {
    expectOk(await desk.as(EVE, ['transfer', '--to', SHOP, '--amount', '50.00', '--currency', 'USD', '--yes']));
    expect(await available(EVE)).toBe('9.75');
    const before = await exported();
    const mailCount = (await mails(desk.o)).length;
    const refused = expectError(await refund(T1, 'spent', 'dSpent'), 7, 'INSUFFICIENT_FUNDS').error();
    expect(refused.message).toBe(`${EVE} has 9.75 USD available; the refund needs 60.00 USD back from them`);
    expect(await exported()).toBe(before);
    expect(await mails(desk.o)).toHaveLength(mailCount);
    expect((await tx(ANN, String(ids['spent']))).status).toBe('completed');
  });

  it('agent kyc approve and reject (a rejection needs a reason), admin kyc, each mailed', async () => {
    expectError(await desk.as(T1, ['agent', 'kyc', 'reject', 'kim@example.com', '--yes', '--json']), 2, 'USAGE');
    const rejected = expectOk(
      await desk.as(T1, ['agent', 'kyc', 'reject', 'kim@example.com', '--reason', 'the photo of the passport is blurred', '--yes', '--json']),
    ).json<{ user: { email: string; kyc: string } }>();
    expect(rejected.user).toMatchObject({ email: 'kim@example.com', kyc: 'rejected' });
    expect((await mails(desk.o, 'kim@example.com', 'kyc-rejected')).at(-1)?.text).toContain('the photo of the passport is blurred');

    expect(expectOk(await desk.as(T2, ['agent', 'kyc', 'approve', 'lee@example.com', '--yes', '--json'])).json<{ user: { kyc: string } }>().user.kyc).toBe(
      'approved',
    );
    expect(await mails(desk.o, 'lee@example.com', 'kyc-approved')).toHaveLength(1);
    expectError(await desk.as(T1, ['agent', 'kyc', 'approve', 'lee@example.com', '--yes', '--json']), 6, 'INVALID_TRANSITION');

    expectError(await desk.as(T1, ['admin', 'kyc', 'approve', 'mo@example.com', '--yes', '--json']), 4, 'FORBIDDEN');
    expectError(await desk.as(ANN, ['agent', 'kyc', 'approve', 'mo@example.com', '--yes', '--json']), 4, 'FORBIDDEN');
    expect(expectOk(await desk.as(OPS, ['admin', 'kyc', 'approve', 'mo@example.com', '--yes', '--json'])).json<{ user: { kyc: string } }>().user.kyc).toBe(
      'approved',
    );
    expect(await mails(desk.o, 'mo@example.com', 'kyc-approved')).toHaveLength(1);
    expectError(await desk.as(T1, ['agent', 'kyc', 'approve', 'nobody@example.com', '--yes', '--json']), 5, 'USER_NOT_FOUND');
  });

  it('admin settle closes tickets solved more than 7 days ago, not younger ones, mails the customer, and a second run changes nothing', async () => {
    const status = async (name: string) => ticketOf(expectOk(await desk.as(ANN, ['ticket', 'show', String(ids[name]), '--json']))).status;
    const settle = async () => expectOk(await desk.as(OPS, ['admin', 'settle', '--json'])).json<{ settled: { ticketsClosed: number } }>().settled;

    expect((await settle()).ticketsClosed).toBe(1);
    expect(await status('old')).toBe('closed');
    expect(await status('young')).toBe('solved');
    expect(await status('open')).toBe('new');
    const closedMails = async () => (await mails(desk.o, ANN, 'ticket-status')).filter((m) => /closed/i.test(m.subject));
    expect((await closedMails()).map((m) => m.subject)).toEqual([`[OKPay #${String(ids['old'])}] Ticket closed: Old question`]);

    const before = await exported();
    expect((await settle()).ticketsClosed).toBe(0);
    expect(await exported()).toBe(before);

    // The younger one was solved six days ago: a day and a minute later it has waited seven.
    desk.advance(DAY_MS + 60_000);
    expect((await settle()).ticketsClosed).toBe(1);
    expect(await status('young')).toBe('closed');
    expect(await status('open')).toBe('new');
    expect(await closedMails()).toHaveLength(2);
    expectOk(await desk.o.run(['verify']));
  });
});

describe('agent refund and the payer’s limits', () => {
  const desk = new Desk();
  const CARL = 'carl@example.com';
  let ids: Record<string, string | number> = {};

  beforeAll(async () => {
    // data/limits.json: an unverified customer sends at most 2500.00 USD in 30 days.
    const fixture = {
      users: [fixturePerson('carl', CARL, { balances: { USD: '3000.00' } }), fixturePerson('shop', SHOP)],
      agents: [fixturePerson('tomas', T2, { tier: 2, languages: ['en'] })],
      transfers: [
        { name: 'first', from: 'carl', to: '${shop.email}', amount: '1000.00', currency: 'USD', at: '-3d' },
        { name: 'second', from: 'carl', to: '${shop.email}', amount: '1000.00', currency: 'USD', at: '-2d' },
        { name: 'order', from: 'carl', to: '${shop.email}', amount: '400.00', currency: 'USD', at: '-1d' },
      ],
      tickets: [
        {
          name: 'dOrder',
          customer: 'carl',
          category: 'dispute',
          subject: 'Order never came',
          body: 'Please refund ${order.id}.',
          tx: '${order.id}',
          at: '-1d',
        },
      ],
    };
    const directory = `${desk.o.home}-files`;
    mkdirSync(directory, { recursive: true });
    const file = path.join(directory, 'limits.json');
    writeFileSync(file, JSON.stringify(fixture));
    ids = expectOk(await desk.o.run(['fixtures', 'load', file])).json<Record<string, string | number>>();
    for (const email of [CARL, T2]) await desk.signIn(email);
  });

  afterAll(() => desk.cleanup());

  it('gives back the limit the refunded payment used, as a cancelled payout does', async () => {
    const remaining = async () =>
      expectOk(await desk.as(CARL, ['kyc', 'status', '--json'])).json<{ kyc: { limits: { remaining30Days: string } } }>().kyc.limits.remaining30Days;
    expect(await remaining()).toBe('100.00');
    expectOk(await desk.as(T2, ['agent', 'refund', String(ids['order']), '--ticket', String(ids['dOrder']), '--yes', '--json']));
    expect(await remaining()).toBe('500.00');
    expectOk(await desk.as(CARL, ['transfer', '--to', SHOP, '--amount', '400.00', '--currency', 'USD', '--yes', '--json']));
    expect(await remaining()).toBe('100.00');
    expectOk(await desk.o.run(['verify']));
  });
});
