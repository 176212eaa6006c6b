import { tf, type Tensor } from '../backend/tf.ts';
import { tensorsIn } from '../backend/tensors.ts';
import type { ImageDataset } from '../data/imageDataset.ts';
import type { Distribution } from '../distributions/distribution.ts';
import type { Encoding } from '../models/encoder.ts';

/** What the helpers below need of an image VAE. */
export interface ImageVaePair {
  encoder: { readonly zDim: number; apply(x: Tensor): Encoding };
  decoder: { readonly zDim: number; readonly pixels: number; apply(z: Tensor): { p: Distribution } };
}

/**
 * The encoder's q(z|x) = N(μ, σ) for every image of `data`, without gradients, `chunk` images
 * per pass: the numbers behind the latent scatter and the `latents` table.
 *
 * @returns `mu`, `sigma`: shape [n, zDim]
 * @example const { mu } = encodeMoments(encoder, testB);   // mu.length === testB.n * encoder.zDim
 */
export function encodeMoments(encoder: ImageVaePair['encoder'], data: Pick<ImageDataset, 'n' | 'rows' | 'cols' | 'images'>, chunk = 1024): { mu: Float32Array; sigma: Float32Array } {
  const pixels = data.rows * data.cols;
  const d = encoder.zDim;
  const mu = new Float32Array(data.n * d);
  const sigma = new Float32Array(data.n * d);
  for (let start = 0; start < data.n; start += chunk) {
    const b = Math.min(chunk, data.n - start);
    const x = tf.tensor2d(data.images.subarray(start * pixels, (start + b) * pixels), [b, pixels]);
    const encoding = encoder.apply(x);
    mu.set(encoding.q.loc.dataSync() as Float32Array, start * d);
    sigma.set(encoding.q.scale.dataSync() as Float32Array, start * d);
    tf.dispose([x, ...tensorsIn(encoding)]);
  }
  return { mu, sigma };
}

/**
 * The decoder's mean image E[x|z] for each latent (Bernoulli: sigmoid of the logits, i.e. pixel
 * probabilities; Normal: its mean), without gradients — what the sample grid, the reconstructions
 * and the traversal show. Means, not draws: a Bernoulli draw is salt-and-pepper noise.
 *
 * @param z shape [m, zDim]
 * @returns shape [m, pixels]
 */
export function decodeMeans(decoder: ImageVaePair['decoder'], z: Float32Array, chunk = 1024): Float32Array {
  const d = decoder.zDim;
  if (z.length % d !== 0) throw new RangeError(`decodeMeans: z must have shape [m, ${d}] (got ${z.length} values)`);
  const m = z.length / d;
  const out = new Float32Array(m * decoder.pixels);
  for (let start = 0; start < m; start += chunk) {
    const b = Math.min(chunk, m - start);
    const mean = tf.tidy(() => {
      const { p } = decoder.apply(tf.tensor2d(z.subarray(start * d, (start + b) * d), [b, d]));
      return p.mean();
    });
    out.set(mean.dataSync() as Float32Array, start * decoder.pixels);
    mean.dispose();
  }
  return out;
}
