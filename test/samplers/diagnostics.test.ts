import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { autocovariance } from '../../src/samplers/diagnostics/autocovariance.ts';
import { rankNormalize, splitChains } from '../../src/samplers/diagnostics/chains.ts';
import { essBasic, essBulk, essTail } from '../../src/samplers/diagnostics/ess.ts';
import { fft } from '../../src/samplers/diagnostics/fft.ts';
import { mcse } from '../../src/samplers/diagnostics/mcse.ts';
import { normalQuantile } from '../../src/samplers/diagnostics/normalQuantile.ts';
import { rankNormalizedSplitRhat, splitRhat } from '../../src/samplers/diagnostics/rhat.ts';
import { summarizeChains } from '../../src/samplers/diagnostics/summarizeChains.ts';
import type { KernelInfo } from '../../src/samplers/kernel.ts';

/** x_t = φ x_{t−1} + √(1−φ²) ξ_t, started in stationarity: N(0, 1) marginals, lag-t correlation φ^t. */
function ar1(rng: Rng, phi: number, n: number, scale = 1, shift = 0): Float64Array {
  const x = new Float64Array(n);
  let v = rng.normal();
  const s = Math.sqrt(1 - phi * phi);
  for (let i = 0; i < n; i++) {
    v = phi * v + s * rng.normal();
    x[i] = shift + scale * v;
  }
  return x;
}
const chainsOf = (m: number, make: () => Float64Array) => Array.from({ length: m }, make);

describe('diagnostics building blocks', () => {
  it('normalQuantile is AS241 (values of scipy.stats.norm.ppf)', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.8413447460685429)).toBeCloseTo(1, 14);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 12);
    expect(normalQuantile(0.3)).toBeCloseTo(-0.5244005127080407, 14);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
  });

  it('fft and autocovariance match hand computations', () => {
    const re = new Float64Array([1, 2, 3, 4]), im = new Float64Array(4);
    fft(re, im, false);
    [10, -2, -2, -2].forEach((v, k) => expect(re[k]).toBeCloseTo(v, 14));
    [0, 2, 0, -2].forEach((v, k) => expect(im[k]).toBeCloseTo(v, 14));
    // Centred [−1.5, −0.5, 0.5, 1.5]: γ₀ = 5/4, γ₁ = 1.25/4, γ₂ = −1.5/4, γ₃ = −2.25/4.
    const g = autocovariance(new Float64Array([1, 2, 3, 4]));
    [1.25, 0.3125, -0.375, -0.5625].forEach((v, t) => expect(g[t]).toBeCloseTo(v, 14));
    // Against the direct sum on a longer, odd-length chain.
    const x = ar1(new Rng(1), 0.5, 301);
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const gx = autocovariance(x);
    for (const t of [0, 1, 7, 150, 300]) {
      let s = 0;
      for (let i = 0; i + t < x.length; i++) s += (x[i] - mean) * (x[i + t] - mean);
      expect(gx[t]).toBeCloseTo(s / x.length, 12);
    }
  });

  it('splits chains (dropping the middle draw of odd chains) and rank-normalises with ties averaged', () => {
    const split = splitChains([new Float64Array([1, 2, 3, 4, 5])]);
    expect(split.map((x) => Array.from(x))).toEqual([[1, 2], [4, 5]]);
    // Ranks of [3, 1, 2, 2] are [4, 1, 2.5, 2.5]; z = Φ⁻¹((r − 3/8) / (4 + 1/4)).
    const [z] = rankNormalize([new Float64Array([3, 1, 2, 2])]);
    [4, 1, 2.5, 2.5].forEach((r, i) => expect(z[i]).toBeCloseTo(normalQuantile((r - 0.375) / 4.25), 15));
  });
});

