#!/usr/bin/env node
// npm run bench: okpay against its floor and its targets. These machines are noisy, so every figure
// is a ratio or a rate measured side by side in one run, with medians over repeated runs. Updates
// its figures in docs/BENCHMARKS.md (bench/report.mjs: the text around them is kept) and prints a
// table. Options: --quick (100,000 journal entries instead of 1,000,000 for the large store, and a
// tenth of the large store's users and tickets), --keep (keep the stores in the temporary
// directory), --startup (only the start-up and read figures, printed; docs/BENCHMARKS.md is left as
// it is), --scale (only the figures at size, printed), --postgres (only the PostgreSQL store
// against the file store, printed), --batch (only the two batch rows, printed; run from another
// checkout's bench/run.mjs, it measures that checkout). The PostgreSQL rows use the server named by
// OKPAY_TEST_DATABASE_URL (a role that may create databases), or else a throwaway cluster of their
// own (scripts/pg-cluster.mjs, as the tests make one) with PostgreSQL's durable defaults, since the
// file store fsyncs every commit too.

import { execFile } from 'node:child_process';
import { hash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { postgresBinaries, startCluster } from '../scripts/pg-cluster.mjs';
import { updateReport } from './report.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'okpay.js');
const QUICK = process.argv.includes('--quick');
const KEEP = process.argv.includes('--keep');
const STARTUP_ONLY = process.argv.includes('--startup');
/** --scale: only the figures at size (issue 14), printed; docs/BENCHMARKS.md is left as it is. */
const SCALE_ONLY = process.argv.includes('--scale');
/** --postgres: only the PostgreSQL rows (issue 19), printed. */
const POSTGRES_ONLY = process.argv.includes('--postgres');
/** --batch: only `transfer --batch` into the file store and into PostgreSQL, printed. */
const BATCH_ONLY = process.argv.includes('--batch');
const BIG = QUICK ? 100_000 : 1_000_000;
const SMALL = 1_000;
const USERS = 1_000;
/** The store of a payment service at size, against a small one (issue 14's targets). */
const SCALE = QUICK ? { users: 20_000, transactions: 100_000, tickets: 5_000 } : { users: 200_000, transactions: 1_000_000, tickets: 50_000 };
const SCALE_SMALL = { users: 50, transactions: 1_000, tickets: 50 };
const NOW = '2026-11-23T10:00:00.000Z';
const PASSWORD = 'Bench-pass-2026!';
const WORK = mkdtempSync(path.join(os.tmpdir(), 'okpay-bench-'));
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
// Set-up hashes passwords at bcrypt cost 4; nothing measured below hashes a password.
const ENV = { PATH: process.env.PATH, HOME: process.env.HOME, OKPAY_NOW: NOW, OKPAY_BCRYPT_COST: '4' };

function run(args, { home, session, stdin, env: extra = {}, command = [process.execPath, BIN] } = {}) {
  return new Promise((resolve) => {
    const env = { ...ENV, ...extra, ...(home ? { OKPAY_HOME: home } : {}), ...(session ? { OKPAY_SESSION: session } : {}) };
    const [file, ...prefix] = command;
    const started = process.hrtime.bigint();
    const child = execFile(file, [...prefix, ...args], { env, maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, ms });
    });
    child.stdin.end(stdin ?? '');
  });
}

