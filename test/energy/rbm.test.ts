import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { createRbm, energy, freeEnergy, hiddenInput, hiddenProb, rbmFrom, sampleBernoulli, softplus, visibleProb } from '../../src/energy/rbm.ts';
import { allBinary, randomRbm } from './helpers.ts';

describe('rbm', () => {
  it('free energy equals −log Σ_h exp(−E(v, h)) by brute force', () => {
    const m = randomRbm(5, 4, 1);
    const vs = allBinary(5);
    const hs = allBinary(4);
    const f = freeEnergy(m, vs);
    for (let a = 0; a < 32; a++) {
      const v = vs.subarray(a * 5, a * 5 + 5);
      let s = 0;
      for (let b = 0; b < 16; b++) s += Math.exp(-energy(m, v, hs.subarray(b * 4, b * 4 + 4)));
      expect(f[a]).toBeCloseTo(-Math.log(s), 12);
    }
  });

  it('conditionals are the brute-force ratios p(h_j=1|v) and p(v_i=1|h)', () => {
    const m = randomRbm(3, 2, 2);
    const v = Float64Array.of(1, 0, 1);
    const hs = allBinary(2);
    const ws = [0, 1, 2, 3].map((b) => Math.exp(-energy(m, v, hs.subarray(b * 2, b * 2 + 2))));
    const z = ws.reduce((a, b) => a + b);
    const ph = hiddenProb(m, v);
    expect(ph[0]).toBeCloseTo((ws[1] + ws[3]) / z, 12);
    expect(ph[1]).toBeCloseTo((ws[2] + ws[3]) / z, 12);
    const h = Float64Array.of(0, 1);
    const vs = allBinary(3);
    const wv = Array.from({ length: 8 }, (_, a) => Math.exp(-energy(m, vs.subarray(a * 3, a * 3 + 3), h)));
    const zv = wv.reduce((a, b) => a + b);
    const pv = visibleProb(m, h);
    for (let i = 0; i < 3; i++) expect(pv[i]).toBeCloseTo(wv.filter((_, a) => (a >> i) & 1).reduce((x, y) => x + y, 0) / zv, 12);
  });

  it('initialises as the seed (W ~ N(0, 0.01²), zero biases), reproducibly', () => {
    const a = createRbm(784, 50, new Rng(3));
    const b = createRbm(784, 50, new Rng(3));
    expect(a.W).toEqual(b.W);
    let s = 0, s2 = 0;
    for (const w of a.W) { s += w; s2 += w * w; }
    const n = a.W.length;
    expect(Math.abs(s / n)).toBeLessThan(5 * 0.01 / Math.sqrt(n));
    expect(Math.sqrt(s2 / n)).toBeCloseTo(0.01, 3);
    expect(a.vBias.every((x) => x === 0) && a.hBias.every((x) => x === 0)).toBe(true);
  });

  it('validates shapes, naming the parameter', () => {
    expect(() => rbmFrom({ visible: 3, hidden: 2, W: new Float64Array(5), vBias: new Float64Array(3), hBias: new Float64Array(2) })).toThrow(/rbmFrom: W must have shape \[hidden, visible\] = \[2, 3\] = 6 values \(got 5\)/);
    expect(() => freeEnergy(randomRbm(3, 2, 0), new Float64Array(4))).toThrow(/shape \[batch, 3\]/);
    expect(() => createRbm(0, 2, new Rng(0))).toThrow(/visible must be an integer ≥ 1/);
  });

  it('samples Bernoulli draws with the given probabilities', () => {
    const x = sampleBernoulli(new Rng(5), new Float64Array(20000).fill(0.3));
    const mean = x.reduce((a, b) => a + b) / x.length;
    expect(Math.abs(mean - 0.3)).toBeLessThan(4 * Math.sqrt(0.21 / 20000));
  });

  it('takes real-valued (mean-field) inputs too: pre-activations and F match the dense formula', () => {
    const m = randomRbm(6, 3, 4);
    const rng = new Rng(8);
    const v = Float64Array.from({ length: 2 * 6 }, (_, k) => (k % 4 === 0 ? 0 : rng.uniform()));
    const pre = hiddenInput(m, v, 0.7);
    const f = freeEnergy(m, v);
    for (let r = 0; r < 2; r++) {
      let fr = 0;
      for (let i = 0; i < 6; i++) fr -= m.vBias[i] * v[r * 6 + i];
      for (let j = 0; j < 3; j++) {
        let s = m.hBias[j];
        for (let i = 0; i < 6; i++) s += m.W[j * 6 + i] * v[r * 6 + i];
        expect(pre[r * 3 + j]).toBeCloseTo(0.7 * s, 12);
        fr -= softplus(s);
      }
      expect(f[r]).toBeCloseTo(fr, 12);
    }
    expect(softplus(800)).toBe(800);
    expect(softplus(-800)).toBe(0);
  });
});