describe('R̂ and ESS', () => {
  it('match values derived by hand for a tiny input', () => {
    const tiny = [new Float64Array([1, 2, 3, 4, 5, 6, 7, 8]), new Float64Array([2, 1, 4, 3, 6, 5, 8, 7])];
    // Halves [1,2,3,4] [2,1,4,3] [5,6,7,8] [6,5,8,7]: W = 5/3, B = 4·var(2.5, 2.5, 6.5, 6.5) = 64/3,
    // R̂ = √((B/W + 3)/4) = √3.95.
    expect(splitRhat(tiny)).toBeCloseTo(Math.sqrt(3.95), 14);
    // With n = 4 per split chain Geyer's loop never runs: τ̂ = 0, capped at 1/log₁₀ S, so ESS = S log₁₀ S.
    expect(essBasic(tiny)).toBeCloseTo(16 * Math.log10(16), 12);
    // Cross-checked against ArviZ's formulas in numpy: rank-normalised R̂ of this input is 1.74194.
    expect(rankNormalizedSplitRhat(tiny)).toBeCloseTo(1.74194, 5);
  });

  it('recover the AR(1) closed form ESS = S(1 − φ)/(1 + φ) within 10%', () => {
    // The estimator's relative sd is ≈ √(2(2T + 1)/S) for truncation lag T: about 3% for
    // φ = 0.5 with 4 × 10 000 draws, and for φ = 0.9 (T ≈ 50) 3% needs 4 × 40 000 — so 10% is > 3 sd.
    const rng = new Rng(2024);
    for (const [phi, n] of [[0.5, 10_000], [0.9, 40_000]]) {
      const draws = chainsOf(4, () => ar1(rng, phi, n));
      const exact = (4 * n * (1 - phi)) / (1 + phi);
      for (const ess of [essBasic(draws), essBulk(draws)]) expect(Math.abs(ess / exact - 1), `φ=${phi}: ${ess} vs ${exact}`).toBeLessThan(0.1);
      expect(rankNormalizedSplitRhat(draws)).toBeLessThan(1.01);
    }
  });

  it('give ESS ≈ S and R̂ ≈ 1 for independent draws', () => {
    const rng = new Rng(8);
    const draws = chainsOf(4, () => ar1(rng, 0, 5000));
    // iid: relative sd of the ESS estimate ≈ √(2·3/20 000) ≈ 2%.
    for (const ess of [essBasic(draws), essBulk(draws)]) expect(Math.abs(ess / 20_000 - 1)).toBeLessThan(0.1);
    expect(Math.abs(essTail(draws) / 20_000 - 1)).toBeLessThan(0.15);
    expect(splitRhat(draws)).toBeLessThan(1.01);
    expect(rankNormalizedSplitRhat(draws)).toBeLessThan(1.01);
    expect(mcse(draws)).toBeCloseTo(1 / Math.sqrt(20_000), 3);
  });

  it('flag chains that disagree: shifted locations (bulk) and different scales (folded tail)', () => {
    const rng = new Rng(9);
    const shifted = [ar1(rng, 0.3, 1000), ar1(rng, 0.3, 1000), ar1(rng, 0.3, 1000, 1, 1), ar1(rng, 0.3, 1000, 1, 1)];
    expect(splitRhat(shifted)).toBeGreaterThan(1.1);
    expect(rankNormalizedSplitRhat(shifted)).toBeGreaterThan(1.1);
    // Same location, one chain three times wider: only the folded (tail) R̂ sees it.
    const scaled = [ar1(rng, 0, 2000), ar1(rng, 0, 2000), ar1(rng, 0, 2000), ar1(rng, 0, 2000, 3)];
    expect(splitRhat(scaled)).toBeLessThan(1.01);
    expect(rankNormalizedSplitRhat(scaled)).toBeGreaterThan(1.05);
    // A trend within one chain is caught by splitting it.
    const trend = [Float64Array.from({ length: 1000 }, (_, i) => i / 250 + rng.normal())];
    trend.push(Float64Array.from(trend[0]).reverse());
    expect(splitRhat(trend)).toBeGreaterThan(1.1);
  });

  it("cap antithetic chains at S log₁₀ S, as ArviZ does", () => {
    const rng = new Rng(3);
    const draws = chainsOf(2, () => ar1(rng, -0.8, 600));
    expect(essBasic(draws)).toBeCloseTo(1200 * Math.log10(1200), 9);
  });

  it('return S for constant draws, NaN for < 4 draws, non-finite values or one chain (R̂), and throw on ragged input', () => {
    const constant = chainsOf(2, () => new Float64Array(50).fill(3));
    expect(essBulk(constant)).toBe(100);
    expect(essBasic([new Float64Array([1, 2, 3])])).toBeNaN();
    expect(essBulk([new Float64Array([1, 2, Number.NaN, 4, 5])])).toBeNaN();
    expect(splitRhat([ar1(new Rng(1), 0, 100)])).toBeNaN();
    expect(() => essBulk([new Float64Array(10), new Float64Array(11)])).toThrow(/essBulk: every chain must have the same number of draws \(chain 0 has 10, chain 1 has 11\)/);
    expect(() => mcse([])).toThrow(/one Float64Array per chain/);
  });
});

describe('summarizeChains', () => {
  it('summarises parameters and chains from row-major draws and infos', () => {
    const rng = new Rng(12);
    const n = 2000, dim = 2;
    const draws: Float64Array[] = [], infos: KernelInfo[][] = [];
    for (let c = 0; c < 3; c++) {
      const a = ar1(rng, 0.5, n), b = ar1(rng, 0, n, 2, 10);
      const x = new Float64Array(n * dim);
      for (let i = 0; i < n; i++) { x[2 * i] = a[i]; x[2 * i + 1] = b[i]; }
      draws.push(x);
      infos.push(Array.from({ length: n }, (_, i) => ({ acceptance: 0.5 + 0.1 * c, accepted: i % 2 === 0, divergent: i < c, gradientEvaluations: 7 })));
    }
    const s = summarizeChains(draws, infos, { names: ['a', 'b'] });
    expect(s.parameters.map((p) => p.name)).toEqual(['a', 'b']);
    const [pa, pb] = s.parameters;
    expect(Math.abs(pa.mean)).toBeLessThan(5 * pa.mcseMean);
    expect(Math.abs(pb.mean - 10)).toBeLessThan(5 * pb.mcseMean);
    expect(pb.sd).toBeCloseTo(2, 1);
    expect(pa.essBulk / 6000).toBeCloseTo(1 / 3, 1);
    expect(pb.essBulk / 6000).toBeCloseTo(1, 1);
    expect(pa.rhat).toBeLessThan(1.01);
    expect(s.chains.map((c) => c.divergences)).toEqual([0, 1, 2]);
    expect(s.chains.map((c) => c.gradientEvaluations)).toEqual([14_000, 14_000, 14_000]);
    s.chains.forEach((c, i) => {
      expect(c.acceptanceRate).toBeCloseTo(0.5 + 0.1 * i, 12);
      expect(c.moveRate).toBe(0.5);
    });
    expect(() => summarizeChains(draws, infos.slice(1))).toThrow(/one entry per chain/);
    expect(() => summarizeChains([draws[0].subarray(1)], [infos[0]])).toThrow(/length n·dim/);
  });
});
