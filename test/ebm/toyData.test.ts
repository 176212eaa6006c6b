import { describe, expect, it } from 'vitest';
import { DEFAULT_BOX } from '../../src/ebm/box.ts';
import { checkerboard } from '../../src/ebm/checkerboard.ts';
import { gridCentres } from '../../src/ebm/gridDensity.ts';
import { toyDistribution, TOY_DATASETS } from '../../src/ebm/toyDatasets.ts';
import { Rng } from '../../src/random/rng.ts';

/** Exact probability of each of B × B equal bins of the box, by the midpoint rule on a fine grid (n cells per axis, n a multiple of B). */
function binProbabilities(logDensity: (p: Float32Array) => Float64Array, bins: number, n: number): Float64Array {
  const lp = logDensity(gridCentres(DEFAULT_BOX, n));
  const h = (DEFAULT_BOX.hi - DEFAULT_BOX.lo) / n;
  const out = new Float64Array(bins * bins);
  const per = n / bins;
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) out[Math.floor(j / per) * bins + Math.floor(i / per)] += Math.exp(lp[j * n + i]) * h * h;
  return out;
}

describe('toy distributions', () => {
  it.each(TOY_DATASETS)('%s: the exact density integrates to 1 on the box (mass outside is negligible)', (name) => {
    const n = 200;
    const lp = toyDistribution(name).logDensity(gridCentres(DEFAULT_BOX, n));
    const h = 8 / n;
    const mass = lp.reduce((s, v) => s + Math.exp(v) * h * h, 0);
    // Midpoint rule at h = 0.04 on bumps of sd ≥ 0.15: error O((h/σ)²/24) ≈ 3e-3 at most; the checkerboard is exact.
    expect(mass).toBeCloseTo(1, 2);
    if (name === 'checkerboard') expect(mass).toBeCloseTo(1, 10);
  });

  it.each(TOY_DATASETS)('%s: samples fit the exact density by a chi-square test on 8 × 8 bins', (name) => {
    const dist = toyDistribution(name);
    const n = 20_000;
    const x = dist.sample(n, new Rng(7));
    const bins = 8;
    const p = binProbabilities((pts) => dist.logDensity(pts), bins, 160);
    const counts = new Float64Array(bins * bins);
    for (let k = 0; k < n; k++) {
      const i = Math.min(bins - 1, Math.max(0, Math.floor(((x[2 * k] + 4) / 8) * bins)));
      const j = Math.min(bins - 1, Math.max(0, Math.floor(((x[2 * k + 1] + 4) / 8) * bins)));
      counts[j * bins + i]++;
    }
    // Bins expected to hold fewer than 5 points are pooled into one (the usual validity rule of the test).
    let chi2 = 0, df = -1, pooledE = 0, pooledO = 0;
    for (let b = 0; b < p.length; b++) {
      const e = n * p[b];
      if (e < 5) {
        pooledE += e;
        pooledO += counts[b];
        continue;
      }
      chi2 += (counts[b] - e) ** 2 / e;
      df++;
    }
    if (pooledE >= 5) {
      chi2 += (pooledO - pooledE) ** 2 / pooledE;
      df++;
    } else {
      expect(pooledO).toBeLessThan(20); // nothing where the density says almost nothing
    }
    // χ²_df has mean df and sd √(2 df): 5 sd above the mean fails a correct sampler with probability < 1e-5.
    expect(df).toBeGreaterThan(5);
    expect(chi2).toBeLessThan(df + 5 * Math.sqrt(2 * df));
  });

  it.each(TOY_DATASETS)('%s: sample means agree with the exact density\'s within 5 standard errors', (name) => {
    const dist = toyDistribution(name);
    const n = 20_000;
    const x = dist.sample(n, new Rng(11));
    const g = 160;
    const centres = gridCentres(DEFAULT_BOX, g);
    const lp = dist.logDensity(centres);
    const h2 = (8 / g) ** 2;
    for (const axis of [0, 1]) {
      let m = 0, m2 = 0;
      for (let c = 0; c < lp.length; c++) {
        const w = Math.exp(lp[c]) * h2;
        m += w * centres[2 * c + axis];
        m2 += w * centres[2 * c + axis] ** 2;
      }
      let s = 0;
      for (let k = 0; k < n; k++) s += x[2 * k + axis];
      const se = Math.sqrt((m2 - m * m) / n);
      expect(Math.abs(s / n - m)).toBeLessThan(5 * se);
    }
  });

  it('the checkerboard is 1/32 on black squares and 0 on white ones', () => {
    const lp = checkerboard().logDensity(Float32Array.of(-3, -3, -1, -3, 0.5, 0.5, 3.9, -0.1, 5, 0));
    expect(Array.from(lp)).toEqual([-Math.log(32), -Infinity, -Math.log(32), -Math.log(32), -Infinity]);
  });

  it('the same seed gives the same points, another seed others', () => {
    for (const name of TOY_DATASETS) {
      const d = toyDistribution(name);
      expect(d.sample(50, new Rng(3))).toEqual(d.sample(50, new Rng(3)));
      expect(d.sample(50, new Rng(3))).not.toEqual(d.sample(50, new Rng(4)));
    }
  });

  it('rejects a bad count and an unknown name, naming them', () => {
    expect(() => toyDistribution('moons').sample(0, new Rng(1))).toThrow(/moons\.sample: n must be an integer ≥ 1 \(got 0\)/);
    expect(() => toyDistribution('spiral' as never)).toThrow(/must be one of moons, rings, checkerboard \(got "spiral"\)/);
  });
});
