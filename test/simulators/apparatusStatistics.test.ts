import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import { Apparatus, exactMoments, sumDistribution } from '../../src/simulators/index.ts';

/**
 * Sampling statistics of the apparatus against exact values, with fixed seeds. z-tests use the
 * sample standard deviation and the threshold Z = 4 (two-sided p ≈ 6·10⁻⁵ per check); chi-square
 * tests require p > 10⁻³. Each statistical check is paired with a wrong alternative (the seed's
 * backaction, a wrong law) that the same statistic rejects, so the checks can fail.
 */

const Z = 4;
const P_MIN = 1e-3;

/** z of the sample mean of values against `exact`. */
function zScore(values: Float64Array, exact: number): number {
  let s = 0, s2 = 0;
  for (const v of values) { s += v; s2 += v * v; }
  const n = values.length, mean = s / n, variance = s2 / n - mean * mean;
  return (mean - exact) / Math.sqrt(variance / n);
}

/** Per-record values of component c of qubit i, or of a product of two qubits' components. */
function component(x: Float32Array, batch: number, n: number, d: number, i: number, c: number): Float64Array {
  const out = new Float64Array(batch);
  for (let b = 0; b < batch; b++) out[b] = x[(b * n + i) * d + c];
  return out;
}
function pairProduct(x: Float32Array, batch: number, n: number, i: number, j: number): Float64Array {
  const a = component(x, batch, n, 3, i, 2), b = component(x, batch, n, 3, j, 2);
  return a.map((v, k) => v * b[k]);
}

// ---- chi-square p-value: regularised upper incomplete gamma Q(df/2, χ²/2) ----
function logGamma(z: number): number {
  const g = 7, c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  z -= 1;
  let s = c[0];
  for (let i = 1; i < g + 2; i++) s += c[i] / (z + i);
  const t = z + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const front = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) { // series for P
    let sum = 1 / a, term = sum;
    for (let k = 1; k < 1000 && Math.abs(term) > 1e-16 * Math.abs(sum); k++) { term *= x / (a + k); sum += term; }
    return 1 - front * sum;
  }
  let b = x + 1 - a, c = 1e300, d = 1 / b, h = d; // Lentz continued fraction for Q
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2; d = an * d + b; d = Math.abs(d) < 1e-300 ? 1e-300 : d; c = b + an / c; c = Math.abs(c) < 1e-300 ? 1e-300 : c;
    d = 1 / d; const del = d * c; h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return front * h;
}
/** Pearson chi-square p-value, merging adjacent bins (left to right) until each expects ≥ 5. */
function chiSquarePValue(observed: ArrayLike<number>, expected: ArrayLike<number>): number {
  const obs: number[] = [], exp: number[] = [];
  let o = 0, e = 0;
  for (let k = 0; k < expected.length; k++) {
    o += observed[k]; e += expected[k];
    if (e >= 5) { obs.push(o); exp.push(e); o = 0; e = 0; }
  }
  obs[obs.length - 1] += o; exp[exp.length - 1] += e;
  let stat = 0;
  for (let k = 0; k < obs.length; k++) stat += (obs[k] - exp[k]) ** 2 / exp[k];
  return gammaQ((obs.length - 1) / 2, stat / 2);
}

describe('chi-square helper', () => {
  it('matches known quantiles', () => {
    expect(gammaQ(1, 4.605170186 / 2)).toBeCloseTo(0.1, 8); // df 2, 90 %
    expect(gammaQ(5, 23.20925116 / 2)).toBeCloseTo(0.01, 8); // df 10, 99 %
    expect(gammaQ(15, 59.70306 / 2)).toBeCloseTo(1e-3, 7); // df 30, 99.9 %
  });
});

