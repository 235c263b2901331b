// okpay fixtures generate: a realistic store made through the same use-cases as the real commands
// (src/app: deposits, transfers, claims, withdrawals, settlement), on a clock that walks through
// the generated months, so every invariant holds and `verify` passes; from a seed. Only the
// mails and audit lines the commands add are left out. The same seed and the same
// "now" give the same store, byte for byte apart from bcrypt salts.

import { performance } from 'node:perf_hooks';
import { AppError } from '../domain/errors.js';
import type { Withdrawal } from '../domain/state.js';
import { parsePositiveInt } from '../domain/validate.js';
import { assertTestable } from '../app/test-store.js';
import type { Context } from './context.js';
import { startProgress } from './progress.js';
import { Generation, type GeneratorOptions } from './generation.js';
import { GeneratedPeople } from './generator-people.js';
import { GeneratedTickets } from './generator-tickets.js';

const PASSWORD = 'Generated-pass-1!';

export function parseGeneratorOptions(o: { users: string; transactions: string; tickets: string; seed: string }): GeneratorOptions {
  const seed = o.seed.trim();
  if (seed.length === 0 || seed.length > 100) throw new AppError('INVALID_TEXT', '--seed must be 1–100 characters');
  return {
    users: parsePositiveInt(o.users, '--users', { min: 2, max: 1_000_000 }),
    transactions: o.transactions.trim() === '0' ? 0 : parsePositiveInt(o.transactions, '--transactions', { min: 1, max: 5_000_000 }),
    tickets: o.tickets.trim() === '0' ? 0 : parsePositiveInt(o.tickets, '--tickets', { min: 1, max: 100_000 }),
    seed,
  };
}

export async function runGenerator(ctx: Context, options: GeneratorOptions): Promise<void> {
  const started = performance.now();
  const anchorMs = Math.floor(ctx.now().getTime() / 60_000) * 60_000;
  const passwordHash = await ctx.passwords.hash(PASSWORD);
  const progress = startProgress(ctx, 'generating', options.transactions, 10_000);
  const summary = await ctx.store.transaction(async (t) => {
    await assertTestable(t, 'fixtures generate');
    if ((await t.users.count()) > 0)
      throw new AppError('ALREADY_EXISTS', 'fixtures generate needs an empty store, so that the same seed gives the same store', {
        hint: 'use a fresh data directory: --data-dir or $OKPAY_HOME',
      });
    // The store is empty: what the generator has not written does not exist, and is not asked for.
    await t.startFromNothing();
    const g = new Generation(ctx, t, options, anchorMs, passwordHash);
    await new GeneratedPeople(g).createPeople();
    await g.runTimeline(progress.tick);
    await new GeneratedTickets(g).createTickets();
    t.meta.markTestStore();
    t.audit({
      at: ctx.now().toISOString(),
      type: 'fixtures.generated',
      actor: null,
      subject: null,
      details: { seed: options.seed, users: options.users, transactions: g.posted, tickets: options.tickets },
    });
    return summarise(g);
  });
  progress.stop();
  const seconds = (performance.now() - started) / 1000;
  ctx.out.line(
    JSON.stringify(
      { ...summary, seconds: Number(seconds.toFixed(2)), transactionsPerSecond: Math.round(summary.transactions / Math.max(seconds, 1e-6)) },
      null,
      2,
    ),
  );
}

async function summarise(g: Generation) {
  const { t } = g;
  const count = <T>(items: readonly T[], key: (item: T) => string) =>
    items.reduce<Record<string, number>>((acc, item) => ({ ...acc, [key(item)]: (acc[key(item)] ?? 0) + 1 }), {});
  const tickets: { status: string; language: string }[] = [];
  for await (const page of t.tickets.scan(SCAN_PAGE)) for (const x of page) tickets.push({ status: x.status, language: x.language });
  const withdrawals: Withdrawal[] = [];
  for await (const page of t.withdrawals.scan(SCAN_PAGE)) withdrawals.push(...page);
  let unclaimedWaiting = 0;
  for await (const page of t.unclaimed.scan(SCAN_PAGE)) unclaimedWaiting += page.length;
  const samples = [];
  for (const p of g.people.slice(0, 5)) {
    const u = await t.users.get(p.id);
    samples.push({
      email: u?.email,
      password: PASSWORD,
      country: u?.country,
      currency: p.currency.code,
      twoFactor: u?.twoFactor.enabled ?? false,
      kyc: u?.kyc.status,
    });
  }
  return {
    seed: g.options.seed,
    anchor: new Date(g.anchorMs).toISOString(),
    users: g.options.users,
    agents: g.agents.length,
    admin: { email: 'admin@okpay.test', password: PASSWORD },
    agentLogin: { email: g.agents[0]?.email, password: PASSWORD },
    sampleUsers: samples,
    transactions: g.posted,
    withdrawalsInFlight: count(withdrawals, (w) => w.status),
    unclaimedWaiting,
    tickets: { byStatus: count(tickets, (x) => x.status), byLanguage: count(tickets, (x) => x.language) },
    note: 'sign in with `okpay login --email EMAIL` (password above); users with twoFactor need `okpay dev otp --email EMAIL`',
  };
}

const SCAN_PAGE = 1000;
