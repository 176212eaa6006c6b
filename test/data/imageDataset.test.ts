import { describe, expect, it } from 'vitest';
import { imageAt, imageDataset, subset } from '../../src/data/imageDataset.ts';

const ds = imageDataset({ name: 'toy', n: 3, rows: 1, cols: 2, images: Float32Array.of(0, 0.1, 0.2, 0.3, 0.4, 1), labels: Uint8Array.of(2, 0, 1), classes: ['a', 'b', 'c'] });

describe('ImageDataset', () => {
  it('indexes one image (a view) and its label', () => {
    const { image, label } = imageAt(ds, 1);
    expect([Array.from(image).map((v) => Number(v.toFixed(3))), label]).toEqual([[0.2, 0.3], 0]);
    expect(image.buffer).toBe(ds.images.buffer);
    expect(() => imageAt(ds, 3)).toThrow('imageAt: index must be an integer in [0, 3) for toy (got 3)');
  });

  it('subset copies the rows asked, in order, repeats allowed', () => {
    const s = subset(ds, [2, 0, 2], 'picked');
    expect([s.name, s.n, s.rows, s.cols, s.classes]).toEqual(['picked', 3, 1, 2, ['a', 'b', 'c']]);
    expect(Array.from(s.labels)).toEqual([1, 2, 1]);
    expect(Array.from(s.images).map((v) => Number(v.toFixed(3)))).toEqual([0.4, 1, 0, 0.1, 0.4, 1]);
    expect(s.images.buffer).not.toBe(ds.images.buffer);
    expect(subset(ds, []).n).toBe(0);
    expect(() => subset(ds, [0, -1])).toThrow('subset: indices[1] must be an integer in [0, 3) for toy (got -1)');
  });

  it('checks its fields: lengths, label range, grey levels in [0, 1]', () => {
    const base = { name: 'bad', n: 1, rows: 1, cols: 2, images: Float32Array.of(0, 1), labels: Uint8Array.of(0), classes: ['a'] };
    expect(() => imageDataset({ ...base, images: Float32Array.of(0) })).toThrow('imageDataset bad: images must have n × rows × cols = 1 × 1 × 2 = 2 values (got 1)');
    expect(() => imageDataset({ ...base, labels: Uint8Array.of(1) })).toThrow('imageDataset bad: labels[0] = 1 is not a class index (1 classes)');
    expect(() => imageDataset({ ...base, images: Float32Array.of(0, 255) })).toThrow('imageDataset bad: images[1] = 255 is not a grey level in [0, 1]');
    expect(() => imageDataset({ ...base, images: Float32Array.of(NaN, 0) })).toThrow(/images\[0\] = NaN/);
  });
});
