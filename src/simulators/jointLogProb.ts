import type { ApparatusParams } from './apparatus.ts';
import { logAddExp, logTwoCosh, qubitBranchFactors } from './branchFactors.ts';
import { checkLength, outcomeError, UNIT_NORM_TOLERANCE } from './checkRecords.ts';

/**
 * Exact joint log-probability of whole records, closed form (derivation in `Apparatus`):
 * - fixed:  log p[x] = log 2cosh(α₀ + εS) − log 2cosh α₀ − N log 2cosh ε,   S = Σ xᵢ;
 * - random: log p[x] = logaddexp(α₀ + Σ log(1 + t xᵢ₃), −α₀ + Σ log(1 − t xᵢ₃)) − log 2cosh α₀ − N log 4π,
 *   with 1 ± t x₃ = w±/(1 + q) summed as logs (see `branchFactors`): no overflow for N = 10⁴, ε ≫ 1.
 * Heterogeneous sensors: εS → Σ εᵢ xᵢ, N log 2cosh ε → Σ log 2cosh εᵢ, t → tᵢ (see `Apparatus`); a
 * uniform apparatus keeps the scalar expressions, so its values are those of the scalar case bit for bit.
 *
 * @param x records, shape [batch, N, d]; fixed entries ±1, random entries unit vectors
 * @returns shape [batch] (log-density w.r.t. the product of sphere areas for the random scheme)
 */
export function jointLogProb(p: ApparatusParams, x: ArrayLike<number>, batch: number): Float64Array {
  const fn = 'logProb';
  checkLength(fn, p, x, batch);
  const { q, logNorm } = qubitBranchFactors(p);
  const n = p.qubits, a0 = p.alpha0, eps = p.epsilons, uniform = p.uniform;
  const prior = logTwoCosh(a0);
  const out = new Float64Array(batch);
  if (p.dim === 1) {
    let norm = 0;
    if (uniform) norm = n * logTwoCosh(eps[0]);
    else for (let i = 0; i < n; i++) norm += logTwoCosh(eps[i]);
    for (let b = 0, k = 0; b < batch; b++) {
      // uniform: s = S = Σ xᵢ, field εS; otherwise s is the field Σ εᵢ xᵢ itself
      let s = 0;
      for (let i = 0; i < n; i++, k++) {
        const v = x[k];
        if (v !== 1 && v !== -1) throw outcomeError(fn, p, x, k);
        s += uniform ? v : eps[i] * v;
      }
      out[b] = logTwoCosh(a0 + (uniform ? eps[0] * s : s)) - prior - norm;
    }
    return out;
  }
  let norm = 0;
  if (uniform) norm = n * logNorm[0];
  else for (let i = 0; i < n; i++) norm += logNorm[i];
  for (let b = 0, k = 0; b < batch; b++) {
    let lp = 0, lm = 0;
    for (let i = 0; i < n; i++, k += 3) {
      const x1 = x[k], x2 = x[k + 1], x3 = x[k + 2];
      if (!(x3 >= -1 && x3 <= 1 && Math.abs(x1 * x1 + x2 * x2 + x3 * x3 - 1) <= UNIT_NORM_TOLERANCE)) {
        throw outcomeError(fn, p, x, k);
      }
      const qi = q[i];
      lp += Math.log(1 + x3 + qi * (1 - x3));
      lm += Math.log(1 - x3 + qi * (1 + x3));
    }
    out[b] = logAddExp(a0 + lp, -a0 + lm) - prior - norm;
  }
  return out;
}
