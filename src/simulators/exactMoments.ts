import type { ApparatusParams } from './apparatus.ts';

/** Exact low moments of the apparatus outcomes (longitudinal component: x for fixed, x₃ for random). */
export interface ExactMoments {
  /** E[xᵢ₃] for every i: tanh α₀ · tanh ε / d (heterogeneous sensors: the average over i of `means`). */
  readonly mean: number;
  /** E[xᵢ₃] qubit by qubit: tanh α₀ · tanh εᵢ / d, shape [N]. */
  readonly means: Float64Array;
  /** E[xᵢ₃²]: 1 (fixed) or 1/3 (random), whatever α₀ and ε. */
  readonly second: number;
  /** E[xᵢ₃ xⱼ₃] for every i ≠ j: tanh²ε / d², whatever α₀ (heterogeneous: the average over pairs i ≠ j). */
  readonly pair: number;
  /** E[xᵢ₃ xⱼ₃] = tanh εᵢ tanh εⱼ / d² for i ≠ j, 1/d for i = j; qubits 0-based. */
  pairOf(i: number, j: number): number;
  /** E[M] of the data magnetisation M = (d/N) Σ xᵢ₃: tanh α₀ · tanh ε. */
  readonly magnetisationMean: number;
  /** Var[M] = d/N + (1 − 1/N) tanh²ε − (tanh α₀ tanh ε)²; heterogeneous: d/N + ((Σtᵢ)² − Σtᵢ²)/N² − E[M]². */
  readonly magnetisationVariance: number;
}

/**
 * Moments from the two-branch form of the joint: with probability e^{±α₀}/(2 cosh α₀) the qubits are
 * i.i.d. Dipolar_d(±t), t = tanh ε, whose x₃ has mean ±t/d and second moment 1/d. So
 * E[xᵢ₃] = tanh α₀ · t/d, and for i ≠ j, E[xᵢ₃ xⱼ₃] = (t/d)² in either branch. The transverse
 * components of the random scheme have mean 0, second moment 1/3 and no pair correlation.
 * Heterogeneous sensors: the same with tᵢ = tanh εᵢ per qubit (`means`, `pairOf`).
 *
 * @example
 *   exactMoments(new Apparatus({ scheme: 'random', epsilon: 1, qubits: 20 })).pair;   // tanh²(1)/9
 */
export function exactMoments(p: ApparatusParams): ExactMoments {
  const d = p.dim, n = p.qubits;
  const ts = p.epsilons.map(Math.tanh);
  const means = ts.map((ti) => (Math.tanh(p.alpha0) * ti) / d);
  const pairOf = (i: number, j: number): number => {
    if (!(Number.isSafeInteger(i) && Number.isSafeInteger(j) && i >= 0 && j >= 0 && i < n && j < n)) {
      throw new RangeError(`exactMoments.pairOf: qubits must be integers in [0, ${n - 1}] (got ${i}, ${j})`);
    }
    return i === j ? 1 / d : (ts[i] * ts[j]) / (d * d);
  };
  if (p.uniform) {
    const t = Math.tanh(p.epsilon);
    const magnetisationMean = Math.tanh(p.alpha0) * t;
    return {
      mean: magnetisationMean / d,
      means,
      second: 1 / d,
      pair: (t * t) / (d * d),
      pairOf,
      magnetisationMean,
      magnetisationVariance: d / n + (1 - 1 / n) * t * t - magnetisationMean * magnetisationMean,
    };
  }
  let sum = 0, sum2 = 0;
  for (const ti of ts) { sum += ti; sum2 += ti * ti; }
  const magnetisationMean = (Math.tanh(p.alpha0) * sum) / n;
  const offDiagonal = sum * sum - sum2;
  return {
    mean: magnetisationMean / d,
    means,
    second: 1 / d,
    pair: offDiagonal / (n * (n - 1) * d * d),
    pairOf,
    magnetisationMean,
    magnetisationVariance: d / n + offDiagonal / (n * n) - magnetisationMean * magnetisationMean,
  };
}
