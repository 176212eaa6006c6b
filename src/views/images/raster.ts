import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './bitmapFont.ts';

/** An RGB colour, each channel 0–255. */
export type Rgb = readonly [number, number, number];

/** A mutable RGB canvas: `pixels` of shape [height, width, 3], row-major from the top-left. */
export interface Canvas {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

/** A canvas filled with `background`. */
export function canvas(width: number, height: number, background: Rgb = [255, 255, 255]): Canvas {
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < pixels.length; i += 3) pixels.set(background, i);
  return { width, height, pixels };
}

/** Blends `colour` over pixel (x, y) with opacity `alpha`; pixels off the canvas are ignored. */
export function blend(c: Canvas, x: number, y: number, colour: Rgb, alpha = 1): void {
  if (x < 0 || y < 0 || x >= c.width || y >= c.height) return;
  const i = (y * c.width + x) * 3;
  for (let k = 0; k < 3; k++) c.pixels[i + k] = Math.round(c.pixels[i + k] * (1 - alpha) + colour[k] * alpha);
}

/** Fills the rectangle of integer corner (x, y) and size w × h. */
export function fillRect(c: Canvas, x: number, y: number, w: number, h: number, colour: Rgb, alpha = 1): void {
  for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) blend(c, xx, yy, colour, alpha);
}

/** Fills the disc of centre (cx, cy) and radius r (in pixels, sub-pixel centre): every pixel whose centre lies inside. */
export function fillDisc(c: Canvas, cx: number, cy: number, r: number, colour: Rgb, alpha = 1): void {
  for (let y = Math.floor(cy - r); y <= Math.ceil(cy + r); y++) {
    for (let x = Math.floor(cx - r); x <= Math.ceil(cx + r); x++) {
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      if (dx * dx + dy * dy <= r * r) blend(c, x, y, colour, alpha);
    }
  }
}

/**
 * Draws `text` in the 5 × 7 bitmap font with its top-left corner at (x, y), each font pixel a
 * `size` × `size` block.
 * @returns the x just after the text
 */
export function drawText(c: Canvas, x: number, y: number, text: string, colour: Rgb, size = 1): number {
  let left = x;
  for (const ch of text) {
    const rows = glyph(ch);
    for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
      for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
        if (rows[gy][gx] === '1') fillRect(c, left + gx * size, y + gy * size, size, size, colour);
      }
    }
    left += GLYPH_ADVANCE * size;
  }
  return left;
}
