import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { BananaPosterior, generateBananaData } from '../../src/targets/banana.ts';
import { bananaExact } from '../../src/targets/bananaExact.ts';
import type { ExactPosterior2D } from '../../src/targets/exactPosterior.ts';
import { gaussLegendre } from '../../src/targets/gaussLegendre.ts';
import { normalCdf } from '../../src/targets/normalCdf.ts';
import { bananaGrid, evaluateGrid } from '../../src/targets/posteriorGrid.ts';
import { binMasses, binnedKl, energyDistance, marginalW1, momentErrors } from '../../src/targets/sampleDistance.ts';

const Z = 5;
const N = 20_000;
const BINS = 24;
const posterior = new BananaPosterior({ y: generateBananaData(100, new Rng(2022)) });
const exact = bananaExact(posterior);
const grid = bananaGrid(posterior, { exact });
const draws = exact.sampleExact(N, new Rng(31));

/** Adds `delta` to one column of a row-major [n, 2] set. */
const shifted = (s: Float64Array, axis: 0 | 1, delta: number): Float64Array => s.map((v, i) => (i % 2 === axis ? v + delta : v));

/** The 2 × 2 standard normal as an ExactPosterior2D (only what the scores read). */
const standard2D: ExactPosterior2D = {
  logEvidence: 0,
  mean: [0, 0],
  cov: [[1, 0], [0, 1]],
  bounds: [[-6.5, 6.5], [-6.5, 6.5]],
  marginalCdf: (_axis, x) => normalCdf(x),
  marginalDensity: (_axis, x) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI),
  sampleExact: () => new Float64Array(0),
};

