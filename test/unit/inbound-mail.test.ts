// The rules of mail coming in (domain/inbound-mail.ts), in-process: what is ignored, refused or
// accepted, what is neutralised, which Message-IDs thread a mail, and the guesses it gets.

import { describe, expect, it } from 'vitest';
import { guessCategory, judgeMail, messageIdOf, type ParsedInboundMail } from '../../src/domain/inbound-mail.js';
import { formatEml, parseEml, usableThreadIds, type MailRecord } from '../../src/domain/mail.js';

function mail(overrides: Partial<ParsedInboundMail> = {}, headers: Record<string, string> = {}): ParsedInboundMail {
  return {
    headerLines: Object.entries(headers).map(([key, value]) => ({ key: key.toLowerCase(), line: `${key}: ${value}` })),
    messageId: '<m1@example.com>',
    inReplyTo: null,
    references: [],
    from: ['Ada@Example.com'],
    subject: 'Where is my money?',
    contentType: 'text/plain; charset=utf-8',
    text: 'I sent 20 USD yesterday and it has not arrived.',
    attachments: [],
    ...overrides,
  };
}

function accepted(parsed: ParsedInboundMail) {
  const verdict = judgeMail(parsed);
  if (verdict.outcome !== 'accepted') throw new Error(`not accepted: ${verdict.reason}`);
  return verdict.mail;
}

