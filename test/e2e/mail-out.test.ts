// Issue 17, real mail out, through the real binary and a real SMTP server started here on
// 127.0.0.1: with OKPAY_SMTP_URL set every mail is also delivered after the commit that made it
// (byte for byte the outbox's .eml), its delivery is kept beside it (queued, sent with the
// server's answer, failed with attempts and the last error), `outbox send` retries with a delay
// that doubles, and a server that is down, hung or refusing never changes how the command ends.

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Okpay, type Run } from '../support/okpay.js';
import { closedPort, SMTP_PASSWORD, SMTP_USER, startSilentServer, startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

const PASSWORD = 'Harbour-lights-42!';
const MINUTE_MS = 60_000;

interface DeliveryView {
  status: string;
  attempts: number;
  response: string | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
}
interface MailRow {
  id: string;
  to: string;
  kind: string;
  subject: string;
  delivery: DeliveryView | null;
}

function ok(run: Run): Run {
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
  return run;
}

const servers: { close(): Promise<void> }[] = [];
const homes: Okpay[] = [];

function store(): Okpay {
  const okpay = new Okpay();
  homes.push(okpay);
  return okpay;
}

async function server(options: { secure?: boolean; port?: number } = {}): Promise<TestSmtpServer> {
  const started = await startSmtpServer(options);
  servers.push(started);
  return started;
}

async function register(okpay: Okpay, email: string, env: Record<string, string>, extra: string[] = []): Promise<Run> {
  return okpay.run(['register', '--email', email, '--password-stdin', '--accept-terms', '--json', ...extra], { stdin: `${PASSWORD}\n`, env });
}

async function mails(okpay: Okpay): Promise<MailRow[]> {
  return ok(await okpay.run(['outbox', 'list', '--json'])).json<{ mails: MailRow[] }>().mails;
}

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
afterAll(() => {
  for (const okpay of homes) okpay.cleanup();
});

describe('OKPAY_SMTP_URL delivers every mail after its commit', () => {
  it('sends the stored .eml as it is, with the envelope of the mail, and keeps the server’s answer', async () => {
    const smtp = await server();
    const okpay = store();
    const made = ok(await register(okpay, 'ada@example.com', { OKPAY_SMTP_URL: smtp.url }));
    expect(made.stderr).not.toMatch(/warning/);
    expect(smtp.received).toHaveLength(1);
    const [got] = smtp.received;
    expect(got?.from).toBe('no-reply@okpay.example');
    expect(got?.to).toEqual(['ada@example.com']);
    expect(got?.parsed.messageId).toBe('<msg_000001@okpay.example>');
    expect(got?.parsed.text).toMatch(/\bact_[A-Za-z0-9_-]+/);
    const stored = ok(await okpay.run(['outbox', 'show', 'msg_000001', '--raw'])).stdout;
    // Only a mail's own id names it: another spelling of the number names no mail (the store is not damaged).
    for (const other of ['msg_1', 'msg_0000001', 'msg_000000']) {
      const unknown = await okpay.run(['outbox', 'show', other, '--json']);
      expect(unknown.code, other).toBe(5);
      expect(unknown.error().code).toBe('MAIL_NOT_FOUND');
    }
    expect(got?.raw.replace(/\r\n$/, '')).toBe(stored.replace(/\r?\n$/, '').replace(/\r?\n/g, '\r\n'));
    expect(got?.parsed.subject).toBe((await mails(okpay))[0]?.subject);
    const [row] = await mails(okpay);
    expect(row?.delivery).toMatchObject({ status: 'sent', attempts: 1, lastError: null, nextAttemptAt: null, sentAt: okpay.now });
    expect(row?.delivery?.response).toMatch(/^250 .*queued as T1/);
    ok(await okpay.run(['verify']));
  });

  it('over smtps:// with a user and password too; a mail to a phone number (a text message) is never sent by mail', async () => {
    const smtp = await server({ secure: true });
    const okpay = store();
    ok(await register(okpay, 'bea@example.com', { OKPAY_SMTP_URL: smtp.url }, ['--phone', '+14155550177']));
    expect(smtp.received.map((r) => r.to)).toEqual([['bea@example.com']]);
    const rows = await mails(okpay);
    expect(Object.fromEntries(rows.map((r) => [r.kind, r.delivery?.status ?? null]))).toEqual({ 'text-message': null, activation: 'sent' });
  });

  it('mail made without a server configured stays in the outbox only: `outbox send` never sends it later', async () => {
    const okpay = store();
    ok(await register(okpay, 'cy@example.com', {}));
    expect((await mails(okpay))[0]?.delivery).toBeNull();
    const smtp = await server();
    const sent = ok(await okpay.run(['outbox', 'send', '--json'], { env: { OKPAY_SMTP_URL: smtp.url } })).json<{ results: unknown[] }>();
    expect(sent.results).toEqual([]);
    expect(smtp.received).toHaveLength(0);
    const named = ok(await okpay.run(['outbox', 'send', 'msg_000001', '--json'], { env: { OKPAY_SMTP_URL: smtp.url } })).json<{ notWaiting: string[] }>();
    expect(named.notWaiting).toEqual(['msg_000001']);
    expect(smtp.received).toHaveLength(0);
  });
});

describe('a mail server that is down, hung or refusing never fails the command', () => {
  it('down: the command succeeds, the mail is failed with the error; `outbox send` waits for the retry time, then sends', async () => {
    const port = await closedPort();
    const okpay = store();
    const url = `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`;
    const made = await register(okpay, 'dan@example.com', { OKPAY_SMTP_URL: url });
    expect(made.code).toBe(0);
    expect(made.json<{ user: { email: string } }>().user.email).toBe('dan@example.com');
    expect(made.stderr).toMatch(/warning: mail msg_000001 to dan@example.com is not delivered yet \(.*ECONNREFUSED.*\); `okpay outbox send` tries again/);
    expect(made.stderr).not.toContain(SMTP_PASSWORD);
    const [failed] = await mails(okpay);
    expect(failed?.delivery).toMatchObject({ status: 'failed', attempts: 1, nextAttemptAt: new Date(Date.parse(okpay.now) + MINUTE_MS).toISOString() });
    expect(failed?.delivery?.lastError).toMatch(/ECONNREFUSED/);

    const smtp = await server({ port });
    const early = ok(await okpay.run(['outbox', 'send', '--json'], { env: { OKPAY_SMTP_URL: smtp.url } })).json<{ results: unknown[]; server: string }>();
    expect(early.results).toEqual([]);
    expect(early.server).toBe(`smtp://${SMTP_USER}:***@127.0.0.1:${port}`);
    expect(smtp.received).toHaveLength(0);

    okpay.advance(MINUTE_MS);
    const later = ok(await okpay.run(['outbox', 'send', '--json'], { env: { OKPAY_SMTP_URL: smtp.url } })).json<{
      sent: number;
      failed: number;
      results: { id: string; outcome: string }[];
    }>();
    expect(later).toMatchObject({ sent: 1, failed: 0, results: [{ id: 'msg_000001', outcome: 'sent' }] });
    expect(smtp.received.map((r) => r.parsed.messageId)).toEqual(['<msg_000001@okpay.example>']);
    expect((await mails(okpay))[0]?.delivery).toMatchObject({ status: 'sent', attempts: 2 });
    const again = ok(await okpay.run(['outbox', 'send', 'msg_000001', '--json'], { env: { OKPAY_SMTP_URL: smtp.url } })).json<{ notWaiting: string[] }>();
    expect(again.notWaiting).toEqual(['msg_000001']);
    expect(smtp.received).toHaveLength(1);
    ok(await okpay.run(['verify']));
  });

  it('each failure waits twice as long; a mail named on the command line is tried at once', async () => {
    const port = await closedPort();
    const okpay = store();
    const env = { OKPAY_SMTP_URL: `smtp://127.0.0.1:${port}` };
    ok(await register(okpay, 'eve@example.com', env));
    okpay.advance(MINUTE_MS);
    ok(await okpay.run(['outbox', 'send'], { env }));
    const second = (await mails(okpay))[0]?.delivery;
    expect(second).toMatchObject({ status: 'failed', attempts: 2, nextAttemptAt: new Date(Date.parse(okpay.now) + 2 * MINUTE_MS).toISOString() });
    const named = ok(await okpay.run(['outbox', 'send', 'msg_000001', '--json'], { env })).json<{ failed: number }>();
    expect(named.failed).toBe(1);
    expect((await mails(okpay))[0]?.delivery).toMatchObject({
      status: 'failed',
      attempts: 3,
      nextAttemptAt: new Date(Date.parse(okpay.now) + 4 * MINUTE_MS).toISOString(),
    });
  });

  it('hung: a server that never answers costs at most the timeout, and the command still succeeds', async () => {
    const silent = await startSilentServer();
    servers.push(silent);
    const okpay = store();
    const started = Date.now();
    const made = await register(okpay, 'fay@example.com', { OKPAY_SMTP_URL: `smtp://127.0.0.1:${silent.port}`, OKPAY_SMTP_TIMEOUT: '1' });
    const elapsedMs = Date.now() - started;
    expect(made.code).toBe(0);
    // Our 1 s bound, not the mail library's own 30 s greeting timeout, ended the wait (with room for a
    // loaded machine: the bound told apart, not timed).
    expect(elapsedMs).toBeLessThan(20_000);
    const [row] = await mails(okpay);
    expect(row?.delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row?.delivery?.lastError).toMatch(/greeting|timeout/i);
  });

  it('refusing: a wrong password or a refused recipient is kept as the server’s answer', async () => {
    const smtp = await server();
    smtp.refuse.add('gil@example.com');
    const okpay = store();
    ok(await register(okpay, 'gil@example.com', { OKPAY_SMTP_URL: smtp.url }));
    ok(await register(okpay, 'hal@example.com', { OKPAY_SMTP_URL: smtp.url.replace(SMTP_PASSWORD, 'wrong') }));
    const [gil, hal] = await mails(okpay);
    expect(gil?.delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect(gil?.delivery?.lastError).toMatch(/^550 /);
    expect(hal?.delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect(hal?.delivery?.lastError).toMatch(/^535 /);
    expect(smtp.received).toHaveLength(0);
  });
});

describe('bad settings are usage errors that change nothing', () => {
  it('an OKPAY_SMTP_URL that is not smtp:// or smtps://, a bad timeout, `outbox send` without a server, an unknown mail', async () => {
    const okpay = store();
    for (const env of [
      { OKPAY_SMTP_URL: 'http://mail.example.com' },
      { OKPAY_SMTP_URL: 'smtp://' },
      { OKPAY_SMTP_URL: 'smtp://127.0.0.1:25', OKPAY_SMTP_TIMEOUT: '0' },
    ]) {
      const refused = await okpay.run(['register', '--email', 'ivy@example.com', '--password-stdin', '--accept-terms', '--json'], {
        stdin: `${PASSWORD}\n`,
        env,
      });
      expect(refused.code).toBe(2);
      expect(refused.error().code).toBe('USAGE');
    }
    expect(await mails(okpay)).toEqual([]);
    const unset = await okpay.run(['outbox', 'send', '--json']);
    expect(unset.code).toBe(2);
    expect(unset.error().code).toBe('SMTP_NOT_CONFIGURED');
    const unknown = await okpay.run(['outbox', 'send', 'msg_000042', '--json'], { env: { OKPAY_SMTP_URL: 'smtp://127.0.0.1:25' } });
    expect(unknown.code).toBe(5);
    expect(unknown.error().code).toBe('MAIL_NOT_FOUND');
  });
});
