// fixtures load / generate / export, and dev otp: the testers' tools. They work on an empty store
// or a store marked as a test store (loading fixtures marks it), never on a real one.

import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { currentOtp } from '../../app/accounts.js';
import { AppError, isAppError } from '../../domain/errors.js';
import { planFixtures, type FixturePlan } from '../../domain/fixture-plan.js';
import { canonicalJson } from '../../domain/hashing.js';
import type { LimitWindow, StoreMeta, User, WithdrawalMethod } from '../../domain/state.js';
import { normalizeEmail } from '../../domain/validate.js';
import type { Records } from '../../store/records.js';
import type { RecordsTransaction } from '../../store/store.js';
import { authenticate } from '../../app/authenticate.js';
import { sessionToken } from '../auth.js';
import type { Context } from '../context.js';
import { applyFixtures, hashFixturePasswords } from '../fixture-loader.js';
import { assertTestable, initTestStore } from '../../app/test-store.js';
import { action, examples, group, subcommand, type App } from '../command-builder.js';
import { openRequestedFile } from '../requested-file.js';
import { fileText } from '../utf8.js';

const MAX_FIXTURE_BYTES = 20 * 1024 * 1024;

export function registerFixtureCommands(program: Command, app: App): void {
  const fixtures = group(program, 'fixtures', 'test data: load fixture files, generate a realistic store, export a store');
  const load = subcommand(fixtures, 'load', 'load fixture files (JSON or YAML) in order; prints a JSON map of names to ids').argument(
    '<files...>',
    'fixture files',
  );
  examples(load, ['okpay fixtures load data/fixtures/demo.json', 'okpay fixtures load base.yaml scenario.yaml']);
  action(app, load, async (ctx, _o, files) => {
    const documents = await Promise.all(files.map((file) => readFixtureFile(file)));
    const plan = planOrReport(ctx, documents);
    const hashes = await hashFixturePasswords(ctx, plan);
    const ids = await ctx.store.transaction(async (t) => {
      await assertTestable(t, 'fixtures load');
      return applyFixtures(ctx, t, plan, hashes);
    });
    // The map of names to ids is this command's output, JSON with or without --json.
    if (ctx.json) ctx.out.data(ids, () => undefined);
    else ctx.out.line(JSON.stringify(ids, null, 2));
  });
  const generate = subcommand(fixtures, 'generate', 'fill an empty store with realistic, deterministic data (same seed, same store)')
    .requiredOption('--users <n>', 'how many customers')
    .requiredOption('--transactions <n>', 'how many journal entries')
    .option('--tickets <n>', 'how many support tickets', '0')
    .option('--seed <seed>', 'the seed: the same seed makes the same store', 'okpay');
  examples(generate, [
    'okpay fixtures generate --users 200 --transactions 10000 --tickets 50 --seed demo',
    'OKPAY_NOW=2026-11-23T10:00:00Z okpay fixtures generate --users 1000 --transactions 1000000 --seed bench',
  ]);
  action(app, generate, async (ctx, o) => {
    const { runGenerator, parseGeneratorOptions } = await import('../generator.js');
    await runGenerator(ctx, parseGeneratorOptions(o));
  });
  const exportCommand = subcommand(fixtures, 'export', 'a canonical JSON dump of the store (sorted keys, stable order, secrets redacted) for diffing').option(
    '--output <file>',
    'write to this file instead of stdout',
  );
  examples(exportCommand, ['okpay fixtures export > store.json', 'diff <(OKPAY_HOME=a okpay fixtures export) <(OKPAY_HOME=b okpay fixtures export)']);
  action(app, exportCommand, async (ctx, o) => {
    const token = await sessionToken(ctx);
    await ctx.store.transaction(async (t) => {
      if (!t.meta.get().testStore)
        await authenticate(t, ctx.now().getTime(), token, { roles: ['admin'], what: '`okpay fixtures export` of a store that is not a test store' });
      await exportStore(ctx, t, o.output);
    });
  });
  registerDevCommands(program, app);
}

/** Plans the load; a refusal of several problems first lists them on stderr, one per line. */
function planOrReport(ctx: Context, documents: readonly { file: string; data: unknown }[]): FixturePlan {
  try {
    return planFixtures(documents);
  } catch (error) {
    const problems = isAppError(error) ? error.details?.['problems'] : undefined;
    if (!ctx.json && Array.isArray(problems)) for (const problem of problems) ctx.out.note(`okpay: ${String(problem)}`);
    throw error;
  }
}

