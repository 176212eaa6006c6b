import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { BananaPosterior, generateBananaData } from '../../src/targets/banana.ts';
import { bananaExact } from '../../src/targets/bananaExact.ts';
import { gaussLegendre } from '../../src/targets/gaussLegendre.ts';
import { erfc, normalCdf } from '../../src/targets/normalCdf.ts';

const Z = 5;
const posterior = new BananaPosterior({ y: generateBananaData(100, new Rng(2022)) });
const exact = bananaExact(posterior);

/** ∫_a^b f by composite 5-point Gauss–Legendre on `panels` panels. */
function integrate(f: (x: number) => number, a: number, b: number, panels: number): number {
  const { nodes, weights } = gaussLegendre(5);
  const h = (b - a) / panels;
  let s = 0;
  for (let p = 0; p < panels; p++) {
    const c = a + (p + 0.5) * h;
    for (let q = 0; q < 5; q++) s += 0.5 * h * weights[q] * f(c + 0.5 * h * nodes[q]);
  }
  return s;
}

describe('normalCdf and erfc', () => {
  it('match high-precision values (mpmath, 40 digits)', () => {
    const reference: [number, number][] = [
      [-8, 6.22096057427178e-16], [-5, 2.866515718791939e-7], [-3, 0.0013498980316300946], [-1.5, 0.06680720126885807],
      [-0.3, 0.3820885778110474], [0, 0.5], [0.7, 0.758036347776927], [2.2, 0.9860965524865013], [4, 0.9999683287581669],
    ];
    for (const [z, p] of reference) expect(Math.abs(normalCdf(z) - p)).toBeLessThanOrEqual(2e-16 + 1e-13 * p);
    expect(erfc(3)).toBeCloseTo(2.209049699858544e-5, 18);
    expect(erfc(10) / 2.088487583762545e-45).toBeCloseTo(1, 12);
    expect(erfc(-1)).toBeCloseTo(1.8427007929497148, 15);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
  });
});

