// Hostile input for every command and every flag (test/support/hostile.ts), hostile fixture files,
// broken batch CSV and malformed one-time codes. Each refusal must be a documented exit code (2–10,
// never 1 — a bug), exactly one line on stderr without a stack trace, and must change nothing.
// Most run in-process through run() on the memory store (restored after each input); a sample runs
// through the real binary on a file store whose directory is hashed before and after.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIO } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/main.js';
import {
  commandSpecs,
  hostileCases,
  HOSTILE_CSV,
  HOSTILE_FIXTURES,
  HOSTILE_OTPS,
  HOSTILE_VALUES,
  type Baseline,
  type HostileCase,
} from '../support/hostile.js';
import { DEMO_FILE, DEMO_PASSWORD, DEMO_PEOPLE, DESK_NOW, MemoryDesk, type Outcome } from '../support/memory-desk.js';
import { BIN, Okpay } from '../support/okpay.js';
import { databaseDigest } from '../support/pg-e2e.js';

const NOW = DESK_NOW;
const DEMO = DEMO_FILE;
const DOCUMENTED_EXIT_CODES = new Set([0, 2, 3, 4, 5, 6, 7, 8, 10]);
// Control, direction and line-separator characters: never printed raw (they are shown escaped).
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const AGENT_TICKET_VERBS = new Set(['assign', 'note', 'set', 'resolve', 'close', 'reopen', 'merge', 'why']);

/** The demo store with a customer, a tier-3 agent and an administrator signed in. */
class Desk extends MemoryDesk {
  get roles(): Record<'customer' | 'agent' | 'admin', string> {
    return { customer: this.tokens.customer ?? '', agent: this.tokens.agent3 ?? '', admin: this.tokens.admin ?? '' };
  }
}

function actorFor(command: string): 'customer' | 'agent' | 'admin' {
  const [first, second] = command.split(' ');
  if (first === 'admin') return 'admin';
  if (first === 'agent' || (first === 'ticket' && AGENT_TICKET_VERBS.has(second ?? ''))) return 'agent';
  return 'customer';
}

/** The problems with one refusal; none for an accepted input (exit 0). */
function judge(c: { command: string; slot: string; label: string }, outcome: Outcome, changed: boolean, moneyChanged: boolean): string[] {
  const where = `okpay ${c.command} ${c.slot} (${c.label})`;
  const problems: string[] = [];
  if (!DOCUMENTED_EXIT_CODES.has(outcome.code)) problems.push(`${where}: exit ${outcome.code}: ${outcome.stderr.slice(0, 300)}`);
  for (const [stream, text] of [
    ['stdout', outcome.stdout],
    ['stderr', outcome.stderr],
  ] as const) {
    if (RAW_CONTROL.test(text.replace(/\r\n/g, '\n')))
      problems.push(`${where}: a raw control or direction character on ${stream}: ${JSON.stringify(text.slice(0, 200))}`);
  }
  if (outcome.code === 0) return problems;
  const lines = outcome.stderr.replace(/\n$/, '').split('\n');
  // A batch reports each bad row, and a fixture load each problem, on its own line before the error itself.
  const lineCount = c.command === 'transfer --batch' || c.command === 'fixtures load' ? lines.length : 1;
  if (lines.length !== lineCount || !lines.every((line) => line.startsWith('okpay: ')))
    problems.push(`${where}: stderr is not one "okpay: …" line: ${JSON.stringify(outcome.stderr.slice(0, 300))}`);
  if (/^\s+at /m.test(outcome.stderr)) problems.push(`${where}: a stack trace`);
  if (outcome.stderr.length > 2000) problems.push(`${where}: the error repeats the input (${outcome.stderr.length} characters)`);
  // A refused sign-in is counted (brute-force defence) and audited; nothing else may change.
  if (outcome.code === 3 ? moneyChanged : changed) problems.push(`${where}: exit ${outcome.code} but the store changed`);
  return problems;
}

const tally = { inputs: 0, accepted: 0, refused: 0, binary: 0 };

// Relative hostile paths ('../../etc/passwd') resolve from the working directory, in-process and in
// the spawned binary alike: run from deep inside a scratch directory, so that a flag that writes and
// is missing from WRITE_PATH_FLAGS writes into the scratch directory, never into the repository or /etc.
const workRoot = mkdtempSync(path.join(os.tmpdir(), 'okpay-hostile-cwd-'));
const callerCwd = process.cwd();
beforeAll(() => {
  const deep = path.join(workRoot, 'a', 'b', 'c', 'd');
  mkdirSync(deep, { recursive: true });
  process.chdir(deep);
});
afterAll(() => {
  process.chdir(callerCwd);
  rmSync(workRoot, { recursive: true, force: true });
});

