import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { nuts } from '../../src/samplers/nuts.ts';
import { runChains } from '../../src/samplers/sampleChains.ts';
import type { LogDensity } from '../../src/targets/target.ts';
import { gaussian2, gaussianMomentErrors, gumbel } from './targets.ts';

const standardNormal = (dim: number): LogDensity => ({
  dim,
  logDensityAndGrad(x, g) {
    let s = 0;
    for (let i = 0; i < dim; i++) {
      g[i] = -x[i];
      s += x[i] * x[i];
    }
    return -0.5 * s;
  },
});

describe('nuts', () => {
  const g = gaussian2(1, 2, 0.9, [0.5, -1]);
  const inits = [[0, 0], [1, -2], [-1, 1], [0.5, 0.5]].map((x) => new Float64Array(x));

  it('validates its options at the boundary', () => {
    expect(() => nuts(g.target, { stepSize: -0.1 })).toThrow(/nuts: stepSize must be a finite number > 0 \(got -0.1\)/);
    expect(() => nuts(g.target, { stepSize: 0.1, maxTreeDepth: 0 })).toThrow(/nuts: maxTreeDepth must be an integer ≥ 1 \(got 0\)/);
    expect(() => nuts(g.target, { stepSize: 0.1, inverseMassDiag: [1, -2] })).toThrow(/inverseMassDiag entries must be finite and > 0 \(entry 1 is -2\)/);
    expect(() => nuts(g.target, { stepSize: 0.1, divergenceThreshold: 0 })).toThrow(/divergenceThreshold/);
  });

  it('samples a correlated Gaussian with fixed parameters: moments within 5 MCSE', () => {
    const run = runChains({
      makeKernel: (p) => nuts(g.target, p), initialPositions: inits, warmup: 100, draws: 3000, adapt: false,
      params: { stepSize: 0.4, inverseMassDiag: [1, 4] }, rng: new Rng(1),
    });
    for (const [name, e] of Object.entries(gaussianMomentErrors(run.draws, g))) expect(e.z, `${name}: ${e.estimate} vs ${e.truth}`).toBeLessThan(5);
    // A stopped subtree of depth treeDepth may add up to 2^treeDepth steps to the 2^treeDepth − 1 kept.
    const bad = run.infos.flat().filter((i) =>
      i.numSteps !== i.gradientEvaluations || i.numSteps > 2 ** (i.treeDepth + 1) - 1 || !(i.acceptance >= 0 && i.acceptance <= 1));
    expect(bad).toEqual([]);
  });

  it('with window adaptation: acceptance near the 0.8 target, mass ≈ the variances, moments within 5 MCSE', () => {
    const run = runChains({
      makeKernel: (p) => nuts(g.target, p), initialPositions: inits, warmup: 1000, draws: 2000, adapt: true,
      params: { stepSize: 1 }, rng: new Rng(2), adaptation: { target: g.target },
    });
    for (const [name, e] of Object.entries(gaussianMomentErrors(run.draws, g))) expect(e.z, `${name}: ${e.estimate} vs ${e.truth}`).toBeLessThan(5);
    const mean = (xs: { acceptance: number }[]) => xs.reduce((s, i) => s + i.acceptance, 0) / xs.length;
    for (let c = 0; c < 4; c++) {
      // Dual averaging holds the mean acceptance statistic at δ while it adapts (the final fast buffer)…
      expect(Math.abs(mean(run.warmupInfos[c].slice(950)) - 0.8)).toBeLessThan(0.06);
      // …and its averaged step size ε̄ samples a little more cautiously, as in Stan.
      expect(mean(run.infos[c])).toBeGreaterThan(0.75);
      expect(mean(run.infos[c])).toBeLessThan(0.97);
      const [m0, m1] = run.params[c].inverseMassDiag;
      expect(Math.abs(m0 / (g.s1 * g.s1) - 1)).toBeLessThan(0.3);
      expect(Math.abs(m1 / (g.s2 * g.s2) - 1)).toBeLessThan(0.3);
      expect(run.infos[c].filter((i) => i.divergent).length).toBe(0);
    }
  });

  it('leaves a skewed target invariant: one transition from exact Gumbel draws (iid SE)', () => {
    for (const stepSize of [0.8, 1.5]) {
      const kernel = nuts(gumbel, { stepSize });
      const rng = new Rng(5);
      const n = 30_000;
      let s1 = 0, q1 = 0, s2 = 0, q2 = 0;
      for (let i = 0; i < n; i++) {
        const x = kernel.step(rng, kernel.init(gumbel.sample(rng))).state.position[0];
        const d = (x - gumbel.mean) ** 2;
        s1 += x; q1 += x * x; s2 += d; q2 += d * d;
      }
      const m = s1 / n, v = s2 / n;
      expect(Math.abs(m - gumbel.mean)).toBeLessThan(5 * Math.sqrt((q1 / n - m * m) / n));
      expect(Math.abs(v - gumbel.variance)).toBeLessThan(5 * Math.sqrt((q2 / n - v * v) / n));
    }
  });

  it('stops at a U-turn: trajectories on a 1-D normal span less than a period', () => {
    const kernel = nuts(standardNormal(1), { stepSize: 0.01 });
    const rng = new Rng(3);
    let state = kernel.init(new Float64Array([0.5]));
    const lengths: number[] = [];
    for (let i = 0; i < 200; i++) {
      const out = kernel.step(rng, state);
      state = out.state;
      lengths.push(out.info.numSteps * 0.01);
    }
    lengths.sort((a, b) => a - b);
    // Without the criterion every tree would run to depth 10 (10.23 time units, > 2π).
    expect(lengths[lengths.length - 1]).toBeLessThan(2 * Math.PI);
    expect(lengths[100]).toBeGreaterThan(Math.PI / 4);
  });

  it("checks the U-turn across sub-trees too (Stan 2.22's fix): no runaway trees on a 100-D normal", () => {
    // With only the merged-tree check, these step sizes run to hundreds of leapfrog steps (mean
    // trajectory lengths of ~100 and ~1400 time units); with the extra checks they stay below 2π.
    for (const stepSize of [0.8, 1.45]) {
      const kernel = nuts(standardNormal(100), { stepSize });
      const rng = new Rng(1);
      let state = kernel.init(new Float64Array(100).fill(0.5));
      let total = 0;
      for (let i = 0; i < 100; i++) {
        const out = kernel.step(rng, state);
        state = out.state;
        total += out.info.numSteps * stepSize;
      }
      expect(total / 100).toBeLessThan(2 * Math.PI);
    }
  });

  it('caps the tree depth', () => {
    const kernel = nuts(standardNormal(2), { stepSize: 1e-3, maxTreeDepth: 4 });
    const rng = new Rng(4);
    const { info } = kernel.step(rng, kernel.init(new Float64Array([1, 0])));
    expect(info.treeDepth).toBe(4);
    expect(info.numSteps).toBe(15);
  });

  it('detects divergences and then stays put', () => {
    const narrow = gaussian2(0.01, 0.01, 0);
    const kernel = nuts(narrow.target, { stepSize: 1 });
    const rng = new Rng(6);
    const s0 = kernel.init(new Float64Array([0.01, 0]));
    const { state, info } = kernel.step(rng, s0);
    expect(info.divergent).toBe(true);
    expect(info.accepted).toBe(false);
    expect(info.numSteps).toBe(1);
    expect(state).toBe(s0);
  });

  it('is a pure function of (rng, state): same seed, same transition; the input state is untouched', () => {
    const kernel = nuts(g.target, { stepSize: 0.3 });
    const s0 = kernel.init(new Float64Array([0.2, 0.4]));
    const a = kernel.step(new Rng(9), s0), b = kernel.step(new Rng(9), s0);
    expect(Array.from(a.state.position)).toEqual(Array.from(b.state.position));
    expect(a.info).toEqual(b.info);
    expect(Array.from(s0.position)).toEqual([0.2, 0.4]);
    // The state's gradient is the gradient at its position.
    const grad = new Float64Array(2);
    expect(a.state.logDensity).toBe(g.target.logDensityAndGrad(a.state.position, grad));
    expect(Array.from(a.state.gradient)).toEqual(Array.from(grad));
  });
});
