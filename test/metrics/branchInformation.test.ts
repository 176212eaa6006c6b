import { describe, expect, it } from 'vitest';
import { latentBranchInformation } from '../../src/metrics/branchInformation.ts';
import { Rng } from '../../src/random/rng.ts';
import { Apparatus, binaryEntropyOfLogit, branchInformation, sampleWithBranch } from '../../src/simulators/index.ts';

/** n branches with P(s = +1) = σ(2α₀). */
function branches(n: number, alpha0: number, rng: Rng): Int8Array {
  const p = 1 / (1 + Math.exp(-2 * alpha0));
  return Int8Array.from({ length: n }, () => (rng.uniform() < p ? 1 : -1));
}

/** Composite Simpson on [a, b] with n (even) intervals. */
function simpson(f: (u: number) => number, a: number, b: number, n = 20_000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

describe('latentBranchInformation', () => {
  it.each([0, 0.8])('z = s carries all of H(s) (α₀ = %s)', (alpha0) => {
    const s = branches(4000, alpha0, new Rng(1));
    const r = latentBranchInformation(s, s);
    // The residual log-loss of the ridge-limited fit is ~1e-5; the rest is the noise of the baseline frequency.
    expect(Math.abs(r.information - r.entropy)).toBeLessThan(4 * r.se + 1e-3);
    expect(r.entropy).toBeCloseTo(binaryEntropyOfLogit(2 * alpha0), 1);
  });

  it('z independent of s gives ≈ 0', () => {
    const rng = new Rng(2);
    const s = branches(4000, 0.3, rng);
    const z = Float64Array.from({ length: s.length }, () => rng.normal());
    const r = latentBranchInformation(s, z);
    expect(Math.abs(r.information)).toBeLessThan(4 * r.se);
  });

  it('Gaussian mixture z | s ~ N(s·m, 1), m = 1: at or below the exact I(s; z) by quadrature, within 4 se', () => {
    const m = 1, alpha0 = 0.3, n = 8000;
    const rng = new Rng(3);
    const s = branches(n, alpha0, rng);
    const z = Float64Array.from(s, (si) => si * m + rng.normal());
    const r = latentBranchInformation(s, z);
    // Exact: I = H(s) − ∫ p(z) h(p(+ | z)) dz, logit p(+ | z) = 2α₀ + 2 m z.
    const phi = (u: number) => Math.exp(-0.5 * u * u) / Math.sqrt(2 * Math.PI);
    const pPlus = 1 / (1 + Math.exp(-2 * alpha0));
    const density = (u: number) => pPlus * phi(u - m) + (1 - pPlus) * phi(u + m);
    const exact = binaryEntropyOfLogit(2 * alpha0) - simpson((u) => density(u) * binaryEntropyOfLogit(2 * alpha0 + 2 * m * u), -12, 12);
    expect(r.information).toBeGreaterThan(exact - 4 * r.se);
    expect(r.information).toBeLessThan(exact + 2 * r.se);
  });

  it('a sufficient statistic (posterior log-odds α_N of a fixed-scheme apparatus) carries all of I(s; x)', () => {
    const app = new Apparatus({ scheme: 'fixed', epsilon: 0.08, qubits: 60, alpha0: 0.3 });
    const n = 8000, N = app.qubits;
    const { x, branch } = sampleWithBranch(app, n, new Rng(4));
    const alphaN = Float64Array.from({ length: n }, (_, b) => {
      let sum = 0;
      for (let i = 0; i < N; i++) sum += x[b * N + i];
      return app.alpha0 + app.epsilon * sum;
    });
    const r = latentBranchInformation(branch, alphaN);
    const exact = branchInformation({ scheme: 'fixed', epsilon: app.epsilon, qubits: N, alpha0: app.alpha0 }).information;
    expect(Math.abs(r.information - exact)).toBeLessThan(4 * r.se);
  });

  it('degenerate cases: one branch → 0 with entropy 0; constant latent → ≈ 0', () => {
    expect(latentBranchInformation([1, 1, 1, 1, 1], [0, 1, 2, 3, 4])).toEqual({ information: 0, se: 0, entropy: 0 });
    const s = branches(2000, 0, new Rng(5));
    const r = latentBranchInformation(s, new Float64Array(s.length).fill(2.5));
    expect(Math.abs(r.information)).toBeLessThan(4 * r.se + 1e-3);
    expect(r.entropy).toBeGreaterThan(0.69);
  });

  it('validates its arguments, naming them', () => {
    expect(() => latentBranchInformation([1, -1, 1], [0, 1])).toThrow(/branch and latent must have the same length n \(got 3 and 2\)/);
    expect(() => latentBranchInformation([1, -1, 1], [0, 1, 2])).toThrow(/need n ≥ 4 records \(got 3\)/);
    expect(() => latentBranchInformation([1, -1, 0, 1], [0, 1, 2, 3])).toThrow(/branch\[2\] must be \+1 or −1 \(got 0\)/);
    expect(() => latentBranchInformation([1, -1, 1, 1], [0, NaN, 2, 3])).toThrow(/latent\[1\] must be finite \(got NaN\)/);
    expect(() => latentBranchInformation([1, -1, 1, 1], [0, 1, 2, 3], { ridge: -1 })).toThrow(/options.ridge/);
  });
});
