// The deterministic simulation (test/sim/simulate.ts). Inside `npm test`: three fixed seeds, a few
// hundred steps each, the same every run. `npm run simulate` runs a new seed, named in the test's
// title, for longer (STEPS, default 2000); `SEED=… npm run simulate` replays one, e.g. a failed one.

import { describe, expect, it } from 'vitest';
import { simulate } from './simulate.js';

const steps = Number(process.env['STEPS'] ?? 200);
const seeds = seedsToRun(process.env['SEED']);

function seedsToRun(seed: string | undefined): number[] {
  if (seed === undefined) return [1, 2, 3];
  if (seed === 'new') return [Date.now() % 1_000_000];
  if (!/^\d+$/.test(seed)) throw new Error(`SEED must be a whole number or "new", not ${JSON.stringify(seed)}`);
  return [Number(seed)];
}

describe('deterministic simulation: memory and file store side by side, with write failures and crashes', () => {
  it.each(seeds)(
    'seed %i: the stores agree and every invariant holds after every step',
    async (seed) => {
      const report = await simulate({ seed, steps, faultRate: 0.15 });
      console.log(`simulation seed ${seed}: ${JSON.stringify(report)}`);
      expect(report.steps).toBe(steps);
      expect(report.failedCommits + report.crashes).toBeGreaterThan(0);
      expect(Object.keys(report.commands).length).toBeGreaterThan(15);
    },
    Math.max(120_000, steps * 600),
  );
});
