import { pipe } from 'rxjs';
import { tf, type Tensor } from '../backend/tf.ts';
import type { ImageDataset } from '../data/imageDataset.ts';
import { decode } from '../operators/decode.ts';
import { elbo } from '../operators/elbo.ts';
import { encode } from '../operators/encode.ts';
import { runSync } from '../operators/minimize.ts';
import { sampleLatent } from '../operators/sampleLatent.ts';
import type { Rng } from '../random/rng.ts';
import type { ImageDecoder, ImageEncoder } from '../models/image/contracts.ts';

/** The ELBO of a test set, per image, and its two terms (nats). */
export interface TestElbo {
  /** Mean over images of log p(x|z) − KL(q(z|x) ‖ N(0, I)): a lower bound on log p(x), so ≤ 0 for binary images. */
  elbo: number;
  /** Mean −log p(x|z), one z ~ q(z|x) per image. */
  reconstruction: number;
  /** Mean KL(q(z|x) ‖ N(0, I)), closed form. */
  kl: number;
}

/**
 * The test ELBO with the training pipeline's own stages, run without gradients:
 * encode ▸ sampleLatent ▸ decode ▸ elbo on `chunk` images at a time, one latent draw per image and
 * the closed-form KL — the same number as the IWAE estimate L_1 up to Monte Carlo noise.
 *
 * @example const { elbo } = testElbo({ encoder, decoder }, testB, new Rng(0));
 */
export function testElbo(model: { encoder: ImageEncoder; decoder: ImageDecoder }, data: Pick<ImageDataset, 'n' | 'rows' | 'cols' | 'images'>, rng: Rng, chunk = 512): TestElbo {
  if (data.n < 1) throw new RangeError('testElbo: the data set has no images');
  const forward = pipe(encode<{ x: Tensor }>(model.encoder), sampleLatent({ plan: 'A', rng }), decode(model.decoder), elbo());
  const pixels = data.rows * data.cols;
  let reconstruction = 0;
  let kl = 0;
  for (let start = 0; start < data.n; start += chunk) {
    const b = Math.min(chunk, data.n - start);
    const x = tf.tensor2d(data.images.subarray(start * pixels, (start + b) * pixels), [b, pixels]);
    const sums = tf.tidy(() => {
      const out = runSync(forward, { x });
      return tf.stack([tf.sum(out.reconstruction), tf.sum(out.kl)]);
    });
    const [r, k] = sums.dataSync();
    tf.dispose([x, sums]);
    reconstruction += r;
    kl += k;
  }
  reconstruction /= data.n;
  kl /= data.n;
  return { elbo: -(reconstruction + kl), reconstruction, kl };
}
