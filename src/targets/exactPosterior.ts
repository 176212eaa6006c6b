import type { Rng } from '../random/rng.ts';

/** An axis of a 2-D posterior: 0 is θ₁ (x), 1 is θ₂ (y). */
export type Axis = 0 | 1;

/**
 * What "the exact answer" is for a 2-D posterior p(θ | y): the reference that samplers and
 * variational fits are scored against (see sampleDistance.ts). Every number is computed to near
 * float64 accuracy by quadrature, never by sampling, so a test's tolerance can be all sampling error.
 */
export interface ExactPosterior2D {
  /** log p(y) = log ∫ p(y, θ) dθ. */
  readonly logEvidence: number;
  /** E[θ], [θ₁, θ₂]. */
  readonly mean: readonly [number, number];
  /** Cov[θ], 2×2, row-major nesting: cov[i][j] = Cov(θ_i, θ_j). */
  readonly cov: readonly [readonly [number, number], readonly [number, number]];
  /** A box [[lo₁, hi₁], [lo₂, hi₂]] holding all but ~1e-9 of the posterior mass. */
  readonly bounds: readonly [readonly [number, number], readonly [number, number]];
  /** P(θ_axis ≤ x | y). */
  marginalCdf(axis: Axis, x: number): number;
  /** p(θ_axis = x | y). */
  marginalDensity(axis: Axis, x: number): number;
  /** n independent exact draws, row-major [n, 2] (θ₁, θ₂ per row). */
  sampleExact(n: number, rng: Rng): Float64Array;
}
