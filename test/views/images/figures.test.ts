import { decode } from 'fast-png';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SinkWriteError } from '../../../src/sinks/writeFileAtomic.ts';
import { encodePng } from '../../../src/views/images/encodePng.ts';
import { latentScatterPng } from '../../../src/views/images/latentScatterPng.ts';
import { TAB10 } from '../../../src/views/images/palette.ts';
import { reconstructionsPng } from '../../../src/views/images/reconstructionsPng.ts';
import { sampleGridPng } from '../../../src/views/images/sampleGridPng.ts';
import { traversalLatents, traversalPng } from '../../../src/views/images/traversalPng.ts';
import { writePng } from '../../../src/views/images/writePng.ts';

const P = 784;
/** count 28 × 28 images, image t uniformly (t mod 256) / 255 except pixel (0, 0) = 1. */
const flat = (count: number, offset = 0) => {
  const a = new Float32Array(count * P);
  for (let t = 0; t < count; t++) {
    a.fill(((t + offset) % 256) / 255, t * P, (t + 1) * P);
    a[t * P] = 1;
  }
  return a;
};
const grey = (png: Uint8Array) => {
  const d = decode(png);
  expect(d.channels).toBe(1);
  return { ...d, at: (x: number, y: number) => d.data[y * d.width + x] };
};

describe('image figures', () => {
  it('sampleGridPng: 10 × 10 tiles of 28 with padding 2, row-major', () => {
    const png = grey(sampleGridPng(flat(100)));
    expect([png.width, png.height]).toEqual([302, 302]);
    // Sample 37 is row 3, column 7; sample 70 row 7, column 0.
    expect(png.at(2 + 7 * 30 + 10, 2 + 3 * 30 + 10)).toBe(37);
    expect(png.at(2 + 7 * 30, 2 + 3 * 30)).toBe(255);
    expect(png.at(2 + 0 * 30 + 5, 2 + 7 * 30 + 5)).toBe(70);
    expect(() => sampleGridPng(flat(99))).toThrow('sampleGridPng: images must be 100 images of 28 × 28, 78400 values (got 77616)');
  });

  it('reconstructionsPng: each original beside its reconstruction, pairs row-major', () => {
    const n = 7;
    const png = grey(reconstructionsPng(flat(n), flat(n, 100), { pairsPerRow: 3 }));
    const pairWidth = 2 * 28 + 1;
    expect([png.width, png.height]).toEqual([3 * (pairWidth + 4) + 4, 3 * (28 + 4) + 4]);
    for (let p = 0; p < n; p++) {
      const left = 4 + (p % 3) * (pairWidth + 4);
      const top = 4 + Math.floor(p / 3) * 32;
      expect(png.at(left + 14, top + 14)).toBe(p); // original
      expect(png.at(left + 29 + 14, top + 14)).toBe(100 + p); // reconstruction, right of a 1-pixel seam
      expect(png.at(left + 28, top + 14)).toBe(128); // the seam
    }
    expect(() => reconstructionsPng(flat(2), flat(3))).toThrow(/same length/);
  });

  it('traversalLatents: columns z₁ from −3 to 3, rows z₂ from +3 at the top to −3', () => {
    const z = traversalLatents();
    expect(z.length).toBe(800);
    const point = (i: number, j: number) => [z[2 * (i * 20 + j)], z[2 * (i * 20 + j) + 1]];
    expect(point(0, 0)).toEqual([-3, 3]);
    expect(point(0, 19)).toEqual([3, 3]);
    expect(point(19, 0)).toEqual([-3, -3]);
    expect(point(19, 19)).toEqual([3, -3]);
    expect(point(5, 10)[0]).toBeCloseTo(-3 + (6 * 10) / 19, 6);
    expect(point(5, 10)[1]).toBeCloseTo(3 - (6 * 5) / 19, 6);
    expect(Array.from(traversalLatents({ n: 2, range: 1 }))).toEqual([-1, 1, 1, 1, -1, -1, 1, -1]);
  });

  it('traversalPng: 20 × 20 tiles without padding, image i · 20 + j at row i, column j', () => {
    const png = grey(traversalPng(flat(400)));
    expect([png.width, png.height]).toEqual([560, 560]);
    expect(png.at(0, 0)).toBe(255);
    expect(png.at(28 * 19 + 3, 3)).toBe(19); // top right: z = (3, 3)
    expect(png.at(3, 28 * 19 + 3)).toBe(380 % 256); // bottom left: z = (−3, −3)
    expect(png.at(28 * 7 + 3, 28 * 2 + 3)).toBe(47);
  });

  it('latentScatterPng: an RGB plot whose dots take their class colour; NaN and out-of-range points draw nothing', () => {
    const labels = Uint8Array.of(3);
    const empty = decode(latentScatterPng(Float32Array.of(NaN, 0), labels, { range: 1 }));
    expect([empty.width, empty.height, empty.channels]).toEqual([640, 480, 3]);
    const outside = decode(latentScatterPng(Float32Array.of(5, 0), labels, { range: 1 })).data;
    expect(Buffer.from(outside.buffer, outside.byteOffset, outside.byteLength).equals(Buffer.from(empty.data.buffer, empty.data.byteOffset, empty.data.byteLength))).toBe(true);
    const one = decode(latentScatterPng(Float32Array.of(0, 0), labels, { range: 1, alpha: 1, radius: 4 }));
    const changed: number[][] = [];
    for (let i = 0; i < one.data.length; i += 3) {
      if (one.data[i] !== empty.data[i] || one.data[i + 1] !== empty.data[i + 1] || one.data[i + 2] !== empty.data[i + 2]) changed.push([...one.data.subarray(i, i + 3)]);
    }
    expect(changed.length).toBeGreaterThanOrEqual(40); // a disc of radius 4 is about 50 pixels
    expect(changed.length).toBeLessThanOrEqual(60);
    expect(changed.every((rgb) => rgb.join() === TAB10[3].join())).toBe(true);
    // The legend shows every class's colour.
    const colours = new Set<number>();
    for (let i = 0; i < empty.data.length; i += 3) colours.add((empty.data[i] << 16) | (empty.data[i + 1] << 8) | empty.data[i + 2]);
    for (const [r, g, b] of TAB10) expect(colours.has((r << 16) | (g << 8) | b)).toBe(true);
    expect(() => latentScatterPng(new Float32Array(3), labels)).toThrow('latentScatterPng: points must have shape [n, 2] for n = 1 labels, 2 values (got 3)');
  });
});

describe('writePng', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qubit-rx-png-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the bytes under the name, leaving no temporary; replaces an earlier file', async () => {
    const path = join(dir, 'samples.png');
    const a = encodePng(2, 1, Uint8Array.of(0, 255));
    await writePng(path, a);
    const b = encodePng(1, 1, Uint8Array.of(9));
    await writePng(path, b);
    expect(Array.from(readFileSync(path))).toEqual(Array.from(b));
    expect(readdirSync(dir)).toEqual(['samples.png']);
  });

  it('refuses bytes that are not a PNG, and names the path when it cannot write', async () => {
    await expect(writePng(join(dir, 'raw.png'), Uint8Array.of(1, 2, 3))).rejects.toThrow(/writePng: the bytes for .*raw\.png are not a PNG/);
    expect(existsSync(join(dir, 'raw.png'))).toBe(false);
    const err = await writePng(join(dir, 'no', 'such', 'dir.png'), encodePng(1, 1, Uint8Array.of(0))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinkWriteError);
    expect((err as Error).message).toMatch(/^cannot write .*dir\.png: no such file or directory/);
  });
});
