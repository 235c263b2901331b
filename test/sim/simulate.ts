// The deterministic simulator: a seeded random sequence of every operation okpay offers (accounts,
// 2FA, deposits, transfers — same and cross currency, to people without an account, with quotes
// and idempotency keys —, claims, returns, payouts that settle, fail or are cancelled, refunds,
// tickets, locks, identity checks, clock jumps), run in-process through the real commands against
// the memory record store and the split file store side by side. After every step both stores
// must hold the same records (read through the records API) and pass `okpay verify`. The file
// store also suffers injected write failures at random steps of its commits: a failed commit must
// leave the data directory byte for byte as it was (or, past its commit point, say that it was
// committed), and a crash (every write from some step on fails, then the store is reopened, its
// recovery sometimes crashing too) must come back to the store as it was before or after the
// crashed transaction, the same for readers before recovery as after. A failure names its seed;
// `SEED=… npm run simulate` replays it.

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import currenciesJson from '../../data/currencies.json' with { type: 'json' };
import { summaryOf } from '../../src/app/desk.js';
import { bufferIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { RefData } from '../../src/cli/refdata.js';
import { otplibTotp, type PasswordHasher, type Totp } from '../../src/cli/auth-adapters.js';
import { AppError } from '../../src/domain/errors.js';
import { Prng } from '../../src/domain/prng.js';
import { canonicalJson } from '../../src/domain/hashing.js';
import { formatAmount } from '../../src/domain/money.js';
import type { User } from '../../src/domain/state.js';
import { setFaultHook, type WriteStep } from '../../src/store/durable-file.js';
import { MemoryRecordStore, type KindMaps } from '../../src/store/memory-record-store.js';
import { OPEN_STATUSES, type Kind } from '../../src/store/record-kinds.js';
import { SplitFileStore } from '../../src/store/split-file-store.js';
import type { RecordStore, RecordsTransaction } from '../../src/store/store.js';
import { withoutBytes, withoutLength } from '../support/records.js';
import { PASSWORD } from '../support/outcome.js';

export interface SimOptions {
  readonly seed: number;
  readonly steps: number;
  /** Chance that a step of the file store meets an injected fault (half failures, half crashes). */
  readonly faultRate: number;
  readonly log?: (line: string) => void;
}

export interface SimReport {
  readonly seed: number;
  readonly steps: number;
  readonly commands: Record<string, number>;
  readonly exitCodes: Record<string, number>;
  readonly failedCommits: number;
  /** Failures that hit a commit past its commit point: the command said so, and the change stood. */
  readonly failedAfterCommitPoint: number;
  readonly crashes: number;
  readonly crashesApplied: number;
  readonly crashesDuringRecovery: number;
  readonly clockJumps: number;
  /** Journal entries by type at the end: deposits, transfers, claims, returns, payouts, refunds… */
  readonly transactions: Record<string, number>;
}

export class SimulationFailure extends Error {
  constructor(
    readonly seed: number,
    readonly step: number,
    detail: string,
  ) {
    super(`simulation seed ${seed} failed at step ${step}: ${detail}\nreplay: SEED=${seed} npm run simulate`);
  }
}

const START = Date.parse('2026-11-23T09:00:00.000Z');
/** Small segments, so that commits cross segment boundaries often. */
const SEGMENT_SIZE = 4;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const CURRENCIES = ['USD', 'EUR', 'GBP', 'JPY', 'CNY'] as const;
const totp = otplibTotp();
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Real TOTP codes, with secrets drawn from the step's seed instead of the system's randomness. */
function seededTotp(randomSeed: string): Totp {
  const random = new Prng(`${randomSeed}:totp`);
  return { ...totp, generateSecret: () => [...random.bytes(32)].map((b) => BASE32[b & 31]).join('') };
}

/** bcrypt is slow on purpose; the simulator only needs a deterministic stand-in. */
const fastHasher: PasswordHasher = {
  hash: async (password) => `sim$${createHash('sha256').update(password).digest('hex')}`,
  verify: async (password, hash) => hash === `sim$${createHash('sha256').update(password).digest('hex')}`,
  verifyNothing: async () => undefined,
};

// ---- the people and things the generator knows about ------------------------------------------

interface Person {
  readonly email: string;
  role: 'customer' | 'agent' | 'admin';
  active: boolean;
  token: string | null;
  secret: string | null;
  pendingSecret: string | null;
  methods: string[];
  /** The last activation failed (its token expired): ask for a new mail. */
  resend: boolean;
}

interface Model {
  now: number;
  people: Person[];
  tickets: { number: number; customer: string }[];
  transfers: { id: string; from: string }[];
  withdrawals: { id: string; owner: string }[];
  quotes: { id: string; owner: string }[];
  keys: { owner: string; key: string; args: string[] }[];
  strangers: string[];
}

interface Command {
  readonly name: string;
  readonly actor: Person | null;
  readonly args: string[];
  readonly stdin?: string;
  /** Updates the model from the (agreed) result. */
  readonly after?: (result: Result) => void;
}

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// ---- a seeded generator ------------------------------------------------------------------------

class Rng {
  private a: number;

  constructor(seed: number) {
    this.a = seed >>> 0;
  }

  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** An amount text: mostly sensible, sometimes large, with the currency's decimals. */
  amount(currency: string): string {
    const whole = this.chance(0.1) ? 1000 + this.int(90000) : 1 + this.int(300);
    if (currency === 'JPY') return String(whole * 100);
    return this.chance(0.5) ? String(whole) : `${whole}.${String(this.int(100)).padStart(2, '0')}`;
  }
}

// ---- the operations -----------------------------------------------------------------------------

const json = (r: Result): Record<string, Record<string, unknown>> => JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;

function signedIn(m: Model, role?: Person['role']): Person[] {
  return m.people.filter((p) => p.token !== null && (role === undefined || p.role === role));
}

function loginCommand(m: Model, p: Person, rng: Rng): Command {
  const wrong = rng.chance(0.1);
  const args = ['login', '--email', p.email, '--password-stdin', '--raw'];
  if (p.secret) args.push('--otp', rng.chance(0.1) ? '000000' : totp.generate(p.secret, m.now));
  return {
    name: wrong ? 'login (wrong password)' : 'login',
    actor: null,
    args,
    stdin: `${wrong ? 'Wrong-password-1!' : PASSWORD}\n`,
    after: (r) => {
      if (r.code === 0) p.token = r.stdout.trim();
    },
  };
}

function registerCommand(m: Model, rng: Rng): Command {
  const email = m.strangers.length > 0 && rng.chance(0.5) ? m.strangers.shift()! : `user${m.people.length}@sim.example`;
  return {
    name: 'register',
    actor: null,
    args: ['register', '--email', email, '--password-stdin', '--accept-terms', '--country', rng.pick(['US', 'DE', 'GB', 'CN', 'JP']), '--json'],
    stdin: `${PASSWORD}\n`,
    after: (r) => {
      if (r.code === 0) m.people.push({ email, role: 'customer', active: false, token: null, secret: null, pendingSecret: null, methods: [], resend: false });
    },
  };
}

/**
 * A currency and an amount to send or pay out: mostly a share of what the person holds (so most
 * payments go through), sometimes anything at all (so refusals are exercised too).
 */
function spend(memory: MemoryRecordStore, me: Person, rng: Rng): { currency: string; amount: string } {
  const users = [...(memory.committed.get('users')?.values() ?? [])] as User[];
  const user = users.find((u) => u.email === me.email);
  const row = memory.committed.get('balances')?.get(`user:${user?.id ?? ''}`) as Readonly<Record<string, number>> | undefined;
  const held = Object.entries(row ?? {}).filter(([, minor]) => minor >= 4);
  if (held.length === 0 || rng.chance(0.15)) {
    const currency = rng.pick(CURRENCIES);
    return { currency, amount: rng.amount(currency) };
  }
  const [code, available] = rng.pick(held);
  const exponent = currenciesJson.currencies.find((c) => c.code === code)?.exponent ?? 2;
  return { currency: code, amount: formatAmount(1 + rng.int(Math.floor(available / 3)), { exponent }) };
}

function transferCommand(m: Model, me: Person, rng: Rng, memory: MemoryRecordStore): Command {
  const others = m.people.filter((p) => p !== me);
  let to = others.length > 0 ? rng.pick(others).email : 'nobody@sim.example';
  if (rng.chance(0.2)) {
    to = `stranger${m.strangers.length + m.people.length}@sim.example`;
    m.strangers.push(to);
  }
  const { currency, amount } = spend(memory, me, rng);
  const args = ['transfer', '--to', to, '--amount', amount, '--currency', currency, '--yes', '--json'];
  if (rng.chance(0.3)) args.push('--to-currency', rng.pick(CURRENCIES));
  const earlier = m.keys.filter((k) => k.owner === me.email);
  if (earlier.length > 0 && rng.chance(0.15)) {
    const k = rng.pick(earlier);
    return { name: 'transfer (retry with a key)', actor: me, args: rng.chance(0.7) ? k.args : [...args, '--idempotency-key', k.key] };
  }
  if (rng.chance(0.3)) {
    const key = `key-${m.keys.length}`;
    args.push('--idempotency-key', key);
    m.keys.push({ owner: me.email, key, args });
  }
  return { name: 'transfer', actor: me, args, after: (r) => r.code === 0 && m.transfers.push({ id: String(json(r)['transaction']?.['id']), from: me.email }) };
}

function quotedTransfer(m: Model, me: Person, rng: Rng, memory: MemoryRecordStore): Command {
  const mine = m.quotes.filter((q) => q.owner === me.email);
  if (mine.length > 0 && rng.chance(0.6)) {
    return {
      name: 'transfer --quote',
      actor: me,
      args: ['transfer', '--quote', rng.pick(mine).id, '--yes', '--json'],
      after: (r) => r.code === 0 && m.transfers.push({ id: String(json(r)['transaction']?.['id']), from: me.email }),
    };
  }
  const others = m.people.filter((p) => p !== me);
  const { currency, amount } = spend(memory, me, rng);
  const to = others.length > 0 ? rng.pick(others).email : 'nobody@sim.example';
  return {
    name: 'fee quote transfer',
    actor: me,
    args: ['fee', 'quote', 'transfer', '--to', to, '--amount', amount, '--currency', currency, '--to-currency', rng.pick(CURRENCIES), '--json'],
    after: (r) => r.code === 0 && m.quotes.push({ id: String(json(r)['quote']?.['id']), owner: me.email }),
  };
}

function methodCommand(me: Person, rng: Rng): Command {
  const failing = rng.chance(0.25);
  const args = rng.chance(0.5)
    ? ['withdraw', 'methods', 'add', 'bank', '--holder', 'Sim Holder', '--iban', failing ? 'DE27500105170000000000' : 'DE89370400440532013000', '--json']
    : ['withdraw', 'methods', 'add', 'ewallet', '--provider', 'PayPal', '--account', failing ? 'fail@payout.test' : me.email, '--json'];
  return { name: 'withdraw methods add', actor: me, args, after: (r) => r.code === 0 && me.methods.push(String(json(r)['method']?.['id'])) };
}

function withdrawCommand(m: Model, me: Person, rng: Rng, memory: MemoryRecordStore): Command {
  const { currency, amount } = spend(memory, me, rng);
  const args = [
    'withdraw',
    '--method',
    me.methods.length > 0 ? rng.pick(me.methods) : 'wm_unknown',
    '--amount',
    amount,
    '--currency',
    currency,
    '--yes',
    '--json',
  ];
  return {
    name: 'withdraw',
    actor: me,
    args,
    after: (r) => r.code === 0 && m.withdrawals.push({ id: String(json(r)['withdrawal']?.['id']), owner: me.email }),
  };
}

function ticketCommand(m: Model, me: Person, rng: Rng): Command {
  const mine = m.tickets.filter((t) => t.customer === me.email);
  if (mine.length === 0 || rng.chance(0.3)) {
    const args = [
      'ticket',
      'new',
      '--category',
      rng.pick(['account', 'funds', 'identity', 'dispute', 'technical', 'feedback']),
      '--subject',
      `Question ${rng.int(5)}`,
      '--body',
      `Please help with case ${rng.int(5)}.`,
      '--json',
    ];
    const sent = m.transfers.filter((t) => t.from === me.email);
    if (sent.length > 0 && rng.chance(0.5)) args.push('--tx', rng.pick(sent).id);
    return {
      name: 'ticket new',
      actor: me,
      args,
      after: (r) => r.code === 0 && m.tickets.push({ number: Number(json(r)['ticket']?.['number']), customer: me.email }),
    };
  }
  const number = String(rng.pick(mine).number);
  const verbs: string[][] = [
    ['ticket', 'reply', number, '--body', `More details ${rng.int(100)}.`],
    ['ticket', 'escalate', number, '--reason', 'Nobody has answered yet.'],
    ['ticket', 'rate', number, '--score', String(1 + rng.int(5))],
    ['ticket', 'show', number],
  ];
  const args = [...rng.pick(verbs), '--json'];
  return { name: `ticket ${args[1]}`, actor: me, args };
}

function agentCommand(m: Model, agent: Person, rng: Rng): Command {
  // A refund needs a ticket of the payment's sender: half the time, pick such a pair.
  const disputed = m.tickets.filter((t) => m.transfers.some((x) => x.from === t.customer));
  const pool = disputed.length > 0 && rng.chance(0.5) ? disputed : m.tickets;
  const ticket = pool.length > 0 ? rng.pick(pool) : { number: 1, customer: 'nobody@sim.example' };
  const n = String(ticket.number);
  const customers = m.people.filter((p) => p.role === 'customer');
  const someone = customers.length > 0 ? rng.pick(customers).email : 'nobody@sim.example';
  const theirs = m.transfers.filter((t) => t.from === ticket.customer);
  const verbs: string[][] = [
    ['ticket', 'reply', n, '--body', 'We are looking into it.', '--status', rng.pick(['open', 'pending', 'solved'])],
    ['ticket', 'assign', n, '--to', agent.email],
    ['ticket', 'note', n, '--body', 'Checked the ledger.'],
    ['ticket', rng.pick(['resolve', 'close', 'reopen']), n, '--yes'],
    ['ticket', 'merge', n, '--into', String(rng.pick(m.tickets.length > 0 ? m.tickets : [ticket]).number), '--yes'],
    ['agent', 'refund', theirs.length > 0 ? rng.pick(theirs).id : 'txn_0000000001', '--ticket', n, '--reason', 'goodwill', '--yes'],
    ['agent', 'kyc', rng.pick(['approve', 'reject']), someone, '--reason', 'document checked', '--yes'],
    ['agent', rng.pick(['lock', 'unlock']), someone, '--reason', 'suspicious activity', '--yes'],
    ['agent', 'queue'],
  ];
  const args = [...rng.pick(verbs), '--json'];
  return { name: `${args[0]} ${args[1]}`, actor: agent, args };
}

function securityCommand(m: Model, me: Person, rng: Rng): Command {
  if (me.pendingSecret) {
    const secret = me.pendingSecret;
    return {
      name: '2fa confirm',
      actor: me,
      args: ['2fa', 'confirm', totp.generate(secret, m.now), '--password-stdin', '--json'],
      stdin: `${PASSWORD}\n`,
      after: (r) => r.code === 0 && ((me.secret = secret), (me.pendingSecret = null)),
    };
  }
  if (!me.secret && rng.chance(0.5)) {
    return {
      name: '2fa enable',
      actor: me,
      args: ['2fa', 'enable', '--password-stdin', '--json'],
      stdin: `${PASSWORD}\n`,
      after: (r) => r.code === 0 && (me.pendingSecret = String(json(r)['twoFactor']?.['secret'])),
    };
  }
  if (rng.chance(0.5)) {
    return {
      name: 'kyc submit',
      actor: me,
      args: ['kyc', 'submit', '--document-type', 'passport', '--document-number', `X${1000000 + rng.int(8999999)}`, '--json'],
    };
  }
  return { name: 'lock', actor: me, args: ['lock', '--reason', 'lost my phone', '--yes', '--json'], after: (r) => r.code === 0 && (me.token = null) };
}

function unlockCommand(m: Model, p: Person): Command {
  const args = ['unlock', '--email', p.email, '--password-stdin', '--json'];
  if (p.secret) args.push('--otp', totp.generate(p.secret, m.now));
  return { name: 'unlock', actor: null, args, stdin: `${PASSWORD}\n` };
}

function activateCommand(memory: MemoryRecordStore, p: Person): Command {
  if (p.resend)
    return { name: 'activate --resend', actor: null, args: ['activate', '--resend', '--email', p.email, '--json'], after: () => (p.resend = false) };
  const mail = memory.mails.filter((x) => x.to === p.email && x.kind === 'activation').pop();
  const token = /\b(act_[A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1] ?? 'act_missing';
  return {
    name: 'activate',
    actor: null,
    args: ['activate', token, '--password-stdin', '--json'],
    stdin: `${PASSWORD}\n`,
    after: (r) => (r.code === 0 ? (p.active = true) : (p.resend = true)),
  };
}

/** The next command: weighted by what the model makes possible. */
function nextCommand(m: Model, memory: MemoryRecordStore, rng: Rng): Command | 'clock' {
  const roll = rng.next();
  const customers = signedIn(m, 'customer');
  const pending = m.people.filter((p) => !p.active);
  const signedOut = m.people.filter((p) => p.active && p.token === null);
  if (roll < 0.05) return 'clock';
  if (roll < 0.1 || m.people.length < 6) return registerCommand(m, rng);
  if ((roll < 0.14 || customers.length === 0) && pending.length > 0) return activateCommand(memory, rng.pick(pending));
  if ((roll < 0.2 || customers.length === 0) && signedOut.length > 0)
    return rng.chance(0.2) ? unlockCommand(m, rng.pick(signedOut)) : loginCommand(m, rng.pick(signedOut), rng);
  if (customers.length === 0) return registerCommand(m, rng);
  const me = rng.pick(customers);
  if (roll < 0.32) return { name: 'deposit', actor: me, args: ['deposit', '--amount', rng.amount('USD'), '--currency', rng.pick(CURRENCIES), '--json'] };
  if (roll < 0.5) return transferCommand(m, me, rng, memory);
  if (roll < 0.55) return quotedTransfer(m, me, rng, memory);
  if (roll < 0.58) return methodCommand(me, rng);
  if (roll < 0.64) return withdrawCommand(m, me, rng, memory);
  if (roll < 0.67) {
    const mine = m.withdrawals.filter((w) => w.owner === me.email);
    return { name: 'withdraw cancel', actor: me, args: ['withdraw', 'cancel', mine.length > 0 ? rng.pick(mine).id : 'wd_unknown', '--yes', '--json'] };
  }
  // Staff sign in again when their session has ended (clock jumps end sessions often).
  const admin = m.people.find((p) => p.role === 'admin');
  if (roll < 0.72 && admin) return admin.token ? { name: 'admin settle', actor: admin, args: ['admin', 'settle', '--json'] } : loginCommand(m, admin, rng);
  if (roll < 0.8) return ticketCommand(m, me, rng);
  const agents = m.people.filter((p) => p.role === 'agent');
  if (roll < 0.9 && agents.length > 0) {
    const agent = rng.pick(agents);
    return agent.token ? agentCommand(m, agent, rng) : loginCommand(m, agent, rng);
  }
  if (roll < 0.95) return securityCommand(m, me, rng);
  return {
    name: rng.pick(['balance', 'history', 'logout']),
    actor: me,
    args: [rng.pick(['balance', 'history', 'logout']), '--json'],
    after: (r) => r.code === 0 && r.stdout === '' && (me.token = null),
  };
}

// ---- running a command in both worlds ---------------------------------------------------------

interface World {
  memory: MemoryRecordStore;
  file: SplitFileStore;
  readonly directory: string;
  /** Where the last full check left the chains and the outbox. */
  checked: Since;
}

const ref = new RefData();

function openFileStore(directory: string, m: Model): SplitFileStore {
  return new SplitFileStore(directory, { now: () => new Date(m.now), segmentSize: SEGMENT_SIZE, summarizeTicket: (ticket) => summaryOf(ref, ticket) });
}

async function execute(store: RecordStore, m: Model, c: Command, randomSeed: string): Promise<Result> {
  const io = bufferIO(c.stdin === undefined ? {} : { stdin: c.stdin });
  const env: Record<string, string> = { OKPAY_NOW: new Date(m.now).toISOString(), OKPAY_BCRYPT_COST: '4' };
  if (c.actor?.token) env['OKPAY_SESSION'] = c.actor.token;
  const noSession = { read: async () => null, write: async () => undefined, clear: async () => undefined };
  const code = await run(c.args, {
    io,
    env,
    openStore: () => store,
    random: new Prng(randomSeed),
    passwords: fastHasher,
    totp: seededTotp(randomSeed),
    session: noSession,
  });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

// ---- what a store holds, and its checks ---------------------------------------------------------

/** A store's contents, part by part, each as JSON with sorted keys: what both stores must hold alike. */
type Dump = Readonly<Record<string, string>>;

const PAGE = 50;

async function collect<T>(pages: AsyncIterable<readonly T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

/** The keys of the kinds the records API reads only by key, as the memory store holds them. */
interface Keys {
  readonly sessions: string[];
  readonly quotes: string[];
  readonly idempotency: (readonly [string, string])[];
  readonly refunds: string[];
}

/** The keys of one or more committed versions of the memory store (the union). */
function keysOf(...versions: KindMaps[]): Keys {
  const of = (kind: Kind) => [...new Set(versions.flatMap((kinds) => [...(kinds.get(kind)?.keys() ?? [])]))].sort();
  const idempotency = of('idempotency').map((key) => [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)] as const);
  return { sessions: of('sessions'), quotes: of('quotes'), idempotency, refunds: of('refunds') };
}

/**
 * How far the journal, the audit log and the outbox had come at an earlier check. The heads in
 * `meta` (sequence number and hash) stand for the whole of each chain, which `verify` re-reads
 * against them; mails carry no hash, so a full dump reads each new one.
 */
interface Since {
  readonly journal: number;
  readonly audit: number;
  readonly mails: number;
}

function sinceNow(memory: MemoryRecordStore): Since {
  return { journal: memory.journalEntries.length, audit: memory.auditEntries.length, mails: memory.mails.length };
}

/**
 * Every record the commands reach, read through the records API: by scan and by key (the keys the
 * memory store holds, so that a record only one store has shows). A full dump (`since` given)
 * adds every lookup through an index, and the journal entries and mails that came after `since`.
 */
function dump(store: RecordStore, m: Model, keys: Keys, since: Since | null): Promise<Dump> {
  return store.read(async (t) => {
    const users = await collect(t.users.scan(PAGE));
    const parts = { ...(await recordParts(t, users)), ...(await keyedParts(t, keys)) };
    if (since) Object.assign(parts, await indexParts(t, users, m), await newParts(t, since));
    return Object.fromEntries(Object.entries(parts).map(([name, value]) => [name, canonicalJson(value)]));
  });
}

async function recordParts(t: RecordsTransaction, users: readonly User[]): Promise<Record<string, unknown>> {
  return {
    meta: withoutBytes(t.meta.get()),
    users,
    userCount: await t.users.count(),
    limits: await Promise.all(users.map((u) => t.limits.get(u.id))),
    methods: await Promise.all(users.map((u) => t.methods.ofUser(u.id))),
    balances: await collect(t.balances.scan(PAGE)),
    unclaimed: await collect(t.unclaimed.scan(PAGE)),
    withdrawals: await collect(t.withdrawals.scan(PAGE)),
    tickets: await collect(t.tickets.scan(PAGE)),
  };
}

async function indexParts(t: RecordsTransaction, users: readonly User[], m: Model): Promise<Record<string, unknown>> {
  const each = <T>(read: (u: User) => Promise<T>) => Promise.all(users.map(read));
  return {
    byEmail: await each(async (u) => (await t.users.byEmail(u.email))?.id ?? null),
    byPhone: await each(async (u) => (u.phone === null ? null : ((await t.users.byPhone(u.phone))?.id ?? null))),
    staff: (await t.users.staff()).map((u) => u.id).sort(),
    sessionsOf: await each(async (u) => (await t.sessions.ofUser(u.id)).sort()),
    withdrawalsOf: await each((u) => t.withdrawals.ofUser(u.id)),
    ticketsOf: await each((u) => t.tickets.ofCustomer(u.id, null, { limit: PAGE, offset: 0 })),
    journalOf: await each((u) => t.journal.seqsOfUser(u.id)),
    waiting: await Promise.all(m.strangers.map((email) => t.unclaimed.forRecipient({ email }))),
    inFlight: await t.withdrawals.dueBy('9999-12-31T23:59:59.999Z', PAGE),
    queue: await t.tickets.withStatus(OPEN_STATUSES),
    recent: await t.tickets.recent(null, { limit: PAGE, offset: 0 }),
  };
}

async function newParts(t: RecordsTransaction, since: Since): Promise<Record<string, unknown>> {
  const meta = t.meta.get();
  const after = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + 1 + i);
  const mails = await Promise.all(
    after(since.mails, meta.mailSeq).map(async (seq) => (await t.outbox.get(`msg_${String(seq).padStart(6, '0')}`))?.mail ?? null),
  );
  return { journal: (await t.journal.getMany(after(since.journal, meta.journal.seq))).map(withoutLength), mails };
}

async function keyedParts(t: RecordsTransaction, keys: Keys): Promise<Record<string, unknown>> {
  return {
    sessions: await Promise.all(keys.sessions.map((hash) => t.sessions.get(hash))),
    quotes: await Promise.all(keys.quotes.map((id) => t.quotes.get(id))),
    idempotency: await Promise.all(keys.idempotency.map(([userId, key]) => t.idempotency.get(userId, key))),
    refunds: await Promise.all(keys.refunds.map((txId) => t.refunds.get(txId))),
  };
}

/** The parts in which two dumps differ. */
function differingParts(a: Dump, b: Dump): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((name) => a[name] !== b[name]).sort();
}

function sameDump(a: Dump, b: Dump): boolean {
  return differingParts(a, b).length === 0;
}

const verifyCommand: Command = { name: 'verify', actor: null, args: ['verify', '--json'] };

/** `okpay verify --json` on the store: its report without the figures that measure the machine, and its problems. */
async function verified(store: RecordStore, m: Model): Promise<{ report: string; problems: string[] }> {
  const ran = await execute(store, m, verifyCommand, 'verify');
  let doc: { problems?: string[]; seconds?: number; entriesPerSecond?: number; workers?: number };
  try {
    doc = JSON.parse(ran.stdout) as typeof doc;
  } catch {
    return { report: '', problems: [`verify printed no report (exit ${ran.code}): ${ran.stderr}`] };
  }
  const { seconds: _seconds, entriesPerSecond: _rate, workers: _workers, ...report } = doc;
  const problems = [...(doc.problems ?? [])];
  if (ran.code !== 0 && problems.length === 0) problems.push(`verify exited ${ran.code}: ${ran.stderr}`);
  return { report: JSON.stringify(report), problems };
}

/** Balances no customer may have. */
function negativeBalances(d: Dump): string[] {
  const rows = JSON.parse(d['balances'] ?? '[]') as { account: string; currencies: Record<string, number> }[];
  return rows.flatMap(({ account, currencies }) =>
    Object.entries(currencies)
      .filter(([, minor]) => account.startsWith('user:') && minor < 0)
      .map(([currency]) => `${account} is negative in ${currency}`),
  );
}

/**
 * After every step: the memory store passes `verify` (cheap); the file store passes it, and the
 * split store's own check of every file (digests, buckets, indexes, outbox), every few steps and
 * after every fault. Both hold the same records, and then also the same index lookups, new
 * journal entries and mails, and verify report.
 */
async function checkWorlds(world: World, m: Model, seed: number, step: number, c: Command, full: boolean): Promise<void> {
  const keys = keysOf(world.memory.committed);
  const since = full ? world.checked : null;
  const [a, b] = [await dump(world.memory, m, keys, since), await dump(world.file, m, keys, since)];
  const memoryCheck = await verified(world.memory, m);
  const fileCheck = full ? await verified(world.file, m) : null;
  const problems = [
    ...[...memoryCheck.problems, ...negativeBalances(a)].map((p) => `memory: ${p}`),
    ...[...(fileCheck?.problems ?? []), ...(full ? (await world.file.verify()).problems : []), ...negativeBalances(b)].map((p) => `file: ${p}`),
  ];
  const what = `after \`okpay ${c.args.join(' ')}\``;
  if (problems.length > 0) throw new SimulationFailure(seed, step, `${what}:\n${problems.join('\n')}`);
  const differing = differingParts(a, b);
  if (differing.length > 0)
    throw new SimulationFailure(
      seed,
      step,
      `${what} the memory and file stores hold different ${differing.join(', ')}:\n${differing.map((name) => `memory ${name}: ${a[name]}\nfile   ${name}: ${b[name]}`).join('\n')}`,
    );
  if (fileCheck && fileCheck.report !== memoryCheck.report)
    throw new SimulationFailure(seed, step, `${what} verify reports differently:\nmemory: ${memoryCheck.report}\nfile:   ${fileCheck.report}`);
  if (full) world.checked = sinceNow(world.memory);
}

/** Every file of the data directory with its bytes (the lock file aside). */
function snapshotDirectory(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (name === 'okpay.lock') continue;
      if (statSync(full).isDirectory()) walk(full);
      else files.set(path.relative(directory, full), createHash('sha256').update(readFileSync(full)).digest('hex'));
    }
  };
  walk(directory);
  return files;
}

