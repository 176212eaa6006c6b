import type { Rng } from '../random/rng.ts';
import type { LogDensity } from '../targets/target.ts';
import type { Kernel, KernelInfo, KernelState } from './kernel.ts';
import { createPhasePoint, leapfrog } from './leapfrog.ts';
import { kineticEnergy, sampleMomentum } from './metric.ts';
import { checkInRange, checkInteger, checkInverseMass, checkPosition, checkPositive } from './validate.ts';

export interface HmcOptions {
  /** Leapfrog step size ε, finite and > 0. */
  readonly stepSize: number;
  /** Leapfrog steps per transition L, an integer ≥ 1 (trajectory length εL). */
  readonly numSteps: number;
  /** Diagonal of M⁻¹, length dim, entries > 0; default ones (identity mass). */
  readonly inverseMassDiag?: ArrayLike<number>;
  /** Energy error H(z') − H(z) above which a transition counts as divergent; default 1000 (Stan, BlackJAX). */
  readonly divergenceThreshold?: number;
  /**
   * Step-size jitter j ∈ [0, 1), Stan's `stepsize_jitter`: each transition uses ε·(1 + j·(2u − 1)),
   * u ~ U(0, 1), which breaks the resonances a fixed εL can have with periodic directions. Default 0.
   */
  readonly jitter?: number;
}

/** HMC's state: the position with its cached log density and gradient, so a step re-evaluates nothing. */
export interface HmcState extends KernelState {
  /** ∇ log p(position), length dim. */
  readonly gradient: Float64Array;
}

export interface HmcInfo extends KernelInfo {
  /** Hamiltonian H = −log p(q) + ½ pᵀM⁻¹p of the returned state with its momentum (Stan's `energy__`, for E-BFMI). */
  readonly energy: number;
  /** H(proposal) − H(start); NaN or +Infinity when the trajectory left the support. */
  readonly energyError: number;
}

/**
 * Hamiltonian Monte Carlo with a fixed number of leapfrog steps and a diagonal mass matrix
 * (Neal 2011; BlackJAX's `hmc`). Each transition draws p ~ N(0, M), integrates L leapfrog steps
 * and accepts the end point with probability min(1, exp(H(start) − H(end))); on rejection the
 * chain *stays where it was* — the returned state is the input state, so a rejected step repeats
 * the previous draw exactly once (the seed notebook appended the rejected proposal as well,
 * which biases every moment).
 *
 * Random numbers per transition, in order: dim normals (momentum), one uniform if `jitter > 0`,
 * one uniform for the accept test.
 *
 * @param target log density and gradient on ℝ^dim
 * @example
 *   const kernel = hmc(target, { stepSize: 0.05, numSteps: 30 });
 *   let state = kernel.init(new Float64Array([1, 0.5]));
 *   const { state: next, info } = kernel.step(rng, state);   // info.acceptance, info.divergent
 */
export function hmc(target: LogDensity, options: HmcOptions): Kernel<HmcState, HmcInfo> {
  const fn = 'hmc';
  const dim = target.dim;
  checkInteger(fn, 'target.dim', dim, 1);
  checkPositive(fn, 'stepSize', options.stepSize);
  checkInteger(fn, 'numSteps', options.numSteps, 1);
  const inverseMassDiag = checkInverseMass(fn, options.inverseMassDiag, dim);
  const divergenceThreshold = options.divergenceThreshold ?? 1000;
  checkPositive(fn, 'divergenceThreshold', divergenceThreshold);
  const jitter = options.jitter ?? 0;
  checkInRange(fn, 'jitter', jitter, 0, 1);
  const { stepSize, numSteps } = options;

  // One working phase point per kernel: the trajectory runs in it, accepted states copy out of it.
  const z = createPhasePoint(dim);

  return {
    init(position: Float64Array): HmcState {
      checkPosition(`${fn}.init`, position, dim);
      const gradient = new Float64Array(dim);
      const q = Float64Array.from(position);
      const logDensity = target.logDensityAndGrad(q, gradient);
      if (!Number.isFinite(logDensity)) {
        throw new RangeError(`${fn}.init: log density must be finite at the initial position (got ${logDensity} at [${Array.from(position).join(', ')}])`);
      }
      return { position: q, logDensity, gradient };
    },

    step(rng: Rng, state: HmcState): { state: HmcState; info: HmcInfo } {
      z.position.set(state.position);
      z.grad.set(state.gradient);
      z.logDensity = state.logDensity;
      sampleMomentum(rng, inverseMassDiag, z.momentum);
      const energyStart = -state.logDensity + kineticEnergy(z.momentum, inverseMassDiag);
      const eps = jitter > 0 ? stepSize * (1 + jitter * (2 * rng.uniform() - 1)) : stepSize;
      const gradientEvaluations = leapfrog(target, z, eps, numSteps, inverseMassDiag);
      const energyEnd = -z.logDensity + kineticEnergy(z.momentum, inverseMassDiag);
      const energyError = energyEnd - energyStart;
      // A non-finite end energy (left the support, overflow, NaN) is divergent and never accepted;
      // `!(x <= t)` is also true for NaN.
      const finite = Number.isFinite(energyEnd);
      const divergent = !finite || !(energyError <= divergenceThreshold);
      const acceptance = finite ? Math.min(1, Math.exp(-energyError)) : 0;
      const accepted = rng.uniform() < acceptance;
      if (!accepted) {
        return { state, info: { acceptance, accepted, divergent, gradientEvaluations, energy: energyStart, energyError } };
      }
      const next: HmcState = { position: z.position.slice(), logDensity: z.logDensity, gradient: z.grad.slice() };
      return { state: next, info: { acceptance, accepted, divergent, gradientEvaluations, energy: energyEnd, energyError } };
    },
  };
}
