// A customer is never shown a time already gone as a promise: once the first answer is overdue,
// `ticket show` says it is late and when it is now expected (always after now).

import { describe, expect, it } from 'vitest';
import { Cli, PASSWORD } from '../support/cli.js';

const EMAIL = 'ada@example.com';
const HOUR_MS = 60 * 60 * 1000;

interface Shown {
  ticket: { queue: { position: number; expectedReplyBy: string; late: boolean; missedDueAt?: string } | null };
}

/** The session ended while the clock moved on: sign in again. */
async function signInAgain(cli: Cli): Promise<void> {
  expect((await cli.run(['login', '--email', EMAIL, '--password-stdin'], { stdin: `${PASSWORD}\n` })).code).toBe(0);
}

async function openTicket(): Promise<Cli> {
  const cli = new Cli('2026-11-23T10:00:00.000Z');
  await cli.signedIn(EMAIL, ['--country', 'DE']);
  const opened = await cli.run(['ticket', 'new', '--category', 'funds', '--subject', 'Deposit missing', '--body', 'My deposit of 50 EUR is not shown.']);
  expect(opened.code, opened.stderr).toBe(0);
  return cli;
}

describe('the first answer promised to a customer', () => {
  it('is the due time while it lies ahead', async () => {
    const cli = await openTicket();
    const shown = (await cli.run(['ticket', 'show', '1', '--json'])).json<Shown>();
    expect(shown.ticket.queue).toMatchObject({ position: 1, late: false });
    expect(Date.parse(shown.ticket.queue?.expectedReplyBy ?? '')).toBeGreaterThan(Date.parse(cli.now));
  });

  it('once missed, is said to be late, with a new time after now', async () => {
    const cli = await openTicket();
    cli.advance(5 * 24 * HOUR_MS);
    await signInAgain(cli);
    const shown = (await cli.run(['ticket', 'show', '1', '--json'])).json<Shown>();
    const queue = shown.ticket.queue;
    expect(queue?.late).toBe(true);
    expect(Date.parse(queue?.missedDueAt ?? '')).toBeLessThan(Date.parse(cli.now));
    expect(Date.parse(queue?.expectedReplyBy ?? '')).toBeGreaterThan(Date.parse(cli.now));
    const human = await cli.run(['ticket', 'show', '1']);
    expect(human.stdout).toMatch(
      /position 1 of 1; our first answer is late \(it was due 2026-11-2\d \d\d:\d\d [^)]+\); we now expect to answer by 2026-11-30 10:00 Europe\/Berlin/,
    );
    expect(human.stdout).not.toContain('expect a first answer by');
  });

  it('on a weekend, the new time is in the next business hours of the region', async () => {
    const cli = await openTicket();
    // Saturday 2026-11-28, 12:00 UTC: the desk of Europe opens again on Monday at 09:00 Berlin time.
    cli.now = '2026-11-28T12:00:00.000Z';
    await signInAgain(cli);
    const queue = (await cli.run(['ticket', 'show', '1', '--json'])).json<Shown>().ticket.queue;
    expect(queue?.late).toBe(true);
    expect(queue?.expectedReplyBy).toBe('2026-11-30T09:00:00.000Z');
  });
});
