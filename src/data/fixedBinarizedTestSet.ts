import { Rng } from '../random/rng.ts';
import { binarizeStatic } from './binarize.ts';
import type { ImageDataset } from './imageDataset.ts';

/**
 * The seed of the one fixed binarisation of a test set. Pipelines pass this constant, not the
 * run's `--seed`, so that test log-likelihoods of runs with different seeds are computed on the
 * very same binary images and can be compared.
 */
export const TEST_BINARIZATION_SEED = 0;

/**
 * `test` with every grey level replaced by one Bernoulli draw (binarizeStatic with `new Rng(seed)`),
 * drawn once: evaluating on it every epoch measures the model, not fresh binarisation noise —
 * while training images are re-drawn every epoch (minibatches' `binarize: 'dynamic'`).
 * Labels, shape and order are those of `test`.
 *
 * @param seed default TEST_BINARIZATION_SEED; 0 is a seed like any other
 * @returns images shape [n, rows · cols] in {0, 1}; name `${test.name} (binarised, seed ${seed})`
 * @example const testB = fixedBinarizedTestSet(test);
 */
export function fixedBinarizedTestSet(test: ImageDataset, seed = TEST_BINARIZATION_SEED): ImageDataset {
  const images = binarizeStatic(test.images, new Rng(seed));
  return Object.freeze({ ...test, name: `${test.name} (binarised, seed ${seed})`, images });
}
