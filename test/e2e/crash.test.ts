// The short crash run inside `npm test` (the long one: `npm run stress`): real okpay processes
// transfer, withdraw, deposit and reply at once while some are killed with SIGKILL, several of
// them in the middle of writing the store.

import { describe, expect, it } from 'vitest';
import { runCrashSuite } from '../stress/crash.js';

describe('crash suite (short)', () => {
  it('loses nothing acknowledged, applies nothing refused, and recovers the locks of killed processes', async () => {
    const seed = Number(process.env['SEED'] ?? Date.now() % 1_000_000);
    const report = await runCrashSuite({ operations: 40, concurrency: 6, killRate: 0.25, writeKillShare: 0.3, users: 5, seed, lockProbes: 0 });
    const summary = `seed ${seed} (replay: SEED=${seed} npx vitest run test/e2e/crash.test.ts): ${JSON.stringify(report)}`;
    expect(report.problems, summary).toEqual([]);
    expect(report.badRefusals, summary).toEqual([]);
    expect({ lost: report.lost, phantom: report.phantom, duplicated: report.duplicated }, summary).toEqual({ lost: 0, phantom: 0, duplicated: 0 });
    expect(report.killed, summary).toBeGreaterThan(0);
    expect(report.acknowledged, summary).toBeGreaterThan(0);
    expect(report.acknowledged + report.refused + report.unknown).toBe(40);
    // A lock left by a killed process is taken over once stale (5 s), plus the waiter's last retry.
    expect(report.worstStormLockRecoveryMs, summary).toBeLessThan(8_000);
  }, 90_000);
});
