// The memory store and the split file store are two implementations of one contract: random
// sequences of commands (deposits, transfers to people and to strangers, quoted payments,
// payouts, settlement, tickets, agents' replies and refunds, locks, the clock moving on) run
// through the real command line — so through the use-cases — against each give the same output,
// the same exit codes, the same records and the same `verify` report.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { summaryOf } from '../../src/app/desk.js';
import type { PasswordHasher } from '../../src/app/ports.js';
import { bufferIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { RefData } from '../../src/cli/refdata.js';
import { otplibTotp } from '../../src/cli/auth-adapters.js';
import { Prng } from '../../src/domain/prng.js';
import { MemoryRecordStore } from '../../src/store/memory-record-store.js';
import { SplitFileStore } from '../../src/store/split-file-store.js';
import type { RecordStore } from '../../src/store/store.js';
import { withoutBytes, withoutLength } from '../support/records.js';

const START_MS = Date.parse('2026-12-01T10:00:00.000Z');
const DEMO = fileURLToPath(new URL('../../data/fixtures/demo.json', import.meta.url));
const PASSWORD = 'Demo-pass-2026!';
const ref = new RefData();
const homes: string[] = [];

afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

/** A hasher whose output depends on the password alone, so both stores hold the same records. */
const passwords: PasswordHasher = {
  hash: async (password) => `plain:${password}`,
  verify: async (password, hash) => hash === `plain:${password}`,
  verifyNothing: async () => undefined,
};

/** Customers of the demo fixture without 2FA, the tier-3 agent and the operator. */
const CUSTOMERS = ['chen.li@example.cn', 'lena.mueller@example.de', 'sofia.garcia@example.es', 'camille.martin@example.fr', 'kenji@example.jp'];
const CURRENCIES = ['USD', 'EUR', 'CNY', 'GBP', 'JPY'];
const AGENT = 'mei@support.okpay.example';
const ADMIN = 'ops@okpay.example';

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One store driven through the command line, with its own sessions and clock. */
class World {
  readonly tokens = new Map<string, string>();
  nowMs = START_MS;
  step = 0;

  constructor(readonly store: RecordStore) {}

  async run(args: readonly string[], as: string | null = null, stdin?: string): Promise<Ran> {
    this.step += 1;
    const io = bufferIO({ ...(stdin === undefined ? {} : { stdin }), tty: false });
    const env: Record<string, string> = { OKPAY_NOW: new Date(this.nowMs).toISOString(), OKPAY_HOME: '/nonexistent-okpay-home' };
    const token = as === null ? undefined : this.tokens.get(as);
    if (token !== undefined) env['OKPAY_SESSION'] = token;
    const code = await run(args, {
      io,
      env,
      openStore: () => this.store,
      // Every command draws its ids from a stream of its own, the same in both worlds.
      random: new Prng(`stores-agree:${this.step}`),
      passwords,
      totp: otplibTotp(),
      session: { read: async () => null, write: async () => undefined, clear: async () => undefined },
    });
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  }

  async signIn(email: string): Promise<Ran> {
    const ran = await this.run(['login', '--email', email, '--password-stdin', '--raw'], null, `${PASSWORD}\n`);
    if (ran.code === 0) this.tokens.set(email, ran.stdout.trim());
    return ran;
  }
}

type Op =
  | { kind: 'deposit'; who: number; currency: number; amount: number }
  | { kind: 'transfer'; from: number; to: number; currency: number; amount: number }
  | { kind: 'stranger'; from: number; currency: number; amount: number; phone: boolean }
  | { kind: 'quoted'; from: number; to: number; currency: number; amount: number }
  | { kind: 'withdraw'; who: number; amount: number }
  | { kind: 'settle' }
  | { kind: 'dispute'; who: number }
  | { kind: 'reply'; ticket: number }
  | { kind: 'refund'; ticket: number }
  | { kind: 'close'; ticket: number }
  | { kind: 'lock'; who: number; unlock: boolean }
  | { kind: 'sign-in'; who: number }
  | { kind: 'wait'; minutes: number };

const who = fc.nat(CUSTOMERS.length - 1);
const currency = fc.nat(CURRENCIES.length - 1);
const amount = fc.integer({ min: 1, max: 90_000 });

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('deposit' as const), who, currency, amount }),
  fc.record({ kind: fc.constant('transfer' as const), from: who, to: who, currency, amount }),
  fc.record({ kind: fc.constant('stranger' as const), from: who, currency, amount, phone: fc.boolean() }),
  fc.record({ kind: fc.constant('quoted' as const), from: who, to: who, currency, amount }),
  fc.record({ kind: fc.constant('withdraw' as const), who, amount }),
  fc.constant({ kind: 'settle' as const }),
  fc.record({ kind: fc.constant('dispute' as const), who }),
  fc.record({ kind: fc.constant('reply' as const), ticket: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('refund' as const), ticket: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('close' as const), ticket: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('lock' as const), who, unlock: fc.boolean() }),
  fc.record({ kind: fc.constant('sign-in' as const), who }),
  fc.record({ kind: fc.constant('wait' as const), minutes: fc.integer({ min: 1, max: 3 * 24 * 60 }) }),
);

