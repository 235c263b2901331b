// The crash suite: many okpay processes transfer, withdraw, deposit and reply to tickets at once
// on one data directory while some of them are killed with SIGKILL (at random moments, and a few
// milliseconds after someone takes the store lock, to land inside a commit). Afterwards the store
// must open, `okpay verify` must be clean, every acknowledged operation must be there exactly once,
// nothing refused may have moved money, and every balance must be the initial balance plus exactly
// the operations found. Locks left by the dead are timed: the next writer takes one over as soon as
// it finds its holder dead (src/store/lock.ts), never waiting for it to grow stale.
//
// `npm run stress` runs the long version (options: --operations N --concurrency N --kill-rate F
// --seed S); test/e2e/crash.test.ts runs a short one inside `npm test`.

import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, promises as fs, readFileSync, rmSync, symlinkSync, watch, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The project root: found upwards, so this file also runs compiled (npm run stress). */
const ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));
const NOW = '2026-11-23T10:00:00.000Z';
const PASSWORD = 'Crash-test-2026!';

export interface CrashOptions {
  readonly operations: number;
  readonly concurrency: number;
  /** Share of operations whose process is killed. */
  readonly killRate: number;
  /** Share of those killed a few ms after they begin writing the store (the rest: at random). */
  readonly writeKillShare: number;
  readonly users: number;
  readonly seed: number;
  /** Dead holders' lock recoveries to time in a separate, controlled phase. */
  readonly lockProbes: number;
  readonly log?: (line: string) => void;
}

export interface CrashReport {
  readonly operations: number;
  readonly killed: number;
  /** Killed a few ms after they began writing the store. */
  readonly killedWhileWriting: number;
  readonly acknowledged: number;
  readonly refused: number;
  readonly unknown: number;
  readonly unknownApplied: number;
  /** Acknowledged but missing: must be 0. */
  readonly lost: number;
  /** Refused but applied anyway: must be 0. */
  readonly phantom: number;
  /** Applied more than once: must be 0. */
  readonly duplicated: number;
  /** Refusals with exit 1 or without a one-line message: must be 0. */
  readonly badRefusals: string[];
  /** Every other mismatch found (balances, history vs journal, verify): must be empty. */
  readonly problems: string[];
  /** Refusals by the store itself (busy, unavailable), which a storm should not cause: listed for a look. */
  readonly storeRefusals: string[];
  readonly refusalCodes: Record<string, number>;
  /** Locks seen held by a process this run had killed. */
  readonly staleLocksSeen: number;
  /** From the kill of a lock's holder until another process held the lock. */
  readonly worstStormLockRecoveryMs: number;
  readonly worstStaleLockRecoveryMs: number;
  readonly probeRecoveryMs: number[];
  /** The same command with no dead holder's lock in its way, run after each probe. */
  readonly probeBaselineMs: number[];
  readonly slowestAcknowledgedMs: number;
  readonly seconds: number;
}

type OpKind = 'transfer' | 'cross' | 'withdraw' | 'deposit' | 'reply' | 'refused';

interface Op {
  readonly index: number;
  readonly kind: OpKind;
  readonly user: number;
  readonly args: string[];
  /** The memo / ticket body / amount that identifies it afterwards. */
  readonly mark: string;
  readonly amountMinor: number;
  outcome: 'acknowledged' | 'refused' | 'unknown';
  exitCode: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  found: number;
}

interface Customer {
  readonly email: string;
  readonly id: string;
  readonly ticket: number;
  token: string;
  methodId: string;
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'bin', 'okpay.js'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`bin/okpay.js not found above ${from}`);
  }
}

// ---- a seeded generator (the same seed gives the same operations) -------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- running okpay --------------------------------------------------------------------------

/**
 * A private copy of the built program, so that a rebuild in the working tree during a long run
 * cannot hand some processes half a bundle. Dependencies are linked, not copied.
 */
