// Lists page alike (issue 16): --limit and --page on history, ticket list, agent queue, outbox list
// and withdraw list; a "more on the next page" hint that keeps every filter and the --limit; a page
// past the end says so; history newest first by time; what a payout's rows show; clear refusals.

import { beforeAll, describe, expect, it } from 'vitest';
import { Cli } from '../support/cli.js';
import { MemoryDesk, type Outcome } from '../support/memory-desk.js';

const json = <T>(outcome: Outcome): T => {
  expect(outcome.code, outcome.stderr).toBe(0);
  return JSON.parse(outcome.stdout) as T;
};

interface Row {
  id: string;
  type: string;
  status: string;
  createdAt: string;
}

describe('on the demo store (back-dated fixtures)', () => {
  const desk = new MemoryDesk();
  beforeAll(() => desk.setUp(['customer', 'agent1']), 60_000);
  const lena = (argv: readonly string[]) => desk.okpay(argv, { token: desk.tokens.customer });
  const amy = (argv: readonly string[]) => desk.okpay(argv, { token: desk.tokens.agent1 });

  it('the queue explains its marks: a legend in --help, and a footer under the table on a terminal only', async () => {
    const help = await amy(['agent', 'queue', '--help']);
    expect(help.stdout).toMatch(/Symbols:\n {2}⇡ after the urgency: the customer asked for escalation\n {2}SLA left: .*red when overdue/);
    const footer = /⇡ escalation asked · SLA left: red overdue, yellow at risk, green on time/;
    const terminal = await desk.okpay(['agent', 'queue'], { token: desk.tokens.agent1, tty: true });
    expect(terminal.code, terminal.stderr).toBe(0);
    expect(terminal.stdout.replace(/\s+/g, ' ')).toMatch(footer);
    const piped = await amy(['agent', 'queue']);
    expect(piped.stdout).not.toMatch(/escalation asked/);
    expect(piped.stdout.split('\n')[0]?.split('\t')[0]).toBe('number');
  });

  it('history is newest first by the time of each transaction, not by the order it was loaded in', async () => {
    const { transactions } = json<{ transactions: Row[] }>(await lena(['history', '--json']));
    const times = transactions.map((t) => Date.parse(t.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // The unclaimed transfer two days ago was loaded after the payout of seven days ago.
    expect(transactions.map((t) => t.type)).toEqual(['transfer.unclaimed', 'withdrawal.complete', 'withdrawal.hold', 'transfer', 'deposit']);
    const piped = (await lena(['history'])).stdout.trim().split('\n').slice(1);
    expect(piped[0]).toContain('transfer.unclaimed');
  });

  it('a payout hold shows what it holds and how the payout ended', async () => {
    const { transactions } = json<{ transactions: (Row & { amount: string; fee: string })[] }>(await lena(['history', '--type', 'withdrawal.hold', '--json']));
    expect(transactions).toMatchObject([{ type: 'withdrawal.hold', status: 'completed', amount: '150.00', fee: '0.50' }]);
    const row = (await lena(['history', '--type', 'withdrawal.hold'])).stdout.trim().split('\n')[1] ?? '';
    expect(row.split('\t')).toEqual([
      expect.any(String),
      transactions[0]?.id,
      'withdrawal.hold',
      expect.any(String),
      '150.00 EUR held + 0.50 fee',
      'completed',
    ]);
  });

  it('the hint keeps the filters and the --limit; the last page has none; past the end says so', async () => {
    const first = await lena(['history', '--type', 'transfer,withdrawal', '--since', '2026-11-01', '--limit', '2']);
    expect(first.stdout.trim().split('\n')).toHaveLength(3);
    expect(first.stderr).toBe('more on the next page: okpay history --type transfer,withdrawal --since 2026-11-01 --limit 2 --page 2\n');
    const second = await lena(['history', '--type', 'transfer,withdrawal', '--since', '2026-11-01', '--limit', '2', '--page', '2']);
    expect(second.stderr).toBe('');
    expect(second.stdout.trim().split('\n')).toHaveLength(3);
    const past = await lena(['history', '--limit', '2', '--page', '4']);
    expect(past.code).toBe(0);
    expect(past.stdout).toBe('');
    expect(past.stderr).toBe('page 4 is past the end: 5 in all, the last page is 3\n');
    expect(json(await lena(['history', '--limit', '2', '--page', '4', '--json']))).toEqual({ transactions: [], page: 4, limit: 2, more: false });
  });

  it('ticket list and agent queue page, with the same hint and JSON keys as history', async () => {
    const tickets = await amy(['ticket', 'list', '--limit', '2']);
    expect(tickets.stderr).toBe('more on the next page: okpay ticket list --limit 2 --page 2\n');
    const all = json<{ tickets: { number: number }[] }>(await amy(['ticket', 'list', '--json']));
    const pages = [1, 2, 3].map(async (page) =>
      json<{ tickets: { number: number }[]; page: number; limit: number; more: boolean }>(
        await amy(['ticket', 'list', '--limit', '2', '--page', String(page), '--json']),
      ),
    );
    const got = await Promise.all(pages);
    expect(got.flatMap((p) => p.tickets.map((t) => t.number))).toEqual(all.tickets.map((t) => t.number));
    expect(got.map((p) => p.more)).toEqual([true, true, false]);
    expect(got[0]).toMatchObject({ page: 1, limit: 2 });

    const queue = json<{ tickets: { number: number }[] }>(await amy(['agent', 'queue', '--json']));
    expect(queue.tickets.length).toBeGreaterThan(2);
    const first = await amy(['agent', 'queue', '--unassigned', '--limit', '1']);
    expect(first.stderr).toBe('more on the next page: okpay agent queue --unassigned --limit 1 --page 2\n');
    const paged = json<{ tickets: { number: number }[]; more: boolean }>(await amy(['agent', 'queue', '--limit', '2', '--page', '2', '--json']));
    expect(paged.tickets.map((t) => t.number)).toEqual(queue.tickets.slice(2, 4).map((t) => t.number));
    const past = await amy(['agent', 'queue', '--page', '99']);
    expect(past.stderr).toBe(`page 99 is past the end: ${queue.tickets.length} in all, the last page is 1\n`);
    expect((await amy(['ticket', 'list', '--limit', '501'])).code).toBe(2);
  });

  it('history --type foo names each valid type once', async () => {
    const refused = await lena(['history', '--type', 'foo']);
    expect(refused.code).toBe(2);
    const listed = /use one of (.*)$/m.exec(refused.stderr)?.[1]?.split(', ') ?? [];
    expect(listed).toContain('withdrawal.hold');
    expect(listed).toContain('deposit');
    expect(new Set(listed).size).toBe(listed.length);
  });
});

describe('lists that had no limit', () => {
  it('outbox list and withdraw list page, keep their filters in the hint, and show fee and hold', async () => {
    const cli = new Cli();
    for (const name of ['ada', 'bob', 'cy']) await cli.signedIn(`${name}@example.com`);
    const activations = await cli.run(['outbox', 'list', '--kind', 'activation', '--limit', '2']);
    expect(activations.stdout.trim().split('\n')).toHaveLength(3);
    expect(activations.stderr).toBe('more on the next page: okpay outbox list --kind activation --limit 2 --page 2\n');
    const rest = await cli.run(['outbox', 'list', '--kind', 'activation', '--limit', '2', '--page', '2', '--json']);
    expect(rest.json()).toMatchObject({ mails: [{ to: 'cy@example.com', kind: 'activation' }], page: 2, limit: 2, more: false });
    expect((await cli.run(['outbox', 'list', '--to', 'ada@example.com', '--page', '3'])).stderr).toBe('page 3 is past the end: 1 in all, the last page is 1\n');

    expect((await cli.run(['deposit', '--amount', '500', '--currency', 'USD'])).code).toBe(0);
    const method = (await cli.run(['withdraw', 'methods', 'add', 'ewallet', '--provider', 'PayPal', '--account', 'cy@example.com', '--json'])).json<{
      method: { id: string };
    }>().method.id;
    const ids: string[] = [];
    for (const amount of ['10', '20', '30']) {
      cli.advance(60_000);
      const made = await cli.run(['withdraw', '--method', method, '--amount', amount, '--currency', 'USD', '--yes', '--json']);
      expect(made.code, made.stderr).toBe(0);
      ids.push(made.json<{ withdrawal: { id: string } }>().withdrawal.id);
    }
    expect((await cli.run(['withdraw', 'cancel', ids[0] ?? '', '--yes'])).code).toBe(0);
    const page = await cli.run(['withdraw', 'list', '--limit', '2']);
    expect(page.stderr).toBe('more on the next page: okpay withdraw list --limit 2 --page 2\n');
    const [header, ...rows] = page.stdout.trim().split('\n');
    expect(header?.split('\t')).toEqual(['id', 'requested', 'amount', 'fee', 'held', 'to', 'status', 'expected_by']);
    expect(rows.map((r) => r.split('\t').slice(2, 5))).toEqual([
      ['30.00 USD', expect.stringMatching(/^\d+\.\d\d USD$/), expect.stringMatching(/^\d+\.\d\d USD$/)],
      ['20.00 USD', expect.stringMatching(/^\d+\.\d\d USD$/), expect.stringMatching(/^\d+\.\d\d USD$/)],
    ]);
    const last = await cli.run(['withdraw', 'list', '--limit', '2', '--page', '2', '--json']);
    expect(last.json()).toMatchObject({ withdrawals: [{ id: ids[0], status: 'cancelled' }], page: 2, limit: 2, more: false });
    expect((await cli.run(['withdraw', 'list', '--limit', '2', '--page', '2'])).stdout).toMatch(/\tcancelled\t/);
    expect((await cli.run(['withdraw', 'list', '--limit', '2', '--page', '2'])).stdout.split('\n')[1]?.split('\t')[4]).toBe('—');
  });

  it('cancelling a withdrawal that is over is a conflict (exit 6), an unknown id is not found (exit 5)', async () => {
    const cli = new Cli();
    await cli.signedIn('ada@example.com');
    expect((await cli.run(['deposit', '--amount', '100', '--currency', 'USD'])).code).toBe(0);
    const method = (await cli.run(['withdraw', 'methods', 'add', 'ewallet', '--provider', 'PayPal', '--account', 'ada@example.com', '--json'])).json<{
      method: { id: string };
    }>().method.id;
    const id = (await cli.run(['withdraw', '--method', method, '--amount', '10', '--currency', 'USD', '--yes', '--json'])).json<{
      withdrawal: { id: string };
    }>().withdrawal.id;
    expect((await cli.run(['withdraw', 'cancel', id, '--yes'])).code).toBe(0);
    const again = await cli.run(['withdraw', 'cancel', id, '--yes', '--json']);
    expect(again.code).toBe(6);
    expect(again.error()).toMatchObject({ code: 'INVALID_TRANSITION', message: expect.stringContaining(`${id} is cancelled`) });
    const unknown = await cli.run(['withdraw', 'cancel', 'wd_doesnotexist', '--yes', '--json']);
    expect(unknown.code).toBe(5);
    expect(unknown.error().code).toBe('WITHDRAWAL_NOT_FOUND');
  });
});