function differences(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((n) => before.get(n) !== after.get(n)).sort();
}

// ---- faults -------------------------------------------------------------------------------------

type Fault = { kind: 'fail' | 'crash'; atStep: number };

function injectedError(step: WriteStep, file: string): Error {
  return Object.assign(new Error(`injected fault before ${step} of ${file}`), { code: 'EIO' });
}

/** Arms the hook: the nth disk step fails (fail), or every step from the nth on fails (crash). */
function arm(fault: Fault): { fired: () => boolean; firstHit: () => string | null } {
  let count = 0;
  let firstHit: string | null = null;
  setFaultHook((step, file) => {
    count += 1;
    if (count === fault.atStep) firstHit = file;
    if (count === fault.atStep || (fault.kind === 'crash' && count > fault.atStep)) throw injectedError(step, file);
  });
  return { fired: () => count >= fault.atStep, firstHit: () => firstHit };
}

// ---- the simulation -----------------------------------------------------------------------------

interface Counters {
  commands: Record<string, number>;
  exitCodes: Record<string, number>;
  failedCommits: number;
  failedAfterCommitPoint: number;
  crashes: number;
  crashesApplied: number;
  crashesDuringRecovery: number;
  clockJumps: number;
}

export async function simulate(options: SimOptions): Promise<SimReport> {
  const rng = new Rng(options.seed);
  const directory = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'okpay-sim-'));
  const nowIso = new Date(START).toISOString();
  const m: Model = { now: START, people: [], tickets: [], transfers: [], withdrawals: [], quotes: [], keys: [], strangers: [] };
  const world: World = {
    memory: new MemoryRecordStore(nowIso, SEGMENT_SIZE),
    file: openFileStore(directory, m),
    directory,
    checked: { journal: 0, audit: 0, mails: 0 },
  };
  const counters: Counters = {
    commands: {},
    exitCodes: {},
    failedCommits: 0,
    failedAfterCommitPoint: 0,
    crashes: 0,
    crashesApplied: 0,
    crashesDuringRecovery: 0,
    clockJumps: 0,
  };
  try {
    await setUp(world, m, options.seed);
    for (let step = 1; step <= options.steps; step += 1) {
      try {
        await simulateStep(world, m, rng, options, step, counters);
      } catch (error) {
        if (error instanceof SimulationFailure) throw error;
        throw new SimulationFailure(options.seed, step, error instanceof Error ? (error.stack ?? error.message) : String(error));
      }
      if (step % 100 === 0)
        options.log?.(
          `  step ${step}: ${m.people.length} people, ${m.tickets.length} tickets, ${counters.failedCommits} failed commits, ${counters.crashes} crashes`,
        );
    }
    const transactions: Record<string, number> = {};
    for (const entry of world.memory.journalEntries) transactions[entry.tx.type] = (transactions[entry.tx.type] ?? 0) + 1;
    return { seed: options.seed, steps: options.steps, ...counters, transactions };
  } finally {
    setFaultHook(null);
    await fs.rm(directory, { recursive: true, force: true });
  }
}

