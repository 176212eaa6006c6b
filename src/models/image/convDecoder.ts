import { tf, type Tensor, type Variable } from '../../backend/tf.ts';
import { tidy } from '../../backend/tensors.ts';
import type { Linear } from '../../nn/linear.ts';
import { prefixed, type Module } from '../../nn/module.ts';
import type { Rng } from '../../random/rng.ts';
import type { ImageDecoder } from './contracts.ts';
import { Conv2DTranspose } from './conv2dTransposeLayer.ts';
import { dense } from './dense.ts';
import { kerasDense } from './kerasInit.ts';
import { PixelLikelihood, type ImageDecoding, type PixelLikelihoodOptions } from './pixelLikelihood.ts';

export interface ConvDecoderOptions extends PixelLikelihoodOptions {
  /** Image height and width, multiples of 4 (28 × 28 for MNIST). */
  rows: number;
  cols: number;
  zDim: number;
}

/**
 * The Keras example's decoder:
 *
 *   z [..., zDim] → Dense (rows/4)·(cols/4)·64 ReLU → Reshape (rows/4, cols/4, 64)
 *     → Conv2DTranspose(64, 3, strides 2, same) ReLU → Conv2DTranspose(32, 3, strides 2, same) ReLU
 *     → Conv2DTranspose(1, 3, same) → [..., rows·cols] pixel outputs → p(x|z)
 *
 * Keras applies a sigmoid in the last layer; here the last layer's outputs are the Bernoulli's
 * logits (sigmoid(logit) is Keras's output, and the likelihood is computed from the logit stably),
 * or the Normal's means (`mean: 'sigmoid'` reproduces Keras's output layer). 65 089 parameters at
 * 28 × 28 and zDim 2 (plus log_scale with a learned Normal scale), as Keras's summary.
 *
 * Variables: decoder/dense/{weight [zDim, 7·7·64], bias}, decoder/deconv1/{kernel [3, 3, 64, 64], bias},
 * decoder/deconv2/{kernel [3, 3, 32, 64], bias}, decoder/deconv3/{kernel [3, 3, 1, 32], bias},
 * decoder/log_scale [1] (learned Normal scale only). A PyTorch port of TF's 'same' transpose with
 * stride 2: ConvTranspose2d(padding=0) and drop the last row and column (`y[..., :-1, :-1]`).
 *
 * @example
 *   const dec = new ConvDecoder({ rows: 28, cols: 28, zDim: 2, likelihood: 'bernoulli' }, rng);
 *   dec.apply(z).p;   // z [batch, 2] → Bernoulli [batch, 784]
 */
export class ConvDecoder implements ImageDecoder, Module {
  readonly rows: number;
  readonly cols: number;
  readonly pixels: number;
  readonly zDim: number;
  readonly likelihood: PixelLikelihood;
  private readonly dense: Linear;
  private readonly deconv1: Conv2DTranspose;
  private readonly deconv2: Conv2DTranspose;
  private readonly deconv3: Conv2DTranspose;
  private readonly hidden = dense({ activation: 'relu' });

  constructor(options: ConvDecoderOptions, rng: Rng) {
    const { rows, cols, zDim } = options;
    for (const [k, v] of [['rows', rows], ['cols', cols]] as const) {
      if (!Number.isInteger(v) || v < 4 || v % 4 !== 0) throw new RangeError(`ConvDecoder: ${k} must be a multiple of 4 (two stride-2 layers; got ${v})`);
    }
    if (!Number.isInteger(zDim) || zDim < 1) throw new RangeError(`ConvDecoder: zDim must be an integer ≥ 1 (got ${zDim})`);
    this.rows = rows;
    this.cols = cols;
    this.pixels = rows * cols;
    this.zDim = zDim;
    this.likelihood = new PixelLikelihood(options);
    this.dense = kerasDense(zDim, (rows / 4) * (cols / 4) * 64, rng, 'dense');
    this.deconv1 = new Conv2DTranspose({ inChannels: 64, filters: 64, kernelSize: 3, stride: 2, activation: 'relu' }, rng, 'deconv1');
    this.deconv2 = new Conv2DTranspose({ inChannels: 64, filters: 32, kernelSize: 3, stride: 2, activation: 'relu' }, rng, 'deconv2');
    this.deconv3 = new Conv2DTranspose({ inChannels: 32, filters: 1, kernelSize: 3, stride: 1 }, rng, 'deconv3');
  }

  /** @param z latents, shape [..., zDim] @returns p with batch shape [..., rows·cols] */
  apply(z: Tensor): ImageDecoding {
    if (z.rank < 2 || z.shape[z.rank - 1] !== this.zDim) {
      throw new RangeError(`ConvDecoder.apply: z must have shape [..., ${this.zDim}] with at least one leading axis (got [${z.shape.join(', ')}])`);
    }
    return tidy(() => {
      const flat = z.rank === 2 ? z : tf.reshape(z, [-1, this.zDim]);
      const m = flat.shape[0] as number;
      const h0 = tf.reshape(this.hidden(flat, this.dense.weight, this.dense.bias), [m, this.rows / 4, this.cols / 4, 64]);
      const y = this.deconv3.apply(this.deconv2.apply(this.deconv1.apply(h0)));
      const out = tf.reshape(y, [...z.shape.slice(0, -1), this.pixels]);
      return { p: this.likelihood.distribution(out) };
    });
  }

  namedVariables(): Array<[string, Variable]> {
    return [...[this.dense, this.deconv1, this.deconv2, this.deconv3].flatMap((l) => prefixed('decoder', l)), ...prefixed('decoder', this.likelihood)];
  }

  dispose(): void {
    [this.dense, this.deconv1, this.deconv2, this.deconv3].forEach((l) => l.dispose());
    this.likelihood.dispose();
  }
}
