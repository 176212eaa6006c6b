import { tf, type Tensor, type Variable } from '../backend/tf.ts';
import { stopGradient } from '../backend/stopGradient.ts';
import type { Distribution } from '../distributions/distribution.ts';
import { Normal } from '../distributions/normal.ts';
import type { Module } from '../nn/module.ts';
import type { Rng } from '../random/rng.ts';
import { Composite } from './composite.ts';
import { applyKernels, isLayerKernel, sampleKernels, type LayerKernel } from './layerKernel.ts';
import type { Transform } from './transform.ts';

export interface FlowOptions {
  /**
   * The base distribution q0 over ℝ^d: event shape [d], or independent components (event shape [],
   * batch shape [d], like `new Normal(loc [d], scale [d])`). Stays the caller's.
   * Default: the standard Normal N(0, I_d), owned by the flow.
   */
  base?: Distribution;
}

/**
 * A normalising flow: x = T(z), z ~ q0, T a chain of transforms; a `Distribution` over ℝ^d
 * (batch shape [], event shape [d]), so it fits wherever a prior or posterior does.
 *
 *   log q(x) = log q0(T⁻¹(x)) + log|det ∂T⁻¹/∂x|  (`logProb`: needs every layer's inverse)
 *            = log q0(z) − log|det ∂T/∂z|         (`rsampleAndLogProb`: one forward pass, no inverse)
 *
 * `rsampleAndLogProb` is what the ELBO and IWAE use (nflows' `sample_and_log_prob`), so flows
 * without a usable inverse (planar) train and evaluate their bounds without inverting.
 * With the default base and kernel layers, both are a single op (see layerKernel.ts); the base
 * draws are then made in JavaScript from the rng (Box–Muller) rather than by tf.randomNormal, so a
 * flow with an explicit `base: new Normal(0s, 1s)` has the same distribution but other draws.
 *
 * mean, variance and entropy have no closed form and throw; estimate them from `sample` and
 * `rsampleAndLogProb` (−mean log q is an unbiased entropy estimate).
 *
 * Shapes: `sample(sampleShape)` → [...sampleShape, d]; `logProb(x [..., d])` → [...].
 *
 * @example
 *   const flow = realNvpFlow(2, 5, new Rng(1));
 *   const { x, logProb } = flow.rsampleAndLogProb(256, rng);   // x [256, 2], logProb [256]
 */
export class Flow implements Distribution, Module {
  readonly dim: number;
  readonly batchShape: readonly number[] = [];
  readonly eventShape: readonly number[];
  readonly hasRsample = true;
  readonly transform: Transform;
  readonly base: Distribution;
  /** The base is our own N(0, I): its density folds into the kernel chain. */
  private readonly standardBase: boolean;

  /** @param transforms the chain, base side first (an array becomes a `Composite`); the flow owns it. */
  constructor(transforms: Transform | readonly Transform[], options: FlowOptions = {}) {
    this.transform = Array.isArray(transforms) ? new Composite(transforms) : (transforms as Transform);
    this.dim = this.transform.dim;
    this.eventShape = [this.dim];
    if (options.base != null) {
      const b = options.base;
      const eventOk = b.eventShape.length === 1 && b.eventShape[0] === this.dim && b.batchShape.length === 0;
      const componentsOk = b.eventShape.length === 0 && b.batchShape.length === 1 && b.batchShape[0] === this.dim;
      if (!eventOk && !componentsOk) {
        throw new RangeError(`Flow: base must have event shape [${this.dim}] or batch shape [${this.dim}] with event shape [] (got batch [${b.batchShape.join(', ')}], event [${b.eventShape.join(', ')}])`);
      }
      if (!b.hasRsample) throw new RangeError('Flow: base must have rsample (hasRsample is false)');
      this.base = b;
      this.standardBase = false;
    } else {
      this.base = new Normal(new Array<number>(this.dim).fill(0), new Array<number>(this.dim).fill(1));
      this.standardBase = true;
    }
  }

  sample(sampleShape: readonly number[], rng: Rng): Tensor {
    return tf.tidy(() => stopGradient(this.rsample(sampleShape, rng)));
  }