/** An administrator and three agents (tiers 1 to 3), signed in. */
async function setUp(world: World, m: Model, seed: number): Promise<void> {
  const admin: Person = { email: 'ops@sim.example', role: 'admin', active: true, token: null, secret: null, pendingSecret: null, methods: [], resend: false };
  // OKPAY_NOW is honoured only in a test store: both stores become one first.
  const steps: Command[] = [
    { name: 'dev init', actor: null, args: ['dev', 'init'] },
    { name: 'admin init', actor: null, args: ['admin', 'init', '--email', admin.email, '--password-stdin'], stdin: `${PASSWORD}\n` },
    loginCommand(m, admin, new Rng(1)),
  ];
  m.people.push(admin);
  let i = 0;
  for (const c of steps) await both(world, m, c, `${seed}:setup:${i++}`);
  if (!admin.token) throw new Error('the administrator could not sign in');
  for (const tier of [1, 2, 3]) {
    const email = `agent${tier}@sim.example`;
    const reg = registerCommand({ ...m, strangers: [] }, new Rng(tier));
    await both(world, m, { ...reg, args: reg.args.map((a) => (a.endsWith('@sim.example') ? email : a)), after: undefined }, `${seed}:setup:${i++}`);
    const agent: Person = { email, role: 'agent', active: false, token: null, secret: null, pendingSecret: null, methods: [], resend: false };
    m.people.push(agent);
    await both(world, m, activateCommand(world.memory, agent), `${seed}:setup:${i++}`);
    await both(
      world,
      m,
      { name: 'admin agent add', actor: admin, args: ['admin', 'agent', 'add', '--email', email, '--tier', String(tier), '--languages', 'en,zh,es,fr,de'] },
      `${seed}:setup:${i++}`,
    );
    await both(world, m, { ...loginCommand(m, agent, new Rng(tier)), stdin: `${PASSWORD}\n` }, `${seed}:setup:${i++}`);
  }
}

