import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/rng.ts';
import {
  Apparatus, binaryEntropyOfLogit, branchInformation, MultiSystemApparatus, sampleWithBranch, type Scheme,
} from '../../src/simulators/index.ts';

/**
 * K system qubits measured through N ancillas against exact values and brute-force references, with
 * fixed seeds. z-tests use the sample standard deviation and Z = 5 (two-sided p ≈ 6·10⁻⁷ per check).
 */
const Z = 5;
const SCHEMES: Scheme[] = ['fixed', 'random'];
/** K = 3, N = 9: an irregular assignment (group sizes 4, 3, 2), heterogeneous ε with a dead sensor. */
const EPS = [0.3, 1.2, 0, 0.6, 0.9, 0.3, 1.5, 0.2, 0.8];
const ASSIGN = [2, 0, 1, 0, 1, 2, 0, 1, 0];
const ALPHA = [0.5, -0.8, 0];
const N = EPS.length, K = ALPHA.length;

function zScore(values: ArrayLike<number>, exact: number): number {
  let s = 0, s2 = 0;
  for (let k = 0; k < values.length; k++) { s += values[k]; s2 += values[k] * values[k]; }
  const n = values.length, mean = s / n, variance = s2 / n - mean * mean;
  return variance === 0 ? (mean === exact ? 0 : Infinity) : (mean - exact) / Math.sqrt(variance / n);
}
/** Longitudinal component (x or x₃) of qubit i, per record. */
function longitudinal(x: Float32Array, batch: number, n: number, d: number, i: number): Float64Array {
  return Float64Array.from({ length: batch }, (_, b) => x[(b * n + i) * d + d - 1]);
}
/**
 * Brute-force log p(x, s) for every bit pattern s (bit k of the pattern index r: 1 ↔ s_k = −1), from
 * the mixture definition Π_k w_k(s_k) Π_i (1 + s_{a(i)} tᵢ x_{i3})/Ω, in plain float64: shape [2^K].
 */
function jointOverPatterns(eps: number[], assign: number[], alpha: number[], d: number, record: ArrayLike<number>): Float64Array {
  const k = alpha.length, omega = d === 1 ? 2 : 4 * Math.PI;
  return Float64Array.from({ length: 1 << k }, (_, r) => {
    const s = alpha.map((_, j) => ((r >> j) & 1 ? -1 : 1));
    let lp = 0;
    for (let j = 0; j < k; j++) lp += Math.log(Math.exp(s[j] * alpha[j]) / (2 * Math.cosh(alpha[j])));
    for (let i = 0; i < eps.length; i++) lp += Math.log((1 + s[assign[i]] * Math.tanh(eps[i]) * record[i * d + d - 1]) / omega);
    return lp;
  });
}
function logSumExp(v: ArrayLike<number>): number {
  let hi = -Infinity;
  for (let k = 0; k < v.length; k++) hi = Math.max(hi, v[k]);
  let s = 0;
  for (let k = 0; k < v.length; k++) s += Math.exp(v[k] - hi);
  return hi + Math.log(s);
}
/** The ancillas of group k of a record, shape [|G_k|, d]. */
function groupRecords(x: Float32Array, batch: number, app: MultiSystemApparatus, k: number): Float32Array {
  const members = app.members(k), d = app.dim, n = app.qubits;
  const y = new Float32Array(batch * members.length * d);
  for (let b = 0, r = 0; b < batch; b++) for (const i of members) for (let c = 0; c < d; c++) y[r++] = x[(b * n + i) * d + c];
  return y;
}

