import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { Dipolar1D, Normal, klDivergence, klNormalNormal, klStandardNormal, monteCarloKL } from '../../src/distributions/index.ts';
import { Rng } from '../../src/random/rng.ts';
import { columnStats } from '../helpers/stats.ts';

const Z = 5;

/** Seed 001's reference formula, in float64. */
function klTheory(m1: number, s1: number, m2: number, s2: number): number {
  return Math.log(s2 / s1) + (s1 * s1 + (m1 - m2) ** 2) / (2 * s2 * s2) - 0.5;
}

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

describe('Normal', () => {
  it('samples with the right mean and variance; rsample is differentiable in loc and scale', () => {
    const n = 200_000;
    const q = new Normal([0, -3, 2], [1, 0.5, 3]);
    const x = q.sample([n], new Rng(2));
    const data = x.dataSync();
    [[0, 1], [-3, 0.5], [2, 3]].forEach(([m, s], j) => {
      const { mean, variance } = columnStats(data, 3, j);
      expect(Math.abs(mean - m)).toBeLessThanOrEqual(Z * s / Math.sqrt(n));
      expect(Math.abs(variance - s * s)).toBeLessThanOrEqual(Z * s * s * Math.sqrt(2 / n));
    });
    const loc = tf.tensor1d([0.5]), scale = tf.tensor1d([2]);
    const [gl, gs] = tf.grads((l: tf.Tensor, s: tf.Tensor) => tf.mean(new Normal(l, s, { validate: false }).rsample([1000], new Rng(4))))([loc, scale]);
    expect(gl.dataSync()[0]).toBeCloseTo(1, 4); // d mean(loc + s ε)/d loc = 1
    tf.dispose([x, loc, scale, gl, gs]);
    q.dispose();
  });

  it('logProb integrates to 1 and entropy matches −E[log p]', () => {
    const q = new Normal(1.5, 0.7);
    const K = 4001, lo = 1.5 - 10 * 0.7, hi = 1.5 + 10 * 0.7;
    const grid = tf.linspace(lo, hi, K);
    const pT = tf.tidy(() => tf.exp(q.logProb(grid)));
    const p = pT.dataSync();
    const h = (hi - lo) / (K - 1);
    let s = p[0] + p[K - 1];
    for (let i = 1; i < K - 1; i++) s += (i % 2 ? 4 : 2) * p[i];
    expect((h / 3) * s).toBeCloseTo(1, 5);
    const entT = q.entropy();
    expect(entT.dataSync()[0]).toBeCloseTo(0.5 * Math.log(2 * Math.PI * Math.E * 0.49), 5);
    const x = q.sample([100_000], new Rng(3));
    const lp = q.logProb(x);
    const { mean, variance } = columnStats(lp.dataSync(), 1, 0);
    expect(Math.abs(-mean - entT.dataSync()[0])).toBeLessThanOrEqual(Z * Math.sqrt(variance / 100_000));
    tf.dispose([grid, pT, entT, x, lp]);
    q.dispose();
  });

  it('closed-form KL agrees with seed 001\'s formula and with the Monte-Carlo estimate', () => {
    const rng = new Rng(508);
    const cases = Array.from({ length: 20 }, () => [rng.uniform() * 20 - 10, 0.1 + rng.uniform() * 5, rng.uniform() * 20 - 10, 0.1 + rng.uniform() * 5]);
    const p = new Normal(cases.map((c) => c[0]), cases.map((c) => c[1]));
    const q = new Normal(cases.map((c) => c[2]), cases.map((c) => c[3]));
    const closedT = klDivergence(p, q);
    const closed = closedT.dataSync();
    cases.forEach((c, j) => expect(closed[j]).toBeCloseTo(klTheory(c[0], c[1], c[2], c[3]), 2 + (closed[j] < 100 ? 2 : 0)));
    const { estimate, stderr } = monteCarloKL(p, q, 100_000, new Rng(7));
    const est = estimate.dataSync(), se = stderr.dataSync();
    cases.forEach((_, j) => expect(Math.abs(est[j] - closed[j])).toBeLessThanOrEqual(Z * se[j] + 1e-3 * Math.abs(closed[j])));
    tf.dispose([estimate, stderr, closedT]);
    p.dispose();
    q.dispose();
  });

  it('KL to the standard normal equals the Normal–Normal form with N(0, 1)', () => {
    const loc = tf.tensor1d([0, 1.2, -0.4]), scale = tf.tensor1d([1, 0.3, 2.5]);
    const std = new Normal(0, 1);
    const aT = klStandardNormal(loc, scale), bT = klNormalNormal(new Normal(loc, scale), std);
    const a = aT.dataSync(), b = bT.dataSync();
    a.forEach((v, j) => expect(v).toBeCloseTo(b[j], 5));
    expect(a[0]).toBeCloseTo(0, 6);
    expect(a[1]).toBeCloseTo(0.5 * (1.44 + 0.09 - 1) - Math.log(0.3), 5);
    tf.dispose([loc, scale, aT, bT]);
    std.dispose();
  });

  it('validates scale and names a missing KL pair', () => {
    expect(() => tf.tidy(() => { new Normal(0, [1, 0]); })).toThrow(/Normal: scale must be > 0 \(shape \[2\], got 0/);
    expect(() => tf.tidy(() => klDivergence(new Dipolar1D(0.1), new Normal(0, 1)))).toThrow(/KL\(Dipolar1D ‖ Normal\)/);
  });
});
