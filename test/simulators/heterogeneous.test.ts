import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../../src/data/npy.ts';
import { Rng } from '../../src/random/rng.ts';
import { Apparatus, exactMoments, sensorEpsilons, type Scheme } from '../../src/simulators/index.ts';

/**
 * Heterogeneous sensors (one εᵢ per qubit) against exact values, with fixed seeds. z-tests use the
 * sample standard deviation and Z = 4 (two-sided p ≈ 6·10⁻⁵ per check).
 */
const Z = 4;
const EPS = [0.3, 0, 1.2, 0.6, 0.3, 2];
const N = EPS.length;

function zScore(values: Float64Array, exact: number): number {
  let s = 0, s2 = 0;
  for (const v of values) { s += v; s2 += v * v; }
  const n = values.length, mean = s / n, variance = s2 / n - mean * mean;
  return variance === 0 ? (mean === exact ? 0 : Infinity) : (mean - exact) / Math.sqrt(variance / n);
}
/** Longitudinal component (x or x₃) of qubit i, per record. */
function longitudinal(x: Float32Array, batch: number, n: number, d: number, i: number): Float64Array {
  const out = new Float64Array(batch);
  for (let b = 0; b < batch; b++) out[b] = x[(b * n + i) * d + d - 1];
  return out;
}
/** Records with qubits i and j exchanged. */
function swapped(x: Float32Array, batch: number, n: number, d: number, i: number, j: number): Float32Array {
  const y = x.slice();
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < d; c++) {
      y[(b * n + i) * d + c] = x[(b * n + j) * d + c];
      y[(b * n + j) * d + c] = x[(b * n + i) * d + c];
    }
  }
  return y;
}