describe('MultiSystemApparatus', () => {
  it('validates its config in one-line messages naming the parameter', () => {
    const base = { scheme: 'fixed' as Scheme, epsilon: 0.2, qubits: 3 };
    const bad = (extra: object) => () => new MultiSystemApparatus({ ...base, systems: 2, ...extra });
    expect(bad({ systems: 4 })).toThrow(new RangeError('MultiSystemApparatus: systems must be an integer 1 ≤ K ≤ N = 3 (got 4)'));
    expect(bad({ systems: 0 })).toThrow(/systems must be an integer 1 ≤ K ≤ N = 3 \(got 0\)/);
    expect(bad({ systems: 1.5 })).toThrow(/systems must be an integer 1 ≤ K ≤ N = 3 \(got 1\.5\)/);
    expect(bad({ assignment: [0, 1] })).toThrow(/assignment must have one system index per qubit, length N = 3 \(got length 2\)/);
    expect(bad({ assignment: [0, 2, 1] })).toThrow(new RangeError('MultiSystemApparatus: assignment[1] must be an integer in 0 … K−1 = 1 (got 2)'));
    expect(bad({ assignment: [0, 1, -1] })).toThrow(/assignment\[2\] must be an integer in 0 … K−1 = 1 \(got -1\)/);
    expect(bad({ assignment: [0, 0.5, 1] })).toThrow(/assignment\[1\] .*\(got 0\.5\)/);
    expect(bad({ alpha0: [0.1, 0.2, 0.3] })).toThrow(new RangeError('MultiSystemApparatus: alpha0 must have one value per system qubit, length K = 2 (got length 3)'));
    expect(bad({ alpha0: [0.1, NaN] })).toThrow(/alpha0\[1\] must be a finite number \(got NaN\)/);
    expect(bad({ alpha0: Infinity })).toThrow(/alpha0 must be a finite number \(got Infinity\)/);
    expect(bad({ epsilon: [0.1, 0.2] })).toThrow(/epsilon must have one value per qubit, length N = 3 \(got length 2\)/);
    expect(bad({ epsilon: -1 })).toThrow(/epsilon must be a finite number ≥ 0 \(got -1\)/);
    expect(bad({ scheme: 'spin' })).toThrow(/scheme must be one of 'fixed', 'random' \(got 'spin'\)/);
    expect(bad({ qubits: 0 })).toThrow(/qubits must be an integer ≥ 1 \(got 0\)/);
    const app = new MultiSystemApparatus({ ...base, systems: 2 });
    expect(() => app.logProb(new Float32Array(5), 2)).toThrow(/logProb: x must have shape \[batch, N, d\] = \[2, 3, 1\], i\.e\. length 6 \(got length 5\)/);
    expect(() => app.posteriorLogOdds(Float32Array.of(1, 0, -1), 1)).toThrow(/posteriorLogOdds: fixed-scheme outcomes must be ±1 \(got x\[0, 1\] = 0\)/);
    expect(() => app.sample(2, new Rng(1), new Float32Array(5))).toThrow(/sampleWithBits: out must have length batch·N·d = 2·3·1 = 6 \(got 5\)/);
    expect(() => app.members(2)).toThrow(/members: k must be an integer in 0 … K−1 = 1 \(got 2\)/);
  });

  it('fills in the defaults: round-robin assignment a(i) = i mod K, α₀ = 0, scalar ε broadcast', () => {
    const app = new MultiSystemApparatus({ scheme: 'random', epsilon: 0.4, qubits: 7, systems: 3 });
    expect(Array.from(app.assignment)).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(Array.from(app.members(1))).toEqual([1, 4]);
    expect(Array.from(app.alpha0s)).toEqual([0, 0, 0]);
    expect(Array.from(app.epsilons)).toEqual(new Array(7).fill(0.4));
    expect(app.dim).toBe(3);
    expect(Array.from(new MultiSystemApparatus({ scheme: 'fixed', epsilon: 0.4, qubits: 4, systems: 2, alpha0: 0.7 }).alpha0s)).toEqual([0.7, 0.7]);
  });

  describe.each(SCHEMES)('%s scheme, K = 1', (scheme) => {
    const eps = [0.3, 1.1, 0, 0.6, 2.5];
    const multi = new MultiSystemApparatus({ scheme, epsilon: eps, qubits: eps.length, systems: 1, alpha0: -0.7 });
    const single = new Apparatus({ scheme, epsilon: eps, qubits: eps.length, alpha0: -0.7 });

    it('draws sampleWithBranch’s stream exactly, and sample is sampleWithBits’ x', () => {
      const a = multi.sampleWithBits(500, new Rng(3)), b = sampleWithBranch(single, 500, new Rng(3));
      expect(a.x).toEqual(b.x);
      expect(a.bits).toEqual(b.branch);
      expect(multi.sample(500, new Rng(3))).toEqual(a.x);
    });

    it('logProb equals Apparatus.logProb within 1e-9; the log-odds are 2α_N of the chain', () => {
      const x = single.sample(2000, new Rng(4));
      const lp = multi.logProb(x, 2000), ref = single.logProb(x, 2000);
      const odds = multi.posteriorLogOdds(x, 2000);
      for (let b = 0; b < 2000; b++) {
        expect(Math.abs(lp[b] - ref[b])).toBeLessThan(1e-9);
        let alpha = single.alpha0;
        for (let i = 0; i < eps.length; i++) alpha += Math.atanh(Math.tanh(eps[i]) * x[(b * eps.length + i) * multi.dim + multi.dim - 1]);
        expect(Math.abs(odds[b] - 2 * alpha)).toBeLessThan(1e-9);
      }
    });
  });

  describe.each(SCHEMES)('%s scheme, K = 3, irregular groups', (scheme) => {
    const app = new MultiSystemApparatus({ scheme, epsilon: EPS, qubits: N, systems: K, assignment: ASSIGN, alpha0: ALPHA });
    const d = app.dim;

    it('logProb = brute-force log Σ_s p(x, s) and = Σ_k group(k).logProb to 1e-9; the log-odds = Bayes over 2^K patterns', () => {
      const batch = 300;
      const x = app.sample(batch, new Rng(scheme === 'fixed' ? 21 : 22));
      const lp = app.logProb(x, batch), odds = app.posteriorLogOdds(x, batch);
      const groups = ALPHA.map((_, k) => app.group(k).logProb(groupRecords(x, batch, app, k), batch));
      for (let b = 0; b < batch; b++) {
        const joint = jointOverPatterns(EPS, ASSIGN, ALPHA, d, x.subarray(b * N * d, (b + 1) * N * d));
        expect(Math.abs(lp[b] - logSumExp(joint))).toBeLessThan(1e-9);
        expect(Math.abs(lp[b] - groups.reduce((sum, g) => sum + g[b], 0))).toBeLessThan(1e-9);
        for (let k = 0; k < K; k++) {
          const up = logSumExp(joint.filter((_, r) => ((r >> k) & 1) === 0));
          const down = logSumExp(joint.filter((_, r) => ((r >> k) & 1) === 1));
          expect(Math.abs(odds[b * K + k] - (up - down))).toBeLessThan(1e-9);
        }
      }
      // a one-system model of the same ancillas is a different law: the checks above can fail
      const one = new Apparatus({ scheme, epsilon: EPS, qubits: N, alpha0: ALPHA[0] }).logProb(x, batch);
      expect(Math.max(...one.map((v, b) => Math.abs(v - lp[b])))).toBeGreaterThan(0.1);
    });

    describe('exact moments vs 40 000 samples', () => {
      const batch = 40_000;
      const { x, bits } = app.sampleWithBits(batch, new Rng(scheme === 'fixed' ? 31 : 32));
      const moments = app.exactMoments();
      const t = EPS.map(Math.tanh);
      const xs = EPS.map((_, i) => longitudinal(x, batch, N, d, i));

      it('bits: P(s_k = +1) = σ(2α_k), independent across k; E[s_{a(i)} x_{i3}] = tᵢ/d (the bits drew x)', () => {
        for (let k = 0; k < K; k++) {
          const up = Float64Array.from({ length: batch }, (_, b) => (bits[b * K + k] === 1 ? 1 : 0));
          expect(Math.abs(zScore(up, 1 / (1 + Math.exp(-2 * ALPHA[k]))))).toBeLessThan(Z);
          for (let l = k + 1; l < K; l++) {
            const prod = Float64Array.from({ length: batch }, (_, b) => bits[b * K + k] * bits[b * K + l]);
            expect(Math.abs(zScore(prod, Math.tanh(ALPHA[k]) * Math.tanh(ALPHA[l])))).toBeLessThan(Z);
          }
        }
        for (let i = 0; i < N; i++) {
          const sx = xs[i].map((v, b) => v * bits[b * K + ASSIGN[i]]);
          expect(Math.abs(zScore(sx, t[i] / d))).toBeLessThan(Z);
        }
      });

      it('E[x_{i3}] = tanh α_{a(i)} tᵢ / d and E[x_{i3}²] = 1/d', () => {
        for (let i = 0; i < N; i++) {
          const exact = (Math.tanh(ALPHA[ASSIGN[i]]) * t[i]) / d;
          expect(moments.means[i]).toBeCloseTo(exact, 15);
          expect(Math.abs(zScore(xs[i], exact))).toBeLessThan(Z);
          expect(moments.pairOf(i, i)).toBe(1 / d);
          expect(Math.abs(zScore(xs[i].map((v) => v * v), moments.second))).toBeLessThan(Z);
        }
      });

      it('pairs: tᵢ tⱼ/d² within a group, the product of the means across groups (zero covariance)', () => {
        let within = 0, across = 0;
        for (let i = 0; i < N; i++) {
          for (let j = i + 1; j < N; j++) {
            const same = ASSIGN[i] === ASSIGN[j];
            const exact = same ? (t[i] * t[j]) / (d * d) : moments.means[i] * moments.means[j];
            expect(moments.pairOf(i, j)).toBeCloseTo(exact, 15);
            if (!same) expect(moments.covarianceOf(i, j)).toBe(0);
            expect(Math.abs(zScore(xs[i].map((v, b) => v * xs[j][b]), exact))).toBeLessThan(Z);
            if (same) within++; else across++;
          }
        }
        expect(within).toBeGreaterThan(5);
        expect(across).toBeGreaterThan(5);
      });

      it('the checks can fail: the K = 1 pair moment tᵢ tⱼ/d² is rejected across strong groups', () => {
        const i = 1, j = 4; // groups 0 and 1, ε = 1.2 and 0.9
        expect(ASSIGN[i]).not.toBe(ASSIGN[j]);
        expect(Math.abs(zScore(xs[i].map((v, b) => v * xs[j][b]), (t[i] * t[j]) / (d * d)))).toBeGreaterThan(Z);
      });
    });

    it('bitInformation: each bit is the K = 1 problem of its group; Monte Carlo agrees with H − E h(σ(L_k)) on samples', () => {
      const info = app.bitInformation({ samples: 20_000, rng: new Rng(41) });
      const batch = 20_000;
      const odds = app.posteriorLogOdds(app.sample(batch, new Rng(42)), batch);
      for (let k = 0; k < K; k++) {
        expect(info.priorEntropy[k]).toBeCloseTo(binaryEntropyOfLogit(2 * ALPHA[k]), 15);
        const h = Float64Array.from({ length: batch }, (_, b) => binaryEntropyOfLogit(odds[b * K + k]));
        const mean = h.reduce((a, v) => a + v, 0) / batch;
        const sd = Math.sqrt(h.reduce((a, v) => a + (v - mean) ** 2, 0) / (batch - 1));
        const se = Math.hypot(info.standardError[k], sd / Math.sqrt(batch));
        expect(Math.abs(info.information[k] - (info.priorEntropy[k] - mean))).toBeLessThan(Z * se);
        expect(info.information[k]).toBeGreaterThan(0.01);
      }
      // group 2 = ancillas {0, 5}, both ε = 0.3: exact for the fixed scheme
      expect(info.methods).toEqual(['monte-carlo', 'monte-carlo', scheme === 'fixed' ? 'exact' : 'monte-carlo']);
    });
  });

  it('fixed: exp(log p) sums to 1 over all 2^N records (N = 10, K = 3), and each group marginal is its Apparatus', () => {
    const eps = [0.1, 0.5, 0, 1.3, 0.5, 2.2, 0.05, 0.8, 3, 0.4];
    const n = eps.length, total = 1 << n;
    const app = new MultiSystemApparatus({ scheme: 'fixed', epsilon: eps, qubits: n, systems: 3, alpha0: [0.9, -0.3, 1.7] });
    const x = new Float32Array(total * n);
    for (let r = 0; r < total; r++) for (let i = 0; i < n; i++) x[r * n + i] = (r >> i) & 1 ? 1 : -1;
    const lp = app.logProb(x, total);
    expect(Math.abs(lp.reduce((s, v) => s + Math.exp(v), 0) - 1)).toBeLessThan(1e-9);
    // marginal of group 1 (ancillas 1, 4, 7) = its own Apparatus law
    const members = app.members(1), group = app.group(1);
    const marginal = new Map<number, number>();
    for (let r = 0; r < total; r++) {
      const key = Array.from(members).reduce((acc, i, j) => acc | ((((r >> i) & 1) as number) << j), 0);
      marginal.set(key, (marginal.get(key) ?? 0) + Math.exp(lp[r]));
    }
    for (const [key, p] of marginal) {
      const y = Float32Array.from(members, (_, j) => ((key >> j) & 1 ? 1 : -1));
      expect(Math.abs(p - Math.exp(group.logProb(y, 1)[0]))).toBeLessThan(1e-12);
    }
  });

  it('random: E_uniform[p/q] = 1 within 5 SE (q = uniform on (S²)ᴺ)', () => {
    const app = new MultiSystemApparatus({ scheme: 'random', epsilon: EPS, qubits: N, systems: K, assignment: ASSIGN, alpha0: ALPHA });
    const batch = 100_000;
    const u = new MultiSystemApparatus({ scheme: 'random', epsilon: 0, qubits: N, systems: 1 }).sample(batch, new Rng(6));
    const ratio = app.logProb(u, batch).map((lp) => Math.exp(lp + N * Math.log(4 * Math.PI)));
    expect(Math.abs(zScore(ratio, 1))).toBeLessThan(Z);
  });

  it('bitInformation: exact for fixed equal-ε groups (= branchInformation of the group), 0 for empty or dead groups, Monte Carlo within 5 SE', () => {
    // groups: 0 → {0, 3} ε = 0.4; 1 → {1, 4, 5} ε = 0.7; 2 → {2} dead; 3 → none
    const app = new MultiSystemApparatus({
      scheme: 'fixed', epsilon: [0.4, 0.7, 0, 0.4, 0.7, 0.7], qubits: 6, systems: 4, assignment: [0, 1, 2, 0, 1, 1], alpha0: [0.3, -1, 0.5, 0],
    });
    const exact = app.bitInformation();
    expect(exact.methods).toEqual(['exact', 'exact', 'exact', 'exact']);
    expect(exact.information[0]).toBeCloseTo(branchInformation({ scheme: 'fixed', epsilon: 0.4, qubits: 2, alpha0: 0.3 }).information, 15);
    expect(exact.information[1]).toBeCloseTo(branchInformation({ scheme: 'fixed', epsilon: 0.7, qubits: 3, alpha0: -1 }).information, 15);
    expect(Array.from(exact.information.subarray(2))).toEqual([0, 0]);
    expect(Array.from(exact.standardError)).toEqual([0, 0, 0, 0]);
    const mc = app.bitInformation({ method: 'monte-carlo', samples: 40_000, rng: new Rng(7) });
    expect(mc.methods).toEqual(['monte-carlo', 'monte-carlo', 'exact', 'exact']);
    for (let k = 0; k < 2; k++) expect(Math.abs(mc.information[k] - exact.information[k])).toBeLessThan(Z * mc.standardError[k]);
    expect(() => app.bitInformation({ method: 'monte-carlo' })).toThrow(/bitInformation: Monte Carlo \(system qubit 0\) needs options\.rng/);
    const het = new MultiSystemApparatus({ scheme: 'fixed', epsilon: [0.1, 0.2], qubits: 2, systems: 1 });
    expect(() => het.bitInformation({ method: 'exact' })).toThrow(/method 'exact' needs the fixed scheme and equal εᵢ within each group \(system qubit 0 fails\)/);
    expect(() => app.group(3)).toThrow(/group: system qubit 3 has no ancillas/);
  });
});

