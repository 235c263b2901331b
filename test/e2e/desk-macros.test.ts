// Saved replies through the real binary: `ticket reply N --macro NAME` in the ticket's language
// with the placeholders filled in, `agent macros`, and a broken macro file refused clearly.

import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, expectOk, mails, ticketOf } from '../support/desk-cli.js';
import { ADA, LIN, loadDeskFixture } from '../support/desk-fixture.js';
import { Okpay, runBin, type Run } from '../support/okpay.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('saved replies', () => {
  const o = new Okpay();
  const sessions = new Map<string, string>();
  const as = (email: string, args: readonly string[]): Promise<Run> => o.run(args, { env: { OKPAY_SESSION: sessions.get(email) ?? '' } });

  beforeAll(async () => {
    for (const [email, session] of await loadDeskFixture(o, [LIN, ADA])) sessions.set(email, session);
  });

  afterAll(() => o.cleanup());

  it('a reply from a macro goes out in the ticket’s language, placeholders filled, with the macro’s status', async () => {
    const ticket = ticketOf(expectOk(await as(LIN, ['ticket', 'reply', '2', '--macro', 'ask-for-details', '--json'])));
    expect(ticket.status).toBe('pending');
    const body = ticket.messages.at(-1)?.body ?? '';
    expect(body).toMatch(/^陈晨，您好：\n\n感谢您就“退款没有到账”联系我们。/);
    expect(body).not.toContain('{{');
    const mail = (await mails(o, 'chen@example.cn', 'ticket-reply')).pop();
    expect(mail?.language).toBe('zh');
    expect(mail?.text).toContain('交易编号');

    const english = ticketOf(expectOk(await as(LIN, ['ticket', 'reply', '1', '--macro', 'solved-thanks', '--status', 'open', '--json'])));
    expect(english.status).toBe('open');
    expect(english.messages.at(-1)?.body).toContain(`Hello ${ADA},`);
    expect(english.messages.at(-1)?.body).toContain('`okpay ticket rate 1 --score 1-5`');
  });

  it('agent macros lists them in a language; misuse is refused', async () => {
    const listed = expectOk(await as(LIN, ['agent', 'macros', '--language', 'de', '--json'])).json<{
      macros: { name: string; language: string; status: string; title: string }[];
    }>().macros;
    expect(listed.map((m) => m.name)).toEqual(['ask-for-details', 'payout-timing', 'refund-in-progress', 'identity-check', 'account-locked', 'solved-thanks']);
    expect(listed[0]).toMatchObject({ language: 'de', status: 'pending', title: 'Zahlungsdetails erfragen' });
    const human = expectOk(await as(LIN, ['agent', 'macros']));
    expect(human.stdout).toContain('Ask for the payment details');
    expectError(await as(LIN, ['ticket', 'reply', '2', '--macro', 'no-such-reply', '--json']), 5, 'MACRO_NOT_FOUND');
    expectError(await as(LIN, ['ticket', 'reply', '2', '--macro', 'payout-timing', '--body', 'x', '--json']), 2, 'USAGE');
    expectError(await as(ADA, ['ticket', 'reply', '1', '--macro', 'payout-timing', '--json']), 4, 'FORBIDDEN');
    expectError(await as(ADA, ['agent', 'macros', '--json']), 4, 'FORBIDDEN');
  });

  it('a broken macro file is refused with the file, the macro and what is wrong', async () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'okpay-package-'));
    try {
      for (const part of ['bin', 'dist', 'data', 'package.json']) cpSync(path.join(ROOT, part), path.join(copy, part), { recursive: true });
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
      const file = path.join(copy, 'data', 'macros', 'de.json');
      writeFileSync(file, readFileSync(file, 'utf8').replace('Hallo {{customer.name}}', 'Hallo {{kunde.name}}'));
      const run = await runBin(
        ['agent', 'macros', '--json'],
        { env: { ...o.storeEnv(), OKPAY_NOW: o.now, OKPAY_SESSION: sessions.get(LIN) ?? '' } },
        path.join(copy, 'bin', 'okpay.js'),
      );
      expect(run.code, run.stderr).toBe(2);
      expect(run.error().code).toBe('INVALID_FILE');
      expect(run.error().message).toMatch(
        /^data\/macros\/de\.json: macros\[0\]\.body uses unknown placeholders \{\{kunde\.name\}\}; known: \{\{customer\.name\}\}/,
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
