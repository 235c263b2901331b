import { describe, expect, it } from 'vitest';
import { humanDuration, humanTime, humanTimeLeft } from '../../src/cli/time.js';

describe('times for people', () => {
  it('read as date, minute and the zone abbreviation', () => {
    expect(humanTime('2026-12-05T15:16:40.000Z', 'Europe/Paris')).toBe('2026-12-05 16:16 CET');
    expect(humanTime('2026-07-05T15:16:00.000Z', 'Europe/Berlin')).toBe('2026-07-05 17:16 CEST');
    expect(humanTime(Date.parse('2026-12-05T15:16:00.000Z'), 'UTC')).toBe('2026-12-05 15:16 UTC');
    expect(humanTime('2026-12-05T15:16:00.000Z', 'America/New_York')).toBe('2026-12-05 10:16 EST');
  });

  it('use the local zone (TZ) when none is given', () => {
    expect(humanTime('2026-12-05T15:16:00.000Z')).toMatch(/^2026-12-0\d \d\d:16 \S+$/);
  });

  it('say how late an overdue clock is instead of a negative duration', () => {
    expect(humanTimeLeft(125)).toBe('2 h 05 min left');
    expect(humanTimeLeft(-530)).toBe('overdue by 8 h 50 min');
    expect(humanTimeLeft(-5)).toBe('overdue by 5 min');
    expect(humanDuration(-12720)).toBe('212 h 00 min');
  });
});