async function must(args, options) {
  const result = await run(args, options);
  if (result.code !== 0) throw new Error(`okpay ${args.join(' ')} exited ${result.code}: ${result.stderr.trim().slice(0, 400)}`);
  return result;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/** Runs two commands alternately and returns the median time of each. */
async function sideBySide(a, b, rounds) {
  const times = { a: [], b: [] };
  for (let i = 0; i < rounds; i += 1) {
    times.a.push((await a()).ms);
    times.b.push((await b()).ms);
  }
  return { a: median(times.a), b: median(times.b) };
}

const nodeFloor = () => run(['-e', '0'], { command: [process.execPath] });

function store(name) {
  const home = path.join(WORK, name);
  mkdirSync(home, { recursive: true });
  return home;
}

/** A fixture store: `payers` verified customers with money, and `payees`, all in one country and currency. */
async function fixtureStore(name, payers, payees, env = {}) {
  const user = (prefix, i, balances) => ({
    name: `${prefix}${i}`,
    email: `${prefix}${i}@bench.example`,
    password: PASSWORD,
    country: 'US',
    language: 'en',
    kyc: 'approved',
    balances,
  });
  const fixture = {
    users: [
      ...Array.from({ length: payers }, (_, i) => user('payer', i, { USD: '10000.00' })),
      ...Array.from({ length: payees }, (_, i) => user('payee', i, {})),
    ],
  };
  const file = path.join(WORK, `${name}.json`);
  writeFileSync(file, JSON.stringify(fixture));
  const home = store(name);
  await must(['fixtures', 'load', file], { home, env });
  return home;
}

async function signIn(home, email, password = PASSWORD, env = {}) {
  const first = await run(['login', '--email', email, '--password-stdin', '--raw'], { home, env, stdin: `${password}\n` });
  if (first.code === 0) return first.stdout.trim();
  if (!/two-step|2fa|one-time/i.test(first.stderr)) throw new Error(`okpay login --email ${email} exited ${first.code}: ${first.stderr.trim().slice(0, 300)}`);
  const otp = (await must(['dev', 'otp', '--email', email], { home, env })).stdout.trim();
  return (await must(['login', '--email', email, '--password-stdin', '--raw', '--otp', otp], { home, env, stdin: `${password}\n` })).stdout.trim();
}

async function balanceOf(home, session, currency, env = {}) {
  const doc = JSON.parse((await must(['balance', '--json'], { home, session, env })).stdout);
  return doc.balances.find((b) => b.currency === currency)?.available ?? '0.00';
}

async function generated(name, transactions, users = USERS, tickets = 50) {
  const home = store(name);
  const result = await must(
    ['fixtures', 'generate', '--users', String(users), '--transactions', String(transactions), '--tickets', String(tickets), '--seed', 'bench'],
    { home },
  );
  return { home, summary: JSON.parse(result.stdout), seconds: result.ms / 1000 };
}

/** A generated customer with 2FA off, verified, and money in their currency; and someone to pay. */
function actors(summary) {
  const users = summary.sampleUsers;
  const sender = users.find((u) => !u.twoFactor && u.kyc === 'approved') ?? users[0];
  const recipient = users.find((u) => u.email !== sender.email);
  return { sender, recipient, password: sender.password };
}

async function peakRssKb(args, options) {
  const result = await run(['-f', '%M', process.execPath, BIN, ...args], { ...options, command: [TIME] });
  return Number(result.stderr.trim().split('\n').pop());
}

const figures = [];
/** Reference points measured in the same run: what a figure is up against (not targets). */
const references = {};
function add(figure, how, measured, target, pass) {
  figures.push({ figure, how, measured, target, pass });
  console.log(`${pass ? 'met    ' : 'NOT met'}  ${figure.padEnd(17)} ${measured.padEnd(58)} target ${target}`);
}

async function startupAndRead() {
  const startup = await sideBySide(() => run(['--version']), nodeFloor, 30);
  add(
    'start-up',
    '`okpay --version` against `node -e 0`',
    `${(startup.a / startup.b).toFixed(2)}× (${startup.a.toFixed(0)} ms vs ${startup.b.toFixed(0)} ms)`,
    '≤ 1.3×',
    startup.a / startup.b <= 1.3,
  );
  const home = store('read');
  await must(['fixtures', 'load', path.join(ROOT, 'data', 'fixtures', 'demo.json')], { home });
  const session = await signIn(home, 'lena.mueller@example.de', 'Demo-pass-2026!');
  const read = await sideBySide(() => run(['balance', '--json'], { home, session }), nodeFloor, 30);
  add(
    'a read',
    '`okpay balance --json` (demo store) against `node -e 0`',
    `${(read.a / read.b).toFixed(2)}× (${read.a.toFixed(0)} ms vs ${read.b.toFixed(0)} ms)`,
    '≤ 2.0×',
    read.a / read.b <= 2.0,
  );
  // The floor of any read: a script that only reads and parses the store's root (store.json, which every read opens) and prints.
  const script = path.join(WORK, 'read-floor.cjs');
  writeFileSync(
    script,
    "const s = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8')); process.stdout.write(JSON.stringify(Object.keys(s)) + '\\n');\n",
  );
  const floor = await sideBySide(() => run([script, path.join(home, 'store.json')], { command: [process.execPath] }), nodeFloor, 30);
  references.readOwn = `${(read.a - read.b).toFixed(0)} ms`;
  references.read = `a script that only reads, parses and prints the same store.json: ${(floor.a / floor.b).toFixed(2)}× (${floor.a.toFixed(0)} ms)`;
}

async function history() {
  const small = await generated('small', SMALL);
  const big = await generated('big', BIG);
  const rate = BIG / big.seconds;
  add(
    'generator',
    `\`fixtures generate\` of ${BIG.toLocaleString('en')} entries`,
    `${Math.round(rate).toLocaleString('en')} entries/s (${big.seconds.toFixed(1)} s in all)`,
    '≥ 16,000/s',
    rate >= 16_000,
  );
  const at = {};
  for (const [name, generatedStore] of [
    ['small', small],
    ['big', big],
  ]) {
    const who = actors(generatedStore.summary);
    at[name] = { home: generatedStore.home, who, session: await signIn(generatedStore.home, who.sender.email, who.password) };
  }
  const transfer = (s) => () =>
    run(['transfer', '--to', s.who.recipient.email, '--amount', s.who.sender.currency === 'JPY' ? '1' : '0.01', '--currency', s.who.sender.currency, '--yes'], {
      home: s.home,
      session: s.session,
    });
  const flat = await sideBySide(transfer(at.big), transfer(at.small), 15);
  add(
    'history flatness',
    `\`okpay transfer\` at ${BIG.toLocaleString('en')} vs ${SMALL.toLocaleString('en')} entries`,
    `${(flat.a / flat.b).toFixed(2)}× (${flat.a.toFixed(0)} ms vs ${flat.b.toFixed(0)} ms)`,
    '≤ 1.5×',
    flat.a / flat.b <= 1.5,
  );
  if (TIME) {
    const rss = { big: [], small: [] };
    for (let i = 0; i < 5; i += 1) {
      for (const name of ['big', 'small']) {
        const s = at[name];
        rss[name].push(
          await peakRssKb(
            [
              'transfer',
              '--to',
              s.who.recipient.email,
              '--amount',
              s.who.sender.currency === 'JPY' ? '1' : '0.01',
              '--currency',
              s.who.sender.currency,
              '--yes',
            ],
            { home: s.home, session: s.session },
          ),
        );
      }
    }
    const ratio = median(rss.big) / median(rss.small);
    add(
      'memory',
      `peak RSS of a transfer at ${BIG.toLocaleString('en')} vs ${SMALL.toLocaleString('en')} entries`,
      `${ratio.toFixed(2)}× (${Math.round(median(rss.big) / 1024)} MiB vs ${Math.round(median(rss.small) / 1024)} MiB)`,
      '≤ 1.2×',
      ratio <= 1.2,
    );
  }
  const command = await timedCommand(['verify', '--json'], { home: big.home });
  const verify = JSON.parse(command.stdout);
  references.verify = hashFloor(big.home);
  references.verifyThread = await verifyThreadAlone(big.home);
  references.verifyEntries = verify.checked.journalEntries;
  references.verifySeconds = verify.seconds;
  references.verifyThreads = Math.max(verify.workers, 1);
  references.state = `the largest record file is ${(largestRecordFile(big.home) / 1024).toFixed(0)} KiB at ${BIG.toLocaleString('en')} entries and ${(largestRecordFile(small.home) / 1024).toFixed(0)} KiB at ${SMALL.toLocaleString('en')}`;
  add(
    'verify',
    `entries checked per second at ${BIG.toLocaleString('en')} entries, the whole check: the journal on its threads, then every file of the store`,
    `${verify.entriesPerSecond.toLocaleString('en')}/s (${verify.checked.journalEntries.toLocaleString('en')} in ${verify.seconds} s, ${verify.workers} threads; the command ${command.wall}${command.cpu ? `, ${command.cpu}` : ''})`,
    '≥ 250,000/s',
    verify.entriesPerSecond >= 250_000 && verify.ok,
  );
}

/** The size of the largest bucket file under records/: what one commit may rewrite at most. */
function largestRecordFile(home) {
  let largest = 0;
  const walk = (directory) => {
    for (const name of readdirSync(directory)) {
      const file = path.join(directory, name);
      const stat = statSync(file);
      if (stat.isDirectory()) walk(file);
      else largest = Math.max(largest, stat.size);
    }
  };
  walk(path.join(home, 'records'));
  return largest;
}

/**
 * Issue 14's targets: the commands people run most, on a store the size of a payment service
 * against a 50-user one, side by side; the generator's time for the large one; and a sign-in at
 * bcrypt cost 12 that must not hold the store lock while another user pays.
 */
async function scale() {
  const big = await generated('scale-big', SCALE.transactions, SCALE.users, SCALE.tickets);
  const small = await generated('scale-small', SCALE_SMALL.transactions, SCALE_SMALL.users, SCALE_SMALL.tickets);
  const size = `${SCALE.users.toLocaleString('en')} users, ${SCALE.transactions.toLocaleString('en')} entries, ${SCALE.tickets.toLocaleString('en')} tickets`;
  add('generate at size', `\`fixtures generate\` of ${size}`, `${big.seconds.toFixed(1)} s`, '< 90 s', big.seconds < 90);
  const at = {};
  for (const [name, s] of [
    ['big', big],
    ['small', small],
  ]) {
    const who = actors(s.summary);
    const agent = s.summary.agentLogin;
    at[name] = {
      home: s.home,
      who,
      session: await signIn(s.home, who.sender.email, who.password),
      agent: await signIn(s.home, agent.email, agent.password),
      admin: await signIn(s.home, s.summary.admin.email, s.summary.admin.password),
    };
  }
  const open = Object.entries(big.summary.tickets.byStatus)
    .filter(([status]) => ['new', 'open', 'pending', 'on-hold'].includes(status))
    .reduce((sum, [, n]) => sum + n, 0);
  references.scale = `${size} (${open.toLocaleString('en')} open) against ${SCALE_SMALL.users} users, ${SCALE_SMALL.transactions.toLocaleString('en')} entries, ${SCALE_SMALL.tickets} tickets`;
  const pay = (s) => [
    'transfer',
    '--to',
    s.who.recipient.email,
    '--amount',
    s.who.sender.currency === 'JPY' ? '1' : '0.01',
    '--currency',
    s.who.sender.currency,
    '--yes',
  ];
  const commands = [
    ['balance', (s) => run(['balance', '--json'], { home: s.home, session: s.session })],
    ['whoami', (s) => run(['whoami', '--json'], { home: s.home, session: s.session })],
    ['transfer', (s) => run(pay(s), { home: s.home, session: s.session })],
    ['history', (s) => run(['history', '--json'], { home: s.home, session: s.session })],
    ['ticket show', (s) => run(['ticket', 'show', '1', '--json'], { home: s.home, session: s.agent })],
    ['agent queue', (s) => run(['agent', 'queue', '--json'], { home: s.home, session: s.agent })],
    // The first run (the warm-up below) moves what the generated store left due; later runs find nothing due.
    ['admin settle', (s) => run(['admin', 'settle', '--json'], { home: s.home, session: s.admin })],
  ];
  for (const [name, command] of commands) {
    const first = await command(at.big);
    if (first.code !== 0) throw new Error(`${name} on the large store exited ${first.code}: ${first.stderr.trim().slice(0, 300)}`);
    const times = await sideBySide(
      () => command(at.big),
      () => command(at.small),
      15,
    );
    add(
      `at size: ${name}`,
      `\`okpay ${name}\` on the large store against the small one`,
      `${(times.a / times.b).toFixed(2)}× (${times.a.toFixed(0)} ms vs ${times.b.toFixed(0)} ms)`,
      '≤ 1.3×',
      times.a / times.b <= 1.3,
    );
  }
  if (TIME) {
    const rss = { big: [], small: [] };
    for (let i = 0; i < 5; i += 1)
      for (const name of ['big', 'small']) rss[name].push(await peakRssKb(pay(at[name]), { home: at[name].home, session: at[name].session }));
    const ratio = median(rss.big) / median(rss.small);
    add(
      'at size: memory',
      'peak RSS of a transfer, large store against small',
      `${ratio.toFixed(2)}× (${Math.round(median(rss.big) / 1024)} MiB vs ${Math.round(median(rss.small) / 1024)} MiB)`,
      '≤ 1.3×',
      ratio <= 1.3,
    );
  }
  await signInOutsideLock();
}

/** A sign-in at bcrypt cost 12 runs while another user pays: the payment must not wait for it. */
async function signInOutsideLock() {
  const home = await fixtureStore('sign-in', 2, 1);
  // The payer signs in at the cheap test cost; the person signing in meanwhile has a cost-12 hash.
  const session = await signIn(home, 'payer0@bench.example');
  const slowFixture = path.join(WORK, 'slow-user.json');
  writeFileSync(
    slowFixture,
    JSON.stringify({
      users: [{ name: 'slow', email: 'slow@bench.example', password: PASSWORD, country: 'US', language: 'en', kyc: 'approved', balances: {} }],
    }),
  );
  await must(['fixtures', 'load', slowFixture], { home, env: { OKPAY_BCRYPT_COST: '12' } });
  const pay = () => run(['transfer', '--to', 'payee0@bench.example', '--amount', '0.01', '--currency', 'USD', '--yes'], { home, session });
  const alone = [];
  const during = [];
  let finishedFirst = 0;
  for (let i = 0; i < 7; i += 1) {
    alone.push((await pay()).ms);
    const signInStarted = Date.now();
    const signingIn = run(['login', '--email', 'slow@bench.example', '--password-stdin', '--raw'], { home, stdin: `${PASSWORD}\n` });
    // The payment starts once the sign-in is surely hashing (well after start-up, well before the end).
    await new Promise((resolve) => setTimeout(resolve, 120));
    const paid = await pay();
    const paidAt = Date.now();
    const login = await signingIn;
    if (login.code !== 0) throw new Error(`the cost-12 sign-in failed: ${login.stderr.trim()}`);
    during.push(paid.ms);
    if (paidAt < signInStarted + login.ms) finishedFirst += 1;
  }
  const ratio = median(during) / median(alone);
  add(
    'sign-in vs lock',
    'a transfer while a cost-12 sign-in runs, against one alone',
    `${ratio.toFixed(2)}× (${median(during).toFixed(0)} ms vs ${median(alone).toFixed(0)} ms); finished before the sign-in ${finishedFirst}/7 times`,
    '≤ 1.5×, finishes first',
    ratio <= 1.5 && finishedFirst === 7,
  );
}

/** A command's output, wall time and (with /usr/bin/time) CPU time, as text. */
async function timedCommand(args, options) {
  if (!TIME) {
    const result = await must(args, options);
    return { stdout: result.stdout, wall: `${(result.ms / 1000).toFixed(2)} s`, cpu: null };
  }
  const result = await run(['-f', '%e %U %S', process.execPath, BIN, ...args], { ...options, command: [TIME] });
  if (result.code !== 0) throw new Error(`okpay ${args.join(' ')} exited ${result.code}: ${result.stderr.trim().slice(0, 400)}`);
  const [wall, user, system] = result.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { stdout: result.stdout, wall: `${wall.toFixed(2)} s`, cpu: `${(user + system).toFixed(2)} s of CPU` };
}

/** One verify thread over the whole journal, and nothing else (the files are verify's main thread's): its entries per second. */
async function verifyThreadAlone(home) {
  const directory = path.join(home, 'journal');
  const root = JSON.parse(readFileSync(path.join(home, 'store.json'), 'utf8'));
  const files = readdirSync(directory)
    .filter((name) => /^[0-9]+\.json$/.test(name))
    .sort()
    .map((name) => ({ segment: Number(name.slice(0, -'.json'.length)), file: path.join(directory, name) }));
  const task = { segmentSize: root.body.meta.segmentSize, files, lastSeq: root.body.meta.journal.seq, indexes: true };
  const started = process.hrtime.bigint();
  const result = await new Promise((resolve, reject) => {
    const worker = new Worker(path.join(ROOT, 'dist', 'bundle', 'verify-worker.cjs'), { workerData: task });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return result.count / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** SHA-256 alone, one entry at a time as verify must (each hash needs the one before), on one core. */
function hashFloor(home) {
  const directory = path.join(home, 'journal');
  const bytes = readdirSync(directory).reduce((sum, name) => sum + statSync(path.join(directory, name)).size, 0);
  const entrySize = Math.round(bytes / BIG);
  const entry = Buffer.alloc(entrySize, 0x61);
  const rounds = 200_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i += 1) hash('sha256', entry, 'hex');
  const perSecond = rounds / (Number(process.hrtime.bigint() - started) / 1e9);
  return { entrySize, perSecond };
}

/** The PostgreSQL server of the run: the one named, or a throwaway cluster started on first use. */
let server = null;
const databases = [];

function pgServer() {
  const named = process.env.OKPAY_TEST_DATABASE_URL;
  server ??= named ? { url: named, stop: () => undefined } : startCluster(postgresBinaries(), { durable: true });
  return server;
}

/** The same server and role, another database (a socket URL like postgres://role@/db?host=/dir has no host for URL()). */
function withDatabase(adminUrl, name) {
  const match = /^(postgres(?:ql)?:\/\/[^/?]*)(?:\/[^?]*)?(\?.*)?$/.exec(adminUrl);
  if (!match) throw new Error('OKPAY_TEST_DATABASE_URL is not a postgres:// URL');
  return `${match[1]}/${name}${match[2] ?? ''}`;
}

async function admin(sql) {
  const client = new pg.Client({ connectionString: pgServer().url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database for one store; dropped at the end of the run. */
async function database(name) {
  const db = `okpay_bench_${process.pid}_${name.replace(/[^a-z0-9]/g, '_')}`;
  await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${db}`);
  databases.push(db);
  return withDatabase(pgServer().url, db);
}

async function dropDatabases() {
  if (!server) return;
  for (const db of databases.splice(0)) await admin(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
  server.stop();
  server = null;
}

/** A fixture store (see fixtureStore) in a data directory, or in a database of its own when `postgres`. */
async function fixtureAt(name, payers, payees, postgres) {
  const env = postgres ? { OKPAY_DATABASE_URL: await database(name) } : {};
  return { home: await fixtureStore(name, payers, payees, env), env, label: postgres ? 'PostgreSQL' : 'file store' };
}

/** Runs a command that must succeed: a refused command would be timed as a fast one. */
const succeeding = (command) => async () => {
  const result = await command();
  if (result.code !== 0) throw new Error(`a timed command exited ${result.code}: ${result.stderr.trim().slice(0, 300)}`);
  return result;
};

/** One transfer and one balance on PostgreSQL against the same on the file store, alternately. */
async function postgresAgainstFile() {
  const stores = { file: await fixtureAt('pg-file', 1, 1, false), postgres: await fixtureAt('pg-db', 1, 1, true) };
  for (const s of Object.values(stores)) s.session = await signIn(s.home, 'payer0@bench.example', PASSWORD, s.env);
  const commands = [
    ['PG transfer', '`transfer --yes`', ['transfer', '--to', 'payee0@bench.example', '--amount', '0.01', '--currency', 'USD', '--yes']],
    ['PG balance', '`balance --json`', ['balance', '--json']],
  ];
  for (const [figure, what, args] of commands) {
    const on = (s) => succeeding(() => run(args, { home: s.home, session: s.session, env: s.env }));
    await on(stores.postgres)();
    const times = await sideBySide(on(stores.postgres), on(stores.file), 15);
    const ratio = times.a / times.b;
    add(
      figure,
      `${what} on PostgreSQL against the file store`,
      `${ratio.toFixed(2)}× (${times.a.toFixed(0)} ms vs ${times.b.toFixed(0)} ms)`,
      '≤ 1.5×',
      ratio <= 1.5,
    );
  }
}

async function batch(postgres = false) {
  const s = await fixtureAt(postgres ? 'batch-pg' : 'batch', 1, 50, postgres);
  const session = await signIn(s.home, 'payer0@bench.example', PASSWORD, s.env);
  const rows = ['to,amount,currency,memo,reference'];
  for (let i = 0; i < 10_000; i += 1) rows.push(`payee${i % 50}@bench.example,0.01,USD,bench,row-${i}`);
  const file = path.join(WORK, 'batch.csv');
  writeFileSync(file, `${rows.join('\n')}\n`);
  const result = await must(['transfer', '--batch', file, '--yes', '--json'], { home: s.home, session, env: s.env });
  const paid = JSON.parse(result.stdout).batch.paid;
  const rate = 10_000 / (result.ms / 1000);
  add(
    postgres ? 'PG batch' : 'batch payouts',
    `\`transfer --batch\` of 10,000 rows into ${s.label} (one process, start to end)`,
    `${Math.round(rate).toLocaleString('en')} rows/s (${(result.ms / 1000).toFixed(2)} s, ${paid} paid)`,
    '≥ 5,000/s',
    rate >= 5_000 && paid === 10_000,
  );
}

const WORKERS = 8;
/** Transfers one after another that the parallel rate is measured against (a rate: fewer suffice). */
const SEQUENTIAL = 80;
const EACH = 50;

/**
 * 8 processes × 50 transfers at once, each payer paying a payee of their own (no two touch the same
 * account), against transfers one after another; every one acknowledged, none lost, verify clean.
 * Returns the parallel rate, for the other store's row.
 */
async function parallel(postgres, fileRate) {
  const s = await fixtureAt(postgres ? 'parallel-pg' : 'parallel', WORKERS, WORKERS, postgres);
  const sessions = [];
  const payees = [];
  for (let i = 0; i < WORKERS; i += 1) {
    sessions.push(await signIn(s.home, `payer${i}@bench.example`, PASSWORD, s.env));
    payees.push(await signIn(s.home, `payee${i}@bench.example`, PASSWORD, s.env));
  }
  const pay = (worker, key) =>
    run(['transfer', '--to', `payee${worker}@bench.example`, '--amount', '0.01', '--currency', 'USD', '--idempotency-key', key, '--yes'], {
      home: s.home,
      session: sessions[worker],
      env: s.env,
    });
  // Acknowledged transfers per payee, one after another and then at once.
  const perPayee = Array.from({ length: WORKERS }, () => 0);
  const sequentialStart = Date.now();
  let sequentialOk = 0;
  for (let i = 0; i < SEQUENTIAL; i += 1) {
    if ((await pay(i % WORKERS, `s${i}`)).code !== 0) continue;
    sequentialOk += 1;
    perPayee[i % WORKERS] += 1;
  }
  const sequentialMs = Date.now() - sequentialStart;
  const concurrentStart = Date.now();
  const counts = await Promise.all(
    Array.from({ length: WORKERS }, async (_, worker) => {
      let ok = 0;
      for (let i = 0; i < EACH; i += 1) ok += (await pay(worker, `c${i}`)).code === 0 ? 1 : 0;
      return ok;
    }),
  );
  const concurrentMs = Date.now() - concurrentStart;
  counts.forEach((ok, worker) => (perPayee[worker] += ok));
  const lost = await lostCents(s, perPayee, payees);
  const clean = (await run(['verify'], { home: s.home, env: s.env })).code === 0;
  const rate = (WORKERS * EACH) / (concurrentMs / 1000);
  const ratio = rate / (SEQUENTIAL / (sequentialMs / 1000));
  const acknowledged = counts.reduce((a, b) => a + b, 0);
  const exact = lost === 0 && acknowledged === WORKERS * EACH && sequentialOk === SEQUENTIAL && clean;
  const measured = `${ratio.toFixed(2)}× its sequential rate (${rate.toFixed(1)}/s vs ${(SEQUENTIAL / (sequentialMs / 1000)).toFixed(1)}/s)${postgres ? `, ${(rate / fileRate).toFixed(2)}× the file store's ${fileRate.toFixed(1)}/s` : ''}; ${acknowledged}/${WORKERS * EACH} acknowledged, ${lost} lost, verify ${clean ? 'clean' : 'FAILED'}`;
  if (postgres)
    add(
      'PG parallel',
      `${WORKERS} processes × ${EACH} transfers between different users at once`,
      measured,
      '≥ 1.7× sequential, > file store',
      ratio >= 1.7 && rate > fileRate && exact,
    );
  else
    add(
      'contention',
      `${WORKERS} processes × ${EACH} transfers between different users at once, against ${SEQUENTIAL} one after another`,
      measured,
      'no lost update; ≥ 0.7×',
      ratio >= 0.7 && exact,
    );
  return rate;
}

/** Cents missing from (or extra in) the payees' balances given how many transfers each was acknowledged (0.01 each). */
async function lostCents(s, acknowledgedPerPayee, payeeSessions) {
  let lost = 0;
  for (const [i, acknowledged] of acknowledgedPerPayee.entries()) {
    const session = payeeSessions[i];
    const received = Math.round(Number(await balanceOf(s.home, session, 'USD', s.env)) * 100);
    lost += Math.abs(acknowledged - received);
  }
  return lost;
}

/** 8 processes paying one hot account at once on PostgreSQL: its balance exact to the cent. */
async function hotAccount() {
  const s = await fixtureAt('hot-pg', WORKERS, 1, true);
  const sessions = [];
  for (let i = 0; i < WORKERS; i += 1) sessions.push(await signIn(s.home, `payer${i}@bench.example`, PASSWORD, s.env));
  const hot = await signIn(s.home, 'payee0@bench.example', PASSWORD, s.env);
  const started = Date.now();
  const counts = await Promise.all(
    sessions.map(async (session, worker) => {
      let ok = 0;
      for (let i = 0; i < 25; i += 1) {
        const result = await run(
          ['transfer', '--to', 'payee0@bench.example', '--amount', '0.01', '--currency', 'USD', '--idempotency-key', `h${worker}-${i}`, '--yes'],
          {
            home: s.home,
            session,
            env: s.env,
          },
        );
        ok += result.code === 0 ? 1 : 0;
      }
      return ok;
    }),
  );
  const ms = Date.now() - started;
  const acknowledged = counts.reduce((a, b) => a + b, 0);
  const lost = await lostCents(s, [acknowledged], [hot]);
  const clean = (await run(['verify'], { home: s.home, env: s.env })).code === 0;
  add(
    'PG hot account',
    `${WORKERS} processes × 25 transfers into one account at once`,
    `${acknowledged}/${WORKERS * 25} acknowledged in ${(ms / 1000).toFixed(1)} s, ${lost} cents off, verify ${clean ? 'clean' : 'FAILED'}`,
    'exact to the cent',
    acknowledged === WORKERS * 25 && lost === 0 && clean,
  );
}

/** Issue 19: the PostgreSQL store against the file store, measured in the same run. */
async function postgresRows() {
  try {
    await postgresAgainstFile();
    await batch(false);
    await batch(true);
    const fileRate = await parallel(false);
    await parallel(true, fileRate);
    await hotAccount();
  } finally {
    await dropDatabases();
  }
}

async function batchRows() {
  try {
    await batch(false);
    await batch(true);
  } finally {
    await dropDatabases();
  }
}

function machine() {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** The bundle `okpay balance` runs from (bin/okpay.js): the read bundle, else (a build before it) the full one. */
function bundleSize() {
  const read = path.join(ROOT, 'dist', 'bundle', 'okpay-read.cjs');
  return `${(statSync(existsSync(read) ? read : path.join(ROOT, 'dist', 'bundle', 'okpay.cjs')).size / 2 ** 20).toFixed(2)} MiB`;
}

/** Why a target is not met with this design, and what would meet it; with the run's own reference points. */
const WHY = {
  'a read': () =>
    `A read is Node's start plus okpay's own ${references.readOwn ?? 'time'}: reading the bundle of the everyday reads (${bundleSize()}) and its code cache (on Node 22.1 and newer, Node's compile cache), loading the Node modules it needs at start (crypto to hash the session token, child_process through commander), setting up the modules the command needs (the store's record schemas among them), and reading the store. On these machines most of it is memory: a fresh 4 KB page costs about 13 µs of CPU, and a read touches about 3,450 pages against about 1,850 for \`node -e 0\` (docs/BENCHMARKS.md; the schemas are already built on first use). Measured alongside: ${references.read ?? 'n/a'}. What would take it further under 2.0×: fewer pages touched at start, chiefly fewer modules set up before the command runs (a store that sets up only the record kinds it reads; a read bundle without the PostgreSQL store, the terminal kit and the desk, which bin/okpay.js cannot yet tell a read will not need).`,
  'history flatness': () =>
    `A transfer never reads the journal; it reads and rewrites the bucket files of the records it touches (its two users' balances and limit windows, the journal index), whose size is bound by the number of users, not by history: ${references.state ?? ''}.`,
  memory: () => 'As for history flatness: a transfer holds only the bucket files it touches, never the journal.',
  'generate at size': () =>
    `Generating ${references.scale ?? 'the large store'} is one transaction that posts every entry through the ledger's rules (each entry hashed, each limit checked) and then writes every bucket file of every kind once; on 2 cores shared with other work, the posting alone takes most of the time.`,
  verify: () => {
    const { entrySize, perSecond } = references.verify;
    const perThread = references.verifyThread;
    const journalSeconds = references.verifyEntries / (perThread * references.verifyThreads);
    return `The figure is the whole check: the journal, whose ranges of segments are checked in parallel (one thread per core), then every file of the store on the main thread (each file's digest and place, every index and the queue against the records, the outbox), and the balances and both hash chains. Every entry's hash is a SHA-256 over its stored bytes (${entrySize} bytes on average here), chained. Measured alongside: SHA-256 of one such entry at a time, and nothing else, runs at ${Math.round(perSecond).toLocaleString('en')}/s on one core; one verify thread alone over the whole journal checks ${Math.round(perThread).toLocaleString('en')} entries/s, so hashing is ${Math.round((perThread / perSecond) * 100)}% of its time and reading the segments, scanning the entries and adding up the postings the rest. At that rate the journal on ${references.verifyThreads} threads is about ${journalSeconds.toFixed(1)} s of the ${references.verifySeconds} s; the rest is the files. What would meet 250,000/s: more cores, a CPU with SHA extensions (SHA-256 several times faster), or the files checked while the journal's threads run.`;
  },
  generator: () => 'The generator posts through the same reducers and journal writer as the commands (every entry hashed, every limit checked).',
};

function writeReport() {
  const m = machine();
  const date = new Date().toISOString().slice(0, 10);
  const intro = `Measured by \`npm run bench${QUICK ? ' -- --quick' : ''}\` on ${date}: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.
Every figure is a ratio or a rate measured side by side in one run, with medians over repeated runs
(start-up and reads: 30 alternating runs; transfers: 15; memory: 5). Stores come from \`okpay fixtures
generate\` (${USERS.toLocaleString('en')} users, seed \`bench\`) and from fixture files written by the script; set-up
hashes passwords at OKPAY_BCRYPT_COST=4, and nothing measured hashes a password.`;
  const file = path.join(ROOT, 'docs', 'BENCHMARKS.md');
  const text = updateReport(existsSync(file) ? readFileSync(file, 'utf8') : null, {
    title: '# okpay benchmarks',
    intro,
    figures: figures.map((f) => ({
      figure: f.figure,
      row: `| ${f.figure} | ${f.how} | ${f.measured} | ${f.target} | ${f.pass ? 'met' : '**not met**'} |`,
      note: f.pass ? null : `- **${f.figure}** (${f.measured}; target ${f.target}). ${WHY[f.figure]?.() ?? ''}`.trimEnd(),
    })),
  });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log('\nupdated docs/BENCHMARKS.md (its figures only; the text around them is kept)');
}

async function main() {
  console.log(
    `okpay benchmarks — ${STARTUP_ONLY ? 'start-up' : BATCH_ONLY ? 'batch' : POSTGRES_ONLY ? 'PostgreSQL' : QUICK ? 'quick' : 'full'} run on Node ${process.version} in ${WORK}`,
  );
  if (BATCH_ONLY) await batchRows();
  else if (POSTGRES_ONLY) await postgresRows();
  else if (SCALE_ONLY) await scale();
  else await startupAndRead();
  if (!STARTUP_ONLY && !SCALE_ONLY && !POSTGRES_ONLY && !BATCH_ONLY) {
    await history();
    await scale();
    await postgresRows();
    writeReport();
  }
  if (KEEP) console.log(`stores kept in ${WORK}`);
  else rmSync(WORK, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
