// The deterministic simulator: a seeded random sequence of every operation okpay offers (accounts,
// 2FA, deposits, transfers — same and cross currency, to people without an account, with quotes
// and idempotency keys —, claims, returns, payouts that settle, fail or are cancelled, refunds,
// tickets, locks, identity checks, clock jumps), run in-process through the real commands against
// a MemoryStore and a FileStore side by side. After every step both stores must agree and every
// ledger invariant must hold. The FileStore also suffers injected write failures at random steps
// of its commits: a failed commit must leave the data directory byte for byte as it was, and a
// crash (every write from some step on fails, then the store is reopened) must recover to the state
// before or after the step. A failure names its seed; `SEED=… npm run simulate` replays it.

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, promises as fs, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import currenciesJson from '../../data/currencies.json' with { type: 'json' };
import { bufferIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { otplibTotp, type PasswordHasher, type Totp } from '../../src/cli/security.js';
import { AppError } from '../../src/domain/errors.js';
import { Prng } from '../../src/domain/prng.js';
import { formatAmount } from '../../src/domain/money.js';
import type { State } from '../../src/domain/state.js';
import { pruneWalletRecords } from '../../src/domain/wallet.js';
import { auditChecker, compareWithState, LedgerReplay } from '../../src/domain/verify.js';
import { setFaultHook, type WriteStep } from '../../src/store/durable-file.js';
import { FileStore } from '../../src/store/file-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Store, StoreTransaction } from '../../src/store/store.js';

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
const PASSWORD = 'Harbour-lights-42!';
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
function spend(memory: MemoryStore, me: Person, rng: Rng): { currency: string; amount: string } {
  const user = Object.values(memory.state.users).find((u) => u.email === me.email);
  const held = Object.entries(memory.state.balances[`user:${user?.id ?? ''}`] ?? {}).filter(([, minor]) => minor >= 4);
  if (held.length === 0 || rng.chance(0.15)) {
    const currency = rng.pick(CURRENCIES);
    return { currency, amount: rng.amount(currency) };
  }
  const [code, available] = rng.pick(held);
  const exponent = currenciesJson.currencies.find((c) => c.code === code)?.exponent ?? 2;
  return { currency: code, amount: formatAmount(1 + rng.int(Math.floor(available / 3)), { exponent }) };
}

function transferCommand(m: Model, me: Person, rng: Rng, memory: MemoryStore): Command {
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

function quotedTransfer(m: Model, me: Person, rng: Rng, memory: MemoryStore): Command {
  const mine = m.quotes.filter((q) => q.owner === me.email);
  if (mine.length > 0 && rng.chance(0.6)) {
    return { name: 'transfer --quote', actor: me, args: ['transfer', '--quote', rng.pick(mine).id, '--yes', '--json'], after: (r) => r.code === 0 && m.transfers.push({ id: String(json(r)['transaction']?.['id']), from: me.email }) };
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

function withdrawCommand(m: Model, me: Person, rng: Rng, memory: MemoryStore): Command {
  const { currency, amount } = spend(memory, me, rng);
  const args = ['withdraw', '--method', me.methods.length > 0 ? rng.pick(me.methods) : 'wm_unknown', '--amount', amount, '--currency', currency, '--yes', '--json'];
  return { name: 'withdraw', actor: me, args, after: (r) => r.code === 0 && m.withdrawals.push({ id: String(json(r)['withdrawal']?.['id']), owner: me.email }) };
}

function ticketCommand(m: Model, me: Person, rng: Rng): Command {
  const mine = m.tickets.filter((t) => t.customer === me.email);
  if (mine.length === 0 || rng.chance(0.3)) {
    const args = ['ticket', 'new', '--category', rng.pick(['account', 'funds', 'identity', 'dispute', 'technical', 'feedback']), '--subject', `Question ${rng.int(5)}`, '--body', `Please help with case ${rng.int(5)}.`, '--json'];
    const sent = m.transfers.filter((t) => t.from === me.email);
    if (sent.length > 0 && rng.chance(0.5)) args.push('--tx', rng.pick(sent).id);
    return { name: 'ticket new', actor: me, args, after: (r) => r.code === 0 && m.tickets.push({ number: Number(json(r)['ticket']?.['number']), customer: me.email }) };
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
    return { name: '2fa confirm', actor: me, args: ['2fa', 'confirm', totp.generate(secret, m.now), '--password-stdin', '--json'], stdin: `${PASSWORD}\n`, after: (r) => r.code === 0 && ((me.secret = secret), (me.pendingSecret = null)) };
  }
  if (!me.secret && rng.chance(0.5)) {
    return { name: '2fa enable', actor: me, args: ['2fa', 'enable', '--password-stdin', '--json'], stdin: `${PASSWORD}\n`, after: (r) => r.code === 0 && (me.pendingSecret = String(json(r)['twoFactor']?.['secret'])) };
  }
  if (rng.chance(0.5)) {
    return { name: 'kyc submit', actor: me, args: ['kyc', 'submit', '--document-type', 'passport', '--document-number', `X${1000000 + rng.int(8999999)}`, '--json'] };
  }
  return { name: 'lock', actor: me, args: ['lock', '--reason', 'lost my phone', '--yes', '--json'], after: (r) => r.code === 0 && (me.token = null) };
}

function unlockCommand(m: Model, p: Person): Command {
  const args = ['unlock', '--email', p.email, '--password-stdin', '--json'];
  if (p.secret) args.push('--otp', totp.generate(p.secret, m.now));
  return { name: 'unlock', actor: null, args, stdin: `${PASSWORD}\n` };
}

function activateCommand(memory: MemoryStore, p: Person): Command {
  if (p.resend) return { name: 'activate --resend', actor: null, args: ['activate', '--resend', '--email', p.email, '--json'], after: () => (p.resend = false) };
  const mail = memory.mails.filter((x) => x.to === p.email && x.kind === 'activation').pop();
  const token = /\b(act_[A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1] ?? 'act_missing';
  return { name: 'activate', actor: null, args: ['activate', token, '--json'], after: (r) => (r.code === 0 ? (p.active = true) : (p.resend = true)) };
}

/** The next command: weighted by what the model makes possible. */
function nextCommand(m: Model, memory: MemoryStore, rng: Rng): Command | 'clock' {
  const roll = rng.next();
  const customers = signedIn(m, 'customer');
  const pending = m.people.filter((p) => !p.active);
  const signedOut = m.people.filter((p) => p.active && p.token === null);
  if (roll < 0.05) return 'clock';
  if (roll < 0.1 || m.people.length < 6) return registerCommand(m, rng);
  if ((roll < 0.14 || customers.length === 0) && pending.length > 0) return activateCommand(memory, rng.pick(pending));
  if ((roll < 0.2 || customers.length === 0) && signedOut.length > 0) return rng.chance(0.2) ? unlockCommand(m, rng.pick(signedOut)) : loginCommand(m, rng.pick(signedOut), rng);
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
  return { name: rng.pick(['balance', 'history', 'logout']), actor: me, args: [rng.pick(['balance', 'history', 'logout']), '--json'], after: (r) => r.code === 0 && r.stdout === '' && (me.token = null) };
}

// ---- running a command in both worlds ---------------------------------------------------------

interface World {
  memory: MemoryStore;
  file: FileStore;
  readonly directory: string;
}

async function execute(store: Store, m: Model, c: Command, randomSeed: string): Promise<Result> {
  const io = bufferIO(c.stdin === undefined ? {} : { stdin: c.stdin });
  const env: Record<string, string> = { OKPAY_NOW: new Date(m.now).toISOString(), OKPAY_BCRYPT_COST: '4' };
  if (c.actor?.token) env['OKPAY_SESSION'] = c.actor.token;
  const noSession = { read: async () => null, write: async () => undefined, clear: async () => undefined };
  const code = await run(c.args, { io, env, openStore: () => store, random: new Prng(randomSeed), passwords: fastHasher, totp: seededTotp(randomSeed), session: noSession });
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** The state as both stores should hold it (the file store also records segment sizes). */
function comparable(state: State): string {
  return JSON.stringify({ ...state, meta: { ...state.meta, journal: { ...state.meta.journal, bytes: 0 }, audit: { ...state.meta.audit, bytes: 0 } } });
}

interface Inspection {
  readonly state: State;
  readonly problems: string[];
  readonly mails: number;
}

/**
 * Every ledger invariant, through a transaction that changes nothing (it may run recovery). Not
 * `full`: only the state and the outbox, without re-reading the journal and the audit log.
 */
async function inspect(store: Store, full = true): Promise<Inspection> {
  return store.transaction(async (t) => {
    const problems: string[] = [];
    if (!full) return { state: structuredClone(t.state), problems, mails: -1 };
    const replay = new LedgerReplay(t.journal.segmentSize, problems);
    let segment = 0;
    for await (const entries of t.journal.scan()) replay.addSegment(segment++, entries, `journal segment ${segment}`);
    replay.chain.finish(t.journal.head());
    compareWithState(t.state, replay.balances, problems);
    const audits = auditChecker(t.journal.segmentSize, problems);
    segment = 0;
    for await (const entries of t.auditLog.scan()) audits.addSegment(segment++, entries, `audit segment ${segment}`);
    audits.finish(t.auditLog.head());
    for (const [account, row] of Object.entries(t.state.balances)) {
      for (const [currency, amount] of Object.entries(row)) if (account.startsWith('user:') && amount < 0) problems.push(`${account} is negative in ${currency}`);
    }
    return { state: structuredClone(t.state), problems, mails: (await t.outbox.list()).length };
  });
}

/** Every file of the data directory with its bytes (the lock and session files aside). */
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
function arm(fault: Fault): { fired: () => boolean } {
  let count = 0;
  setFaultHook((step, file) => {
    count += 1;
    if (count === fault.atStep || (fault.kind === 'crash' && count > fault.atStep)) throw injectedError(step, file);
  });
  return { fired: () => count >= fault.atStep };
}

// ---- the simulation -----------------------------------------------------------------------------

interface Counters {
  commands: Record<string, number>;
  exitCodes: Record<string, number>;
  failedCommits: number;
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
  const world: World = { memory: new MemoryStore(nowIso, SEGMENT_SIZE), file: new FileStore(directory, { now: () => new Date(m.now), segmentSize: SEGMENT_SIZE }), directory };
  const counters: Counters = { commands: {}, exitCodes: {}, failedCommits: 0, crashes: 0, crashesApplied: 0, crashesDuringRecovery: 0, clockJumps: 0 };
  try {
    await setUp(world, m, options.seed);
    for (let step = 1; step <= options.steps; step += 1) {
      try {
        await simulateStep(world, m, rng, options, step, counters);
      } catch (error) {
        if (error instanceof SimulationFailure) throw error;
        throw new SimulationFailure(options.seed, step, error instanceof Error ? (error.stack ?? error.message) : String(error));
      }
      if (step % 100 === 0) options.log?.(`  step ${step}: ${m.people.length} people, ${m.tickets.length} tickets, ${counters.failedCommits} failed commits, ${counters.crashes} crashes`);
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
  const steps: Command[] = [{ name: 'dev init', actor: null, args: ['dev', 'init'] }, { name: 'admin init', actor: null, args: ['admin', 'init', '--email', admin.email, '--password-stdin'], stdin: `${PASSWORD}\n` }, loginCommand(m, admin, new Rng(1))];
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
    await both(world, m, { name: 'admin agent add', actor: admin, args: ['admin', 'agent', 'add', '--email', email, '--tier', String(tier), '--languages', 'en,zh,es,fr,de'] }, `${seed}:setup:${i++}`);
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
  const fault: Fault | null = rng.chance(options.faultRate) ? { kind: rng.chance(0.5) ? 'fail' : 'crash', atStep: 1 + rng.int(10) } : null;
  const result = fault ? await withFault(world, m, next, randomSeed, fault, rng, counters) : await both(world, m, next, randomSeed);
  if (result) {
    counters.exitCodes[String(result.code)] = (counters.exitCodes[String(result.code)] ?? 0) + 1;
    if (result.code === 3 && next.actor && /SESSION_EXPIRED|NOT_LOGGED_IN/.test(result.stderr)) next.actor.token = null;
    if (result.code === 6 && next.actor && /ACCOUNT_LOCKED/.test(result.stderr)) next.actor.token = null;
    if (result.code === 1) throw new SimulationFailure(options.seed, step, `exit 1 (a bug) from \`okpay ${next.args.join(' ')}\`: ${result.stderr}`);
  }
  // The file store's chains are re-read in full every few steps and after every fault.
  await checkWorlds(world, options.seed, step, next, fault !== null || step % 10 === 0);
}

async function checkWorlds(world: World, seed: number, step: number, c: Command, full: boolean): Promise<void> {
  // The memory store is cheap to check in full: every invariant after every step.
  const a = await inspect(world.memory, true);
  const b = await inspect(world.file, full);
  const problems = [...a.problems.map((p) => `memory: ${p}`), ...b.problems.map((p) => `file: ${p}`)];
  if (problems.length > 0) throw new SimulationFailure(seed, step, `after \`okpay ${c.args.join(' ')}\`:\n${problems.join('\n')}`);
  if (comparable(a.state) !== comparable(b.state) || (full && a.mails !== b.mails)) {
    throw new SimulationFailure(seed, step, `after \`okpay ${c.args.join(' ')}\` the memory and file stores hold different states`);
  }
}

/**
 * A store that counts the transactions of one command. It can snapshot the data directory as each
 * one begins, or make the nth fail after its work (as a failed commit would: nothing is kept).
 */
class Tracked implements Store {
  count = 0;
  snapshot: Map<string, string> | null = null;

  constructor(
    private readonly inner: Store,
    private readonly options: { directory?: string; failAt?: number },
  ) {}

  get location(): string {
    return this.inner.location;
  }

  transaction<T>(work: (t: StoreTransaction) => Promise<T> | T): Promise<T> {
    this.count += 1;
    if (this.options.directory) this.snapshot = snapshotDirectory(this.options.directory);
    if (this.count !== this.options.failAt) return this.inner.transaction(work);
    return this.inner.transaction(async (t) => {
      await work(t);
      throw new AppError('STORE_UNAVAILABLE', 'injected: this commit failed');
    });
  }

  /** Reads change nothing, so they are neither counted nor made to fail. */
  read<T>(work: (t: StoreTransaction) => Promise<T> | T): Promise<T> {
    return this.inner.read(work);
  }
}

/** The memory store's contents, to put back after a trial run. */
function saveMemory(memory: MemoryStore): () => void {
  const state = structuredClone(memory.state);
  const [journal, audit, mails] = [memory.journalEntries.length, memory.auditEntries.length, memory.mails.length];
  return () => {
    memory.state = structuredClone(state);
    memory.journalEntries.length = journal;
    memory.auditEntries.length = audit;
    memory.mails.length = mails;
  };
}

/**
 * One command with a fault in the file store. The transaction the fault hit must fail with exit
 * 10 and leave the data directory byte for byte as it was when that transaction began (earlier
 * transactions of the same command, a session touched say, stand). A crash is followed by
 * reopening the store, which must come back to the state before or after that transaction. The
 * memory store is brought to the same point.
 */
async function withFault(world: World, m: Model, c: Command, randomSeed: string, fault: Fault, rng: Rng, counters: Counters): Promise<Result | null> {
  const file = new Tracked(world.file, { directory: world.directory });
  const armed = arm(fault);
  let result: Result;
  try {
    result = await execute(file, m, c, randomSeed);
  } finally {
    setFaultHook(null);
  }
  if (!armed.fired() || result.code !== 10) {
    // The command wrote less than the fault waited for, or the fault hit the flush after its commit
    // point: either way it ran as usual (the state comparison that follows holds it to that).
    const expected = await execute(world.memory, m, c, randomSeed);
    if (expected.code !== result.code || expected.stdout !== result.stdout) throw new Error(`the stores disagree on \`okpay ${c.args.join(' ')}\` (fault: ${JSON.stringify(fault)})`);
    c.after?.(expected);
    return expected;
  }
  const restoreStart = saveMemory(world.memory);
  const failed = await execute(new Tracked(world.memory, { failAt: file.count }), m, c, randomSeed);
  if (failed.code !== 10) throw new Error(`the memory store did not fail transaction ${file.count} of \`okpay ${c.args.join(' ')}\`: exit ${failed.code}`);
  if (fault.kind === 'fail') {
    counters.failedCommits += 1;
    const changed = differences(file.snapshot ?? new Map(), snapshotDirectory(world.directory));
    if (changed.length > 0) throw new Error(`a failed commit of \`okpay ${c.args.join(' ')}\` (fault at disk step ${fault.atStep}) changed ${changed.join(', ')}`);
    return failed;
  }
  counters.crashes += 1;
  await reopenAfterCrash(world, m, rng, counters);
  return reconcile(world, m, c, randomSeed, counters, restoreStart);
}

/** A new FileStore on the same directory, sometimes crashing again during its recovery. */
async function reopenAfterCrash(world: World, m: Model, rng: Rng, counters: Counters): Promise<void> {
  const open = () => new FileStore(world.directory, { now: () => new Date(m.now), segmentSize: SEGMENT_SIZE });
  world.file = open();
  if (rng.chance(0.3)) {
    const armed = arm({ kind: 'crash', atStep: 1 + rng.int(4) });
    try {
      await inspect(world.file).catch(() => undefined);
    } finally {
      setFaultHook(null);
    }
    if (armed.fired()) counters.crashesDuringRecovery += 1;
    world.file = open();
  }
}

/**
 * After a crash the file store must hold the ledger as it was before or after the crashed
 * transaction (the memory store now holds "before"; "after" is the whole command run again from
 * the start); the memory store then takes over exactly
 * what the file store kept.
 */
async function reconcile(world: World, m: Model, c: Command, randomSeed: string, counters: Counters, restoreStart: () => void): Promise<Result> {
  const recovered = await inspect(world.file);
  if (recovered.problems.length > 0) throw new Error(`after a crash in \`okpay ${c.args.join(' ')}\` the reopened store fails its checks:\n${recovered.problems.join('\n')}`);
  const memory = world.memory;
  const before = structuredClone(memory.state);
  const restore = saveMemory(memory);
  restoreStart();
  const outcomeAfter = await execute(memory, m, c, randomSeed);
  const after = memory.state;
  const journal = recovered.state.meta.journal;
  const applied = journal.seq !== before.meta.journal.seq || comparable(recovered.state) === comparable(after);
  const what = `after a crash in \`okpay ${c.args.join(' ')}\``;
  if (!applied && comparable(recovered.state) !== comparable(before)) throw new Error(`${what} no journal entry was redone, yet the state is not as before`);
  if (applied && (ledgerOf(recovered.state, m.now) !== ledgerOf(after, m.now) || journal.hash !== after.meta.journal.hash)) throw new Error(`${what} the journal was redone into a different ledger`);
  const audit = recovered.state.meta.audit;
  if (![before, after].some((s) => s.meta.audit.seq === audit.seq && s.meta.audit.hash === audit.hash)) throw new Error(`${what} the audit log ends at entry ${audit.seq}, neither as before nor as after`);
  if (![before, after].some((s) => s.meta.mailSeq === recovered.state.meta.mailSeq)) throw new Error(`${what} the outbox ends at mail ${recovered.state.meta.mailSeq}, neither as before nor as after`);
  if (!applied) restore();
  // Take over exactly what the file store kept: the chains up to its heads, its mails and its state.
  memory.journalEntries.length = journal.seq;
  memory.auditEntries.length = recovered.state.meta.audit.seq;
  memory.mails.length = recovered.mails;
  memory.state = structuredClone(recovered.state);
  memory.state.meta = { ...memory.state.meta, journal: { ...journal, bytes: 0 }, audit: { ...recovered.state.meta.audit, bytes: 0 } };
  if (applied) {
    counters.crashesApplied += 1;
    c.after?.(outcomeAfter);
  }
  return outcomeAfter;
}

/**
 * The part of the state the journal determines: what recovery must rebuild exactly. Expired
 * records are pruned first: a command prunes them as it goes, and redoing its journal entries
 * does not (they go at the next command instead).
 */
function ledgerOf(state: State, nowMs: number): string {
  const pruned = structuredClone(state);
  pruneWalletRecords(pruned, nowMs);
  return JSON.stringify([pruned.balances, pruned.idempotency, pruned.unclaimed, pruned.withdrawals, pruned.refunds, pruned.limitWindows]);
}
