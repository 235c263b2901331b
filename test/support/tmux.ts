// A real pseudo-terminal for end-to-end tests: tmux runs bin/okpay.js in a detached session of a
// given size, and the test reads the screen with capture-pane. A command ends by printing a marker
// with its exit code, which the test waits for (polling the screen, bounded in time). Each terminal
// has a tmux server of its own (-L): with one shared server, a session started while another test
// closed the last one met the server as it exited ("server exited unexpectedly").

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
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
    this.tmux([
      '-u',
      'new-session',
      '-d',
      '-s',
      this.name,
      '-x',
      String(columns),
      '-y',
      String(rows),
      'env -i PATH="$PATH" HOME="$HOME" TERM=xterm-256color LANG=C.UTF-8 bash --norc --noprofile',
    ]);
  }

  /** Runs `okpay ARGS` (or a shell line, with `shell`) with the environment given, and waits for it to end. */
  async okpay(args: readonly string[], env: Record<string, string>, options: { shell?: string } = {}): Promise<Screen> {
    this.start(args, env, options);
    return this.finish();
  }

  private marker = '';

  /** Starts `okpay ARGS` without waiting: the test then answers its questions (waitFor, type, press) and calls finish. */
  start(args: readonly string[], env: Record<string, string>, options: { shell?: string } = {}): void {
    this.marker = `__done_${randomBytes(4).toString('hex')}`;
    const assignments = Object.entries(env)
      .map(([key, value]) => `${key}=${quote(value)}`)
      .join(' ');
    const command = options.shell ?? `node ${quote(BIN)} ${args.map(quote).join(' ')}`;
    this.keys(`clear; tmux -L ${this.name} clear-history -t ${this.name}; env ${assignments} ${command}; echo ${this.marker}:$?`);
  }

  /** Waits (up to 30 s) until the screen shows `pattern`, and returns the screen's text. */
  async waitFor(pattern: RegExp): Promise<string> {
    return this.poll(
      (screen) => (pattern.test(screen.join('\n')) ? screen.join('\n') : null),
      () => `no ${String(pattern)} on the screen`,
    );
  }

  /** Waits for the command started last to end; its exit code and the lines it left. */
  async finish(): Promise<Screen> {
    const marker = this.marker;
    return this.poll(
      (screen) => {
        const at = screen.findIndex((line) => line.startsWith(`${marker}:`));
        if (at < 0) return null;
        const lines = screen.slice(0, at);
        while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
        const body = lines.filter((line) => !line.includes(marker));
        return { code: Number(screen[at]?.slice(marker.length + 1)), lines: body, text: body.join('\n') };
      },
      () => 'no end marker on the screen',
    );
  }

  private async poll<T>(found: (screen: string[]) => T | null, failure: () => string): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const screen = this.capture();
      const result = found(screen);
      if (result !== null) return result;
      if (Date.now() > deadline) throw new Error(`${failure()}:\n${screen.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Runs a tmux command against this terminal's own server. */
  private tmux(args: readonly string[]): void;
  private tmux(args: readonly string[], options: { encoding: 'utf8' }): string;
  private tmux(args: readonly string[], options?: { encoding: 'utf8' }): string | undefined {
    const output = execFileSync('tmux', ['-L', this.name, ...args], options ?? {});
    return options ? String(output) : undefined;
  }

  /** Types text as it is, without Enter. */
  type(text: string): void {
    this.tmux(['send-keys', '-t', this.name, '-l', text]);
  }

  /** Presses keys by tmux's names: Enter, C-c, … */
  press(...names: string[]): void {
    this.tmux(['send-keys', '-t', this.name, ...names]);
  }

  /** Types a line and presses Enter. */
  answer(text: string): void {
    this.type(text);
    this.press('Enter');
  }

  keys(text: string): void {
    this.tmux(['send-keys', '-t', this.name, '-l', text]);
    this.tmux(['send-keys', '-t', this.name, 'Enter']);
  }

  /** Resizes the terminal, as a person dragging the window's corner would. */
  resize(columns: number, rows: number): void {
    this.tmux(['resize-window', '-t', this.name, '-x', String(columns), '-y', String(rows)]);
  }

  /** Sends `signal` to the command running in the terminal (the shell's child). */
  signal(signal: NodeJS.Signals): void {
    const shell = this.tmux(['display-message', '-p', '-t', this.name, '#{pane_pid}'], { encoding: 'utf8' }).trim();
    const child = execFileSync('pgrep', ['-P', shell], { encoding: 'utf8' }).trim().split('\n')[0];
    if (child === undefined || child === '') throw new Error('no command is running in the terminal');
    process.kill(Number(child), signal);
  }

  capture(): string[] {
    return this.tmux(['capture-pane', '-p', '-J', '-t', this.name], { encoding: 'utf8' }).split('\n');
  }

  /** Ends the terminal's tmux server and removes its socket, which tmux leaves behind. */
  close(): void {
    const socket = this.tmux(['display-message', '-p', '#{socket_path}'], { encoding: 'utf8' }).trim();
    this.tmux(['kill-server']);
    rmSync(socket, { force: true });
  }
}
