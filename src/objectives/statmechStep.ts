import type { tf } from '../backend/tf.ts';
import type { Rng } from '../random/rng.ts';

/**
 * What a statistical-mechanics training step receives: its index and its own random stream
 * (forked per step by {@link trainingSteps}, so results do not depend on how often a stage re-subscribes).
 * `beta` overrides the objective's inverse temperature (β annealing via `withSchedule('beta', …)`).
 */
export interface StatmechStepInput {
  readonly step: number;
  readonly rng: Rng;
  readonly beta?: number;
}

/**
 * What a statmech loss operator emits for one step.
 * `loss` is the *surrogate* whose gradient is the estimator (for score-function estimators its value
 * is not the objective); the objective's value and diagnostics are plain numbers in `scalars`.
 */
export interface StatmechEstimate extends StatmechStepInput {
  readonly loss: tf.Scalar;
  /** Named per-step values (per-site where the name says so), e.g. `kl_estimate`, `free_energy`. */
  readonly scalars: Readonly<Record<string, number>>;
  /** The configurations drawn this step, integer form [batch, units] (for magnetisation, correlations, plots). */
  readonly states: Uint8Array;
  readonly units: number;
  readonly q: number;
}

/**
 * Leave-one-out (RLOO) advantages r_k − mean_{j≠k} r_j: a baseline independent of sample k,
 * so the score-function gradient stays unbiased while its variance drops.
 * @param r per-sample rewards, shape [B], B ≥ 2
 */
export function leaveOneOutAdvantage(r: ArrayLike<number>): Float32Array {
  const B = r.length;
  if (B < 2) throw new RangeError(`leaveOneOutAdvantage: need a batch of ≥ 2 samples (got ${B})`);
  let s = 0;
  for (let k = 0; k < B; k++) s += r[k];
  const out = new Float32Array(B);
  for (let k = 0; k < B; k++) out[k] = (B * r[k] - s) / (B - 1);
  return out;
}

/** Mean and standard error of the mean in float64. */
export function meanAndStderr(values: ArrayLike<number>): { mean: number; stderr: number } {
  const n = values.length;
  let s = 0;
  for (let k = 0; k < n; k++) s += values[k];
  const mean = s / n;
  let ss = 0;
  for (let k = 0; k < n; k++) ss += (values[k] - mean) ** 2;
  return { mean, stderr: n > 1 ? Math.sqrt(ss / (n - 1) / n) : NaN };
}
