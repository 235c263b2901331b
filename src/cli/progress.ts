// A progress bar on stderr for long commands (batch payouts, the generator) — only on a terminal
// and never with --json; a no-op everywhere else.

import { createRequire } from 'node:module';
import type { Context } from './context.js';

export interface Progress {
  tick(done: number): void;
  stop(): void;
}

const SILENT: Progress = { tick: () => undefined, stop: () => undefined };

export function startProgress(ctx: Context, label: string, total: number, minimum: number): Progress {
  if (!ctx.io.stderrIsTTY || ctx.json || total < minimum) return SILENT;
  const { SingleBar, Presets } = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  const bar = new SingleBar(
    { format: `${label} {bar} {value}/{total}`, stream: process.stderr, clearOnComplete: true, noTTYOutput: false },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return { tick: (done) => bar.update(Math.min(done, total)), stop: () => bar.stop() };
}
