// Commands that only look at the store read it without the store's lock and write nothing (issue
// 14): they answer on a read-only data directory, while another process holds the lock (a writer
// stopped inside its commit; on PostgreSQL, the writers' lock held by another session), and leave
// a store of an older layout (schema 2, schema 10) byte for byte as it is: only a writer (`okpay
// store migrate`, or any change) upgrades it. A dry run (`transfer --dry-run`, `transfer --batch
// --dry-run`) is one of them: it makes the payment as it would be on such a read, and drops it. A
// look that is audited (an agent's `ticket show`,
// `agent user show`, `ticket export`, the first look at a ticket in `agent triage`) writes its
// audit entry, and is not one of them.

import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WRITERS_LOCK } from '../../src/store/pg/pg-store.js';
import { SPLIT_SCHEMA_VERSION } from '../../src/store/split-layout.js';
import { ADA, LIN, loadDeskFixture } from '../support/desk-fixture.js';
import { BIN, Okpay, runBin, type Run } from '../support/okpay.js';
import { withClient } from '../support/pg-e2e.js';
import { applyReadOnly, probeTechnique } from '../support/read-only.js';

type Who = 'customer' | 'agent' | 'nobody';

/** A batch of two rows, to people with no account (its money would wait for them). */
const BATCH_DIR = mkdtempSync(path.join(os.tmpdir(), 'okpay-batch-'));
const BATCH = path.join(BATCH_DIR, 'rows.csv');
writeFileSync(BATCH, ['to,amount,currency,memo,reference', 'first.new@example.com,1.00,USD,,b1', 'second.new@example.com,2.00,USD,,b2'].join('\n'));
afterAll(() => rmSync(BATCH_DIR, { recursive: true, force: true }));

/** What the looks need to name: a ticket, a transaction and a mail of the store. */
interface Names {
  readonly ticket: number;
  readonly tx: string;
  readonly mail: string;
}

/** Every command that only looks at the store, and who runs it. */
const looks = ({ ticket, tx, mail }: Names): [Who, string[]][] => [
  ['customer', ['whoami']],
  ['customer', ['balance']],
  ['customer', ['history']],
  ['customer', ['tx', 'show', tx]],
  ['customer', ['ticket', 'list']],
  ['customer', ['ticket', 'show', String(ticket)]],
  ['customer', ['withdraw', 'list']],
  ['customer', ['withdraw', 'methods', 'list']],
  ['customer', ['kyc', 'status']],
  ['customer', ['profile']],
  ['customer', ['transfer', '--to', 'someone.new@example.com', '--amount', '1', '--currency', 'USD', '--dry-run']],
  ['customer', ['transfer', '--batch', BATCH, '--dry-run']],
  ['agent', ['agent', 'queue']],
  ['agent', ['agent', 'queue', '--language', 'en', '--sort', 'updated']],
  ['agent', ['agent', 'stats', '--since', '2026-10-01']],
  ['agent', ['ticket', 'why', String(ticket)]],
  ['agent', ['agent', 'macros']],
  ['agent', ['ticket', 'list']],
  ['nobody', ['outbox', 'list']],
  ['nobody', ['outbox', 'show', mail]],
  ['nobody', ['store', 'info']],
  ['nobody', ['verify']],
];

interface Store {
  readonly names: Names;
  readonly sessions: Record<Exclude<Who, 'nobody'>, string>;
  run(args: readonly string[], env: Record<string, string>): Promise<Run>;
}

/**
 * Runs every look; each must answer (exit 0). Their answers, with what differs from run to run
 * (verify's timing, the data directory's name, the store's size on disk) left out.
 */
async function runLooks(store: Store, env: Record<string, string> = {}): Promise<string[]> {
  const answers: string[] = [];
  for (const [who, args] of looks(store.names)) {
    const session: Record<string, string> = who === 'nobody' ? {} : { OKPAY_SESSION: store.sessions[who] };
    const run = await store.run([...args, '--json'], { ...session, ...env });
    expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
    answers.push(
      run.stdout
        .replace(/"(seconds|entriesPerSecond|sizeBytes)": [0-9.]+/g, '"$1": 0')
        // Where a mail's text is kept: its own file in an older layout, a segment of mails after the upgrade.
        .replace(/"(location|file)": "[^"]*"/g, '"$1": ""')
        .replace(/"schemaVersion": [0-9]+/g, '"schemaVersion": 0'),
    );
  }
  return answers;
}

