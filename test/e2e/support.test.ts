// The support desk through the real binary: customers, agents, privacy, locks, SLA and the
// service information. One store per describe block; each test works on its own tickets.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Desk, expectError, expectOk, mails, PASSWORD, ticketOf } from '../support/desk-cli.js';

const HOUR_MS = 3_600_000;
// The default clock of the harness: Monday 23 November 2026, 11:00 in Berlin.
const ADA = 'ada@example.com';
const BOB = 'bob@example.com';
const LIN = 'lin@okpay.example';
const MAX = 'max@okpay.example';
const OPS = 'ops@example.com';

describe('the support desk', () => {
  const desk = new Desk();

  beforeAll(async () => {
    await desk.admin(OPS);
    await desk.customer(ADA, ['--country', 'DE']);
    expectOk(await desk.as(ADA, ['profile', 'set', '--anti-phishing-phrase', 'blue heron 42', '--password-stdin'], { stdin: `${PASSWORD}\n` }));
    await desk.customer(BOB, ['--country', 'CN']);
    await desk.agent(LIN, 1, 'en,zh', OPS);
    await desk.agent(MAX, 2, 'en', OPS);
  });

  afterAll(() => desk.cleanup());

  it('a customer opens a ticket, is mailed a confirmation and sees the SLA and the queue position', async () => {
    const opened = ticketOf(
      expectOk(
        await desk.as(ADA, [
          'ticket',
          'new',
          '--category',
          'account',
          '--subject',
          'Cannot sign in',
          '--body',
          'It says my password is wrong since this morning.',
          '--json',
        ]),
      ),
    );
    expect(opened).toMatchObject({ number: 1, status: 'new', priority: 'normal', category: 'account', language: 'en', duplicate: false });
    expect(opened.messages).toEqual([expect.objectContaining({ id: 1, author: 'customer', from: 'you', visibility: 'public' })]);
    // 11:00–18:00 Monday is 420 business minutes; the last 60 fall on Tuesday from 09:00 (Berlin).
    expect(opened.sla.current).toMatchObject({ kind: 'first-reply', targetMinutes: 480, leftMinutes: 480, dueAt: '2026-11-24T09:00:00.000Z', paused: false });
    expect(opened.queue).toEqual({ position: 1, of: 1, expectedReplyBy: '2026-11-24T09:00:00.000Z', late: false });
    const [mail] = await mails(desk.o, ADA, 'ticket-received');
    expect(mail?.subject).toBe('[OKPay #1] We have your request: Cannot sign in');
    expect(mail?.antiPhishingPhrase).toBe('blue heron 42');
    expect(mail?.text).toContain('2026-11-24 10:00 Europe/Berlin');

    const human = expectOk(await desk.as(ADA, ['ticket', 'show', '1']));
    expect(human.stdout).toContain('position 1 of 1; expect a first answer by 2026-11-24 10:00 Europe/Berlin');
    const list = expectOk(await desk.as(ADA, ['ticket', 'list', '--json'])).json<{ tickets: { number: number }[] }>();
    expect(list.tickets.map((t) => t.number)).toEqual([1]);
  });

  it('the same request again within 24 hours returns the open ticket as a duplicate and queues nothing', async () => {
    const again = ticketOf(
      expectOk(
        await desk.as(ADA, [
          'ticket',
          'new',
          '--category',
          'account',
          '--subject',
          ' cannot  SIGN in',
          '--body',
          'It says my password is wrong since this morning.',
          '--json',
        ]),
      ),
    );
    expect(again).toMatchObject({ number: 1, duplicate: true });
    expect(await mails(desk.o, ADA, 'ticket-received')).toHaveLength(1);
    const queue = expectOk(await desk.as(LIN, ['agent', 'queue', '--json'])).json<{ tickets: { number: number }[] }>();
    expect(queue.tickets.map((t) => t.number)).toEqual([1]);
    const human = await desk.as(ADA, [
      'ticket',
      'new',
      '--category',
      'account',
      '--subject',
      'Cannot sign in',
      '--body',
      'It says my password is wrong since this morning.',
    ]);
    expect(human.code).toBe(0);
    expect(human.stderr).toMatch(/you sent this same request .* ticket #1/);
  });

  it('agents answer in the ticket’s language; notes stay internal; status changes are mailed', async () => {
    const opened = ticketOf(
      expectOk(
        await desk.as(BOB, [
          'ticket',
          'new',
          '--category',
          'dispute',
          '--subject',
          '退款没有到账',
          '--body',
          '我 11 月 2 日退货，退款到现在还没到。',
          '--json',
        ]),
      ),
    );
    const n = String(opened.number);
    expect(opened).toMatchObject({ language: 'zh', priority: 'high' });

    const queue = expectOk(await desk.as(LIN, ['agent', 'queue', '--json'])).json<{ tickets: { number: number; urgency: number }[] }>();
    expect(queue.tickets[0]?.number).toBe(opened.number);
    expect(queue.tickets[0]!.urgency).toBeGreaterThan(queue.tickets[1]!.urgency);
    const why = expectOk(await desk.as(LIN, ['ticket', 'why', n, '--json'])).json<{
      urgency: number;
      terms: { name: string; weight: number; points: number }[];
    }>();
    expect(why.terms.map((t) => t.name)).toEqual(['sla', 'priority', 'tier', 'age', 'escalationRequest', 'badRating', 'waiting']);
    expect(why.terms.find((t) => t.name === 'priority')).toMatchObject({ weight: 40, points: 24 });
    expect(why.urgency).toBe(queue.tickets[0]?.urgency);

    expect(ticketOf(expectOk(await desk.as(LIN, ['ticket', 'assign', n, '--json']))).assignee).toBe(LIN);
    expectOk(await desk.as(LIN, ['ticket', 'note', n, '--body', 'SECRET-NOTE: bank trace requested']));
    const answered = ticketOf(
      expectOk(await desk.as(LIN, ['ticket', 'reply', n, '--body', '我们正在核实，请提供退款凭证。', '--status', 'pending', '--json'])),
    );
    expect(answered.status).toBe('pending');
    const reply = (await mails(desk.o, BOB, 'ticket-reply')).pop();
    expect(reply).toMatchObject({ language: 'zh', subject: `[OKPay #${n}] 新的答复：退款没有到账` });
    expect(reply?.text).toContain('我们正在核实');

    const seen = expectOk(await desk.as(BOB, ['ticket', 'show', n, '--json']));
    expect(seen.stdout).not.toContain('SECRET-NOTE');
    expect(ticketOf(seen).messages.map((m) => [m.id, m.from])).toEqual([
      [1, 'you'],
      [2, 'OKPay support'],
    ]);
    expect(expectOk(await desk.as(BOB, ['ticket', 'export', n])).stdout).not.toContain('SECRET-NOTE');
    expect(expectOk(await desk.as(BOB, ['ticket', 'export', n, '--format', 'json'])).stdout).not.toContain('SECRET-NOTE');
    expect(expectOk(await desk.as(LIN, ['ticket', 'export', n])).stdout).toContain('SECRET-NOTE');

    expect(ticketOf(expectOk(await desk.as(BOB, ['ticket', 'reply', n, '--body', '凭证号 RF-2231', '--json']))).status).toBe('open');
    expectOk(await desk.as(LIN, ['ticket', 'resolve', n]));
    expect((await mails(desk.o, BOB, 'ticket-status')).pop()).toMatchObject({ subject: `[OKPay #${n}] 工单已解决：退款没有到账` });

    expectError(await desk.as(BOB, ['ticket', 'rate', n, '--score', '2', '--json']), 2, 'USAGE');
    const rated = expectOk(await desk.as(BOB, ['ticket', 'rate', n, '--score', '2', '--comment', '等了太久', '--json'])).json<{
      followUp: number;
      ticket: { rating: { score: number } };
    }>();
    expect(rated.ticket.rating.score).toBe(2);
    const followUp = ticketOf(expectOk(await desk.as(MAX, ['ticket', 'show', String(rated.followUp), '--json'])));
    expect(followUp).toMatchObject({ tier: 2, priority: 'high', relatedTo: opened.number });
  });

  it('another customer gets "not found" (exit 5), never the content; agent commands need the agent role', async () => {
    const secret = ticketOf(
      expectOk(await desk.as(BOB, ['ticket', 'new', '--category', 'funds', '--subject', 'Private matter 7731', '--body', 'Only for support.', '--json'])),
    );
    const n = String(secret.number);
    for (const args of [
      ['ticket', 'show', n],
      ['ticket', 'reply', n, '--body', 'x'],
      ['ticket', 'export', n],
      ['ticket', 'rate', n, '--score', '5'],
      ['ticket', 'escalate', n, '--reason', 'x'],
    ]) {
      const run = expectError(await desk.as(ADA, [...args, '--json']), 5, 'TICKET_NOT_FOUND');
      expect(run.stderr).not.toContain('Private matter');
    }
    const unknown = expectError(await desk.as(ADA, ['ticket', 'show', '999', '--json']), 5, 'TICKET_NOT_FOUND');
    const mine = expectError(await desk.as(ADA, ['ticket', 'show', n, '--json']), 5, 'TICKET_NOT_FOUND');
    expect(mine.error().message.replace(n, 'N')).toBe(unknown.error().message.replace('999', 'N'));
    for (const args of [
      ['agent', 'queue'],
      ['ticket', 'note', n, '--body', 'x'],
      ['ticket', 'why', n],
      ['ticket', 'assign', n],
      ['ticket', 'resolve', n],
      ['agent', 'user', 'show', BOB],
    ]) {
      expectError(await desk.as(ADA, [...args, '--json']), 4, 'FORBIDDEN');
    }
    expectError(await desk.as(OPS, ['agent', 'queue', '--json']), 4, 'FORBIDDEN');
    expectError(await desk.o.run(['ticket', 'list', '--json']), 3, 'NOT_LOGGED_IN');
  });

  it('invalid transitions exit 6; a reply to a closed ticket opens a linked follow-up', async () => {
    const n = String(
      ticketOf(expectOk(await desk.as(ADA, ['ticket', 'new', '--category', 'technical', '--subject', 'App crashes', '--body', 'On every start.', '--json'])))
        .number,
    );
    expectError(await desk.as(LIN, ['ticket', 'close', n, '--yes', '--json']), 6, 'INVALID_TRANSITION');
    expectOk(await desk.as(LIN, ['ticket', 'resolve', n]));
    expectOk(await desk.as(LIN, ['ticket', 'close', n, '-y']));
    expectError(await desk.as(LIN, ['ticket', 'reopen', n, '--json']), 6, 'INVALID_TRANSITION');
    const reply = expectOk(await desk.as(ADA, ['ticket', 'reply', n, '--body', 'It crashes again.', '--json'])).json<{
      followUpOf: number;
      ticket: { number: number; relatedTo: number; status: string };
    }>();
    expect(reply.followUpOf).toBe(Number(n));
    expect(reply.ticket).toMatchObject({ relatedTo: Number(n), status: 'new' });
    expect(reply.ticket.number).not.toBe(Number(n));
    expect(ticketOf(expectOk(await desk.as(ADA, ['ticket', 'show', n, '--json']))).followUps).toEqual([reply.ticket.number]);
  });

  it('escalation: the customer asks, the agent moves the ticket up, and a lower tier may no longer answer', async () => {
    const n = String(
      ticketOf(expectOk(await desk.as(ADA, ['ticket', 'new', '--category', 'funds', '--subject', 'Withdrawal stuck', '--body', 'Five days now.', '--json'])))
        .number,
    );
    const asked = ticketOf(expectOk(await desk.as(ADA, ['ticket', 'escalate', n, '--reason', 'Nobody answers', '--json'])));
    expect(asked.escalationRequest).toMatchObject({ tier: 2, reason: 'Nobody answers' });
    const why = expectOk(await desk.as(LIN, ['ticket', 'why', n, '--json'])).json<{ terms: { name: string; points: number }[] }>();
    expect(why.terms.find((t) => t.name === 'escalationRequest')?.points).toBe(20);
    expectError(await desk.as(ADA, ['ticket', 'escalate', n, '--tier', '3', '--json']), 4, 'FORBIDDEN');
    expect(ticketOf(expectOk(await desk.as(LIN, ['ticket', 'escalate', n, '--tier', '2', '--json'])))).toMatchObject({ tier: 2, escalationRequest: null });
    expectError(await desk.as(LIN, ['ticket', 'reply', n, '--body', 'x', '--json']), 4, 'FORBIDDEN');
    expectOk(await desk.as(MAX, ['ticket', 'reply', n, '--body', 'I am on it.']));
  });

  it('a linked transaction must be the customer’s own, and shows its live status', async () => {
    const deposit = expectOk(await desk.as(ADA, ['deposit', '--amount', '50', '--currency', 'USD', '--json'])).json<{ transaction: { id: string } }>()
      .transaction.id;
    const linked = ticketOf(
      expectOk(
        await desk.as(ADA, ['ticket', 'new', '--category', 'funds', '--subject', 'Deposit question', '--body', 'Is it final?', '--tx', deposit, '--json']),
      ),
    );
    expect(linked.transaction).toMatchObject({ id: deposit, status: 'completed' });
    expectError(await desk.as(BOB, ['ticket', 'new', '--category', 'funds', '--subject', 'x', '--body', 'y', '--tx', deposit, '--json']), 5, 'TX_NOT_FOUND');
    expectError(
      await desk.as(BOB, ['ticket', 'new', '--category', 'funds', '--subject', 'x', '--body', 'y', '--tx', 'txn_0000099999', '--json']),
      5,
      'TX_NOT_FOUND',
    );
    const user = expectOk(await desk.as(LIN, ['agent', 'user', 'show', ADA, '--ticket', String(linked.number), '--json'])).json<{
      balances: { currency: string; available: string }[];
      transactions: { id: string }[];
    }>();
    expect(user.balances).toEqual([{ currency: 'USD', available: '50.00', held: '0.00' }]);
    expect(user.transactions.map((t) => t.id)).toEqual([deposit]);
  });

  it('merges a duplicate into the other ticket of the same customer only', async () => {
    const first = ticketOf(
      expectOk(
        await desk.as(BOB, ['ticket', 'new', '--category', 'account', '--subject', 'Phone number change', '--body', 'New number +8613800000000', '--json']),
      ),
    ).number;
    const second = ticketOf(
      expectOk(await desk.as(BOB, ['ticket', 'new', '--category', 'account', '--subject', 'Change my phone', '--body', 'Please update it', '--json'])),
    ).number;
    const adas = ticketOf(expectOk(await desk.as(ADA, ['ticket', 'new', '--category', 'account', '--subject', 'Other', '--body', 'Other', '--json']))).number;
    expectError(await desk.as(LIN, ['ticket', 'merge', String(second), '--into', String(adas), '--yes', '--json']), 6, 'INVALID_TRANSITION');
    const target = ticketOf(expectOk(await desk.as(LIN, ['ticket', 'merge', String(second), '--into', String(first), '--yes', '--json'])));
    expect(target.messages.map((m) => m.body)).toEqual(['New number +8613800000000', 'Please update it']);
    expect(ticketOf(expectOk(await desk.as(BOB, ['ticket', 'show', String(second), '--json'])))).toMatchObject({ status: 'merged', mergedInto: first });
    expect((await mails(desk.o, BOB, 'ticket-status')).pop()?.subject).toContain(`[OKPay #${second}]`);
  });

  it('a locked customer reaches support with the password, and the ticket starts high', async () => {
    expectOk(await desk.as(LIN, ['agent', 'lock', ADA, '--reason', 'suspicious sign-ins', '--yes']));
    expect(await mails(desk.o, ADA, 'account-locked')).toHaveLength(1);
    expectError(await desk.as(ADA, ['ticket', 'list', '--json']), 6, 'ACCOUNT_LOCKED');
    expectError(
      await desk.o.run(
        ['ticket', 'new', '--category', 'feedback', '--subject', 'Why?', '--body', 'Why is it locked?', '--email', ADA, '--password-stdin', '--json'],
        { stdin: 'wrong-Password-1!\n' },
      ),
      3,
      'BAD_CREDENTIALS',
    );
    const locked = ticketOf(
      expectOk(
        await desk.o.run(
          [
            'ticket',
            'new',
            '--category',
            'feedback',
            '--subject',
            'Why is my account locked?',
            '--body',
            'I did nothing wrong.',
            '--email',
            ADA,
            '--password-stdin',
            '--json',
          ],
          { stdin: `${PASSWORD}\n` },
        ),
      ),
    );
    expect(locked).toMatchObject({ priority: 'high', status: 'new' });
    const shown = expectOk(await desk.as(LIN, ['agent', 'user', 'show', ADA, '--json'])).json<{
      user: { status: string; lockExplanation: { message: string; hint: string } };
    }>();
    expect(shown.user.status).toBe('locked');
    expect(shown.user.lockExplanation.hint).toMatch(/only support/);
    expectError(await desk.o.run(['unlock', '--email', ADA, '--password-stdin', '--json'], { stdin: `${PASSWORD}\n` }), 6, 'ACCOUNT_LOCKED');
    expectOk(await desk.as(LIN, ['agent', 'unlock', ADA, '--reason', 'identity confirmed by phone', '--ticket', String(locked.number), '--yes']));
    expect(await mails(desk.o, ADA, 'account-unlocked')).toHaveLength(1);
    await desk.signIn(ADA);
    expectOk(await desk.as(ADA, ['ticket', 'list']));
  });

  it('only administrators make agents, and never of an administrator', async () => {
    expectError(await desk.as(ADA, ['admin', 'agent', 'add', '--email', BOB, '--tier', '1', '--languages', 'en', '--json']), 4, 'FORBIDDEN');
    expectError(await desk.as(OPS, ['admin', 'agent', 'add', '--email', OPS, '--tier', '1', '--languages', 'en', '--json']), 4, 'FORBIDDEN');
    expectError(
      await desk.as(OPS, ['admin', 'agent', 'add', '--email', 'nobody@example.com', '--tier', '1', '--languages', 'en', '--json']),
      5,
      'USER_NOT_FOUND',
    );
    expectError(await desk.as(OPS, ['admin', 'agent', 'add', '--email', BOB, '--tier', '4', '--languages', 'en', '--json']), 2, 'INVALID_CHOICE');
  });

  it('statistics count volume, first replies, SLA compliance and satisfaction', async () => {
    const stats = expectOk(await desk.as(MAX, ['agent', 'stats', '--json'])).json<{
      stats: { total: { volume: number; ratings: number }; byAgent: { agent: string; firstReplies: number }[]; byCategory: { key: string }[] };
    }>();
    expect(stats.stats.total.volume).toBeGreaterThanOrEqual(8);
    expect(stats.stats.total.ratings).toBe(1);
    expect(stats.stats.byAgent.find((row) => row.agent === LIN)?.firstReplies).toBeGreaterThanOrEqual(1);
    expect(stats.stats.byCategory.map((row) => row.key)).toContain('dispute');
  });

  it('the clock of a ticket opened on a weekend starts at the next opening, and pauses while pending', async () => {
    desk.advance(Date.parse('2026-11-28T12:00:00Z') - Date.parse(desk.o.now));
    const weekend = ticketOf(
      expectOk(await desk.as(ADA, ['ticket', 'new', '--category', 'account', '--subject', 'Weekend question', '--body', 'Asked on Saturday.', '--json'])),
    );
    // Monday 30 November 09:00 Berlin + 8 business hours = 17:00 Berlin = 16:00 UTC.
    expect(weekend.sla.current).toMatchObject({ leftMinutes: 480, dueAt: '2026-11-30T16:00:00.000Z' });
    const n = String(weekend.number);
    desk.advance(2 * 24 * HOUR_MS);
    expectOk(await desk.as(LIN, ['ticket', 'set', n, '--status', 'pending']));
    const paused = ticketOf(expectOk(await desk.as(ADA, ['ticket', 'show', n, '--json'])));
    // Monday 12:00 UTC is 13:00 in Berlin: four business hours used when the clock stopped.
    expect(paused.sla).toMatchObject({ state: 'paused', current: { paused: true, dueAt: null, leftMinutes: 240 } });
  });
});

describe('knowledge base and service information', () => {
  const desk = new Desk('2026-11-23T10:00:00.000Z');
  afterAll(() => desk.cleanup());

  it('searches the FAQ in Chinese and English', async () => {
    const zh = expectOk(await desk.o.run(['faq', '忘记密码', '--json'])).json<{ articles: { id: string; language: string }[] }>();
    expect(zh.articles[0]).toMatchObject({ id: 'reset-password', language: 'zh' });
    const en = expectOk(await desk.o.run(['faq', 'reset', 'my', 'password', '--json'])).json<{ articles: { id: string }[] }>();
    expect(en.articles[0]?.id).toBe('reset-password');
    const all = expectOk(await desk.o.run(['faq', '--json'])).json<{ articles: unknown[] }>();
    expect(all.articles.length).toBeGreaterThanOrEqual(16);
    const none = expectOk(await desk.o.run(['faq', 'zzqqxx']));
    expect(none.stderr).toContain('No article matches');
  });

  it('lists the channels, each region’s hours, whether it is open now and the expected reply times', async () => {
    const doc = expectOk(await desk.o.run(['support', '--json'])).json<{
      support: { channels: { id: string; expectedFirstReply: string }[]; regions: { id: string; openNow: boolean; timeZone: string }[] };
    }>().support;
    expect(doc.channels.map((c) => [c.id, c.expectedFirstReply])).toEqual([
      ['email', 'within 24 hours'],
      ['mail', 'in 24–48 hours'],
      ['chat', 'within 5 minutes while the desk is open'],
      ['phone', 'within 10 minutes while the desk is open'],
      ['social', 'within 24 hours'],
    ]);
    // 10:00 UTC: 11:00 in Berlin (open), 18:00 in Shanghai (just closed), 05:00 in New York (closed).
    expect(doc.regions.map((r) => [r.id, r.timeZone, r.openNow])).toEqual([
      ['americas', 'America/New_York', false],
      ['europe', 'Europe/Berlin', true],
      ['asia', 'Asia/Shanghai', false],
    ]);
    const germany = expectOk(await desk.o.run(['support', '--country', 'DE', '--json'])).json<{
      support: { region: string; channels: { id: string; availableNow: boolean; expectedReplyBy: string | null }[] };
    }>().support;
    expect(germany.region).toBe('europe');
    expect(germany.channels.find((c) => c.id === 'chat')).toMatchObject({ availableNow: true, expectedReplyBy: '2026-11-23T10:05:00.000Z' });
    const christmas = expectOk(await desk.o.run(['support', '--country', 'DE', '--json'], { now: '2026-12-20T10:00:00Z' })).json<{
      support: { regions: { holidays: { date: string }[] }[] };
    }>().support;
    expect(christmas.regions[0]?.holidays.map((h) => h.date)).toEqual(['2026-12-25', '2027-01-01']);
  });
});
