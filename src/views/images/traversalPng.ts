import type { ImageGridPngOptions } from './sampleGridPng.ts';
import { encodePng } from './encodePng.ts';
import { tileGrid } from './tileGrid.ts';

export interface TraversalOptions {
  /** Points per axis. Default 20. */
  n?: number;
  /** The plane spans [−range, range] on both axes. Default 3 (±3 standard deviations of the N(0, I) prior). */
  range?: number;
}

/**
 * The latent points of the traversal of a 2-D latent plane, in the order traversalPng lays them
 * out — decode these and pass the result straight on, so the picture and its axes cannot
 * disagree. Point t = i · n + j (row i, column j of the picture) is
 *
 *   z₁ = −range + 2 · range · j / (n − 1)   (columns, left to right: −3 … 3)
 *   z₂ = +range − 2 · range · i / (n − 1)   (rows, top to bottom: +3 … −3, so up is +z₂ as on a plot)
 *
 * which is seed 004's `plot_latent_space` (grid_y reversed), on ±3 instead of ±1.
 *
 * @returns shape [n · n, 2], (z₁, z₂) per point
 * @example const z = traversalLatents();   // 400 × 2, z[0] = (−3, 3), z[799] = (3, −3)
 */
export function traversalLatents(options: TraversalOptions = {}): Float32Array {
  const { n = 20, range = 3 } = options;
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`traversalLatents: n must be an integer ≥ 2 (got ${n})`);
  if (!(range > 0 && Number.isFinite(range))) throw new RangeError(`traversalLatents: range must be a finite number > 0 (got ${range})`);
  const z = new Float32Array(n * n * 2);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      z[2 * (i * n + j)] = -range + (2 * range * j) / (n - 1);
      z[2 * (i * n + j) + 1] = range - (2 * range * i) / (n - 1);
    }
  }
  return z;
}

/**
 * The 20 × 20 traversal of the latent plane: image t = i · n + j at row i, column j, decoded from
 * traversalLatents()[t] — columns z₁ from −3 (left) to 3, rows z₂ from +3 (top) to −3. No padding
 * between tiles, so the manifold reads as one continuous picture (as the seed's figure).
 *
 * @param images shape [n · n, tileRows · tileCols], grey levels in [0, 1]
 * @returns PNG bytes, 560 × 560 for n = 20 and 28 × 28 images
 * @example await writePng(join(dir, 'traversal.png'), traversalPng(decode(traversalLatents())));
 */
export function traversalPng(images: Float32Array, options: ImageGridPngOptions & { n?: number } = {}): Uint8Array {
  const { tileRows = 28, tileCols = 28, scale = 1, n = 20 } = options;
  const expected = n * n * tileRows * tileCols;
  if (images.length !== expected) throw new RangeError(`traversalPng: images must be ${n} × ${n} images of ${tileRows} × ${tileCols}, ${expected} values (got ${images.length})`);
  const grid = tileGrid(images, { rows: n, cols: n, tileRows, tileCols, padding: 0, scale });
  return encodePng(grid.width, grid.height, grid.pixels, 1);
}