describe('MultiSystemApparatus.magnetisation', () => {
  it.each(SCHEMES)('%s: ⟨x⟩ or 3⟨x₃⟩ per record, Apparatus.magnetisation at K = 1, exact mean mean_i tanh α_{a(i)} tᵢ within 5 SE', (scheme) => {
    const app = new MultiSystemApparatus({ scheme, epsilon: EPS, qubits: N, systems: K, assignment: ASSIGN, alpha0: ALPHA });
    const batch = 40_000, d = app.dim;
    const { x } = app.sampleWithBits(batch, new Rng(31));
    const m = app.magnetisation(x, batch);
    let s = 0;
    for (let i = 0; i < N; i++) s += x[i * d + d - 1];
    expect(m[0]).toBeCloseTo((d * s) / N, 12);
    const exact = EPS.reduce((a, e, i) => a + Math.tanh(ALPHA[ASSIGN[i]]) * Math.tanh(e), 0) / N;
    expect(Math.abs(zScore(m, exact))).toBeLessThan(Z);

    const one = new MultiSystemApparatus({ scheme, epsilon: EPS, qubits: N, systems: 1, alpha0: 0.4 });
    const x1 = one.sample(50, new Rng(32));
    expect(one.magnetisation(x1, 50)).toEqual(new Apparatus({ scheme, epsilon: EPS, qubits: N, alpha0: 0.4 }).magnetisation(x1, 50));
    expect(() => app.magnetisation(new Float32Array(3), 1)).toThrow(/MultiSystemApparatus\.magnetisation: x must have shape \[batch, N, d\]/);
  });
});
