// The README's tour is followed to the letter: every shell line of its "A tour" section and of
// "Moving the clock" runs, in order, against a fresh store with a fixed clock (a minute per line
// where the README does not set OKPAY_NOW itself), with `okpay` being bin/okpay.js. Each line must
// exit as expected (0 unless CLAIMS says otherwise) and print what the README says it prints.
// Placeholders a reader fills in from what an earlier line printed (act_…, msg_…, qt_…, wm_…, the
// texted code NNNNNN) are filled in the same way.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../support/okpay.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
/** A Monday with no public holiday that week in any support region. */
const START = Date.parse('2026-11-16T14:00:00Z');

/** The ```sh blocks of the README between a heading and the next heading of the same level or higher. */
function shellBlocks(heading: string): string[] {
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const blocks: string[] = [];
  let inside = false;
  let fence: string[] | null = null;
  for (const line of README.split('\n')) {
    if (fence !== null) {
      if (line === '```') {
        if (inside) blocks.push(fence.join('\n'));
        fence = null;
      } else fence.push(line);
    } else if (line.startsWith('```')) fence = [];
    else if (line === heading) inside = true;
    else if (inside && (/^(#+) /.exec(line)?.[1]?.length ?? 99) <= level) break;
  }
  if (!inside) throw new Error(`README has no heading "${heading}"`);
  return blocks;
}

/** The command lines of a block: comments after two spaces and comment lines dropped. */
function commandLines(block: string): string[] {
  return block
    .split('\n')
    .map((line) => line.replace(/\s{2,}#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

interface Claim {
  readonly code?: number;
  /** What the line prints (stdout and stderr together). */
  readonly prints?: readonly (string | RegExp)[];
}

/** What the README says of particular lines of the tour; each key must match a line. */
const TOUR_CLAIMS: ReadonlyArray<readonly [RegExp, Claim]> = [
  [/^okpay register --email ada@example.com /, { prints: ['Account created for ada@example.com; it is pending activation.'] }],
  [/^okpay outbox list --to ada@example.com$/, { prints: [/^msg_\d+\t.*\tactivation\t/m] }],
  [/^okpay activate act_…$/, { prints: ['Account ada@example.com is active.'] }],
  [/^okpay 2fa confirm /, { prints: ['Two-step verification is on.'] }],
  [/^okpay outbox list --to \+14155550199$/, { prints: ['text-message'] }],
  [/^okpay profile verify-phone NNNNNN$/, { prints: ['+14155550199 is verified'] }],
  [/^okpay 2fa recovery-codes /, { prints: ['New recovery codes', /^ {2}[a-z0-9]{5}-[a-z0-9]{5}$/m] }],
  [/^okpay transfer --quote qt_… --yes$/, { prints: ['Sent 100.00 USD (fee 0.50 USD) — bob@example.com received 100.00 USD.'] }],
  [/^okpay balance$/, { prints: [/^USD\t693\.40\t0\.00$/m] }],
  [/^okpay history --type transfer /, { prints: [/txn_0000000019\ttransfer\tbob@example.com\t-100\.50 USD\tcompleted/] }],
  [/^okpay tx show txn_0000000019$/, { prints: ['bob@example.com'] }],
  [/^okpay withdraw list$/, { prints: [/\t150\.00 USD\t0\.50 USD\t150\.50 USD\t.*\trequested\t/] }],
  [/^okpay ticket new --category funds /, { prints: ['#6'] }],
  [/^okpay ticket new --category dispute .* --tx txn_0000000019$/, { prints: ['#7'] }],
  [/^okpay agent queue$/, { prints: [/^6\t/m] }],
  [/^okpay ticket reply 6 --faq /, { prints: ['the ticket is solved'] }],
  [/^okpay agent triage$/, { code: 2, prints: ['needs a terminal'] }],
  [/^okpay agent refund /, { prints: ['Refunded'] }],
  [/^okpay agent lock bob@example.com /, { prints: ['bob@example.com is locked'] }],
  [/^okpay verify$/, { prints: ['the books close'] }],
];

/** The same for "Moving the clock"; a line met twice gets the claim of its turn. */
const CLOCK_CLAIMS: ReadonlyArray<readonly [RegExp, Claim | Claim[]]> = [
  [/^okpay withdraw --method "\$m" --amount 100 --currency EUR --yes$/, { prints: ['Expected by 2026-11-25 17:00 UTC'] }],
  [/^OKPAY_SESSION=\$ops okpay admin settle$/, [{ prints: [/: \d+ payouts? started processing\b/] }, { prints: [/: \d+ payouts? completed\b/] }]],
  [/^okpay withdraw list$/, [{ prints: [/\t100\.00 EUR\t0\.50 EUR\t100\.50 EUR\t.*\trequested\t/] }, { prints: [/\t100\.00 EUR\t.*\tcompleted\t/] }]],
  [/^okpay outbox list --kind payout-completed$/, { prints: [/lena\.mueller@example\.de\tpayout-completed/] }],
];

/** Placeholders a reader fills in with the latest match in what earlier lines printed. */
const PLACEHOLDERS: ReadonlyArray<readonly [string, RegExp]> = [
  ['act_…', /act_[\w-]+/g],
  ['msg_…', /msg_\d+/g],
  ['qt_…', /qt_[a-z0-9]+/g],
  ['wm_…', /wm_[a-z0-9]+/g],
  ['NNNNNN', /\b\d{6}(?= is your code)/g],
];

const scratch = mkdtempSync(path.join(os.tmpdir(), 'okpay-readme-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Ran {
  readonly line: string;
  readonly code: number;
  readonly output: string;
}

/** Runs lines one by one in bash, keeping the shell's variables from line to line as a reader's shell would. */
function follow(lines: readonly string[], name: string, env: Record<string, string>, clock: boolean): Ran[] {
  const cwd = path.join(scratch, name);
  execFileSync('mkdir', ['-p', path.join(cwd, 'tmp')]);
  symlinkSync(path.join(ROOT, 'data'), path.join(cwd, 'data'));
  const state = path.join(cwd, '.state.sh');
  writeFileSync(state, '');
  const seen: string[] = [];
  return lines.map((given, i) => {
    let line = given;
    for (const [placeholder, pattern] of PLACEHOLDERS) {
      if (!line.includes(placeholder)) continue;
      const found = seen.join('\n').match(pattern);
      if (!found) throw new Error(`nothing printed before \`${given}\` fills in ${placeholder}`);
      line = line.replaceAll(placeholder, found[found.length - 1] ?? '');
    }
    const now = clock ? `export OKPAY_NOW=${new Date(START + i * 60_000).toISOString()}\n` : '';
    const script = `set -a\n. ${state}\n${now}okpay() { node ${BIN} "$@"; }\n${line}\nrc=$?\nexport -p > ${state}\nexit $rc\n`;
    const run = spawnSync('bash', ['--norc', '--noprofile', '-c', script], {
      cwd,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'], HOME: cwd, TMPDIR: path.join(cwd, 'tmp'), TZ: 'UTC', OKPAY_BCRYPT_COST: '4', ...env },
    });
    const output = `${run.stdout}${run.stderr}`;
    seen.push(output);
    return { line: given, code: run.status ?? -1, output };
  });
}

function check(ran: readonly Ran[], claims: ReadonlyArray<readonly [RegExp, Claim | Claim[]]>): void {
  const turns = new Map<RegExp, number>();
  for (const { line, code, output } of ran) {
    const [pattern, given] = claims.find(([p]) => p.test(line)) ?? [null, {}];
    const turn = pattern === null ? 0 : (turns.get(pattern) ?? 0);
    if (pattern !== null) turns.set(pattern, turn + 1);
    const claim = (Array.isArray(given) ? given[turn] : given) ?? {};
    expect.soft(code, `\`${line}\` exited ${code}:\n${output}`).toBe(claim.code ?? 0);
    for (const printed of claim.prints ?? []) {
      if (typeof printed === 'string') expect.soft(output, `\`${line}\``).toContain(printed);
      else expect.soft(output, `\`${line}\``).toMatch(printed);
    }
  }
}

describe('the README', () => {
  const tour = shellBlocks('## A tour').flatMap(commandLines);
  const clock = shellBlocks('### Moving the clock: a payout from requested to completed').flatMap(commandLines);

  it('says something of each line it claims about', () => {
    for (const [pattern] of TOUR_CLAIMS)
      expect(
        tour.some((line) => pattern.test(line)),
        String(pattern),
      ).toBe(true);
    for (const [pattern, claim] of CLOCK_CLAIMS)
      expect(clock.filter((line) => pattern.test(line)).length, String(pattern)).toBe(Array.isArray(claim) ? claim.length : 1);
    expect(tour.length).toBeGreaterThan(30);
    expect(clock.length).toBeGreaterThan(10);
  });

  it('tour runs to the letter, a minute per line, with the password from OKPAY_PASSWORD', { timeout: 600_000 }, () => {
    check(follow(tour, 'tour', { OKPAY_PASSWORD: 'Demo-pass-2026!' }, true), TOUR_CLAIMS);
  });

  it('"Moving the clock" runs to the letter with its own clock', { timeout: 300_000 }, () => {
    expect(clock.join('\n')).toContain('export OKPAY_NOW=');
    check(follow(clock, 'clock', {}, false), CLOCK_CLAIMS);
  });
});