function snapshotBuild(into: string): string {
  for (const part of ['bin', 'dist', 'data', 'package.json']) cpSync(path.join(ROOT, part), path.join(into, part), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(into, 'node_modules'));
  return into;
}

let BUILD = ROOT;

interface Spawned {
  readonly pid: number;
  readonly done: Promise<RunResult>;
  kill(): boolean;
}

function start(home: string, args: readonly string[], options: { token?: string; stdin?: string } = {}): Spawned {
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: process.env['HOME'], OKPAY_HOME: home, OKPAY_NOW: NOW, OKPAY_BCRYPT_COST: '4' };
  if (options.token) env['OKPAY_SESSION'] = options.token;
  const began = performance.now();
  const child = spawn(process.execPath, [path.join(BUILD, 'bin', 'okpay.js'), ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.stdin ?? '');
  const done = new Promise<RunResult>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: performance.now() - began });
    });
  });
  return { pid: child.pid ?? -1, done, kill: () => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL') };
}

async function okpay(home: string, args: readonly string[], options: { token?: string; stdin?: string } = {}): Promise<RunResult> {
  const result = await start(home, args, options).done;
  if (result.code !== 0) throw new Error(`okpay ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return result;
}

async function okpayJson<T>(home: string, args: readonly string[], token?: string): Promise<T> {
  return JSON.parse((await okpay(home, [...args, '--json'], token === undefined ? {} : { token })).stdout) as T;
}

// ---- the store before the storm --------------------------------------------------------------

function fixtureFile(home: string, users: number): string {
  const customers = Array.from({ length: users }, (_, i) => ({
    name: `c${i}`,
    email: `crash${i}@example.com`,
    password: PASSWORD,
    fullName: `Crash Tester ${letters(i)}`,
    country: 'US',
    kyc: 'approved',
    balances: { USD: '5000.00', EUR: '3000.00' },
    at: '-3d',
  }));
  const tickets = customers.map((c, i) => ({
    name: `t${i}`,
    customer: c.name,
    category: 'funds',
    subject: `Crash test ticket ${i}`,
    body: `A ticket that customer ${i} keeps replying to.`,
    at: '-1d',
  }));
  const file = path.join(home, '..', `${path.basename(home)}-fixture.json`);
  writeFileSync(file, JSON.stringify({ users: customers, tickets }));
  return file;
}

/** Names may hold letters only: 0 → A, 25 → Z, 26 → AA. */
function letters(n: number): string {
  return (n >= 26 ? letters(Math.floor(n / 26) - 1) : '') + String.fromCharCode(65 + (n % 26));
}

async function prepare(home: string, users: number): Promise<Customer[]> {
  const file = fixtureFile(home, users);
  const names = JSON.parse((await okpay(home, ['fixtures', 'load', file])).stdout) as Record<string, string | number>;
  rmSync(file, { force: true });
  const customers: Customer[] = [];
  for (let i = 0; i < users; i += 1) {
    const email = `crash${i}@example.com`;
    const token = (await okpay(home, ['login', '--email', email, '--password-stdin', '--raw'], { stdin: `${PASSWORD}\n` })).stdout.trim();
    const { method } = await okpayJson<{ method: { id: string } }>(
      home,
      ['withdraw', 'methods', 'add', 'ewallet', '--provider', 'PayPal', '--account', email],
      token,
    );
    customers.push({ email, id: String(names[`c${i}`]), ticket: Number(names[`t${i}`]), token, methodId: method.id });
  }
  return customers;
}

// ---- the operations ---------------------------------------------------------------------------

function money(minor: number): string {
  return `${Math.floor(minor / 100)}.${(minor % 100).toString().padStart(2, '0')}`;
}

function makeOps(count: number, customers: readonly Customer[], random: () => number, runId: string): Op[] {
  const kinds: [OpKind, number][] = [
    ['transfer', 0.36],
    ['cross', 0.14],
    ['withdraw', 0.16],
    ['deposit', 0.08],
    ['reply', 0.18],
    ['refused', 0.08],
  ];
  const ops: Op[] = [];
  for (let index = 0; index < count; index += 1) {
    let roll = random();
    const kind = (kinds.find(([, share]) => (roll -= share) < 0) ?? kinds[0]!)[0];
    const user = Math.floor(random() * customers.length);
    const payee = customers[(user + 1 + Math.floor(random() * (customers.length - 1))) % customers.length]!;
    // Every money operation has its own amount, so it can be told apart in the history.
    const amountMinor = 100 + index;
    const mark = `crash-${runId}-${index}`;
    ops.push({
      index,
      kind,
      user,
      args: argsFor(kind, customers[user]!, payee, money(amountMinor), mark),
      mark,
      amountMinor,
      outcome: 'unknown',
      exitCode: null,
      stdout: '',
      stderr: '',
      ms: 0,
      found: 0,
    });
  }
  return ops;
}

function argsFor(kind: OpKind, me: Customer, payee: Customer, amount: string, mark: string): string[] {
  switch (kind) {
    case 'transfer':
      return ['transfer', '--to', payee.email, '--amount', amount, '--currency', 'USD', '--memo', mark, '--idempotency-key', mark, '--yes', '--json'];
    case 'cross':
      return ['transfer', '--to', payee.email, '--amount', amount, '--currency', 'USD', '--to-currency', 'EUR', '--memo', mark, '--yes', '--json'];
    case 'refused':
      // Nobody holds GBP: always INSUFFICIENT_FUNDS, and it must move nothing.
      return ['transfer', '--to', payee.email, '--amount', amount, '--currency', 'GBP', '--memo', mark, '--yes', '--json'];
    case 'withdraw':
      return ['withdraw', '--method', me.methodId, '--amount', amount, '--currency', 'USD', '--yes', '--json'];
    case 'deposit':
      return ['deposit', '--amount', amount, '--currency', 'EUR', '--source', 'bank', '--json'];
    case 'reply':
      return ['ticket', 'reply', String(me.ticket), '--body', mark, '--json'];
  }
}

// ---- the storm --------------------------------------------------------------------------------

interface Storm {
  killed: number;
  killedWriting: number;
  /** When each killed process was killed (pid → ms since the epoch). */
  readonly killedAt: Map<number, number>;
  readonly running: Map<number, Spawned>;
  /** Operations to kill while they write (pid → op index). */
  readonly writeVictims: Map<number, number>;
}

async function runStorm(
  home: string,
  ops: Op[],
  customers: readonly Customer[],
  options: CrashOptions,
  random: () => number,
  killedAt: Map<number, number>,
): Promise<Storm> {
  const storm: Storm = { killed: 0, killedWriting: 0, killedAt, running: new Map(), writeVictims: new Map() };
  const stopWatch = watchWrites(home, (pid) => killWriter(storm, pid, random));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ops.length) {
      const op = ops[next]!;
      next += 1;
      await runOp(home, op, customers, storm, options, random);
      if (op.index % 50 === 49) options.log?.(`  ${op.index + 1}/${ops.length} operations, ${storm.killed} processes killed`);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  stopWatch();
  return storm;
}

async function runOp(home: string, op: Op, customers: readonly Customer[], storm: Storm, options: CrashOptions, random: () => number): Promise<void> {
  const child = start(home, op.args, { token: customers[op.user]!.token });
  storm.running.set(op.index, child);
  let timer: NodeJS.Timeout | null = null;
  if (random() < options.killRate) {
    // Some die a few ms after they start writing the store, the others at a random moment.
    if (random() < options.writeKillShare) storm.writeVictims.set(child.pid, op.index);
    else timer = setTimeout(() => kill(storm, op.index), Math.floor(random() * 700));
  }
  const result = await child.done;
  if (timer) clearTimeout(timer);
  storm.running.delete(op.index);
  storm.writeVictims.delete(child.pid);
  op.exitCode = result.code;
  op.stdout = result.stdout;
  op.stderr = result.stderr;
  op.ms = result.ms;
  op.outcome = result.signal === 'SIGKILL' ? 'unknown' : result.code === 0 ? 'acknowledged' : 'refused';
}

function kill(storm: Storm, index: number): boolean {
  const child = storm.running.get(index);
  const killed = child?.kill() ?? false;
  if (child && killed) {
    storm.killed += 1;
    storm.killedAt.set(child.pid, Date.now());
  }
  return killed;
}

function killWriter(storm: Storm, pid: number, random: () => number): void {
  const index = storm.writeVictims.get(pid);
  if (index === undefined) return;
  storm.writeVictims.delete(pid);
  setTimeout(
    () => {
      if (kill(storm, index)) storm.killedWriting += 1;
    },
    Math.floor(random() * 51),
  );
}

/**
 * Calls back with the pid of a process that starts writing a store file: every durable write goes
 * through a temporary file named `.<file>.<pid>.tmp` (src/store/durable-file.ts).
 */
function watchWrites(home: string, onWrite: (pid: number) => void): () => void {
  const watchers = ['', 'journal', 'audit', 'index', 'mails'].map((sub) => {
    const directory = path.join(home, sub);
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    return watch(directory, (_event, name) => {
      const pid = /\.([0-9]+)\.tmp$/.exec(String(name ?? ''))?.[1];
      if (pid) onWrite(Number(pid));
    });
  });
  return () => watchers.forEach((w) => w.close());
}

// ---- dead holders' locks ------------------------------------------------------------------------

interface StaleLockMonitor {
  seen: number;
  worstMs: number;
  stop(): void;
}

/**
 * Watches the lock's owner record (okpay.lock/owner: pid, token): a lock held by a process this
 * run killed is recovered when it holds another owner's token, or none. Its recovery time runs from
 * the kill (a dead holder's lock is taken over as soon as a waiter finds the holder gone).
 */
function monitorStaleLocks(home: string, killedAt: ReadonlyMap<number, number>): StaleLockMonitor {
  const ownerFile = path.join(home, 'okpay.lock', 'owner');
  let watching: { token: string; since: number } | null = null;
  const monitor: StaleLockMonitor = { seen: 0, worstMs: 0, stop: () => clearInterval(timer) };
  const timer = setInterval(() => {
    let owner: { pid: number; token: string } | null = null;
    try {
      owner = JSON.parse(readFileSync(ownerFile, 'utf8')) as { pid: number; token: string };
    } catch {
      owner = null;
    }
    if (watching !== null && owner?.token !== watching.token) {
      monitor.worstMs = Math.max(monitor.worstMs, Date.now() - watching.since);
      watching = null;
    }
    const since = owner === null ? undefined : killedAt.get(owner.pid);
    if (watching === null && owner !== null && since !== undefined) {
      watching = { token: owner.token, since };
      monitor.seen += 1;
    }
  }, 20);
  return monitor;
}

/**
 * Kills a process while it holds the lock, then times how long the next writing command takes, and
 * the same command again with the lock free.
 */
async function probeStaleLock(home: string, token: string): Promise<[number, number]> {
  const holder = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    const { acquireStoreLock } = await import(${JSON.stringify(pathToFileURL(path.join(BUILD, 'dist', 'store', 'lock.js')).href)});
    await acquireStoreLock(${JSON.stringify(home)});
    process.stdout.write('held\\n');
    setInterval(() => undefined, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    holder.stdout.on('data', () => resolve());
    holder.on('exit', () => reject(new Error('the lock holder exited before taking the lock')));
  });
  holder.kill('SIGKILL');
  // A command that writes (reads go without the lock): it finds the holder dead and takes its lock over.
  const result = await start(home, ['profile', 'set', '--name', 'Crash Tester A', '--json'], { token }).done;
  if (result.code !== 0) throw new Error(`after a dead holder's lock, profile set failed: ${result.stderr}`);
  const baseline = await start(home, ['profile', 'set', '--name', 'Crash Tester A', '--json'], { token }).done;
  return [result.ms, baseline.ms];
}

// ---- checking what happened --------------------------------------------------------------------

interface HistoryTx {
  id: string;
  type: string;
  amount: string | null;
  currency: string | null;
  memo: string | null;
  net: { currency: string; amount: string }[];
}

type Balances = Record<string, { available: number; held: number }>;

function minorOf(text: string): number {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = text.replace('-', '').split('.');
  const value = Number(whole) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2));
  return negative ? -value : value;
}