describe('momentErrors', () => {
  it('is sample moments minus exact moments (a hand-computed case)', () => {
    // Rows (1, 2), (3, 4), (5, 0): means (3, 2), sds (2, 2), cov −2, corr −0.5.
    const e = momentErrors(Float64Array.of(1, 2, 3, 4, 5, 0), standard2D);
    expect(e.mean[0]).toBeCloseTo(3, 14);
    expect(e.mean[1]).toBeCloseTo(2, 14);
    expect(e.sd[0]).toBeCloseTo(1, 14);
    expect(e.sd[1]).toBeCloseTo(1, 14);
    expect(e.corr).toBeCloseTo(-0.5, 14);
  });

  it('is within 5 SE of 0 for exact samples and sees a shift', () => {
    const e = momentErrors(draws, exact);
    for (const a of [0, 1] as const) expect(Math.abs(e.mean[a])).toBeLessThanOrEqual(Z * Math.sqrt(exact.cov[a][a] / N));
    expect(momentErrors(shifted(draws, 1, 0.25), exact).mean[1] - e.mean[1]).toBeCloseTo(0.25, 12);
    expect(() => momentErrors(Float64Array.of(1, 2, 3), exact)).toThrow(/momentErrors: samples must have shape \[n, 2\] row-major \(got length 3/);
    expect(() => momentErrors(Float64Array.of(1, 2, NaN, 0), exact)).toThrow(/samples must be finite \(got NaN at row 1, column 0\)/);
  });
});

describe('marginalW1', () => {
  it('equals a brute-force ∫|F_n − F| on a fine grid (n = 50)', () => {
    const rng = new Rng(6);
    const s = Float64Array.from({ length: 100 }, () => rng.normal() * 1.3 + 0.2);
    for (const axis of [0, 1] as const) {
      const values = Float64Array.from({ length: 50 }, (_, i) => s[2 * i + axis]).sort();
      const lo = -8, hi = 8, K = 400_000, h = (hi - lo) / K;
      let brute = 0, k = 0;
      for (let t = 0; t < K; t++) {
        const x = lo + (t + 0.5) * h; // midpoint rule; F_n has jumps so this is O(h)-accurate: ~1e-5
        while (k < 50 && values[k] <= x) k++;
        brute += Math.abs(k / 50 - normalCdf(x)) * h;
      }
      expect(Math.abs(marginalW1(s, standard2D, axis) - brute)).toBeLessThan(1e-4);
    }
  });

  it('is O(1/√n) for exact samples and ≈ the shift for shifted ones', () => {
    for (const axis of [0, 1] as const) {
      // E W₁ ≈ √(2/(πn)) ∫ √(F(1 − F)) dx for exact samples (Brownian bridge).
      const [lo, hi] = exact.bounds[axis];
      let spread = 0;
      for (let k = 0; k < 4000; k++) {
        const F = exact.marginalCdf(axis, lo + ((k + 0.5) * (hi - lo)) / 4000);
        spread += (Math.sqrt(F * (1 - F)) * (hi - lo)) / 4000;
      }
      const expected = Math.sqrt(2 / (Math.PI * N)) * spread;
      const w = marginalW1(draws, exact, axis);
      expect(w).toBeGreaterThan(0.25 * expected);
      expect(w).toBeLessThan(2.5 * expected);
      // W₁(shifted law, exact law) = δ exactly, so by the triangle inequality |W₁(shifted F_n, F) − δ| ≤ W₁(F_n, F).
      const delta = 0.3;
      expect(Math.abs(marginalW1(shifted(draws, axis, delta), exact, axis) - delta)).toBeLessThanOrEqual(w + 1e-9);
    }
  });
});

describe('binnedKl', () => {
  /** Exact bin masses by an independent route: ∫ p(θ₂) [Φ((a₁ − m)/sd) − Φ((a₀ − m)/sd)] dθ₂ per bin. */
  const exactBins = (): Float64Array => {
    const [[x0, x1], [y0, y1]] = exact.bounds;
    const { nodes, weights } = gaussLegendre(5);
    const p = new Float64Array(BINS * BINS);
    for (let j = 0; j < BINS; j++) {
      const b0 = y0 + (j * (y1 - y0)) / BINS, h = (y1 - y0) / BINS / 40;
      for (let panel = 0; panel < 40; panel++) {
        for (let q = 0; q < 5; q++) {
          const t = b0 + (panel + 0.5) * h + 0.5 * h * nodes[q];
          const w = 0.5 * h * weights[q] * exact.marginalDensity(1, t);
          const { mean, sd } = exact.conditionalTheta1(t);
          for (let i = 0; i < BINS; i++) {
            const a0 = x0 + (i * (x1 - x0)) / BINS, a1 = x0 + ((i + 1) * (x1 - x0)) / BINS;
            p[j * BINS + i] += w * (normalCdf((a1 - mean) / sd) - normalCdf((a0 - mean) / sd));
          }
        }
      }
    }
    const total = p.reduce((a, b) => a + b);
    return p.map((v) => v / total);
  };
  const histogram = (s: Float64Array): Float64Array => {
    const [[x0, x1], [y0, y1]] = exact.bounds;
    const q = new Float64Array(BINS * BINS);
    const bin = (v: number, lo: number, hi: number) => Math.min(BINS - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * BINS)));
    for (let i = 0; i < s.length / 2; i++) q[bin(s[2 * i + 1], y0, y1) * BINS + bin(s[2 * i], x0, x1)] += 2 / s.length;
    return q;
  };
  const plugIn = (q: Float64Array, p: Float64Array) => q.reduce((kl, v, b) => (v > 0 ? kl + v * Math.log(v / p[b]) : kl), 0);

  it('bin masses from the grid match the exact ones to O(h²), and the score is Σ q̂ log(q̂/p)', () => {
    const p = exactBins();
    const fromGrid = binMasses(grid, BINS);
    const h = grid.x[1] - grid.x[0];
    for (let b = 0; b < p.length; b++) expect(Math.abs(fromGrid[b] - p[b])).toBeLessThan(0.1 * h * h); // 7e-6 measured
    expect(Math.abs(binnedKl(draws, grid, BINS) - plugIn(histogram(draws), p))).toBeLessThan(1e-5);
  });

  it('of exact samples sits in its null distribution (multinomial draws from the exact bin masses); wrong samples score far above', () => {
    const p = exactBins();
    const cumulative = new Float64Array(p.length);
    p.reduce((acc, v, b) => (cumulative[b] = acc + v), 0);
    const rng = new Rng(90);
    const nulls: number[] = [];
    for (let r = 0; r < 30; r++) {
      const q = new Float64Array(p.length);
      for (let i = 0; i < N; i++) {
        const u = rng.uniform() * cumulative[p.length - 1];
        let lo = 0, hi = p.length - 1;
        while (lo < hi) { const mid = (lo + hi) >> 1; if (cumulative[mid] > u) hi = mid; else lo = mid + 1; }
        q[lo] += 1 / N;
      }
      nulls.push(plugIn(q, p));
    }
    const mu = nulls.reduce((a, b) => a + b) / nulls.length;
    const sd = Math.sqrt(nulls.reduce((a, b) => a + (b - mu) ** 2, 0) / (nulls.length - 1));
    const kl = binnedKl(draws, grid, BINS);
    expect(Math.abs(kl - mu)).toBeLessThanOrEqual(Z * sd);
    // The bias is of the order of (B − 1)/(2n) with B the occupied bins (more for sparse bins).
    const occupied = histogram(draws).filter((v) => v > 0).length;
    expect(mu).toBeGreaterThan((occupied - 1) / (2 * N) * 0.8);
    expect(mu).toBeLessThan((occupied - 1) / (2 * N) * 2);
    // The ridge moved by one conditional sd (0.2) in θ₁ and samples from the prior.
    expect(binnedKl(shifted(draws, 0, 0.2), grid, BINS)).toBeGreaterThan(mu + 20 * sd);
    const r2 = new Rng(5);
    expect(binnedKl(Float64Array.from({ length: 2 * N }, () => r2.normal()), grid, BINS)).toBeGreaterThan(1);
  });

  it('recovers a known binned KL between Gaussians, in the right direction', () => {
    // q = N(0, 0.7² I) against p = N(0, I) on [−7, 7]²: KL(q‖p) = 0.49 − 1 − log 0.49 ≈ 0.203 (KL(p‖q) ≈ 0.328).
    const target = { dim: 2, logDensityAndGrad: (x: Float64Array) => -Math.log(2 * Math.PI) - 0.5 * (x[0] * x[0] + x[1] * x[1]) };
    const g = evaluateGrid(target, { x: [-7, 7], y: [-7, 7], nx: 561, ny: 561 });
    const edges = Float64Array.from({ length: BINS + 1 }, (_, k) => -7 + (14 * k) / BINS);
    const mass1 = (sd: number) => Float64Array.from({ length: BINS }, (_, k) => normalCdf(edges[k + 1] / sd) - normalCdf(edges[k] / sd));
    const [qa, pa] = [mass1(0.7), mass1(1)];
    let klBinned = 0, varLog = 0;
    const term = (i: number, j: number) => (qa[i] * qa[j] > 0 ? Math.log((qa[i] * qa[j]) / (pa[i] * pa[j])) : 0);
    for (let j = 0; j < BINS; j++) for (let i = 0; i < BINS; i++) klBinned += qa[i] * qa[j] * term(i, j);
    for (let j = 0; j < BINS; j++) for (let i = 0; i < BINS; i++) varLog += qa[i] * qa[j] * (term(i, j) - klBinned) ** 2;
    const klTrue = 0.49 - 1 - Math.log(0.49);
    expect(klBinned).toBeLessThan(klTrue); // data processing
    expect(klBinned).toBeGreaterThan(0.9 * klTrue);
    const rng = new Rng(12);
    const s = Float64Array.from({ length: 2 * N }, () => 0.7 * rng.normal());
    const occupied = new Set(Array.from({ length: N }, (_, i) => Math.floor((s[2 * i] + 7) / (14 / BINS)) * 100 + Math.floor((s[2 * i + 1] + 7) / (14 / BINS)))).size;
    const bias = (occupied - 1) / (2 * N);
    const se = Math.sqrt(varLog / N);
    expect(Math.abs(binnedKl(s, g, BINS) - klBinned - bias)).toBeLessThanOrEqual(Z * se + bias);
    expect(() => binnedKl(s, g, 1)).toThrow(/binnedKl: bins must be an integer ≥ 2 \(got 1\)/);
  });
});

