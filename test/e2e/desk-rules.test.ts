// The desk's rules that a hostile review found open, through the real binary on the demo store:
// `--status` takes only what its help says (merged only by `ticket merge`), a ticket above an
// agent's tier is not theirs to change (a note is), a merge keeps the customer's waiting clock (a
// breach stays visible), and replies to a closed ticket go to its open follow-up, repeated ones
// flagged as duplicates, also when they come in by mail.

import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk, mails } from '../support/desk-cli.js';
import { DEMO_FILE, DEMO_PASSWORD } from '../support/memory-desk.js';
import { Okpay, type Run } from '../support/okpay.js';

const NOW = '2026-12-07T12:00:00.000Z';
const AMY = 'amy@support.okpay.example';
const MEI = 'mei@support.okpay.example';
const CHEN = 'chen.li@example.cn';
const CAMILLE = 'camille.martin@example.fr';

interface TicketJson {
  number: number;
  status: string;
  priority: string;
  tier: number;
  mergedInto?: number | null;
  messages: { body: string; visibility: string }[];
  sla: { state: string; breaches: number; current: { startedAt: string; leftMinutes: number } | null };
}

/** The demo store at NOW, with the given people signed in. */
function demoDesk(people: readonly string[]) {
  const o = new Okpay({ now: NOW });
  const sessions = new Map<string, string>();
  const as = (email: string, args: readonly string[]): Promise<Run> => o.run(args, { env: { OKPAY_SESSION: sessions.get(email) ?? '' } });
  const show = async (number: number): Promise<TicketJson> =>
    expectOk(await as(MEI, ['ticket', 'show', String(number), '--json'])).json<{ ticket: TicketJson }>().ticket;
  const numbers = async (): Promise<number[]> =>
    expectOk(await as(MEI, ['ticket', 'list', '--limit', '500', '--json']))
      .json<{ tickets: { number: number }[] }>()
      .tickets.map((t) => t.number)
      .sort((a, b) => a - b);
  const setUp = async (): Promise<void> => {
    expectOk(await o.run(['fixtures', 'load', DEMO_FILE]));
    for (const email of people)
      sessions.set(email, expectOk(await o.run(['login', '--email', email, '--password-stdin', '--raw'], { stdin: `${DEMO_PASSWORD}\n` })).stdout.trim());
  };
  return { o, as, show, numbers, setUp };
}

describe('--status takes open, pending, on-hold or solved; merged only by `ticket merge`', () => {
  const d = demoDesk([AMY, MEI]);
  beforeAll(d.setUp);
  afterAll(() => d.o.cleanup());

  it('refuses merged and new (exit 2) on one ticket, in bulk and on a reply, changing nothing and mailing nobody', async () => {
    const before = await Promise.all([1, 2, 4, 5].map((n) => d.show(n)));
    const bulk = await d.as(AMY, ['ticket', 'set', '--where-status', 'new,open,pending,on-hold', '--status', 'merged', '--yes', '--json']);
    expectError(bulk, 2, 'INVALID_CHOICE');
    expect(bulk.error().message).toContain('"merged"');
    expectError(await d.as(AMY, ['ticket', 'set', '5', '--status', 'merged', '--json']), 2, 'INVALID_CHOICE');
    expectError(await d.as(AMY, ['ticket', 'set', '5', '--status', 'new', '--json']), 2, 'INVALID_CHOICE');
    expectError(await d.as(AMY, ['ticket', 'set', '5', '--status', 'closed', '--json']), 2, 'INVALID_CHOICE');
    expectError(await d.as(AMY, ['ticket', 'reply', '5', '--body', 'done', '--status', 'merged', '--json']), 2, 'INVALID_CHOICE');
    expect(await Promise.all([1, 2, 4, 5].map((n) => d.show(n)))).toEqual(before);
    expect((await d.show(5)).mergedInto ?? null).toBeNull();
    expect(await mails(d.o, undefined, 'ticket-status')).toHaveLength(0);
    // What the help names still works.
    expect(expectOk(await d.as(AMY, ['ticket', 'set', '5', '--status', 'on-hold', '--json'])).json<{ ticket: TicketJson }>().ticket.status).toBe('on-hold');
  });
});

