import type { ApparatusParams } from './apparatus.ts';
import { logMixture, qubitBranchFactors } from './branchFactors.ts';
import { checkLength, outcomeError, UNIT_NORM_TOLERANCE } from './checkRecords.ts';

/**
 * log p[x] of given records computed along the hidden-Markov chain: Σᵢ log p(xᵢ | αᵢ₋₁) with
 * αᵢ = αᵢ₋₁ + artanh(xᵢ₃ tanh εᵢ) — the factorisation the sampler uses, evaluated on arbitrary data.
 * Agrees with the closed form (`jointLogProb`) to round-off for every record, which is the
 * statement that the backaction is consistent with the joint.
 *
 * @param x records, shape [batch, N, d]
 * @returns shape [batch]
 */
export function chainLogProb(p: ApparatusParams, x: ArrayLike<number>, batch: number): Float64Array {
  const fn = 'sequentialLogProb';
  checkLength(fn, p, x, batch);
  const { q, logNorm } = qubitBranchFactors(p);
  const n = p.qubits, d = p.dim, eps = p.epsilons;
  const out = new Float64Array(batch);
  for (let b = 0, k = 0; b < batch; b++) {
    let a = p.alpha0;
    let lq = 0;
    for (let i = 0; i < n; i++, k += d) {
      if (d === 1) {
        const v = x[k];
        if (v !== 1 && v !== -1) throw outcomeError(fn, p, x, k);
        lq += (v > 0 ? logMixture(a, 2, 2 * q[i]) : logMixture(a, 2 * q[i], 2)) - logNorm[i];
        a += eps[i] * v;
      } else {
        const x1 = x[k], x2 = x[k + 1], x3 = x[k + 2];
        if (!(x3 >= -1 && x3 <= 1 && Math.abs(x1 * x1 + x2 * x2 + x3 * x3 - 1) <= UNIT_NORM_TOLERANCE)) {
          throw outcomeError(fn, p, x, k);
        }
        const qi = q[i];
        const wp = 1 + x3 + qi * (1 - x3);
        const wm = 1 - x3 + qi * (1 + x3);
        lq += logMixture(a, wp, wm) - logNorm[i];
        a += 0.5 * Math.log(wp / wm);
      }
    }
    out[b] = lq;
  }
  return out;
}