async function balancesOf(home: string, token: string): Promise<Balances> {
  const { balances } = await okpayJson<{ balances: { currency: string; available: string; held: string }[] }>(home, ['balance'], token);
  return Object.fromEntries(balances.map((b) => [b.currency, { available: minorOf(b.available), held: minorOf(b.held) }]));
}

async function historyOf(home: string, token: string): Promise<HistoryTx[]> {
  const all: HistoryTx[] = [];
  for (let page = 1; ; page += 1) {
    const { transactions } = await okpayJson<{ transactions: HistoryTx[] }>(home, ['history', '--limit', '500', '--page', String(page)], token);
    all.push(...transactions);
    if (transactions.length < 500) return all;
  }
}

interface Snapshot {
  readonly balances: Balances[];
  readonly txIds: Set<string>[];
}

async function snapshot(home: string, customers: readonly Customer[]): Promise<Snapshot> {
  const balances: Balances[] = [];
  const txIds: Set<string>[] = [];
  for (const c of customers) {
    balances.push(await balancesOf(home, c.token));
    txIds.push(new Set((await historyOf(home, c.token)).map((t) => t.id)));
  }
  return { balances, txIds };
}

/** Which operation a transaction in a customer's history belongs to. */
function opOf(tx: HistoryTx, byMark: Map<string, Op>, byAmount: Map<number, Op>): Op | undefined {
  if (tx.memo !== null && byMark.has(tx.memo)) return byMark.get(tx.memo);
  const op = tx.amount === null ? undefined : byAmount.get(minorOf(tx.amount));
  const kinds: Record<string, OpKind> = { deposit: 'deposit', 'withdrawal.hold': 'withdraw' };
  return op && kinds[tx.type] === op.kind ? op : undefined;
}

