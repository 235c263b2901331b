#!/usr/bin/env node
// npm run bench: okpay against its floor and its targets. These machines are noisy, so every figure
// is a ratio or a rate measured side by side in one run, with medians over repeated runs. Writes
// docs/BENCHMARKS.md. Options: --quick (100k entries instead of 1M), --keep (keep the stores).

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'okpay.js');
const QUICK = process.argv.includes('--quick');
const KEEP = process.argv.includes('--keep');
const BIG = QUICK ? 100_000 : 1_000_000;
const SMALL = 1_000;
const USERS = 1_000;
const NOW = '2026-11-23T10:00:00.000Z';
const WORK = mkdtempSync(path.join(os.tmpdir(), 'okpay-bench-'));
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME, OKPAY_NOW: NOW, OKPAY_BCRYPT_COST: '4', NO_COLOR: '1' };

function run(args, { home, session, stdin, cmd = process.execPath, argsPrefix = [BIN] } = {}) {
  return new Promise((resolve) => {
    const env = { ...baseEnv, ...(home ? { OKPAY_HOME: home } : {}), ...(session ? { OKPAY_SESSION: session } : {}) };
    const started = process.hrtime.bigint();
    const child = execFile(cmd, [...argsPrefix, ...args], { env, maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, ms });
    });
    child.stdin.end(stdin ?? '');
  });
}

async function must(args, options) {
  const result = await run(args, options);
  if (result.code !== 0) throw new Error(`okpay ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return result;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Runs two commands alternately `rounds` times and returns both medians. */
async function sideBySide(a, b, rounds) {
  const times = { a: [], b: [] };
  for (let i = 0; i < rounds; i += 1) {
    times.a.push((await a()).ms);
    times.b.push((await b()).ms);
  }
  return { a: median(times.a), b: median(times.b) };
}

const node0 = () => run(['-e', '0'], { argsPrefix: [] });

async function generated(name, transactions) {
  const home = path.join(WORK, name);
  mkdirSync(home, { recursive: true });
  const started = Date.now();
  const out = await must(['fixtures', 'generate', '--users', String(USERS), '--transactions', String(transactions), '--tickets', '50', '--seed', 'bench'], { home });
  const summary = JSON.parse(out.stdout);
  return { home, summary, seconds: (Date.now() - started) / 1000 };
}

async function signIn(home, email) {
  const password = 'Generated-pass-1!\n';
  const result = await run(['login', '--email', email, '--password-stdin', '--raw'], { home, stdin: password });
  if (result.code === 2) {
    const otp = (await must(['dev', 'otp', '--email', email], { home })).stdout.trim();
    return (await must(['login', '--email', email, '--password-stdin', '--raw', '--otp', otp], { home, stdin: password })).stdout.trim();
  }
  if (result.code !== 0) throw new Error(`login ${email}: ${result.stderr}`);
  return result.stdout.trim();
}

/** A sample user with 2FA off and money, and another user to pay. */
function actors(summary) {
  const users = summary.sampleUsers;
  const sender = users.find((u) => !u.twoFactor) ?? users[0];
  const recipient = users.find((u) => u.email !== sender.email);
  return { sender, recipient };
}

async function peakRssKb(args, options) {
  if (!TIME) return null;
  const result = await run(['-f', '%M', process.execPath, BIN, ...args], { ...options, cmd: TIME, argsPrefix: [] });
  const line = result.stderr.trim().split('\n').pop();
  return Number(line);
}

async function contention(home, summary) {
  const emails = summary.sampleUsers.filter((u) => !u.twoFactor).map((u) => u.email);
  const senders = emails.slice(0, 4);
  const recipient = emails[emails.length - 1];
  const sessions = await Promise.all(senders.map((e) => signIn(home, e)));
  const one = (i) => run(['transfer', '--to', recipient, '--amount', '0.01', '--currency', summary.sampleUsers.find((u) => u.email === senders[i % senders.length]).currency, '--yes', '--json'], { home, session: sessions[i % sessions.length] });
  const sequentialStart = Date.now();
  let okSequential = 0;
  for (let i = 0; i < 400; i += 1) okSequential += (await one(i)).code === 0 ? 1 : 0;
  const sequentialMs = Date.now() - sequentialStart;
  const concurrentStart = Date.now();
  const results = await Promise.all(Array.from({ length: 8 }, async (_, worker) => {
    let ok = 0;
    for (let i = 0; i < 50; i += 1) ok += (await one(worker * 50 + i)).code === 0 ? 1 : 0;
    return ok;
  }));
  const concurrentMs = Date.now() - concurrentStart;
  const okConcurrent = results.reduce((a, b) => a + b, 0);
  const verify = await run(['verify', '--json'], { home });
  const history = await must(['history', '--json', '--limit', '500'], { home, session: sessions[0] });
  const seen = JSON.parse(history.stdout).transactions.filter((t) => t.type === 'transfer').length;
  return { sequentialMs, concurrentMs, okSequential, okConcurrent, verifyClean: verify.code === 0, senderTransfersSeen: seen, ratio: (400 / concurrentMs) / (400 / sequentialMs) };
}

async function batch(home, summary) {
  const { sender } = actors(summary);
  const session = await signIn(home, sender.email);
  const recipients = summary.sampleUsers.map((u) => u.email).filter((e) => e !== sender.email);
  const unit = sender.currency === 'JPY' ? '1' : '0.01';
  const rows = ['to,amount,currency,memo,reference'];
  for (let i = 0; i < 10_000; i += 1) rows.push(`${recipients[i % recipients.length]},${unit},${sender.currency},bench,row-${i}`);
  const file = path.join(WORK, 'batch.csv');
  writeFileSync(file, `${rows.join('\n')}\n`);
  const result = await must(['transfer', '--batch', file, '--yes', '--json'], { home, session });
  const doc = JSON.parse(result.stdout);
  return { ms: result.ms, paid: doc.batch.paid, rowsPerSecond: 10_000 / (result.ms / 1000) };
}

function machine() {
  return { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` };
}

