// What a command may touch of the process: its streams and whether they are terminals. Tests
// use bufferIO() and read what was printed.

import { isatty } from 'node:tty';
import { AppError } from '../domain/errors.js';

export interface IO {
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  readonly columns: number;
  writeOut(text: string): void;
  /** For large outputs: resolves when the text has been handed on (waits while a pipe is full). */
  writeOutAsync(text: string): Promise<void>;
  writeErr(text: string): void;
  /** All of standard input (for --password-stdin, --body-file -). */
  readStdin(): Promise<string>;
}

export function processIO(): IO {
  // `okpay outbox list | head -1` closes the pipe early: that is the reader's choice, not a crash.
  let stdoutClosed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutClosed = true;
  });
  return {
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    // isatty(0) rather than process.stdin.isTTY: creating the stdin stream costs a few ms at every
    // start, and most commands never read it.
    stdinIsTTY: isatty(0),
    columns: process.stdout.columns ?? 100,
    writeOut: (text) => {
      if (!stdoutClosed) process.stdout.write(text);
    },
    writeOutAsync: (text) =>
      new Promise((resolve) => {
        if (stdoutClosed || process.stdout.write(text)) return resolve();
        // Resolves on drain, or when the reader went away (the pipe closed mid-write).
        const done = () => {
          process.stdout.off('drain', done);
          process.stdout.off('close', done);
          process.stdout.off('error', done);
          resolve();
        };
        process.stdout.on('drain', done);
        process.stdout.on('close', done);
        process.stdout.on('error', done);
      }),
    writeErr: (text) => void process.stderr.write(text),
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
    if (size > MAX_STDIN_BYTES) throw new AppError('INVALID_INPUT', 'standard input is larger than 8 MiB');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
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