async function readFixtureFile(file: string): Promise<{ file: string; data: unknown }> {
  const name = path.basename(file);
  let text: string;
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new AppError('INVALID_FILE', `${file} is not a file`);
    if (stat.size > MAX_FIXTURE_BYTES) throw new AppError('INVALID_FILE', `${file} is larger than 20 MiB`);
    text = fileText(await fs.readFile(file), file);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('INVALID_FILE', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'it is not readable'}`);
  }
  const yaml = /\.ya?ml$/i.test(file);
  try {
    return { file: name, data: yaml ? parseYaml(text) : JSON.parse(text) };
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : 'unreadable';
    throw new AppError('INVALID_FILE', `${name} is not valid ${yaml ? 'YAML' : 'JSON'}: ${why}`, { hint: 'nothing was written' });
  }
}

/**
 * Loaded on first use through require, as the other CommonJS dependencies are: a bundled dynamic
 * import of a CommonJS module hands back only its default export.
 */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return yaml.parse(text, { maxAliasCount: 100 });
}

const REDACTED = '[redacted]';

function redactedUser(u: User): User {
  return {
    ...u,
    passwordHash: REDACTED,
    activation: u.activation && { ...u.activation, tokenHash: REDACTED },
    passwordReset: u.passwordReset && { ...u.passwordReset, tokenHash: REDACTED },
    unlockToken: u.unlockToken && { ...u.unlockToken, tokenHash: REDACTED },
    twoFactor: {
      ...u.twoFactor,
      secret: u.twoFactor.secret && REDACTED,
      pendingSecret: u.twoFactor.pendingSecret && REDACTED,
      recoveryCodes: u.twoFactor.recoveryCodes.map((c) => ({ ...c, codeHash: REDACTED })),
      pendingRecoveryCodes: [],
    },
  };
}

const PAGE = 1000;

/**
 * The lasting records without secrets: what two stores are compared on. Sessions, quotes and
 * idempotency keys are short-lived and left out; refunds are in the journal.
 */
async function redactedRecords(t: Records): Promise<Record<string, unknown>> {
  const users: Record<string, User> = {};
  const methods: Record<string, WithdrawalMethod> = {};
  const limitWindows: Record<string, LimitWindow> = {};
  for await (const page of t.users.scan(PAGE)) {
    for (const u of page) {
      users[u.id] = redactedUser(u);
      for (const m of await t.methods.ofUser(u.id)) methods[m.id] = m;
      const window = await t.limits.get(u.id);
      if (Object.keys(window).length > 0) limitWindows[u.id] = window;
    }
  }
  const balances: Record<string, Readonly<Record<string, number>>> = {};
  for await (const page of t.balances.scan(PAGE)) for (const row of page) balances[row.account] = row.currencies;
  const keyed = async <T>(pages: AsyncIterable<T[]>, key: (item: T) => string): Promise<Record<string, T>> => {
    const out: Record<string, T> = {};
    for await (const page of pages) for (const item of page) out[key(item)] = item;
    return out;
  };
  return {
    meta: withoutSegmentBytes(t.meta.get()),
    users,
    balances,
    limitWindows,
    methods,
    unclaimed: await keyed(t.unclaimed.scan(PAGE), (u) => u.txId),
    withdrawals: await keyed(t.withdrawals.scan(PAGE), (w) => w.id),
    tickets: await keyed(t.tickets.scan(PAGE), (x) => String(x.number)),
  };
}

async function exportStore(ctx: Context, t: RecordsTransaction, output: string | undefined): Promise<void> {
  const sink = output ? await openRequestedFile(output) : { write: (text: string) => ctx.out.documentPart(text), close: async () => undefined };
  await sink.write('{"audit":[');
  await writeChain(sink, t.auditLog.scan());
  await sink.write('],"journal":[');
  await writeChain(sink, t.journal.scan());
  await sink.write('],"mails":[');
  const mails = await t.outbox.list();
  await sink.write(mails.map((m) => canonicalJson(m)).join(','));
  await sink.write(`],"state":${canonicalJson(await redactedRecords(t))}}\n`);
  await sink.close();
}

/**
 * The export is the data, not how a store lays it out: the file store keeps each chain entry's byte
 * length (`len`) and the size of the segment that holds a chain's head (`bytes`) for its own
 * checks; PostgreSQL has neither. Without them, a store and its copy export the same.
 */
function withoutSegmentBytes(meta: StoreMeta): Omit<StoreMeta, 'journal' | 'audit'> & Record<'journal' | 'audit', Omit<StoreMeta['journal'], 'bytes'>> {
  const { bytes: _journalBytes, ...journal } = meta.journal;
  const { bytes: _auditBytes, ...audit } = meta.audit;
  return { ...meta, journal, audit };
}

async function writeChain(sink: { write(text: string): Promise<void> }, segments: AsyncIterable<readonly object[]>): Promise<void> {
  let first = true;
  for await (const entries of segments) {
    if (entries.length === 0) continue;
    await sink.write(`${first ? '' : ','}${entries.map((e) => canonicalJson(withoutLength(e))).join(',')}`);
    first = false;
  }
}

function withoutLength(entry: object): object {
  const { len: _len, ...rest } = entry as { len?: unknown };
  return rest;
}

function registerDevCommands(program: Command, app: App): void {
  const dev = group(program, 'dev', 'tools for testers (only in a test store)');
  const init = subcommand(dev, 'init', 'make a new, empty store a test store (where OKPAY_NOW may move the clock)');
  examples(init, [
    'okpay --data-dir /tmp/okpay-test dev init',
    'export OKPAY_HOME=$(mktemp -d) && okpay dev init && OKPAY_NOW=2026-11-23T10:00:00Z okpay register …',
  ]);
  action(app, init, async (ctx) => {
    const marked = await ctx.store.transaction((t) => initTestStore(t, ctx));
    // On PostgreSQL the store is the database (its password masked), not the data directory.
    const where = ctx.database ? `The database ${ctx.database.location}` : ctx.dataDir;
    ctx.out.data({ testStore: true, marked }, () => ctx.out.success(marked ? `${where} is now a test store.` : `${where} was already a test store.`));
  });
  const otp = subcommand(dev, 'otp', 'the current one-time code of a user with 2FA, or of a setup waiting for `2fa confirm`, in a test store').requiredOption(
    '--email <email>',
    'the user',
  );
  examples(otp, [
    'okpay dev otp --email alice@example.com',
    'okpay 2fa confirm "$(okpay dev otp --email alice@example.com)" --password-stdin < pass.txt',
    'okpay login --email alice@example.com --otp "$(okpay dev otp --email alice@example.com)"',
  ]);
  action(app, otp, async (ctx, o) => {
    const email = normalizeEmail(o.email);
    const { code, validForSeconds, confirmed } = await ctx.store.read((t) => currentOtp(t, ctx, email));
    ctx.out.data({ email, code, validForSeconds, confirmed }, () => ctx.out.line(code));
  });
}
