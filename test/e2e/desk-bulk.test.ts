// Bulk changes through the real binary: `ticket assign|set|resolve|close` on several numbers or
// on the tickets a filter selects, confirmed with --yes, all or nothing, with a report.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk, mails } from '../support/desk-cli.js';
import { ADA, LIN, loadDeskFixture, MEI } from '../support/desk-fixture.js';
import { Okpay, type Run } from '../support/okpay.js';

interface Report {
  bulk: { action: string; selected: number; changed: number; failed: number };
  tickets: {
    number: number;
    result: string;
    status: string | null;
    priority: string | null;
    assignee: string | null;
    error: { code: string; message: string; exitCode: number } | null;
  }[];
}

interface Row {
  number: number;
  status: string;
  priority: string;
  assignee: string | null;
}

describe('bulk ticket changes', () => {
  const o = new Okpay();
  const sessions = new Map<string, string>();
  const as = (email: string, args: readonly string[]): Promise<Run> => o.run(args, { env: { OKPAY_SESSION: sessions.get(email) ?? '' } });
  const tickets = async (): Promise<Map<number, Row>> =>
    new Map(
      expectOk(await as(LIN, ['ticket', 'list', '--json']))
        .json<{ tickets: Row[] }>()
        .tickets.map((t) => [t.number, t]),
    );

  beforeAll(async () => {
    for (const [email, session] of await loadDeskFixture(o, [LIN, MEI, ADA])) sessions.set(email, session);
  });

  afterAll(() => o.cleanup());

  it('several numbers without a terminal need --yes; with it each ticket changes and the report lists them', async () => {
    const before = await tickets();
    expectError(await as(LIN, ['ticket', 'set', '1', '3', '--priority', 'high', '--json']), 2, 'CONFIRMATION_REQUIRED');
    expect(await tickets()).toEqual(before);
    const report = expectOk(await as(LIN, ['ticket', 'set', '1', '3', '--priority', 'high', '--yes', '--json'])).json<Report>();
    expect(report.bulk).toEqual({ action: 'set', selected: 2, changed: 2, failed: 0 });
    expect(report.tickets.map((t) => [t.number, t.result, t.priority])).toEqual([
      [1, 'changed', 'high'],
      [3, 'changed', 'high'],
    ]);
    const after = await tickets();
    expect([after.get(1)?.priority, after.get(3)?.priority]).toEqual(['high', 'high']);
    const human = expectOk(await as(LIN, ['ticket', 'set', '1', '3', '--priority', 'normal', '--yes']));
    expect(human.stdout).toMatch(/1\s+│?\s*changed/);
    expect(human.stderr).toContain('2 tickets updated');
  });

  it('changes none when one ticket refuses, and says which and why (exit of that failure)', async () => {
    const before = await tickets();
    const run = await as(LIN, ['ticket', 'close', '5', '1', '--yes', '--json']);
    expect(run.code, run.stderr).toBe(6);
    expect(run.error()).toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(run.error().message).toMatch(/^1 of 2 tickets cannot be closed \(first: #1: .*\); nothing was changed$/);
    const report = run.json<Report>();
    expect(report.bulk).toEqual({ action: 'close', selected: 2, changed: 0, failed: 1 });
    expect(report.tickets.map((t) => [t.number, t.result, t.error?.code ?? null])).toEqual([
      [5, 'not-changed', null],
      [1, 'failed', 'INVALID_TRANSITION'],
    ]);
    expect(await tickets()).toEqual(before);
    expect(await mails(o, ADA, 'ticket-status')).toHaveLength(0);
  });

  it('selects by filter only with --yes, and never together with numbers', async () => {
    expectError(await as(LIN, ['ticket', 'assign', '--assignee', 'none', '--to', MEI, '--json']), 2, 'CONFIRMATION_REQUIRED');
    expectError(await as(LIN, ['ticket', 'assign', '1', '--assignee', 'none', '--to', MEI, '--yes', '--json']), 2, 'USAGE');
    expectError(await as(LIN, ['ticket', 'resolve', '--json']), 2, 'USAGE');
    const report = expectOk(await as(LIN, ['ticket', 'assign', '--assignee', 'none', '--to', MEI, '--yes', '--json'])).json<Report>();
    expect(report.tickets.map((t) => [t.number, t.assignee])).toEqual([[1, MEI]]);
    expect((await tickets()).get(1)?.assignee).toBe(MEI);

    const resolved = expectOk(await as(LIN, ['ticket', 'resolve', '--search', '退款', '--yes', '--json'])).json<Report>();
    expect(resolved.tickets.map((t) => [t.number, t.status])).toEqual([[2, 'solved']]);
    expect((await mails(o, 'chen@example.cn', 'ticket-status')).pop()?.subject).toContain('工单已解决');
    const none = expectOk(await as(LIN, ['ticket', 'close', '--search', 'nothing-like-this', '--yes', '--json'])).json<Report>();
    expect(none.bulk).toEqual({ action: 'close', selected: 0, changed: 0, failed: 0 });
  });

  it('keeps separation of duties per ticket: an agent’s own ticket fails the whole change', async () => {
    const own = expectOk(
      await as(LIN, ['ticket', 'new', '--category', 'technical', '--subject', 'My laptop', '--body', 'The app will not start.', '--json']),
    ).json<{ ticket: { number: number } }>().ticket.number;
    const before = await tickets();
    const run = await as(LIN, ['ticket', 'resolve', '1', String(own), '--yes', '--json']);
    expect(run.code, run.stderr).toBe(4);
    expect(run.json<Report>().tickets.map((t) => [t.number, t.result, t.error?.message ?? null])).toEqual([
      [1, 'not-changed', null],
      [own, 'failed', `ticket #${own} is your own; another agent must handle it`],
    ]);
    const mine = await as(MEI, ['ticket', 'assign', '--status', 'new', '--category', 'technical,account', '--to', LIN, '--yes', '--json']);
    expect(mine.code, mine.stderr).toBe(4);
    expect(mine.json<Report>().tickets.find((t) => t.number === own)?.error?.message).toBe(`${LIN} opened ticket #${own}; it goes to another agent`);
    expect(await tickets()).toEqual(before);
  });

  it('writes one audit entry per changed ticket, and none for a refused change', async () => {
    const updates = async () =>
      expectOk(await o.run(['fixtures', 'export']))
        .json<{ audit: { event: { type: string; details: { ticket?: number; priority?: string | null } } }[] }>()
        .audit.map((entry) => entry.event)
        .filter((event) => event.type === 'ticket.update');
    const before = (await updates()).length;
    expectOk(await as(LIN, ['ticket', 'set', '--where-priority', 'normal', '--where-category', 'account,funds', '--priority', 'low', '--yes', '--json']));
    const added = (await updates()).slice(before);
    expect(added.map((event) => [event.details.ticket, event.details.priority])).toEqual([
      [1, 'low'],
      [3, 'low'],
      [4, 'low'],
    ]);
    const refused = await as(LIN, ['ticket', 'set', '3', '5', '99', '--priority', 'high', '--yes', '--json']);
    expect([refused.code, refused.error().code], refused.stderr).toEqual([5, 'TICKET_NOT_FOUND']);
    expect(await updates()).toHaveLength(before + 3);
  });

  it('sets the category of one ticket, or of those --where-category selects', async () => {
    expectOk(await as(LIN, ['ticket', 'set', '3', '--category', 'dispute']));
    const show = expectOk(await as(LIN, ['ticket', 'export', '3', '--format', 'json'])).json<{ ticket: { category: string; history: { type: string }[] } }>();
    expect(show.ticket.category).toBe('dispute');
    expect(show.ticket.history.filter((event) => event.type === 'category')).toEqual([
      expect.objectContaining({ type: 'category', from: 'funds', to: 'dispute', by: LIN }),
    ]);
    expect(expectOk(await as(LIN, ['ticket', 'export', '3'])).stdout).toContain('category funds → dispute');
    const report = expectOk(
      await as(LIN, ['ticket', 'set', '--where-category', 'dispute', '--language', 'de', '--category', 'funds', '--yes', '--json']),
    ).json<Report>();
    expect(report.tickets.map((t) => [t.number, t.result])).toEqual([[3, 'changed']]);
    const listed = expectOk(await as(LIN, ['ticket', 'list', '--category', 'funds', '--json'])).json<{ tickets: { number: number }[] }>();
    expect(listed.tickets.map((t) => t.number).sort()).toEqual([3, 4]);
    expectError(await as(LIN, ['ticket', 'set', '3', '--category', 'billing', '--json']), 2, 'INVALID_CHOICE');
  });

  it('is for agents only', async () => {
    expectError(await as(ADA, ['ticket', 'resolve', '1', '4', '--yes', '--json']), 4, 'FORBIDDEN');
    expectError(await as(ADA, ['ticket', 'close', '--status', 'solved', '--yes', '--json']), 4, 'FORBIDDEN');
  });
});