// [files]: on the memory store, whichever store the suite runs on; the `postgres` project leaves it out.
describe('[files] hostile input, in-process', () => {
  const desk = new Desk();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'okpay-hostile-'));
  let baseline: Baseline;

  beforeAll(async () => {
    await desk.setUp(['customer', 'agent3', 'admin']);
    const { method, withdrawal } = await desk.store.read(async (t) => {
      const lena = await t.users.byEmail('lena.mueller@example.de');
      return { method: lena ? (await t.methods.ofUser(lena.id))[0] : undefined, withdrawal: (await t.withdrawals.dueBy('9999-12-31T23:59:59.999Z', 1))[0] };
    });
    baseline = {
      values: {
        '--email': 'lena.mueller@example.de',
        '--amount': '5.00',
        '--currency': 'EUR',
        '--to': 'bob@example.com',
        '--method': method?.id ?? 'wm_x',
        '--category': 'funds',
        '--subject': 'A question about my payout',
        '--score': '4',
        '--tier': '2',
        '--languages': 'en',
        '--document-type': 'passport',
        '--document-number': 'X1234567',
        '--users': '2',
        '--transactions': '2',
        '--holder': 'Lena Muller',
        '--provider': 'PayPal',
        '--account': 'lena@example.de',
        '--reason': 'checking the account',
        '--ticket': '4',
        '--into': '1',
        '<number>': '4',
        '<tx>': 'txn_0000000010',
        '<email>': 'lena.mueller@example.de',
        '<code>': '123456',
        '<shell>': 'bash',
        '<files>': DEMO,
        'tx show <id>': 'txn_0000000010',
        'outbox show <id>': 'msg_000001',
        'withdraw cancel <id>': withdrawal?.id ?? 'wd_x',
        'withdraw methods remove <id>': method?.id ?? 'wm_x',
      },
    };
  });

  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('every flag and argument of every command: a documented refusal that changes nothing', async () => {
    const specs = commandSpecs(await buildProgram({ io: bufferIO(), env: {} }));
    expect(specs.length).toBeGreaterThan(60);
    const cases = hostileCases(specs, baseline).filter((c) => c.command !== 'demo' || c.slot === '--dir');
    const problems: string[] = [];
    const acceptedLabels: string[] = [];
    for (const c of cases) {
      const { outcome, changed, moneyChanged } = await desk.isolated(c.argv, { token: desk.roles[actorFor(c.command)] });
      problems.push(...judge(c, outcome, changed, moneyChanged));
      tally.inputs += 1;
      if (outcome.code === 0) {
        tally.accepted += 1;
        acceptedLabels.push(`${c.command} ${c.slot} (${c.label})`);
      } else tally.refused += 1;
    }
    expect(problems.slice(0, 30), `${problems.length} problems`).toEqual([]);
    // Control and invisible characters are never stored (they would reach other people's terminals
    // and mails); only search filters may take them, and they find nothing.
    // (A line separator is a line break: a new line where text may have several, refused elsewhere.)
    const invisible = acceptedLabels.filter(
      (l) => /NUL byte|terminal|right-to-left|lone surrogate|carriage return|C1 control/.test(l) && !/^(faq|outbox list) /.test(l),
    );
    expect(invisible).toEqual([]);
    // 50-90 s, and 150 s under a load of 17: the timeout catches a hang only.
  }, 900_000);

  it('hostile fixture files are refused whole', async () => {
    const problems: string[] = [];
    for (const [i, h] of HOSTILE_FIXTURES.entries()) {
      const file = path.join(scratch, `fixture-${i}.${h.label.startsWith('YAML') ? 'yaml' : 'json'}`);
      writeFileSync(file, h.value);
      const { outcome, changed, moneyChanged } = await desk.isolated(['fixtures', 'load', file]);
      problems.push(...judge({ command: 'fixtures load', slot: '<files>', label: h.label }, outcome, changed, moneyChanged));
      if (outcome.code === 0) problems.push(`fixtures load (${h.label}): accepted`);
      tally.inputs += 1;
    }
    for (const special of ['/dev/zero', '/proc/self/environ', '../../etc/passwd', scratch, path.join(scratch, 'missing.json')]) {
      const { outcome, changed, moneyChanged } = await desk.isolated(['fixtures', 'load', special]);
      problems.push(...judge({ command: 'fixtures load', slot: '<files>', label: special }, outcome, changed, moneyChanged));
      tally.inputs += 1;
    }
    expect(problems).toEqual([]);
  });

  it('broken batch CSV is refused before any money moves', async () => {
    const problems: string[] = [];
    for (const [i, h] of HOSTILE_CSV.entries()) {
      const file = path.join(scratch, `batch-${i}.csv`);
      writeFileSync(file, h.value);
      for (const atomic of [[], ['--atomic']]) {
        const { outcome, changed, moneyChanged } = await desk.isolated(['transfer', '--batch', file, '--yes', ...atomic], { token: desk.roles.customer });
        problems.push(...judge({ command: 'transfer --batch', slot: atomic.join(''), label: h.label }, outcome, changed, moneyChanged));
        if (outcome.code === 0) problems.push(`transfer --batch (${h.label}): accepted`);
        tally.inputs += 1;
      }
    }
    for (const special of ['/dev/zero', '/dev/urandom', '/proc/self/environ', scratch]) {
      const { outcome, changed, moneyChanged } = await desk.isolated(['transfer', '--batch', special, '--yes'], { token: desk.roles.customer });
      problems.push(...judge({ command: 'transfer --batch', slot: '', label: special }, outcome, changed, moneyChanged));
      tally.inputs += 1;
    }
    expect(problems).toEqual([]);
  });

  it('step-up commands: hostile codes and passwords are refused, with no stack trace and no money moved', async () => {
    const code = (await desk.okpay(['dev', 'otp', '--email', 'bob@example.com'])).stdout.trim();
    const bob = await desk.signIn('bob@example.com', code);
    const stepUps: readonly (readonly string[])[] = [
      ['password', 'change'],
      ['2fa', 'disable'],
      ['2fa', 'recovery-codes'],
      ['profile', 'set', '--phone', '+14155550123'],
      ['profile', 'set', '--anti-phishing-phrase', 'hostile heron'],
    ];
    const problems: string[] = [];
    const run = async (token: string, argv: readonly string[], label: string, stdin: string) => {
      const { outcome, changed, moneyChanged } = await desk.isolated([...argv, '--password-stdin'], { token, stdin });
      problems.push(...judge({ command: argv.slice(0, 2).join(' '), slot: '--password-stdin/--otp', label }, outcome, changed, moneyChanged));
      if (outcome.code === 0) problems.push(`${argv.join(' ')} (${label}): accepted`);
      tally.inputs += 1;
    };
    // Bob uses 2FA: the right password with a hostile code.
    for (const h of HOSTILE_OTPS)
      for (const argv of stepUps) await run(bob, [...argv, '--otp', h.value], `code ${h.label}`, `${DEMO_PASSWORD}\nNew-pass-2027!\n`);
    // Hostile passwords, from Bob (with a well-formed code) and from Lena (no 2FA; enable and confirm too).
    const passwords = [
      '',
      '\n',
      'x'.repeat(100 * 1024),
      'Demo-pass-2026!\u0000',
      '\u001b[31m\n',
      `${'é'.repeat(40)}1!a\n`,
      `Demo-pass-2026!${'x'.repeat(80)}\n`,
    ];
    for (const password of passwords) {
      const label = `password ${JSON.stringify(password.slice(0, 12))}`;
      for (const argv of stepUps) await run(bob, [...argv, '--otp', '000000'], label, password);
      for (const argv of [...stepUps, ['2fa', 'enable'], ['2fa', 'confirm', '123456']]) await run(desk.roles.customer, argv, label, password);
    }
    expect(problems).toEqual([]);
  });

  it('malformed one-time codes are refused (login, 2fa confirm, profile verify-phone), as are hostile passwords on stdin', async () => {
    const problems: string[] = [];
    for (const h of HOSTILE_OTPS) {
      const login = await desk.isolated(['login', '--email', 'bob@example.com', '--password-stdin', '--otp', h.value], { stdin: `${DEMO_PASSWORD}\n` });
      problems.push(...judge({ command: 'login', slot: '--otp', label: h.label }, login.outcome, login.changed, login.moneyChanged));
      if (login.outcome.code === 0) problems.push(`login --otp (${h.label}): accepted`);
      const confirm = await desk.isolated(['2fa', 'confirm', h.value, '--password-stdin'], { token: desk.roles.customer, stdin: `${DEMO_PASSWORD}\n` });
      problems.push(...judge({ command: '2fa confirm', slot: '<code>', label: h.label }, confirm.outcome, confirm.changed, confirm.moneyChanged));
      tally.inputs += 2;
    }
    // A phone number waiting for its code: malformed codes are refused (BAD_OTP, like any one-time code) before a try is counted.
    expect(
      (await desk.okpay(['profile', 'set', '--phone', '+4915112345678', '--password-stdin'], { token: desk.roles.customer, stdin: `${DEMO_PASSWORD}\n` })).code,
    ).toBe(0);
    for (const h of HOSTILE_OTPS) {
      const verify = await desk.isolated(['profile', 'verify-phone', h.value], { token: desk.roles.customer });
      problems.push(...judge({ command: 'profile verify-phone', slot: '<code>', label: h.label }, verify.outcome, verify.changed, verify.moneyChanged));
      if (verify.outcome.code !== 3) problems.push(`profile verify-phone (${h.label}): exit ${verify.outcome.code}`);
      tally.inputs += 1;
    }
    for (const stdin of ['', '\n', 'x'.repeat(100 * 1024), 'Demo-pass-2026!\u0000', '\u001b[31m\n', `${'é'.repeat(40)}1!a\n`]) {
      const login = await desk.isolated(['login', '--email', 'lena.mueller@example.de', '--password-stdin'], { stdin });
      problems.push(
        ...judge({ command: 'login', slot: '--password-stdin', label: JSON.stringify(stdin.slice(0, 12)) }, login.outcome, login.changed, login.moneyChanged),
      );
      if (login.outcome.code === 0) problems.push(`login with password ${JSON.stringify(stdin.slice(0, 12))}: accepted`);
      tally.inputs += 1;
    }
    expect(problems).toEqual([]);
  });

  it('a four-eyes refund waiting for approval: hostile approvals are refused and change nothing', async () => {
    const customer = { token: desk.roles.customer };
    const ok = async (argv: string[], token: string) => {
      const outcome = await desk.okpay([...argv, '--json'], { token });
      expect(outcome.code, outcome.stderr).toBe(0);
      return JSON.parse(outcome.stdout) as Record<string, Record<string, unknown>>;
    };
    await ok(['deposit', '--amount', '900.00', '--currency', 'USD'], customer.token);
    const paid = String(
      (await ok(['transfer', '--to', 'bob@example.com', '--amount', '600.00', '--currency', 'USD', '--yes'], customer.token))['transaction']?.['id'],
    );
    const ticket = String(
      (await ok(['ticket', 'new', '--category', 'dispute', '--subject', 'Order never came', '--body', `Refund ${paid}.`, '--tx', paid], customer.token))[
        'ticket'
      ]?.['number'],
    );
    const agent2 = await desk.signIn(DEMO_PEOPLE.agent2);
    const requested = await ok(['agent', 'refund', paid, '--ticket', ticket, '--yes'], desk.roles.agent);
    expect(requested['approval']).toMatchObject({ status: 'pending' });
    const problems: string[] = [];
    const attempt = async (slot: string, label: string, argv: string[], token: string) => {
      const { outcome, changed, moneyChanged } = await desk.isolated(argv, { token });
      problems.push(...judge({ command: 'agent refund (approval)', slot, label }, outcome, changed, moneyChanged));
      if (outcome.code === 0) problems.push(`agent refund (approval) ${slot} (${label}): accepted`);
      tally.inputs += 1;
    };
    await attempt('agent', 'the requester again', ['agent', 'refund', paid, '--ticket', ticket, '--yes'], desk.roles.agent);
    await attempt('agent', 'the customer', ['agent', 'refund', paid, '--ticket', ticket, '--yes'], desk.roles.customer);
    for (const h of HOSTILE_VALUES) {
      await attempt('<tx>', h.label, ['agent', 'refund', h.value, '--ticket', ticket, '--yes'], agent2);
      await attempt('--ticket', h.label, ['agent', 'refund', paid, '--ticket', h.value, '--yes'], agent2);
    }
    expect(problems).toEqual([]);
  });
});