describe('bananaExact', () => {
  it('factorises the joint: log p(y, θ) = log p(y) + log p(θ₂ | y) + log N(θ₁; m(θ₂), v) at every θ', () => {
    const rng = new Rng(3);
    const grad = new Float64Array(2);
    for (let i = 0; i < 40; i++) {
      const t1 = -4 + 5 * rng.uniform(), t2 = -2 + 4 * rng.uniform();
      const { mean, sd } = exact.conditionalTheta1(t2);
      const logCond = -0.5 * ((t1 - mean) / sd) ** 2 - Math.log(sd * Math.sqrt(2 * Math.PI));
      const rhs = exact.logEvidence + Math.log(exact.marginalDensity(1, t2)) + logCond;
      expect(posterior.logDensityAndGrad(Float64Array.of(t1, t2), grad)).toBeCloseTo(rhs, 9);
    }
  });

  it('log evidence agrees with a plain Monte Carlo estimate log mean_{θ ~ prior} p(y | θ) within 5 SE', () => {
    const draws = 200_000;
    const rng = new Rng(77);
    const grad = new Float64Array(2);
    const theta = new Float64Array(2);
    const logPrior = (t1: number, t2: number): number => -Math.log(2 * Math.PI) - 0.5 * (t1 * t1 + t2 * t2);
    const logLik = new Float64Array(draws);
    let max = -Infinity;
    for (let i = 0; i < draws; i++) {
      theta[0] = rng.normal();
      theta[1] = rng.normal();
      logLik[i] = posterior.logDensityAndGrad(theta, grad) - logPrior(theta[0], theta[1]);
      max = Math.max(max, logLik[i]);
    }
    let s = 0, ss = 0;
    for (let i = 0; i < draws; i++) {
      const w = Math.exp(logLik[i] - max);
      s += w;
      ss += w * w;
    }
    const mean = s / draws;
    const variance = ss / draws - mean * mean;
    const estimate = max + Math.log(mean);
    const se = Math.sqrt(variance / draws) / mean; // delta method: SE(log m̄) = SE(m̄)/m̄
    expect(se).toBeLessThan(0.02);
    expect(Math.abs(estimate - exact.logEvidence)).toBeLessThanOrEqual(Z * se);
  });

  it('has converged: doubling the panels changes evidence and moments by < 1e-12', () => {
    const fine = bananaExact(posterior, { panels: 2 * exact.quadrature.panels, tableSize: 2049 });
    expect(Math.abs(fine.logEvidence - exact.logEvidence)).toBeLessThan(1e-12);
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(fine.mean[i] - exact.mean[i])).toBeLessThan(1e-12);
      for (let j = 0; j < 2; j++) expect(Math.abs(fine.cov[i][j] - exact.cov[i][j])).toBeLessThan(1e-12);
    }
    for (let x = -5.5; x < 2.5; x += 0.0731) expect(Math.abs(fine.marginalCdf(0, x) - exact.marginalCdf(0, x))).toBeLessThan(1e-11);
    for (let x = -2.6; x < 2.6; x += 0.0731) expect(Math.abs(fine.marginalCdf(1, x) - exact.marginalCdf(1, x))).toBeLessThan(1e-12);
  });

  it('marginal densities integrate to 1, CDFs run from 0 to 1 and are the integrals of the densities', () => {
    for (const axis of [0, 1] as const) {
      const [lo, hi] = exact.bounds[axis];
      const width = hi - lo;
      const f = (x: number): number => exact.marginalDensity(axis, x);
      expect(integrate(f, lo - width, hi + width, 600)).toBeCloseTo(1, 10);
      // The box leaves 1e-9 / 4 of the mass beyond each side of each axis.
      expect(exact.marginalCdf(axis, lo)).toBeCloseTo(2.5e-10, 12);
      expect(1 - exact.marginalCdf(axis, hi)).toBeCloseTo(2.5e-10, 12);
      expect(exact.marginalCdf(axis, hi + width)).toBe(1);
      expect(exact.marginalCdf(axis, lo - width)).toBe(0);
      // F(b) − F(a) = ∫_a^b f on consecutive intervals: the tabulated θ₁ CDF and the θ₂ panel sums
      // against the densities summed directly.
      const step = width / 97;
      for (let a = lo; a < hi; a += step) {
        const dF = exact.marginalCdf(axis, a + step) - exact.marginalCdf(axis, a);
        expect(dF).toBeGreaterThanOrEqual(0);
        expect(Math.abs(dF - integrate(f, a, a + step, 4))).toBeLessThan(1e-12);
      }
    }
  });

  it('moments are the integrals of the marginal densities', () => {
    for (const axis of [0, 1] as const) {
      const [lo, hi] = exact.bounds[axis];
      const m = integrate((x) => x * exact.marginalDensity(axis, x), lo - 1, hi + 1, 600);
      const v = integrate((x) => (x - m) ** 2 * exact.marginalDensity(axis, x), lo - 1, hi + 1, 600);
      expect(exact.mean[axis]).toBeCloseTo(m, 9);
      expect(exact.cov[axis][axis]).toBeCloseTo(v, 9);
    }
    expect(exact.cov[0][1]).toBe(exact.cov[1][0]);
    expect(Math.abs(exact.mean[1])).toBeLessThan(1e-14); // θ₂ ↦ −θ₂ symmetry
    expect(Math.abs(exact.cov[0][1])).toBeLessThan(1e-14);
  });

  it('exact samples: means, variances and covariance within 5 SE; θ₁ | θ₂ residuals are N(0, 1); reproducible', () => {
    const n = 20_000;
    const s = exact.sampleExact(n, new Rng(8));
    expect(s).toHaveLength(2 * n);
    const col = (j: number) => Float64Array.from({ length: n }, (_, i) => s[2 * i + j]);
    const meanOf = (a: Float64Array) => a.reduce((t, v) => t + v, 0) / a.length;
    const sdOf = (a: Float64Array) => { const m = meanOf(a); return Math.sqrt(meanOf(a.map((v) => (v - m) ** 2))); };
    const x = [col(0), col(1)];
    for (let a = 0; a < 2; a++) {
      const m = meanOf(x[a]);
      expect(Math.abs(m - exact.mean[a])).toBeLessThanOrEqual(Z * Math.sqrt(exact.cov[a][a] / n));
      for (let b = a; b < 2; b++) {
        const mb = meanOf(x[b]);
        const products = x[a].map((v, i) => (v - m) * (x[b][i] - mb));
        expect(Math.abs(meanOf(products) - exact.cov[a][b])).toBeLessThanOrEqual(Z * sdOf(products) / Math.sqrt(n));
      }
    }
    const residual = Float64Array.from({ length: n }, (_, i) => {
      const { mean, sd } = exact.conditionalTheta1(s[2 * i + 1]);
      return (s[2 * i] - mean) / sd;
    });
    expect(Math.abs(meanOf(residual))).toBeLessThanOrEqual(Z / Math.sqrt(n));
    expect(Math.abs(meanOf(residual.map((r) => r * r)) - 1)).toBeLessThanOrEqual(Z * Math.sqrt(2 / n));
    // The θ₂ marginal: P(θ₂ ≤ x) matches the exact CDF at a few points within 5 binomial SE.
    for (const q of [-1.2, -0.5, 0.3, 0.9]) {
      const F = exact.marginalCdf(1, q);
      const frac = x[1].filter((v) => v <= q).length / n;
      expect(Math.abs(frac - F)).toBeLessThanOrEqual(Z * Math.sqrt(F * (1 - F) / n));
    }
    expect(Array.from(exact.sampleExact(5, new Rng(1)))).toEqual(Array.from(exact.sampleExact(5, new Rng(1))));
  });

  it('handles a bimodal θ₂ marginal (large ȳ) and validates its arguments', () => {
    const far = new BananaPosterior({ y: Float64Array.from({ length: 50 }, (_, i) => 6 + Math.sin(i)), sigmaY: 1 });
    const e = bananaExact(far);
    // θ₂ concentrates near ±√(ȳ − τ²/2): the density at 0 is negligible next to the modes.
    const mode = Math.sqrt(far.mean - (1 + 1 / 50) / 2);
    expect(e.marginalDensity(1, 0) / e.marginalDensity(1, mode)).toBeLessThan(1e-6);
    expect(integrate((t) => e.marginalDensity(1, t), -5, 5, 2000)).toBeCloseTo(1, 10);
    expect(Math.abs(e.mean[1])).toBeLessThan(1e-12);
    expect(e.cov[1][1]).toBeCloseTo(integrate((t) => t * t * e.marginalDensity(1, t), -5, 5, 2000), 9);
    expect(() => bananaExact(posterior, { panels: 0 })).toThrow(/bananaExact: panels must be an integer ≥ 1 \(got 0\)/);
    expect(() => exact.sampleExact(-1, new Rng(1))).toThrow(/n must be an integer ≥ 0 \(got -1\)/);
    expect(() => exact.marginalCdf(2 as 0, 0)).toThrow(/axis must be 0 \(θ₁\) or 1 \(θ₂\) \(got 2\)/);
  });
});
