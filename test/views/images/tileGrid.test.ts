import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../../src/views/images/encodePng.ts';
import { tileGrid } from '../../../src/views/images/tileGrid.ts';

/** count images of r × c whose pixel (y, x) of image t is ((t * 7 + y * c + x) % 256) / 255. */
function pattern(count: number, r: number, c: number): Float32Array {
  return Float32Array.from({ length: count * r * c }, (_, i) => {
    const t = Math.floor(i / (r * c));
    return ((t * 7 + (i % (r * c))) % 256) / 255;
  });
}

describe('tileGrid', () => {
  it('places image t at row ⌊t / cols⌋, column t mod cols, with padding around every tile', () => {
    const g = tileGrid(pattern(5, 3, 4), { rows: 2, cols: 3, tileRows: 3, tileCols: 4, padding: 2, padValue: 0.5 });
    expect([g.width, g.height, g.channels, g.pixels.length]).toEqual([3 * 6 + 2, 2 * 5 + 2, 1, 20 * 12]);
    const at = (x: number, y: number) => g.pixels[y * g.width + x];
    for (let t = 0; t < 5; t++) {
      const top = 2 + Math.floor(t / 3) * 5;
      const left = 2 + (t % 3) * 6;
      for (let y = 0; y < 3; y++) for (let x = 0; x < 4; x++) expect(at(left + x, top + y)).toBe((t * 7 + y * 4 + x) % 256);
    }
    expect([at(0, 0), at(1, 5), at(6, 1), at(19, 11)]).toEqual([128, 128, 128, 128]); // padding
    expect(at(2 + 2 * 6, 2 + 5)).toBe(128); // the sixth cell is empty
  });

  it('clamps to [0, 1], draws NaN black, magnifies by an integer scale', () => {
    const g = tileGrid(Float32Array.of(-1, 2, NaN, 0.5), { rows: 1, cols: 1, tileRows: 2, tileCols: 2, padding: 0, scale: 3 });
    expect([g.width, g.height]).toEqual([6, 6]);
    expect(Array.from(g.pixels.subarray(0, 6))).toEqual([0, 0, 0, 255, 255, 255]);
    expect(Array.from(g.pixels.subarray(30, 36))).toEqual([0, 0, 0, 128, 128, 128]);
  });

  it('rejects partial images, too many images and bad sizes', () => {
    expect(() => tileGrid(new Float32Array(785), { rows: 1, cols: 1 })).toThrow('tileGrid: images must hold whole images of 28 × 28 = 784 pixels (got 785 values)');
    expect(() => tileGrid(new Float32Array(3 * 784), { rows: 1, cols: 2 })).toThrow('tileGrid: 3 images do not fit a grid of 1 × 2');
    expect(() => tileGrid(new Float32Array(784), { rows: 0, cols: 1 })).toThrow('tileGrid: rows must be an integer ≥ 1 (got 0)');
  });
});

describe('encodePng', () => {
  it('round-trips greyscale and RGB pixels through fast-png', () => {
    const grey = Uint8Array.from({ length: 7 * 5 }, (_, i) => (i * 37) % 256);
    const g = decode(encodePng(7, 5, grey));
    expect([g.width, g.height, g.channels, g.depth]).toEqual([7, 5, 1, 8]);
    expect(Array.from(g.data)).toEqual(Array.from(grey));
    const rgb = Uint8Array.from({ length: 3 * 4 * 3 }, (_, i) => (i * 11) % 256);
    const c = decode(encodePng(3, 4, rgb, 3));
    expect([c.width, c.height, c.channels]).toEqual([3, 4, 3]);
    expect(Array.from(c.data)).toEqual(Array.from(rgb));
    expect(() => encodePng(3, 4, rgb, 1)).toThrow('encodePng: pixels must have width × height × channels = 3 × 4 × 1 = 12 values (got 36)');
  });

  it('encodes a tile grid whose decoded pixels are the grid', () => {
    const g = tileGrid(pattern(4, 28, 28), { rows: 2, cols: 2 });
    const png = decode(encodePng(g.width, g.height, g.pixels));
    expect([png.width, png.height]).toEqual([62, 62]);
    expect(png.data[(2 + 30 + 5) * 62 + (2 + 30 + 9)]).toBe((3 * 7 + 5 * 28 + 9) % 256); // image 3, pixel (5, 9)
  });
});
