import { describe, expect, it } from 'vitest';
import { DEFAULT_BOX } from '../../src/ebm/box.ts';
import { densityScores } from '../../src/ebm/densityScores.ts';
import { gridCentres, gridDensity } from '../../src/ebm/gridDensity.ts';
import { toyDistribution } from '../../src/ebm/toyDatasets.ts';
import { Rng } from '../../src/random/rng.ts';

/** E(x) = ½ (x − μ)ᵀ Σ⁻¹ (x − μ) + c for a 2 × 2 covariance [[a, b], [b, d]]: Z = 2π √det Σ · e^{−c}. */
function quadratic(mu: [number, number], a: number, b: number, d: number, c: number): (p: Float32Array) => Float64Array {
  const det = a * d - b * b;
  const [ia, ib, id] = [d / det, -b / det, a / det];
  return (p) =>
    Float64Array.from({ length: p.length / 2 }, (_, k) => {
      const x = p[2 * k] - mu[0], y = p[2 * k + 1] - mu[1];
      return 0.5 * (ia * x * x + 2 * ib * x * y + id * y * y) + c;
    });
}

describe('gridDensity', () => {
  it('normalises a quadratic energy to the Gaussian\'s closed-form log Z', () => {
    const [a, b, d, c] = [0.5, 0.2, 0.3, 1.7];
    const g = gridDensity(quadratic([0.3, -0.4], a, b, d, c), DEFAULT_BOX, 200);
    const exact = Math.log(2 * Math.PI * Math.sqrt(a * d - b * b)) - c;
    // Midpoint rule, h = 0.04 against sd ≥ 0.45: the error is O(h⁴) for a Gaussian (the h² term vanishes by symmetry of the rule's Euler–Maclaurin expansion), far below 1e-6.
    expect(Math.abs(g.logZ - exact)).toBeLessThan(1e-6);
    const mass = g.logDensity.reduce((s, v) => s + Math.exp(v) * g.h * g.h, 0);
    expect(mass).toBeCloseTo(1, 12);
  });

  it('is unmoved by a constant added to the energy except for log Z, and handles energies of 1e4 without overflow', () => {
    const base = gridDensity(quadratic([0, 0], 1, 0, 1, 0), DEFAULT_BOX, 64);
    const shifted = gridDensity(quadratic([0, 0], 1, 0, 1, 1e4), DEFAULT_BOX, 64);
    expect(shifted.logZ).toBeCloseTo(base.logZ - 1e4, 8);
    expect(shifted.logDensity[100]).toBeCloseTo(base.logDensity[100], 8);
  });

  it('lays the centres out row-major with x fastest', () => {
    const c = gridCentres({ lo: 0, hi: 2 }, 2);
    expect(Array.from(c)).toEqual([0.5, 0.5, 1.5, 0.5, 0.5, 1.5, 1.5, 1.5]);
  });

  it('scores the truth against itself: no KL, held-out NLL equal to the exact one, the uniform baseline log 64', () => {
    const dist = toyDistribution('rings');
    const n = 160;
    const truth = gridDensity((p) => dist.logDensity(p).map((v) => -v), DEFAULT_BOX, n);
    const test = dist.sample(500, new Rng(2));
    const lp = dist.logDensity(test);
    const s = densityScores(truth, dist.logDensity(gridCentres(DEFAULT_BOX, n)), lp.map((v) => -v), lp);
    expect(Math.abs(s.klGrid)).toBeLessThan(1e-3); // log Z of the truth on the grid is ≈ 0, not exactly
    expect(Math.abs(s.excessNll)).toBeLessThan(1e-3);
    expect(s.uniformNll).toBeCloseTo(Math.log(64), 12);
    expect(s.gridNll).toBeCloseTo(s.entropyGrid + s.klGrid, 10);
  });

  it('rejects a box of no width and an energy with no finite value', () => {
    expect(() => gridDensity(() => new Float64Array(4), { lo: 1, hi: 1 }, 2)).toThrow(/gridCentres: box must have finite lo < hi/);
    expect(() => gridDensity((p) => new Float64Array(p.length / 2).fill(Infinity), DEFAULT_BOX, 4)).toThrow(/no finite minimum/);
  });
});
