// Issue 15, money item 2 through the real binary: separation of duties on refunds and tickets. Staff
// never act as agents on their own tickets or transactions; a refund needs the payer's ticket linked
// to that transfer, the payee is told by mail, and above the four-eyes amount in data/support.json
// a second agent approves, whatever the tier; both agents are on the record.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Desk, expectError, expectOk, fixturePerson, mails, ticketOf } from '../support/desk-cli.js';

const AMY = 'amy@support.okpay.example';
const BOB = 'bob@example.com';
const ANN = 'ann@example.com';
const SHOP = 'orders@shop.example';
const TARA = 'tara@support.okpay.example';
const MIA = 'mia@support.okpay.example';
const TOMAS = 'tomas@support.okpay.example';

const FIXTURE = {
  users: [fixturePerson('bob', BOB), fixturePerson('ann', ANN, { kyc: 'approved', balances: { USD: '2000.00' } }), fixturePerson('shop', SHOP)],
  agents: [
    fixturePerson('amy', AMY, { tier: 3, languages: ['en'], kyc: 'approved', balances: { USD: '500.00' } }),
    fixturePerson('tara', TARA, { tier: 1, languages: ['en'] }),
    fixturePerson('mia', MIA, { tier: 3, languages: ['en'] }),
    fixturePerson('tomas', TOMAS, { tier: 2, languages: ['en'] }),
  ],
  transfers: [
    { name: 'amyPaid', from: 'amy', to: '${bob.email}', amount: '60.00', currency: 'USD', at: '-6d' },
    { name: 'annSmall', from: 'ann', to: '${shop.email}', amount: '30.00', currency: 'USD', at: '-6d' },
    { name: 'annOther', from: 'ann', to: '${shop.email}', amount: '20.00', currency: 'USD', at: '-6d' },
    { name: 'annBig', from: 'ann', to: '${shop.email}', amount: '800.00', currency: 'USD', at: '-5d' },
  ],
  tickets: [
    { name: 'amyDispute', customer: 'amy', category: 'dispute', subject: 'Paid by mistake', body: 'Refund ${amyPaid.id}.', tx: '${amyPaid.id}', at: '-4d' },
    { name: 'bobAsks', customer: 'bob', category: 'dispute', subject: 'Not mine', body: 'I got ${amyPaid.id}; send it back.', tx: '${amyPaid.id}', at: '-4d' },
    { name: 'shopAsks', customer: 'shop', category: 'dispute', subject: 'Refund the buyer', body: 'Refund ${annSmall.id}.', tx: '${annSmall.id}', at: '-4d' },
    { name: 'annSmallTicket', customer: 'ann', category: 'dispute', subject: 'Never arrived', body: 'Refund ${annSmall.id}.', tx: '${annSmall.id}', at: '-4d' },
    { name: 'annBigTicket', customer: 'ann', category: 'dispute', subject: 'Sofa never came', body: 'Refund ${annBig.id}.', tx: '${annBig.id}', at: '-3d' },
  ],
};

