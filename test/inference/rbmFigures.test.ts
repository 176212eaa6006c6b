import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { createRbm, rbmFrom } from '../../src/energy/rbm.ts';
import { gibbsSnapshots, rbmChainsPng, rbmFigures, rbmFiltersPng, rbmSamplesPng, RBM_FIGURES } from '../../src/inference/rbmFigures.ts';
import { Rng } from '../../src/random/rng.ts';

const shape = { tileRows: 28, tileCols: 28 };
const png = (bytes: Uint8Array) => decode(bytes);

describe('rbm figures', () => {
  it('draws the three figures with the sizes their layouts imply, the same for the same seed', () => {
    const model = createRbm(784, 12, new Rng(1), { weightStd: 0.5 });
    const data = Float32Array.from({ length: 40 * 784 }, (_, q) => (q % 7 === 0 ? 1 : 0));
    const a = rbmFigures(model, data, new Rng(2), { ...shape, k: 2, chains: 3, chainSweeps: 10 });
    const b = rbmFigures(model, data, new Rng(2), { ...shape, k: 2, chains: 3, chainSweeps: 10 });
    expect(a.map((f) => f.name)).toEqual([...RBM_FIGURES]);
    expect(b.map((f) => Array.from(f.png))).toEqual(a.map((f) => Array.from(f.png)));
    const [samples, filters, chains] = a.map((f) => png(f.png));
    expect([samples.width, samples.height]).toEqual([2 * (242 + 12 + 242), 2 * 122]); // two 4 × 8 panels of 30-pixel cells + 2
    expect([filters.width, filters.height]).toEqual([2 * 302, 2 * 62]); // 12 filters: 10 a row, 2 rows
    expect([chains.width, chains.height]).toEqual([2 * (4 * 30 + 2), 2 * (3 * 30 + 2)]); // sweeps 1, 2, 5, 10; 3 chains
  });

  it('normalises each filter on its own: its most negative weight black, its most positive white', () => {
    const W = new Float64Array(2 * 4);
    W.set([-3, 0, 1, 5, 0.1, 0.2, 0.2, 0.3]);
    const model = rbmFrom({ visible: 4, hidden: 2, W, vBias: new Float64Array(4), hBias: new Float64Array(2) });
    const img = png(rbmFiltersPng(model, { tileRows: 2, tileCols: 2 }));
    // Tile 0 at (2, 2), tile 1 at (6, 2) before the 2× magnification; padding is grey 128.
    const at = (x: number, y: number) => img.data[(2 * y) * img.width + 2 * x];
    expect([at(2, 2), at(3, 2), at(2, 3), at(3, 3)]).toEqual([0, Math.round(255 * 3 / 8), Math.round(255 * 4 / 8), 255]);
    expect([at(6, 2), at(7, 2), at(6, 3), at(7, 3)]).toEqual([0, 128, 128, 255]);
    expect(at(0, 0)).toBe(128);
  });

  it('records chains at the snapshot sweeps up to their length, as mean-field images in [0, 1]', () => {
    const model = createRbm(784, 5, new Rng(3), { weightStd: 0.1 });
    const { at, images } = gibbsSnapshots(model, new Rng(4), { chains: 2, sweeps: 30 });
    expect(at).toEqual([1, 2, 5, 10, 20, 30]);
    expect(images.length).toBe(2 * 6 * 784);
    expect(images.every((p) => p > 0 && p < 1)).toBe(true);
  });

  it('names the argument and the expected shape when a layout does not fit', () => {
    const model = createRbm(784, 3, new Rng(1));
    expect(() => rbmSamplesPng(new Float32Array(784), new Float32Array(2 * 784), shape)).toThrow(/rbmSamplesPng: real and generated must have the same length/);
    expect(() => rbmSamplesPng(new Float32Array(33 * 784), new Float32Array(33 * 784), shape)).toThrow(/rbmSamplesPng: real must hold 1 to 32 images/);
    expect(() => rbmFiltersPng(model, { tileRows: 10, tileCols: 10 })).toThrow(/rbmFiltersPng: tiles of 10 × 10 need visible = 100 \(the model has 784\)/);
    expect(() => rbmChainsPng(new Float32Array(100), 2, shape)).toThrow(/rbmChainsPng: images must have shape \[chains, 2, 784\]/);
    expect(() => gibbsSnapshots(model, new Rng(1), { chains: 0, sweeps: 3 })).toThrow(/gibbsSnapshots: chains must be an integer ≥ 1 \(got 0\)/);
  });
});
