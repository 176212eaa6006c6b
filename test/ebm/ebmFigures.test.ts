import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BOX } from '../../src/ebm/box.ts';
import { chainsPng, densityPng } from '../../src/ebm/ebmFigures.ts';
import { gridCentres } from '../../src/ebm/gridDensity.ts';
import { viridis } from '../../src/ebm/heatmap.ts';
import { toyDistribution } from '../../src/ebm/toyDatasets.ts';
import { Rng } from '../../src/random/rng.ts';

describe('EBM figures', () => {
  const n = 40;
  const truth = toyDistribution('checkerboard').logDensity(gridCentres(DEFAULT_BOX, n));
  const flat = new Float64Array(n * n).fill(-Math.log(64));

  it('draws the true density beside the model\'s as an RGB PNG, repeatably', () => {
    const input = { box: DEFAULT_BOX, n, trueLogDensity: truth, modelLogDensity: flat, data: toyDistribution('checkerboard').sample(100, new Rng(1)), dataset: 'checkerboard', step: 10, heldoutNll: 4.159, exactNll: 3.466 };
    const png = densityPng(input);
    const img = decode(png);
    expect([img.width, img.height, img.channels]).toEqual([688, 376, 3]);
    expect(densityPng(input)).toEqual(png);
    // The left panel's black squares are the top of viridis, its white squares the bottom.
    const at = (x: number, y: number) => Array.from(img.data.slice((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
    const [x0, y0] = [16, 24 + 16]; // panel origin (margin, title + margin)
    expect(at(x0 + 40, y0 + 320 - 40)).toEqual([...viridis(1)]); // square (0, 0): black
    expect(at(x0 + 120, y0 + 320 - 40)).toEqual([...viridis(0)]); // square (1, 0): white
  });

  it('draws chains over the energy', () => {
    const chains = [Float32Array.of(-3, -3, 0, 0, 3, 3), Float32Array.of(3, -3, 0, 0)];
    const img = decode(chainsPng({ box: DEFAULT_BOX, n, energy: truth.map((v) => (Number.isFinite(v) ? -v : 10)), chains, step: 5, langevinSteps: 2 }));
    expect([img.width, img.height]).toEqual([352, 376]);
  });

  it('maps [0, 1] onto viridis, clamping outside', () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(viridis(-3)).toEqual(viridis(0));
    expect(viridis(NaN)).toEqual(viridis(0));
  });
});
