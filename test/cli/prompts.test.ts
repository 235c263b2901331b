// Without a terminal nothing is asked: a missing value is one usage error that names every missing
// flag, and a command that confirms needs --yes (or -y) and changes nothing without it. The
// questions themselves are tested on a real terminal in test/e2e/prompts.test.ts.

import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { beforeAll, describe, expect, it } from 'vitest';
import { bufferIO } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/main.js';
import { DEMO_PEOPLE, errorCode, MemoryDesk } from '../support/memory-desk.js';

let desk: MemoryDesk;

beforeAll(async () => {
  desk = new MemoryDesk();
  await desk.setUp(['customer', 'agent1', 'admin']);
});

function errorOf(stderr: string): { code: string; message: string; hint?: string } {
  return (JSON.parse(stderr.trim().split('\n').pop() ?? '{}') as { error: { code: string; message: string; hint?: string } }).error;
}

describe('a missing value without a terminal', () => {
  it.each([
    [['transfer', '--yes'], 'required options --to, --currency and --amount are missing'],
    [['transfer', '--to', DEMO_PEOPLE.otherCustomer, '--yes'], 'required options --currency and --amount are missing'],
    [['ticket', 'new'], 'required options --category, --subject and --body (or --body-file) are missing'],
    [['ticket', 'new', '--category', 'funds'], 'required options --subject and --body (or --body-file) are missing'],
    [['register'], 'required options --email and --accept-terms are missing'],
    [['login'], 'required option --email is missing'],
    // Commander's own required options are all named too, not only the first.
    [['kyc', 'submit'], 'required options --document-type and --document-number are missing'],
    [['fee', 'quote', 'transfer', '--amount', '5'], 'required options --to and --currency are missing'],
  ])('okpay %j is exit 2 naming every missing flag', async (argv, message) => {
    const { outcome, changed } = await desk.isolated([...argv, '--json'], { token: desk.tokens.customer ?? '' });
    expect(outcome.code, outcome.stderr).toBe(2);
    expect(errorOf(outcome.stderr)).toMatchObject({ code: 'USAGE', message });
    expect(changed).toBe(false);
  });

  it('a single missing value is named alone, with a hint in the singular', async () => {
    const outcome = await desk.okpay(['login', '--password-stdin'], { stdin: 'x\n' });
    expect(outcome.stderr).toBe('okpay: required option --email is missing — pass it as a flag (or run the command on a terminal to be asked)\n');
  });
});

describe('commands that confirm', () => {
  const SOFIA = 'sofia.garcia@example.es';
  const agent = () => desk.tokens.agent1 ?? '';

  it.each([
    [['agent', 'lock', SOFIA, '--reason', 'fraud check'], 'agent1'],
    [['agent', 'unlock', SOFIA, '--reason', 'checked'], 'agent1'],
    [['agent', 'kyc', 'approve', SOFIA], 'agent1'],
    [['agent', 'kyc', 'reject', SOFIA, '--reason', 'blurred photo'], 'agent1'],
    [['admin', 'kyc', 'approve', SOFIA], 'admin'],
    [['ticket', 'close', '1'], 'agent1'],
    [['ticket', 'merge', '2', '--into', '1'], 'agent1'],
  ] as const)('okpay %j needs --yes without a terminal and changes nothing', async (argv, role) => {
    const { outcome, changed } = await desk.isolated([...argv, '--json'], { token: desk.tokens[role] ?? '' });
    expect(errorCode(outcome)).toBe('CONFIRMATION_REQUIRED');
    expect(outcome.code).toBe(2);
    expect(changed).toBe(false);
  });

  it('the role is checked before the question: a customer is refused, not asked', async () => {
    const { outcome } = await desk.isolated(['agent', 'lock', SOFIA, '--reason', 'fraud check', '--json'], { token: desk.tokens.customer ?? '' });
    expect(errorCode(outcome)).toBe('FORBIDDEN');
  });

  it('-y is the short form of --yes: agent lock, kyc approve and lock go through with it', async () => {
    const locked = await desk.isolated(['agent', 'lock', SOFIA, '--reason', 'fraud check', '-y', '--json'], { token: agent() });
    expect(locked.outcome.code, locked.outcome.stderr).toBe(0);
    expect(JSON.parse(locked.outcome.stdout)).toMatchObject({ user: { email: SOFIA, status: 'locked' } });
    const approved = await desk.isolated(['agent', 'kyc', 'approve', SOFIA, '-y', '--json'], { token: agent() });
    expect(JSON.parse(approved.outcome.stdout)).toMatchObject({ user: { kyc: 'approved' } });
    expect((await desk.isolated(['lock', '-y', '--json'], { token: desk.tokens.customer ?? '' })).outcome.code).toBe(0);
  });

  it('deposit takes --yes and -y, and needs neither without a terminal', async () => {
    for (const extra of [['--yes'], ['-y'], []]) {
      const { outcome } = await desk.isolated(['deposit', '--amount', '5', '--currency', 'EUR', ...extra, '--json'], { token: desk.tokens.customer ?? '' });
      expect(outcome.code, outcome.stderr).toBe(0);
    }
  });

  it('every --yes in the command tree has -y, and the commands the issue names have one', async () => {
    const program = await buildProgram({ io: bufferIO(), env: {} });
    const withYes: string[] = [];
    const visit = (command: CommandUnknownOpts, path: string) => {
      for (const option of command.options) if (option.long === '--yes') withYes.push(`${path} ${option.short ?? ''}`);
      for (const child of command.commands) visit(child, `${path} ${child.name()}`.trim());
    };
    visit(program, '');
    expect(withYes.filter((entry) => !entry.endsWith(' -y'))).toEqual([]);
    const named = [
      'agent lock',
      'agent unlock',
      'ticket merge',
      'ticket close',
      'agent kyc approve',
      'agent kyc reject',
      'admin kyc approve',
      'admin kyc reject',
      'deposit',
      'transfer',
      'lock',
    ];
    expect(named.filter((path) => !withYes.includes(`${path} -y`))).toEqual([]);
  });
});