const money = (minor: number): string => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

/** The last transaction id a command printed, for the ops that refer to one. */
function lastTx(world: World, email: string): Promise<string | null> {
  return world.run(['history', '--json'], email).then((ran) => {
    if (ran.code !== 0) return null;
    return (JSON.parse(ran.stdout) as { transactions: { id: string }[] }).transactions[0]?.id ?? null;
  });
}

/** Runs one operation; returns every command's output, in order. */
async function apply(world: World, op: Op): Promise<Ran[]> {
  const ran: Ran[] = [];
  const cmd = async (args: string[], as: string | null = null, stdin?: string) => {
    const result = await world.run(args, as, stdin);
    ran.push(result);
    return result;
  };
  const email = (i: number) => CUSTOMERS[i] as string;
  switch (op.kind) {
    case 'deposit':
      await cmd(['deposit', '--amount', money(op.amount), '--currency', CURRENCIES[op.currency] as string, '--json'], email(op.who));
      break;
    case 'transfer':
      await cmd(
        ['transfer', '--to', email(op.to), '--amount', money(op.amount), '--currency', CURRENCIES[op.currency] as string, '--yes', '--json'],
        email(op.from),
      );
      break;
    case 'stranger':
      await cmd(
        [
          'transfer',
          '--to',
          op.phone ? '+14155550199' : 'newcomer@example.org',
          '--amount',
          money(op.amount),
          '--currency',
          CURRENCIES[op.currency] as string,
          '--yes',
          '--json',
        ],
        email(op.from),
      );
      break;
    case 'quoted': {
      const quote = await cmd(
        ['fee', 'quote', 'transfer', '--to', email(op.to), '--amount', money(op.amount), '--currency', CURRENCIES[op.currency] as string, '--json'],
        email(op.from),
      );
      const quoteId = quote.code === 0 ? (JSON.parse(quote.stdout) as { quote: { id: string } }).quote.id : null;
      if (quoteId) await cmd(['transfer', '--quote', quoteId, '--yes', '--json'], email(op.from));
      break;
    }
    case 'withdraw': {
      const methods = await cmd(['withdraw', 'methods', 'list', '--json'], email(op.who));
      const list = methods.code === 0 ? ((JSON.parse(methods.stdout) as { methods?: { id: string }[] }).methods ?? []) : [];
      const method = list[0]?.id;
      if (method) await cmd(['withdraw', '--method', method, '--amount', money(op.amount % 30_000), '--currency', 'EUR', '--yes', '--json'], email(op.who));
      break;
    }
    case 'settle':
      await cmd(['admin', 'settle', '--json'], ADMIN);
      break;
    case 'dispute': {
      const tx = await lastTx(world, email(op.who));
      await cmd(
        [
          'ticket',
          'new',
          '--category',
          'dispute',
          '--subject',
          'Not what I paid for',
          '--body',
          'Please look into this payment.',
          ...(tx ? ['--tx', tx] : []),
          '--json',
        ],
        email(op.who),
      );
      break;
    }
    case 'reply':
      await cmd(['agent', 'reply', String(op.ticket), '--body', 'We are looking into it.', '--json'], AGENT);
      break;
    case 'refund': {
      const shown = await cmd(['ticket', 'show', String(op.ticket), '--json'], AGENT);
      const tx = shown.code === 0 ? (JSON.parse(shown.stdout) as { ticket?: { transaction?: string | { id: string } | null } }).ticket?.transaction : null;
      const txId = typeof tx === 'string' ? tx : (tx?.id ?? null);
      if (txId) await cmd(['agent', 'refund', txId, '--ticket', String(op.ticket), '--reason', 'Refunded after review', '--yes', '--json'], AGENT);
      break;
    }
    case 'close':
      await cmd(['ticket', 'close', String(op.ticket), '--yes', '--json'], AGENT);
      break;
    case 'lock':
      await cmd(['agent', op.unlock ? 'unlock' : 'lock', email(op.who), '--reason', 'checking a report', '--yes', '--json'], AGENT);
      break;
    case 'sign-in':
      ran.push(await world.signIn(email(op.who)));
      break;
    case 'wait':
      // Sessions end after 12 hours: everyone signs in again, as people do.
      world.nowMs += op.minutes * 60_000;
      for (const person of [...CUSTOMERS, AGENT, ADMIN]) ran.push(await world.signIn(person));
      break;
  }
  return ran;
}

