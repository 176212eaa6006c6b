import type { ApparatusParams } from './apparatus.ts';

/** Exact low moments of the apparatus outcomes (longitudinal component: x for fixed, x₃ for random). */
export interface ExactMoments {
  /** E[xᵢ₃] for every i: tanh α₀ · tanh ε / d. */
  readonly mean: number;
  /** E[xᵢ₃²]: 1 (fixed) or 1/3 (random), whatever α₀ and ε. */
  readonly second: number;
  /** E[xᵢ₃ xⱼ₃] for every i ≠ j: tanh²ε / d², whatever α₀. */
  readonly pair: number;
  /** E[M] of the data magnetisation M = (d/N) Σ xᵢ₃: tanh α₀ · tanh ε. */
  readonly magnetisationMean: number;
  /** Var[M] = d/N + (1 − 1/N) tanh²ε − (tanh α₀ tanh ε)². */
  readonly magnetisationVariance: number;
}

/**
 * Moments from the two-branch form of the joint: with probability e^{±α₀}/(2 cosh α₀) the qubits are
 * i.i.d. Dipolar_d(±t), t = tanh ε, whose x₃ has mean ±t/d and second moment 1/d. So
 * E[xᵢ₃] = tanh α₀ · t/d, and for i ≠ j, E[xᵢ₃ xⱼ₃] = (t/d)² in either branch. The transverse
 * components of the random scheme have mean 0, second moment 1/3 and no pair correlation.
 *
 * @example
 *   exactMoments(new Apparatus({ scheme: 'random', epsilon: 1, qubits: 20 })).pair;   // tanh²(1)/9
 */
export function exactMoments(p: ApparatusParams): ExactMoments {
  const t = Math.tanh(p.epsilon);
  const d = p.dim, n = p.qubits;
  const magnetisationMean = Math.tanh(p.alpha0) * t;
  return {
    mean: magnetisationMean / d,
    second: 1 / d,
    pair: (t * t) / (d * d),
    magnetisationMean,
    magnetisationVariance: d / n + (1 - 1 / n) * t * t - magnetisationMean * magnetisationMean,
  };
}
