import type { Tensor } from '../../backend/tf.ts';
import type { Module } from '../../nn/module.ts';
import type { Encoding } from '../encoder.ts';
import type { ImageDecoding } from './pixelLikelihood.ts';

/**
 * An image encoder: flat images [batch, pixels] → q(z|x) = Normal(μ, σ) with batch shape
 * [batch, zDim], and log σ (the same `Encoding` the qubit encoder returns, so `encode`,
 * `sampleLatent` and `elbo` drive it unchanged).
 */
export interface ImageEncoder extends Module {
  readonly pixels: number;
  readonly zDim: number;
  /** @param x images, shape [batch, pixels], row-major (data/imageDataset.ts's layout) */
  apply(x: Tensor): Encoding;
}

/**
 * An image decoder: latents [..., zDim] (one per record, [batch, zDim]; or K per record,
 * [K, batch, zDim]) → p(x|z) with batch shape [..., pixels].
 */
export interface ImageDecoder extends Module {
  readonly pixels: number;
  readonly zDim: number;
  apply(z: Tensor): ImageDecoding;
}
