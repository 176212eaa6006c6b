import type { Rng } from '../random/rng.ts';
import type { Kernel, KernelInfo, KernelState } from './kernel.ts';
import { langevinStep } from './langevinStep.ts';
import { allFinite } from './ula.ts';
import { checkInRange, checkInteger, checkInverseMass, checkPosition, checkPositive } from './validate.ts';

/** Writes an unbiased estimate of ∇ log p(x) into `grad` (length dim), drawing any minibatch from `rng`. */
export type GradientEstimate = (x: Float64Array, grad: Float64Array, rng: Rng) => void;

export interface SgldOptions {
  /** Step size ε_t at iteration t = 0, 1, …: a number (constant) or a schedule, e.g. `polynomialDecay`. Values must be finite and > 0. */
  readonly stepSize: number | ((t: number) => number);
  /** Dimension of the position, an integer ≥ 1. */
  readonly dim: number;
  /** Diagonal preconditioner M⁻¹, length dim, entries > 0; default ones. */
  readonly inverseMassDiag?: ArrayLike<number>;
}

/** SGLD's state: the position and the iteration count t that indexes the step-size schedule. */
export interface SgldState extends KernelState {
  /** Transitions made so far; the next step uses ε_t. */
  readonly iteration: number;
  /** NaN: SGLD never evaluates log p (it sees gradient estimates only). */
  readonly logDensity: number;
}

export interface SgldInfo extends KernelInfo {
  /** ε_t used by this transition: SGLD draws are weighted by it when averaging (Welling & Teh 2011, eq. 11). */
  readonly stepSize: number;
}

/**
 * Welling & Teh's schedule ε_t = a (b + t)^{−γ}, γ ∈ (0.5, 1]: Σε_t = ∞ and Σε_t² < ∞, so the
 * discretisation bias and the minibatch noise both vanish as t → ∞ (Robbins–Monro conditions).
 *
 * @example
 *   polynomialDecay({ a: 0.05, b: 100, gamma: 0.55 })(0);   // 0.05 · 100^{-0.55}
 */
export function polynomialDecay(options: { a: number; b: number; gamma: number }): (t: number) => number {
  const fn = 'polynomialDecay';
  checkPositive(fn, 'a', options.a);
  checkPositive(fn, 'b', options.b);
  if (!(options.gamma > 0.5 && options.gamma <= 1)) throw new RangeError(`${fn}: gamma must lie in (0.5, 1] (got ${options.gamma})`);
  const { a, b, gamma } = options;
  return (t) => a * Math.pow(b + t, -gamma);
}

/**
 * Stochastic-gradient Langevin dynamics (Welling & Teh 2011): the ULA step with a noisy, unbiased
 * gradient estimate and a step size that decreases with the iteration count,
 *
 *   x_{t+1} = x_t + ε_t M⁻¹ ĝ(x_t) + √(2ε_t) M^{−1/2} ξ_t
 *
 * (their ε_WT = 2ε_t). No accept step: for fixed ε the stationary law is biased by O(ε) and by the
 * minibatch noise; it becomes exact only as ε_t → 0, so report ε_t-weighted averages.
 * `info.acceptance` is 1; `info.divergent` when the new position is not finite.
 *
 * Random numbers per transition, in order: whatever `gradientEstimate` draws, then dim normals.
 *
 * @example
 *   const kernel = sgld(bananaMinibatchGradient(y, { batchSize: 10 }), { dim: 2, stepSize: polynomialDecay({ a: 0.05, b: 1000, gamma: 0.55 }) });
 */
