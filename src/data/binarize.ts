import { hostKernels } from '../backend/hostKernels.ts';
import type { Rng } from '../random/rng.ts';

/**
 * Binarisation transforms for Bernoulli likelihoods: grey levels in [0, 1] → pixels in {0, 1}.
 * Both are pure functions of (images, …) → new array of the same shape, so they compose with
 * `subset`, minibatches and each other; neither touches its input.
 */

/**
 * One Bernoulli draw per pixel with success probability the grey level: out[i] = 1 with
 * probability images[i], else 0 (Salakhutdinov & Murray 2008; torch's `x.bernoulli()`). Called once
 * with a fixed seed it is the static binarisation of a test set; called per epoch with fresh draws
 * it is dynamic binarisation (see minibatches' `binarize: 'dynamic'`).
 *
 * One 32-bit uniform u per pixel, out = u < p · 2³²: exact for p = 0 and p = 1, within 2⁻³² of p
 * otherwise (grey levels are k/255, so 32 bits are plenty and half the cost of rng.uniform()).
 * Grey levels below 0 act as 0, above 1 as 1, NaN as 0.
 *
 * @param images any shape, e.g. [n, rows · cols]; grey levels in [0, 1]
 * @param rng advanced by images.length draws
 * @returns shape of `images`, values 0 or 1
 * @example const xb = binarizeStatic(test.images, new Rng(TEST_BINARIZATION_SEED));
 */
export function binarizeStatic(images: Float32Array, rng: Rng): Float32Array {
  const out = new Float32Array(images.length);
  // The host kernels draw the same words from the same generator (bit for bit), in under half the time.
  const kernels = hostKernels();
  if (kernels) {
    const state = Uint32Array.from(rng.state());
    kernels.binarize(images, out, state);
    rng.setState(Array.from(state));
    return out;
  }
  const u = rng.fillUint32(new Uint32Array(images.length));
  for (let i = 0; i < images.length; i++) out[i] = u[i] < images[i] * 4294967296 ? 1 : 0;
  return out;
}

/**
 * Deterministic binarisation: out[i] = 1 when images[i] > threshold, else 0 (so 0.5 itself maps
 * to 0). For figures and for comparing with work that thresholds MNIST instead of sampling it.
 *
 * @param images any shape; grey levels
 * @param threshold default 0.5; a finite number
 * @returns shape of `images`, values 0 or 1
 * @example const xt = binarizeThreshold(test.images, 0.5);
 */
export function binarizeThreshold(images: Float32Array, threshold = 0.5): Float32Array {
  if (!Number.isFinite(threshold)) throw new RangeError(`binarizeThreshold: threshold must be a finite number (got ${threshold})`);
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = images[i] > threshold ? 1 : 0;
  return out;
}
