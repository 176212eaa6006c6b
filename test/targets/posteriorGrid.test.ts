import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { BananaPosterior, generateBananaData } from '../../src/targets/banana.ts';
import { bananaExact } from '../../src/targets/bananaExact.ts';
import { BANANA_GRID_NODES, bananaGrid, evaluateGrid, gridMarginalDensity } from '../../src/targets/posteriorGrid.ts';
import type { LogDensity } from '../../src/targets/target.ts';

const Z = 5;

/** log of c · N(θ; μ, Σ) with Σ = [[s1², ρ s1 s2], [ρ s1 s2, s2²]]: evidence log c. */
function gaussian(mu: [number, number], s1: number, s2: number, rho: number, logC = 0): LogDensity {
  const det = s1 * s1 * s2 * s2 * (1 - rho * rho);
  return {
    dim: 2,
    logDensityAndGrad(x: Float64Array, grad: Float64Array): number {
      const a = (x[0] - mu[0]) / s1, b = (x[1] - mu[1]) / s2;
      const q = (a * a - 2 * rho * a * b + b * b) / (1 - rho * rho);
      grad[0] = grad[1] = 0; // unused by the grid
      return logC - Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * q;
    },
  };
}

describe('evaluateGrid', () => {
  it('integrates a correlated Gaussian: evidence, mean and covariance to 1e-9', () => {
    const g = evaluateGrid(gaussian([0.5, -1], 1.2, 0.6, 0.7, -3.25), { x: [-9, 10], y: [-6, 4], nx: 201, ny: 161 });
    expect(g.logEvidence).toBeCloseTo(-3.25, 9);
    expect(g.mean[0]).toBeCloseTo(0.5, 9);
    expect(g.mean[1]).toBeCloseTo(-1, 9);
    expect(g.cov[0][0]).toBeCloseTo(1.44, 9);
    expect(g.cov[1][1]).toBeCloseTo(0.36, 9);
    expect(g.cov[0][1]).toBeCloseTo(0.7 * 1.2 * 0.6, 9);
    // The marginal of θ₁ is N(0.5, 1.2²) at the nodes.
    const { axis, density } = g.marginals[0];
    for (let i = 0; i < axis.length; i += 17) {
      expect(density[i]).toBeCloseTo(Math.exp(-0.5 * ((axis[i] - 0.5) / 1.2) ** 2) / (1.2 * Math.sqrt(2 * Math.PI)), 9);
    }
    expect(g.logDensity).toHaveLength(201 * 161);
  });

  it('HPD levels: the true mass of {p ≥ level_α} is α (correlated Gaussian, where it is 1 − level · 2π√det Σ)', () => {
    const [s1, s2, rho] = [1.1, 0.8, 0.3];
    const g = evaluateGrid(gaussian([0.2, -0.1], s1, s2, rho), { x: [-8, 8], y: [-7, 7], nx: 401, ny: 401 });
    const masses = [0.5, 0.9, 0.99];
    const twoPiSqrtDet = 2 * Math.PI * s1 * s2 * Math.sqrt(1 - rho * rho);
    // Node membership of the level set is a staircase: mass errors ~ √(boundary cells) · cell mass ≈ 3e-4 here.
    g.levels(masses).forEach((level, k) => expect(Math.abs(1 - level * twoPiSqrtDet - masses[k])).toBeLessThan(1e-3));
    expect(g.levels([0.9, 0.5])[0]).toBeLessThan(g.levels([0.9, 0.5])[1]);
    expect(() => g.levels([1])).toThrow(/masses must be in \(0, 1\) \(got 1\)/);
  });

  it('density() is bilinear between nodes, exact at nodes and 0 outside the box', () => {
    const g = evaluateGrid(gaussian([0, 0], 1, 1, 0), { x: [-6, 6], y: [-6, 6], nx: 241, ny: 241 });
    const j = 100, i = 130;
    expect(g.density(g.x[i], g.y[j])).toBeCloseTo(Math.exp(g.logDensity[j * g.nx + i]), 14);
    const rng = new Rng(4);
    for (let t = 0; t < 50; t++) {
      const x = -3 + 6 * rng.uniform(), y = -3 + 6 * rng.uniform();
      const truth = Math.exp(-0.5 * (x * x + y * y)) / (2 * Math.PI);
      // Bilinear error ≤ h²/8 · (|∂²p/∂x²| + |∂²p/∂y²|) over the cell, with ∂²p/∂x² = (x² − 1) p here.
      const h = g.x[1] - g.x[0];
      expect(Math.abs(g.density(x, y) - truth)).toBeLessThanOrEqual(1.5 * (h * h / 8) * (x * x + y * y + 2) * truth);
    }
    expect(g.density(6.01, 0)).toBe(0);
    expect(gridMarginalDensity(g, 1, 0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 8); // box [−6, 6] leaves 2e-9 out
  });

  it('validates its arguments', () => {
    const t = gaussian([0, 0], 1, 1, 0);
    expect(() => evaluateGrid(t, { x: [1, 0], y: [0, 1], nx: 5, ny: 5 })).toThrow(/evaluateGrid: x must be a finite range \[lo, hi\] with lo < hi \(got \[1, 0\]\)/);
    expect(() => evaluateGrid(t, { x: [0, 1], y: [0, 1], nx: 2, ny: 5 })).toThrow(/evaluateGrid: nx must be an integer ≥ 3 \(got 2\)/);
    expect(() => evaluateGrid({ dim: 3, logDensityAndGrad: () => 0 }, { x: [0, 1], y: [0, 1], nx: 5, ny: 5 })).toThrow(/target.dim must be 2 \(got 3\)/);
    expect(() => evaluateGrid({ dim: 2, logDensityAndGrad: () => NaN }, { x: [0, 1], y: [0, 1], nx: 5, ny: 5 })).toThrow(/must be finite or −∞ \(got NaN at \(0, 0\)\)/);
  });
});

describe('bananaGrid', () => {
  const posterior = new BananaPosterior({ y: generateBananaData(100, new Rng(2022)) });
  const exact = bananaExact(posterior);

  it(`at ${BANANA_GRID_NODES}² nodes agrees with the 1-D quadrature to < 1e-6 and doubling the resolution changes nothing`, () => {
    const t0 = performance.now();
    const grid = bananaGrid(posterior, { exact });
    const ms = performance.now() - t0;
    expect([grid.nx, grid.ny]).toEqual([BANANA_GRID_NODES, BANANA_GRID_NODES]);
    expect([grid.x[0], grid.x[grid.nx - 1], grid.y[0], grid.y[grid.ny - 1]]).toEqual([...exact.bounds[0], ...exact.bounds[1]]);
    const fine = bananaGrid(posterior, { exact, nx: 2 * BANANA_GRID_NODES - 1, ny: 2 * BANANA_GRID_NODES - 1 });
    for (const g of [grid, fine]) {
      // The box leaves out 1e-9 of the mass: log(1 − 1e-9) ≈ −1e-9, far inside the tolerance.
      expect(Math.abs(g.logEvidence - exact.logEvidence)).toBeLessThan(1e-6);
      for (let a = 0; a < 2; a++) {
        expect(Math.abs(g.mean[a] - exact.mean[a])).toBeLessThan(1e-6);
        for (let b = 0; b < 2; b++) expect(Math.abs(g.cov[a][b] - exact.cov[a][b])).toBeLessThan(1e-6);
      }
    }
    expect(Math.abs(fine.logEvidence - grid.logEvidence)).toBeLessThan(1e-6);
    // Marginals on the grid are the exact marginal densities at the nodes.
    for (const axis of [0, 1] as const) {
      const { axis: nodes, density } = grid.marginals[axis];
      let peak = 0;
      for (const d of density) peak = Math.max(peak, d);
      for (let i = 0; i < nodes.length; i += 7) expect(Math.abs(density[i] - exact.marginalDensity(axis, nodes[i]))).toBeLessThan(1e-6 * peak);
      const h = nodes[1] - nodes[0];
      let total = 0;
      density.forEach((d, i) => (total += (i === 0 || i === density.length - 1 ? 0.5 : 1) * h * d));
      expect(total).toBeCloseTo(1, 8);
    }
    expect(ms).toBeLessThan(5000); // ~60 ms on a free core; the bound only catches a quadratic blow-up
  });

  it('HPD regions hold their mass: exact samples fall inside {p ≥ level_α} with frequency α', () => {
    const grid = bananaGrid(posterior, { exact });
    const n = 20_000;
    const s = exact.sampleExact(n, new Rng(21));
    const masses = [0.5, 0.9, 0.99];
    grid.levels(masses).forEach((level, k) => {
      let inside = 0;
      for (let i = 0; i < n; i++) if (grid.density(s[2 * i], s[2 * i + 1]) >= level) inside++;
      const a = masses[k];
      expect(Math.abs(inside / n - a)).toBeLessThanOrEqual(Z * Math.sqrt(a * (1 - a) / n));
    });
  });
});
