import { tf, type Tensor, type Variable } from '../../backend/tf.ts';
import { tidy } from '../../backend/tensors.ts';
import { Linear } from '../../nn/linear.ts';
import { prefixed, type Module } from '../../nn/module.ts';
import type { Rng } from '../../random/rng.ts';
import type { ImageDecoder } from './contracts.ts';
import { dense } from './dense.ts';
import { PixelLikelihood, type ImageDecoding, type PixelLikelihoodOptions } from './pixelLikelihood.ts';

export interface MlpDecoderOptions extends PixelLikelihoodOptions {
  zDim: number;
  /** Widths of the hidden layers, each followed by ReLU: [512] in seeds 003 and 004. */
  hidden: readonly number[];
  /** Pixels per image (784). */
  pixels: number;
}

/**
 * A fully connected decoder, z → ReLU(Linear) × len(hidden) → Linear → pixel outputs → p(x|z)
 * (Bernoulli logits, or Normal means, see pixelLikelihood.ts). PyTorch's default initialisation;
 * each layer runs as one `dense` op (fused bias and ReLU, explicit-transpose gradient).
 *
 * Variables (Linear weights [in, out], the transpose of PyTorch's):
 *
 * | name                           | shape              | seed 003 (PyTorch) | seed 004 (PyTorch) |
 * |--------------------------------|--------------------|--------------------|--------------------|
 * | decoder/hidden1/weight, …/bias | [zDim, h], [h]     | decoder.0          | decoder.linear1    |
 * | decoder/out/weight, …/bias     | [h, pixels], [pixels] | decoder.2       | decoder.linear2    |
 * | decoder/log_scale              | [1] (Normal with a learned scale only) | log_scale | —     |
 *
 * @example
 *   const dec = new MlpDecoder({ zDim: 2, hidden: [512], pixels: 784, likelihood: 'bernoulli' }, rng);
 *   dec.apply(z).p.logProb(x);   // z [batch, 2] (or [K, batch, 2]), x [batch, 784] → [batch, 784] (or [K, batch, 784])
 */
export class MlpDecoder implements ImageDecoder, Module {
  readonly pixels: number;
  readonly zDim: number;
  readonly likelihood: PixelLikelihood;
  private readonly layers: Linear[];
  private readonly ops: Array<(x: Tensor, w: Tensor, b: Tensor) => Tensor>;

  constructor(options: MlpDecoderOptions, rng: Rng) {
    const { zDim, hidden, pixels } = options;
    for (const [k, v] of [['pixels', pixels], ['zDim', zDim], ...hidden.map((h, i) => [`hidden[${i}]`, h] as const)] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`MlpDecoder: ${k} must be an integer ≥ 1 (got ${v})`);
    }
    this.pixels = pixels;
    this.zDim = zDim;
    this.likelihood = new PixelLikelihood(options);
    const widths = [zDim, ...hidden, pixels];
    this.layers = widths.slice(1).map((w, i) => new Linear(widths[i], w, rng, i < hidden.length ? `hidden${i + 1}` : 'out'));
    this.ops = this.layers.map((_, i) => dense({ activation: i < hidden.length ? 'relu' : 'linear' }));
  }

  /** @param z latents, shape [..., zDim] @returns p with batch shape [..., pixels] */
  apply(z: Tensor): ImageDecoding {
    if (z.rank < 2 || z.shape[z.rank - 1] !== this.zDim) {
      throw new RangeError(`MlpDecoder.apply: z must have shape [..., ${this.zDim}] with at least one leading axis (got [${z.shape.join(', ')}])`);
    }
    return tidy(() => {
      let h = z.rank === 2 ? z : tf.reshape(z, [-1, this.zDim]);
      this.layers.forEach((layer, i) => { h = this.ops[i](h, layer.weight, layer.bias); });
      const out = z.rank === 2 ? h : tf.reshape(h, [...z.shape.slice(0, -1), this.pixels]);
      return { p: this.likelihood.distribution(out) };
    });
  }

  namedVariables(): Array<[string, Variable]> {
    return [...this.layers.flatMap((l) => prefixed('decoder', l)), ...prefixed('decoder', this.likelihood)];
  }

  dispose(): void {
    this.layers.forEach((l) => l.dispose());
    this.likelihood.dispose();
  }
}