/** Runs a command on both stores, with no fault, and requires the same outcome. */
async function both(world: World, m: Model, c: Command, randomSeed: string): Promise<Result> {
  const a = await execute(world.memory, m, c, randomSeed);
  const b = await execute(world.file, m, c, randomSeed);
  const outputs = (r: Result) => `${r.code}\n${r.stdout.split(world.directory).join('<dir>')}\n${r.stderr.split(world.directory).join('<dir>')}`;
  if (outputs(a).replaceAll('memory', '<dir>') !== outputs(b)) {
    throw new Error(`the stores disagree on \`okpay ${c.args.join(' ')}\`:\nmemory: ${outputs(a)}\nfile:   ${outputs(b)}`);
  }
  c.after?.(a);
  return a;
}

async function simulateStep(world: World, m: Model, rng: Rng, options: SimOptions, step: number, counters: Counters): Promise<void> {
  const next = nextCommand(m, world.memory, rng);
  if (next === 'clock') {
    m.now += rng.pick([MINUTE_MS, 10 * MINUTE_MS, 45 * MINUTE_MS, 5 * 60 * MINUTE_MS, DAY_MS, 3 * DAY_MS, 31 * DAY_MS]);
    counters.clockJumps += 1;
    return;
  }
  counters.commands[next.name] = (counters.commands[next.name] ?? 0) + 1;
  const randomSeed = `${options.seed}:${step}`;
  const fault: Fault | null = rng.chance(options.faultRate) ? { kind: rng.chance(0.5) ? 'fail' : 'crash', atStep: 1 + rng.int(40) } : null;
  const disturbed = counters.crashes + counters.failedAfterCommitPoint;
  const result = fault ? await withFault(world, m, next, randomSeed, fault, rng, counters) : await both(world, m, next, randomSeed);
  if (result) {
    counters.exitCodes[String(result.code)] = (counters.exitCodes[String(result.code)] ?? 0) + 1;
    if (result.code === 3 && next.actor && /SESSION_EXPIRED|NOT_LOGGED_IN/.test(result.stderr)) next.actor.token = null;
    if (result.code === 6 && next.actor && /ACCOUNT_LOCKED/.test(result.stderr)) next.actor.token = null;
    if (result.code === 1) throw new SimulationFailure(options.seed, step, `exit 1 (a bug) from \`okpay ${next.args.join(' ')}\`: ${result.stderr}`);
  }
  // A commit that failed cleanly left every file as it was; a crash or a commit cut short past its commit point did not.
  const full = counters.crashes + counters.failedAfterCommitPoint > disturbed || step % fullCheckSpacing(step) === 0;
  await checkWorlds(world, m, options.seed, step, next, full);
}

