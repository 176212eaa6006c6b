import { tf, type Tensor } from '../backend/tf.ts';
import { affine } from '../nn/linear.ts';
import type { Rng } from '../random/rng.ts';
import type { ParamValues } from './layerKernel.ts';

export type ConditionerActivation = 'tanh' | 'relu';

export interface ConditionerOptions {
  /**
   * Hidden widths (default [8, 8]). Fit and cost on seed 003's banana, 5 affine couplings, batch 256,
   * 1000 Adam steps at lr 1e-2 (KL = log p(y) − ELBO; ms per step on wasm here): [8, 8] relu 0.033,
   * ~2.2 ms; [5, 5, 5] relu (the seed's mid_dim 5, hidden 3) 0.036; [8, 8] tanh 0.058; [16, 16] tanh
   * 0.064 at ~3× the cost; [32] tanh 0.14. Wider nets cost in proportion to width² (these nets run in
   * JavaScript, see layerKernel.ts) and fit no better in 1000 steps.
   */
  hidden?: readonly number[];
  /**
   * Hidden activation (default `relu`, as the seed: it fit the banana better than tanh in every
   * configuration tried, above, and costs nothing; `tanh` gives a smooth flow density, which relu's
   * piecewise-linear conditioners do not).
   */
  activation?: ConditionerActivation;
}

/** A forward pass over n rows, kept for the backward pass. */
export interface ConditionerPass {
  /** n × out, row-major. */
  readonly out: Float64Array;
  /** Layer inputs: the network input and each hidden layer's activation, n × width each. */
  readonly activations: readonly Float64Array[];
}

/**
 * The MLP a coupling layer conditions on: in → hidden… → out, fully connected, an activation after
 * every hidden layer, linear output. Computed in float64 JavaScript with a hand-written backward
 * pass (a coupling runs as one kernel, see layerKernel.ts), over a slice of its owner's flat
 * parameter vector; `apply` is the same network in TF.js ops through nn/linear.ts's `affine`.
 *
 * Parameter layout, per layer l in order: W_l [in_l, out_l] row-major (Linear's [in, out]), then b_l [out_l].
 * Initialisation (`init`): every layer but the last as PyTorch's (and Linear's) default,
 * W, b ~ U(−1/√in, 1/√in); the last layer zero, so a coupling's shift and log-scale start at exactly
 * 0 and every coupling starts as the identity: the flow starts as its base distribution, training
 * starts from a well-conditioned map, and deep stacks do not start by compounding random
 * distortions (Dinh et al.'s and Glow's practice). The last layer's gradient is not zero at zero
 * weights (the hidden activations are not), so training moves off it at once.
 *
 * @example
 *   const net = new Conditioner(1, 2, { hidden: [8, 8] });   // 1 conditioning input → (log-scale, shift)
 *   const pass = net.forward(p, 0, xOff, n);                    // pass.out: n × 2
 */
