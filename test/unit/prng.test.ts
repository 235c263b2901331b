import { describe, expect, it } from 'vitest';
import { newId } from '../../src/cli/random.js';
import { Prng } from '../../src/domain/prng.js';

describe('Prng, the one seeded source of fixtures and simulations', () => {
  it('gives the same values and ids for the same seed, and others for another seed', () => {
    const draw = (seed: string) => {
      const prng = new Prng(seed);
      return [prng.int(1, 1000), prng.bytes(8).toString('hex'), newId(prng, 'usr')];
    };
    expect(draw('alpha')).toEqual(draw('alpha'));
    expect(draw('alpha')).not.toEqual(draw('beta'));
  });

  it('stays within the bounds it is asked for', () => {
    const prng = new Prng('bounds');
    const values = Array.from({ length: 2000 }, () => prng.int(3, 7));
    expect(Math.min(...values)).toBe(3);
    expect(Math.max(...values)).toBe(7);
  });
});
