import { decode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { subset, type ImageDataset } from '../../src/data/imageDataset.ts';
import { loadShippedDigits } from '../../src/data/shippedDigits.ts';
import { imageVaeFigures, latentPlane } from '../../src/inference/imageVaeFigures.ts';
import { imageVae } from '../../src/models/image/imageVae.ts';
import { Rng } from '../../src/random/rng.ts';

let test: ImageDataset;
beforeAll(async () => {
  await selectBackend('wasm');
  test = subset(loadShippedDigits().test, Array.from({ length: 60 }, (_, i) => i));
});

describe('imageVaeFigures', () => {
  it.each([[2], [8], [1]])('draws the four figures of a latent of dimension %i, freeing every tensor', (d) => {
    const vae = imageVae({ architecture: 'mlp8', likelihood: 'normal', zDim: d }, new Rng(1));
    const before = tf.memory().numTensors;
    const rng = new Rng(2);
    const figures = imageVaeFigures(vae, test, { epoch: 3, priorDraws: Float32Array.from({ length: 100 * d }, () => rng.normal()) });
    expect(tf.memory().numTensors).toBe(before);
    const sizes = figures.map(({ name, png }) => [name, decode(png).width, decode(png).height]);
    expect(sizes).toEqual([['samples.png', 604, 604], ['reconstructions.png', 618, 648], ['latents.png', 640, 480], ['traversal.png', 560, 560]]);
    vae.encoder.dispose();
    vae.decoder.dispose();
  });

  it('a latent of d > 2 is shown in the plane of its first two principal axes: lift then project is the identity', () => {
    const rng = new Rng(5);
    const d = 5;
    const mu = Float32Array.from({ length: 400 * d }, (_, i) => rng.normal() * (i % d === 3 ? 4 : i % d === 1 ? 2 : 0.3));
    const plane = latentPlane(mu, d);
    const points = Float32Array.of(1, 0, 0, 1, -2.5, 0.75);
    const z = plane.lift(points);
    expect(z.length).toBe(3 * d);
    // The first axis is coordinate 3 (sd 4), the second coordinate 1 (sd 2), up to sampling.
    expect(Math.abs(z[3])).toBeGreaterThan(0.99);
    expect(Math.abs(z[d + 1])).toBeGreaterThan(0.99);
    Array.from(plane.project(z, new Float32Array(z.length))).forEach((v, i) => expect(v).toBeCloseTo(points[i], 5));
  });
});