describe('random scheme: pair moments are exchangeable and equal tanh²ε/9', () => {
  const epsilon = 1, n = 20, batch = 200_000, alpha0 = 0;
  const exact = Math.tanh(epsilon) ** 2 / 9;

  /** The checks: early pair (1,2) and late pair (N−1,N) against the exact value, and their difference. */
  function pairStatistics(x: Float32Array): { early: number; late: number; difference: number } {
    const early = pairProduct(x, batch, n, 0, 1), late = pairProduct(x, batch, n, n - 2, n - 1);
    return { early: zScore(early, exact), late: zScore(late, exact), difference: zScore(early.map((v, k) => v - late[k]), 0) };
  }

  it('library sampler passes', () => {
    const app = new Apparatus({ scheme: 'random', epsilon, qubits: n, alpha0 });
    expect(exactMoments(app).pair).toBeCloseTo(exact, 15);
    const s = pairStatistics(app.sample(batch, new Rng(101)));
    expect(Math.abs(s.early)).toBeLessThan(Z);
    expect(Math.abs(s.late)).toBeLessThan(Z);
    expect(Math.abs(s.difference)).toBeLessThan(Z);
  });

  it('the seed\'s backaction 2 artanh(x3 tanh(ε/2)) fails the same test (E[x13 x23] ≈ 0.0696 ≠ 0.0644)', () => {
    // Same draw order as the library sampler, only the α update differs.
    const t = Math.tanh(epsilon), tHalf = Math.tanh(epsilon / 2), rng = new Rng(101);
    const x = new Float32Array(batch * n * 3);
    for (let b = 0, k = 0; b < batch; b++) {
      let a = alpha0;
      for (let i = 0; i < n; i++, k += 3) {
        const m = Math.tanh(a) * t, u = rng.uniform();
        const x3 = Math.fround((m - 2 + 4 * u) / (1 + Math.sqrt(Math.max(0, (m - 1) ** 2 + 4 * m * u))));
        const phi = 2 * Math.PI * rng.uniform(), r = Math.sqrt(1 - x3 * x3);
        x[k] = r * Math.cos(phi); x[k + 1] = r * Math.sin(phi); x[k + 2] = x3;
        a += 2 * Math.atanh(x3 * tHalf);
      }
    }
    const s = pairStatistics(x);
    expect(s.early).toBeGreaterThan(Z);
  });
});

describe('means at α0 ≠ 0: E[x_i] = tanh α0 tanh ε / d for every qubit', () => {
  const epsilon = 1, alpha0 = 0.5, n = 20, batch = 100_000;
  it('fixed', () => {
    const app = new Apparatus({ scheme: 'fixed', epsilon, qubits: n, alpha0 });
    const { mean } = exactMoments(app);
    expect(mean).toBeCloseTo(Math.tanh(alpha0) * Math.tanh(epsilon), 15);
    const x = app.sample(batch, new Rng(202));
    for (const i of [0, n - 1]) expect(Math.abs(zScore(component(x, batch, n, 1, i, 0), mean))).toBeLessThan(Z);
    const { magnetisationMean, magnetisationVariance } = exactMoments(app);
    const mag = app.magnetisation(x, batch);
    expect(Math.abs(zScore(mag, magnetisationMean))).toBeLessThan(Z);
    // First-order value tanh α0 · ε is rejected.
    expect(Math.abs(zScore(mag, Math.tanh(alpha0) * epsilon))).toBeGreaterThan(Z);
    // Var[M] against the exact value: z-test on (M − E M)², whose variance is estimated from the sample.
    const sq = mag.map((v) => (v - magnetisationMean) ** 2);
    expect(Math.abs(zScore(sq, magnetisationVariance))).toBeLessThan(Z);
  });

  it('random (x3 carries the mean; x1, x2 have mean 0)', () => {
    const app = new Apparatus({ scheme: 'random', epsilon, qubits: n, alpha0 });
    const { mean, magnetisationMean, magnetisationVariance } = exactMoments(app);
    expect(mean).toBeCloseTo((Math.tanh(alpha0) * Math.tanh(epsilon)) / 3, 15);
    const x = app.sample(batch, new Rng(203));
    for (const i of [0, n - 1]) {
      expect(Math.abs(zScore(component(x, batch, n, 3, i, 2), mean))).toBeLessThan(Z);
      expect(Math.abs(zScore(component(x, batch, n, 3, i, 0), 0))).toBeLessThan(Z);
      expect(Math.abs(zScore(component(x, batch, n, 3, i, 1), 0))).toBeLessThan(Z);
    }
    const mag = app.magnetisation(x, batch);
    expect(Math.abs(zScore(mag, magnetisationMean))).toBeLessThan(Z);
    const sq = mag.map((v) => (v - magnetisationMean) ** 2);
    expect(Math.abs(zScore(sq, magnetisationVariance))).toBeLessThan(Z);
  });
});