export class Conditioner {
  /** Widths [in, ...hidden, out]. */
  readonly sizes: readonly number[];
  readonly activation: ConditionerActivation;
  /** Number of parameters. */
  readonly size: number;
  /** Offset of each layer's W in the parameter slice (its b follows it). */
  private readonly offsets: number[];

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: ConditionerOptions = {}) {
    const hidden = options.hidden ?? [8, 8];
    this.activation = options.activation ?? 'relu';
    if (this.activation !== 'tanh' && this.activation !== 'relu') {
      throw new RangeError(`Conditioner: activation must be tanh or relu (got ${String(this.activation)})`);
    }
    this.sizes = [inFeatures, ...hidden, outFeatures];
    this.sizes.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`Conditioner: width ${i} of [${this.sizes.join(', ')}] must be an integer ≥ 1 (got ${v})`);
    });
    this.offsets = [];
    let size = 0;
    for (let l = 0; l + 1 < this.sizes.length; l++) {
      this.offsets.push(size);
      size += (this.sizes[l] + 1) * this.sizes[l + 1];
    }
    this.size = size;
  }

  /** Writes initial parameters into `target[offset … offset + size)` (see the class doc). */
  init(rng: Rng, target: Float32Array, offset: number): void {
    const layers = this.sizes.length - 1;
    for (let l = 0; l < layers; l++) {
      const fanIn = this.sizes[l];
      const count = (fanIn + 1) * this.sizes[l + 1];
      const bound = l === layers - 1 ? 0 : 1 / Math.sqrt(fanIn);
      for (let i = 0; i < count; i++) target[offset + this.offsets[l] + i] = bound === 0 ? 0 : (2 * rng.uniform() - 1) * bound;
    }
  }

  /** @param p the owner's parameters; the network's start at `offset`  @param input n × in */
  forward(p: ParamValues, offset: number, input: Float64Array, n: number): ConditionerPass {
    const activations: Float64Array[] = [input];
    let a = input;
    const layers = this.sizes.length - 1;
    for (let l = 0; l < layers; l++) {
      const fi = this.sizes[l];
      const fo = this.sizes[l + 1];
      const wo = offset + this.offsets[l];
      // W transposed into float64, so each output is one contiguous dot product.
      const wt = new Float64Array(fi * fo);
      for (let i = 0; i < fi; i++) for (let o = 0; o < fo; o++) wt[o * fi + i] = p[wo + i * fo + o];
      const z = new Float64Array(n * fo);
      dense(a, n, fi, fo, wt, p.subarray(wo + fi * fo, wo + fi * fo + fo), z);
      if (l < layers - 1) {
        if (this.activation === 'tanh') for (let k = 0; k < z.length; k++) z[k] = tanh(z[k]);
        else for (let k = 0; k < z.length; k++) z[k] = z[k] > 0 ? z[k] : 0;
        activations.push(z);
      }
      a = z;
    }
    return { out: a, activations };
  }

  /**
   * Reverse mode: adds ∂J/∂params to `gp[offset …]` and returns ∂J/∂input (n × in), given ∂J/∂out.
   * @param gOut n × out (not modified)
   */
  backward(p: ParamValues, offset: number, pass: ConditionerPass, gOut: Float64Array, gp: Float64Array, n: number): Float64Array {
    let g = gOut;
    for (let l = this.sizes.length - 2; l >= 0; l--) {
      const fi = this.sizes[l];
      const fo = this.sizes[l + 1];
      const wo = offset + this.offsets[l];
      const bo = wo + fi * fo;
      const a = pass.activations[l];
      // ∂J/∂b = Σ_rows g, ∂J/∂W = aᵀg, ∂J/∂a = g·Wᵀ: the last is `dense` with W [fi, fo] read as (Wᵀ)ᵀ.
      for (let r = 0; r < n; r++) for (let o = 0; o < fo; o++) gp[bo + o] += g[r * fo + o];
      outerSum(a, g, n, fi, fo, gp, wo);
      const gIn = new Float64Array(n * fi);
      dense(g, n, fo, fi, p.subarray(wo, bo), null, gIn);
      // Through the activation that produced a = act(z) (hidden layers): tanh′ = 1 − a², relu′ = [a > 0].
      if (l > 0) {
        if (this.activation === 'tanh') for (let k = 0; k < gIn.length; k++) gIn[k] *= 1 - a[k] * a[k];
        else for (let k = 0; k < gIn.length; k++) if (!(a[k] > 0)) gIn[k] = 0;
      }
      g = gIn;
    }
    return g;
  }

  /**
   * The same network in TF.js ops (differentiable by autodiff), for tests and for callers on other backends.
   * @param params the owner's flat parameters [≥ offset + size]  @param x [batch, in]  @returns [batch, out]
   */
  apply(params: Tensor, offset: number, x: Tensor): Tensor {
    return tf.tidy(() => {
      let a = x;
      const layers = this.sizes.length - 1;
      for (let l = 0; l < layers; l++) {
        const fi = this.sizes[l];
        const fo = this.sizes[l + 1];
        const wo = offset + this.offsets[l];
        const w = tf.reshape(tf.slice(params, [wo], [fi * fo]), [fi, fo]);
        const b = tf.slice(params, [wo + fi * fo], [fo]);
        a = affine(a, w, b);
        if (l < layers - 1) a = this.activation === 'tanh' ? tf.tanh(a) : tf.relu(a);
      }
      return a;
    });
  }
}