// ---- a sample through the real binary ---------------------------------------------------------------

function digest(directory: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (name === 'okpay.lock') continue;
      if (statSync(full).isDirectory()) walk(full);
      else hash.update(`${path.relative(directory, full)}\n`).update(readFileSync(full));
    }
  };
  walk(directory);
  return hash.digest('hex');
}

/** 9 MiB on standard input; okpay stops reading at 8 MiB, so the rest meets a closed pipe. */
function bigStdin(o: Okpay, argv: readonly string[], token: string): Promise<Outcome> {
  const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], ...o.storeEnv(), OKPAY_NOW: NOW, OKPAY_BCRYPT_COST: '4', OKPAY_SESSION: token };
  const child = spawn(process.execPath, [BIN, ...argv], { env });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.stdin.on('error', () => undefined);
  child.stdin.end('x'.repeat(9 * 1024 * 1024));
  return new Promise((resolve) =>
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() })),
  );
}

describe('hostile input, through the real binary', () => {
  const o = new Okpay({ now: NOW });
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    expect((await o.run(['fixtures', 'load', DEMO])).code).toBe(0);
    for (const [role, email] of [
      ['customer', 'lena.mueller@example.de'],
      ['agent', 'mei@support.okpay.example'],
      ['admin', 'ops@okpay.example'],
    ] as const) {
      tokens[role] = (await o.run(['login', '--email', email, '--password-stdin', '--raw'], { stdin: `${DEMO_PASSWORD}\n` })).stdout.trim();
    }
  });

  afterAll(() => {
    o.cleanup();
  });

  it('a sample of the corpus: the same documented one-line refusals, the data directory unchanged', async () => {
    const specs = commandSpecs(await buildProgram({ io: bufferIO(), env: {} }));
    const all = hostileCases(specs, {
      values: { '--amount': '5.00', '--currency': 'EUR', '--to': 'bob@example.com', '--email': 'lena.mueller@example.de', '<number>': '4', '<files>': DEMO },
    });
    // Every 100th input (argv cannot carry a NUL byte), plus the amount flag of transfer.
    const usable = all.filter((c) => !c.argv.some((a) => a.includes('\u0000')) && c.command !== 'demo');
    // And the surfaces of issue 15's files and terminals: escapes, direction controls, line
    // separators and links in the arguments that were echoed raw or written through.
    const slots = new Set([
      'tx show <id>',
      'deposit --source',
      'history --type',
      'agent refund --reason',
      'fixtures export --output',
      'ticket export --output',
      'history --output',
    ]);
    const surface = (c: HostileCase) =>
      slots.has(`${c.command} ${c.slot}`) &&
      /^(terminal escape|terminal escape in a missing directory|right-to-left override|line separator|a symbolic link|spreadsheet formula)$/.test(c.label);
    const sample: HostileCase[] = usable.filter((c, i) => i % 100 === 0 || (c.command === 'transfer' && c.slot === '--amount') || surface(c));
    const problems: string[] = [];
    // The store's every byte: the data directory's files, or every row of the database.
    const storeDigest = async () => (o.databaseUrl ? `${await databaseDigest(o.databaseUrl)}\n${digest(o.home)}` : digest(o.home));
    // The digest after a refusal is the one before the next input: nothing runs in between.
    let known: string | undefined;
    for (const c of sample) {
      const before = known ?? (await storeDigest());
      const outcome = await o.run(c.argv, { env: { OKPAY_SESSION: tokens[actorFor(c.command)] } });
      known = outcome.code !== 0 && outcome.code !== 3 ? await storeDigest() : undefined;
      const changed = known !== undefined && known !== before;
      problems.push(...judge(c, outcome, changed, false));
      tally.binary += 1;
      tally.inputs += 1;
    }
    // Standard input past its 8 MiB bound (--password-stdin, --body-file -).
    for (const argv of [
      ['login', '--email', 'lena.mueller@example.de', '--password-stdin'],
      ['ticket', 'reply', '4', '--body-file', '-'],
    ]) {
      const outcome = await bigStdin(o, argv, tokens['customer'] ?? '');
      problems.push(...judge({ command: argv.slice(0, 2).join(' '), slot: 'stdin', label: '9 MiB' }, outcome, false, false));
      if (outcome.code !== 2) problems.push(`${argv.join(' ')} with 9 MiB on stdin: exit ${outcome.code}`);
      tally.binary += 1;
      tally.inputs += 1;
    }
    expect(problems).toEqual([]);
    expect((await o.run(['verify', '--json'])).code).toBe(0);
    console.log(
      `hostile inputs tried: ${tally.inputs} (${tally.binary} through the real binary); in-process corpus: ${tally.refused} refused, ${tally.accepted} accepted as valid`,
    );
    // About 180 processes one after another: 80-160 s, and 300 s on a machine under a load of 17.
    // The timeout catches a hang only.
  }, 900_000);
});
