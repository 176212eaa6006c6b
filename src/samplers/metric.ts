import type { Rng } from '../random/rng.ts';

/**
 * The diagonal Euclidean metric shared by HMC, NUTS and the step-size heuristic: mass matrix
 * M = diag(1 / inverseMassDiag), kinetic energy K(p) = ½ pᵀ M⁻¹ p, momentum p ~ N(0, M).
 *
 * Written in terms of the *inverse* mass because that is what adaptation estimates (the
 * posterior variances) and what the integrator multiplies by; M itself is never formed.
 * All arrays have length dim; nothing here allocates.
 *
 * @example
 *   sampleMomentum(rng, invMass, p);      // p ~ N(0, M), in place
 *   const k = kineticEnergy(p, invMass);  // ½ Σ p_i² / m_i
 */

/** Writes a draw p ~ N(0, M) into `out`: p_i = ξ_i / √(inverseMassDiag_i). Draws dim normals from `rng`. */
export function sampleMomentum(rng: Rng, inverseMassDiag: Float64Array, out: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = rng.normal() / Math.sqrt(inverseMassDiag[i]);
}

/** K(p) = ½ Σ_i inverseMassDiag_i p_i². */
export function kineticEnergy(momentum: Float64Array, inverseMassDiag: Float64Array): number {
  let k = 0;
  for (let i = 0; i < momentum.length; i++) k += inverseMassDiag[i] * momentum[i] * momentum[i];
  return 0.5 * k;
}

/** Writes the velocity dq/dt = ∂K/∂p = M⁻¹ p (Betancourt's p♯) into `out`. */
export function velocity(momentum: Float64Array, inverseMassDiag: Float64Array, out: Float64Array): void {
  for (let i = 0; i < momentum.length; i++) out[i] = inverseMassDiag[i] * momentum[i];
}