/** What `verify --json` reports, without the figures that measure the machine. */
function verifyReport(ran: Ran): unknown {
  const doc = JSON.parse(ran.stdout) as Record<string, unknown>;
  const { seconds: _seconds, entriesPerSecond: _rate, workers: _workers, ...report } = doc;
  return { code: ran.code, report, stderr: ran.stderr };
}

/** Every record the commands reach, read through the records API. */
function dump(store: RecordStore): Promise<unknown> {
  return store.read(async (t) => {
    const collect = async <T>(pages: AsyncIterable<readonly T[]>) => {
      const all: T[] = [];
      for await (const page of pages) all.push(...page);
      return all;
    };
    const users = await collect(t.users.scan(50));
    return {
      meta: withoutBytes(t.meta.get()),
      users,
      balances: await collect(t.balances.scan(50)),
      unclaimed: await collect(t.unclaimed.scan(50)),
      withdrawals: await collect(t.withdrawals.scan(50)),
      tickets: await collect(t.tickets.scan(50)),
      queue: await t.tickets.withStatus(['new', 'open', 'pending', 'on-hold']),
      sessions: await Promise.all(users.map(async (u) => (await t.sessions.ofUser(u.id)).sort())),
      limits: await Promise.all(users.map((u) => t.limits.get(u.id))),
      methods: await Promise.all(users.map((u) => t.methods.ofUser(u.id))),
      journal: (await collect(t.journal.scan())).map(withoutLength),
      audit: (await collect(t.auditLog.scan())).map(withoutLength),
      mails: (await t.outbox.list()).map((m) => m.id),
    };
  });
}

async function worlds(): Promise<[World, World]> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'okpay-agree-'));
  homes.push(home);
  const file = new SplitFileStore(home, { now: () => new Date(START_MS), segmentSize: 8, summarizeTicket: (ticket) => summaryOf(ref, ticket) });
  const pair: [World, World] = [new World(new MemoryRecordStore(new Date(START_MS).toISOString(), 8)), new World(file)];
  for (const world of pair) {
    const loaded = await world.run(['fixtures', 'load', DEMO, '--json']);
    expect(loaded.code, loaded.stderr).toBe(0);
    for (const email of [...CUSTOMERS, AGENT, ADMIN]) expect((await world.signIn(email)).code).toBe(0);
  }
  return pair;
}

describe('the memory store and the split file store', () => {
  it('give the same output, records and verify report for the same random commands', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 4, maxLength: 18 }), async (ops) => {
        const [memory, file] = await worlds();
        for (const op of ops) {
          const inMemory = await apply(memory, op);
          const onDisk = await apply(file, op);
          expect(onDisk, JSON.stringify(op)).toEqual(inMemory);
        }
        const verified = [await memory.run(['verify', '--json']), await file.run(['verify', '--json'])];
        expect(verified[0]?.code, verified[0]?.stderr).toBe(0);
        expect(verifyReport(verified[1] as Ran)).toEqual(verifyReport(verified[0] as Ran));
        expect(await dump(file.store)).toEqual(await dump(memory.store));
      }),
      { numRuns: 8, seed: 14, endOnFailure: true },
    );
  }, 300_000);

  it('differ when one of them is given a different command: the comparison can fail', async () => {
    const [memory, file] = await worlds();
    await apply(memory, { kind: 'deposit', who: 0, currency: 0, amount: 100 });
    await apply(file, { kind: 'deposit', who: 0, currency: 0, amount: 101 });
    expect(await dump(file.store)).not.toEqual(await dump(memory.store));
  });
});
