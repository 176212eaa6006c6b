import type { Rng } from '../random/rng.ts';

/**
 * The contract every MCMC kernel keeps (BlackJAX's shape): a pair of pure functions.
 *
 * `init(position)` builds the kernel's state at a point; `step(rng, state)` makes one transition
 * and returns the new state with an `info` record (acceptance, divergence, energy, gradient
 * evaluations…) so that diagnostics need no hidden state. Kernels never mutate a state they were
 * given, and draw all randomness from the `rng` argument: the same seed gives the same chain.
 * HMC, NUTS, MALA, ULA and SGLD share this shape, so swapping one for another is one line.
 */
export interface Kernel<S extends KernelState = KernelState, I extends KernelInfo = KernelInfo> {
  init(position: Float64Array): S;
  step(rng: Rng, state: S): { state: S; info: I };
}

export interface KernelState {
  /** The chain's current point, length dim. */
  readonly position: Float64Array;
  /** log p at `position`. */
  readonly logDensity: number;
}

export interface KernelInfo {
  /** Metropolis acceptance probability of this transition (1 for unadjusted kernels). */
  readonly acceptance: number;
  /** Whether the proposal was accepted (the state moved). */
  readonly accepted: boolean;
  /** Whether the integrator diverged (energy error beyond the kernel's threshold). */
  readonly divergent: boolean;
  /** Gradient evaluations spent by this transition. */
  readonly gradientEvaluations: number;
}
