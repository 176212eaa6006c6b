import { describe, expect, it } from 'vitest';
import { assignmentAccuracy, bitLatentInformation } from '../../src/metrics/assignment.ts';
import { Rng } from '../../src/random/rng.ts';
import { MultiSystemApparatus } from '../../src/simulators/index.ts';

/** Fixed seeds; statistical checks at 4 or 5 standard errors, as stated per test. */

/** A random assignment of n ancillas to k system qubits. */
function randomTruth(n: number, k: number, rng: Rng): Int32Array {
  return Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * k));
}
/**
 * Sensitivities where ancilla i drives latent inverse[truth[i]] (latent l stands for system qubit
 * perm[l]) with magnitude in [1, 2) and a random sign, every other latent with magnitude < 0.5.
 */
function cleanSensitivity(truth: Int32Array, perm: number[], rng: Rng): Float64Array {
  const k = perm.length, n = truth.length;
  const inverse = new Int32Array(k);
  perm.forEach((s, l) => { inverse[s] = l; });
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let l = 0; l < k; l++) {
      const sign = rng.uniform() < 0.5 ? -1 : 1;
      out[i * k + l] = sign * (l === inverse[truth[i]] ? 1 + rng.uniform() : 0.5 * rng.uniform());
    }
  }
  return out;
}

describe('assignmentAccuracy', () => {
  it('perfect sensitivities: accuracy 1, the identity matching, predicted = truth', () => {
    const rng = new Rng(1);
    const truth = randomTruth(60, 4, rng);
    const r = assignmentAccuracy(cleanSensitivity(truth, [0, 1, 2, 3], rng), truth, 4);
    expect(r.accuracy).toBe(1);
    expect(Array.from(r.permutation)).toEqual([0, 1, 2, 3]);
    expect(r.predicted).toEqual(truth);
  });

  it.each([
    [[2, 0, 3, 1]],
    [[4, 3, 2, 1, 0]],
    [[1, 0]],
  ])('permuted latents %j (signs random, so |·| matters): accuracy 1 and that permutation', (perm) => {
    const rng = new Rng(2);
    const truth = randomTruth(80, perm.length, rng);
    const r = assignmentAccuracy(cleanSensitivity(truth, perm, rng), truth, perm.length);
    expect(r.accuracy).toBe(1);
    expect(Array.from(r.permutation)).toEqual(perm);
    expect(r.predicted).toEqual(truth);
  });

  it('K = 10 > 8 uses the greedy match, which recovers a clean permutation', () => {
    const perm = [3, 7, 0, 9, 1, 8, 2, 6, 4, 5];
    const rng = new Rng(3);
    const truth = randomTruth(300, 10, rng);
    const r = assignmentAccuracy(cleanSensitivity(truth, perm, rng), truth, 10);
    expect(r.accuracy).toBe(1);
    expect(Array.from(r.permutation)).toEqual(perm);
  });

  it('the exhaustive match is optimal where greedy is not: counts [[5, 4], [4, 0]] give 8/13, not 5/13', () => {
    // rows: 5 × (latent 0, truth 0), 4 × (latent 0, truth 1), 4 × (latent 1, truth 0)
    const rows: [number, number][] = [...Array(5).fill([0, 0]), ...Array(4).fill([0, 1]), ...Array(4).fill([1, 0])];
    const sensitivity = Float64Array.from(rows.flatMap(([l]) => (l === 0 ? [1, 0] : [0, 1])));
    const truth = Int32Array.from(rows, ([, s]) => s);
    const r = assignmentAccuracy(sensitivity, truth, 2);
    expect(r.accuracy).toBeCloseTo(8 / 13, 15);
    expect(Array.from(r.permutation)).toEqual([1, 0]);
  });

  it('one wrong ancilla of 40 gives 39/40', () => {
    const rng = new Rng(4);
    const truth = randomTruth(40, 3, rng);
    const sensitivity = cleanSensitivity(truth, [0, 1, 2], rng);
    sensitivity.set([0, 0, 0], 7 * 3);
    sensitivity[7 * 3 + ((truth[7] + 1) % 3)] = 5;
    const r = assignmentAccuracy(sensitivity, truth, 3);
    expect(r.accuracy).toBeCloseTo(39 / 40, 15);
    expect(r.predicted[7]).toBe((truth[7] + 1) % 3);
  });

  it.each([2, 4, 6])('random sensitivities: accuracy ≈ 1/K for N = 20 000 (K = %i), within 5 binomial SE', (k) => {
    const n = 20_000, rng = new Rng(10 + k);
    const truth = randomTruth(n, k, rng);
    const sensitivity = Float64Array.from({ length: n * k }, () => rng.normal());
    const r = assignmentAccuracy(sensitivity, truth, k);
    // any fixed matching scores Bin(N, 1/K)/N; the best of K! is at least the identity's and, by a union
    // bound over K! ≤ 720 matchings, above 1/K + 5 SE with probability < 720 · 3·10⁻⁷
    const se = Math.sqrt((1 / k) * (1 - 1 / k) / n);
    expect(r.accuracy).toBeGreaterThan(1 / k - 5 * se);
    expect(r.accuracy).toBeLessThan(1 / k + 5 * se);
  });

  it('validates its arguments, naming them', () => {
    expect(() => assignmentAccuracy([1, 0], [0], 0)).toThrow(new RangeError('assignmentAccuracy: k must be an integer ≥ 1 (got 0)'));
    expect(() => assignmentAccuracy([1, 0, 1], [0, 1], 2)).toThrow(/sensitivity must have shape \[N, K\] = \[2, 2\], i\.e\. length 4 \(got length 3\)/);
    expect(() => assignmentAccuracy([1, 0, 0, 1], [0, 2], 2)).toThrow(/truth\[1\] must be an integer in 0 … K−1 = 1 \(got 2\)/);
    expect(() => assignmentAccuracy([1, NaN, 0, 1], [0, 1], 2)).toThrow(/sensitivity\[0, 1\] must be finite \(got NaN\)/);
    expect(() => assignmentAccuracy([], [], 2)).toThrow(/truth must hold N ≥ 1/);
  });
});

