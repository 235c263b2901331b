// `okpay demo` (what `npm start` runs) tells a story; every claim of its narration must hold in
// the output of the commands it runs. Run once, laid out as on a 100-column terminal
// (OKPAY_FORCE_TTY), whatever day the test runs on: the demo pins its own clock.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import stringWidth from 'string-width';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin, type Run } from '../support/okpay.js';

const COLUMNS = 100;

interface Step {
  readonly command: string;
  readonly output: string;
}

interface Section {
  readonly title: string;
  readonly steps: Step[];
}

/** The demo's output cut at its "── N. title ──" headings, each cut at its "$ okpay …" lines. */
function sections(stdout: string): Section[] {
  const parts = stdout.split(/^── \d+\. (.*?) ─*$/m);
  const found: Section[] = [];
  for (let i = 1; i < parts.length; i += 2) {
    const steps: Step[] = [];
    for (const line of (parts[i + 1] ?? '').split('\n')) {
      const command = /^(?:\(as \w+\) )?\$ (.*)$/.exec(line)?.[1];
      if (command !== undefined) steps.push({ command, output: '' });
      else if (steps.length > 0) {
        const last = steps[steps.length - 1] as Step;
        steps[steps.length - 1] = { command: last.command, output: `${last.output}${line}\n` };
      }
    }
    found.push({ title: parts[i] ?? '', steps });
  }
  return found;
}

/** The rows of the bordered table in a step's output, as header → cell. */
function table(output: string): Record<string, string>[] {
  const lines = output.split('\n').filter((line) => line.startsWith('│'));
  const cells = (line: string) =>
    line
      .split('│')
      .slice(1, -1)
      .map((cell) => cell.trim());
  const [header = [], ...rows] = lines.map(cells);
  return rows.map((row) => Object.fromEntries(header.map((title, i) => [title.toLowerCase(), row[i] ?? ''])));
}

function step(section: Section, command: RegExp, nth = 0): Step {
  const matching = section.steps.filter((s) => command.test(s.command));
  const found = matching[nth];
  if (!found) throw new Error(`no step ${command} in section "${section.title}": ${section.steps.map((s) => s.command).join(' | ')}`);
  return found;
}

let home: string;
let run: Run;
let shown: Map<string, Section>;

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'okpay-demo-test-'));
  run = await runBin(['demo', '--dir', path.join(home, 'tour')], { env: { OKPAY_FORCE_TTY: String(COLUMNS), TZ: 'UTC', OKPAY_BCRYPT_COST: '4' } });
  shown = new Map(sections(run.stdout).map((s) => [s.title, s]));
}, 300_000);

afterAll(() => rmSync(home, { recursive: true, force: true }));

const section = (title: string): Section => {
  const found = shown.get(title);
  if (!found) throw new Error(`no section "${title}"; the demo has: ${[...shown.keys()].join(' | ')}`);
  return found;
};