/**
 * tanh by the rational approximation Eigen (and so TF and XLA) uses for float32 (a 13/6 rational
 * function, clamped at ±7.905): max absolute error 2.6e-7 against Math.tanh, below float32's
 * resolution near ±1, and ~4× cheaper in V8 (5 vs 18 ns here), which halved the cost of tanh
 * conditioners. Its derivative differs from 1 − tanh² by ~1e-6 relative, which the reverse mode uses.
 */
export function tanh(x: number): number {
  const c = x > 7.90531110763549805 ? 7.90531110763549805 : x < -7.90531110763549805 ? -7.90531110763549805 : x;
  const x2 = c * c;
  const num = c * (4.89352455891786e-3 + x2 * (6.37261928875436e-4 + x2 * (1.48572235717979e-5 + x2 * (5.12229709037114e-8 + x2 * (-8.60467152213735e-11 + x2 * (2.00018790482477e-13 + x2 * -2.76076847742355e-16))))));
  const den = 4.89352518554385e-3 + x2 * (2.26843463243900e-3 + x2 * (1.18534705686654e-4 + x2 * 1.19825839466702e-6));
  return num / den;
}

/**
 * z[r, o] = b[o] + Σ_i a[r, i]·wt[o, i] for n rows (b omitted: 0). Four rows at a time share each
 * weight load, which doubles the throughput of the plain loop in V8 (~1 ns per multiply-add here).
 * @param a n × fi  @param wt fo × fi (the weights transposed)  @param z n × fo, written
 */
function dense(a: Float64Array, n: number, fi: number, fo: number, wt: ArrayLike<number>, b: ArrayLike<number> | null, z: Float64Array): void {
  let r = 0;
  for (; r + 3 < n; r += 4) {
    const a0 = r * fi;
    const a1 = a0 + fi;
    const a2 = a1 + fi;
    const a3 = a2 + fi;
    const z0 = r * fo;
    for (let o = 0; o < fo; o++) {
      const bias = b == null ? 0 : b[o];
      let s0 = bias;
      let s1 = bias;
      let s2 = bias;
      let s3 = bias;
      const wr = o * fi;
      for (let i = 0; i < fi; i++) {
        const w = wt[wr + i];
        s0 += a[a0 + i] * w;
        s1 += a[a1 + i] * w;
        s2 += a[a2 + i] * w;
        s3 += a[a3 + i] * w;
      }
      z[z0 + o] = s0;
      z[z0 + fo + o] = s1;
      z[z0 + 2 * fo + o] = s2;
      z[z0 + 3 * fo + o] = s3;
    }
  }
  for (; r < n; r++) {
    for (let o = 0; o < fo; o++) {
      let s = b == null ? 0 : b[o];
      for (let i = 0; i < fi; i++) s += a[r * fi + i] * wt[o * fi + i];
      z[r * fo + o] = s;
    }
  }
}

/** out[offset + i·fo + o] += Σ_r a[r, i]·g[r, o], four rows at a time. @param a n × fi  @param g n × fo */
function outerSum(a: Float64Array, g: Float64Array, n: number, fi: number, fo: number, out: Float64Array, offset: number): void {
  const acc = new Float64Array(fi * fo);
  let r = 0;
  for (; r + 3 < n; r += 4) {
    for (let i = 0; i < fi; i++) {
      const x0 = a[r * fi + i];
      const x1 = a[(r + 1) * fi + i];
      const x2 = a[(r + 2) * fi + i];
      const x3 = a[(r + 3) * fi + i];
      const row = i * fo;
      const g0 = r * fo;
      for (let o = 0; o < fo; o++) acc[row + o] += x0 * g[g0 + o] + x1 * g[g0 + fo + o] + x2 * g[g0 + 2 * fo + o] + x3 * g[g0 + 3 * fo + o];
    }
  }
  for (; r < n; r++) for (let i = 0; i < fi; i++) for (let o = 0; o < fo; o++) acc[i * fo + o] += a[r * fi + i] * g[r * fo + o];
  for (let k = 0; k < acc.length; k++) out[offset + k] += acc[k];
}
