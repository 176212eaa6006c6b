/**
 * Sarle's bimodality coefficient b = (g² + 1) / (κ + 3(n−1)²/((n−2)(n−3))), with sample skewness g
 * and excess kurtosis κ (bias-corrected). b = 1/3 for a normal, 5/9 for a uniform; b > 5/9 hints
 * at two modes (a symmetric two-point distribution gives 1).
 */
export function bimodalityCoefficient(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 4) return NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let m2 = 0, m3 = 0, m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean, d2 = d * d;
    m2 += d2; m3 += d2 * d; m4 += d2 * d2;
  }
  m2 /= n; m3 /= n; m4 /= n;
  if (m2 === 0) return NaN;
  const g1 = m3 / m2 ** 1.5;
  const g2 = m4 / (m2 * m2) - 3;
  const skew = (g1 * Math.sqrt(n * (n - 1))) / (n - 2);
  const kurt = ((n - 1) / ((n - 2) * (n - 3))) * ((n + 1) * g2 + 6);
  return (skew * skew + 1) / (kurt + (3 * (n - 1) ** 2) / ((n - 2) * (n - 3)));
}
