// The man page is generated from the command tree at build time and installed through package.json.

import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bufferIO } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/main.js';

const root = (relative: string) => fileURLToPath(new URL(`../../${relative}`, import.meta.url));

describe('okpay.1', () => {
  const page = readFileSync(root('dist/man/okpay.1'), 'utf8');

  it('is what package.json installs', () => {
    const manifest = JSON.parse(readFileSync(root('package.json'), 'utf8')) as { man: string[]; files: string[] };
    expect(manifest.man).toEqual(['./dist/man/okpay.1']);
    expect(manifest.files).toContain('dist');
  });

  it('has a section for every command and subcommand of the program, with its options', async () => {
    const program = await buildProgram({ io: bufferIO(), env: {} });
    const walk = (command: CommandUnknownOpts, words: string[]): string[][] =>
      command.commands
        .filter((c) => c.name() !== 'help' && !c.name().startsWith('__'))
        .flatMap((c) => [[...words, c.name()], ...walk(c, [...words, c.name()])]);
    const paths = walk(program, []);
    expect(paths.length).toBeGreaterThan(40);
    for (const words of paths) expect(page).toContain(`.SS "okpay ${words.join(' ').replace(/-/g, '\\-')} `);
    expect(page).toContain('.B \\-\\-idempotency\\-key <key>');
    expect(page).toMatch(/^\.SH EXIT STATUS$/m);
    expect(page).toMatch(/^\.SH ENVIRONMENT$/m);
  });

  it('renders with man', () => {
    const text = execFileSync('man', ['-l', root('dist/man/okpay.1')], {
      encoding: 'utf8',
      env: { ...process.env, MANWIDTH: '80', MANPAGER: 'cat', PAGER: 'cat' },
    });
    expect(text).toMatch(/^OKPAY\(1\)/);
    expect(text).toContain('okpay transfer [options]');
    expect(text).toContain('INSUFFICIENT_FUNDS');
  });
});