/** Every file and directory under `home`: its bytes' digest and its mtime. What a look must leave as it found. */
function filesAndTimes(home: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string): void => {
    found.set(`${path.relative(home, dir)}/`, String(statSync(dir).mtimeMs));
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      const stat = statSync(file);
      if (stat.isDirectory()) walk(file);
      else found.set(path.relative(home, file), `${createHash('sha256').update(readFileSync(file)).digest('hex')} ${stat.mtimeMs}`);
    }
  };
  walk(home);
  return found;
}

/** The desk's store (both stores): a customer with a deposit and tickets, an agent, both signed in at `o.now`. */
async function deskStore(o: Okpay): Promise<Store> {
  const sessions = await loadDeskFixture(o, [ADA, LIN]);
  const customer = sessions.get(ADA) ?? '';
  const agent = sessions.get(LIN) ?? '';
  const deposit = await o.run(['deposit', '--amount', '50', '--currency', 'USD', '--json'], { env: { OKPAY_SESSION: customer } });
  expect(deposit.code, deposit.stderr).toBe(0);
  const opened = await o.run(['ticket', 'new', '--category', 'technical', '--subject', 'The app is slow', '--body', 'It takes a minute to start.'], {
    env: { OKPAY_SESSION: customer },
  });
  expect(opened.code, opened.stderr).toBe(0);
  const mail = (await o.run(['outbox', 'list', '--json'])).json<{ mails: { id: string }[] }>().mails[0]?.id ?? '';
  return {
    names: { ticket: 1, tx: deposit.json<{ transaction: { id: string } }>().transaction.id, mail },
    sessions: { customer, agent },
    run: (args, env) => o.run(args, { env }),
  };
}

