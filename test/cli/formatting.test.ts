// --json FIELDS, --jq and --template, implemented once in Output.data for every command that prints data.

import { beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_FIELDS } from '../../src/cli/fields.js';
import { Cli } from '../support/cli.js';

const cli = new Cli();

beforeAll(async () => {
  await cli.signedIn('ada@example.com');
  for (const amount of ['100.00', '25.50']) expect((await cli.run(['deposit', '--amount', amount, '--currency', 'USD'])).code).toBe(0);
});

describe('--json FIELDS', () => {
  it('keeps only the fields asked for, in that order, for every record of a list', async () => {
    const run = await cli.run(['history', '--json', 'id,amount,status']);
    expect(run.code).toBe(0);
    const { transactions } = run.json<{ transactions: Record<string, unknown>[] }>();
    expect(transactions).toHaveLength(2);
    for (const tx of transactions) expect(Object.keys(tx)).toEqual(['id', 'amount', 'status']);
    expect(transactions.map((tx) => tx.amount)).toEqual(['25.50', '100.00']);
  });

  it('reads --json=FIELDS and a single field, and trims a single record too', async () => {
    const one = await cli.run(['whoami', '--json=email']);
    expect(one.json()).toEqual({ user: { email: 'ada@example.com' } });
    const balance = await cli.run(['balance', '--json', 'currency']);
    expect(balance.json()).toEqual({ balances: [{ currency: 'USD' }] });
  });

  it('refuses an unknown field with exit 2, listing the valid ones, before the command runs', async () => {
    const run = await cli.run(['deposit', '--amount', '5.00', '--currency', 'USD', '--json', 'id,amout']);
    expect(run.code).toBe(2);
    const error = run.error();
    expect(error).toMatchObject({ code: 'USAGE', exitCode: 2, message: 'unknown JSON field: amout' });
    expect(error.hint).toContain('amount, createdAt, currency');
    const balances = (await cli.run(['balance', '--json'])).json<{ balances: { available: string }[] }>();
    expect(balances.balances[0]?.available).toBe('125.50');
  });

  it('checks the fields of a command that is not declared against the document it prints', async () => {
    expect((await cli.run(['support', '--json=channels'])).code).toBe(0);
    const run = await cli.run(['support', '--json', 'nonsense,channels']);
    expect(run.code).toBe(2);
    expect(run.error().hint).toContain('channels');
  });

  it('checks an empty list against the fields declared for it', async () => {
    expect((await cli.run(['withdraw', 'list', '--json', 'id,status'])).json()).toEqual({ withdrawals: [] });
    expect((await cli.run(['withdraw', 'list', '--json', 'id,colour'])).code).toBe(2);
  });

  it('reads a command name after --json as the command, even when it is also a field name', async () => {
    const kyc = await cli.run(['--json', 'kyc', 'status']);
    expect(kyc.code).toBe(0);
    expect(kyc.json<{ kyc: { status: string } }>().kyc.status).toBeDefined();
    const statuses = await cli.run(['history', '--json=status']);
    expect(statuses.json()).toEqual({ transactions: [{ status: 'completed' }, { status: 'completed' }] });
  });

  it('reads a misspelt field after --json as a field list when the command has no argument left for it', async () => {
    for (const args of [
      ['history', '--json', 'idx'],
      ['withdraw', 'list', '--limit', '5', '--json', 'idx'],
      ['tx', 'show', 'txn_0000000001', '--json', 'idx'],
      ['tx', 'show', '--json', 'idx', 'txn_0000000001'],
    ]) {
      const run = await cli.run(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.error().message).toBe('unknown JSON field: idx');
      expect(run.error().hint).toMatch(/^available fields: .*\bid\b/);
    }
  });

  it('never answers "too many arguments" to a word after --json', async () => {
    for (const command of Object.keys(COMMAND_FIELDS)) {
      const run = await cli.run([...command.split(' '), '--json', 'idx']);
      expect(run.stderr, command).not.toMatch(/too many arguments/);
    }
  });

  it('leaves an argument after --json alone when it is not a field list', async () => {
    const run = await cli.run(['tx', 'show', '--json', 'txn_0000000001']);
    expect(run.code).toBe(0);
    expect(run.json<{ transaction: { id: string } }>().transaction.id).toBe('txn_0000000001');
  });
});

describe('--jq', () => {
  it('filters the document with jq and prints strings raw', async () => {
    const run = await cli.run(['history', '--jq', '.transactions[] | "\\(.id) \\(.amount)"']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('txn_0000000002 25.50\ntxn_0000000001 100.00\n');
  });

  it('works after a field list', async () => {
    const run = await cli.run(['history', '--json', 'amount', '--jq', '[.transactions[].amount] | join("+")']);
    expect(run.stdout).toBe('25.50+100.00\n');
  });

  it('refuses a broken expression with exit 2 and jq’s message', async () => {
    const run = await cli.run(['balance', '--jq', '.balances[] |||']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^okpay: --jq: jq: error: syntax error/);
  });
});

describe('--template', () => {
  it('formats the document with a Handlebars template, \\n and \\t standing for a newline and a tab', async () => {
    const run = await cli.run(['history', '--template', '{{#each transactions}}{{id}}\\t{{amount}} {{currency}}\\n{{/each}}']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('txn_0000000002\t25.50 USD\ntxn_0000000001\t100.00 USD\n');
  });

  it('has helpers for JSON, lists and times', async () => {
    const run = await cli.run(['history', '--template', '{{#each transactions}}{{json id}} {{join (lookup net 0) "|"}}\\n{{/each}}'], { env: { TZ: 'UTC' } });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(/^"txn_0000000002" /);
  });

  it('refuses a broken template with exit 2', async () => {
    const run = await cli.run(['balance', '--template', '{{#each balances}}']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^okpay: --template: /);
  });

  it('before the command, its value is never taken for the command, even when it names one', async () => {
    const run = await cli.run(['--template', 'balance', 'support']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('balance');
  });

  it('cannot be combined with --jq', async () => {
    expect((await cli.run(['balance', '--template', '{{x}}', '--jq', '.'])).code).toBe(2);
  });
});

describe('errors with --json', () => {
  it('keep the error document on stderr', async () => {
    const run = await cli.run(['tx', 'show', 'txn_9999999999', '--json', 'id']);
    expect(run.code).toBe(5);
    expect(run.error()).toMatchObject({ code: 'TX_NOT_FOUND', exitCode: 5 });
  });
});
