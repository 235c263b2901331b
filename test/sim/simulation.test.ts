// The deterministic simulation (test/sim/simulate.ts) inside `npm test`: two fixed seeds and one
// new seed per run, a few hundred steps each. `npm run simulate` runs longer (STEPS, default 2000);
// `SEED=… npm run simulate` replays one seed, e.g. the one a failure printed.

import { describe, expect, it } from 'vitest';
import { simulate } from './simulate.js';

const steps = Number(process.env['STEPS'] ?? 200);
const seeds = process.env['SEED'] ? [Number(process.env['SEED'])] : [1, 2, Date.now() % 1_000_000];

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
    Math.max(60_000, steps * 150),
  );
});
