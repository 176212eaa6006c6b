import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { mala } from '../../src/samplers/mala.ts';
import { runChains } from '../../src/samplers/sampleChains.ts';
import { ula } from '../../src/samplers/ula.ts';
import { estimate, gaussian2, mapRows } from './targets.ts';

/**
 * ULA's bias on a correlated 2-D Gaussian against its closed form (bench/langevin-bias.ts has the
 * full sweep). Our step is x' = x + ε∇log p + √(2ε)ξ; on N(0, Σ) it is the VAR(1)
 * x' = (I − εP)x + √(2ε)ξ, P = Σ⁻¹, whose stationary covariance solves S = A S Aᵀ + 2εI, i.e.
 * S = Σ(I − εΣ⁻¹/2)⁻¹ (the Σ(I − hΣ⁻¹/4)⁻¹ with h = 2ε).
 */

type Mat2 = [[number, number], [number, number]];

const inverse = (a: Mat2): Mat2 => {
  const det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
  return [[a[1][1] / det, -a[0][1] / det], [-a[1][0] / det, a[0][0] / det]];
};
const mul = (a: Mat2, b: Mat2): Mat2 => [
  [a[0][0] * b[0][0] + a[0][1] * b[1][0], a[0][0] * b[0][1] + a[0][1] * b[1][1]],
  [a[1][0] * b[0][0] + a[1][1] * b[1][0], a[1][0] * b[0][1] + a[1][1] * b[1][1]],
];
const quadratic = (s: Mat2, v: readonly number[]) => v[0] * v[0] * s[0][0] + 2 * v[0] * v[1] * s[0][1] + v[1] * v[1] * s[1][1];

/** Σ(I − cεΣ⁻¹)⁻¹ = (P − cεP²)⁻¹; the right formula has c = 1/2. */
function closedForm(sigma: Mat2, eps: number, c = 0.5): Mat2 {
  const p = inverse(sigma);
  const p2 = mul(p, p);
  return inverse([[p[0][0] - c * eps * p2[0][0], p[0][1] - c * eps * p2[0][1]], [p[1][0] - c * eps * p2[1][0], p[1][1] - c * eps * p2[1][1]]]);
}

/** The Lyapunov equation S = A S Aᵀ + 2εI solved by fixed-point iteration, independently of the closed form. */
function lyapunov(sigma: Mat2, eps: number): Mat2 {
  const p = inverse(sigma);
  const a: Mat2 = [[1 - eps * p[0][0], -eps * p[0][1]], [-eps * p[1][0], 1 - eps * p[1][1]]];
  let s: Mat2 = [[0, 0], [0, 0]];
  for (let k = 0; k < 200_000; k++) {
    const n = mul(mul(a, s), a);
    n[0][0] += 2 * eps;
    n[1][1] += 2 * eps;
    const change = Math.abs(n[0][0] - s[0][0]) + Math.abs(n[0][1] - s[0][1]) + Math.abs(n[1][1] - s[1][1]);
    s = n;
    if (change < 1e-16) break;
  }
  return s;
}

describe('ULA against MALA as the step grows, on a correlated Gaussian', () => {
  const g = gaussian2(1, 0.5, 0.9);
  const sigma: Mat2 = [[1, 0.45], [0.45, 0.25]];
  // Σ's minor axis: ULA's bias is largest along it (λ → λ/(1 − ε/(2λ))) and it mixes fastest.
  const tr = 1.25, det = 0.25 - 0.45 * 0.45;
  const lambdaMin = tr / 2 - Math.sqrt((tr * tr) / 4 - det);
  const norm = Math.hypot(0.45, lambdaMin - 1);
  const minor = [0.45 / norm, (lambdaMin - 1) / norm];
  // Stable for ε < 2λ_min ≈ 0.078; 0.06 is near the edge.
  const steps = [0.01, 0.06];

  it('the closed form is the stationary solution of the VAR(1) recursion', () => {
    for (const eps of steps) {
      const s = closedForm(sigma, eps), l = lyapunov(sigma, eps);
      for (const [i, j] of [[0, 0], [0, 1], [1, 1]]) expect(s[i][j]).toBeCloseTo(l[i][j], 10);
    }
  });

  /** 8 chains of 15 000 draws after 2000 warm-up from exact draws; E f with its ESS-based MCSE. Memoised: the tests share runs. */
  const memo = new Map<string, ReturnType<typeof measure>>();
  const moments = (kernel: 'ula' | 'mala', eps: number, seed: number) => {
    const key = `${kernel} ${eps} ${seed}`;
    if (!memo.has(key)) memo.set(key, measure(kernel, eps, seed));
    return memo.get(key)!;
  };
  function measure(kernel: 'ula' | 'mala', eps: number, seed: number) {
    const start = new Rng(seed);
    const run = runChains({
      makeKernel: (p) => (kernel === 'ula' ? ula(g.target, p) : mala(g.target, p)),
      initialPositions: Array.from({ length: 8 }, () => g.sample(start)),
      warmup: 2000, draws: 15_000, adapt: false, params: { stepSize: eps }, rng: new Rng(seed + 1),
    });
    // ULA's drift is linear, so its stationary mean is exactly 0: second moments about 0 are its covariance.
    return {
      var0: estimate(mapRows(run.draws, 2, (r) => r[0] * r[0])),
      var1: estimate(mapRows(run.draws, 2, (r) => r[1] * r[1])),
      cov01: estimate(mapRows(run.draws, 2, (r) => r[0] * r[1])),
      minor: estimate(mapRows(run.draws, 2, (r) => (minor[0] * r[0] + minor[1] * r[1]) ** 2)),
    };
  }

  it("ULA's covariance is Σ(I − εΣ⁻¹/2)⁻¹ within its Monte-Carlo error at both steps, and a factor-2 slip in ε is rejected", () => {
    for (const [k, eps] of steps.entries()) {
      const m = moments('ula', eps, 10 + k);
      const s = closedForm(sigma, eps);
      const wrong = closedForm(sigma, eps, 0.25);   // h and ε confused: Σ(I − εΣ⁻¹/4)⁻¹
      const checks = { var0: s[0][0], var1: s[1][1], cov01: s[0][1], minor: quadratic(s, minor) } as const;
      for (const [name, truth] of Object.entries(checks)) {
        const { mean, se } = m[name as keyof typeof checks];
        expect(Math.abs(mean - truth), `ULA ε=${eps} ${name}: ${mean} vs ${truth} ± ${se}`).toBeLessThan(4 * se);
      }
      const { mean, se } = m.minor;
      expect(Math.abs(mean - quadratic(wrong, minor)), `ULA ε=${eps}: the wrong formula ${quadratic(wrong, minor)} vs ${mean} ± ${se}`).toBeGreaterThan(6 * se);
    }
  });

  it("at the larger step ULA is many SEs off Σ while MALA is unbiased within its SE", () => {
    const eps = steps[1];
    const u = moments('ula', eps, 11).minor;   // the run of the test above
    expect(Math.abs(u.mean - lambdaMin), `ULA minor-axis variance ${u.mean} ± ${u.se} vs λ_min ${lambdaMin}`).toBeGreaterThan(50 * u.se);
    const a = moments('mala', eps, 30);
    const truth = { var0: sigma[0][0], var1: sigma[1][1], cov01: sigma[0][1], minor: lambdaMin } as const;
    for (const [name, value] of Object.entries(truth)) {
      const { mean, se } = a[name as keyof typeof truth];
      expect(Math.abs(mean - value), `MALA ε=${eps} ${name}: ${mean} vs ${value} ± ${se}`).toBeLessThan(4 * se);
    }
  });
});
