import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { ais, aisBetas, baseRateBias } from '../../src/energy/ais.ts';
import { exactLogZ } from '../../src/energy/exactLogZ.ts';
import { rbmFrom, softplus } from '../../src/energy/rbm.ts';
import { randomRbm } from './helpers.ts';

describe('ais', () => {
  // Weights N(0, 1): log Z is 5.6 nats above the base model's, so the path matters.
  const hard = randomRbm(20, 10, 11, 1, 0.5);
  const model = randomRbm(20, 10, 11, 0.5, 0.5);
  const exact = exactLogZ(model);

  it('agrees with the exact log Z of a 20 × 10 RBM within 3 standard errors', () => {
    const truth = exactLogZ(hard);
    const r = ais(hard, new Rng(1), { runs: 100, betas: 3000 });
    expect(truth - r.logZBase).toBeGreaterThan(5);
    expect(r.logWeights.length).toBe(100);
    expect(r.samples.length).toBe(100 * 20);
    expect(r.standardError).toBeGreaterThan(0);
    expect(r.standardError).toBeLessThan(0.05);
    expect(Math.abs(r.logZ - truth)).toBeLessThan(3 * r.standardError);
  });

  it('agrees with a data base rate too, and its standard error shrinks with more runs', () => {
    const base = Float64Array.from({ length: 20 }, (_, i) => (i % 3) - 1);
    const small = ais(model, new Rng(2), { runs: 40, betas: 300, baseVBias: base });
    const large = ais(model, new Rng(3), { runs: 640, betas: 300, baseVBias: base });
    expect(Math.abs(large.logZ - exact)).toBeLessThan(3 * large.standardError);
    // SE ∝ 1/√M: 16× the runs gives ≈ 1/4 the error.
    expect(large.standardError).toBeLessThan(small.standardError / 2);
  });

  it('is exact (zero variance) when the target is the base model', () => {
    const b = Float64Array.of(0.3, -1, 2);
    const m = rbmFrom({ visible: 3, hidden: 2, W: new Float64Array(6), vBias: b, hBias: new Float64Array(2) });
    const truth = 2 * Math.LN2 + softplus(0.3) + softplus(-1) + softplus(2);
    const js = ais(m, new Rng(0), { runs: 10, betas: 10, baseVBias: b, engine: 'js' });
    expect(js.logZ).toBeCloseTo(truth, 12);
    expect(js.standardError).toBeCloseTo(0, 12);
    // The wasm engine holds the biases in float32.
    const wasm = ais(m, new Rng(0), { runs: 10, betas: 10, baseVBias: b });
    expect(wasm.logZ).toBeCloseTo(truth, 6);
    expect(wasm.standardError).toBeCloseTo(0, 12);
  });

  it('schedules β from 0 to 1, increasing, denser near 1; base rate is the smoothed logit', () => {
    const b = aisBetas(100);
    expect(b.length).toBe(101);
    expect(b[0]).toBe(0);
    expect(b[100]).toBe(1);
    for (let t = 1; t < b.length; t++) expect(b[t]).toBeGreaterThan(b[t - 1]);
    expect(b.filter((x) => x >= 0.9).length).toBeGreaterThan(60);
    const rate = baseRateBias(Float64Array.of(1, 0, 1, 0, 1, 1), 2, 1);
    expect(rate[0]).toBeCloseTo(Math.log(4 / 1), 12); // (3 + 1) / (3 + 2) = 0.8
    expect(rate[1]).toBeCloseTo(Math.log(0.4 / 0.6), 12);
    expect(() => ais(model, new Rng(0), { runs: 1, betas: 10 })).toThrow(/ais: runs must be an integer ≥ 2/);
    expect(() => ais(model, new Rng(0), { runs: 4, betas: [0, 0.7, 0.5, 1] })).toThrow(/betas must increase/);
  });
});