/**
 * Steps between full checks: 10 in the first 200 steps, then further apart as the history a full
 * check re-reads grows (20 up to step 400, and so on), so that they do not come to dominate a long
 * run.
 */
function fullCheckSpacing(step: number): number {
  return 10 * Math.ceil(step / 200);
}

/**
 * A store that counts the transactions of one command. It can snapshot the data directory as each
 * one begins, make the nth fail after its work (as a failed commit would: nothing is kept), or
 * refuse every transaction after the nth (as a store that crashed there would).
 */
class Tracked implements RecordStore {
  count = 0;
  snapshot: Map<string, string> | null = null;

  constructor(
    private readonly inner: RecordStore,
    private readonly options: { directory?: string; failAt?: number; stopAfter?: number },
  ) {}

  get location(): string {
    return this.inner.location;
  }

  transaction<T>(work: (t: RecordsTransaction) => Promise<T> | T): Promise<T> {
    this.count += 1;
    if (this.options.directory) this.snapshot = snapshotDirectory(this.options.directory);
    if (this.count > (this.options.stopAfter ?? Infinity))
      return Promise.reject(new AppError('STORE_UNAVAILABLE', 'injected: the store stopped before this transaction'));
    if (this.count !== this.options.failAt) return this.inner.transaction(work);
    return this.inner.transaction(async (t) => {
      await work(t);
      throw new AppError('STORE_UNAVAILABLE', 'injected: this commit failed');
    });
  }

