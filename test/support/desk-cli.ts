// End-to-end helpers for the support desk: a store with an administrator, customers and agents,
// each signed in through the real binary, and the mails read back from the outbox files.

import { mails } from './accounts.js';
import { Okpay, type Run } from './okpay.js';
import { expectOk, PASSWORD } from './outcome.js';

export { expectError, expectOk, PASSWORD } from './outcome.js';

/** A fixture-file user: a US customer of a month ago, in English, with the shared password. */
export const fixturePerson = (name: string, email: string, extra: Record<string, unknown> = {}) => ({
  name,
  email,
  password: PASSWORD,
  country: 'US',
  language: 'en',
  at: '-30d',
  ...extra,
});

export { mails };

export class Desk {
  readonly o: Okpay;
  private readonly sessions = new Map<string, string>();
  private readonly stale = new Set<string>();

  constructor(now?: string) {
    this.o = new Okpay(now === undefined ? {} : { now });
  }

  async admin(email = 'ops@example.com'): Promise<string> {
    expectOk(await this.o.run(['admin', 'init', '--email', email, '--password-stdin'], { stdin: `${PASSWORD}\n` }));
    await this.signIn(email);
    return email;
  }

  /** register → activate (token from the mail) → sign in. */
  async customer(email: string, extra: readonly string[] = []): Promise<string> {
    expectOk(await this.o.run(['register', '--email', email, '--password-stdin', '--accept-terms', ...extra], { stdin: `${PASSWORD}\n` }));
    const token = /\b(act_[A-Za-z0-9_-]+)/.exec((await mails(this.o, email, 'activation')).pop()?.text ?? '')?.[1];
    if (!token) throw new Error(`no activation token for ${email}`);
    expectOk(await this.o.run(['activate', token, '--password-stdin'], { stdin: `${PASSWORD}\n` }));
    await this.signIn(email);
    return email;
  }

  async agent(email: string, tier: 1 | 2 | 3, languages = 'en', adminEmail = 'ops@example.com'): Promise<string> {
    await this.customer(email);
    expectOk(await this.as(adminEmail, ['admin', 'agent', 'add', '--email', email, '--tier', String(tier), '--languages', languages]));
    return email;
  }

  async signIn(email: string): Promise<void> {
    const run = expectOk(await this.o.run(['login', '--email', email, '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n` }));
    this.sessions.set(email, run.stdout.trim());
  }

  /** The session token of a signed-in user, for processes started by other means. */
  session(email: string): string {
    const token = this.sessions.get(email);
    if (token === undefined) throw new Error(`${email} is not signed in`);
    return token;
  }

  /** Runs a command as `email`, signing in again first when the clock moved since the last sign-in. */
  async as(email: string, args: readonly string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<Run> {
    if (this.stale.delete(email)) await this.signIn(email);
    const session = this.sessions.get(email);
    if (session === undefined) throw new Error(`${email} is not signed in`);
    return this.o.run(args, { ...options, env: { OKPAY_SESSION: session, ...options.env } });
  }

  /** Moves the clock; sessions idle for 30 minutes end, so everyone signs in again on next use. */
  advance(ms: number): void {
    this.o.advance(ms);
    for (const email of this.sessions.keys()) this.stale.add(email);
  }

  cleanup(): void {
    this.o.cleanup();
  }
}

export interface TicketJson {
  number: number;
  status: string;
  priority: string;
  category: string;
  language: string;
  tier: number;
  duplicate?: boolean;
  assignee?: string | null;
  messages: { id: number; author: string; from: string; visibility: string; body: string; faqId: string | null }[];
  sla: {
    state: string;
    current: { kind: string; targetMinutes: number; leftMinutes: number; dueAt: string | null; paused: boolean; breached: boolean } | null;
    breaches: number;
  };
  queue: { position: number; of: number; expectedReplyBy: string | null } | null;
  transaction: { id: string; status: string } | null;
  followUps: number[];
  relatedTo: number | null;
  mergedInto: number | null;
  escalationRequest: { tier: number; reason: string } | null;
}

export const ticketOf = (run: Run): TicketJson => run.json<{ ticket: TicketJson }>().ticket;