describe('fixed scheme: S = Σ x_i follows the exact two-binomial mixture (chi-square)', () => {
  const batch = 100_000;
  it.each([
    [20, 0.3, 0.4],
    [10, 1, -0.8],
  ])('N = %i, ε = %f, α0 = %f', (n, epsilon, alpha0) => {
    const app = new Apparatus({ scheme: 'fixed', epsilon, qubits: n, alpha0 });
    const x = app.sample(batch, new Rng(300 + n));
    const counts = new Float64Array(n + 1);
    for (let b = 0; b < batch; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[b * n + i];
      counts[(s + n) / 2]++;
    }
    const { pmf, values } = sumDistribution(app);
    expect(values[0]).toBe(-n);
    expect(pmf.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    // The closed-form joint times the number of records with that S gives the same law.
    const lp = app.logProb(Float32Array.from({ length: n }, (_, i) => (i < 3 ? 1 : -1)), 1)[0];
    const choose3 = (n * (n - 1) * (n - 2)) / 6;
    expect(choose3 * Math.exp(lp)).toBeCloseTo(pmf[3], 12);

    expect(chiSquarePValue(counts, pmf.map((p) => p * batch))).toBeGreaterThan(P_MIN);
    // Wrong laws are rejected: ignoring α0, and independent qubits with the right mean.
    const unbiased = sumDistribution(new Apparatus({ scheme: 'fixed', epsilon, qubits: n, alpha0: 0 })).pmf;
    expect(chiSquarePValue(counts, unbiased.map((p) => p * batch))).toBeLessThan(P_MIN);
    const pUp = (1 + exactMoments(app).mean) / 2;
    let c = 1;
    const binomial = Array.from({ length: n + 1 }, (_, k) => {
      if (k > 0) c *= (n - k + 1) / k;
      return c * pUp ** k * (1 - pUp) ** (n - k) * batch;
    });
    expect(chiSquarePValue(counts, binomial)).toBeLessThan(P_MIN);
  });
});

describe('random scheme: unit vectors, x3 marginal (1 + m x3)/2, uniform azimuth', () => {
  const epsilon = 1, alpha0 = 1, n = 10, batch = 100_000, bins = 20;
  const app = new Apparatus({ scheme: 'random', epsilon, qubits: n, alpha0 });
  const x = app.sample(batch, new Rng(404));
  const m = Math.tanh(alpha0) * Math.tanh(epsilon);

  it('every outcome is a unit vector', () => {
    let worst = 0;
    for (let k = 0; k < x.length; k += 3) worst = Math.max(worst, Math.abs(x[k] ** 2 + x[k + 1] ** 2 + x[k + 2] ** 2 - 1));
    expect(worst).toBeLessThan(1e-6);
  });

  /** Expected counts of x3 in equal-width bins of [-1, 1] from the CDF F(x) = (x + 1)/2 + m (x² − 1)/4. */
  const expectedX3 = (pol: number) => {
    const cdf = (v: number) => (v + 1) / 2 + (pol * (v * v - 1)) / 4;
    return Array.from({ length: bins }, (_, j) => batch * (cdf(-1 + (2 * (j + 1)) / bins) - cdf(-1 + (2 * j) / bins)));
  };
  const histogram = (values: Float64Array, lo: number, hi: number) => {
    const h = new Float64Array(bins);
    for (const v of values) h[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]++;
    return h;
  };

  it.each([0, n - 1])('qubit %i: x3 ~ (1 + m x3)/2 with m = tanh α0 tanh ε (and not m = 0)', (i) => {
    const h = histogram(component(x, batch, n, 3, i, 2), -1, 1);
    expect(chiSquarePValue(h, expectedX3(m))).toBeGreaterThan(P_MIN);
    expect(chiSquarePValue(h, expectedX3(0))).toBeLessThan(P_MIN);
  });

  it.each([
    [0, 0],
    [5, 10],
    [5, -10],
    [0.05, 0.3],
  ])('inverse CDF holds at ε = %f, α0 = %f (m = 0, m → ±1, m small)', (eps, a0) => {
    const pol = Math.tanh(a0) * Math.tanh(eps);
    const app2 = new Apparatus({ scheme: 'random', epsilon: eps, qubits: 2, alpha0: a0 });
    const y = app2.sample(batch, new Rng(405));
    const h = histogram(component(y, batch, 2, 3, 0, 2), -1, 1);
    expect(chiSquarePValue(h, expectedX3(pol))).toBeGreaterThan(P_MIN);
    if (Math.abs(pol) > 0.5) expect(chiSquarePValue(h, expectedX3(0))).toBeLessThan(P_MIN);
  });

  it.each([0, n - 1])('qubit %i: azimuth uniform on [-π, π)', (i) => {
    const phi = new Float64Array(batch);
    for (let b = 0; b < batch; b++) phi[b] = Math.atan2(x[(b * n + i) * 3 + 1], x[(b * n + i) * 3]);
    expect(chiSquarePValue(histogram(phi, -Math.PI, Math.PI), new Array(bins).fill(batch / bins))).toBeGreaterThan(P_MIN);
  });
});
