// Working on many tickets through the real binary: the filters and sort orders of `agent queue`
// and `ticket list`, over a store loaded from one fixture file.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk } from '../support/desk-cli.js';
import { Okpay, type Run } from '../support/okpay.js';

const PASSWORD = 'Lists-pass-2026!';
const LIN = 'lin@support.okpay.example';
const MEI = 'mei@support.okpay.example';
const ADA = 'ada@example.com';

const person = (name: string, email: string, extra: Record<string, unknown> = {}) => ({ name, email, password: PASSWORD, country: 'DE', at: '-30d', ...extra });

export const DESK_FIXTURE = {
  users: [person('ada', ADA, { language: 'en' }), person('chen', 'chen@example.cn', { country: 'CN', language: 'zh' }), person('lena', 'lena@example.de', { language: 'de' })],
  agents: [person('lin', LIN, { tier: 2, languages: ['en', 'zh', 'de'] }), person('mei', MEI, { tier: 2, languages: ['en', 'zh'] })],
  tickets: [
    { name: 't1', customer: 'ada', category: 'account', subject: 'Cannot sign in', body: 'It says my password is wrong.', channel: 'email', at: '-2h' },
    { name: 't2', customer: 'chen', category: 'dispute', subject: '退款没有到账', body: '我十一月二日退货，退款到现在还没到。', language: 'zh', channel: 'chat', priority: 'urgent', assignee: 'lin', at: '-5h' },
    { name: 't3', customer: 'lena', category: 'funds', subject: 'Auszahlung fehlt', body: 'Meine Auszahlung ist nicht angekommen.', language: 'de', channel: 'phone', assignee: 'mei', at: '-26h' },
    {
      name: 't4',
      customer: 'ada',
      category: 'funds',
      subject: 'Withdrawal question',
      body: 'When does my bank withdrawal arrive?',
      channel: 'chat',
      assignee: 'lin',
      messages: [{ from: 'lin', body: 'Checked with treasury: card refund batch 77 is late.', internal: true, at: '-1h' }],
      at: '-3h',
    },
    { name: 't5', customer: 'ada', category: 'feedback', subject: 'Nice app', body: 'I like the refund flow.', channel: 'email', status: 'solved', assignee: 'mei', messages: [{ from: 'mei', body: 'Thank you!', at: '-20h' }], at: '-2d' },
  ],
};

describe('filters and sort orders of ticket lists', () => {
  const o = new Okpay();
  const sessions = new Map<string, string>();
  const as = (email: string, args: readonly string[]): Promise<Run> => o.run(args, { env: { OKPAY_SESSION: sessions.get(email) ?? '' } });
  const numbers = async (email: string, args: readonly string[]): Promise<number[]> => expectOk(await as(email, [...args, '--json'])).json<{ tickets: { number: number }[] }>().tickets.map((t) => t.number);

  beforeAll(async () => {
    const directory = `${o.home}-files`;
    mkdirSync(directory, { recursive: true });
    const file = path.join(directory, 'desk.json');
    writeFileSync(file, JSON.stringify(DESK_FIXTURE));
    expectOk(await o.run(['fixtures', 'load', file]));
    for (const email of [LIN, MEI, ADA]) sessions.set(email, expectOk(await o.run(['login', '--email', email, '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n` })).stdout.trim());
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
