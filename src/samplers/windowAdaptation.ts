import type { Rng } from '../random/rng.ts';
import type { LogDensity } from '../targets/target.ts';
import { dualAveraging, type DualAveragingOptions, type DualAveragingState } from './dualAveraging.ts';
import { findReasonableStepSize } from './findReasonableStepSize.ts';
import type { KernelInfo, KernelState } from './kernel.ts';
import type { KernelFactory, KernelParams } from './kernelParams.ts';
import { checkInverseMass, checkPositive } from './validate.ts';
import { welfordAdd, welfordInit, welfordVariance, type WelfordState } from './welford.ts';
import { windowSchedule, type WindowSchedule, type WindowScheduleOptions } from './windowSchedule.ts';

export interface WindowAdaptationOptions extends DualAveragingOptions, WindowScheduleOptions {
  /** Warm-up iterations n (an integer ≥ 0); the schedule of slow windows is laid out for it. */
  readonly numWarmup: number;
  /** Adapt the diagonal inverse mass matrix in the slow windows; default true (false: step size only). */
  readonly adaptMass?: boolean;
  /**
   * The kernel's target. When given, the step size is re-initialised by `findReasonableStepSize`
   * at the start and after every mass update, as Stan does; without it adaptation starts from
   * `params.stepSize` and restarts dual averaging from the current step size.
   */
  readonly target?: LogDensity;
}

/** Adaptation's state: the kernel state plus everything adaptation has learned so far. Immutable. */
export interface WindowAdaptationState<S extends KernelState = KernelState> {
  /** The chain's kernel state. */
  readonly state: S;
  /** Parameters for the next transition: the dual-averaging iterate ε_t and the current mass. */
  readonly params: KernelParams;
  /** Warm-up iterations done. */
  readonly iteration: number;
  readonly dualAveraging: DualAveragingState;
  /** Variance estimate of the current slow window. */
  readonly welford: WelfordState;
}

export interface WindowAdaptation<S extends KernelState, I extends KernelInfo> {
  readonly schedule: WindowSchedule;
  /** Initial state at `position`; draws from `rng` only for the step-size heuristic. */
  init(rng: Rng, position: Float64Array, params: KernelParams): WindowAdaptationState<S>;
  /** One warm-up transition with the current parameters, then one adaptation update. */
  step(rng: Rng, state: WindowAdaptationState<S>): { state: WindowAdaptationState<S>; info: I };
  /** The adapted parameters — step size exp(log ε̄), the last mass — and the chain's state. */
  final(state: WindowAdaptationState<S>): { state: S; params: KernelParams };
  /** init, numWarmup steps, final. */
  run(rng: Rng, position: Float64Array, params: KernelParams): { state: S; params: KernelParams; infos: I[] };
}

/**
 * Stan's windowed adaptation (BlackJAX's `window_adaptation`) around any kernel factory, so HMC,
 * NUTS or MALA share it: every warm-up iteration updates the step size by dual averaging towards
 * `targetAcceptance` (default 0.8) using the kernel's `info.acceptance`; in each slow window (see
 * `windowSchedule`) the positions feed a Welford variance, and at the window's end the inverse
 * mass diagonal becomes Stan's regularised estimate
 *
 *   M⁻¹ = (n / (n + 5)) · var + 1e-3 · 5 / (n + 5)
 *
 * (shrinking towards 1e-3 so that a short window cannot produce a degenerate metric), the step
 * size is re-initialised and dual averaging restarts with μ = log(10 ε). At the end the averaged
 * step size ε̄ of the final fast buffer is kept.
 *
 * The kernel is rebuilt from the parameters for every warm-up transition — they change every
 * iteration — so `makeKernel` should be cheap (the kernels here preallocate a few arrays).
 *
 * @example
 *   const warmup = windowAdaptation((p) => nuts(target, p), { numWarmup: 1000, target });
 *   const { state, params } = warmup.run(rng, x0, { stepSize: 1, inverseMassDiag: ones });
 *   const kernel = nuts(target, params);   // then sample with it
 */
export function windowAdaptation<S extends KernelState, I extends KernelInfo>(
  makeKernel: KernelFactory<S, I>,
  options: WindowAdaptationOptions,
): WindowAdaptation<S, I> {
  const fn = 'windowAdaptation';
  const schedule = windowSchedule(options.numWarmup, options);
  const da = dualAveraging(options);
  const adaptMass = options.adaptMass ?? true;
  const target = options.target;
  // closes[i]: iteration i ends a slow window; inWindow[i]: its position feeds the estimate.
  const closes = new Uint8Array(schedule.numWarmup);
  const inWindow = new Uint8Array(schedule.numWarmup);
  if (adaptMass) {
    for (const w of schedule.windows) {
      inWindow.fill(1, w.start, w.end);
      closes[w.end - 1] = 1;
    }
  }

  const initialStepSize = (rng: Rng, position: Float64Array, params: KernelParams): number =>
    target ? findReasonableStepSize(target, rng, position, params) : params.stepSize;

  const adaptation: WindowAdaptation<S, I> = {
    schedule,

    init(rng, position, params) {
      checkPositive(`${fn}.init`, 'params.stepSize', params.stepSize);
      const inverseMassDiag = checkInverseMass(`${fn}.init`, params.inverseMassDiag, position.length);
      const state = makeKernel({ stepSize: params.stepSize, inverseMassDiag }).init(position);
      const stepSize = initialStepSize(rng, state.position, { stepSize: params.stepSize, inverseMassDiag });
      return {
        state,
        params: { stepSize, inverseMassDiag },
        iteration: 0,
        dualAveraging: da.init(stepSize),
        welford: welfordInit(position.length),
      };
    },

    step(rng, current) {
      const { state, info } = makeKernel(current.params).step(rng, current.state);
      const i = current.iteration;
      let dualState = da.update(current.dualAveraging, info.acceptance);
      let stepSize = Math.exp(dualState.logStepSize);
      let { inverseMassDiag } = current.params;
      let welford = current.welford;
      if (i < schedule.numWarmup && inWindow[i]) welford = welfordAdd(welford, state.position);
      if (i < schedule.numWarmup && closes[i]) {
        if (welford.count > 1) {
          const variance = welfordVariance(welford);
          const n = welford.count;
          for (let j = 0; j < variance.length; j++) variance[j] = (n / (n + 5)) * variance[j] + 1e-3 * (5 / (n + 5));
          inverseMassDiag = variance;
        }
        welford = welfordInit(inverseMassDiag.length);
        stepSize = initialStepSize(rng, state.position, { stepSize, inverseMassDiag });
        dualState = da.init(stepSize);
      }
      return {
        state: { state, params: { stepSize, inverseMassDiag }, iteration: i + 1, dualAveraging: dualState, welford },
        info,
      };
    },

    final(current) {
      return { state: current.state, params: { stepSize: da.final(current.dualAveraging), inverseMassDiag: current.params.inverseMassDiag } };
    },

    run(rng, position, params) {
      let current = adaptation.init(rng, position, params);
      const infos: I[] = [];
      for (let i = 0; i < schedule.numWarmup; i++) {
        const out = adaptation.step(rng, current);
        current = out.state;
        infos.push(out.info);
      }
      return { ...adaptation.final(current), infos };
    },
  };
  return adaptation;
}