  /** Reads change nothing, so they are neither counted nor made to fail. */
  read<T>(work: (t: RecordsTransaction) => Promise<T> | T): Promise<T> {
    return this.inner.read(work);
  }
}

/** The store as it should be if transaction `at` of a command did not happen, and if it did. */
interface Outcomes {
  readonly keys: Keys;
  readonly since: Since;
  readonly before: Dump;
  readonly failed: Result;
  readonly after: Dump;
  readonly afterResult: Result;
  /** Brings the memory store (left "before") to "after". */
  readonly commit: () => Promise<unknown>;
}

/**
 * Runs the command on the memory store from where it stands, with transaction `at` failing
 * ("before": the transactions ahead of it stand), and with every transaction up to `at` committed
 * and none after ("after"). The memory store is left "before".
 */
async function outcomes(world: World, m: Model, c: Command, randomSeed: string, at: number): Promise<Outcomes> {
  const start = world.memory.checkpoint();
  const since = sinceNow(world.memory);
  const runTo = (options: { failAt?: number; stopAfter?: number }) => {
    start();
    return execute(new Tracked(world.memory, options), m, c, randomSeed);
  };
  const failed = await runTo({ failAt: at });
  if (failed.code !== 10) throw new Error(`the memory store did not fail transaction ${at} of \`okpay ${c.args.join(' ')}\`: exit ${failed.code}`);
  const beforeKinds = world.memory.committed;
  const afterResult = await runTo({ stopAfter: at });
  const keys = keysOf(beforeKinds, world.memory.committed);
  const after = await dump(world.memory, m, keys, since);
  await runTo({ failAt: at });
  return { keys, since, before: await dump(world.memory, m, keys, since), failed, after, afterResult, commit: () => runTo({ stopAfter: at }) };
}

