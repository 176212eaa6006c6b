import type { Tensor } from '../backend/tf.ts';

/**
 * An unnormalised log-density on ℝ^d, written twice for two kinds of users:
 *
 * - `logJoint(θ)` in TF.js, differentiable, for variational fits (a flow's ELBO, IWAE): θ [batch, d] → [batch];
 * - `logDensityAndGrad(x, grad)` in plain float64 JavaScript, for MCMC kernels that take one
 *   gradient per leapfrog step, where a TF.js op per step would cost more than the maths.
 *
 * Both must be the same function (tests check it): log p(y, θ) up to nothing — the evidence
 * log p(y) = log ∫ exp(logJoint) dθ, so the ELBO and the KL computed from it are exact.
 */
export interface LogDensity {
  readonly dim: number;
  /** Writes ∇ log p(x) into `grad` (length dim) and returns log p(x). `x` is not modified. */
  logDensityAndGrad(x: Float64Array, grad: Float64Array): number;
}

export interface Target extends LogDensity {
  /** @param theta [batch, dim] @returns log p(y, θ), shape [batch] */
  logJoint(theta: Tensor): Tensor;
}
