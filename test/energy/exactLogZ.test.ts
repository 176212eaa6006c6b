import { describe, expect, it } from 'vitest';
import { exactLogZ } from '../../src/energy/exactLogZ.ts';
import { freeEnergy } from '../../src/energy/rbm.ts';
import { allBinary, bruteLogZ, randomRbm } from './helpers.ts';

describe('exactLogZ', () => {
  it('matches brute force over every (v, h) for 6 visible × 4 hidden', () => {
    for (const seed of [1, 2, 3]) {
      const m = randomRbm(6, 4, seed, 1.5, 1);
      expect(exactLogZ(m)).toBeCloseTo(bruteLogZ(m), 10);
    }
  });

  it('agrees with logsumexp_v −F(v) when hidden > visible (12 hidden, Gray-code path)', () => {
    const m = randomRbm(5, 12, 7, 0.8, 0.5);
    const f = freeEnergy(m, allBinary(5));
    const mx = Math.max(...f.map((x) => -x));
    const ref = mx + Math.log(f.reduce((s, x) => s + Math.exp(-x - mx), 0));
    expect(exactLogZ(m)).toBeCloseTo(ref, 9);
  });

  it('refuses more hidden units than the limit, naming it', () => {
    expect(() => exactLogZ(randomRbm(2, 21, 0))).toThrow(/21 hidden units, more than maxHidden = 20/);
    expect(() => exactLogZ(randomRbm(2, 5, 0), { maxHidden: 4 })).toThrow(/maxHidden = 4/);
  });
});
