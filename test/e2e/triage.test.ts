// `agent triage`: the full-screen console driven through a real pseudo-terminal (tmux, 80×24).
// The agent moves through the queue, replies through a fake $EDITOR, resolves, is refused an
// action on a ticket another process changed, and quits; the store is checked through the CLI.

import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Desk, expectError, expectOk, mails, ticketOf } from '../support/desk-cli.js';
import { Terminal } from '../support/tmux.js';

const ADA = 'ada@example.com';
const LIN = 'lin@okpay.example';
const MEI = 'mei@okpay.example';
const CHEN = 'chen@example.cn';
const CRASH_DRIVER = path.resolve('test/support/triage-crash.mjs');
const REPLY = 'We are checking with the bank.';

describe('agent triage', () => {
  const desk = new Desk();
  const tools = mkdtempSync(path.join(os.tmpdir(), 'okpay-triage-'));
  // The fake editor keeps what okpay prefilled (and the file's mode) for the test, then writes the reply.
  const editor = path.join(tools, 'editor.sh');
  const emptyEditor = path.join(tools, 'empty-editor.sh');
  // Saves a reply in Latin-1 ("Café fermé" with bytes E9, which are not UTF-8).
  const latin1Editor = path.join(tools, 'latin1-editor.sh');
  let terminal: Terminal;
  let session = '';

  const env = (editorPath: string): Record<string, string> => ({
    ...desk.o.storeEnv(),
    OKPAY_NOW: desk.o.now,
    OKPAY_SESSION: session,
    OKPAY_BCRYPT_COST: '4',
    EDITOR: editorPath,
  });
  const ticket = async (number: number) => ticketOf(expectOk(await desk.as(LIN, ['ticket', 'show', String(number), '--json'])));
  const stty = async () => (await terminal.okpay([], {}, { shell: 'stty -g' })).text.trim();
  const open = async (subject: string, body: string) =>
    ticketOf(expectOk(await desk.as(ADA, ['ticket', 'new', '--category', 'technical', '--subject', subject, '--body', body, '--json']))).number;
  /** No line wider than the terminal, and one frame only: the status line and the queue's title once each. */
  const expectOneFrame = (screen: string, columns: number) => {
    const lines = screen.split('\n');
    expect(
      lines.filter((line) => line.length > columns),
      screen,
    ).toEqual([]);
    expect(
      lines.filter((line) => line.includes('? keys q quit')),
      screen,
    ).toHaveLength(1);
    expect(
      lines.filter((line) => /^Queue \d/.test(line)),
      screen,
    ).toHaveLength(1);
  };

  beforeAll(async () => {
    writeFileSync(editor, `#!/bin/sh\ncp "$1" '${tools}/draft'\nstat -c %a "$1" > '${tools}/mode'\nprintf '%s\\n' '${REPLY}' > "$1"\n`);
    writeFileSync(emptyEditor, `#!/bin/sh\n: > "$1"\n`);
    writeFileSync(latin1Editor, `#!/bin/sh\nprintf 'Caf\\351 ferm\\351\\n' > "$1"\n`);
    for (const tool of [editor, emptyEditor, latin1Editor]) chmodSync(tool, 0o755);
    await desk.admin();
    await desk.customer(ADA, ['--country', 'DE']);
    await desk.customer(CHEN, ['--country', 'CN', '--language', 'zh']);
    await desk.agent(LIN, 1, 'en');
    await desk.agent(MEI, 1, 'en');
    expectOk(
      await desk.as(ADA, [
        'ticket',
        'new',
        '--category',
        'dispute',
        '--subject',
        'Withdrawal not received',
        '--body',
        'My withdrawal to the bank has not arrived after three business days.',
      ]),
    );
    expectOk(await desk.as(ADA, ['ticket', 'new', '--category', 'feedback', '--subject', 'Dark mode please', '--body', 'The app is too bright at night.']));
    session = desk.session(LIN);
    terminal = new Terminal(80, 24);
  });

  afterAll(() => {
    terminal.close();
    desk.cleanup();
    rmSync(tools, { recursive: true, force: true });
  });

  it('refuses to start without a terminal and names the commands to use instead', async () => {
    const run = expectError(await desk.as(LIN, ['agent', 'triage', '--json']), 2, 'USAGE');
    expect(run.error().message).toContain('needs a terminal');
    expect(run.error().hint).toContain('okpay agent queue');
    expect(run.error().hint).toContain('okpay ticket reply N');
  });

  it('shows the queue and the ticket at 80×24, replies through $EDITOR, resolves, and quits cleanly', async () => {
    terminal.start(['agent', 'triage'], env(editor));
    // The dispute (high priority) comes first and is shown on the right with its customer.
    const first = await terminal.waitFor(/Ticket #1: Withdrawal not received/);
    expect(first).toMatch(/Queue 2/);
    expect(first).toMatch(/>#1 .*Withdrawal/);
    expect(first).toMatch(/ #2 .*Dark mode/);
    expect(first).toContain(`Customer: ${ADA} · KYC none · not locked`);
    expect(first).toMatch(/urgency \d+/);
    expect(first).toContain('r reply');
    expect(first.split('\n').every((line) => line.length <= 80)).toBe(true);

    terminal.type('?');
    await terminal.waitFor(/Keys \(any key to go back\)[^]*refund the linked transaction/);
    terminal.type(' ');
    await terminal.waitFor(/Customer: ada@example\.com[^]*r reply n note .* \? keys q quit/);

    terminal.type('r');
    await terminal.waitFor(/#1: answer sent; it is \w+\./);
    const draft = readFileSync(path.join(tools, 'draft'), 'utf8');
    expect(draft).toContain("# Customer's language: en");
    expect(draft).toContain('# Reply to ticket #1: Withdrawal not received');
    expect(readFileSync(path.join(tools, 'mode'), 'utf8').trim()).toBe('600');
    await terminal.waitFor(new RegExp(REPLY));

    terminal.type('j');
    await terminal.waitFor(/Ticket #2: Dark mode please/);
    terminal.type('s');
    await terminal.waitFor(/#2 is solved\./);
    await terminal.waitFor(/Queue 1\b/);

    terminal.type('q');
    const screen = await terminal.finish();
    expect(screen.code, screen.text).toBe(0);
    // The alternate screen is gone: what is left is the shell and the summary.
    expect(screen.text).not.toContain('Queue');
    expect(screen.text).toContain('Triage ended after 2 action(s).');

    const one = await ticket(1);
    expect(one.messages.filter((m) => m.author === 'agent').map((m) => m.body)).toEqual([REPLY]);
    expect(await mails(desk.o, ADA, 'ticket-reply')).toHaveLength(1);
    expect((await ticket(2)).status).toBe('solved');
    expect((await mails(desk.o, ADA, 'ticket-status')).pop()?.subject).toBe('[OKPay #2] Ticket solved: Dark mode please');
  });

  it('refuses an action on a ticket someone changed since it was shown, then acts on the fresh one', async () => {
    terminal.start(['agent', 'triage'], env(emptyEditor));
    await terminal.waitFor(/Ticket #1: Withdrawal not received/);
    expectOk(await desk.as(LIN, ['ticket', 'set', '1', '--priority', 'urgent']));
    const status = (await ticket(1)).status;
    terminal.type('h');
    await terminal.waitFor(/#1: ticket #1 changed since it was shown/);
    expect((await ticket(1)).status).toBe(status);
    // The refusal re-read the store: the screen shows the new priority and the same key now works.
    await terminal.waitFor(new RegExp(`${status} · urgent`));
    terminal.type('h');
    await terminal.waitFor(/#1 is on-hold\./);

    // An empty editor file sends nothing.
    terminal.type('n');
    await terminal.waitFor(/The note was empty: nothing was sent\./);
    terminal.type('q');
    expect((await terminal.finish()).code).toBe(0);
    const one = await ticket(1);
    expect(one.priority).toBe('urgent');
    expect(one.status).toBe('on-hold');
    expect(one.messages.filter((m) => m.visibility === 'internal')).toEqual([]);
  });

  it('refuses a reply the editor saved in another encoding than UTF-8, on one line, and sends nothing', async () => {
    const before = await ticket(1);
    const sent = (await mails(desk.o, ADA)).length;
    terminal.start(['agent', 'triage'], env(latin1Editor));
    await terminal.waitFor(/Ticket #1: Withdrawal not received/);
    terminal.type('r');
    const screen = await terminal.waitFor(/#1: the text the editor saved is not valid UTF-8 text/);
    expect(screen.split('\n').filter((line) => line.includes('UTF-8'))).toHaveLength(1);
    expect(screen).not.toMatch(/Caf|answer sent/);
    terminal.type('q');
    const end = await terminal.finish();
    expect(end.code, end.text).toBe(0);
    expect(end.text).toContain('Triage ended after 0 action(s).');
    expect(await ticket(1)).toEqual(before);
    expect(await mails(desk.o, ADA)).toHaveLength(sent);
  });

  it('assigns to a named agent, merges a duplicate and sets the category by key; ? lists every key', async () => {
    const first = await open('App crashes on start', 'The app closes as soon as it opens.');
    const second = await open('App still crashes', 'Reinstalled it; it still closes at once.');
    terminal.start(['agent', 'triage', '--category', 'technical'], env(editor));
    const screen = await terminal.waitFor(/Ticket #\d+: App/);
    expect(screen).toMatch(/^Queue 2/);
    // The queue keeps its 26 columns (a third of 80) next to a long ticket line, and one blank before the ticket.
    expect(screen.split('\n')[0]?.indexOf('Ticket #')).toBe(27);

    terminal.type('?');
    const help = await terminal.waitFor(/Keys \(any key to go back\)[^]*quit/);
    const actions = ['reply', 'internal note', 'FAQ suggestions', 'assign to me', 'assign to an agent', 'priority 1 urgent 2 high 3 normal 4 low'];
    actions.push('category 1 account 2 funds', 'escalate', 'hold / resume', 'merge', 'resolve', 'close', 'refund', 'lock the customer', 'quit');
    for (const what of actions) expect(help).toContain(what);
    expect(help.split('\n').filter((line) => line.length > 80 || line.endsWith('…'))).toEqual([]);
    terminal.type(' ');
    const shown = Number(/^>#(\d+)/m.exec(await terminal.waitFor(/^>#\d+/m))?.[1]);
    const other = shown === first ? second : first;

    terminal.type('A');
    await terminal.waitFor(new RegExp(`Assign #${shown} to[^]*Agents who can take it:[^]*${MEI} · tier 1 · en`));
    terminal.type(MEI);
    terminal.press('Enter');
    await terminal.waitFor(new RegExp(`#${shown} assigned to ${MEI}\\.`));

    terminal.type('m');
    await terminal.waitFor(new RegExp(`Merge #${shown} into ticket number:`));
    terminal.type(`#${other}`);
    terminal.press('Enter');
    await terminal.waitFor(new RegExp(`Merge #${shown} into #${other}\\?`));
    terminal.type('y');
    await terminal.waitFor(new RegExp(`#${shown} was merged into #${other}\\.`));
    // The merged ticket left the queue; the one it went into is selected.
    await terminal.waitFor(new RegExp(`^Queue 1 +Ticket #${other}:`, 'm'));

    terminal.type('g');
    await terminal.waitFor(/Category: 1 account 2 funds 3 identity/);
    terminal.type('2');
    await terminal.waitFor(new RegExp(`#${other} is now in funds\\.`));
    terminal.type('q');
    const end = await terminal.finish();
    expect(end.code, end.text).toBe(0);
    expect(end.text).toContain('Triage ended after 3 action(s).');

    const merged = await ticket(shown);
    expect([merged.status, merged.mergedInto, merged.assignee]).toEqual(['merged', other, MEI]);
    expect((await ticket(other)).category).toBe('funds');
    // Out of the queue again, so that the tests below find #1 first as before.
    expectOk(await desk.as(LIN, ['ticket', 'resolve', String(other)]));
  });

  it('prefills the editor in the customer’s language with a FAQ answer in it, and sends a saved reply in that language', async () => {
    const subject = '提现三天了还没有到账';
    const number = ticketOf(
      expectOk(await desk.as(CHEN, ['ticket', 'new', '--category', 'funds', '--subject', subject, '--body', '我提现到银行卡三天了，钱还没有到账。', '--json'])),
    ).number;
    terminal.start(['agent', 'triage', '--language', 'zh'], env(editor));
    await terminal.waitFor(new RegExp(`Ticket #${number}: ${subject}`));
    terminal.type('r');
    await terminal.waitFor(new RegExp(`#${number}: answer sent`));
    const draft = readFileSync(path.join(tools, 'draft'), 'utf8');
    expect(draft).toContain("# Customer's language: zh");
    expect(draft).toMatch(/^# Suggested FAQ answer below: [a-z0-9-]+$/m);
    const prefilled = draft
      .split('\n')
      .filter((line) => !line.startsWith('#'))
      .join('\n');
    expect(prefilled).toMatch(/[\u4e00-\u9fff]{4}/);
    // Back from the editor, the console is drawn again with the reply in the conversation.
    await terminal.waitFor(new RegExp(`customer[^]*${REPLY}|${REPLY}[^]*customer`));

    terminal.type('t');
    await terminal.waitFor(/Saved replies in zh \(number[^]*1 请客户提供付款详情 \(ask-for-details\)/);
    terminal.type('1');
    await terminal.waitFor(new RegExp(`#${number}: saved reply "ask-for-details" sent; it is pending\\.`));
    terminal.type('q');
    expect((await terminal.finish()).code).toBe(0);

    const answered = await ticket(number);
    const replies = answered.messages.filter((m) => m.author === 'agent').map((m) => m.body);
    expect(replies[0]).toBe(REPLY);
    expect(replies[1]).toContain(`感谢您就“${subject}”联系我们`);
    expect(answered.status).toBe('pending');
    expectOk(await desk.as(LIN, ['ticket', 'resolve', String(number)]));
  });

  it('draws again at the new size when the terminal is resized, with nothing left of the old frame', async () => {
    terminal.start(['agent', 'triage'], env(editor));
    await terminal.waitFor(/Ticket #1: Withdrawal not received/);
    terminal.resize(120, 30);
    // Only 120 columns hold every key of the status line.
    expectOneFrame(await terminal.waitFor(/m merge s solve c close \$ refund \? keys q quit/), 120);
    terminal.resize(60, 20);
    const narrow = await terminal.waitFor(/ A assign \? keys q quit$/m);
    expectOneFrame(narrow, 60);
    terminal.resize(80, 24);
    expectOneFrame(await terminal.waitFor(/ e esc \? keys q quit$/m), 80);
    terminal.type('q');
    expect((await terminal.finish()).code).toBe(0);
  });

  it('a kill (SIGTERM) gives the terminal back before the signal ends okpay', async () => {
    const before = await stty();
    terminal.start(['agent', 'triage'], env(editor));
    await terminal.waitFor(/Ticket #1/);
    terminal.signal('SIGTERM');
    const screen = await terminal.finish();
    expect(screen.code).toBe(143);
    expect(screen.text).not.toContain('Queue');
    expect(await stty()).toBe(before);
  });

  it('a crash while drawing leaves the terminal as it was and says what broke', async () => {
    const before = await stty();
    terminal.start([], {}, { shell: `node ${CRASH_DRIVER}` });
    const screen = await terminal.finish();
    expect(screen.code, screen.text).toBe(70);
    expect(screen.text).toMatch(/^crashed: .+/m);
    expect(screen.text).not.toContain('cannot be drawn');
    expect(await stty()).toBe(before);
  });

  it('Ctrl-C ends with exit 130 and leaves the terminal settings as they were', async () => {
    const before = await terminal.okpay([], {}, { shell: 'stty -g' });
    terminal.start(['agent', 'triage'], env(editor));
    await terminal.waitFor(/Ticket #1/);
    terminal.press('C-c');
    const screen = await terminal.finish();
    expect(screen.code).toBe(130);
    expect(screen.text).not.toContain('Queue');
    const after = await terminal.okpay([], {}, { shell: 'stty -g' });
    expect(after.text.trim()).toBe(before.text.trim());
  });

  it('without an editor writes a note in the console, answers from the FAQ, locks the customer and escalates', async () => {
    const noEditor = { ...desk.o.storeEnv(), OKPAY_NOW: desk.o.now, OKPAY_SESSION: session, OKPAY_BCRYPT_COST: '4' };
    terminal.start(['agent', 'triage'], noEditor);
    await terminal.waitFor(/Ticket #1: Withdrawal not received/);
    terminal.type('n');
    await terminal.waitFor(/Your note:[^]*Ctrl-D send/);
    terminal.type('Called the bank.');
    terminal.press('Enter');
    // Typed fast, the last line and its Ctrl-D reach okpay in one read: the Ctrl-D still sends.
    terminal.type('Waiting on them.\x04');
    await terminal.waitFor(/#1: note added\./);
    terminal.type('f');
    await terminal.waitFor(/Answer with \(number/);
    terminal.type('1');
    await terminal.waitFor(/#1: FAQ answer "[a-z0-9-]+" sent/);
    terminal.type('l');
    await terminal.waitFor(/Lock ada@example\.com: why\?/);
    terminal.type('fraud check');
    terminal.press('Enter');
    await terminal.waitFor(/#1: ada@example\.com is locked\./);
    // The FAQ answer is longer than the panel: it is cut at the bottom, the ticket's header stays on top.
    expect(await terminal.waitFor(/LOCKED \(agent\)/)).toMatch(/^Queue \d+ +Ticket #1: Withdrawal not received/m);
    terminal.type('e');
    await terminal.waitFor(/#1 is now at tier 2\./);
    terminal.type('q');
    expect((await terminal.finish()).code).toBe(0);

    const one = await ticket(1);
    expect(one.tier).toBe(2);
    expect(one.messages.filter((m) => m.visibility === 'internal').map((m) => m.body)).toContain('Called the bank.\nWaiting on them.');
    expect(one.messages.some((m) => m.faqId !== null)).toBe(true);
    const customer = expectOk(await desk.as(LIN, ['agent', 'user', 'show', ADA, '--json'])).json<{ user: { status: string } }>();
    expect(customer.user.status).toBe('locked');
  });
});
