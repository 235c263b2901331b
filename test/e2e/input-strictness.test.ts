// Input that okpay used to take in a lenient reading, through the real binary: bytes that are not
// UTF-8 on standard input and in files (they became U+FFFD, so a password with one broken byte
// signed in with any other), and an option given twice (the last value silently won, on a
// payment too). Both are refused with exit 2 before anything is read from or written to the store.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectError, expectOk, mails, PASSWORD, signUp } from '../support/accounts.js';
import { Okpay } from '../support/okpay.js';

/** A scenario with a data directory of its own and a directory for the files it writes. */
function scenario(name: string, body: (o: Okpay, dir: string) => Promise<void>): void {
  it.concurrent(name, async () => {
    const o = new Okpay();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'okpay-input-'));
    try {
      await body(o, dir);
    } finally {
      o.cleanup();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('text that is not UTF-8', () => {
  scenario('a password with a broken byte is refused at register and at login, and signs nobody in', async (o) => {
    const register = await o.run(['register', '--email', 'ada@example.com', '--password-stdin', '--accept-terms', '--json'], {
      stdin: bytes('Good-pass-2026', [0xff], '\n'),
    });
    expect(expectError(register, 2, 'INVALID_TEXT').error().message).toBe('standard input is not valid UTF-8 text');
    expect(await mails(o, 'ada@example.com')).toEqual([]);
    const bea = await signUp(o, 'bea@example.com');
    for (const broken of [[0xc0], [0xff], [0xed, 0xa0, 0x80]]) {
      const login = await o.run(['login', '--email', bea.email, '--password-stdin', '--json'], { stdin: bytes(PASSWORD, broken, '\n') });
      expectError(login, 2, 'INVALID_TEXT');
    }
    // Not a wrong password either: nothing was counted, so five wrong ones are still needed to lock.
    for (let i = 0; i < 4; i += 1)
      expectError(await o.run(['login', '--email', bea.email, '--password-stdin', '--json'], { stdin: 'Wrong-pass-1!\n' }), 3, 'BAD_CREDENTIALS');
    expectOk(await o.run(['login', '--email', bea.email, '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n` }));
  });

  scenario('a message body, a batch file and a fixture file that are not UTF-8 are refused, naming the file; nothing changes', async (o, dir) => {
    const ada = await signUp(o, 'ada@example.com');
    await signUp(o, 'bea@example.com');
    await ada.ok(['deposit', '--amount', '50', '--currency', 'USD']);
    const latin1 = path.join(dir, 'note.txt');
    writeFileSync(latin1, bytes('Le caf', [0xe9], ' est froid.\n'));
    const fromFile = await ada.run(['ticket', 'new', '--category', 'technical', '--subject', 'Encoding', '--body-file', latin1, '--json']);
    expect(expectError(fromFile, 2, 'INVALID_FILE').error().message).toBe(`${latin1} is not valid UTF-8 text`);
    const fromStdin = await ada.run(['ticket', 'new', '--category', 'technical', '--subject', 'Encoding', '--body-file', '-', '--json'], {
      stdin: bytes('Le caf', [0xe9], '\n'),
    });
    expectError(fromStdin, 2, 'INVALID_TEXT');
    const utf8 = path.join(dir, 'note-utf8.txt');
    writeFileSync(utf8, 'Le café est froid.\n');
    const opened = await ada.json<{ ticket: { number: number; messages: { body: string }[] } }>([
      'ticket',
      'new',
      '--category',
      'technical',
      '--subject',
      'Encoding',
      '--body-file',
      utf8,
    ]);
    expect(opened.ticket.messages[0]?.body).toBe('Le café est froid.');

    const batch = path.join(dir, 'pay.csv');
    writeFileSync(batch, bytes('to,amount,currency,reference,memo\nbea@example.com,5.00,USD,row-1,caf', [0xe9], '\n'));
    expectError(await ada.run(['transfer', '--batch', batch, '--yes', '--json']), 2, 'INVALID_FILE');
    expect(await ada.balance('USD')).toEqual({ available: '50.00', held: '0.00' });

    const fixture = path.join(dir, 'people.json');
    writeFileSync(fixture, bytes('{"users":[{"name":"cy","email":"cy@example.com","password":"Good-pass-2026', [0xff], '"}]}'));
    expectError(await o.run(['fixtures', 'load', fixture, '--json']), 2, 'INVALID_FILE');
    expectError(await o.run(['login', '--email', 'cy@example.com', '--password-stdin', '--json'], { stdin: 'Good-pass-2026\uFFFD\n' }), 3, 'BAD_CREDENTIALS');
  });
});

describe('an option given twice', () => {
  scenario('with different values is refused (exit 2) and moves no money; the same value twice is taken', async (o) => {
    const ada = await signUp(o, 'ada@example.com');
    await signUp(o, 'bea@example.com');
    await signUp(o, 'cy@example.com');
    await ada.ok(['deposit', '--amount', '100', '--currency', 'USD']);
    const pay = (args: string[]) => ada.run(['transfer', ...args, '--currency', 'USD', '--yes', '--json']);
    for (const args of [
      ['--to', 'bea@example.com', '--to', 'cy@example.com', '--amount', '5', '--amount', '50'],
      ['--to', 'bea@example.com', '--amount=5', '--amount', '50'],
      ['--to', 'bea@example.com', '--to=cy@example.com', '--amount', '5'],
    ]) {
      const refused = expectError(await pay(args), 2, 'USAGE').error();
      expect(refused.message, args.join(' ')).toMatch(/^--(to|amount) is given twice with different values; give it once$/);
      expect(refused.hint).toBe('see `okpay transfer --help`');
    }
    expect(await ada.balance('USD')).toEqual({ available: '100.00', held: '0.00' });
    // Every command, every value option: a list's --limit, a global option after the command.
    expectError(await ada.run(['history', '--limit', '1', '--limit', '2', '--json']), 2, 'USAGE');
    expectError(await ada.run(['balance', '--jq', '.balances', '--jq', '.', '--json']), 2, 'USAGE');
    // The same value twice, and a flag twice, are no contradiction.
    const paid = await ada.json<{ transaction: { amount: string; to: string } }>([
      'transfer',
      '--to',
      'bea@example.com',
      '--to',
      'bea@example.com',
      '--amount',
      '5',
      '--currency',
      'USD',
      '--yes',
      '-y',
    ]);
    expect(paid.transaction).toMatchObject({ amount: '5.00', to: 'bea@example.com' });
  });
});
