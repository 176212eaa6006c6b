import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { Apparatus, exactMoments, sampleWithBranch } from '../../src/simulators/index.ts';

/** Mean and standard error of the mean. */
function meanSe(values: ArrayLike<number>): { mean: number; se: number } {
  const n = values.length;
  let s = 0, q = 0;
  for (let k = 0; k < n; k++) { s += values[k]; q += values[k] * values[k]; }
  const mean = s / n;
  return { mean, se: Math.sqrt(Math.max(0, q / n - mean * mean) / (n - 1)) };
}

const sigma = (z: number): number => 1 / (1 + Math.exp(-z));
const EPS = [0, 0.1, 0.5, 1.2];

describe('sampleWithBranch', () => {
  it.each([0, 0.8])('branch frequency is the prior σ(2α₀) at α₀ = %s', (alpha0) => {
    const app = new Apparatus({ scheme: 'fixed', epsilon: 0.3, qubits: 2, alpha0 });
    const n = 40_000;
    const { branch } = sampleWithBranch(app, n, new Rng(11));
    const { mean } = meanSe(Array.from(branch, (s) => (s + 1) / 2));
    const p = sigma(2 * alpha0);
    expect(Math.abs(mean - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    expect(branch.every((s) => s === 1 || s === -1)).toBe(true);
  });

  it.each(['fixed', 'random'] as const)('E[xᵢ₃ | s] = s tᵢ / d, transverse means 0 (%s, heterogeneous ε)', (scheme) => {
    const app = new Apparatus({ scheme, epsilon: EPS, qubits: EPS.length, alpha0: 0.4 });
    const n = 20_000, N = EPS.length, d = app.dim;
    const { x, branch } = sampleWithBranch(app, n, new Rng(5));
    for (const s of [1, -1]) {
      const rows = [...branch.keys()].filter((b) => branch[b] === s);
      for (let i = 0; i < N; i++) {
        for (let c = 0; c < d; c++) {
          const { mean, se } = meanSe(rows.map((b) => x[(b * N + i) * d + c]));
          const expected = c === d - 1 ? (s * Math.tanh(EPS[i])) / d : 0;
          expect(Math.abs(mean - expected)).toBeLessThan(4 * se);
        }
      }
    }
  });

  it.each(['fixed', 'random'] as const)('pair moments E[xᵢ₃ xⱼ₃] match exactMoments (%s)', (scheme) => {
    const app = new Apparatus({ scheme, epsilon: EPS, qubits: EPS.length, alpha0: -0.6 });
    const n = 20_000, N = EPS.length, d = app.dim;
    const { x } = sampleWithBranch(app, n, new Rng(7));
    const exact = exactMoments(app);
    for (let i = 0; i < N; i++) {
      for (let j = i; j < N; j++) {
        const products = Float64Array.from({ length: n }, (_, b) => x[(b * N + i) * d + d - 1] * x[(b * N + j) * d + d - 1]);
        const { mean, se } = meanSe(products);
        if (i === j && scheme === 'fixed') expect(mean).toBe(1);
        else expect(Math.abs(mean - exact.pairOf(i, j))).toBeLessThan(4 * se);
      }
    }
  });

  it.each(['fixed', 'random'] as const)('mean and variance of the magnetisation match exactMoments, as app.sample does (%s)', (scheme) => {
    const app = new Apparatus({ scheme, epsilon: 0.25, qubits: 30, alpha0: 0.5 });
    const exact = exactMoments(app);
    const n = 20_000;
    for (const x of [sampleWithBranch(app, n, new Rng(3)).x, app.sample(n, new Rng(3))]) {
      const m = app.magnetisation(x, n);
      const { mean, se } = meanSe(m);
      expect(Math.abs(mean - exact.magnetisationMean)).toBeLessThan(4 * se);
      const dev2 = m.map((v) => (v - mean) ** 2);
      const v = meanSe(dev2);
      expect(Math.abs(v.mean - exact.magnetisationVariance)).toBeLessThan(4 * v.se);
    }
  });

  it('random-scheme outcomes are unit vectors, valid records for logProb', () => {
    const app = new Apparatus({ scheme: 'random', epsilon: [0.2, 3, 0], qubits: 3, alpha0: 1 });
    const n = 2000;
    const { x } = sampleWithBranch(app, n, new Rng(9));
    for (let k = 0; k < x.length; k += 3) expect(Math.abs(x[k] ** 2 + x[k + 1] ** 2 + x[k + 2] ** 2 - 1)).toBeLessThan(1e-5);
    expect(app.logProb(x, n).every(Number.isFinite)).toBe(true);
  });

  it('is deterministic per seed, fills out in place, and validates its arguments', () => {
    const app = new Apparatus({ scheme: 'random', epsilon: 0.3, qubits: 4 });
    const a = sampleWithBranch(app, 10, new Rng(1));
    const out = new Float32Array(10 * 4 * 3);
    const b = sampleWithBranch(app, 10, new Rng(1), out);
    expect(b.x).toBe(out);
    expect(b.x).toEqual(a.x);
    expect(b.branch).toEqual(a.branch);
    expect(() => sampleWithBranch(app, -1, new Rng(1))).toThrow(/sampleWithBranch: batch must be an integer ≥ 0 \(got -1\)/);
    expect(() => sampleWithBranch(app, 10, new Rng(1), new Float32Array(5))).toThrow(/out must have length batch·N·d = 10·4·3 = 120 \(got 5\)/);
    expect(sampleWithBranch(app, 0, new Rng(1)).x.length).toBe(0);
  });
});
