import type { Rng } from '../random/rng.ts';
import type { ApparatusParams } from './apparatus.ts';
import { logMixture, qubitBranchFactors } from './branchFactors.ts';
import { dipolarCosine } from './dipolarCosine.ts';

const TWO_PI = 2 * Math.PI;

/**
 * The autoregressive sampler: for each record, α ← α₀, then for i = 1 … N
 *   xᵢ ~ Dipolar_d(m = tanh α · tanh εᵢ),   α ← α + bᵢ(xᵢ),   bᵢ(x) = artanh(x₃ tanh εᵢ)  (= εᵢ x when fixed),
 * α being half the posterior log-odds of the branches |0…⟩ : |1…⟩ (see `Apparatus` for the derivation).
 *
 * A scalar loop over records then qubits: α lives in a register, nothing is allocated per qubit,
 * outputs are written in place. Draw order, per qubit: fixed — one uniform u, x = +1 iff u < (1 + m)/2;
 * random — u for x₃ by inverse CDF of (1 + m x₃)/2,
 *   x₃ = (m − 2 + 4u) / (1 + √((m − 1)² + 4 m u)),
 * (the root of m x₃²/2 + x₃ + 1 − m/2 − 2u = 0, rationalised: no 0/0 at m = 0, where it is 2u − 1; at
 * m = ±1 it reduces to 2√u − 1 and 1 − 2√(1 − u); the denominator is ≥ 1), then u′ for the azimuth
 * φ = 2π u′, x₁ + i x₂ = e^{iφ} √(1 − x₃²).
 * x₃ is rounded to float32 before it updates α, so α is the posterior given the stored record.
 * The per-qubit constants of a uniform apparatus all equal the scalar ones, so its draws and
 * log-probabilities are those of the scalar sampler bit for bit.
 *
 * @param out filled with outcomes, shape [batch, N, d]
 * @param logProb if given, filled with Σᵢ log p(xᵢ | α_{i−1}), shape [batch]
 */
export function sampleChain(
  p: ApparatusParams,
  batch: number,
  rng: Rng,
  out: Float32Array,
  logProb: Float64Array | null,
): void {
  const { q, t, logNorm } = qubitBranchFactors(p);
  const n = p.qubits, eps = p.epsilons, a0 = p.alpha0;
  if (p.dim === 1) {
    for (let b = 0, k = 0; b < batch; b++) {
      let a = a0;
      let lq = 0;
      for (let i = 0; i < n; i++, k++) {
        const m = Math.tanh(a) * t[i];
        const v = rng.uniform() < 0.5 * (1 + m) ? 1 : -1;
        out[k] = v;
        if (logProb !== null) lq += logMixture(a, v > 0 ? 2 : 2 * q[i], v > 0 ? 2 * q[i] : 2) - logNorm[i];
        a += eps[i] * v;
      }
      if (logProb !== null) logProb[b] = lq;
    }
    return;
  }
  for (let b = 0, k = 0; b < batch; b++) {
    let a = a0;
    let lq = 0;
    for (let i = 0; i < n; i++, k += 3) {
      const m = Math.tanh(a) * t[i];
      const u = rng.uniform();
      let x3 = dipolarCosine(m, u);
      x3 = Math.fround(x3 > 1 ? 1 : x3 < -1 ? -1 : x3);
      const phi = TWO_PI * rng.uniform();
      const rho = Math.sqrt(Math.max(0, 1 - x3 * x3));
      out[k] = rho * Math.cos(phi);
      out[k + 1] = rho * Math.sin(phi);
      out[k + 2] = x3;
      const qi = q[i];
      const wp = 1 + x3 + qi * (1 - x3);
      const wm = 1 - x3 + qi * (1 + x3);
      if (logProb !== null) lq += logMixture(a, wp, wm) - logNorm[i];
      a += 0.5 * Math.log(wp / wm);
    }
    if (logProb !== null) logProb[b] = lq;
  }
}
