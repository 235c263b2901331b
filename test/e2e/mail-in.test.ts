// Issue 17, real mail in, through the real binary: `okpay ticket import` turns .eml files and a
// Maildir written here into tickets on the email channel and replies threaded by Message-ID or a
// [#N] subject tag; bounces and auto-replies are ignored, an unknown sender is held, the same
// Message-ID is imported once, and hostile mail is refused or neutralised with nothing half-written.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_FILE, DEMO_PASSWORD, DEMO_PEOPLE } from '../support/memory-desk.js';
import { Okpay, type Run } from '../support/okpay.js';

interface Row {
  file: string;
  messageId: string | null;
  outcome: string;
  ticket: number | null;
  detail: string | null;
  neutralised: string[];
}
interface TicketJson {
  number: number;
  customer: string;
  channel: string;
  language: string;
  category: string;
  subject: string;
  messages: { body: string; author: string }[];
}

const LENA = DEMO_PEOPLE.customer;
const BOB = DEMO_PEOPLE.otherCustomer;

let okpay: Okpay;
let agent: string;
let scratch: string;

function ok(run: Run): Run {
  expect(run.code, run.stderr).toBe(0);
  return run;
}

/** Writes a message with CRLF line ends; `headers` are written as given (hostile ones too). */
function eml(name: string, headers: readonly string[], body: string | Buffer): string {
  const file = path.join(scratch, name);
  writeFileSync(file, Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n\r\n`), Buffer.isBuffer(body) ? body : Buffer.from(body.replace(/\n/g, '\r\n'))]));
  return file;
}

async function importing(args: readonly string[], session = agent): Promise<Run> {
  return okpay.run(['ticket', 'import', ...args, '--json'], { env: { OKPAY_SESSION: session } });
}

function rows(run: Run): Row[] {
  return run.json<{ mails: Row[] }>().mails;
}

async function ticket(number: number): Promise<TicketJson> {
  return ok(await okpay.run(['ticket', 'show', String(number), '--json'], { env: { OKPAY_SESSION: agent } })).json<{ ticket: TicketJson }>().ticket;
}

async function ticketCount(): Promise<number> {
  return ok(await okpay.run(['ticket', 'list', '--limit', '500', '--json'], { env: { OKPAY_SESSION: agent } })).json<{ tickets: unknown[] }>().tickets.length;
}

beforeAll(async () => {
  okpay = new Okpay();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'okpay-mail-in-'));
  ok(await okpay.run(['fixtures', 'load', DEMO_FILE]));
  agent = ok(await okpay.run(['login', '--email', DEMO_PEOPLE.agent1, '--password-stdin', '--raw'], { stdin: `${DEMO_PASSWORD}\n` })).stdout.trim();
});

afterAll(() => okpay.cleanup());

describe('okpay ticket import', () => {
  it('a maildir: new tickets, replies threaded by Message-ID and by [#N], bounces and auto-replies ignored, a stranger held; imported once', async () => {
    const maildir = path.join(scratch, 'Maildir');
    for (const sub of ['new', 'cur', 'tmp']) mkdirSync(path.join(maildir, sub), { recursive: true });
    const put = (sub: string, name: string, headers: string[], body: string) =>
      writeFileSync(path.join(maildir, sub, name), `${headers.join('\r\n')}\r\n\r\n${body.replace(/\n/g, '\r\n')}`);
    put(
      'cur',
      '1001.a',
      [`From: Lena <${LENA}>`, 'Subject: Meine Auszahlung ist nicht da', 'Message-ID: <first@example.de>'],
      'Hallo, meine Auszahlung von 50 EUR ist seit drei Tagen nicht auf dem Konto. Bitte helfen Sie mir.',
    );
    put(
      'new',
      '1002.b',
      [`From: ${LENA}`, 'Subject: Re: Meine Auszahlung ist nicht da', 'Message-ID: <second@example.de>', 'In-Reply-To: <first@example.de>'],
      'Nachtrag: die Bank ist DE89.',
    );
    put(
      'new',
      '1003.c',
      [`From: ${BOB}`, 'Subject: Password help', 'Message-ID: <bob-1@example.com>', 'Content-Type: text/html; charset=utf-8'],
      '<p>I forgot my <b>password</b> and cannot log in.</p><script>alert(1)</script>',
    );
    put(
      'new',
      '1004.d',
      [
        'From: MAILER-DAEMON@mx.example.com',
        'Subject: Undelivered Mail',
        'Message-ID: <bounce-1@mx>',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      ],
      '--b\nContent-Type: text/plain\n\nThe mail could not be delivered.\n--b--\n',
    );
    put(
      'new',
      '1005.e',
      [`From: ${LENA}`, 'Subject: Abwesenheit', 'Message-ID: <ooo-1@example.de>', 'Auto-Submitted: auto-replied'],
      'Ich bin bis Montag nicht im Büro.',
    );
    put('new', '1006.f', [`From: ${LENA}`, 'Subject: Newsletter', 'Message-ID: <list-1@example.de>', 'Precedence: bulk'], 'News.');
    put('new', '1007.g', ['From: stranger@nowhere.example', 'Subject: Hello', 'Message-ID: <stranger-1@nowhere>'], 'Can you help me?');
    put('tmp', '1008.h', [`From: ${LENA}`, 'Subject: half written', 'Message-ID: <tmp-1@example.de>'], 'still being delivered');
    const before = await ticketCount();

    const run = await importing(['--maildir', maildir]);
    expect(run.code).toBe(2);
    expect(run.error()).toMatchObject({ code: 'MAIL_NOT_IMPORTED', exitCode: 2 });
    const byId = Object.fromEntries(rows(run).map((row) => [row.messageId, row]));
    expect(Object.keys(byId).sort()).toEqual([
      'bob-1@example.com',
      'bounce-1@mx',
      'first@example.de',
      'list-1@example.de',
      'ooo-1@example.de',
      'second@example.de',
      'stranger-1@nowhere',
    ]);
    expect(byId['first@example.de']).toMatchObject({ outcome: 'opened' });
    const lenaTicket = byId['first@example.de']?.ticket ?? 0;
    expect(byId['second@example.de']).toMatchObject({ outcome: 'replied', ticket: lenaTicket, detail: 'threaded by message-id' });
    expect(byId['bounce-1@mx']).toMatchObject({ outcome: 'ignored', ticket: null });
    expect(byId['ooo-1@example.de']?.detail).toMatch(/Auto-Submitted: auto-replied/);
    expect(byId['list-1@example.de']?.detail).toMatch(/Precedence: bulk/);
    expect(byId['stranger-1@nowhere']).toMatchObject({ outcome: 'held', detail: 'no customer account has the address stranger@nowhere.example' });
    expect(await ticketCount()).toBe(before + 2);

    const lena = await ticket(lenaTicket);
    expect(lena).toMatchObject({ customer: LENA, channel: 'email', language: 'de', category: 'funds', subject: 'Meine Auszahlung ist nicht da' });
    expect(lena.messages.map((m) => m.body)).toEqual([
      'Hallo, meine Auszahlung von 50 EUR ist seit drei Tagen nicht auf dem Konto. Bitte helfen Sie mir.',
      'Nachtrag: die Bank ist DE89.',
    ]);
    const bob = await ticket(byId['bob-1@example.com']?.ticket ?? 0);
    expect(bob).toMatchObject({ customer: BOB, language: 'en', category: 'account' });
    expect(bob.messages[0]?.body).toBe('I forgot my password and cannot log in.');

    // A reply by its subject tag alone; then the whole maildir again changes nothing.
    const tagged = eml(
      'tagged.eml',
      [`From: ${LENA}`, `Subject: AW: [OKPay #${lenaTicket}] Neue Antwort`, 'Message-ID: <third@example.de>'],
      'Danke, es ist angekommen.',
    );
    expect(rows(ok(await importing([tagged])))).toMatchObject([{ outcome: 'replied', ticket: lenaTicket, detail: 'threaded by subject-tag' }]);
    const again = await importing(['--maildir', maildir, tagged]);
    expect(again.code).toBe(2);
    expect(rows(again).filter((row) => row.outcome === 'already-imported')).toHaveLength(4);
    expect(await ticketCount()).toBe(before + 2);
    expect((await ticket(lenaTicket)).messages).toHaveLength(3);
    const outbox = ok(await okpay.run(['outbox', 'list', '--to', LENA, '--limit', '500', '--json'])).json<{ mails: { kind: string; subject: string }[] }>();
    expect(outbox.mails.filter((m) => m.kind === 'ticket-received' && m.subject.includes(`#${lenaTicket}]`))).toHaveLength(1);

    // The agent's answer threads in Lena's mail client: In-Reply-To and References name her mails.
    ok(await okpay.run(['ticket', 'reply', String(lenaTicket), '--body', 'Die Auszahlung ist unterwegs.'], { env: { OKPAY_SESSION: agent } }));
    const replies = ok(await okpay.run(['outbox', 'list', '--to', LENA, '--kind', 'ticket-reply', '--limit', '500', '--json'])).json<{
      mails: { id: string }[];
    }>();
    const answer = replies.mails[replies.mails.length - 1]?.id ?? '';
    const shown = ok(await okpay.run(['outbox', 'show', answer, '--json'])).json<{ mail: { inReplyTo: string[] } }>();
    expect(shown.mail.inReplyTo).toEqual(['first@example.de', 'second@example.de', 'third@example.de']);
    const raw = ok(await okpay.run(['outbox', 'show', answer, '--raw'])).stdout;
    expect(raw).toContain('\r\nIn-Reply-To: <third@example.de>\r\nReferences: <first@example.de> <second@example.de> <third@example.de>\r\n');
    expect(raw).toContain(`\r\nMessage-ID: <${answer}@okpay.example>\r\n`);

    // Her client answers that mail: it threads by References, with no tag in the subject.
    const answered = eml(
      'answered.eml',
      [
        `From: ${LENA}`,
        'Subject: Re: Danke',
        'Message-ID: <fourth@example.de>',
        `In-Reply-To: <${answer}@okpay.example>`,
        `References: <first@example.de> <${answer}@okpay.example>`,
      ],
      'Super, danke!',
    );
    expect(rows(ok(await importing([answered])))).toMatchObject([{ outcome: 'replied', ticket: lenaTicket, detail: 'threaded by message-id' }]);
  });

  it('hostile mail is refused or neutralised, with a line each and nothing half-written', async () => {
    const before = await ticketCount();
    const injected = eml(
      'injected.eml',
      [`From: ${BOB}`, `Subject: =?UTF-8?B?${Buffer.from('Refund\r\nBcc: all@example.com').toString('base64')}?=`, 'Message-ID: <inject-1@example.com>'],
      'Please refund\u0007 my payment\u202e now.',
    );
    const noId = eml('no-id.eml', [`From: ${BOB}`, 'Subject: no id'], 'hello');
    const twoSenders = eml('two-senders.eml', [`From: ${BOB}, ${LENA}`, 'Subject: two', 'Message-ID: <two-1@example.com>'], 'hello');
    const badId = eml('bad-id.eml', [`From: ${BOB}`, 'Subject: id', `Message-ID: <${'x'.repeat(300)}@example.com>`], 'hello');
    const garbage = eml('garbage.eml', ['\u0000\u0001\u0002 not a header'], Buffer.from([0, 255, 1, 254, 2, 253]));
    const huge = path.join(scratch, 'huge.eml');
    writeFileSync(huge, `From: ${BOB}\r\nSubject: huge\r\nMessage-ID: <huge-1@example.com>\r\n\r\n${'a'.repeat(10 * 1024 * 1024 + 1)}`);
    const attached = eml(
      'attached.eml',
      [`From: ${BOB}`, 'Subject: Invoice', 'Message-ID: <attach-1@example.com>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="m"'],
      [
        '--m',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'My invoice is attached.',
        '--m',
        'Content-Type: application/pdf; name="invoice\u202e.pdf"',
        'Content-Disposition: attachment; filename="invoice.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.alloc(2048, 7).toString('base64'),
        '--m--',
        '',
      ].join('\n'),
    );
    // A forged reference to Lena's ticket: Bob's mail never lands in it.
    const forged = eml(
      'forged.eml',
      [`From: ${BOB}`, 'Subject: [#1] Re: yours', 'Message-ID: <forged-1@example.com>', 'In-Reply-To: <first@example.de>'],
      'Let me in.',
    );

    const run = await importing([injected, noId, twoSenders, badId, garbage, huge, scratch, path.join(scratch, 'missing.eml'), attached, forged]);
    expect(run.code).toBe(2);
    const result = rows(run);
    expect(result.map((row) => row.outcome)).toEqual([
      'opened',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'refused',
      'opened',
      'opened',
    ]);
    expect(result[1]?.detail).toMatch(/no usable Message-ID/);
    expect(result[2]?.detail).toMatch(/more than one sender/);
    expect(result[3]?.detail).toMatch(/no usable Message-ID/);
    expect(result[4]?.detail).toMatch(/no usable Message-ID|not a mail message/);
    expect(result[5]?.detail).toMatch(/larger than 10 MiB .* it was not read/);
    expect(result[6]?.detail).toBe('it is not a regular file');
    expect(result[7]?.detail).toMatch(/cannot be read \(ENOENT\)/);
    expect(await ticketCount()).toBe(before + 3);

    const injectedTicket = await ticket(result[0]?.ticket ?? 0);
    expect(injectedTicket.subject).toBe('Refund Bcc: all@example.com');
    expect(injectedTicket.messages[0]?.body).toBe('Please refund my payment now.');
    expect(result[0]?.neutralised).toEqual([
      'line breaks or control characters removed from the subject',
      'control or invisible characters removed from the text',
    ]);
    const attachedTicket = await ticket(result[8]?.ticket ?? 0);
    expect(attachedTicket.messages[0]?.body).toBe(
      'My invoice is attached.\n\n[Attachments, not opened or kept by okpay:]\n- invoice.pdf (application/pdf, 2 KB)',
    );
    const forgedTicket = await ticket(result[9]?.ticket ?? 0);
    expect(forgedTicket.customer).toBe(BOB);
    expect((await ticket(1)).messages.some((m) => m.body === 'Let me in.')).toBe(false);
  });

  it('is for agents and admins: a customer is refused, no session is refused, and files or --maildir are needed', async () => {
    const file = eml('any.eml', [`From: ${BOB}`, 'Subject: any', 'Message-ID: <any-1@example.com>'], 'hello');
    const customer = ok(await okpay.run(['login', '--email', 'chen.li@example.cn', '--password-stdin', '--raw'], { stdin: `${DEMO_PASSWORD}\n` }));
    const refused = await importing([file], customer.stdout.trim());
    expect(refused.code, refused.stderr).toBe(4);
    expect(refused.error().code).toBe('FORBIDDEN');
    const anonymous = await okpay.run(['ticket', 'import', file, '--json'], { env: { OKPAY_SESSION: undefined } });
    expect(anonymous.code).toBe(3);
    const neither = await importing([]);
    expect(neither.code).toBe(2);
    expect(neither.error().code).toBe('USAGE');
    const notMaildir = await importing(['--maildir', file]);
    expect(notMaildir.code).toBe(2);
    expect(notMaildir.error().message).toMatch(/is not a Maildir/);
    expect(rows(ok(await importing([file])))).toMatchObject([{ outcome: 'opened' }]);
  });
});
