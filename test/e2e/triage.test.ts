// `agent triage` driven through a pseudo-terminal (test/support/pty_drive.py): the agent works
// the queue with the keyboard only, and every move lands in the store and the outbox.

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../support/okpay.js';
import { Desk, expectError, expectOk, mails, ticketOf } from '../support/desk-cli.js';

const DRIVER = fileURLToPath(new URL('../support/pty_drive.py', import.meta.url));
const ADA = 'ada@example.com';
const LIN = 'lin@okpay.example';
const DOWN = '\u001b[B';

interface Step {
  readonly expect: string;
  readonly send?: string;
}

function inTerminal(desk: Desk, session: string, steps: readonly Step[]): Promise<{ code: number; screen: string }> {
  const script = {
    argv: [process.execPath, BIN, 'agent', 'triage'],
    env: { OKPAY_HOME: desk.o.home, OKPAY_NOW: desk.o.now, OKPAY_SESSION: session, OKPAY_BCRYPT_COST: '4', TERM: 'xterm-256color', NO_COLOR: '' },
    timeout: 30,
    steps,
  };
  return new Promise((resolve) => {
    execFile('python3', [DRIVER, JSON.stringify(script)], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, screen: stdout });
    });
  });
}

describe('agent triage', () => {
  const desk = new Desk();
  let session = '';

  beforeAll(async () => {
    await desk.admin();
    await desk.customer(ADA, ['--country', 'DE']);
    await desk.agent(LIN, 1, 'en');
    expectOk(await desk.as(ADA, ['ticket', 'new', '--category', 'dispute', '--subject', 'Withdrawal not received', '--body', 'My withdrawal to the bank has not arrived after three business days.']));
    expectOk(await desk.as(ADA, ['ticket', 'new', '--category', 'feedback', '--subject', 'Dark mode please', '--body', 'The app is too bright at night.']));
    session = desk.session(LIN);
  });

  afterAll(() => desk.cleanup());

  it('refuses to start without a terminal and names the commands to use instead', async () => {
    const run = expectError(await desk.as(LIN, ['agent', 'triage', '--json']), 2, 'USAGE');
    expect(run.error().message).toContain('needs a terminal');
    expect(run.error().hint).toContain('okpay agent queue');
    expect(run.error().hint).toContain('okpay ticket reply N');
  });

  it('works the queue from the keyboard: reply, note, resolve, an FAQ answer, skip and quit', async () => {
    const { code, screen } = await inTerminal(desk, session, [
      // The dispute (high priority) comes first.
      { expect: 'Ticket #1: Withdrawal not received', send: '' },
      { expect: 'Ticket #1 — what now\\?', send: '1\r' },
      { expect: 'Reply to the customer:', send: 'We are checking with the bank.\r' },
      { expect: 'Leave the ticket', send: `${DOWN}\r` },
      { expect: 'Answer sent on #1; it is pending\\.' },
      // Waiting on the customer, #1 drops below the feedback ticket.
      { expect: 'Ticket #2: Dark mode please' },
      { expect: 'Ticket #2 — what now\\?', send: '3\r' },
      { expect: 'Internal note:', send: 'Forwarded to the app team.\r' },
      { expect: 'Note added to #2\\.' },
      { expect: 'Ticket #2 — what now\\?', send: '7\r' },
      { expect: '#2 is solved' },
      { expect: 'Ticket #1 — what now\\?', send: '2\r' },
      { expect: 'Answer with', send: '\r' },
      { expect: 'Leave the ticket', send: '\r' },
      { expect: 'FAQ answer "[a-z0-9-]+" sent on #1; it is open\\.' },
      { expect: 'Ticket #1 — what now\\?', send: '8\r' },
      { expect: 'Nothing left but the 1 ticket\\(s\\) you skipped\\.' },
    ]);
    expect(code, screen).toBe(0);

    const first = ticketOf(expectOk(await desk.as(LIN, ['ticket', 'show', '1', '--json'])));
    expect(first.status).toBe('open');
    expect(first.messages.filter((m) => m.author === 'agent').map((m) => [m.body.slice(0, 30), m.faqId !== null])).toEqual([
      ['We are checking with the bank.', false],
      [expect.any(String), true],
    ]);
    expect(mails(desk.o, ADA, 'ticket-reply')).toHaveLength(2);

    const second = ticketOf(expectOk(await desk.as(ADA, ['ticket', 'show', '2', '--json'])));
    expect(second.status).toBe('solved');
    expect(JSON.stringify(second)).not.toContain('Forwarded to the app team');
    expect(ticketOf(expectOk(await desk.as(LIN, ['ticket', 'show', '2', '--json']))).messages.map((m) => m.visibility)).toEqual(['public', 'internal']);
    expect(mails(desk.o, ADA, 'ticket-status').pop()?.subject).toBe('[OKPay #2] Ticket solved: Dark mode please');
  });

  it('quits on request and leaves everything as it was', async () => {
    const before = expectOk(await desk.as(LIN, ['ticket', 'show', '1', '--json'])).stdout;
    const { code, screen } = await inTerminal(desk, session, [{ expect: 'Ticket #1 — what now\\?', send: '9\r' }]);
    expect(code, screen).toBe(0);
    expect(expectOk(await desk.as(LIN, ['ticket', 'show', '1', '--json'])).stdout).toBe(before);
  });
});