async function checkCustomers(home: string, ops: Op[], customers: readonly Customer[], before: Snapshot, problems: string[]): Promise<void> {
  const byMark = new Map(ops.map((op) => [op.mark, op]));
  const byAmount = new Map(ops.map((op) => [op.amountMinor, op]));
  for (const [i, c] of customers.entries()) {
    const expected: Record<string, number> = {};
    for (const [currency, b] of Object.entries(before.balances[i]!)) expected[currency] = b.available + b.held;
    for (const tx of await historyOf(home, c.token)) {
      if (before.txIds[i]!.has(tx.id)) continue;
      const op = opOf(tx, byMark, byAmount);
      if (!op) {
        problems.push(`${c.email}: ${tx.id} (${tx.type} ${tx.amount ?? ''} ${tx.currency ?? ''}) belongs to no operation of this run`);
        continue;
      }
      // A transfer shows in the histories of both sides; count it once, from its sender's side.
      if (op.user === i) op.found += 1;
      for (const n of tx.net) expected[n.currency] = (expected[n.currency] ?? 0) + minorOf(n.amount);
    }
    for (const [currency, b] of Object.entries(await balancesOf(home, c.token))) {
      const total = b.available + b.held;
      if (total !== (expected[currency] ?? 0))
        problems.push(
          `${c.email}: ${currency} balance is ${money(total)}, expected ${money(expected[currency] ?? 0)} from the initial balance and the operations found`,
        );
    }
  }
}

