import { checkInRange, checkPositive } from './validate.ts';

export interface DualAveragingOptions {
  /** Target mean acceptance statistic δ ∈ (0, 1); default 0.8 (Stan's `adapt_delta`). */
  readonly targetAcceptance?: number;
  /** Regularisation scale γ; default 0.05. */
  readonly gamma?: number;
  /** Iteration offset t₀ that damps the first updates; default 10. */
  readonly t0?: number;
  /** Decay exponent κ ∈ (0.5, 1] of the averaging weights; default 0.75. */
  readonly kappa?: number;
}

/** Dual averaging's state: an immutable record, one per iteration. */
export interface DualAveragingState {
  /** Updates since the last (re)start, t. */
  readonly iteration: number;
  /** log ε_t, the step size to use next. */
  readonly logStepSize: number;
  /** log ε̄_t, the weighted average of the iterates: the step size to keep when adaptation ends. */
  readonly logStepSizeAvg: number;
  /** H̄_t, the running average of δ − acceptance. */
  readonly gradientAvg: number;
  /** μ, the point the iterates shrink towards: log(10 ε₀). */
  readonly mu: number;
}

export interface DualAveraging {
  /** Starts (or restarts) at step size ε₀ with μ = log(10 ε₀). */
  init(stepSize: number): DualAveragingState;
  /** One update with the acceptance statistic of the transition just made (clamped to [0, 1]; NaN counts as 0). */
  update(state: DualAveragingState, acceptance: number): DualAveragingState;
  /** exp(log ε̄): the adapted step size (the current ε if no update has been made since the restart). */
  final(state: DualAveragingState): number;
}

/**
 * Nesterov's dual averaging of the log step size (Hoffman & Gelman 2014, §3.2, Algorithm 6), with
 * Stan's constants. After t updates with acceptance statistics α_i:
 *
 *   H̄_t = (1 − 1/(t + t₀)) H̄_{t−1} + (δ − α_t)/(t + t₀)
 *   log ε_t = μ − √t/γ · H̄_t
 *   log ε̄_t = t^−κ log ε_t + (1 − t^−κ) log ε̄_{t−1}
 *
 * The iterates ε_t explore (they are used while adapting); the average ε̄_t converges and is kept.
 * Pure functions of an immutable state, like BlackJAX's `dual_averaging_adaptation`.
 *
 * @example
 *   const da = dualAveraging({ targetAcceptance: 0.8 });
 *   let s = da.init(0.1);
 *   s = da.update(s, info.acceptance);   // use exp(s.logStepSize) for the next step
 *   const stepSize = da.final(s);
 */
export function dualAveraging(options: DualAveragingOptions = {}): DualAveraging {
  const fn = 'dualAveraging';
  const delta = options.targetAcceptance ?? 0.8;
  const gamma = options.gamma ?? 0.05;
  const t0 = options.t0 ?? 10;
  const kappa = options.kappa ?? 0.75;
  checkInRange(fn, 'targetAcceptance', delta, Number.MIN_VALUE, 1);
  checkPositive(fn, 'gamma', gamma);
  checkInRange(fn, 't0', t0, 0, Infinity);
  checkInRange(fn, 'kappa', kappa, 0.5 + Number.EPSILON, 1, true);

  return {
    init(stepSize: number): DualAveragingState {
      checkPositive(`${fn}.init`, 'stepSize', stepSize);
      const logStepSize = Math.log(stepSize);
      return { iteration: 0, logStepSize, logStepSizeAvg: 0, gradientAvg: 0, mu: Math.log(10) + logStepSize };
    },
    update(state: DualAveragingState, acceptance: number): DualAveragingState {
      const alpha = acceptance >= 1 ? 1 : acceptance > 0 ? acceptance : 0;
      const t = state.iteration + 1;
      const eta = 1 / (t + t0);
      const gradientAvg = (1 - eta) * state.gradientAvg + eta * (delta - alpha);
      const logStepSize = state.mu - (Math.sqrt(t) / gamma) * gradientAvg;
      const weight = Math.pow(t, -kappa);
      const logStepSizeAvg = weight * logStepSize + (1 - weight) * state.logStepSizeAvg;
      return { iteration: t, logStepSize, logStepSizeAvg, gradientAvg, mu: state.mu };
    },
    final(state: DualAveragingState): number {
      // Stan returns exp(x̄) = exp(0) = 1 when no update followed a restart (stan-dev/stan#3023); keep ε instead.
      return Math.exp(state.iteration > 0 ? state.logStepSizeAvg : state.logStepSize);
    },
  };
}