async function main() {
  const figures = [];
  const add = (figure, how, measured, target, pass) => {
    figures.push({ figure, how, measured, target, pass });
    console.log(`${pass ? 'PASS' : 'FAIL'}  ${figure.padEnd(18)} ${measured.padEnd(34)} target ${target}`);
  };
  console.log(`okpay benchmarks — ${QUICK ? 'quick' : 'full'} run in ${WORK}`);

  const startup = await sideBySide(() => run(['--version']), node0, 25);
  add('start-up', '`okpay --version` against `node -e 0`', `${(startup.a / startup.b).toFixed(2)}× (${startup.a.toFixed(0)} ms vs ${startup.b.toFixed(0)} ms)`, '≤ 1.3×', startup.a / startup.b <= 1.3);

  const small = await generated('small', SMALL);
  const big = await generated('big', BIG);
  const generatorRate = (BIG - SMALL) / Math.max(big.seconds - small.seconds, 0.001);
  add('generator', `\`fixtures generate\` of ${BIG.toLocaleString('en')} entries`, `${Math.round(BIG / big.seconds).toLocaleString('en')} tx/s (${big.seconds.toFixed(1)} s)`, '≥ 16,000/s', BIG / big.seconds >= 16_000);
  void generatorRate;

  const smallActors = actors(small.summary);
  const smallSession = await signIn(small.home, smallActors.sender.email);
  const read = await sideBySide(() => run(['balance', '--json'], { home: small.home, session: smallSession }), node0, 25);
  add('a read', '`okpay balance --json` (small store) against `node -e 0`', `${(read.a / read.b).toFixed(2)}× (${read.a.toFixed(0)} ms vs ${read.b.toFixed(0)} ms)`, '≤ 1.6×', read.a / read.b <= 1.6);

  const bigActors = actors(big.summary);
  const bigSession = await signIn(big.home, bigActors.sender.email);
  const transferIn = (home, session, who) => () => run(['transfer', '--to', who.recipient.email, '--amount', '0.01', '--currency', who.sender.currency === 'JPY' ? 'JPY' : who.sender.currency, '--yes'], { home, session });
  const smallWho = smallActors;
  const bigWho = bigActors;
  const fix = (who) => (who.sender.currency === 'JPY' ? { ...who } : who);
  const flat = await sideBySide(transferIn(big.home, bigSession, fix(bigWho)), transferIn(small.home, smallSession, fix(smallWho)), 15);
  add('history flatness', `\`okpay transfer\` at ${BIG.toLocaleString('en')} vs ${SMALL.toLocaleString('en')} entries`, `${(flat.a / flat.b).toFixed(2)}× (${flat.a.toFixed(0)} ms vs ${flat.b.toFixed(0)} ms)`, '≤ 1.5×', flat.a / flat.b <= 1.5);

  const rssBig = [];
  const rssSmall = [];
  for (let i = 0; i < 5; i += 1) {
    rssBig.push(await peakRssKb(['transfer', '--to', bigWho.recipient.email, '--amount', '0.01', '--currency', bigWho.sender.currency, '--yes'], { home: big.home, session: bigSession }));
    rssSmall.push(await peakRssKb(['transfer', '--to', smallWho.recipient.email, '--amount', '0.01', '--currency', smallWho.sender.currency, '--yes'], { home: small.home, session: smallSession }));
  }
  if (TIME) {
    const ratio = median(rssBig) / median(rssSmall);
    add('memory', `peak RSS of a transfer at ${BIG.toLocaleString('en')} vs ${SMALL.toLocaleString('en')} entries`, `${ratio.toFixed(2)}× (${Math.round(median(rssBig) / 1024)} MiB vs ${Math.round(median(rssSmall) / 1024)} MiB)`, '≤ 1.2×', ratio <= 1.2);
  }

  const verify = await must(['verify', '--json'], { home: big.home });
  const verifyDoc = JSON.parse(verify.stdout);
  add('verify', `entries checked per second at ${BIG.toLocaleString('en')} entries`, `${verifyDoc.entriesPerSecond.toLocaleString('en')}/s (${verifyDoc.checked.journalEntries.toLocaleString('en')} in ${verifyDoc.seconds} s)`, '≥ 250,000/s', verifyDoc.entriesPerSecond >= 250_000);

  const payouts = await batch(small.home, small.summary);
  add('batch payouts', '`transfer --batch` of 10,000 rows', `${Math.round(payouts.rowsPerSecond).toLocaleString('en')} rows/s (${(payouts.ms / 1000).toFixed(2)} s, ${payouts.paid} paid)`, '≥ 5,000/s', payouts.rowsPerSecond >= 5_000 && payouts.paid === 10_000);

  const busy = await contention(small.home, small.summary);
  const lost = 400 - busy.okConcurrent;
  add('contention', '8 processes × 50 transfers against 400 one after another', `${busy.ratio.toFixed(2)}× the sequential rate; ${busy.okConcurrent}/400 acknowledged, ${lost} lost, verify ${busy.verifyClean ? 'clean' : 'FAILED'}`, 'no lost update; ≥ 0.7×', busy.ratio >= 0.7 && lost === 0 && busy.verifyClean);

  writeReport(figures);
  if (!KEEP) rmSync(WORK, { recursive: true, force: true });
  else console.log(`stores kept in ${WORK}`);
}

function writeReport(figures) {
  const m = machine();
  const date = new Date().toISOString().slice(0, 10);
  const rows = figures.map((f) => `| ${f.figure} | ${f.how} | ${f.measured} | ${f.target} | ${f.pass ? 'met' : 'NOT met'} |`);
  const text = `# okpay benchmarks

Measured by \`npm run bench\`${QUICK ? ' --quick' : ''} on ${date}: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}.
Every figure is a ratio or a rate measured side by side in one run, medians over repeated runs.
Stores are made by \`okpay fixtures generate\` (${USERS.toLocaleString('en')} users, seed \`bench\`); set-up uses OKPAY_BCRYPT_COST=4.

| figure | how | measured | target | |
|---|---|---|---|---|
${rows.join('\n')}
`;
  mkdirSync(path.join(ROOT, 'docs'), { recursive: true });
  writeFileSync(path.join(ROOT, 'docs', 'BENCHMARKS.md'), text);
  console.log('\nwrote docs/BENCHMARKS.md');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
void spawn;
void readFileSync;