async function checkReplies(home: string, ops: Op[], customers: readonly Customer[]): Promise<void> {
  const byMark = new Map(ops.filter((op) => op.kind === 'reply').map((op) => [op.mark, op]));
  for (const c of customers) {
    const { ticket } = await okpayJson<{ ticket: { messages: { body: string }[] } }>(home, ['ticket', 'show', String(c.ticket)], c.token);
    for (const message of ticket.messages) {
      const op = byMark.get(message.body.trim());
      if (op) op.found += 1;
    }
  }
}

function checkAcknowledged(ops: readonly Op[], problems: string[]): void {
  for (const op of ops) {
    if (op.outcome !== 'acknowledged' || op.kind === 'reply') continue;
    const doc = JSON.parse(op.stdout) as Record<string, { amount?: string }>;
    const amount = (doc['transaction'] ?? doc['withdrawal'] ?? doc['deposit'])?.amount;
    if (amount !== undefined && minorOf(amount) !== op.amountMinor)
      problems.push(`operation ${op.index} (${op.kind}) acknowledged ${amount}, expected ${money(op.amountMinor)}`);
  }
}

function badRefusal(op: Op): string | null {
  if (op.outcome !== 'refused') return null;
  const lines = op.stderr.trim().split('\n');
  const documented = op.exitCode !== null && op.exitCode >= 2 && op.exitCode <= 10 && op.exitCode !== 9;
  if (!documented || lines.length !== 1 || /^\s+at /m.test(op.stderr))
    return `operation ${op.index} (${op.kind}) exit ${op.exitCode}: ${op.stderr.trim().slice(0, 300)}`;
  return null;
}

