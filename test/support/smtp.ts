// A real SMTP server for tests (the smtp-server package) on 127.0.0.1 and a port the system
// picks: it asks for a user name and password, keeps every message it accepts with its envelope,
// parsed by mailparser, and refuses the recipients it is told to refuse (550).

import { once } from 'node:events';
import net from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface Received {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
  readonly parsed: ParsedMail;
}

export interface TestSmtpServer {
  readonly port: number;
  /** The OKPAY_SMTP_URL that reaches it (smtp:// or smtps://, with its user and password). */
  readonly url: string;
  readonly received: Received[];
  /** Recipients answered with 550. */
  readonly refuse: Set<string>;
  close(): Promise<void>;
}

export const SMTP_USER = 'okpay';
export const SMTP_PASSWORD = 's3cret-relay';

export async function startSmtpServer(options: { secure?: boolean; port?: number } = {}): Promise<TestSmtpServer> {
  const received: Received[] = [];
  const refuse = new Set<string>();
  const server = new SMTPServer({
    secure: options.secure ?? false,
    logger: false,
    // A plain-text test server: no STARTTLS offer (the client would refuse its self-signed certificate).
    hideSTARTTLS: true,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(new Error('535 Authentication failed'));
    },
    onRcptTo(address, _session, callback) {
      if (refuse.has(address.address)) {
        const error = Object.assign(new Error('mailbox unavailable'), { responseCode: 550 });
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            const envelope = session.envelope;
            received.push({ from: envelope.mailFrom ? envelope.mailFrom.address : '', to: envelope.rcptTo.map((r) => r.address), raw, parsed });
            callback(null, `Ok: queued as T${received.length}`);
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as net.AddressInfo).port;
  const scheme = options.secure ? 'smtps' : 'smtp';
  // The test server's certificate is the package's own, self-signed one.
  const query = options.secure ? '?tls.rejectUnauthorized=false' : '';
  return {
    port,
    url: `${scheme}://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}${query}`,
    received,
    refuse,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A server that accepts connections and never says a word: what a hung mail server looks like. */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (taken from the system, then let go). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