describe('Apparatus with per-qubit ε', () => {
  it('validates the array: length, each εᵢ finite and ≥ 0, naming epsilon[i]', () => {
    const base = { scheme: 'fixed' as Scheme, qubits: 3 };
    expect(() => new Apparatus({ ...base, epsilon: [0.1, 0.2] })).toThrow(/epsilon must have one value per qubit, length N = 3 \(got length 2\)/);
    expect(() => new Apparatus({ ...base, epsilon: [0.1, -0.2, 0.3] })).toThrow(/epsilon\[1\] must be a finite number ≥ 0 \(got -0\.2\)/);
    expect(() => new Apparatus({ ...base, epsilon: [0.1, 0.2, NaN] })).toThrow(/epsilon\[2\] must be a finite number ≥ 0 \(got NaN\)/);
    expect(() => new Apparatus({ ...base, epsilon: [Infinity, 0.2, 0.3] })).toThrow(/epsilon\[0\] .*\(got Infinity\)/);
    expect(() => new Apparatus({ ...base, epsilon: [0.1, '0.2', 0.3] as unknown as number[] })).toThrow(RangeError);
  });

  it('keeps epsilon for the uniform case, epsilons always, and config round-trips', () => {
    const het = new Apparatus({ scheme: 'random', epsilon: EPS, qubits: N, alpha0: 0.4 });
    expect(Array.from(het.epsilons)).toEqual(EPS);
    expect(het.uniform).toBe(false);
    expect(() => het.epsilon).toThrow(/ε varies from qubit to qubit.*epsilons/);
    expect(het.config).toEqual({ scheme: 'random', epsilon: EPS, qubits: N, alpha0: 0.4 });
    const again = new Apparatus(het.config);
    expect(again.logProb(het.sample(5, new Rng(2)), 5)).toEqual(het.logProb(het.sample(5, new Rng(2)), 5));
    const uni = new Apparatus({ scheme: 'fixed', epsilon: 0.5, qubits: 4 });
    expect(uni.epsilon).toBe(0.5);
    expect(Array.from(uni.epsilons)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(uni.config).toEqual({ scheme: 'fixed', epsilon: 0.5, qubits: 4, alpha0: 0 });
  });

  it.each(['fixed', 'random'] as Scheme[])('%s: a scalar ε and an array of N equal values give identical samples and log-probs', (scheme) => {
    const scalar = new Apparatus({ scheme, epsilon: 0.7, qubits: 25, alpha0: -0.3 });
    const array = new Apparatus({ scheme, epsilon: new Array(25).fill(0.7), qubits: 25, alpha0: -0.3 });
    expect(array.uniform).toBe(true);
    expect(array.epsilon).toBe(0.7);
    const a = scalar.sampleWithLogProb(300, new Rng(11)), b = array.sampleWithLogProb(300, new Rng(11));
    expect(b.x).toEqual(a.x);
    expect(b.logProb).toEqual(a.logProb);
    expect(array.logProb(a.x, 300)).toEqual(scalar.logProb(a.x, 300));
    expect(array.sequentialLogProb(a.x, 300)).toEqual(scalar.sequentialLogProb(a.x, 300));
  });

  describe.each([
    ['fixed', 0], ['fixed', 0.8], ['random', 0], ['random', -0.8],
  ] as [Scheme, number][])('%s scheme, α₀ = %s: exact moments', (scheme, alpha0) => {
    const app = new Apparatus({ scheme, epsilon: EPS, qubits: N, alpha0 });
    const d = app.dim, batch = 40_000;
    const x = app.sample(batch, new Rng(scheme === 'fixed' ? 101 : 202));
    const t = EPS.map(Math.tanh);
    const moments = exactMoments(app);

    it('E[xᵢ₃] = tᵢ tanh α₀ / d; a dead sensor has mean 0', () => {
      for (let i = 0; i < N; i++) {
        const exact = (t[i] * Math.tanh(alpha0)) / d;
        expect(moments.means[i]).toBeCloseTo(exact, 15);
        expect(Math.abs(zScore(longitudinal(x, batch, N, d, i), exact))).toBeLessThan(Z);
      }
    });

    it('E[xᵢ₃ xⱼ₃] = tᵢ tⱼ / d² for every pair (0 with the dead sensor)', () => {
      for (let i = 0; i < N; i++) {
        const xi = longitudinal(x, batch, N, d, i);
        for (let j = i + 1; j < N; j++) {
          const xj = longitudinal(x, batch, N, d, j);
          const exact = (t[i] * t[j]) / (d * d);
          expect(moments.pairOf(i, j)).toBeCloseTo(exact, 15);
          expect(Math.abs(zScore(xi.map((v, k) => v * xj[k]), exact))).toBeLessThan(Z);
        }
      }
    });

    it('the magnetisation has the exact mean tanh α₀ · mean tᵢ', () => {
      expect(moments.magnetisationMean).toBeCloseTo((Math.tanh(alpha0) * t.reduce((a, b) => a + b)) / N, 15);
      expect(Math.abs(zScore(app.magnetisation(x, batch), moments.magnetisationMean))).toBeLessThan(Z);
    });

    it('the uniform-ε moments would be rejected (the checks can fail)', () => {
      const strong = longitudinal(x, batch, N, d, 5), weak = longitudinal(x, batch, N, d, 0);
      const meanT = t.reduce((a, b) => a + b) / N;
      expect(Math.abs(zScore(strong.map((v, k) => v * weak[k]), (meanT * meanT) / (d * d)))).toBeGreaterThan(Z);
    });
  });

  it.each([0, 0.9])('fixed, α₀ = %s: exp(log p) sums to 1 over all 2^N records, and joint = chain on each', (alpha0) => {
    const eps = [0.1, 0.5, 0, 1.3, 0.5, 2.2, 0.05, 0.8, 3, 0.4];
    const n = eps.length, total = 1 << n;
    const app = new Apparatus({ scheme: 'fixed', epsilon: eps, qubits: n, alpha0 });
    const x = new Float32Array(total * n);
    for (let r = 0; r < total; r++) for (let i = 0; i < n; i++) x[r * n + i] = (r >> i) & 1 ? 1 : -1;
    const joint = app.logProb(x, total), chain = app.sequentialLogProb(x, total);
    let sum = 0;
    for (let r = 0; r < total; r++) {
      sum += Math.exp(joint[r]);
      expect(Math.abs(joint[r] - chain[r])).toBeLessThan(1e-9);
    }
    expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
  });

  it('random: joint = chain = the sampler’s accumulated log-prob to 1e-9, and E_uniform[p/q] = 1', () => {
    const app = new Apparatus({ scheme: 'random', epsilon: EPS, qubits: N, alpha0: 0.6 });
    const { x, logProb } = app.sampleWithLogProb(2000, new Rng(5));
    const joint = app.logProb(x, 2000), chain = app.sequentialLogProb(x, 2000);
    for (let b = 0; b < 2000; b++) {
      expect(Math.abs(joint[b] - chain[b])).toBeLessThan(1e-9);
      expect(Math.abs(joint[b] - logProb[b])).toBeLessThan(1e-9);
    }
    // q = uniform on (S²)ᴺ, density (4π)^{−N}: records from a dead apparatus are exactly that.
    const batch = 100_000;
    const u = new Apparatus({ scheme: 'random', epsilon: 0, qubits: N }).sample(batch, new Rng(6));
    const ratio = app.logProb(u, batch).map((lp) => Math.exp(lp + N * Math.log(4 * Math.PI)));
    expect(Math.abs(zScore(ratio, 1))).toBeLessThan(Z);
  });

  it.each(['fixed', 'random'] as Scheme[])('%s: swapping qubits of different ε changes log p; of equal ε it does not', (scheme) => {
    const app = new Apparatus({ scheme, epsilon: EPS, qubits: N, alpha0: 0.5 });
    const batch = 200, d = app.dim;
    const x = app.sample(batch, new Rng(9));
    const lp = app.logProb(x, batch);
    const equal = app.logProb(swapped(x, batch, N, d, 0, 4), batch); // ε₀ = ε₄ = 0.3
    for (let b = 0; b < batch; b++) expect(Math.abs(equal[b] - lp[b])).toBeLessThan(1e-12);
    const differ = app.logProb(swapped(x, batch, N, d, 2, 5), batch); // 1.2 vs 2
    // exactly the records whose two swapped outcomes differ change (fixed: opposite signs; random: always)
    let changed = 0, differing = 0;
    for (let b = 0; b < batch; b++) {
      if (Math.abs(differ[b] - lp[b]) > 1e-9) changed++;
      if (x[(b * N + 2) * d + d - 1] !== x[(b * N + 5) * d + d - 1]) differing++;
    }
    expect(differing).toBeGreaterThan(0);
    expect(changed).toBe(differing);
  });

  it.each(['fixed', 'random'] as Scheme[])('%s: a dead sensor’s outcome does not enter log p at all', (scheme) => {
    const app = new Apparatus({ scheme, epsilon: EPS, qubits: N, alpha0: 1.1 });
    const batch = 100, d = app.dim;
    const x = app.sample(batch, new Rng(4));
    const other = new Apparatus({ scheme, epsilon: 0, qubits: N }).sample(batch, new Rng(8));
    const y = x.slice();
    for (let b = 0; b < batch; b++) for (let c = 0; c < d; c++) y[(b * N + 1) * d + c] = other[(b * N + 1) * d + c];
    expect(app.logProb(y, batch)).toEqual(app.logProb(x, batch));
    expect(app.sequentialLogProb(y, batch)).toEqual(app.sequentialLogProb(x, batch));
  });
});

describe('sensorEpsilons', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qubit-rx-eps-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses a comma list of N values', () => {
    expect(Array.from(sensorEpsilons('0.1, 0.2,0,3', 4))).toEqual([0.1, 0.2, 0, 3]);
  });

  it.each([
    ['0.1,0.2', 3, '--epsilons: expected N = 3 values (one per qubit), got 2'],
    ['0.1,-0.2,0.3', 3, '--epsilons: epsilon[1] must be a finite number ≥ 0, got "-0.2"'],
    ['0.1,,0.3', 3, '--epsilons: epsilon[1] must be a finite number ≥ 0, got ""'],
    ['0.1,abc,0.3', 3, '--epsilons: epsilon[1] must be a finite number ≥ 0, got "abc"'],
    ['dead:1.5@0.2', 3, '--epsilons: dead:f@ε needs a fraction 0 ≤ f ≤ 1, got "dead:1.5@0.2"'],
    ['dead:0.5', 3, '--epsilons: dead:f@ε needs a fraction 0 ≤ f ≤ 1, got "dead:0.5"'],
    ['dead:0.5@-1', 3, '--epsilons: dead:f@ε needs a finite ε ≥ 0, got "dead:0.5@-1"'],
    ['', 3, '--epsilons: expected a comma list, dead:f@ε or file:PATH, got ""'],
  ])('rejects %j (N = %i) in one line naming the option', (spec, n, message) => {
    expect(() => sensorEpsilons(spec, n)).toThrow(new RangeError(message));
  });

  it('dead:f@ε kills round(f·N) sensors, reproducibly from the seed', () => {
    const a = sensorEpsilons('dead:0.25@0.3', 40, new Rng(7));
    expect(a.filter((v) => v === 0).length).toBe(10);
    expect(a.filter((v) => v === 0.3).length).toBe(30);
    expect(sensorEpsilons('dead:0.25@0.3', 40, new Rng(7))).toEqual(a);
    expect(sensorEpsilons('dead:0.25@0.3', 40, new Rng(8))).not.toEqual(a);
    expect(Array.from(sensorEpsilons('dead:0@0.3', 3))).toEqual([0.3, 0.3, 0.3]);
    expect(Array.from(sensorEpsilons('dead:1@0.3', 3))).toEqual([0, 0, 0]);
  });

  it('file:PATH reads one number per line or a 1-D .npy', () => {
    const txt = join(dir, 'eps.txt');
    writeFileSync(txt, '# per-sensor ε\n0.1\n0.2\n\n0.3\n');
    expect(Array.from(sensorEpsilons(`file:${txt}`, 3))).toEqual([0.1, 0.2, 0.3]);
    expect(() => sensorEpsilons(`file:${txt}`, 4)).toThrow(`--epsilons: expected N = 4 values (one per qubit) in ${txt}, got 3`);
    const npy = join(dir, 'eps.npy');
    writeFileSync(npy, encodeNpy(new Float64Array([0.5, 0, 1])));
    expect(Array.from(sensorEpsilons(`file:${npy}`, 3))).toEqual([0.5, 0, 1]);
    expect(() => sensorEpsilons(`file:${join(dir, 'missing.txt')}`, 3)).toThrow(/--epsilons: cannot read .*missing\.txt \(ENOENT\)/);
  });
});
