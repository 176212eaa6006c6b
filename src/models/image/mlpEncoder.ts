import { tf, type Tensor, type Variable } from '../../backend/tf.ts';
import { tidy } from '../../backend/tensors.ts';
import { Normal } from '../../distributions/normal.ts';
import { Linear } from '../../nn/linear.ts';
import { prefixed, type Module } from '../../nn/module.ts';
import type { Rng } from '../../random/rng.ts';
import type { Encoding } from '../encoder.ts';
import type { ImageEncoder } from './contracts.ts';
import { dense } from './dense.ts';

export interface MlpEncoderOptions {
  /** Pixels per image (784 for 28 × 28). */
  pixels: number;
  /** Widths of the hidden layers, each followed by ReLU: [512] (seed 003), [512, 512] (seed 004). */
  hidden: readonly number[];
  /** Latent dimension: 2 (seed 003), 8 (seed 004). */
  zDim: number;
  /**
   * What the scale head predicts: 'logVariance', log σ² (seed 003's `fc_var`, Keras's `z_log_var`),
   * or 'logScale', log σ (seed 004's `enc_log_sigma`).
   */
  head: 'logVariance' | 'logScale';
}

/**
 * A fully connected encoder, x → ReLU(Linear) × len(hidden) → μ and log σ² (or log σ) heads, with
 * PyTorch's default initialisation (nn/linear.ts). Each layer runs as one `dense` op (fused bias and
 * ReLU, explicit-transpose gradient — fast on wasm); the first computes no gradient for the images,
 * and on binarised images (wasm, cpu) sums the weight rows of the pixels that are on instead of a
 * dense product (dense.ts's `sparseBinary`).
 *
 * Variables (names as in checkpoints and safetensors files; Linear weights are stored [in, out], the
 * transpose of PyTorch's `weight`):
 *
 * | name                                    | shape             | seed 003 (PyTorch)    | seed 004 (PyTorch)          |
 * |-----------------------------------------|-------------------|-----------------------|-----------------------------|
 * | encoder/hidden1/weight, …/bias          | [pixels, h1], [h1]| encoder.0             | encoder.linear1             |
 * | encoder/hidden2/weight, …/bias          | [h1, h2], [h2]    | —                     | encoder.linear2             |
 * | encoder/mu/weight, …/bias               | [h, zDim], [zDim] | fc_mu                 | encoder.enc_mu              |
 * | encoder/log_var/weight (or log_sigma/…) | [h, zDim], [zDim] | fc_var (log σ²)       | encoder.enc_log_sigma (log σ)|
 *
 * @example
 *   const enc = new MlpEncoder({ pixels: 784, hidden: [512], zDim: 2, head: 'logVariance' }, rng);
 *   const { q, logScale } = enc.apply(x);   // x [batch, 784] → q: Normal [batch, 2]
 */
export class MlpEncoder implements ImageEncoder, Module {
  readonly pixels: number;
  readonly zDim: number;
  readonly head: 'logVariance' | 'logScale';
  private readonly layers: Linear[];
  private readonly mu: Linear;
  private readonly scaleHead: Linear;
  private readonly ops: Array<(x: Tensor, w: Tensor, b: Tensor) => Tensor>;
  private readonly headOp = dense();

  constructor(options: MlpEncoderOptions, rng: Rng) {
    const { pixels, hidden, zDim, head } = options;
    for (const [k, v] of [['pixels', pixels], ['zDim', zDim], ...hidden.map((h, i) => [`hidden[${i}]`, h] as const)] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`MlpEncoder: ${k} must be an integer ≥ 1 (got ${v})`);
    }
    if (hidden.length < 1) throw new RangeError('MlpEncoder: hidden must name at least one layer width (got [])');
    if (head !== 'logVariance' && head !== 'logScale') throw new RangeError(`MlpEncoder: head must be 'logVariance' or 'logScale' (got ${JSON.stringify(head)})`);
    this.pixels = pixels;
    this.zDim = zDim;
    this.head = head;
    const widths = [pixels, ...hidden];
    this.layers = hidden.map((h, i) => new Linear(widths[i], h, rng, `hidden${i + 1}`));
    const last = widths[widths.length - 1];
    this.mu = new Linear(last, zDim, rng, 'mu');
    this.scaleHead = new Linear(last, zDim, rng, head === 'logVariance' ? 'log_var' : 'log_sigma');
    this.ops = hidden.map((_, i) => dense({ activation: 'relu', inputGradient: i > 0 }));
  }

  /** @param x images, shape [batch, pixels] */
  apply(x: Tensor): Encoding {
    if (x.rank !== 2 || x.shape[1] !== this.pixels) {
      throw new RangeError(`MlpEncoder.apply: x must have shape [batch, ${this.pixels}] (got [${x.shape.join(', ')}])`);
    }
    return tidy(() => {
      let h = x;
      this.layers.forEach((layer, i) => { h = this.ops[i](h, layer.weight, layer.bias); });
      const loc = this.headOp(h, this.mu.weight, this.mu.bias);
      const out = this.headOp(h, this.scaleHead.weight, this.scaleHead.bias);
      const logScale = this.head === 'logVariance' ? tf.mul(out, 0.5) : out;
      return { q: new Normal(loc, tf.exp(logScale), { validate: false }), logScale };
    });
  }

  namedVariables(): Array<[string, Variable]> {
    return [...this.layers, this.mu, this.scaleHead].flatMap((l) => prefixed('encoder', l));
  }

  dispose(): void {
    [...this.layers, this.mu, this.scaleHead].forEach((l) => l.dispose());
  }
}