/**
 * One command with a fault in the file store. A transaction the fault hit fails with exit 10; the
 * memory store is then brought to the point the file store kept, which must be the store as that
 * transaction began or as it committed (earlier transactions of the same command, a session
 * touched say, stand).
 */
async function withFault(world: World, m: Model, c: Command, randomSeed: string, fault: Fault, rng: Rng, counters: Counters): Promise<Result> {
  const file = new Tracked(world.file, { directory: world.directory });
  const armed = arm(fault);
  let result: Result;
  try {
    result = await execute(file, m, c, randomSeed);
  } finally {
    setFaultHook(null);
  }
  if (!armed.fired() || result.code !== 10) {
    // The command wrote less than the fault waited for: it ran as usual (the checks that follow hold it to that).
    const expected = await execute(world.memory, m, c, randomSeed);
    if (expected.code !== result.code || expected.stdout !== result.stdout)
      throw new Error(`the stores disagree on \`okpay ${c.args.join(' ')}\` (fault: ${JSON.stringify(fault)})`);
    c.after?.(expected);
    return expected;
  }
  const expected = await outcomes(world, m, c, randomSeed, file.count);
  if (fault.kind === 'fail')
    return afterFailure(world, m, c, { fault, result, snapshot: file.snapshot ?? new Map(), file: armed.firstHit() ?? '' }, expected, counters);
  counters.crashes += 1;
  const kept = await reopenAfterCrash(world, m, expected, rng, counters);
  return keep(c, kept, expected, 'crash', () => (counters.crashesApplied += 1));
}

