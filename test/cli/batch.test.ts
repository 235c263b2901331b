// Batch payouts and dry runs as people and scripts read them (issue 16): a row paid to an address
// with no account is `waiting`; a run prints a summary with the totals and fees, and the per-row
// table only with --verbose or when a row failed; --dry-run shows exactly what would be charged and
// changes nothing.

import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cli, type CliRun } from '../support/cli.js';

const ok = (run: CliRun): CliRun => {
  expect(run.code, run.stderr).toBe(0);
  return run;
};

function csv(rows: readonly string[]): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'okpay-batch-')), 'payouts.csv');
  writeFileSync(file, ['to,amount,currency,memo,reference', ...rows].join('\n'));
  return file;
}

/** Everything a dry run must leave as it was: balances, history, mails, and the books' check. */
async function snapshot(cli: Cli): Promise<string> {
  const parts = await Promise.all(
    [['balance'], ['history', '--limit', '500'], ['outbox', 'list', '--limit', '500']].map(async (argv) => ok(await cli.run([...argv, '--json'])).stdout),
  );
  // verify's timings change from run to run; its counts and problems must not.
  const { ok: clean, checked, problems } = ok(await cli.run(['verify', '--json'])).json<{ ok: boolean; checked: unknown; problems: unknown }>();
  expect(clean).toBe(true);
  return [...parts, JSON.stringify({ checked, problems })].join('\n');
}

async function customer(): Promise<Cli> {
  const cli = new Cli();
  await cli.signedIn('bob@example.com');
  await cli.signedIn('ada@example.com');
  ok(await cli.run(['deposit', '--amount', '100', '--currency', 'USD']));
  return cli;
}

interface BatchDoc {
  batch: Record<string, unknown>;
  results: { reference: string; status: string; transaction: string | null; fee: string | null }[];
}

const ROWS = ['bob@example.com,10,USD,rent,r1', 'carol@example.com,5,USD,,r2', '+447700900999,2,USD,,r3'];

