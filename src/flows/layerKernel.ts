import { tf, type Tensor, type Variable } from '../backend/tf.ts';
import type { Rng } from '../random/rng.ts';
import { jsOp } from './jsOp.ts';
import type { Transform } from './transform.ts';

/** A layer's parameter values: float32 from its variable, or float64 (tests differentiate numerically in float64). */
export type ParamValues = Float32Array | Float64Array;

/**
 * One pass of a layer over n rows, computed in float64 JavaScript: its outputs and the
 * vector–Jacobian product that differentiates them (the pass's intermediates live in its closure).
 */
export interface KernelPass {
  /** Outputs, n × dim, row-major. */
  readonly y: Float64Array;
  /** log|det ∂y/∂x| per row, length n. */
  readonly logAbsDet: Float64Array;
  /**
   * Reverse mode: given ∂J/∂y (`gy`, n × dim) and ∂J/∂logAbsDet (`gl`, length n), adds ∂J/∂params to
   * `gParams` (length of the layer's parameter vector) and returns ∂J/∂x (n × dim, a new array).
   */
  backward(gy: Float64Array, gl: Float64Array, gParams: Float64Array): Float64Array;
}

/**
 * A transform whose maths is written in float64 JavaScript over its flat parameter vector, both
 * directions with hand-written reverse modes.
 *
 * Why: at the sizes of these flows (d = 2, batch 256, conditioners a few units wide) a TF.js step
 * costs what its kernel launches cost (~8 µs each on wasm, more with autodiff's bookkeeping), not
 * its arithmetic: seed 003's 5-layer planar flow written in TF.js ops trains at ~8 ms a step on wasm
 * here, as kernels at ~1 ms. A whole chain of kernel layers runs as a single differentiable op
 * (`applyKernels`, built on `jsOp`), and each layer keeps all its parameters in one variable,
 * because every variable costs the optimiser and the tape a handful of launches per step
 * (a RealNVP layer's conditioner as Linear layers would be 6 variables).
 *
 * Layers compute in float64 from float32 parameters and inputs, and round their outputs to float32.
 */
export interface LayerKernel {
  readonly dim: number;
  /** What the layer is, for messages: `Planar`, `AffineCoupling`, … */
  readonly label: string;
  /** All the layer's parameters, flat, shape [size]; the layer documents the layout. */
  readonly params: Variable;
  /** @param x n × dim rows  @param p the parameter vector's values */
  forwardPass(x: Float64Array, n: number, p: ParamValues): KernelPass;
  /** The inverse map: `y` is the inverse's input, `logAbsDet` that of the inverse (= −forward's at x). */
  inversePass?(y: Float64Array, n: number, p: ParamValues): KernelPass;
}

export function isLayerKernel(t: unknown): t is LayerKernel {
  return typeof t === 'object' && t != null && typeof (t as LayerKernel).forwardPass === 'function' && (t as LayerKernel).params instanceof tf.Variable;
}

/** Which way a chain runs: `forward` from the base side (sampling), `inverse` from the data side (density). */
export type Direction = 'forward' | 'inverse';

