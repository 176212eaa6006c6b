import { encode } from 'fast-png';

/** Channels of an 8-bit PNG: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA. */
export type PngChannels = 1 | 2 | 3 | 4;

/**
 * An 8-bit PNG of `pixels`, encoded by fast-png (a maintained encoder: zlib via fflate, CRCs,
 * filters), so no hand-rolled deflate here.
 *
 * @param pixels shape [height, width, channels], row-major from the top-left corner, values 0–255
 * @param channels default 1 (greyscale)
 * @returns the PNG file's bytes
 * @example await writePng('digit.png', encodePng(28, 28, grey));
 */
export function encodePng(width: number, height: number, pixels: Uint8Array, channels: PngChannels = 1): Uint8Array {
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new RangeError(`encodePng: width and height must be integers ≥ 1 (got ${width} × ${height})`);
  }
  if (![1, 2, 3, 4].includes(channels)) throw new RangeError(`encodePng: channels must be 1, 2, 3 or 4 (got ${channels})`);
  if (pixels.length !== width * height * channels) {
    throw new RangeError(`encodePng: pixels must have width × height × channels = ${width} × ${height} × ${channels} = ${width * height * channels} values (got ${pixels.length})`);
  }
  return encode({ width, height, data: pixels, channels, depth: 8 });
}