describe('transfer --batch', () => {
  it('a row to an address with no account waits; the summary counts it and totals amounts and fees', async () => {
    const cli = await customer();
    const doc = ok(await cli.run(['transfer', '--batch', csv(ROWS), '--yes', '--json'])).json<BatchDoc>();
    expect(doc.results.map((r) => [r.reference, r.status])).toEqual([
      ['r1', 'paid'],
      ['r2', 'waiting'],
      ['r3', 'waiting'],
    ]);
    expect(doc.batch).toEqual({
      rows: 3,
      paid: 1,
      waiting: 2,
      alreadyPaid: 0,
      failed: 0,
      notSent: 0,
      atomic: false,
      totals: [{ currency: 'USD', amount: '17.00', fee: '2.97', total: '19.97' }],
    });
    expect((await cli.run(['balance', '--json'])).json()).toMatchObject({ balances: [{ currency: 'USD', available: '80.03' }] });
  });

  it('prints a summary, and the rows only with --verbose or when a row failed', async () => {
    const cli = await customer();
    const file = csv(ROWS);
    const quiet = ok(await cli.run(['transfer', '--batch', file, '--yes']));
    expect(quiet.stdout).toBe(
      '3 rows: 1 paid, 2 waiting for their payee to open an account, 0 already paid before, 0 failed.\nCharged 17.00 USD + 2.97 USD fees = 19.97 USD.\n',
    );
    const verbose = ok(await cli.run(['transfer', '--batch', file, '--yes', '--verbose']));
    const [header, ...rows] = verbose.stdout.trim().split('\n');
    expect(header?.split('\t')).toEqual(['line', 'reference', 'to', 'amount', 'fee', 'result', 'transaction_or_reason']);
    expect(rows.slice(0, 3).map((r) => r.split('\t')[5])).toEqual(['already-paid', 'already-paid', 'already-paid']);
    expect(verbose.stdout).toContain('3 rows: 0 paid, 0 waiting for their payee to open an account, 3 already paid before, 0 failed.\nNothing was charged.\n');

    const failing = await cli.run(['transfer', '--batch', csv(['bob@example.com,1,USD,,r4', 'bob@example.com,500,USD,,r5']), '--yes']);
    expect(failing.code).toBe(7);
    const lines = failing.stdout.trim().split('\n');
    expect(
      lines[2]
        ?.split('\t')
        .slice(1, 2)
        .concat(lines[2]?.split('\t')[5] ?? ''),
    ).toEqual(['r5', 'failed']);
    expect(lines.at(-1)).toBe('Charged 1.00 USD + 0.99 USD fees = 1.99 USD.');
  });

  it('--dry-run shows what the run would charge, changes nothing, and the run then charges exactly that', async () => {
    const cli = await customer();
    const file = csv(ROWS);
    const before = await snapshot(cli);
    const rehearsed = ok(await cli.run(['transfer', '--batch', file, '--dry-run', '--json'])).json<BatchDoc>();
    expect(rehearsed.batch).toMatchObject({ dryRun: true, paid: 1, waiting: 2, totals: [{ currency: 'USD', amount: '17.00', fee: '2.97', total: '19.97' }] });
    expect(rehearsed.results.map((r) => r.transaction)).toEqual([null, null, null]);
    const human = ok(await cli.run(['transfer', '--batch', file, '--dry-run']));
    expect(human.stdout).toBe(
      'Dry run, nothing was sent. 3 rows: 1 would be paid, 2 would wait for their payee to open an account, 0 already paid before, 0 would fail.\nIt would charge 17.00 USD + 2.97 USD fees = 19.97 USD.\n',
    );
    expect(await snapshot(cli)).toBe(before);

    const paid = ok(await cli.run(['transfer', '--batch', file, '--yes', '--json'])).json<BatchDoc>();
    expect(paid.batch['totals']).toEqual(rehearsed.batch['totals']);
    expect(paid.results.map((r) => r.fee)).toEqual(rehearsed.results.map((r) => r.fee));

    // A rehearsal of a run that would fail says so with the failure's exit code, and still changes nothing.
    const after = await snapshot(cli);
    const tooMuch = await cli.run(['transfer', '--batch', csv(['bob@example.com,1,USD,,r6', 'bob@example.com,500,USD,,r7']), '--dry-run', '--json']);
    expect(tooMuch.code).toBe(7);
    expect(tooMuch.error().message).toContain('this was a dry run, so nothing was sent');
    expect(await snapshot(cli)).toBe(after);
  });
});

describe('transfer --dry-run', () => {
  it('needs no --yes, shows the fee and the total, changes nothing; the transfer then charges the same', async () => {
    const cli = await customer();
    const before = await snapshot(cli);
    const args = ['transfer', '--to', 'bob@example.com', '--amount', '25', '--currency', 'USD', '--idempotency-key', 'inv-1'];
    const human = ok(await cli.run([...args, '--dry-run']));
    expect(human.stdout).toMatch(
      /^Dry run, nothing was sent: 25\.00 USD plus a fee of (\d+\.\d\d) USD would be charged, (\d+\.\d\d) USD in all; bob@example\.com would receive 25\.00 USD\.\n$/,
    );
    const rehearsed = ok(await cli.run([...args, '--dry-run', '--json'])).json<{
      transaction: { id: string | null; fee: string; amount: string };
      dryRun: boolean;
    }>();
    expect(rehearsed).toMatchObject({ dryRun: true, transaction: { id: null, amount: '25.00' } });
    expect(human.stdout).toContain(`a fee of ${rehearsed.transaction.fee} USD`);
    expect(await snapshot(cli)).toBe(before);

    const sent = ok(await cli.run([...args, '--yes', '--json'])).json<{ transaction: { id: string; fee: string } }>();
    expect(sent.transaction.fee).toBe(rehearsed.transaction.fee);
    const replay = ok(await cli.run([...args, '--dry-run', '--json'])).json<{ transaction: { id: string }; replayed: boolean }>();
    expect(replay).toMatchObject({ replayed: true, transaction: { id: sent.transaction.id } });
    expect((await cli.run(['transfer', '--to', 'bob@example.com', '--amount', '1000', '--currency', 'USD', '--dry-run'])).code).toBe(7);
  });
});
