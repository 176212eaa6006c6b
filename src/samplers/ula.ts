import type { Rng } from '../random/rng.ts';
import type { LogDensity } from '../targets/target.ts';
import type { Kernel, KernelInfo, KernelState } from './kernel.ts';
import { langevinStep } from './langevinStep.ts';
import { checkInteger, checkInverseMass, checkPosition, checkPositive } from './validate.ts';

export interface UlaOptions {
  /** Langevin step size ε, finite and > 0 (the time step of the discretised diffusion). */
  readonly stepSize: number;
  /** Diagonal of the preconditioner M⁻¹, length dim, entries > 0; default ones. */
  readonly inverseMassDiag?: ArrayLike<number>;
}

/** ULA's and MALA's state: the position with its cached log density and gradient. */
export interface LangevinState extends KernelState {
  /** ∇ log p(position), length dim. */
  readonly gradient: Float64Array;
}

/**
 * The unadjusted Langevin algorithm (Roberts & Tweedie 1996; BlackJAX's `ula`):
 *
 *   x' = x + ε M⁻¹ ∇log p(x) + √(2ε) M^{−1/2} ξ,   ξ ~ N(0, I),
 *
 * always accepted. It is *biased*: its stationary law is not p but an O(ε) perturbation of it —
 * for N(0, σ²) with M = 1 the chain is AR(1) with stationary variance σ² / (1 − ε/(2σ²)) — and
 * it is unstable for ε ≥ 2σ²_min. Use `mala` for exact sampling at the same cost per step.
 *
 * `info.acceptance` is 1 and `info.accepted` true; `info.divergent` is true when the new point's
 * log density or gradient is not finite (the chain has blown up; the state is returned anyway,
 * as an unadjusted kernel has no rejection to fall back on).
 *
 * Random numbers per transition: dim normals.
 *
 * @param target log density and gradient on ℝ^dim
 * @example
 *   const kernel = ula(target, { stepSize: 0.01 });
 *   const { state, info } = kernel.step(rng, kernel.init(new Float64Array([0, 0])));
 */
export function ula(target: LogDensity, options: UlaOptions): Kernel<LangevinState, KernelInfo> {
  const fn = 'ula';
  const dim = target.dim;
  checkInteger(fn, 'target.dim', dim, 1);
  checkPositive(fn, 'stepSize', options.stepSize);
  const inverseMassDiag = checkInverseMass(fn, options.inverseMassDiag, dim);
  const { stepSize } = options;

  return {
    init: (position) => initLangevin(fn, target, position),

    step(rng: Rng, state: LangevinState): { state: LangevinState; info: KernelInfo } {
      const position = new Float64Array(dim);
      const gradient = new Float64Array(dim);
      langevinStep(rng, state.position, state.gradient, stepSize, inverseMassDiag, position);
      const logDensity = target.logDensityAndGrad(position, gradient);
      const divergent = !Number.isFinite(logDensity) || !allFinite(gradient);
      return { state: { position, logDensity, gradient }, info: { acceptance: 1, accepted: true, divergent, gradientEvaluations: 1 } };
    },
  };
}

/** The Langevin kernels' `init`: copies the position and caches log p and ∇log p, which must be finite. */
export function initLangevin(fn: string, target: LogDensity, position: Float64Array): LangevinState {
  checkPosition(`${fn}.init`, position, target.dim);
  const gradient = new Float64Array(target.dim);
  const q = Float64Array.from(position);
  const logDensity = target.logDensityAndGrad(q, gradient);
  if (!Number.isFinite(logDensity) || !allFinite(gradient)) {
    throw new RangeError(`${fn}.init: log density and gradient must be finite at the initial position (got ${logDensity} at [${Array.from(position).join(', ')}])`);
  }
  return { position: q, logDensity, gradient };
}

/** Whether every entry of `x` is finite. */
export function allFinite(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}
