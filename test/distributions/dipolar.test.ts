import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { Dipolar1D, Dipolar3D } from '../../src/distributions/index.ts';
import { Rng } from '../../src/random/rng.ts';
import { columnStats } from '../helpers/stats.ts';

// Statistical checks: z-scores against closed forms with fixed seeds; 5σ keeps the false-alarm rate
// negligible while a wrong moment formula (off by more than ~1%) lands many σ away at n = 2·10⁵.
const Z = 5;
const N_SAMPLES = 200_000;

function entropy1(m: number): number {
  const t = (p: number) => (p > 0 ? -p * Math.log(p) : 0);
  return t((1 + m) / 2) + t((1 - m) / 2);
}
function entropy3(m: number): number {
  // The seed's closed form for d = 3, evaluated in float64.
  if (m === 0) return Math.log(4 * Math.PI);
  const h = (s: number) => (s > 0 ? s * s * Math.log(s) : 0);
  return Math.log(4 * Math.PI) + 0.5 - h(1 + m) / (4 * m) + h(1 - m) / (4 * m);
}

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => {
  expect(tf.memory().numTensors).toBe(before);
});

describe('Dipolar1D', () => {
  it('has sample mean m and variance 1 − m² (batched over m)', () => {
    const ms = [-1, -0.6, 0, 0.3, 0.9];
    const d = new Dipolar1D(ms);
    const x = d.sample([N_SAMPLES], new Rng(1)); // [n, 5]
    const data = x.dataSync();
    ms.forEach((m, j) => {
      const { mean, variance } = columnStats(data, ms.length, j);
      const sd = Math.sqrt(1 - m * m);
      expect(Math.abs(mean - m)).toBeLessThanOrEqual(Z * sd / Math.sqrt(N_SAMPLES) + 1e-12);
      // Var of the sample variance for ±1 outcomes: (μ₄ − σ⁴)/n with μ₄ = E(x−m)⁴.
      // Var(s²) = μ₄/n − σ⁴(n − 3)/(n(n − 1)), with μ₄ = E(x − m)⁴ for ±1 outcomes.
      const n = N_SAMPLES, s2 = 1 - m * m, mu4 = s2 * (1 + 3 * m * m);
      expect(Math.abs(variance - s2)).toBeLessThanOrEqual(Z * Math.sqrt(mu4 / n - (s2 * s2 * (n - 3)) / (n * (n - 1))) + 1e-12);
    });
    x.dispose();
    d.dispose();
  });

  it('logProb is normalised and entropy matches the closed form and −E[log p]', () => {
    const ms = [-1, -0.4, 0, 0.7, 0.999];
    const d = new Dipolar1D(ms);
    const plus = tf.tidy(() => d.logProb(tf.ones([5]))), minus = tf.tidy(() => d.logProb(tf.fill([5], -1)));
    const total = tf.tidy(() => tf.add(tf.exp(plus), tf.exp(minus)));
    total.dataSync().forEach((t) => expect(t).toBeCloseTo(1, 6));
    const h = d.entropy();
    ms.forEach((m, j) => expect(h.dataSync()[j]).toBeCloseTo(entropy1(m), 5));
    tf.dispose([plus, minus, total, h]);
    d.dispose();
  });

  it('rejects a polarisation outside [−1, 1] naming the parameter', () => {
    expect(() => tf.tidy(() => { new Dipolar1D([0.5, 1.5]); })).toThrow(/Dipolar1D: polarisation m must be in \[-1, 1\].*got 1\.5/);
    const n = tf.memory().numTensors;
    expect(() => new Dipolar1D([2])).toThrow(/got 2/);
    expect(tf.memory().numTensors).toBe(n); // the rejected parameter tensor is freed
    expect(() => tf.tidy(() => new Dipolar1D(0).rsample())).toThrow(/rsample is not available/);
  });
});

