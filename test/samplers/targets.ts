import type { LogDensity } from '../../src/targets/target.ts';
import type { Rng } from '../../src/random/rng.ts';
import { essBasic } from '../../src/samplers/diagnostics/ess.ts';

/** Test targets with closed-form moments, and the moment check the sampler tests share. */

/** N(mu, Σ) on ℝ² with sds s1, s2 and correlation rho. */
export function gaussian2(s1: number, s2: number, rho: number, mu: readonly [number, number] = [0, 0]) {
  const det = s1 * s1 * s2 * s2 * (1 - rho * rho);
  const p11 = (s2 * s2) / det, p22 = (s1 * s1) / det, p12 = (-rho * s1 * s2) / det;
  const target: LogDensity = {
    dim: 2,
    logDensityAndGrad(x, g) {
      const a = x[0] - mu[0], b = x[1] - mu[1];
      const ga = p11 * a + p12 * b, gb = p12 * a + p22 * b;
      g[0] = -ga;
      g[1] = -gb;
      return -0.5 * (a * ga + b * gb);
    },
  };
  /** An exact draw, for stationarity tests. */
  const sample = (rng: Rng): Float64Array => {
    const z1 = rng.normal(), z2 = rng.normal();
    return new Float64Array([mu[0] + s1 * z1, mu[1] + s2 * (rho * z1 + Math.sqrt(1 - rho * rho) * z2)]);
  };
  return { target, mu, s1, s2, rho, sample };
}

/** Standard Gumbel on ℝ: log p = −x − e^{−x}; skewed, mean γ, variance π²/6. */
export const EULER_GAMMA = 0.5772156649015329;
export const gumbel: LogDensity & { mean: number; variance: number; sample(rng: Rng): Float64Array } = {
  dim: 1,
  mean: EULER_GAMMA,
  variance: (Math.PI * Math.PI) / 6,
  logDensityAndGrad(x, g) {
    const e = Math.exp(-x[0]);
    g[0] = -1 + e;
    return -x[0] - e;
  },
  sample(rng) {
    let u = rng.uniform();
    while (u === 0) u = rng.uniform();
    return new Float64Array([-Math.log(-Math.log(u))]);
  },
};

/** A banana: x ~ N(0, 1), y | x ~ N(x², 0.5²) — curved, so leapfrog tests are not linear-algebra tests. */
export const banana: LogDensity = {
  dim: 2,
  logDensityAndGrad(x, g) {
    const r = (x[1] - x[0] * x[0]) / 0.25;
    g[0] = -x[0] + 2 * x[0] * r;
    g[1] = -r;
    return -0.5 * x[0] * x[0] - 0.5 * (x[1] - x[0] * x[0]) * r;
  },
};

/** Column j of per-chain row-major [n, dim] draws, one Float64Array per chain. */
export function column(draws: readonly Float64Array[], dim: number, j: number): Float64Array[] {
  return draws.map((x) => {
    const out = new Float64Array(x.length / dim);
    for (let i = 0; i < out.length; i++) out[i] = x[i * dim + j];
    return out;
  });
}

/**
 * Estimate of E f and its Monte-Carlo standard error from each chain's own ESS:
 * chain c gives mean_c with se_c = sd_c / √ESS_c; chains are independent, so the pooled mean has
 * se = √(Σ se_c²) / m.
 */
export function estimate(values: readonly Float64Array[]): { mean: number; se: number } {
  let sum = 0, var_ = 0;
  for (const x of values) {
    const n = x.length;
    let m = 0;
    for (let i = 0; i < n; i++) m += x[i];
    m /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (x[i] - m) ** 2;
    const ess = essBasic([x]);
    sum += m;
    var_ += ss / (n - 1) / ess;
  }
  return { mean: sum / values.length, se: Math.sqrt(var_) / values.length };
}

/** Per chain, f applied row by row to [n, dim] draws. */
export function mapRows(draws: readonly Float64Array[], dim: number, f: (row: Float64Array) => number): Float64Array[] {
  return draws.map((x) => {
    const out = new Float64Array(x.length / dim);
    for (let i = 0; i < out.length; i++) out[i] = f(x.subarray(i * dim, (i + 1) * dim));
    return out;
  });
}

/**
 * The checks of a correlated 2-D Gaussian run: means, variances and correlation (as E of the
 * standardised product, with the true moments) each within `k` Monte-Carlo standard errors.
 * Returns the |error| / se ratios for reporting.
 */
export function gaussianMomentErrors(
  draws: readonly Float64Array[],
  g: { mu: readonly [number, number]; s1: number; s2: number; rho: number },
): Record<string, { estimate: number; truth: number; z: number }> {
  const { mu, s1, s2, rho } = g;
  const checks: Record<string, [Float64Array[], number]> = {
    mean0: [mapRows(draws, 2, (r) => r[0]), mu[0]],
    mean1: [mapRows(draws, 2, (r) => r[1]), mu[1]],
    var0: [mapRows(draws, 2, (r) => (r[0] - mu[0]) ** 2), s1 * s1],
    var1: [mapRows(draws, 2, (r) => (r[1] - mu[1]) ** 2), s2 * s2],
    corr: [mapRows(draws, 2, (r) => ((r[0] - mu[0]) / s1) * ((r[1] - mu[1]) / s2)), rho],
  };
  const out: Record<string, { estimate: number; truth: number; z: number }> = {};
  for (const [name, [values, truth]] of Object.entries(checks)) {
    const { mean, se } = estimate(values);
    out[name] = { estimate: mean, truth, z: Math.abs(mean - truth) / se };
  }
  return out;
}
