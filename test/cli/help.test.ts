// okpay help TOPIC, okpay version, and help that fits the terminal.

import { describe, expect, it } from 'vitest';
import { bufferIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { Cli } from '../support/cli.js';
import { PACKAGE_VERSION } from '../../src/cli/paths.js';
import { ERRORS } from '../../src/domain/errors.js';

const cli = new Cli();

describe('help topics', () => {
  it('exit-codes lists every code with the error codes that end with it', async () => {
    const shown = await cli.run(['help', 'exit-codes']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^\s+7 {2}insufficient funds\n\s+error codes: INSUFFICIENT_FUNDS$/m);
    expect(shown.stdout).toMatch(/^\s+10 {2}data store unavailable or damaged$/m);
    expect(shown.stdout).toContain('STORE_CORRUPT');
  });

  it('errors lists every error code with its exit code, meaning and hint, and --json the same table', async () => {
    const shown = await cli.run(['help', 'errors']);
    expect(shown.code).toBe(0);
    for (const code of Object.keys(ERRORS)) expect(shown.stdout).toMatch(new RegExp(`^  ${code} \\(exit \\d+\\)$`, 'm'));
    expect(shown.stdout).toMatch(/^ {2}INSUFFICIENT_FUNDS \(exit 7\)\n {6}the available balance does not cover/m);
    const json = await cli.run(['help', 'errors', '--json']);
    expect(json.code).toBe(0);
    const listed = (json.json() as { errors: { code: string; exitCode: number; meaning: string; hint: string }[] }).errors;
    expect(listed.map((e) => e.code)).toEqual(Object.keys(ERRORS));
    expect(listed.find((e) => e.code === 'KYC_REQUIRED')).toMatchObject({ exitCode: 8, hint: expect.stringContaining('okpay kyc submit') });
    for (const e of listed) expect(e.meaning.length * e.hint.length, e.code).toBeGreaterThan(0);
  });

  it('environment names the variables okpay reads', async () => {
    const shown = await cli.run(['help', 'environment']);
    expect(shown.code).toBe(0);
    for (const name of ['OKPAY_HOME', 'OKPAY_SESSION', 'OKPAY_NOW', 'OKPAY_PAGER', 'NO_COLOR', 'FORCE_COLOR', 'TZ'])
      expect(shown.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('formatting documents --json FIELDS, --jq and --template', async () => {
    const shown = await cli.run(['help', 'formatting']);
    expect(shown.code).toBe(0);
    for (const flag of ['--json FIELDS', '--jq EXPRESSION', '--template TEXT', '--no-pager']) expect(shown.stdout).toContain(flag);
  });

  it('a command is shown its help', async () => {
    const shown = await cli.run(['help', 'ticket', 'show']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^Usage: okpay ticket show/m);
  });

  it('an unknown topic is exit 2 with the list of topics', async () => {
    const shown = await cli.run(['help', 'colours', '--json']);
    expect(shown.code).toBe(2);
    expect(shown.error()).toMatchObject({ code: 'USAGE', exitCode: 2 });
    expect(shown.error().hint).toContain('exit-codes, environment, formatting');
  });

  it('okpay --help lists the topics', async () => {
    const shown = await cli.run(['--help']);
    expect(shown.stdout).toMatch(/Help topics \(okpay help TOPIC\):\n {2}exit-codes/);
  });
});

describe('okpay version', () => {
  it('prints the version, and a JSON document with --json', async () => {
    const plain = await cli.run(['version']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(new RegExp(`^okpay ${PACKAGE_VERSION.replace(/\./g, '\\.')} \\(Node\\.js \\d+\\.\\d+\\.\\d+, \\w+-\\w+\\)\\n$`));
    const json = await cli.run(['version', '--json']);
    expect(json.json()).toMatchObject({ version: PACKAGE_VERSION, node: process.versions.node });
  });
});

describe('help fits the terminal', () => {
  it('wraps usage, options and examples to the width, keeping their indent', async () => {
    for (const columns of [60, 80]) {
      const io = bufferIO({ columns });
      expect(await run(['transfer', '--help'], { io, env: {} })).toBe(0);
      const lines = io.stdout().split('\n');
      // Only a single word longer than the line may stick out (words are never broken).
      for (const line of lines) if (line.length > columns) expect(line.trim(), line).not.toContain(' ');
      expect(lines.find((l) => l.startsWith('Usage: '))).toBeDefined();
      expect(lines.filter((l) => l.length > columns).length).toBeLessThanOrEqual(1);
      const examples = lines.slice(lines.indexOf('Examples:') + 1).filter((l) => l.trim() !== '');
      for (const line of examples) expect(line).toMatch(/^ {2}\$ okpay|^ {4}\S/);
    }
  });
});
