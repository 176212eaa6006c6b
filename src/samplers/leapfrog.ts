import type { LogDensity } from '../targets/target.ts';

/**
 * A point in phase space with its cached log density and gradient. Mutable on purpose: the
 * integrator updates it in place so that a trajectory of thousands of steps allocates nothing.
 * Kernels own their phase points and copy out of them into fresh, immutable states.
 */
export interface PhasePoint {
  /** q, length dim. */
  readonly position: Float64Array;
  /** p, length dim. */
  readonly momentum: Float64Array;
  /** ∇ log p(q), length dim. */
  readonly grad: Float64Array;
  /** log p(q). */
  logDensity: number;
}

/** A phase point of dimension `dim`, all zeros (logDensity NaN until filled). */
export function createPhasePoint(dim: number): PhasePoint {
  return { position: new Float64Array(dim), momentum: new Float64Array(dim), grad: new Float64Array(dim), logDensity: Number.NaN };
}

/** Copies every field of `from` into `to` (same dim). */
export function copyPhasePoint(from: PhasePoint, to: PhasePoint): void {
  // A plain loop: for the small dims of MCMC targets it beats three TypedArray#set calls.
  const fq = from.position, fp = from.momentum, fg = from.grad;
  const tq = to.position, tp = to.momentum, tg = to.grad;
  for (let i = 0; i < fq.length; i++) {
    tq[i] = fq[i];
    tp[i] = fp[i];
    tg[i] = fg[i];
  }
  to.logDensity = from.logDensity;
}

/**
 * Velocity Verlet (leapfrog) for H(q, p) = −log p(q) + ½ pᵀ M⁻¹ p, `numSteps` steps of size
 * `stepSize` (negative integrates backwards in time), in place on `z`:
 *
 *   p ← p + ε/2 ∇log p(q);   q ← q + ε M⁻¹ p;   p ← p + ε/2 ∇log p(q)
 *
 * `z.grad` must hold ∇log p(z.position) on entry (it is reused as the first half kick, so each
 * step costs exactly one gradient evaluation) and holds it again on exit, with `z.logDensity`.
 * The map is symplectic and time-reversible: flipping p and integrating again returns to the
 * start up to rounding, which is what makes the Metropolis correction of HMC exact.
 *
 * Stops early, after the step that produced it, when log p becomes non-finite: the trajectory
 * has diverged and further steps would only propagate NaN.
 *
 * @param z phase point, all arrays length dim, updated in place
 * @param inverseMassDiag diagonal of M⁻¹, length dim
 * @returns gradient evaluations performed (numSteps unless it stopped early)
 *
 * @example
 *   const z = createPhasePoint(2); z.position.set([0, 1]);
 *   z.logDensity = target.logDensityAndGrad(z.position, z.grad);
 *   z.momentum.set([1, 0]);
 *   leapfrog(target, z, 0.1, 10, new Float64Array([1, 1]));
 */
export function leapfrog(
  target: LogDensity,
  z: PhasePoint,
  stepSize: number,
  numSteps: number,
  inverseMassDiag: Float64Array,
): number {
  const { position: q, momentum: p, grad: g } = z;
  const dim = q.length;
  const half = 0.5 * stepSize;
  for (let step = 0; step < numSteps; step++) {
    for (let i = 0; i < dim; i++) {
      p[i] += half * g[i];
      q[i] += stepSize * inverseMassDiag[i] * p[i];
    }
    const logDensity = target.logDensityAndGrad(q, g);
    z.logDensity = logDensity;
    for (let i = 0; i < dim; i++) p[i] += half * g[i];
    // -Infinity, +Infinity and NaN all end the trajectory; `logDensity - logDensity` is NaN for each.
    if (!(logDensity - logDensity === 0)) return step + 1;
  }
  return numSteps;
}
