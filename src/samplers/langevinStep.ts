import type { Rng } from '../random/rng.ts';

/**
 * The overdamped Langevin step shared by ULA, MALA and SGLD, with a diagonal preconditioner
 * M⁻¹ = diag(inverseMassDiag):
 *
 *   x' = x + ε M⁻¹ g + √(2ε) M^{−1/2} ξ,   ξ ~ N(0, I),
 *
 * i.e. the Euler–Maruyama discretisation of dX = M⁻¹∇log p(X) dt + √2 M^{−1/2} dW over time ε.
 * The proposal is q(x' | x) = N(x'; x + ε M⁻¹ g(x), 2ε M⁻¹). (Welling & Teh write the same step
 * as Δθ = (ε_WT/2) ∇ + N(0, ε_WT): their ε_WT is our 2ε.) All arrays have length dim; nothing here
 * allocates.
 */

/** Writes x + ε M⁻¹ g + √(2ε) M^{−1/2} ξ into `out` (may not alias `x`). Draws dim normals from `rng`. */
export function langevinStep(
  rng: Rng, x: Float64Array, grad: Float64Array, stepSize: number, inverseMassDiag: Float64Array, out: Float64Array,
): void {
  const noise = Math.sqrt(2 * stepSize);
  for (let i = 0; i < x.length; i++) {
    const m = inverseMassDiag[i];
    out[i] = x[i] + stepSize * m * grad[i] + noise * Math.sqrt(m) * rng.normal();
  }
}

/**
 * log q(to | from) up to the constant −(dim/2) log(4πε) − ½ Σ log m_i, which is the same for the
 * forward and the reverse move and so cancels in the Metropolis–Hastings ratio:
 *
 *   log q(to | from) = −Σ_i (to_i − from_i − ε m_i g_i(from))² / (4 ε m_i).
 *
 * @param gradFrom ∇ log p(from), length dim
 */
export function langevinLogProposal(
  to: Float64Array, from: Float64Array, gradFrom: Float64Array, stepSize: number, inverseMassDiag: Float64Array,
): number {
  let s = 0;
  for (let i = 0; i < to.length; i++) {
    const m = inverseMassDiag[i];
    const d = to[i] - from[i] - stepSize * m * gradFrom[i];
    s += (d * d) / m;
  }
  return -s / (4 * stepSize);
}
