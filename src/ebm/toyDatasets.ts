import { checkerboard } from './checkerboard.ts';
import { moons } from './moons.ts';
import { rings } from './rings.ts';
import type { ToyDistribution } from './toyData.ts';

/** The toy data sets by name, in `--help` order. */
export const TOY_DATASETS = ['moons', 'rings', 'checkerboard'] as const;
export type ToyDatasetName = (typeof TOY_DATASETS)[number];

/**
 * The toy distribution called `name`, with its default settings.
 * @throws RangeError naming the allowed names for any other
 * @example toyDistribution('rings').sample(500, new Rng(1));
 */
export function toyDistribution(name: ToyDatasetName): ToyDistribution {
  switch (name) {
    case 'moons': return moons();
    case 'rings': return rings();
    case 'checkerboard': return checkerboard();
    default: throw new RangeError(`toyDistribution: name must be one of ${TOY_DATASETS.join(', ')} (got "${String(name)}")`);
  }
}