/** Waits until the process has stopped itself (state T in /proc/<pid>/stat), polling. */
async function stopped(pid: number, exited: () => boolean): Promise<void> {
  for (;;) {
    if (exited()) throw new Error('okpay exited before it stopped');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('T')) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A deposit that stops itself inside its commit, holding the data directory's lock until it is continued. */
async function stalledDeposit(o: Okpay, session: string): Promise<{ resume(): Promise<number | null> }> {
  const env = { PATH: process.env['PATH'], HOME: process.env['HOME'], NODE_ENV: 'test', OKPAY_HOME: o.home, OKPAY_NOW: o.now, OKPAY_SESSION: session };
  const child = spawn(process.execPath, [BIN, 'deposit', '--amount', '7', '--currency', 'USD'], {
    env: { ...env, OKPAY_TEST_STOP_AT: 'write:commit.redo' },
    stdio: 'ignore',
  });
  let exited = false;
  const done = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  await stopped(child.pid ?? -1, () => exited);
  return {
    resume: () => {
      process.kill(child.pid ?? -1, 'SIGCONT');
      return done;
    },
  };
}

describe('commands that only look, beside a writer that holds the store', () => {
  const o = new Okpay();
  let store: Store;

  beforeAll(async () => {
    store = await deskStore(o);
  });
  afterAll(() => o.cleanup());

  it('answer at once while another process holds the store lock, and see the store as it was before that writer', async () => {
    const before = await runLooks(store);
    if (o.databaseUrl === undefined) {
      const deposit = await stalledDeposit(o, store.sessions.customer);
      // A command that waited for the lock would give up after a second and fail.
      expect(await runLooks(store, { OKPAY_TEST_LOCK_WAIT_MS: '1000' })).toEqual(before);
      expect(await deposit.resume()).toBe(0);
    } else {
      const url = o.databaseUrl;
      // The writers' lock, taken alone: every writer waits for it (here a second at most), a read does not.
      await withClient(url, async (client) => {
        await client.query('SELECT pg_advisory_lock($1)', [WRITERS_LOCK]);
        expect(await runLooks(store, { PGOPTIONS: '-c lock_timeout=1000' })).toEqual(before);
      });
    }
  });

  it('a batch by someone not signed in is refused at once (exit 3): who is signed in is looked up without waiting for the writer', async () => {
    const batch = (env: Record<string, string>) => store.run(['transfer', '--batch', BATCH, '--yes', '--json'], { OKPAY_SESSION: 'ses_not_a_session', ...env });
    if (o.databaseUrl === undefined) {
      const deposit = await stalledDeposit(o, store.sessions.customer);
      // Were the sign-in check to wait for the lock, it would give up after a second: STORE_LOCKED, exit 10.
      const refused = await batch({ OKPAY_TEST_LOCK_WAIT_MS: '1000' });
      expect(await deposit.resume()).toBe(0);
      expect(refused.code, refused.stderr).toBe(3);
    } else {
      await withClient(o.databaseUrl, async (client) => {
        await client.query('SELECT pg_advisory_lock($1)', [WRITERS_LOCK]);
        const refused = await batch({ PGOPTIONS: '-c lock_timeout=1000' });
        expect(refused.code, refused.stderr).toBe(3);
      });
    }
  });

  it("answer at once when their session's last use is due to be recorded: that small write does not wait for the writer, it is skipped", async () => {
    const minutesOn = (minutes: number) => new Date(Date.parse(o.now) + minutes * 60_000).toISOString();
    const at = { before: minutesOn(2), writer: minutesOn(3), during: minutesOn(5) };
    /** The customer's balance and the tickets in the agent's queue (its urgencies change with the clock). */
    const looks = async (now: string, env: Record<string, string> = {}) => {
      const balance = await store.run(['balance', '--json'], { OKPAY_SESSION: store.sessions.customer, OKPAY_NOW: now, ...env });
      expect(balance.code, balance.stderr).toBe(0);
      const queue = await store.run(['agent', 'queue', '--json'], { OKPAY_SESSION: store.sessions.agent, OKPAY_NOW: now, ...env });
      expect(queue.code, queue.stderr).toBe(0);
      return [balance.json(), queue.json<{ tickets: { number: number }[] }>().tickets.map((t) => t.number)];
    };
    // Each look records its session's last use when a minute has passed since the last one recorded.
    const before = await looks(at.before);
    if (o.databaseUrl === undefined) {
      o.now = at.writer;
      const deposit = await stalledDeposit(o, store.sessions.customer);
      // Were that record to wait for the lock (10 minutes here), the looks would not answer before the writer went on.
      expect(await looks(at.during, { OKPAY_TEST_LOCK_WAIT_MS: '600000' })).toEqual(before);
      expect(await deposit.resume()).toBe(0);
    } else {
      // The writers' lock held alone: a writer waits for it as long as it is held (no lock_timeout here).
      await withClient(o.databaseUrl, async (client) => {
        await client.query('SELECT pg_advisory_lock($1)', [WRITERS_LOCK]);
        expect(await looks(at.during)).toEqual(before);
      });
    }
  });
});

const readOnly = probeTechnique();

describe('commands that only look, on a read-only data directory [files]', () => {
  const o = new Okpay();
  let undo: (() => void) | null = null;
  afterAll(() => {
    undo?.();
    o.cleanup();
  });

  const title =
    readOnly === 'none'
      ? 'no way to make a directory read-only here (no mount, no chattr): not checked'
      : `answer, also when a session's last use is due to be recorded, as they do once it is writable again; a writer is refused (read-only by ${readOnly})`;
  it(title, async () => {
    if (readOnly === 'none') return;
    const store = await deskStore(o);
    const directories = [
      o.home,
      ...[...filesAndTimes(o.home).keys()].filter((name) => name.endsWith('/') && name !== '/').map((name) => path.join(o.home, name)),
    ];
    const files = filesAndTimes(o.home);
    undo = applyReadOnly(readOnly, directories);
    expect(undo, `${readOnly} failed`).not.toBeNull();
    // Five minutes on: each signed-in look would record its session's last use, which cannot be written now.
    const later = { OKPAY_NOW: new Date(Date.parse(o.now) + 5 * 60_000).toISOString() };
    const answers = await runLooks(store, later);
    const deposit = await o.run(['deposit', '--amount', '5', '--currency', 'USD', '--json'], { env: { OKPAY_SESSION: store.sessions.customer } });
    expect(deposit.code).toBe(10);
    // An agent's look at a ticket is audited, a write: refused in one line that says so (not which file failed).
    const audited = await o.run(['ticket', 'show', String(store.names.ticket), '--json'], { env: { OKPAY_SESSION: store.sessions.agent, ...later } });
    expect(audited.code, audited.stderr).toBe(10);
    expect(audited.stderr.trim().split('\n')).toHaveLength(1);
    expect(audited.error().message).toMatch(/^`ticket show` by an agent writes an audit entry, and the store at \S+ is read-only; nothing was shown$/);
    expect(filesAndTimes(o.home)).toEqual(files);
    undo?.();
    undo = null;
    expect(await runLooks(store, later)).toEqual(answers);
  });
});

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const TOKENS = JSON.parse(readFileSync(path.join(FIXTURES, 'schema2-store', 'tokens.json'), 'utf8')) as { bob: string; amy: string; ticket: number };

/**
 * The stores as the releases of their schema wrote them, and a moment at which each one's sessions
 * are alive and due to have their last use recorded (a write that would upgrade the store).
 */
const OLD_STORES = [
  { name: 'schema 2 (one state.json, the first release)', data: path.join(FIXTURES, 'schema2-store', 'data'), now: '2026-11-23T10:10:00.000Z', schema: 2 },
  { name: 'schema 10 (a file per mail)', data: path.join(FIXTURES, 'schema10-store', 'data'), now: '2026-11-23T10:21:30.000Z', schema: 10 },
] as const;

describe.each(OLD_STORES)('commands that only look, on a store of $name [files]', ({ data, now, schema }) => {
  const homes: string[] = [];
  afterAll(() => homes.forEach((home) => rmSync(home, { recursive: true, force: true })));

  it('answer from it as it is and change no byte and no mtime; they answer the same once `okpay store migrate` upgraded it', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'okpay-old-'));
    homes.push(home);
    cpSync(data, home, { recursive: true });
    const store: Store = {
      names: { ticket: TOKENS.ticket, tx: 'txn_0000000018', mail: 'msg_000001' },
      sessions: { customer: TOKENS.bob, agent: TOKENS.amy },
      run: (args, env) => runBin(args, { env: { OKPAY_HOME: home, OKPAY_NOW: now, OKPAY_BCRYPT_COST: '4', ...env } }),
    };
    const before = filesAndTimes(home);
    const answers = await runLooks(store);
    expect(filesAndTimes(home)).toEqual(before);
    const info = await store.run(['store', 'info', '--json'], {});
    expect(info.json<{ schemaVersion: number }>().schemaVersion).toBe(schema);
    const migrated = await store.run(['store', 'migrate', '--json'], {});
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.json()).toEqual({ location: home, applied: [SPLIT_SCHEMA_VERSION], schemaVersion: SPLIT_SCHEMA_VERSION, testStore: null });
    expect(await runLooks(store)).toEqual(answers);
  });
});

