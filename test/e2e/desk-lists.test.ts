// Working on many tickets through the real binary: the filters and sort orders of `agent queue`
// and `ticket list`, over a store loaded from one fixture file.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../support/desk-cli.js';
import { ADA, LIN, loadDeskFixture, MEI } from '../support/desk-fixture.js';
import { Okpay, type Run } from '../support/okpay.js';

describe('filters and sort orders of ticket lists', () => {
  const o = new Okpay();
  const sessions = new Map<string, string>();
  const as = (email: string, args: readonly string[]): Promise<Run> => o.run(args, { env: { OKPAY_SESSION: sessions.get(email) ?? '' } });
  const numbers = async (email: string, args: readonly string[]): Promise<number[]> =>
    expectOk(await as(email, [...args, '--json']))
      .json<{ tickets: { number: number }[] }>()
      .tickets.map((t) => t.number);

  beforeAll(async () => {
    for (const [email, session] of await loadDeskFixture(o, [LIN, MEI, ADA])) sessions.set(email, session);
  });

  afterAll(() => o.cleanup());

  it('the queue filters by priority, channel, language, category, status and assignee (@me, an email, none)', async () => {
    expect(await numbers(LIN, ['agent', 'queue'])).toHaveLength(4);
    expect(await numbers(LIN, ['agent', 'queue', '--priority', 'urgent'])).toEqual([2]);
    expect((await numbers(LIN, ['agent', 'queue', '--channel', 'chat,phone'])).sort()).toEqual([2, 3, 4]);
    expect(await numbers(LIN, ['agent', 'queue', '--language', 'de'])).toEqual([3]);
    expect((await numbers(LIN, ['agent', 'queue', '--category', 'funds'])).sort()).toEqual([3, 4]);
    expect((await numbers(LIN, ['agent', 'queue', '--assignee', '@me'])).sort()).toEqual([2, 4]);
    expect(await numbers(LIN, ['agent', 'queue', '--assignee', MEI.toUpperCase()])).toEqual([3]);
    expect(await numbers(LIN, ['agent', 'queue', '--assignee', 'none'])).toEqual([1]);
    expect(await numbers(MEI, ['agent', 'queue', '--mine'])).toEqual([3]);
    expect(await numbers(LIN, ['agent', 'queue', '--status', 'new', '--category', 'account'])).toEqual([1]);
    const queue = expectOk(await as(LIN, ['agent', 'queue', '--json'])).json<{ tickets: { number: number; sla: { state: string } }[] }>().tickets;
    const breaching = queue.filter((t) => t.sla.state === 'breached' || t.sla.state === 'at-risk').map((t) => t.number);
    expect(breaching.length).toBeGreaterThan(0);
    expect(breaching.length).toBeLessThan(queue.length);
    const filtered = expectOk(await as(LIN, ['agent', 'queue', '--breaching', '--json'])).json<{ tickets: { number: number }[] }>().tickets;
    expect(filtered.map((t) => t.number)).toEqual(breaching);
    expect(await numbers(LIN, ['ticket', 'list', '--status', 'solved'])).toEqual([5]);
  });

  it('searches subjects and messages, Chinese included; internal notes answer agents only', async () => {
    expect(await numbers(LIN, ['agent', 'queue', '--search', '退款'])).toEqual([2]);
    expect(await numbers(LIN, ['agent', 'queue', '--search', '十一月 退货'])).toEqual([2]);
    expect(await numbers(LIN, ['agent', 'queue', '--search', 'PASSWORDS wrong'])).toEqual([1]);
    expect(await numbers(LIN, ['agent', 'queue', '--search', 'treasury'])).toEqual([4]);
    expect((await numbers(LIN, ['ticket', 'list', '--search', 'refund'])).sort()).toEqual([4, 5]);
    expect(await numbers(ADA, ['ticket', 'list', '--search', 'refund'])).toEqual([5]);
    expect(await numbers(ADA, ['ticket', 'list', '--search', 'treasury'])).toEqual([]);
    expect(await numbers(LIN, ['agent', 'queue', '--search', 'nothing-like-this'])).toEqual([]);
  });

  it('sorts by urgency, created, updated or priority', async () => {
    expect(await numbers(LIN, ['ticket', 'list'])).toEqual([1, 4, 2, 3, 5]);
    expect(await numbers(LIN, ['ticket', 'list', '--sort', 'updated'])).toEqual([4, 1, 2, 5, 3]);
    const queue = expectOk(await as(LIN, ['agent', 'queue', '--json'])).json<{ tickets: { number: number; urgency: number }[] }>().tickets;
    expect(queue.map((t) => t.urgency)).toEqual([...queue.map((t) => t.urgency)].sort((a, b) => b - a));
    expect((await numbers(LIN, ['agent', 'queue', '--sort', 'priority']))[0]).toBe(2);
    expect(await numbers(LIN, ['agent', 'queue', '--sort', 'created'])).toEqual([1, 4, 2, 3]);
    expect(await numbers(LIN, ['ticket', 'list', '--status', 'solved,new', '--channel', 'email', '--sort', 'created'])).toEqual([1, 5]);
  });

  it('pages through what the filters keep, and the next page keeps the filters', async () => {
    const first = expectOk(await as(LIN, ['agent', 'queue', '--channel', 'chat,phone', '--sort', 'created', '--limit', '2', '--json'])).json<{
      tickets: { number: number }[];
      more: boolean;
    }>();
    expect([first.tickets.map((t) => t.number), first.more]).toEqual([[4, 2], true]);
    const second = expectOk(await as(LIN, ['agent', 'queue', '--channel', 'chat,phone', '--sort', 'created', '--limit', '2', '--page', '2', '--json'])).json<{
      tickets: { number: number }[];
      more: boolean;
    }>();
    expect([second.tickets.map((t) => t.number), second.more]).toEqual([[3], false]);
    const human = expectOk(await as(LIN, ['ticket', 'list', '--search', 'refund', '--limit', '1']));
    expect(human.stderr).toContain('more on the next page: okpay ticket list --search refund --limit 1 --page 2');
  });

  it('refuses bad filters with exit 2, unknown people with exit 5, and the desk’s filters to customers with exit 4', async () => {
    expectError(await as(LIN, ['agent', 'queue', '--sort', 'loudest', '--json']), 2, 'INVALID_CHOICE');
    expectError(await as(LIN, ['agent', 'queue', '--priority', 'urgent,asap', '--json']), 2, 'INVALID_CHOICE');
    expectError(await as(LIN, ['agent', 'queue', '--status', 'solved', '--json']), 2, 'INVALID_CHOICE');
    expectError(await as(LIN, ['agent', 'queue', '--mine', '--unassigned', '--json']), 2, 'USAGE');
    expectError(await as(LIN, ['agent', 'queue', '--search', 'the', '--json']), 2, 'USAGE');
    expectError(await as(LIN, ['agent', 'queue', '--assignee', 'nobody@example.com', '--json']), 5, 'USER_NOT_FOUND');
    expectError(await as(ADA, ['ticket', 'list', '--assignee', '@me', '--json']), 4, 'FORBIDDEN');
  });
});