describe('separation of duties and four eyes on refunds', () => {
  const desk = new Desk();
  let ids: Record<string, string | number> = {};
  const exported = async () => expectOk(await desk.o.run(['fixtures', 'export'])).stdout;
  const refund = (email: string, tx: string, ticket: string) =>
    desk.as(email, ['agent', 'refund', String(ids[tx]), '--ticket', String(ids[ticket]), '--yes', '--json']);
  const usd = async (email: string) =>
    expectOk(await desk.as(email, ['balance', '--json']))
      .json<{ balances: { currency: string; available: string }[] }>()
      .balances.find((b) => b.currency === 'USD')?.available;

  beforeAll(async () => {
    const directory = `${desk.o.home}-files`;
    mkdirSync(directory, { recursive: true });
    const file = path.join(directory, 'duties.json');
    writeFileSync(file, JSON.stringify(FIXTURE));
    ids = expectOk(await desk.o.run(['fixtures', 'load', file])).json<Record<string, string | number>>();
    for (const email of [AMY, BOB, ANN, SHOP, TARA, MIA, TOMAS]) await desk.signIn(email);
  });

  afterAll(() => desk.cleanup());

  it('an agent cannot refund a payment she made, on a ticket she opened, and nothing changes', async () => {
    const before = await exported();
    const refused = expectError(await refund(AMY, 'amyPaid', 'amyDispute'), 4, 'FORBIDDEN').error();
    expect(refused.message).toBe(`you are a party to ${String(ids['amyPaid'])}; another agent must handle it`);
    expect(await exported()).toBe(before);
    expect(await usd(AMY)).toBe('439.70');
  });

  it('staff cannot act as agents on their own tickets, nor be given them', async () => {
    const own = String(ids['amyDispute']);
    for (const argv of [
      ['ticket', 'note', own, '--body', 'fine by me'],
      ['ticket', 'reply', own, '--body', 'approved'],
      ['ticket', 'resolve', own],
      ['ticket', 'assign', own, '--to', AMY],
    ]) {
      const refused = expectError(await desk.as(AMY, [...argv, '--json']), 4, 'FORBIDDEN').error();
      expect(refused.message).toBe(`ticket #${own} is your own; another agent must handle it`);
    }
    expectError(await desk.as(MIA, ['ticket', 'assign', own, '--to', AMY, '--json']), 4, 'FORBIDDEN');
  });

  it('the ticket must be the payer’s and be about that transfer', async () => {
    const payee = expectError(await refund(TARA, 'annSmall', 'shopAsks'), 2, 'CUSTOMER_MISMATCH').error();
    expect(payee.message).toBe(`ticket #${String(ids['shopAsks'])} is not from the payer of ${String(ids['annSmall'])}`);
    const other = expectError(await refund(TARA, 'annOther', 'annSmallTicket'), 2, 'CUSTOMER_MISMATCH').error();
    expect(other.message).toBe(`ticket #${String(ids['annSmallTicket'])} is not about ${String(ids['annOther'])}`);
    expectError(await refund(TARA, 'amyPaid', 'bobAsks'), 2, 'CUSTOMER_MISMATCH');
  });

  it('another agent refunds on the payer’s ticket, and the payee is told by mail', async () => {
    expectOk(await refund(TARA, 'amyPaid', 'amyDispute'));
    expect(await usd(AMY)).toBe('500.00');
    const told = await mails(desk.o, BOB, 'payment-refunded');
    expect(told).toHaveLength(1);
    expect(told[0]?.text).toContain(String(ids['amyPaid']));
    expect(told[0]?.text).toContain('60.00 USD');
  });

  it('above the four-eyes amount even a manager only requests; the same agent cannot approve; a second agent does', async () => {
    const before = await exported();
    const requested = expectOk(await refund(MIA, 'annBig', 'annBigTicket')).json<{
      refund: unknown;
      approval: { status: string; requestedBy: string; approvedBy: string | null };
    }>();
    expect(requested.refund).toBeNull();
    expect(requested.approval).toEqual({ status: 'pending', requestedBy: MIA, approvedBy: null, aboveAmount: '500.00', currency: 'USD' });
    expect(await exported()).not.toBe(before);
    expect(await usd(ANN)).toBe('1145.75');
    expect(await mails(desk.o, SHOP, 'payment-refunded')).toHaveLength(0);

    const self = expectError(await refund(MIA, 'annBig', 'annBigTicket'), 4, 'FORBIDDEN').error();
    expect(self.message).toBe(`you requested this refund; a second agent must approve it`);
    expectError(await refund(TARA, 'annBig', 'annBigTicket'), 4, 'FORBIDDEN');

    const approved = expectOk(await refund(TOMAS, 'annBig', 'annBigTicket')).json<{
      refund: { id: string; type: string };
      approval: { status: string; requestedBy: string; approvedBy: string };
    }>();
    expect(approved.refund.type).toBe('refund');
    expect(approved.approval).toMatchObject({ status: 'approved', requestedBy: MIA, approvedBy: TOMAS });
    expect(await usd(ANN)).toBe('1949.75');
    expect(await mails(desk.o, SHOP, 'payment-refunded')).toHaveLength(1);

    const ticket = ticketOf(expectOk(await desk.as(TOMAS, ['ticket', 'show', String(ids['annBigTicket']), '--json'])));
    const notes = ticket.messages.filter((m) => m.visibility === 'internal');
    expect(notes.map((m) => m.from)).toEqual([MIA, TOMAS]);
    expect(notes[1]?.body).toContain(`requested by ${MIA}`);
    expectError(await refund(MIA, 'annBig', 'annBigTicket'), 6, 'INVALID_TRANSITION');
    expectOk(await desk.o.run(['verify']));
  });
});
