import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { mala } from '../../src/samplers/mala.ts';
import { runChains } from '../../src/samplers/sampleChains.ts';
import { ula } from '../../src/samplers/ula.ts';
import type { LogDensity } from '../../src/targets/target.ts';
import { estimate, gaussian2, mapRows } from './targets.ts';

/** N(0, σ²) on ℝ. */
function normal1(sigma: number): LogDensity {
  const p = 1 / (sigma * sigma);
  return { dim: 1, logDensityAndGrad: (x, g) => { g[0] = -p * x[0]; return -0.5 * p * x[0] * x[0]; } };
}

/** E x² over 4 chains of `draws` from the kernel's stationary regime, with its ESS-based MCSE. */
function secondMoment(makeKernel: Parameters<typeof runChains>[0]['makeKernel'], stepSize: number, seed: number, draws: number) {
  const run = runChains({
    makeKernel, initialPositions: [0, 0.5, -0.5, 1].map((x) => new Float64Array([x])),
    warmup: 1000, draws, adapt: false, params: { stepSize }, rng: new Rng(seed),
  });
  return estimate(mapRows(run.draws, 1, (r) => r[0] * r[0]));
}

describe('ula', () => {
  it('validates its options at the boundary, naming the option and the range', () => {
    const t = normal1(1);
    expect(() => ula(t, { stepSize: 0 })).toThrow(/ula: stepSize must be a finite number > 0 \(got 0\)/);
    expect(() => ula(t, { stepSize: Infinity })).toThrow(/stepSize/);
    expect(() => ula(t, { stepSize: 0.1, inverseMassDiag: [0] })).toThrow(/ula: inverseMassDiag entries must be finite and > 0/);
    expect(() => ula(t, { stepSize: 0.1 }).init(new Float64Array([1, 2]))).toThrow(/ula.init: position must have length dim = 1/);
  });

  it('is the Euler–Maruyama step exactly: x′ = x + εM⁻¹∇log p + √(2ε)M^{-1/2}ξ, always accepted, caches fresh', () => {
    const g = gaussian2(1, 0.5, 0.9);
    const eps = 0.03, m = [2, 0.5];
    const kernel = ula(g.target, { stepSize: eps, inverseMassDiag: m });
    const s0 = kernel.init(Float64Array.of(0.4, -0.3));
    const { state, info } = kernel.step(new Rng(9), s0);
    const xi = new Rng(9);
    const expected = [0, 1].map((i) => s0.position[i] + eps * m[i] * s0.gradient[i] + Math.sqrt(2 * eps * m[i]) * xi.normal());
    expect(Array.from(state.position)).toEqual(expected);
    expect(info).toEqual({ acceptance: 1, accepted: true, divergent: false, gradientEvaluations: 1 });
    const grad = new Float64Array(2);
    expect(state.logDensity).toBe(g.target.logDensityAndGrad(state.position, grad));
    expect(Array.from(state.gradient)).toEqual(Array.from(grad));
    expect(Array.from(s0.position)).toEqual([0.4, -0.3]);
  });

  it('is biased in closed form: on N(0, σ²) its stationary variance is σ²/(1 − ε/(2σ²)), growing with ε; MALA stays at σ²', () => {
    const sigma = 1.5, s2 = sigma * sigma;
    const target = normal1(sigma);
    let previous = s2;
    for (const [i, eps] of [0.3, 0.9, 2].entries()) {
      const predicted = s2 / (1 - eps / (2 * s2));
      const u = secondMoment((p) => ula(target, p), eps, 100 + i, 100_000);
      // Matches the formula, and is far from the unbiased σ² (the bias is 7%, 25%, 80%).
      expect(Math.abs(u.mean - predicted), `ULA ε=${eps}: ${u.mean} vs ${predicted} ± ${u.se}`).toBeLessThan(5 * u.se);
      expect(Math.abs(u.mean - s2), `ULA ε=${eps}`).toBeGreaterThan(8 * u.se);
      expect(u.mean).toBeGreaterThan(previous);
      previous = u.mean;
      const a = secondMoment((p) => mala(target, p), eps, 200 + i, 100_000);
      expect(Math.abs(a.mean - s2), `MALA ε=${eps}: ${a.mean} vs ${s2} ± ${a.se}`).toBeLessThan(5 * a.se);
    }
  });

  it('flags a blown-up chain as divergent (ε beyond the stability limit 2σ²)', () => {
    const kernel = ula(normal1(0.1), { stepSize: 1 });
    const rng = new Rng(1);
    let state = kernel.init(new Float64Array([1]));
    let divergent = false;
    for (let i = 0; i < 400 && !divergent; i++) ({ state, info: { divergent } } = kernel.step(rng, state));
    expect(divergent).toBe(true);
  });
});