describe('judging a mail that comes in', () => {
  it('accepts a person’s mail: sender lower-cased, reply prefixes dropped from the subject, language and category guessed', () => {
    const got = accepted(mail({ subject: 'Re: AW: Where is my money?' }));
    expect(got).toMatchObject({ messageId: 'm1@example.com', from: 'ada@example.com', subject: 'Where is my money?', language: 'en', ticketTag: null });
    expect(accepted(mail({ subject: '提现什么时候到账', text: '我的提现还没有到账。' }))).toMatchObject({ language: 'zh', category: 'funds' });
    expect(accepted(mail({ subject: '', text: 'hello' })).subject).toBe('(no subject)');
  });

  it('drops Chinese reply and forward prefixes too, with an ASCII or a full-width colon', () => {
    expect(accepted(mail({ subject: '回复：答复: 退款没有到账', text: '我的退款还没有到账。' })).subject).toBe('退款没有到账');
    expect(accepted(mail({ subject: '转发：退款没有到账', text: '我的退款还没有到账。' })).subject).toBe('退款没有到账');
  });

  it('ignores bounces, automatic answers and bulk mail, but not Auto-Submitted: no', () => {
    expect(judgeMail(mail({ contentType: 'multipart/report; report-type=delivery-status' }))).toMatchObject({
      outcome: 'ignored',
      reason: 'a delivery report (bounce)',
    });
    expect(judgeMail(mail({}, { 'Auto-Submitted': 'auto-replied' }))).toMatchObject({ outcome: 'ignored' });
    expect(judgeMail(mail({}, { Precedence: 'junk' }))).toMatchObject({ outcome: 'ignored' });
    expect(judgeMail(mail({ from: ['MAILER-DAEMON@mx.example.com'] }))).toMatchObject({ outcome: 'ignored' });
    expect(judgeMail(mail({}, { 'Auto-Submitted': 'no' })).outcome).toBe('accepted');
    expect(judgeMail(mail({}, { Precedence: 'first-class' })).outcome).toBe('accepted');
  });

  it('refuses a mail without a usable Message-ID, with no sender, several senders or a bad address, or with no text', () => {
    expect(judgeMail(mail({ messageId: null }))).toMatchObject({ outcome: 'refused', reason: expect.stringMatching(/no usable Message-ID/) as string });
    expect(judgeMail(mail({ messageId: '<two words@x>' })).outcome).toBe('refused');
    expect(judgeMail(mail({ messageId: `<${'a'.repeat(251)}>` })).outcome).toBe('refused');
    expect(judgeMail(mail({ from: [] }))).toMatchObject({ reason: 'it has no sender address (From)' });
    expect(judgeMail(mail({ from: ['a@example.com', 'b@example.com'] }))).toMatchObject({ reason: 'it names more than one sender (From)' });
    expect(judgeMail(mail({ from: ['not an address'] }))).toMatchObject({ reason: 'its sender (From) is not a valid email address' });
    expect(judgeMail(mail({ text: ' \n\u0000\u200f ' }))).toMatchObject({ reason: 'it has no text (nothing in a text or HTML part)' });
  });

  it('neutralises header injection, control and direction characters, and cuts what is too long', () => {
    const got = accepted(mail({ subject: 'Help\r\nBcc: everyone@example.com\u0000', text: `a\u0007b\u202ec\r\nnext line\u0085\n${'x'.repeat(6000)}` }));
    expect(got.subject).toBe('Help Bcc: everyone@example.com');
    expect(got.body.startsWith('abc\nnext line\n')).toBe(true);
    expect([...got.body]).toHaveLength(5000);
    expect(got.neutralised).toEqual([
      'line breaks or control characters removed from the subject',
      'control or invisible characters removed from the text',
      'text cut to 5000 characters',
    ]);
  });

  it('lists attachments by name, type and size, marks those over the cap, and never lists more than 20', () => {
    const attachments = [
      { filename: 'receipt\u202e.pdf', contentType: 'application/pdf', sizeBytes: 2048 },
      { filename: null, contentType: 'bad type"', sizeBytes: 6 * 1024 * 1024 },
      ...Array.from({ length: 25 }, (_, i) => ({ filename: `p${i}.png`, contentType: 'image/png', sizeBytes: 10 })),
    ];
    const got = accepted(mail({ attachments }));
    expect(got.attachments).toHaveLength(20);
    expect(got.attachments[0]).toEqual({ name: 'receipt.pdf', contentType: 'application/pdf', sizeBytes: 2048, tooLarge: false });
    expect(got.attachments[1]).toEqual({ name: 'unnamed', contentType: 'application/octet-stream', sizeBytes: 6 * 1024 * 1024, tooLarge: true });
    expect(got.body).toContain(
      '\n\n[Attachments, not opened or kept by okpay:]\n- receipt.pdf (application/pdf, 2 KB)\n- unnamed (application/octet-stream, 6.0 MB) — over the 5.0 MB cap',
    );
    expect(got.neutralised).toContain('only the first 20 of 27 attachments listed');
  });

  it('threads by In-Reply-To, then References newest first, without repeats; and by a [#N] or [OKPay #N] tag', () => {
    const got = accepted(mail({ inReplyTo: '<c@x>', references: ['<a@x>', '<b@x>', '<c@x>', 'junk with spaces'] }));
    expect(got.threadIds).toEqual(['c@x', 'b@x', 'a@x']);
    expect(accepted(mail({ subject: 'Re: [OKPay #42] New answer' })).ticketTag).toBe(42);
    expect(accepted(mail({ subject: '[#7] still waiting' })).ticketTag).toBe(7);
    expect(accepted(mail({ subject: '#7 no brackets' })).ticketTag).toBeNull();
  });

  it('reads a Message-ID with or without its brackets, and refuses one with spaces, brackets inside or non-ASCII', () => {
    expect(messageIdOf(' <abc@x.example> ')).toBe('abc@x.example');
    expect(messageIdOf('abc@x.example')).toBe('abc@x.example');
    expect(messageIdOf('<a<b@x>')).toBeNull();
    expect(messageIdOf('<ä@x>')).toBeNull();
    expect(messageIdOf('')).toBeNull();
  });

  it('guesses a category in each language, a dispute first, technical when nothing points anywhere', () => {
    expect(guessCategory('I want a refund for this withdrawal')).toBe('dispute');
    expect(guessCategory('Mi cuenta está bloqueada y olvidé la contraseña')).toBe('account');
    expect(guessCategory('Vérification de mon identité, passeport envoyé')).toBe('identity');
    expect(guessCategory('Meine Überweisung ist nicht da')).toBe('funds');
    expect(guessCategory('建议增加一个功能')).toBe('feedback');
    expect(guessCategory('The app crashes on start')).toBe('technical');
  });

  it('okpay’s answer names the customer’s mails: In-Reply-To the last, References the last three, read back alike', () => {
    const ids = ['a@x', 'b@x', 'bad id', `${'c'.repeat(251)}@x`, 'c@x', 'd@x'];
    expect(usableThreadIds(ids)).toEqual(['b@x', 'c@x', 'd@x']);
    const mail: MailRecord = {
      id: 'msg_000009',
      date: '2026-11-23T10:00:00.000Z',
      to: 'ada@example.com',
      userId: null,
      kind: 'ticket-reply',
      language: 'en',
      subject: 'S',
      text: 'T',
      antiPhishingPhrase: null,
      inReplyTo: usableThreadIds(ids),
    };
    const eml = formatEml(mail);
    expect(eml).toContain('\r\nMessage-ID: <msg_000009@okpay.example>\r\nIn-Reply-To: <d@x>\r\nReferences: <b@x> <c@x> <d@x>\r\n');
    expect(parseEml(eml)).toEqual(mail);
    const unthreaded = { ...mail, inReplyTo: undefined };
    delete unthreaded.inReplyTo;
    expect(formatEml(unthreaded)).not.toContain('In-Reply-To');
    expect(parseEml(formatEml(unthreaded))).toEqual(unthreaded);
  });
});
