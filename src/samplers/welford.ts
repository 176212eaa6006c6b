/**
 * Welford's streaming mean and variance of vectors, as a pure update of an immutable record
 * (each `add` returns a new state; the arrays are length dim). Used by window adaptation to
 * estimate the posterior variances that become the inverse mass matrix.
 *
 * @example
 *   let w = welfordInit(2);
 *   for (const x of draws) w = welfordAdd(w, x);
 *   welfordVariance(w);   // sample variance, m2 / (n − 1)
 */
export interface WelfordState {
  readonly count: number;
  /** Running mean, length dim. */
  readonly mean: Float64Array;
  /** Running Σ (x − mean)², length dim. */
  readonly m2: Float64Array;
}

export function welfordInit(dim: number): WelfordState {
  return { count: 0, mean: new Float64Array(dim), m2: new Float64Array(dim) };
}

export function welfordAdd(state: WelfordState, x: ArrayLike<number>): WelfordState {
  const count = state.count + 1;
  const mean = state.mean.slice();
  const m2 = state.m2.slice();
  for (let i = 0; i < mean.length; i++) {
    const delta = x[i] - mean[i];
    mean[i] += delta / count;
    m2[i] += delta * (x[i] - mean[i]);
  }
  return { count, mean, m2 };
}

/** Unbiased sample variance m2 / (n − 1), length dim; NaN entries when count < 2. */
export function welfordVariance(state: WelfordState): Float64Array {
  const out = new Float64Array(state.m2.length);
  for (let i = 0; i < out.length; i++) out[i] = state.count > 1 ? state.m2[i] / (state.count - 1) : Number.NaN;
  return out;
}
