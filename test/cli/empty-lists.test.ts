// An empty ticket list says why it is empty in words that fit who asks: a filter that matched
// nothing is named, and only a customer is pointed at `okpay ticket new`.

import { beforeAll, describe, expect, it } from 'vitest';
import { Cli } from '../support/cli.js';
import { MemoryDesk } from '../support/memory-desk.js';

let desk: MemoryDesk;

beforeAll(async () => {
  desk = new MemoryDesk();
  await desk.setUp(['customer', 'agent1']);
});

const as = (role: 'customer' | 'agent1', argv: readonly string[]) => desk.okpay(argv, { token: desk.tokens[role] ?? '' });

describe('empty ticket lists', () => {
  it('an agent whose filter matched nothing is told which filter, not to open a ticket', async () => {
    const shown = await as('agent1', ['ticket', 'list', '--status', 'merged']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toBe('');
    expect(shown.stderr).toBe('no tickets match --status merged\n');
    const searched = await as('agent1', ['ticket', 'list', '--status', 'closed', '--search', 'no such words anywhere']);
    expect(searched.stderr).toBe('no tickets match --status closed --search "no such words anywhere"\n');
  });

  it('the queue names its filters too, and says nothing of opening tickets', async () => {
    const shown = await as('agent1', ['agent', 'queue', '--language', 'fr', '--category', 'feedback', '--breaching']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stderr).toBe('no tickets match --category feedback --language fr --breaching\n');
  });

  it('a customer with no matching ticket is told how to see them all; one with none at all how to open one', async () => {
    const filtered = await as('customer', ['ticket', 'list', '--status', 'merged']);
    expect(filtered.stderr).toBe('no tickets match --status merged; `okpay ticket list` shows all of yours\n');
    const newcomer = new Cli();
    await newcomer.signedIn('ada@example.com');
    const none = await newcomer.run(['ticket', 'list']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stderr).toBe('no tickets; open one with `okpay ticket new`\n');
  });
});
