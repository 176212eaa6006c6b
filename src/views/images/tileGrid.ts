/** An 8-bit raster image: `pixels` of shape [height, width, channels], row-major from the top-left. */
export interface RasterImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly pixels: Uint8Array;
}

export interface TileGridOptions {
  /** Rows of tiles. */
  rows: number;
  /** Columns of tiles. */
  cols: number;
  /** Height of one image in pixels. Default 28. */
  tileRows?: number;
  /** Width of one image in pixels. Default 28. */
  tileCols?: number;
  /** Pixels between tiles and around the border. Default 2. */
  padding?: number;
  /** Grey level of the padding and of empty cells, in [0, 1]. Default 0.5: visible between MNIST's black backgrounds. */
  padValue?: number;
  /** Integer nearest-neighbour magnification of the whole grid. Default 1. */
  scale?: number;
}

/**
 * Lays images out on a grid, as torchvision's `make_grid`: image t goes to row ⌊t / cols⌋,
 * column t mod cols (row-major), with `padding` pixels around every tile. Fewer images than cells
 * leave the last cells empty (padValue).
 *
 * Grey levels map to bytes as round(255 · v) after clamping to [0, 1]; NaN shows as 0 (black), so
 * a diverged model still gets a figure instead of an exception mid-training.
 *
 * @param images shape [count, tileRows · tileCols], count ≤ rows · cols, grey levels in [0, 1]
 * @returns greyscale, width = scale · (cols · (tileCols + padding) + padding), height likewise
 * @example const grid = tileGrid(samples, { rows: 10, cols: 10 });   // 302 × 302
 */
export function tileGrid(images: Float32Array, options: TileGridOptions): RasterImage {
  const { rows, cols, tileRows = 28, tileCols = 28, padding = 2, padValue = 0.5, scale = 1 } = options;
  const fn = 'tileGrid';
  for (const [name, v, min] of [['rows', rows, 1], ['cols', cols, 1], ['tileRows', tileRows, 1], ['tileCols', tileCols, 1], ['padding', padding, 0], ['scale', scale, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`${fn}: ${name} must be an integer ≥ ${min} (got ${v})`);
  }
  if (!(padValue >= 0 && padValue <= 1)) throw new RangeError(`${fn}: padValue must be a grey level in [0, 1] (got ${padValue})`);
  const tile = tileRows * tileCols;
  if (images.length % tile !== 0) throw new RangeError(`${fn}: images must hold whole images of ${tileRows} × ${tileCols} = ${tile} pixels (got ${images.length} values)`);
  const count = images.length / tile;
  if (count > rows * cols) throw new RangeError(`${fn}: ${count} images do not fit a grid of ${rows} × ${cols}`);

  const width = cols * (tileCols + padding) + padding;
  const height = rows * (tileRows + padding) + padding;
  const grid = new Uint8Array(width * height).fill(toByte(padValue));
  for (let t = 0; t < count; t++) {
    const top = padding + Math.floor(t / cols) * (tileRows + padding);
    const left = padding + (t % cols) * (tileCols + padding);
    for (let r = 0; r < tileRows; r++) {
      const src = t * tile + r * tileCols;
      const dst = (top + r) * width + left;
      for (let c = 0; c < tileCols; c++) grid[dst + c] = toByte(images[src + c]);
    }
  }
  return scale === 1 ? { width, height, channels: 1, pixels: grid } : magnify({ width, height, channels: 1, pixels: grid }, scale);
}

/** A grey level in [0, 1] as a byte; NaN → 0. */
export function toByte(v: number): number {
  return v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0;
}

/** Nearest-neighbour magnification by an integer factor. */
export function magnify(image: RasterImage, scale: number): RasterImage {
  const { width, height, channels, pixels } = image;
  const w = width * scale;
  const out = new Uint8Array(w * height * scale * channels);
  for (let y = 0; y < height * scale; y++) {
    const srcRow = Math.floor(y / scale) * width;
    for (let x = 0; x < w; x++) {
      const s = (srcRow + Math.floor(x / scale)) * channels;
      const d = (y * w + x) * channels;
      for (let k = 0; k < channels; k++) out[d + k] = pixels[s + k];
    }
  }
  return { width: w, height: height * scale, channels, pixels: out };
}
