import type { ImageGridPngOptions } from './sampleGridPng.ts';
import { encodePng } from './encodePng.ts';
import { tileGrid } from './tileGrid.ts';

export interface ReconstructionsPngOptions extends ImageGridPngOptions {
  /** Original–reconstruction pairs per row. Default 5 (ten images a row). */
  pairsPerRow?: number;
}

/**
 * Reconstructions beside their originals: each pair is the original, a 1-pixel seam, then its
 * reconstruction; pairs are laid out row-major, `pairsPerRow` to a row, 4 pixels apart so the
 * pairs read as units.
 *
 * @param originals shape [n, tileRows · tileCols], grey levels in [0, 1] (e.g. the first test images)
 * @param reconstructions same shape: the decoder's means for the originals' encodings
 * @returns PNG bytes
 * @example await writePng(join(dir, 'reconstructions.png'), reconstructionsPng(x, xHat));
 */
export function reconstructionsPng(originals: Float32Array, reconstructions: Float32Array, options: ReconstructionsPngOptions = {}): Uint8Array {
  const { tileRows = 28, tileCols = 28, scale = 1, pairsPerRow = 5 } = options;
  const tile = tileRows * tileCols;
  if (originals.length !== reconstructions.length) throw new RangeError(`reconstructionsPng: originals and reconstructions must have the same length (got ${originals.length} and ${reconstructions.length})`);
  if (originals.length === 0 || originals.length % tile !== 0) throw new RangeError(`reconstructionsPng: originals must hold n ≥ 1 images of ${tileRows} × ${tileCols} = ${tile} pixels (got ${originals.length} values)`);
  if (!Number.isInteger(pairsPerRow) || pairsPerRow < 1) throw new RangeError(`reconstructionsPng: pairsPerRow must be an integer ≥ 1 (got ${pairsPerRow})`);
  const n = originals.length / tile;
  // Each pair becomes one tile of tileRows × (2 · tileCols + 1): original | seam | reconstruction.
  const pairCols = 2 * tileCols + 1;
  const pairs = new Float32Array(n * tileRows * pairCols).fill(0.5);
  for (let p = 0; p < n; p++) {
    for (let r = 0; r < tileRows; r++) {
      const dst = (p * tileRows + r) * pairCols;
      pairs.set(originals.subarray(p * tile + r * tileCols, p * tile + (r + 1) * tileCols), dst);
      pairs.set(reconstructions.subarray(p * tile + r * tileCols, p * tile + (r + 1) * tileCols), dst + tileCols + 1);
    }
  }
  const cols = Math.min(pairsPerRow, n);
  const grid = tileGrid(pairs, { rows: Math.ceil(n / cols), cols, tileRows, tileCols: pairCols, padding: 4, scale });
  return encodePng(grid.width, grid.height, grid.pixels, 1);
}