/** Every heading of the demo, each with the check of what it claims. A new heading needs a check here. */
const CLAIMS: Record<string, (s: Section) => void> = {
  'Load the demo customers, agents, payments and tickets (data/fixtures/demo.json)': (s) => {
    const loaded = JSON.parse(step(s, /^okpay fixtures load /).output) as Record<string, unknown>;
    expect(loaded).toMatchObject({ bob: expect.stringMatching(/^usr_/), amy: expect.stringMatching(/^usr_/), rent: expect.stringMatching(/^txn_/), t_rent: 4 });
  },
  'Register: a strong password, and the terms accepted': (s) => {
    expect(step(s, /^printf .* okpay register /).output).toContain('✓ Account created for ada@example.com; it is pending activation.');
  },
  'The activation mail is in the outbox': (s) => {
    const { mails } = JSON.parse(step(s, /^okpay outbox list /).output) as { mails: { to: string; kind: string }[] };
    expect(mails).toEqual([expect.objectContaining({ to: 'ada@example.com', kind: 'activation' })]);
    expect(step(s, /^okpay outbox show /).output).toMatch(/okpay activate act_/);
  },
  'Activate the account with the token from the mail and the password chosen at registration, and sign in': (s) => {
    const token = /okpay activate (act_[\w-]+)/.exec(section('The activation mail is in the outbox').steps[1]?.output ?? '')?.[1];
    expect(step(s, /^printf .* okpay activate /).command).toBe(`printf '%s\\n' '••••••••' | okpay activate ${token} --password-stdin`);
    expect(step(s, /^printf .* okpay activate /).output).toContain('✓ Account ada@example.com is active.');
    expect(step(s, /okpay login /).output).toContain('session token printed');
  },
  'Turn on two-step verification (secret, otpauth:// URI, recovery codes): the password again, not just the session': (s) => {
    const enable = step(s, /okpay 2fa enable --password-stdin/);
    expect(enable.command).toMatch(/^printf /);
    const { twoFactor } = JSON.parse(enable.output) as { twoFactor: { secret: string; uri: string; recoveryCodes: string[] } };
    expect(twoFactor.uri).toMatch(/^otpauth:\/\/totp\//);
    expect(twoFactor.recoveryCodes).toHaveLength(10);
    expect(step(s, /okpay 2fa confirm \d{6} --password-stdin/).output).toContain('✓ Two-step verification is on.');
  },
  'Sign in again: now a one-time code is needed (and works only once)': (s) => {
    expect(step(s, /okpay login .*--raw$/).output).toContain('a one-time code is required');
    const first = step(s, /okpay login .*--otp \d{6}$/, 0);
    const again = step(s, /okpay login .*--otp \d{6}$/, 1);
    expect(again.command).toBe(first.command);
    expect(first.output).toContain('session token printed');
    expect(again.output).toContain('this code was already used');
  },
  'A new phone number needs the password and a code too': (s) => {
    const set = step(s, /okpay profile set --phone \+14155550199 .*--password-stdin --otp \d{6}$/);
    expect(set.output).toMatch(/phone to verify: +\+14155550199/);
    expect(set.output).toContain('A code was sent to +14155550199 by text message');
    expect(set.output).not.toContain('Missing: phone number');
  },
  'The number is Ada’s once she types the code texted to it (a text-message record in the outbox)': (s) => {
    const { mails } = JSON.parse(step(s, /^okpay outbox list --to \+14155550199 --kind text-message/).output) as { mails: { kind: string }[] };
    expect(mails.map((m) => m.kind)).toEqual(['text-message']);
    const texted = /\b(\d{6})\b/.exec(step(s, /^okpay outbox show /).output)?.[1];
    expect(step(s, /^okpay profile verify-phone /).command).toBe(`okpay profile verify-phone ${texted}`);
    expect(step(s, /^okpay profile verify-phone /).output).toContain('✓ +14155550199 is verified');
  },
  'Add money, then ask what a transfer costs before sending it': (s) => {
    expect(step(s, /^okpay deposit --amount 1000 --currency USD$/).output).toMatch(/✓ Deposited 1000\.00 USD/);
    const { quote } = JSON.parse(step(s, /^okpay fee quote transfer --to bob@example.com /).output) as { quote: { fee: string; total: string } };
    expect(quote).toMatchObject({ fee: '0.50', total: '100.50' });
  },
  'Send exactly what the quote said (binding for 30 minutes)': (s) => {
    const { quote } = JSON.parse(step(section('Add money, then ask what a transfer costs before sending it'), /^okpay fee quote/).output) as {
      quote: { id: string; amount: string; fee: string; receiveAmount: string };
    };
    const sent = step(s, /^okpay transfer --quote /);
    expect(sent.command).toContain(`--quote ${quote.id} `);
    expect(sent.output).toContain(`✓ Sent ${quote.amount} USD (fee ${quote.fee} USD) — bob@example.com received ${quote.receiveAmount} USD.`);
  },
  'A cross-border transfer: USD out, EUR in, at our rate with its spread': (s) => {
    const quote = step(s, /^okpay fee quote transfer --to lena/).output;
    expect(quote).toMatch(/rate: +1 USD = [\d.]+ EUR \(mid [\d.]+\)/);
    const fee = /^fee: +([\d.]+) USD/m.exec(quote)?.[1];
    const receive = /^they receive: +([\d.]+) EUR/m.exec(quote)?.[1];
    expect(step(s, /^okpay transfer --to lena/).output).toContain(`✓ Sent 200.00 USD (fee ${fee} USD) — lena.mueller@example.de received ${receive} EUR.`);
  },
  'Retrying with the same idempotency key pays nobody twice': (s) => {
    const retry = step(s, /^okpay transfer --to lena/);
    const first = step(section('A cross-border transfer: USD out, EUR in, at our rate with its spread'), /^okpay transfer --to lena/);
    expect(retry.command).toBe(first.command);
    const id = /Transaction (txn_\d+)/.exec(first.output)?.[1];
    expect(retry.output).toContain('nothing new was sent');
    expect(retry.output).toContain(`Transaction ${id}.`);
    const [usd] = table(step(s, /^okpay balance$/).output);
    expect(usd).toMatchObject({ currency: 'USD', available: '693.40', held: '0.00' }); // 1000.00 − 100.50 − 206.10
    const history = table(step(s, /^okpay history$/).output);
    expect(history.filter((row) => row['id'] === id)).toHaveLength(1);
    expect(history.map((row) => row['date'])).toEqual([...history.map((row) => row['date'] ?? '')].sort().reverse());
  },
  'Withdraw to a bank account: the money is held at once, the ETA is in business days': (s) => {
    const asked = step(s, /^okpay withdraw --method /).output;
    // Requested on Monday 2026-11-16: three business days later is Thursday, at the close of business in New York.
    expect(asked).toContain('Expected by 2026-11-19 23:00 UTC (bank payouts take up to 3 business days).');
    expect(table(step(s, /^okpay withdraw list$/).output)).toEqual([expect.objectContaining({ amount: '150.00 USD', status: 'requested' })]);
    expect(table(step(s, /^okpay balance$/).output)).toEqual([{ currency: 'USD', available: '542.90', held: '150.50' }]);
  },
  'Four days later the operator settles: the payout completes and Ada gets a mail': (s) => {
    const settled = /Settled as of (\S+ \S+) UTC/.exec(step(s, /^okpay admin settle$/).output)?.[1] ?? '';
    // At 100 columns the list gives the day of the request (the fee and the amount held come first).
    const requestedDay = table(
      step(section('Withdraw to a bank account: the money is held at once, the ETA is in business days'), /^okpay withdraw list$/).output,
    )[0]?.['requested'];
    expect(requestedDay).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(Date.parse(`${settled}Z`) - Date.parse(`${requestedDay}T00:00Z`)).toBeGreaterThanOrEqual(4 * 24 * 3600_000);
    // Words, not the --json keys (unclaimedReturned, ticketsClosed).
    expect(step(s, /^okpay admin settle$/).output).toMatch(/^✓ Settled as of .*: (\d+ payouts? [a-z ]+, )*\d+ payouts completed(, \d+ [a-z ]+)*\.$/m);
    expect(step(s, /^okpay admin settle$/).output).not.toMatch(/[a-z][A-Z]|\w: \d+,/);
    expect(table(step(s, /^okpay withdraw list$/).output)).toEqual([expect.objectContaining({ amount: '150.00 USD', status: 'completed' })]);
    const mails = table(step(s, /^okpay outbox list --to ada@example.com --kind payout-completed$/).output);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.['id']).toMatch(/^msg_\d+$/);
  },
  'Ada asks support a question; the ticket shows its place in the queue': (s) => {
    const opened = JSON.parse(step(s, /^okpay ticket new /).output) as { ticket: { number: number; queue: { position: number; of: number } } };
    expect(opened.ticket.number).toBe(6);
    expect(step(s, /^okpay ticket show 6$/).output).toMatch(new RegExp(`^queue: +position ${opened.ticket.queue.position} of ${opened.ticket.queue.of};`, 'm'));
  },
  'An agent works the queue: most urgent first, and why': (s) => {
    const queue = table(step(s, /^okpay agent queue$/).output);
    const urgencies = queue.map((row) => Number(row['urgency']));
    expect(urgencies).toEqual([...urgencies].sort((a, b) => b - a));
    const six = queue.find((row) => row['#'] === '6');
    expect(step(s, /^okpay ticket why 6$/).output).toContain(`Ticket #6: urgency ${six?.['urgency']}`);
    expect(step(s, /^okpay ticket reply 6 /).output).toContain('✓ Answer sent to the customer of #6; the ticket is solved.');
  },
  'Ada reads the answer and rates the service': (s) => {
    const show = step(s, /^okpay ticket show 6$/).output;
    expect(show).toMatch(/^status: +solved$/m);
    expect(show).toMatch(/OKPay support\n {2}Withdrawal fees: bank or e-wallet/);
    expect(step(s, /^okpay ticket rate 6 /).output).toContain('✓ Thank you: ticket #6 rated 5/5.');
  },
  'Finally: the books balance and both hash chains are intact': (s) => {
    expect(step(s, /^okpay verify$/).output).toMatch(/^checked \d+ journal entries in 1 segment, /);
    expect(step(s, /^okpay verify$/).output).toContain(
      'every transaction balances, every balance matches the journal, the books close, and both hash chains are intact',
    );
  },
};

