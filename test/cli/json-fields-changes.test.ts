// --json FIELDS on commands that change something: a mistyped field stops the command before the
// change (the fields are declared in src/cli/fields.ts), and the declarations cover what they print.

import { beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_FIELDS } from '../../src/cli/fields.js';
import { MemoryDesk, type Outcome } from '../support/memory-desk.js';

const desk = new MemoryDesk();
beforeAll(() => desk.setUp(['customer', 'agent1']), 60_000);
const amy = (argv: readonly string[]) => desk.okpay(argv, { token: desk.tokens.agent1 });

const documentOf = (outcome: Outcome): Record<string, unknown> => {
  expect(outcome.code, outcome.stderr).toBe(0);
  return JSON.parse(outcome.stdout) as Record<string, unknown>;
};

/** The keys of the record a document holds (its first key's object, or the first item of its list). */
function recordKeys(document: Record<string, unknown>): string[] {
  const first = document[Object.keys(document)[0] ?? ''];
  const record = Array.isArray(first) ? (first[0] as Record<string, unknown>) : (first as Record<string, unknown>);
  return Object.keys(record);
}

async function openTickets(): Promise<number[]> {
  const { tickets } = documentOf(await amy(['ticket', 'list', '--json'])) as { tickets: { number: number; status: string }[] };
  return tickets.filter((t) => ['new', 'open', 'pending', 'on-hold'].includes(t.status)).map((t) => t.number);
}

describe('--json FIELDS on a command that changes something', () => {
  it('an unknown field stops it before the change: exit 2, the valid fields listed, nothing added', async () => {
    const [number] = await openTickets();
    const before = documentOf(await amy(['ticket', 'show', String(number), '--json'])) as { ticket: { messages: unknown[] } };
    const run = await amy(['ticket', 'note', String(number), '--body', 'a note that must not be added', '--json', 'idx']);
    expect(run.code).toBe(2);
    const error = (JSON.parse(run.stderr) as { error: { message: string; hint: string } }).error;
    expect(error.message).toBe('unknown JSON field: idx');
    expect(error.hint).toMatch(/^available fields: .*\bmessages\b/);
    const after = documentOf(await amy(['ticket', 'show', String(number), '--json'])) as { ticket: { messages: unknown[] } };
    expect(after.ticket.messages).toHaveLength(before.ticket.messages.length);
  });

  it('the declared fields cover every field these commands print, one ticket or several', async () => {
    const [first, second] = await openTickets();
    const { user } = documentOf(await amy(['whoami', '--json'])) as { user: { email: string } };
    const runs: [string, string[]][] = [
      ['ticket note', ['ticket', 'note', String(first), '--body', 'checked']],
      ['ticket reply', ['ticket', 'reply', String(first), '--body', 'We are on it.']],
      ['ticket set', ['ticket', 'set', String(first), '--priority', 'normal']],
      ['ticket assign', ['ticket', 'assign', String(first), String(second), '--to', user.email, '--yes']],
      ['ticket resolve', ['ticket', 'resolve', String(second)]],
      ['ticket reopen', ['ticket', 'reopen', String(second)]],
      ['ticket escalate', ['ticket', 'escalate', String(first), '--reason', 'needs a tier-2 look']],
    ];
    for (const [command, argv] of runs) {
      const keys = recordKeys(documentOf(await amy([...argv, '--json'])));
      expect(
        keys.filter((key) => !COMMAND_FIELDS[command]?.includes(key)),
        command,
      ).toEqual([]);
    }
  });
});
