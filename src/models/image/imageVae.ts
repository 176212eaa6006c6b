import type { Variable } from '../../backend/tf.ts';
import type { Module } from '../../nn/module.ts';
import type { Rng } from '../../random/rng.ts';
import type { ImageDecoder, ImageEncoder } from './contracts.ts';
import { ConvDecoder } from './convDecoder.ts';
import { ConvEncoder } from './convEncoder.ts';
import { MlpDecoder } from './mlpDecoder.ts';
import { MlpEncoder } from './mlpEncoder.ts';
import type { PixelLikelihoodOptions } from './pixelLikelihood.ts';

/**
 * The seeds' image VAEs:
 *
 * | architecture | source | encoder | latent | decoder | parameters (Bernoulli; +1 with a learned Normal scale) |
 * |---|---|---|---|---|---|
 * | `mlp`  | seed 003 problem 4 | 784 → 512 ReLU → μ, log σ² | 2 | 2 → 512 ReLU → 784 | 807 700 |
 * | `mlp8` | seed 004 (PyTorch) | 784 → 512 ReLU → 512 ReLU → μ, log σ | 8 | 8 → 512 ReLU → 784 | 1 079 584 |
 * | `conv` | seed 004 (Keras example) | Conv 32, 64 (3×3, stride 2, same) ReLU → Dense 16 ReLU → μ, log σ² | 2 | Dense 7·7·64 ReLU → ConvT 64, 32 (stride 2) ReLU → ConvT 1 | 134 165 |
 *
 * `mlp` and `mlp8` use PyTorch's initialisation, `conv` Keras's. Seed 004's own decoder is
 * `{ likelihood: 'normal', scale: 1, mean: 'tanh' }` on data shifted to [−0.5, 0.5]; seed 003's is
 * `{ likelihood: 'normal' }` (learned `log_scale`). The standard benchmark is `'bernoulli'` on
 * binarised pixels.
 */
export type ImageArchitecture = 'mlp' | 'mlp8' | 'conv';

export interface ImageVaeOptions extends PixelLikelihoodOptions {
  architecture: ImageArchitecture;
  /** Image height and width; default 28 × 28. */
  rows?: number;
  cols?: number;
  /** Latent dimension; default the architecture's (2, 8, 2). */
  zDim?: number;
}

/** An encoder/decoder pair for `encode ▸ sampleLatent ▸ decode ▸ elbo`. */
export interface ImageVae {
  readonly architecture: ImageArchitecture;
  readonly encoder: ImageEncoder;
  readonly decoder: ImageDecoder;
}

const DEFAULT_Z: Record<ImageArchitecture, number> = { mlp: 2, mlp8: 8, conv: 2 };

/**
 * One of the seeds' image VAEs, ready for the qubit VAE's operators.
 *
 * @example
 *   const { encoder, decoder } = imageVae({ architecture: 'mlp', likelihood: 'bernoulli' }, rng.fork());
 *   const forward = pipe(encode(encoder), sampleLatent({ plan: 'A', rng: rng.fork() }), decode(decoder), elbo());
 *   minibatches(train, { batch: 128, epochs: 10, shuffle: true, rng, binarize: 'dynamic' })
 *     .pipe(map((b) => ({ x: tf.tensor2d(b.images, [b.size, 784]) })), minimize(forward, new Adam(variablesOf(encoder, decoder))))
 */
export function imageVae(options: ImageVaeOptions, rng: Rng): ImageVae {
  const { architecture, rows = 28, cols = 28 } = options;
  if (!(architecture in DEFAULT_Z)) throw new RangeError(`imageVae: architecture must be one of ${Object.keys(DEFAULT_Z).join(', ')} (got ${JSON.stringify(architecture)})`);
  const zDim = options.zDim ?? DEFAULT_Z[architecture];
  const likelihood: PixelLikelihoodOptions = { likelihood: options.likelihood };
  if (options.scale !== undefined) likelihood.scale = options.scale;
  if (options.mean !== undefined) likelihood.mean = options.mean;
  const pixels = rows * cols;
  // Encoder first, then decoder, from the same generator (so a seed fixes both); a decoder that
  // rejects its options frees the encoder already built.
  const pair = <E extends ImageEncoder>(encoder: E, decoder: () => ImageDecoder): ImageVae => {
    try {
      return { architecture, encoder, decoder: decoder() };
    } catch (err) {
      encoder.dispose();
      throw err;
    }
  };
  switch (architecture) {
    case 'mlp':
      return pair(new MlpEncoder({ pixels, hidden: [512], zDim, head: 'logVariance' }, rng), () => new MlpDecoder({ ...likelihood, zDim, hidden: [512], pixels }, rng));
    case 'mlp8':
      return pair(new MlpEncoder({ pixels, hidden: [512, 512], zDim, head: 'logScale' }, rng), () => new MlpDecoder({ ...likelihood, zDim, hidden: [512], pixels }, rng));
    case 'conv':
      return pair(new ConvEncoder({ rows, cols, zDim }, rng), () => new ConvDecoder({ ...likelihood, rows, cols, zDim }, rng));
  }
}

/** Number of trainable numbers in `modules` (PyTorch's `sum(p.numel() for p in model.parameters())`). */
export function parameterCount(...modules: Module[]): number {
  return modules.flatMap((m) => m.namedVariables()).reduce((n, [, v]: [string, Variable]) => n + v.size, 0);
}