export function sgld(gradientEstimate: GradientEstimate, options: SgldOptions): Kernel<SgldState, SgldInfo> {
  const fn = 'sgld';
  if (typeof gradientEstimate !== 'function') throw new TypeError(`${fn}: gradientEstimate must be a function (x, grad, rng) => void`);
  const { dim } = options;
  checkInteger(fn, 'dim', dim, 1);
  const inverseMassDiag = checkInverseMass(fn, options.inverseMassDiag, dim);
  const schedule = options.stepSize;
  if (typeof schedule === 'number') checkPositive(fn, 'stepSize', schedule);
  else if (typeof schedule !== 'function') throw new TypeError(`${fn}: stepSize must be a number or a function (t) => number`);
  const grad = new Float64Array(dim);

  return {
    init(position: Float64Array): SgldState {
      checkPosition(`${fn}.init`, position, dim);
      return { position: Float64Array.from(position), logDensity: Number.NaN, iteration: 0 };
    },
    step(rng: Rng, state: SgldState): { state: SgldState; info: SgldInfo } {
      const t = state.iteration;
      const stepSize = typeof schedule === 'number' ? schedule : schedule(t);
      checkPositive(fn, `stepSize(${t})`, stepSize);
      gradientEstimate(state.position, grad, rng);
      const position = new Float64Array(dim);
      langevinStep(rng, state.position, grad, stepSize, inverseMassDiag, position);
      const divergent = !allFinite(position);
      return {
        state: { position, logDensity: Number.NaN, iteration: t + 1 },
        info: { acceptance: 1, accepted: true, divergent, gradientEvaluations: 1, stepSize },
      };
    },
  };
}

/** A posterior written datum by datum: log p(θ | y) = log p(θ) + Σ_i log p(y_i | θ) + const. */
export interface PerDatumModel {
  readonly dim: number;
  /** Number of data points N, integer ≥ 1. */
  readonly count: number;
  /** Adds ∇ log p(θ) into `grad`. */
  addPriorGradient(theta: Float64Array, grad: Float64Array): void;
  /** Adds `weight` · ∇ log p(y_i | θ) into `grad`. */
  addDatumGradient(theta: Float64Array, i: number, weight: number, grad: Float64Array): void;
}

/**
 * The minibatch gradient estimate ∇log p(θ) + (N/n) Σ_{i∈B} ∇log p(y_i | θ), B a uniform draw of
 * n distinct indices (partial Fisher–Yates from `rng`, n uniforms): unbiased for ∇ log p(θ | y).
 * Allocation-free per call.
 */
export function minibatchGradient(model: PerDatumModel, options: { batchSize: number }): GradientEstimate {
  const fn = 'minibatchGradient';
  checkInteger(fn, 'model.count', model.count, 1);
  checkInteger(fn, 'batchSize', options.batchSize, 1);
  checkInRange(fn, 'batchSize', options.batchSize, 1, model.count, true);
  const N = model.count, n = options.batchSize;
  const index = Int32Array.from({ length: N }, (_, i) => i);
  const weight = N / n;
  return (theta, grad, rng) => {
    grad.fill(0);
    model.addPriorGradient(theta, grad);
    for (let k = 0; k < n; k++) {
      const j = k + Math.floor(rng.uniform() * (N - k));
      const tmp = index[k]; index[k] = index[j]; index[j] = tmp;
      model.addDatumGradient(theta, index[k], weight, grad);
    }
  };
}

/**
 * The banana posterior (θ ~ N(0, s²I₂), y_i | θ ~ N(θ₁ + θ₂², σ²)) datum by datum, for SGLD:
 * ∇ log p(y_i | θ) = r_i (1, 2θ₂) with r_i = (y_i − θ₁ − θ₂²)/σ².
 *
 * @param y observations, length N (copied)
 */
export function bananaMinibatchGradient(
  y: ArrayLike<number>, options: { batchSize: number; sigmaY?: number; priorScale?: number },
): GradientEstimate {
  const { sigmaY = 2, priorScale = 1 } = options;
  checkPositive('bananaMinibatchGradient', 'sigmaY', sigmaY);
  checkPositive('bananaMinibatchGradient', 'priorScale', priorScale);
  const data = Float64Array.from(y);
  const priorPrecision = 1 / (priorScale * priorScale), noisePrecision = 1 / (sigmaY * sigmaY);
  return minibatchGradient({
    dim: 2,
    count: data.length,
    addPriorGradient(theta, grad) {
      grad[0] -= priorPrecision * theta[0];
      grad[1] -= priorPrecision * theta[1];
    },
    addDatumGradient(theta, i, weight, grad) {
      const r = weight * noisePrecision * (data[i] - theta[0] - theta[1] * theta[1]);
      grad[0] += r;
      grad[1] += 2 * theta[1] * r;
    },
  }, options);
}
