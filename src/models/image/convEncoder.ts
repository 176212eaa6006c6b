import { tf, type Tensor, type Variable } from '../../backend/tf.ts';
import { tidy } from '../../backend/tensors.ts';
import { Normal } from '../../distributions/normal.ts';
import type { Linear } from '../../nn/linear.ts';
import { prefixed, type Module } from '../../nn/module.ts';
import type { Rng } from '../../random/rng.ts';
import type { Encoding } from '../encoder.ts';
import type { ImageEncoder } from './contracts.ts';
import { Conv2D } from './conv2dLayer.ts';
import { dense } from './dense.ts';
import { kerasDense } from './kerasInit.ts';
import { samePadding } from './samePadding.ts';

export interface ConvEncoderOptions {
  /** Image height and width (28 × 28 for MNIST). */
  rows: number;
  cols: number;
  /** Latent dimension (the Keras example's latent_dim = 2). */
  zDim: number;
}

/**
 * The Keras example's encoder (keras.io/examples/generative/vae, quoted in seed 004):
 *
 *   x [B, rows·cols] → [B, rows, cols, 1] → Conv2D(32, 3, strides 2, same) ReLU → Conv2D(64, 3, strides 2, same) ReLU
 *     → Flatten (h, w, c order) → Dense 16 ReLU → z_mean, z_log_var (Dense zDim each)
 *
 * 69 076 parameters at 28 × 28 and zDim 2, as Keras's summary. Keras initialisation (glorot_uniform,
 * zero biases).
 *
 * Variables: encoder/conv1/{kernel [3, 3, 1, 32], bias}, encoder/conv2/{kernel [3, 3, 32, 64], bias},
 * encoder/dense/{weight [7·7·64, 16], bias}, encoder/z_mean/{weight [16, zDim], bias},
 * encoder/z_log_var/{weight, bias} (Dense weights [in, out] = Keras's kernel layout).
 * A PyTorch port needs TF's 'same' padding, which for stride 2 on an even size is (0 before,
 * 1 after): `F.pad(x, (0, 1, 0, 1))` then `conv2d(…, stride=2, padding=0)`, and Flatten of NHWC
 * (`x.permute(0, 2, 3, 1).flatten(1)`).
 *
 * @example
 *   const enc = new ConvEncoder({ rows: 28, cols: 28, zDim: 2 }, rng);
 *   enc.apply(x).q;   // x [batch, 784] → Normal [batch, 2]
 */
export class ConvEncoder implements ImageEncoder, Module {
  readonly rows: number;
  readonly cols: number;
  readonly pixels: number;
  readonly zDim: number;
  private readonly conv1: Conv2D;
  private readonly conv2: Conv2D;
  private readonly dense: Linear;
  private readonly zMean: Linear;
  private readonly zLogVar: Linear;
  private readonly flat: number;
  private readonly hidden = dense({ activation: 'relu' });
  private readonly head = dense();

  constructor(options: ConvEncoderOptions, rng: Rng) {
    const { rows, cols, zDim } = options;
    for (const [k, v] of [['rows', rows], ['cols', cols], ['zDim', zDim]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`ConvEncoder: ${k} must be an integer ≥ 1 (got ${v})`);
    }
    this.rows = rows;
    this.cols = cols;
    this.pixels = rows * cols;
    this.zDim = zDim;
    this.conv1 = new Conv2D({ inChannels: 1, filters: 32, kernelSize: 3, stride: 2, activation: 'relu', inputGradient: false }, rng, 'conv1');
    this.conv2 = new Conv2D({ inChannels: 32, filters: 64, kernelSize: 3, stride: 2, activation: 'relu' }, rng, 'conv2');
    const side = (n: number) => samePadding(samePadding(n, 3, 2).out, 3, 2).out;
    this.flat = side(rows) * side(cols) * 64;
    this.dense = kerasDense(this.flat, 16, rng, 'dense');
    this.zMean = kerasDense(16, zDim, rng, 'z_mean');
    this.zLogVar = kerasDense(16, zDim, rng, 'z_log_var');
  }

  /** @param x images, shape [batch, rows·cols] */
  apply(x: Tensor): Encoding {
    if (x.rank !== 2 || x.shape[1] !== this.pixels) {
      throw new RangeError(`ConvEncoder.apply: x must have shape [batch, ${this.pixels}] (got [${x.shape.join(', ')}])`);
    }
    return tidy(() => {
      const batch = x.shape[0] as number;
      const img = tf.reshape(x, [batch, this.rows, this.cols, 1]);
      const h2 = this.conv2.apply(this.conv1.apply(img));
      const h = this.hidden(tf.reshape(h2, [batch, this.flat]), this.dense.weight, this.dense.bias);
      const loc = this.head(h, this.zMean.weight, this.zMean.bias);
      const logScale = tf.mul(this.head(h, this.zLogVar.weight, this.zLogVar.bias), 0.5);
      return { q: new Normal(loc, tf.exp(logScale), { validate: false }), logScale };
    });
  }

  namedVariables(): Array<[string, Variable]> {
    return [this.conv1, this.conv2, this.dense, this.zMean, this.zLogVar].flatMap((l) => prefixed('encoder', l));
  }

  dispose(): void {
    [this.conv1, this.conv2, this.dense, this.zMean, this.zLogVar].forEach((l) => l.dispose());
  }
}