  /** Reparameterised draws, differentiable in the flow's variables. @returns [...sampleShape, d] */
  rsample(sampleShape: readonly number[], rng: Rng): Tensor {
    const n = count('rsample', sampleShape);
    return tf.tidy(() => tf.reshape(this.rsampleAndLogProb(n, rng).x, [...sampleShape, this.dim]));
  }

  /**
   * n draws and their log density in one forward pass: log q(x) = log q0(z) − Σ logAbsDet.
   * Both are differentiable in the flow's variables (the reparameterisation gradient).
   * @returns x [n, d], logProb [n]
   */
  rsampleAndLogProb(n: number, rng: Rng): { x: Tensor; logProb: Tensor } {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Flow.rsampleAndLogProb: n must be an integer ≥ 1 (got ${n})`);
    const kernels = this.kernels();
    if (kernels != null) {
      return sampleKernels(kernels, n, rng);
    }
    return tf.tidy(() => {
      const z = tf.reshape(this.base.rsample([n], rng), [n, this.dim]);
      const { y, logAbsDet } = this.transform.forward(z);
      return { x: y, logProb: tf.sub(this.baseLogProb(z), logAbsDet) };
    });
  }

  /**
   * log q(x) through the inverse chain. @param x [..., d] @returns [...]
   * @throws naming the layer when a layer has no inverse
   */
  logProb(x: Tensor): Tensor {
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.dim) {
      throw new RangeError(`Flow.logProb: x must have shape [..., ${this.dim}] (got [${x.shape.join(', ')}])`);
    }
    const missing = this.transform instanceof Composite ? this.transform.missingInverse() : this.transform.inverse == null ? 'its transform' : null;
    if (missing != null) throw new Error(`Flow.logProb: ${missing} has no inverse; use rsampleAndLogProb for the density of the flow's own draws`);
    const lead = x.shape.slice(0, -1);
    return tf.tidy(() => {
      const flat = tf.reshape(x, [-1, this.dim]);
      const kernels = this.kernels();
      let lp: Tensor;
      if (kernels != null) {
        lp = applyKernels(kernels, flat, 'inverse', { standardNormalBase: true }).logAbsDet;
      } else {
        const { x: z, logAbsDet } = this.transform.inverse!(flat);
        lp = tf.add(this.baseLogProb(z), logAbsDet);
      }
      return tf.reshape(lp, lead);
    });
  }

  mean(): Tensor {
    throw notClosedForm('mean');
  }

  variance(): Tensor {
    throw notClosedForm('variance');
  }

  entropy(): Tensor {
    throw notClosedForm('entropy');
  }

  namedVariables(): Array<[string, Variable]> {
    return this.transform.namedVariables();
  }

  /** Frees the transforms and the default base (a base passed in stays the caller's). */
  dispose(): void {
    this.transform.dispose();
    if (this.standardBase) this.base.dispose();
  }

  /** The chain as kernels when the whole density can run as one op (default base, kernel layers). */
  private kernels(): LayerKernel[] | null {
    if (!this.standardBase) return null;
    if (this.transform instanceof Composite) return this.transform.kernels();
    return isLayerKernel(this.transform) ? [this.transform] : null;
  }

  /** log q0(z) per row. @param z [n, d] @returns [n] */
  private baseLogProb(z: Tensor): Tensor {
    return tf.tidy(() => {
      const lp = this.base.logProb(z);
      // Independent components (event shape []) give one log density per coordinate.
      return this.base.eventShape.length === 0 ? tf.sum(lp, -1) : lp;
    });
  }
}

function count(what: string, sampleShape: readonly number[]): number {
  if (!sampleShape.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new RangeError(`Flow.${what}: sampleShape must be integers ≥ 1 (got [${sampleShape.join(', ')}])`);
  }
  return sampleShape.reduce((a, b) => a * b, 1);
}

function notClosedForm(what: string): Error {
  return new Error(`Flow.${what}: not available in closed form; estimate it from flow.sample (entropy: −mean of rsampleAndLogProb's logProb)`);
}