describe('a look at a schema-2 store whose last commit was cut short [files]', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'okpay-old-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('is refused with exit 10, saying that completing that commit is a write and naming `okpay store migrate`, which completes and upgrades it', async () => {
    cpSync(OLD_STORES[0].data, home, { recursive: true });
    // The journal goes on past what state.json says, as that release's commit cut short left it.
    appendFileSync(path.join(home, 'journal', '00000000.json'), '\n');
    const run = (args: readonly string[]) =>
      runBin([...args, '--json'], { env: { OKPAY_HOME: home, OKPAY_NOW: OLD_STORES[0].now, OKPAY_SESSION: TOKENS.bob, OKPAY_BCRYPT_COST: '4' } });
    const before = filesAndTimes(home);
    const refused = await run(['balance']);
    expect(refused.code, refused.stderr).toBe(10);
    expect(refused.error()).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('its last change was cut short') });
    expect(refused.error().hint).toContain('okpay store migrate');
    expect(filesAndTimes(home)).toEqual(before);
    const migrated = await run(['store', 'migrate']);
    expect(migrated.code, migrated.stderr).toBe(0);
    const balance = await run(['balance']);
    expect(balance.code, balance.stderr).toBe(0);
  });
});

describe('verify of a schema-2 store whose files contradict each other [files]', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'okpay-old-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('reports what is wrong (exit 10) and changes no byte', async () => {
    cpSync(OLD_STORES[0].data, home, { recursive: true });
    // A user's journal index loses its last entry: the index built from it no longer matches the journal.
    const index = path.join(home, 'index', readdirSync(path.join(home, 'index'))[0] ?? '');
    const body = JSON.parse(readFileSync(index, 'utf8')) as { users: Record<string, number[]> };
    const [user, seqs] = Object.entries(body.users)[0] ?? ['', []];
    writeFileSync(index, JSON.stringify({ users: { ...body.users, [user]: seqs.slice(0, -1) } }));
    const before = filesAndTimes(home);
    const verify = await runBin(['verify', '--json'], { env: { OKPAY_HOME: home, OKPAY_NOW: OLD_STORES[0].now } });
    expect(verify.code, verify.stderr).toBe(10);
    expect(verify.stdout + verify.stderr).toContain(`index journal-of-user entry ${user}`);
    expect(filesAndTimes(home)).toEqual(before);
  });
});