/**
 * A failed step of a commit. Before the commit point nothing may remain: the data directory is
 * byte for byte as the transaction found it. Past it the command must say that the change was
 * committed, readers see it, and the next writer finishes it.
 */
async function afterFailure(
  world: World,
  m: Model,
  c: Command,
  hit: { fault: Fault; result: Result; snapshot: Map<string, string>; file: string },
  expected: Outcomes,
  counters: Counters,
): Promise<Result> {
  const what = `a failed commit of \`okpay ${c.args.join(' ')}\` (fault at disk step ${hit.fault.atStep})`;
  const seen = await dump(world.file, m, expected.keys, expected.since);
  const saysCommitted = /the change was committed/.test(hit.result.stderr);
  if (!saysCommitted) {
    if (!sameDump(seen, expected.before))
      throw new Error(`${what} changed ${differingParts(seen, expected.before).join(', ')}, and the command did not say so: ${hit.result.stderr}`);
    // Two files may change without changing the store: a stage left by an earlier commit cut short
    // (scratch, never read unless a valid redo names its digest), and the redo record when writing
    // it is what failed: it is made invalid, as it may be half written (the readers above still
    // saw the store as before, so it holds no redo that could be applied).
    const scratch = (name: string) => (name.endsWith('.stage') && hit.snapshot.has(name)) || (name === 'commit.redo' && path.basename(hit.file) === name);
    const changed = differences(hit.snapshot, snapshotDirectory(world.directory)).filter((name) => !scratch(name));
    if (changed.length > 0) throw new Error(`${what} changed ${changed.join(', ')}`);
    counters.failedCommits += 1;
    return expected.failed;
  }
  await world.file.transaction(() => undefined);
  const finished = await dump(world.file, m, expected.keys, expected.since);
  if (!sameDump(seen, finished)) throw new Error(`${what}: finishing the commit changed what readers saw: ${differingParts(seen, finished).join(', ')}`);
  if (!sameDump(finished, expected.after))
    throw new Error(`${what} says the change was committed, but ${differingParts(finished, expected.after).join(', ')} differ from the store after it`);
  return keep(c, finished, expected, 'failure past the commit point', () => (counters.failedAfterCommitPoint += 1));
}

/** The memory store takes the outcome the file store kept, which must be one of the two. */
async function keep(c: Command, kept: Dump, expected: Outcomes, what: string, countApplied: () => void): Promise<Result> {
  if (sameDump(kept, expected.before)) return expected.failed;
  const differing = differingParts(kept, expected.after);
  if (differing.length > 0) {
    const before = differingParts(kept, expected.before);
    throw new Error(
      `after a ${what} in \`okpay ${c.args.join(' ')}\` the store is neither as before (${before.join(', ')} differ) nor as after (${differing.join(', ')} differ):\n${differing.map((name) => `kept  ${name}: ${kept[name]}\nafter ${name}: ${expected.after[name]}`).join('\n')}`,
    );
  }
  await expected.commit();
  countApplied();
  c.after?.(expected.afterResult);
  return expected.afterResult;
}

/**
 * A new SplitFileStore on the same directory, as a new process would open it. Readers see one
 * version before anything is recovered; recovery (the next writer) sometimes crashes too, and is
 * then run again; afterwards readers see the same version. Returns it.
 */
async function reopenAfterCrash(world: World, m: Model, expected: Outcomes, rng: Rng, counters: Counters): Promise<Dump> {
  world.file = openFileStore(world.directory, m);
  const seen = await dump(world.file, m, expected.keys, expected.since);
  if (rng.chance(0.3)) {
    const armed = arm({ kind: 'crash', atStep: 1 + rng.int(4) });
    try {
      await world.file.transaction(() => undefined).catch(() => undefined);
    } finally {
      setFaultHook(null);
    }
    if (armed.fired()) counters.crashesDuringRecovery += 1;
    world.file = openFileStore(world.directory, m);
  }
  await world.file.transaction(() => undefined);
  const recovered = await dump(world.file, m, expected.keys, expected.since);
  const differing = differingParts(seen, recovered);
  if (differing.length > 0)
    throw new Error(
      `after a crash, recovery changed what readers saw:\n${differing.map((name) => `seen      ${name}: ${seen[name]}\nrecovered ${name}: ${recovered[name]}`).join('\n')}`,
    );
  return recovered;
}
