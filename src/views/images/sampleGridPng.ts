import { encodePng } from './encodePng.ts';
import { tileGrid } from './tileGrid.ts';

export interface ImageGridPngOptions {
  /** Image height in pixels. Default 28. */
  tileRows?: number;
  /** Image width in pixels. Default 28. */
  tileCols?: number;
  /** Integer magnification. Default 1. */
  scale?: number;
}

/**
 * The 10 × 10 grid of model samples (e.g. decoder means of 100 draws z ~ N(0, I)), row-major:
 * sample t at row ⌊t / 10⌋, column t mod 10.
 *
 * @param images shape [100, tileRows · tileCols], grey levels in [0, 1]
 * @returns PNG bytes, 302 × 302 for 28 × 28 images
 * @example await writePng(join(dir, `samples-${epoch}.png`), sampleGridPng(decoded));
 */
export function sampleGridPng(images: Float32Array, options: ImageGridPngOptions = {}): Uint8Array {
  const { tileRows = 28, tileCols = 28, scale = 1 } = options;
  const expected = 100 * tileRows * tileCols;
  if (images.length !== expected) throw new RangeError(`sampleGridPng: images must be 100 images of ${tileRows} × ${tileCols}, ${expected} values (got ${images.length})`);
  const grid = tileGrid(images, { rows: 10, cols: 10, tileRows, tileCols, scale });
  return encodePng(grid.width, grid.height, grid.pixels, 1);
}
