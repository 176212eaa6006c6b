/** Mean and unbiased variance in float64 of column `j` of a row-major [n, cols] array (avoids float32 accumulation error). */
export function columnStats(values: ArrayLike<number>, cols: number, j: number): { mean: number; variance: number; n: number } {
  const n = Math.floor(values.length / cols);
  let s = 0;
  for (let i = 0; i < n; i++) s += values[i * cols + j];
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i * cols + j] - mean) ** 2;
  return { mean, variance: ss / (n - 1), n };
}
