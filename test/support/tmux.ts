// A real pseudo-terminal for end-to-end tests: tmux runs bin/okpay.js in a detached session of a
// given size, and the test reads the screen with capture-pane. A command ends by printing a marker
// with its exit code, which the test waits for (polling the screen, bounded in time).

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { BIN } from './okpay.js';

export interface Screen {
  readonly code: number;
  /** The visible lines above the marker, trailing blanks removed. */
  readonly lines: string[];
  readonly text: string;
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

export class Terminal {
  private readonly name = `okpay-test-${randomBytes(6).toString('hex')}`;

  constructor(
    readonly columns: number,
    readonly rows = 60,
  ) {
    execFileSync('tmux', ['-u', 'new-session', '-d', '-s', this.name, '-x', String(columns), '-y', String(rows), 'env -i PATH="$PATH" HOME="$HOME" TERM=xterm-256color LANG=C.UTF-8 bash --norc --noprofile']);
  }

  /** Runs `okpay ARGS` (or a shell line, with `shell`) with the environment given, and waits for it to end. */
  async okpay(args: readonly string[], env: Record<string, string>, options: { shell?: string } = {}): Promise<Screen> {
    const marker = `__done_${randomBytes(4).toString('hex')}`;
    const assignments = Object.entries(env).map(([key, value]) => `${key}=${quote(value)}`).join(' ');
    const command = options.shell ?? `node ${quote(BIN)} ${args.map(quote).join(' ')}`;
    this.keys(`clear; tmux clear-history -t ${this.name}; env ${assignments} ${command}; echo ${marker}:$?`);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const screen = this.capture();
      const at = screen.findIndex((line) => line.startsWith(`${marker}:`));
      if (at >= 0) {
        const lines = screen.slice(0, at);
        while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
        const body = lines.filter((line) => !line.includes(marker));
        return { code: Number(screen[at]?.slice(marker.length + 1)), lines: body, text: body.join('\n') };
      }
      if (Date.now() > deadline) throw new Error(`no end marker on the screen:\n${screen.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  keys(text: string): void {
    execFileSync('tmux', ['send-keys', '-t', this.name, '-l', text]);
    execFileSync('tmux', ['send-keys', '-t', this.name, 'Enter']);
  }

  capture(): string[] {
    return execFileSync('tmux', ['capture-pane', '-p', '-J', '-t', this.name], { encoding: 'utf8' }).split('\n');
  }

  close(): void {
    execFileSync('tmux', ['kill-session', '-t', this.name]);
  }
}
