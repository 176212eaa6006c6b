import type { ApparatusParams } from './apparatus.ts';
import { logAddExp, logTwoCosh } from './branchFactors.ts';

/** Distribution of S = Σ xᵢ for the fixed scheme. */
export interface SumDistribution {
  /** S = 2k − N for k = 0 … N outcomes +1, shape [N + 1]. */
  readonly values: Int32Array;
  /** P(S), shape [N + 1]; sums to 1. */
  readonly pmf: Float64Array;
}

/**
 * Exact law of S for the fixed scheme, as a mixture of two binomials: with probability
 * σ± = e^{±α₀}/(2 cosh α₀) the N outcomes are i.i.d. with P(x = +1) = p± = e^{±ε}/(2 cosh ε), so the
 * number k of +1 outcomes is σ₊ Bin(N, p₊) + σ₋ Bin(N, p₋). Computed in logs (log C(N, k) by recurrence).
 *
 * @throws RangeError for the random scheme (S is not discrete there).
 */
export function sumDistribution(p: ApparatusParams): SumDistribution {
  if (p.scheme !== 'fixed') {
    throw new RangeError(`sumDistribution: scheme must be 'fixed' (got '${p.scheme}')`);
  }
  const n = p.qubits;
  const logSp = p.alpha0 - logTwoCosh(p.alpha0), logSm = -p.alpha0 - logTwoCosh(p.alpha0);
  const logPp = p.epsilon - logTwoCosh(p.epsilon), logPm = -p.epsilon - logTwoCosh(p.epsilon);
  const values = new Int32Array(n + 1);
  const pmf = new Float64Array(n + 1);
  let logChoose = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logChoose += Math.log((n - k + 1) / k);
    values[k] = 2 * k - n;
    const up = logSp + k * logPp + (n - k) * logPm;
    const down = logSm + k * logPm + (n - k) * logPp;
    pmf[k] = Math.exp(logChoose + logAddExp(up, down));
  }
  return { values, pmf };
}
