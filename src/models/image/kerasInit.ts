import { tf } from '../../backend/tf.ts';
import { Linear } from '../../nn/linear.ts';
import type { Rng } from '../../random/rng.ts';

/**
 * Keras's default kernel initialiser, glorot_uniform: U(−a, a) with a = √(6 / (fanIn + fanOut)),
 * fan = channels × receptive field (kh·kw for convolutions, 1 for Dense). Drawn from an explicit Rng.
 *
 * @returns `size` values, to be shaped by the caller
 */
export function glorotUniform(size: number, fanIn: number, fanOut: number, rng: Rng): Float32Array {
  const a = Math.sqrt(6 / (fanIn + fanOut));
  return Float32Array.from({ length: size }, () => (2 * rng.uniform() - 1) * a);
}

/**
 * A Linear initialised as Keras's Dense: glorot_uniform weights, zero bias (the Keras VAE's layers),
 * instead of PyTorch's U(±1/√in).
 */
export function kerasDense(inFeatures: number, outFeatures: number, rng: Rng, name: string): Linear {
  const layer = new Linear(inFeatures, outFeatures, rng, name);
  tf.tidy(() => {
    layer.weight.assign(tf.tensor2d(glorotUniform(inFeatures * outFeatures, inFeatures, outFeatures, rng), [inFeatures, outFeatures]));
    layer.bias.assign(tf.zeros([outFeatures]));
  });
  return layer;
}
