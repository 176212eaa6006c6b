/** Pearson χ² of observed counts against expected probabilities; bins with expectation < 5 are pooled. */
export function chiSquare(counts: ArrayLike<number>, probs: ArrayLike<number>): { stat: number; dof: number } {
  const n = Array.from(counts).reduce((a, b) => a + b, 0);
  let stat = 0, dof = -1, poolO = 0, poolE = 0;
  for (let k = 0; k < probs.length; k++) {
    const e = n * probs[k];
    if (e < 5) { poolO += counts[k]; poolE += e; continue; }
    stat += (counts[k] - e) ** 2 / e;
    dof++;
  }
  if (poolE > 0) { stat += (poolO - poolE) ** 2 / Math.max(poolE, 1e-12); dof++; }
  return { stat, dof };
}

/** Upper χ² quantile by Wilson–Hilferty; z = 3.72 is p ≈ 1e-4 (good to a few % for dof ≥ 3). */
export function chiSquareCritical(dof: number, z = 3.72): number {
  const c = 2 / (9 * dof);
  return dof * (1 - c + z * Math.sqrt(c)) ** 3;
}