describe('bitLatentInformation', () => {
  it.each([
    ['fixed', 1], ['random', 2],
  ] as const)('%s scheme: latents = permuted exact log-odds recover each bit’s information within 4 SE, and the right latentOf', (scheme, seed) => {
    // the random axis carries ~1/3 of the fixed one's information per ancilla: stronger sensors there
    const epsilon = [0.5, 0.3, 0.9, 0.5, 0.3, 0.9, 0.5, 0.3].map((e) => (scheme === 'random' ? 2.5 * e : e));
    const app = new MultiSystemApparatus({ scheme, epsilon, qubits: 8, systems: 3, alpha0: [0.2, -0.6, 0] });
    const n = 8000, k = app.systems, perm = [2, 0, 1]; // latent column c holds bit perm[c]
    const { x, bits } = app.sampleWithBits(n, new Rng(seed));
    const odds = app.posteriorLogOdds(x, n);
    const latents = new Float64Array(n * k);
    for (let j = 0; j < n; j++) for (let c = 0; c < k; c++) latents[j * k + c] = odds[j * k + perm[c]];
    const r = bitLatentInformation(bits, latents, k, k);
    const exact = app.bitInformation({ samples: 20_000, rng: new Rng(seed + 100) });
    expect(exact.methods.every((m) => m === (scheme === 'fixed' ? 'exact' : 'monte-carlo'))).toBe(true);
    for (let b = 0; b < k; b++) {
      expect(r.latentOf[b]).toBe(perm.indexOf(b));
      expect(r.information[b]).toBeGreaterThan(0.05);
      expect(Math.abs(r.information[b] - exact.information[b])).toBeLessThan(4 * Math.hypot(r.se[b], exact.standardError[b]));
      for (let c = 0; c < k; c++) if (c !== r.latentOf[b]) expect(r.matrix[b * k + c]).toBeLessThan(r.information[b] / 4);
    }
  });

  it('validates its arguments, naming them', () => {
    expect(() => bitLatentInformation([1, -1, 1], [0, 0, 0, 0], 2, 1)).toThrow(/bits must have shape \[n, K\] with K = 2 \(got length 3\)/);
    expect(() => bitLatentInformation([1, -1, 1, 1], [0, 0, 0], 1, 1)).toThrow(/latents must have shape \[n, L\] = \[4, 1\], i\.e\. length 4 \(got length 3\)/);
    expect(() => bitLatentInformation([1, -1, 0, 1], [0, 0, 0, 0], 1, 1)).toThrow(/bits\[2, 0\] must be \+1 or −1 \(got 0\)/);
    expect(() => bitLatentInformation([1, -1, 1, 1], [0, Infinity, 0, 0], 1, 1)).toThrow(/latents\[1, 0\] must be finite \(got Infinity\)/);
    expect(() => bitLatentInformation([1, -1], [0, 0], 1, 1)).toThrow(/need n ≥ 4 records \(got 2\)/);
    expect(() => bitLatentInformation([1, -1, 1, 1], [0, 0, 0, 0], 1, 0)).toThrow(/l must be an integer ≥ 1 \(got 0\)/);
  });
});
