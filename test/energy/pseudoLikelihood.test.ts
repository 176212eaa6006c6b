import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { exactLogZ } from '../../src/energy/exactLogZ.ts';
import { pseudoLikelihood } from '../../src/energy/pseudoLikelihood.ts';
import { freeEnergy, rbmFrom } from '../../src/energy/rbm.ts';
import { logLikelihood, meanLogLikelihood } from '../../src/energy/testLogLikelihood.ts';
import { allBinary, randomRbm } from './helpers.ts';

describe('pseudoLikelihood', () => {
  // W = [[1, −1]], b = [0.5, 0], c = [0].
  const m = rbmFrom({ visible: 2, hidden: 1, W: [1, -1], vBias: [0.5, 0], hBias: [0] });

  it("matches scikit-learn's score_samples on a hand-computed example", () => {
    // Row 0: v = [1, 0], flip bit 1 → [1, 1]: 2 · log σ(F(ṽ) − F(v)) = 2 · log σ(softplus(1) − softplus(0)).
    // Row 1: v = [0, 1], flip bit 0 → [1, 1]: 2 · log σ((−0.5 − softplus(0)) + softplus(−1)).
    const pl = pseudoLikelihood(m, Float64Array.of(1, 0, 0, 1), new Rng(0), [1, 0]);
    expect(pl[0]).toBeCloseTo(-0.8608133862209126, 12);
    expect(pl[1]).toBeCloseTo(-2.453790330629883, 12);
  });

  it('its expectation over the flipped bit is the exact pseudo-log-likelihood Σ_i log p(v_i | v_¬i)', () => {
    const r = randomRbm(5, 3, 8);
    const v = Float64Array.of(1, 0, 0, 1, 1);
    let mean = 0;
    let exact = 0;
    for (let i = 0; i < 5; i++) {
      mean += pseudoLikelihood(r, v, new Rng(0), [i])[0] / 5;
      const u = v.slice(); u[i] = 1 - u[i];
      const [fv, fu] = [freeEnergy(r, v)[0], freeEnergy(r, u)[0]];
      exact += -fv - Math.log(Math.exp(-fv) + Math.exp(-fu));
    }
    expect(mean).toBeCloseTo(exact, 12);
    expect(() => pseudoLikelihood(r, v, new Rng(0), [5])).toThrow(/flipIndices\[0\] must be an integer in \[0, 5\)/);
  });

  it('draws the flipped bit from rng reproducibly', () => {
    const r = randomRbm(6, 3, 9);
    const v = allBinary(6);
    expect(pseudoLikelihood(r, v, new Rng(3))).toEqual(pseudoLikelihood(r, v, new Rng(3)));
  });
});

describe('logLikelihood', () => {
  it('is −F(v) − log Z, a normalised distribution over all v', () => {
    const r = randomRbm(5, 4, 10);
    const vs = allBinary(5);
    const ll = logLikelihood(r, vs, exactLogZ(r));
    expect(ll.reduce((s, x) => s + Math.exp(x), 0)).toBeCloseTo(1, 12);
    expect(meanLogLikelihood(r, vs, exactLogZ(r))).toBeCloseTo(ll.reduce((a, b) => a + b) / 32, 12);
    expect(() => logLikelihood(r, vs, NaN)).toThrow(/logZ must be finite/);
  });
});