describe('okpay demo', () => {
  it('runs to the end, with its clock pinned to a business day it names, and says how to go on with its store', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('starts on Monday 2026-11-16 at 14:00 UTC, a business day with no');
    expect(new Date('2026-11-16T14:00:00Z').getUTCDay()).toBe(1);
    expect(run.stdout).toContain(`export OKPAY_HOME=${path.join(home, 'tour')}`);
    expect(run.stdout).not.toMatch(/\x1b\[/);
  });

  it('has a check for every heading, and every claim of every heading holds', () => {
    expect([...shown.keys()]).toEqual(Object.keys(CLAIMS));
    for (const [title, check] of Object.entries(CLAIMS)) check(section(title));
  });

  it('prints aligned tables that fit its terminal, not tab-separated text', () => {
    expect(run.stdout).not.toContain('\t');
    const tables = run.stdout.split('\n').filter((line) => /^[┌│├└]/.test(line));
    expect(tables.length).toBeGreaterThan(20);
    for (const line of tables) expect(stringWidth(line)).toBeLessThanOrEqual(COLUMNS);
    // Each table's lines are equally wide, Chinese subjects included.
    for (const block of run.stdout.split(/\n(?![│├└])/).filter((b) => b.startsWith('┌'))) {
      const widths = new Set(block.split('\n').map((line) => stringWidth(line)));
      expect(widths.size, block).toBe(1);
    }
  });

  it('leaves a store whose books close', async () => {
    const verify = await runBin(['verify', '--json'], { env: { OKPAY_HOME: path.join(home, 'tour') } });
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.json<{ ok: boolean; checked: { journalEntries: number } }>()).toMatchObject({ ok: true, checked: { journalEntries: 24 } });
  });
});