async function verifyStore(home: string, problems: string[]): Promise<void> {
  const result = await start(home, ['verify', '--json']).done;
  if (result.code !== 0) problems.push(`okpay verify exit ${result.code}: ${result.stderr.trim().slice(0, 2000)}`);
}

// ---- the whole suite ----------------------------------------------------------------------------

export async function runCrashSuite(options: CrashOptions): Promise<CrashReport> {
  const began = performance.now();
  const home = mkdtempSync(path.join(os.tmpdir(), 'okpay-crash-'));
  const build = mkdtempSync(path.join(os.tmpdir(), 'okpay-crash-build-'));
  const log = options.log ?? (() => undefined);
  try {
    BUILD = snapshotBuild(build);
    const random = mulberry32(options.seed);
    const customers = await prepare(home, options.users);
    const before = await snapshot(home, customers);
    const ops = makeOps(options.operations, customers, random, options.seed.toString(36));
    log(
      `store ready: ${customers.length} customers; running ${ops.length} operations, ${options.concurrency} at a time, killing about ${Math.round(options.killRate * 100)}%`,
    );
    const killedAt = new Map<number, number>();
    const monitor = monitorStaleLocks(home, killedAt);
    const storm = await runStorm(home, ops, customers, options, random, killedAt);
    const probes: [number, number][] = [];
    for (let i = 0; i < options.lockProbes; i += 1) probes.push(await probeStaleLock(home, customers[0]!.token));
    monitor.stop();
    const problems: string[] = [];
    await verifyStore(home, problems);
    await checkCustomers(home, ops, customers, before, problems);
    await checkReplies(home, ops, customers);
    checkAcknowledged(ops, problems);
    return report(ops, storm, problems, monitor, probes, (performance.now() - began) / 1000);
  } finally {
    BUILD = ROOT;
    await fs.rm(home, { recursive: true, force: true });
    await fs.rm(build, { recursive: true, force: true });
  }
}