describe('a ticket above an agent tier: only a note', () => {
  const d = demoDesk([AMY, MEI, CHEN]);
  let other = 0;
  beforeAll(async () => {
    await d.setUp();
    const opened = await d.as(CHEN, ['ticket', 'new', '--category', 'funds', '--subject', '还是没到账', '--body', '提现还没有到。', '--json']);
    other = expectOk(opened).json<{ ticket: TicketJson }>().ticket.number;
    expectOk(await d.as(MEI, ['ticket', 'escalate', '1', '--tier', '3', '--reason', 'a manager should look']));
  });
  afterAll(() => d.o.cleanup());

  it('refuses a tier-1 agent every change of a tier-3 ticket (exit 4), in a merge either side, and takes a note', async () => {
    const before = await d.show(1);
    expect(before.tier).toBe(3);
    const refused = [
      ['ticket', 'reply', '1', '--body', 'done'],
      ['ticket', 'set', '1', '--priority', 'low', '--yes'],
      ['ticket', 'set', '1', '--status', 'pending'],
      ['ticket', 'resolve', '1', '--yes'],
      ['ticket', 'close', '1', '--yes'],
      ['ticket', 'assign', '1', '--to', AMY],
      ['ticket', 'merge', '1', '--into', String(other), '--yes'],
      ['ticket', 'merge', String(other), '--into', '1', '--yes'],
    ];
    for (const args of refused) {
      const run = expectError(await d.as(AMY, [...args, '--json']), 4, 'FORBIDDEN');
      expect(run.error().message, args.join(' ')).toContain('ticket #1 is at tier 3');
    }
    expect((await d.show(1)).status).toBe(before.status);
    expect(await d.show(1)).toEqual(before);
    expect((await d.show(other)).status).toBe('new');
    expectOk(await d.as(AMY, ['ticket', 'note', '1', '--body', 'The payout is with Alipay since Friday.']));
    expect((await d.show(1)).messages.at(-1)).toMatchObject({ visibility: 'internal', body: 'The payout is with Alipay since Friday.' });
  });

  it('reports the ticket as refused in a bulk change, and changes none', async () => {
    const run = await d.as(AMY, ['ticket', 'set', '1', String(other), '--priority', 'low', '--yes', '--json']);
    expect(run.code, run.stderr).toBe(4);
    expect(run.error()).toMatchObject({ code: 'FORBIDDEN' });
    const report = run.json<{ tickets: { number: number; result: string; error: { code: string } | null }[] }>();
    expect(report.tickets.map((t) => [t.number, t.result, t.error?.code ?? null])).toEqual([
      [1, 'failed', 'FORBIDDEN'],
      [other, 'not-changed', null],
    ]);
    expect((await d.show(other)).priority).not.toBe('low');
  });
});

describe('a merge keeps the waiting clock', () => {
  const d = demoDesk([MEI, CHEN]);
  beforeAll(d.setUp);
  afterAll(() => d.o.cleanup());

  it('the ticket merged into carries the breach of the one merged, in its SLA and in `agent queue --breaching`', async () => {
    const breached = await d.show(1);
    expect(breached.sla).toMatchObject({ state: 'breached', breaches: 1 });
    const opened = await d.as(CHEN, ['ticket', 'new', '--category', 'funds', '--subject', '还是没到账', '--body', '提现还没有到。', '--json']);
    const other = expectOk(opened).json<{ ticket: TicketJson }>().ticket.number;
    expect((await d.show(other)).sla.state).toBe('ok');
    expectOk(await d.as(MEI, ['ticket', 'merge', '1', '--into', String(other), '--yes']));
    const merged = await d.show(other);
    expect(merged.sla).toMatchObject({ state: 'breached', breaches: 1 });
    expect(merged.sla.current?.startedAt).toBe(breached.sla.current?.startedAt);
    expect(merged.sla.current?.leftMinutes).toBeLessThan(0);
    const queue = expectOk(await d.as(MEI, ['agent', 'queue', '--breaching', '--json'])).json<{ tickets: { number: number }[] }>();
    expect(queue.tickets.map((t) => t.number)).toContain(other);
    // The answer ends the clock; the breach stays on the record.
    expectOk(await d.as(MEI, ['ticket', 'reply', String(other), '--body', '已经到账了，请查收。']));
    expect((await d.show(other)).sla).toMatchObject({ state: 'none', breaches: 1 });
  });
});

