/**
 * Mean and standard error of the mean, sd/√n with the n − 1 variance, in float64 (two passes).
 * The error is NaN for fewer than 2 values.
 * @example meanStandardError([1, 2, 3]) → { mean: 2, standardError: 0.577… }
 */
export function meanStandardError(values: ArrayLike<number>): { mean: number; standardError: number } {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return { mean, standardError: n > 1 ? Math.sqrt(ss / (n - 1) / n) : NaN };
}
