import type { ImageDataset } from '../data/imageDataset.ts';
import { principalAxes } from '../stats/principalAxes.ts';
import { latentScatterPng } from '../views/images/latentScatterPng.ts';
import { reconstructionsPng } from '../views/images/reconstructionsPng.ts';
import { sampleGridPng } from '../views/images/sampleGridPng.ts';
import { traversalLatents, traversalPng } from '../views/images/traversalPng.ts';
import { decodeMeans, encodeMoments, type ImageVaePair } from './imageVaeMoments.ts';

/** The four figures of an image VAE run, by file name, in the order they are drawn. */
export const IMAGE_VAE_FIGURES = ['samples.png', 'reconstructions.png', 'latents.png', 'traversal.png'] as const;
export type ImageVaeFigure = (typeof IMAGE_VAE_FIGURES)[number];

export interface ImageVaeFiguresOptions {
  /** Shown in the scatter's title. */
  epoch: number;
  /** The prior draws decoded for the sample grid, shape [100, zDim]; pass the same every epoch so the grids are comparable. */
  priorDraws: Float32Array;
  /** Original–reconstruction pairs (the first test images). Default 50. */
  reconstructions?: number;
}

/**
 * How a latent of dimension d is shown in a plane:
 * - d = 2: the plane itself (z₁, z₂);
 * - d > 2: the plane through the prior's mean 0 spanned by the first two principal axes v₁, v₂ of
 *   the test set's encoder means μ (stats/principalAxes.ts): the scatter plots (μ·v₁, μ·v₂) and the
 *   traversal decodes z = a·v₁ + b·v₂; since the prior N(0, I) restricted to that plane is N(0, I₂),
 *   the traversal's ±3 are still ±3 prior standard deviations;
 * - d = 1: the scatter plots μ against σ; the traversal decodes 400 values of z from −3 to 3, read
 *   row by row like text.
 */
export function latentPlane(mu: Float32Array, d: number): { project: (mu: Float32Array, sigma: Float32Array) => Float32Array; lift: (plane: Float32Array) => Float32Array; label: string } {
  if (d === 2) return { project: (m) => m, lift: (p) => p, label: 'mu' };
  if (d === 1) {
    return {
      project: (m, s) => Float32Array.from({ length: 2 * m.length }, (_, i) => (i % 2 === 0 ? m[i / 2] : s[(i - 1) / 2])),
      lift: (p) => Float32Array.from({ length: p.length / 2 }, (_, t) => -3 + (6 * t) / (p.length / 2 - 1)),
      label: 'mu (x) and sigma (y)',
    };
  }
  const { axes } = principalAxes(mu, d, 2);
  return {
    project: (m) => {
      const n = m.length / d;
      const out = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < d; k++) {
          out[2 * i] += m[i * d + k] * axes[k];
          out[2 * i + 1] += m[i * d + k] * axes[d + k];
        }
      }
      return out;
    },
    lift: (p) => {
      const n = p.length / 2;
      const z = new Float32Array(n * d);
      for (let t = 0; t < n; t++) for (let k = 0; k < d; k++) z[t * d + k] = p[2 * t] * axes[k] + p[2 * t + 1] * axes[d + k];
      return z;
    },
    label: 'mu on principal axes 1, 2',
  };
}

/**
 * Renders the four figures people look at (PNG bytes, via views/images/):
 *
 * - `samples.png`: the 10 × 10 grid of decoder means at 100 prior draws z ~ N(0, I);
 * - `reconstructions.png`: the first test images (the model's inputs: binarised for a Bernoulli
 *   decoder) beside the decoder mean at their encoder mean μ(x);
 * - `latents.png`: the encoder means of the whole test set, coloured by label (see latentPlane for d ≠ 2);
 * - `traversal.png`: decoder means over the 20 × 20 grid [−3, 3]² of the latent plane.
 *
 * @param test the model's test inputs with labels
 * @example for (const { name, png } of imageVaeFigures(vae, testB, { epoch, priorDraws })) await writePng(join(dir, name), png);
 */
export function imageVaeFigures(model: ImageVaePair, test: ImageDataset, options: ImageVaeFiguresOptions): Array<{ name: ImageVaeFigure; png: Uint8Array }> {
  const { epoch, priorDraws } = options;
  const d = model.encoder.zDim;
  const tiles = { tileRows: test.rows, tileCols: test.cols };
  const pixels = test.rows * test.cols;
  const { mu, sigma } = encodeMoments(model.encoder, test);
  const plane = latentPlane(mu, d);

  const samples = sampleGridPng(decodeMeans(model.decoder, priorDraws), { ...tiles, scale: 2 });

  const count = Math.min(options.reconstructions ?? 50, test.n);
  const originals = test.images.subarray(0, count * pixels);
  const recon = reconstructionsPng(originals, decodeMeans(model.decoder, mu.subarray(0, count * d)), { ...tiles, scale: 2 });

  const scatter = latentScatterPng(plane.project(mu, sigma), test.labels, {
    classes: test.classes,
    title: `epoch ${epoch}: ${plane.label} of ${test.n} test images`,
  });

  const traversal = traversalPng(decodeMeans(model.decoder, plane.lift(traversalLatents())), tiles);
  return [
    { name: 'samples.png', png: samples },
    { name: 'reconstructions.png', png: recon },
    { name: 'latents.png', png: scatter },
    { name: 'traversal.png', png: traversal },
  ];
}