describe('replies to a closed ticket', () => {
  const d = demoDesk([MEI, CAMILLE]);
  beforeAll(async () => {
    await d.setUp();
    expectOk(await d.as(MEI, ['ticket', 'close', '3', '--yes']));
  });
  afterAll(() => d.o.cleanup());

  interface Reply {
    ticket: TicketJson;
    followUpOf: number | null;
    followUp: string | null;
  }
  const reply = async (body: string): Promise<Reply> => expectOk(await d.as(CAMILLE, ['ticket', 'reply', '3', '--body', body, '--json'])).json<Reply>();

  it('go to its open follow-up; the same text again is a duplicate, not a second ticket; a new one only once the follow-up is done', async () => {
    const before = await d.numbers();
    const first = await reply('Les bénéficiaires ne sont toujours pas là.');
    expect(first).toMatchObject({ followUpOf: 3, followUp: 'opened' });
    const followUp = first.ticket.number;
    const again = await reply('Les bénéficiaires ne sont toujours pas là.');
    expect(again).toMatchObject({ followUpOf: 3, followUp: 'duplicate' });
    expect(again.ticket.number).toBe(followUp);
    const more = await reply('Et la liste est vide.');
    expect(more).toMatchObject({ followUpOf: 3, followUp: 'joined' });
    expect(more.ticket.number).toBe(followUp);
    expect((await d.show(followUp)).messages.map((m) => m.body)).toEqual(['Les bénéficiaires ne sont toujours pas là.', 'Et la liste est vide.']);
    expect(await d.numbers()).toEqual([...before, followUp]);
    expect((await mails(d.o, CAMILLE, 'ticket-received')).filter((m) => m.subject.includes(`#${followUp}]`))).toHaveLength(1);

    expectOk(await d.as(MEI, ['ticket', 'resolve', String(followUp), '--yes']));
    const later = await reply('Une autre question sur les bénéficiaires.');
    expect(later).toMatchObject({ followUpOf: 3, followUp: 'opened' });
    expect(later.ticket.number).toBeGreaterThan(followUp);
  });

  it('by mail too: the same reply imported twice (two Message-IDs) is flagged as a duplicate', async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'okpay-desk-rules-'));
    const eml = (name: string, messageId: string): string => {
      const file = path.join(scratch, name);
      const headers = [`From: ${CAMILLE}`, 'Subject: Re: [OKPay #3] Enregistrer des bénéficiaires', `Message-ID: <${messageId}@example.fr>`];
      writeFileSync(file, `${headers.join('\r\n')}\r\n\r\nToujours rien, merci de regarder.\r\n`);
      return file;
    };
    // The follow-up the first test left open is done, so the first mail opens a new one.
    const before = await d.numbers();
    expectOk(await d.as(MEI, ['ticket', 'resolve', String(before.at(-1)), '--yes']));
    const imported = async (file: string) =>
      expectOk(await d.as(MEI, ['ticket', 'import', file, '--json'])).json<{ mails: { outcome: string; ticket: number; detail: string }[] }>().mails[0];
    const first = await imported(eml('one.eml', 'one'));
    expect(first).toMatchObject({ outcome: 'replied' });
    expect(first?.detail).toContain('opened a follow-up');
    const second = await imported(eml('two.eml', 'two'));
    expect(second).toMatchObject({ outcome: 'replied', ticket: first?.ticket });
    expect(second?.detail).toContain('duplicate');
    expect(await d.numbers()).toEqual([...before, first?.ticket]);
  });
});
