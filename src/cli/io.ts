// What a command may touch of the process: its streams and whether they are terminals. Tests
// use bufferIO() and read what was printed.

import { fstatSync, statSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AppError } from '../domain/errors.js';
import { utf8Text } from './utf8.js';

export interface IO {
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  /** Terminal layout on stdout asked for by OKPAY_FORCE_TTY although stdout is no terminal: no pager, no colour by itself. */
  readonly forcedTTY?: boolean;
  readonly columns: number;
  writeOut(text: string): void;
  /** For large outputs: resolves when the text has been handed on (waits while a pipe is full). */
  writeOutAsync(text: string): Promise<void>;
  writeErr(text: string): void;
  /** All of standard input (for --password-stdin, --body-file -). */
  readStdin(): Promise<string>;
}

let devNullRdev: number | undefined;
function devNull(): number {
  if (devNullRdev === undefined) {
    try {
      devNullRdev = statSync('/dev/null').rdev;
    } catch {
      devNullRdev = -1;
    }
  }
  return devNullRdev;
}

/**
 * Whether a descriptor is a terminal. Pipes and files are told apart by fstat, without loading
 * Node's tty module (it brings net and streams along: a few ms of a scripted command's start);
 * only a character device other than /dev/null asks isatty.
 */
function isTerminal(fd: number): boolean {
  try {
    const stats = fstatSync(fd);
    if (!stats.isCharacterDevice() || stats.rdev === devNull()) return false;
  } catch {
    return false;
  }
  return (createRequire(import.meta.url)('node:tty') as typeof import('node:tty')).isatty(fd);
}

/**
 * One of the process's output streams. Node writes to pipes and files synchronously on Linux
 * anyway; okpay does the same with writeSync when the descriptor is not a terminal, which spares
 * creating the stream (and loading net and streams). A terminal, and a descriptor someone made
 * non-blocking (EAGAIN), go through the stream. A reader that went away (EPIPE) is not a crash:
 * `okpay outbox list | head -1` closes the pipe early by choice; the rest is dropped.
 */
class Output {
  private closed = false;
  private useStream: boolean;

  constructor(
    private readonly fd: 1 | 2,
    readonly isTTY: boolean,
  ) {
    this.useStream = isTTY;
  }

  private get stream(): NodeJS.WriteStream {
    return this.fd === 1 ? process.stdout : process.stderr;
  }

  private openStream(): NodeJS.WriteStream {
    if (!this.useStream) {
      this.useStream = true;
      this.stream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
        this.closed = true;
      });
    }
    return this.stream;
  }

  /** True when the text was handed on (or dropped because the reader left); false while a stream's buffer is full. */
  write(text: string): boolean {
    if (this.closed || text === '') return true;
    if (!this.useStream) {
      let bytes = Buffer.from(text, 'utf8');
      try {
        while (bytes.length > 0) bytes = bytes.subarray(writeSync(this.fd, bytes));
        return true;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') {
          this.closed = true;
          return true;
        }
        if (code !== 'EAGAIN') throw error;
        return this.openStream().write(bytes);
      }
    }
    return this.openStream().write(text);
  }

  /** Resolves on drain, or when the reader went away (the pipe closed mid-write). */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      const stream = this.stream;
      const done = () => {
        stream.off('drain', done);
        stream.off('close', done);
        stream.off('error', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
      stream.on('error', done);
    });
  }

  get columns(): number | undefined {
    return this.isTTY ? this.stream.columns : undefined;
  }
}

/**
 * OKPAY_FORCE_TTY (as gh's GH_FORCE_TTY): stdout gets a terminal's layout (tables, wrapping, local
 * times) even when it is a pipe, at the width it gives (a number of columns), else 100. The demo
 * sets it for the commands it runs, whose output it shows on its own terminal.
 */
function forcedColumns(forceTty: string | undefined): number | null {
  if (forceTty === undefined || forceTty === '') return null;
  const columns = Number(forceTty);
  return Number.isSafeInteger(columns) && columns >= 20 && columns <= 1000 ? columns : 100;
}

export function processIO(forceTty?: string): IO {
  const stdout = new Output(1, isTerminal(1));
  const stderr = new Output(2, isTerminal(2));
  const forced = stdout.isTTY ? null : forcedColumns(forceTty);
  let stdinIsTTY: boolean | undefined;
  return {
    stdoutIsTTY: stdout.isTTY || forced !== null,
    forcedTTY: forced !== null,
    stderrIsTTY: stderr.isTTY,
    // Asked when a command first needs it, and not of process.stdin: creating the stdin stream
    // costs a few ms, and most commands never read it.
    get stdinIsTTY() {
      return (stdinIsTTY ??= isTerminal(0));
    },
    columns: forced ?? stdout.columns ?? 100,
    writeOut: (text) => void stdout.write(text),
    writeOutAsync: async (text) => {
      if (!stdout.write(text)) await stdout.drained();
    },
    writeErr: (text) => void stderr.write(text),
    readStdin: () => readAll(process.stdin),
  };
}

const MAX_STDIN_BYTES = 8 * 1024 * 1024;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw new AppError('INPUT_TOO_LARGE', 'standard input is larger than 8 MiB');
    chunks.push(buffer);
  }
  return utf8Text(Buffer.concat(chunks), { code: 'INVALID_TEXT', name: 'standard input' });
}

export interface BufferIO extends IO {
  readonly out: string[];
  readonly err: string[];
  stdout(): string;
  stderr(): string;
}

export function bufferIO(options: { stdin?: string; tty?: boolean; columns?: number } = {}): BufferIO {
  const out: string[] = [];
  const err: string[] = [];
  const tty = options.tty ?? false;
  return {
    out,
    err,
    stdoutIsTTY: tty,
    stderrIsTTY: tty,
    stdinIsTTY: tty && options.stdin === undefined,
    columns: options.columns ?? 100,
    writeOut: (text) => void out.push(text),
    writeOutAsync: async (text) => void out.push(text),
    writeErr: (text) => void err.push(text),
    readStdin: async () => options.stdin ?? '',
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}
