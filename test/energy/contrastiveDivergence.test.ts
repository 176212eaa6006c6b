import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { cdInit, cdStep } from '../../src/energy/contrastiveDivergence.ts';
import { exactLogZ } from '../../src/energy/exactLogZ.ts';
import { createRbm, freeEnergy, hiddenProb, type Rbm } from '../../src/energy/rbm.ts';
import { meanLogLikelihood } from '../../src/energy/testLogLikelihood.ts';
import { randomRbm } from './helpers.ts';

/** 60 noisy copies of three 8-pixel prototypes. */
function toyData(rng: Rng): Float64Array {
  const protos = [[1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1], [1, 0, 1, 0, 1, 0, 1, 0]];
  const out = new Float64Array(60 * 8);
  for (let r = 0; r < 60; r++) for (let i = 0; i < 8; i++) {
    const x = protos[r % 3][i];
    out[r * 8 + i] = rng.uniform() < 0.05 ? 1 - x : x;
  }
  return out;
}

const ll = (m: Rbm, data: Float64Array) => meanLogLikelihood(m, data, exactLogZ(m));

describe('cdStep', () => {
  const data = toyData(new Rng(1));

  for (const persistent of [false, true]) {
    it(`${persistent ? 'PCD-1' : 'CD-1'} raises the exact log-likelihood of a toy data set`, () => {
      const rng = new Rng(2);
      let s = cdInit(createRbm(8, 6, rng, { weightStd: 0.01 }));
      const before = ll(s.model, data);
      const losses: number[] = [];
      for (let t = 0; t < 400; t++) {
        const out = cdStep(rng, s, data, { k: 1, learningRate: 0.1, momentum: 0.5, weightDecay: 1e-4, persistent });
        s = out.state;
        losses.push(out.info.loss);
      }
      const after = ll(s.model, data);
      // Uniform start is 8 log ½ ≈ −5.55 nats; three prototypes with 5% noise are near −3.
      expect(before).toBeCloseTo(8 * Math.log(0.5), 1);
      expect(after).toBeGreaterThan(before + 1.5);
      if (persistent) expect(s.chains!.length).toBe(data.length);
    });
  }

  it('applies the seed gradient with PyTorch SGD momentum and weight decay exactly', () => {
    const m = randomRbm(5, 3, 3, 0.7, 0.3);
    const batch = Float64Array.of(1, 0, 1, 1, 0, 0, 1, 1, 0, 1);
    const opts = { k: 2, learningRate: 0.05, momentum: 0.9, weightDecay: 0.01 };
    const s0 = cdInit(m);
    const first = cdStep(new Rng(9), s0, batch, opts);
    const second = cdStep(new Rng(10), first.state, batch, opts);
    // Recompute the second step from the first's velocity and the negatives it reports.
    const m1 = first.state.model;
    const vk = second.info.negative;
    const ph0 = hiddenProb(m1, batch), phk = hiddenProb(m1, vk);
    for (let j = 0; j < 3; j++) for (let i = 0; i < 5; i++) {
      let g = 0;
      for (let r = 0; r < 2; r++) g += (phk[r * 3 + j] * vk[r * 5 + i] - ph0[r * 3 + j] * batch[r * 5 + i]) / 2;
      const q = j * 5 + i;
      const vel = 0.9 * first.state.velocity.W[q] + g + 0.01 * m1.W[q];
      expect(second.state.model.W[q]).toBeCloseTo(m1.W[q] - 0.05 * vel, 12);
    }
    for (let i = 0; i < 5; i++) {
      const g = (vk[i] + vk[5 + i] - batch[i] - batch[5 + i]) / 2;
      expect(second.state.model.vBias[i]).toBeCloseTo(m1.vBias[i] - 0.05 * (0.9 * first.state.velocity.vBias[i] + g), 12);
    }
    const fe0 = freeEnergy(m1, batch), fek = freeEnergy(m1, vk);
    expect(second.info.loss).toBeCloseTo((fe0[0] + fe0[1] - fek[0] - fek[1]) / 2, 12);
    expect(m.W).toEqual(s0.model.W); // inputs untouched
    expect(second.info.reconstructionError).toBeGreaterThanOrEqual(0);
    expect(second.info.reconstructionError).toBeLessThanOrEqual(5);
  });

  it('is reproducible and validates its options', () => {
    const m = randomRbm(4, 2, 0);
    const b = Float64Array.of(1, 0, 1, 0);
    expect(cdStep(new Rng(1), cdInit(m), b).state.model.W).toEqual(cdStep(new Rng(1), cdInit(m), b).state.model.W);
    expect(() => cdStep(new Rng(1), cdInit(m), b, { k: 0 })).toThrow(/cdStep: k must be an integer ≥ 1 \(got 0\)/);
    expect(() => cdStep(new Rng(1), cdInit(m), b, { momentum: 1 })).toThrow(/momentum must lie in \[0, 1\)/);
    expect(() => cdStep(new Rng(1), cdInit(m), Float64Array.of(1, 0, 1))).toThrow(/batch must have shape \[batch, 4\]/);
  });
});
