// The demo store (data/fixtures/demo.json) in a MemoryRecordStore, driven in-process through run(), with
// sessions for the people a test acts as, and a way to run one command and put the store back as
// it was afterwards — so thousands of inputs can each start from the same store.

import path from 'node:path';
import { expect } from 'vitest';
import { bufferIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import type { PasswordHasher } from '../../src/cli/auth-adapters.js';
import { MemoryRecordStore } from '../../src/store/memory-record-store.js';
import { recordsOf } from './records.js';

export const DESK_NOW = '2026-11-23T10:00:00.000Z';
export const DEMO_FILE = path.resolve('data/fixtures/demo.json');
export const DEMO_PASSWORD = 'Demo-pass-2026!';

/** The demo's people by role (tier-1, -2 and -3 agents; bob has two-step verification). */
export const DEMO_PEOPLE = {
  customer: 'lena.mueller@example.de',
  otherCustomer: 'bob@example.com',
  agent1: 'amy@support.okpay.example',
  agent2: 'klaus@support.okpay.example',
  agent3: 'mei@support.okpay.example',
  admin: 'ops@okpay.example',
} as const;

export type DemoRole = keyof typeof DEMO_PEOPLE;

/** bcrypt is slow on purpose; most tests only need a stand-in. */
export const fastHasher: PasswordHasher = {
  hash: async (password) => `test$${password}`,
  verify: async (password, hash) => hash === `test$${password}`,
  verifyNothing: async () => undefined,
};

export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface DeskRunOptions {
  readonly token?: string;
  readonly stdin?: string;
  readonly tty?: boolean;
  readonly now?: string;
}

export class MemoryDesk {
  readonly store = new MemoryRecordStore(DESK_NOW);
  readonly tokens: Partial<Record<DemoRole, string>> = {};
  /** A test store, where OKPAY_NOW may move the clock. */
  private readonly testStore = this.store.transaction((t) => t.meta.markTestStore());

  constructor(
    private readonly passwords: PasswordHasher | null = fastHasher,
    private readonly extraEnv: Readonly<Record<string, string>> = {},
  ) {}

  async okpay(argv: readonly string[], options: DeskRunOptions = {}): Promise<Outcome> {
    await this.testStore;
    const io = bufferIO({ ...(options.stdin === undefined ? {} : { stdin: options.stdin }), tty: options.tty ?? false });
    const env: Record<string, string> = { OKPAY_NOW: options.now ?? DESK_NOW, OKPAY_BCRYPT_COST: '4', ...this.extraEnv };
    if (options.token) env['OKPAY_SESSION'] = options.token;
    const noSession = { read: async () => null, write: async () => undefined, clear: async () => undefined };
    const code = await run(argv, { io, env, openStore: () => this.store, ...(this.passwords ? { passwords: this.passwords } : {}), session: noSession });
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  }

  /** Loads the demo fixtures and signs in the given people. */
  async setUp(roles: readonly DemoRole[] = ['customer', 'agent1', 'agent2', 'agent3', 'admin']): Promise<void> {
    const loaded = await this.okpay(['fixtures', 'load', DEMO_FILE]);
    expect(loaded.code, loaded.stderr).toBe(0);
    for (const role of roles) this.tokens[role] = await this.signIn(DEMO_PEOPLE[role]);
  }

  async signIn(email: string, otp?: string): Promise<string> {
    const login = await this.okpay(['login', '--email', email, '--password-stdin', '--raw', ...(otp ? ['--otp', otp] : [])], { stdin: `${DEMO_PASSWORD}\n` });
    expect(login.code, login.stderr).toBe(0);
    return login.stdout.trim();
  }

  /** A way to put the store back exactly as it is now. */
  checkpoint(): () => void {
    return this.store.checkpoint();
  }

  /** Everything, and the money alone: what a refusal may not change. */
  fingerprint(): { everything: string; money: string } {
    const s = this.store;
    const records = recordsOf(s);
    const money = JSON.stringify([records.balances, records.withdrawals, records.unclaimed, s.journalEntries.length]);
    return { everything: JSON.stringify([records, s.journalEntries.length, s.auditEntries.length, s.mails.length]), money };
  }

  /** Runs one command and puts the store back as it was, whatever the command did. */
  async isolated(argv: readonly string[], options: DeskRunOptions = {}): Promise<{ outcome: Outcome; changed: boolean; moneyChanged: boolean }> {
    const before = this.fingerprint();
    const restore = this.checkpoint();
    const outcome = await this.okpay(argv, options);
    const after = this.fingerprint();
    restore();
    return { outcome, changed: after.everything !== before.everything, moneyChanged: after.money !== before.money };
  }
}

/** The error code of a failed run with --json (null on success). */
export function errorCode(outcome: Outcome): string | null {
  if (outcome.code === 0) return null;
  const last = outcome.stderr.trim().split('\n').pop() ?? '';
  try {
    return (JSON.parse(last) as { error: { code: string } }).error.code;
  } catch {
    return `exit ${outcome.code}`;
  }
}