describe('Dipolar3D', () => {
  it('samples unit vectors with the seed\'s batched shape', () => {
    const d = new Dipolar3D([1, 0.5, 0, -1]);
    const x = d.sample([2], new Rng(3));
    expect(x.shape).toEqual([2, 4, 3]);
    const norms = tf.tidy(() => tf.norm(x, 'euclidean', -1));
    norms.dataSync().forEach((n) => expect(n).toBeCloseTo(1, 5));
    tf.dispose([x, norms]);
    d.dispose();
  });

  it('has mean (0, 0, m/3) and variance (1/3, 1/3, 1/3 − m²/9)', () => {
    const ms = [-0.8, 0, 0.5, 1];
    const d = new Dipolar3D(ms);
    const x = d.sample([N_SAMPLES], new Rng(5)); // [n, 4, 3]
    const data = x.dataSync();
    const [meanT, varT] = [d.mean(), d.variance()];
    const expMean = meanT.arraySync() as number[][], expVar = varT.arraySync() as number[][];
    ms.forEach((m, j) => {
      expect(expMean[j][2]).toBeCloseTo(m / 3, 6);
      expect(expVar[j][2]).toBeCloseTo(1 / 3 - (m * m) / 9, 6);
      for (let k = 0; k < 3; k++) {
        const { mean, variance } = columnStats(data, 12, 3 * j + k);
        const sd = Math.sqrt(expVar[j][k]);
        expect(Math.abs(mean - expMean[j][k])).toBeLessThanOrEqual(Z * sd / Math.sqrt(N_SAMPLES));
        // |x_k| ≤ 1 bounds the fourth central moment by 1, a safe bound on Var(sample variance)·n.
        expect(Math.abs(variance - expVar[j][k])).toBeLessThanOrEqual(Z * Math.sqrt(1 / N_SAMPLES));
      }
    });
    tf.dispose([x, meanT, varT]);
    d.dispose();
  });

  it('logProb integrates to 1 over the sphere', () => {
    // p depends on x₃ only: ∫ p dΩ = 2π ∫₋₁¹ p(x₃) dx₃, Simpson's rule on 2001 points.
    const K = 2001;
    const x3 = Array.from({ length: K }, (_, i) => -1 + (2 * i) / (K - 1));
    for (const m of [-1, -0.3, 0, 0.6, 1]) {
      const mT = tf.fill([K], m);
      const d = new Dipolar3D(mT);
      const pts = tf.tensor2d(x3.map((z) => [Math.sqrt(1 - z * z), 0, z]));
      const pT = tf.tidy(() => tf.exp(d.logProb(pts)));
      const p = pT.dataSync();
      const h = 2 / (K - 1);
      let s = p[0] + p[K - 1];
      for (let i = 1; i < K - 1; i++) s += (i % 2 ? 4 : 2) * p[i];
      expect(2 * Math.PI * (h / 3) * s).toBeCloseTo(1, 5);
      tf.dispose([pts, pT, mT]);
    }
  });

  it('entropy matches the seed\'s closed form (incl. m → 0 series and |m| = 1) and −E[log p]', () => {
    const ms = [-1, -0.5, -1e-3, 0, 2e-3, 0.02, 0.3, 0.95, 1];
    const d = new Dipolar3D(ms);
    const hT = d.entropy();
    const h = hT.dataSync();
    ms.forEach((m, j) => expect(h[j]).toBeCloseTo(entropy3(m), 5));
    const x = d.sample([N_SAMPLES], new Rng(9));
    const lp = d.logProb(x);
    const lpData = lp.dataSync();
    ms.forEach((_, j) => {
      const { mean, variance } = columnStats(lpData, ms.length, j);
      // float32 log-probabilities carry ~1e-7 relative error each: 1e-6 absolute slack.
      expect(Math.abs(-mean - h[j])).toBeLessThanOrEqual(Z * Math.sqrt(variance / N_SAMPLES) + 1e-6);
    });
    tf.dispose([x, lp, hT]);
    d.dispose();
  });

  it('rsample is differentiable in m with dE[x₃]/dm = 1/3', () => {
    const n = 100_000;
    const m = tf.fill([n], 0.4);
    const rng = new Rng(11);
    // One sample per element of m: the gradient of Σ x₃ w.r.t. m is the per-sample pathwise derivative.
    const g = tf.grad((mm: tf.Tensor) => {
      const x = new Dipolar3D(mm, { validate: false }).rsample([], rng);
      return tf.sum(tf.slice(x, [0, 2], [n, 1]));
    })(m);
    const { mean, variance } = columnStats(g.dataSync(), 1, 0);
    expect(Math.abs(mean - 1 / 3)).toBeLessThanOrEqual(Z * Math.sqrt(variance / n));
    tf.dispose([m, g]);
  });

  it('rejects a polarisation outside [−1, 1]', () => {
    expect(() => tf.tidy(() => { new Dipolar3D([[0.1, -1.5]]); })).toThrow(/Dipolar3D: polarisation m must be in \[-1, 1\] \(shape \[1, 2\], got -1\.5 at flat index 1/);
  });
});