export interface ApplyKernelsOptions {
  /**
   * Fold a standard Normal base density into the second output, so that a flow's density is one op:
   * - forward: second output log N(x; 0, I) − Σ logAbsDet (x the chain's input, the base draw);
   * - inverse: second output log N(z; 0, I) + Σ inverse logAbsDet (z the chain's output).
   * Without it the second output is Σ logAbsDet of the direction run.
   */
  standardNormalBase?: boolean;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Runs `kernels` in order (forward) or in reverse order with their inverses (inverse) on x [batch, dim]
 * as one differentiable TF.js op with two outputs: y [batch, dim] and an accumulated log term [batch]
 * (Σ logAbsDet, or a log density with `standardNormalBase`). Gradients flow to x and to every layer's
 * `params`. The caller owns the outputs. Not twice differentiable.
 *
 * @example
 *   const { y, logAbsDet } = applyKernels([planar0, planar1], x, 'forward');
 */
export function applyKernels(kernels: readonly LayerKernel[], x: Tensor, direction: Direction, options: ApplyKernelsOptions = {}): { y: Tensor; logAbsDet: Tensor } {
  const dim = checkChain(kernels, direction);
  const what = kernels.length === 1 ? `${kernels[0].label}.${direction}` : `${direction} chain`;
  if (x.rank !== 2 || x.shape[1] !== dim) {
    throw new RangeError(`${what}: input must have shape [batch, ${dim}] (got [${x.shape.join(', ')}])`);
  }
  const n = x.shape[0] as number;
  const [y, logAbsDet] = jsOp([x, ...kernels.map((k) => k.params)], ([xs, ...p]) => {
    const chain = runChain(kernels, p, Float64Array.from(xs), n, direction, options.standardNormalBase ?? false);
    return {
      outputs: [{ values: Float32Array.from(chain.y), shape: [n, dim] }, { values: Float32Array.from(chain.acc), shape: [n] }],
      backward: ([gy, gAcc]) => {
        const { gx, gp } = chain.backward(gy, gAcc);
        return [Float32Array.from(gx), ...gp.map((g) => Float32Array.from(g))];
      },
    };
  });
  return { y, logAbsDet };
}

/**
 * n draws from the flow N(0, I) → `kernels` and their log density, log N(z; 0, I) − Σ logAbsDet, as
 * one op whose inputs are the layers' parameters (the base draws are made inside, in float64, by
 * Box–Muller from `rng`, both values of each pair used). Differentiable in the parameters: the
 * reparameterisation gradient. @returns x [n, dim], logProb [n]
 */
export function sampleKernels(kernels: readonly LayerKernel[], n: number, rng: Rng): { x: Tensor; logProb: Tensor } {
  const dim = checkChain(kernels, 'forward');
  const [x, logProb] = jsOp(kernels.map((k) => k.params), (p) => {
    const z = new Float64Array(n * dim);
    fillStandardNormal(rng, z);
    const chain = runChain(kernels, p, z, n, 'forward', true);
    return {
      outputs: [{ values: Float32Array.from(chain.y), shape: [n, dim] }, { values: Float32Array.from(chain.acc), shape: [n] }],
      backward: ([gy, gAcc]) => chain.backward(gy, gAcc).gp.map((g) => Float32Array.from(g)),
    };
  });
  return { x, logProb };
}

function checkChain(kernels: readonly LayerKernel[], direction: Direction): number {
  if (kernels.length === 0) throw new RangeError('applyKernels: need at least one layer');
  const dim = kernels[0].dim;
  const what = kernels.length === 1 ? `${kernels[0].label}.${direction}` : `${direction} chain`;
  kernels.forEach((k, i) => {
    if (k.dim !== dim) throw new RangeError(`${what}: layer ${i} (${k.label}) has dim ${k.dim}, layer 0 has ${dim}`);
    if (direction === 'inverse' && k.inversePass == null) throw new Error(`${what}: layer ${i} (${k.label}) has no inverse`);
  });
  return dim;
}

/** The chain's float64 passes over rows `x` (n × dim), and their combined reverse mode. */
function runChain(kernels: readonly LayerKernel[], p: readonly ParamValues[], x: Float64Array, n: number, direction: Direction, base: boolean) {
  const dim = kernels[0].dim;
  const order = direction === 'forward' ? kernels.map((_, i) => i) : kernels.map((_, i) => kernels.length - 1 - i);
  // Forward with a base: acc = log N(x) − Σ ld. Otherwise acc = Σ ld (+ log N(z) at the end, inverse).
  const sign = direction === 'forward' && base ? -1 : 1;
  let h: Float64Array = x;
  const acc = new Float64Array(n);
  if (base && direction === 'forward') addStandardNormalLogDensity(h, n, dim, acc);
  const passes = order.map((i) => {
    const pass = direction === 'forward' ? kernels[i].forwardPass(h, n, p[i]) : kernels[i].inversePass!(h, n, p[i]);
    const ld = pass.logAbsDet;
    for (let r = 0; r < n; r++) acc[r] += sign * ld[r];
    h = pass.y;
    return pass;
  });
  if (base && direction === 'inverse') addStandardNormalLogDensity(h, n, dim, acc);
  const y = h;
  const backward = (gyIn: Float32Array, gAccIn: Float32Array): { gx: Float64Array; gp: Float64Array[] } => {
    const gAcc = Float64Array.from(gAccIn);
    const gl = sign === 1 ? gAcc : gAcc.map((v) => -v);
    const gp = kernels.map((k) => new Float64Array(k.params.size));
    let g: Float64Array = Float64Array.from(gyIn);
    // ∂ log N(z)/∂z = −z enters where z is: the chain's output (inverse) or its input (forward).
    if (base && direction === 'inverse') addBaseGradient(g, gAcc, y, n, dim);
    for (let j = passes.length - 1; j >= 0; j--) g = passes[j].backward(g, gl, gp[order[j]]);
    if (base && direction === 'forward') addBaseGradient(g, gAcc, x, n, dim);
    return { gx: g, gp };
  };
  return { y, acc, backward };
}

/** Fills `out` with independent N(0, 1) draws: Box–Muller on pairs of rng.uniform(). */
function fillStandardNormal(rng: Rng, out: Float64Array): void {
  for (let i = 0; i < out.length; i += 2) {
    let u = rng.uniform();
    while (u === 0) u = rng.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * rng.uniform();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(angle);
  }
}

function addStandardNormalLogDensity(z: Float64Array, n: number, dim: number, acc: Float64Array): void {
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += z[r * dim + j] ** 2;
    acc[r] += -0.5 * s - dim * HALF_LOG_2PI;
  }
}

function addBaseGradient(g: Float64Array, gAcc: Float64Array, z: Float64Array, n: number, dim: number): void {
  for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) g[r * dim + j] -= gAcc[r] * z[r * dim + j];
}

/**
 * Base class of the transforms written as kernels: `forward`/`inverse` run the layer alone through
 * `applyKernels`; a `Composite` of kernel layers runs them all as one op instead.
 * The layer's variable is created from `initial` (copied) and named `<name>/params`.
 */
export abstract class KernelTransform implements Transform, LayerKernel {
  readonly params: Variable;

  protected constructor(readonly dim: number, readonly label: string, readonly name: string, initial: Float32Array) {
    if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`${label}: dim must be an integer ≥ 1 (got ${dim})`);
    this.params = tf.tidy(() => tf.variable(tf.tensor1d(initial), true));
  }

  abstract forwardPass(x: Float64Array, n: number, p: ParamValues): KernelPass;
  abstract inversePass(y: Float64Array, n: number, p: ParamValues): KernelPass;

  /** @param x [batch, dim] @returns y [batch, dim], logAbsDet [batch] */
  forward(x: Tensor): { y: Tensor; logAbsDet: Tensor } {
    return applyKernels([this], x, 'forward');
  }

  /** @param y [batch, dim] @returns x [batch, dim], logAbsDet [batch] of the inverse map */
  inverse(y: Tensor): { x: Tensor; logAbsDet: Tensor } {
    const { y: x, logAbsDet } = applyKernels([this], y, 'inverse');
    return { x, logAbsDet };
  }

  namedVariables(): Array<[string, Variable]> {
    return [[`${this.name}/params`, this.params]];
  }

  dispose(): void {
    this.params.dispose();
  }
}