describe('energyDistance', () => {
  it('matches the closed form for N(0, 1) vs N(δ, 1) in 1-D within 5 SE', () => {
    // 2E|X − Y| − E|X − X′| − E|Y − Y′|, with E|N(μ, s²)| = s√(2/π) e^{−μ²/(2s²)} + μ(1 − 2Φ(−μ/s)).
    const absMean = (mu: number, s: number) => s * Math.sqrt(2 / Math.PI) * Math.exp((-mu * mu) / (2 * s * s)) + mu * (1 - 2 * normalCdf(-mu / s));
    const delta = 1;
    const closed = 2 * absMean(delta, Math.SQRT2) - 2 * absMean(0, Math.SQRT2);
    const rng = new Rng(40);
    const reps = Array.from({ length: 8 }, () => {
      const a = Float64Array.from({ length: 500 }, () => rng.normal());
      const b = Float64Array.from({ length: 500 }, () => delta + rng.normal());
      return energyDistance(a, b, 1);
    });
    const mean = reps.reduce((x, y) => x + y) / reps.length;
    const se = Math.sqrt(reps.reduce((x, y) => x + (y - mean) ** 2, 0) / (reps.length - 1) / reps.length);
    expect(Math.abs(mean - closed)).toBeLessThanOrEqual(Z * se);
    expect(energyDistance(Float64Array.of(0, 1), Float64Array.of(0, 1), 1)).toBeCloseTo(2 * 0.5 - 1 - 1, 14); // 2·(1/2) − 1 − 1
  });

  it('is ≈ 0 for two exact banana sets and clearly positive when one is shifted', () => {
    const rng = new Rng(41);
    const same: number[] = [];
    const moved: number[] = [];
    for (let r = 0; r < 6; r++) {
      const a = exact.sampleExact(500, rng), b = exact.sampleExact(500, rng);
      same.push(energyDistance(a, b));
      moved.push(energyDistance(a, shifted(b, 0, 0.4)));
    }
    const stats = (v: number[]) => {
      const m = v.reduce((x, y) => x + y) / v.length;
      return { m, se: Math.sqrt(v.reduce((x, y) => x + (y - m) ** 2, 0) / (v.length - 1) / v.length) };
    };
    const s0 = stats(same), s1 = stats(moved);
    expect(Math.abs(s0.m)).toBeLessThanOrEqual(Z * s0.se);
    expect(s1.m).toBeGreaterThan(s0.m + Z * (s0.se + s1.se));
    expect(() => energyDistance(Float64Array.of(1, 2), draws)).toThrow(/energyDistance: a must have at least 2 rows \(got 1\)/);
  });
});