function report(ops: Op[], storm: Storm, problems: string[], monitor: StaleLockMonitor, probes: [number, number][], seconds: number): CrashReport {
  const probeRecoveryMs = probes.map(([recovery]) => recovery);
  const count = (test: (op: Op) => boolean) => ops.filter(test).length;
  const refusalCodes: Record<string, number> = {};
  for (const op of ops) {
    if (op.outcome !== 'refused') continue;
    const code = /"code":"([A-Z_]+)"/.exec(op.stderr)?.[1] ?? `exit ${op.exitCode}`;
    refusalCodes[code] = (refusalCodes[code] ?? 0) + 1;
  }
  return {
    operations: ops.length,
    killed: storm.killed,
    killedWhileWriting: storm.killedWriting,
    acknowledged: count((op) => op.outcome === 'acknowledged'),
    refused: count((op) => op.outcome === 'refused'),
    unknown: count((op) => op.outcome === 'unknown'),
    unknownApplied: count((op) => op.outcome === 'unknown' && op.found > 0),
    lost: count((op) => op.outcome === 'acknowledged' && op.found === 0),
    phantom: count((op) => op.outcome === 'refused' && op.found > 0),
    duplicated: count((op) => op.found > 1),
    badRefusals: ops.map(badRefusal).filter((line): line is string => line !== null),
    storeRefusals: ops
      .filter((op) => op.outcome === 'refused' && /"code":"STORE_/.test(op.stderr))
      .map((op) => `operation ${op.index} (${op.kind}): ${op.stderr.trim().slice(0, 400)}`),
    problems,
    refusalCodes,
    staleLocksSeen: monitor.seen,
    worstStormLockRecoveryMs: Math.round(monitor.worstMs),
    worstStaleLockRecoveryMs: Math.round(Math.max(monitor.worstMs, ...probeRecoveryMs, 0)),
    probeRecoveryMs: probeRecoveryMs.map(Math.round),
    probeBaselineMs: probes.map(([, baseline]) => Math.round(baseline)),
    slowestAcknowledgedMs: Math.round(Math.max(0, ...ops.filter((op) => op.outcome === 'acknowledged').map((op) => op.ms))),
    seconds: Number(seconds.toFixed(1)),
  };
}

// ---- npm run stress -------------------------------------------------------------------------------

function option(argv: readonly string[], name: string, fallback: number): number {
  const at = argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a non-negative number`);
  return value;
}

async function main(argv: readonly string[]): Promise<number> {
  const options: CrashOptions = {
    operations: option(argv, 'operations', 600),
    concurrency: option(argv, 'concurrency', 8),
    killRate: option(argv, 'kill-rate', 0.25),
    writeKillShare: option(argv, 'write-kill-share', 0.5),
    users: option(argv, 'users', 8),
    seed: option(argv, 'seed', Date.now() % 1_000_000),
    lockProbes: option(argv, 'lock-probes', 3),
    log: (line) => console.log(line),
  };
  console.log(`okpay crash suite (seed ${options.seed}; replay with: npm run stress -- --seed ${options.seed})`);
  const r = await runCrashSuite(options);
  console.log(`operations run:        ${r.operations}`);
  console.log(`processes killed:      ${r.killed} (${r.killedWhileWriting} while writing the store)`);
  console.log(`acknowledged:          ${r.acknowledged}`);
  console.log(`refused:               ${r.refused}  ${JSON.stringify(r.refusalCodes)}`);
  console.log(`killed, outcome found: ${r.unknownApplied} of ${r.unknown} applied`);
  console.log(`lost:                  ${r.lost}`);
  console.log(`refused but applied:   ${r.phantom}`);
  console.log(`applied twice:         ${r.duplicated}`);
  console.log(
    `dead holders' locks:   ${r.staleLocksSeen} taken over during the storm (worst ${r.worstStormLockRecoveryMs} ms after the kill); probes ${r.probeRecoveryMs.join(', ')} ms (a whole writing command; the same with the lock free: ${r.probeBaselineMs.join(', ')} ms)`,
  );
  console.log(`worst lock recovery:   ${r.worstStaleLockRecoveryMs} ms (a dead holder on this machine is seen dead at once)`);
  console.log(`slowest acknowledged:  ${r.slowestAcknowledgedMs} ms`);
  console.log(`time:                  ${r.seconds} s`);
  for (const line of r.storeRefusals) console.log(`note: ${line}`);
  for (const line of [...r.badRefusals, ...r.problems]) console.log(`PROBLEM: ${line}`);
  const failed = r.lost + r.phantom + r.duplicated + r.badRefusals.length + r.problems.length > 0;
  console.log(failed ? 'FAILED' : 'passed: nothing acknowledged was lost, nothing refused moved money');
  return failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
