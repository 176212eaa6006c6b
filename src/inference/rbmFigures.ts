import { gibbsSweep } from '../energy/gibbs.ts';
import { RbmEngine } from '../energy/rbmEngine.ts';
import { visibleProb, type Rbm, type Rows } from '../energy/rbm.ts';
import type { Rng } from '../random/rng.ts';
import { encodePng } from '../views/images/encodePng.ts';
import { magnify, tileGrid, type RasterImage } from '../views/images/tileGrid.ts';

/** The three figures of an RBM run, by file name, in the order they are drawn. */
export const RBM_FIGURES = ['rbm-samples.png', 'rbm-filters.png', 'rbm-chains.png'] as const;
export type RbmFigure = (typeof RBM_FIGURES)[number];

/** Images per panel of rbm-samples.png: the seed's `make_grid(v.view(32, 1, 28, 28))`, 4 rows of 8. */
export const SAMPLE_PANEL = Object.freeze({ rows: 4, cols: 8 });

/** Sweeps at which rbm-chains.png shows each chain (those ≤ the chain's length), roughly geometric. */
export const CHAIN_SNAPSHOTS = Object.freeze([1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]);

export interface ImageShape {
  /** Image height in pixels (28 for MNIST). */
  tileRows: number;
  /** Image width in pixels (28 for MNIST). */
  tileCols: number;
}

/**
 * The seed's two grids side by side: `real` (the data v) on the left, `generated` (v_k after k
 * Gibbs sweeps from each v) on the right, each 4 rows of 8 as torchvision's make_grid lays out 32
 * images, a 12-pixel gap between the panels, magnified 2×.
 *
 * @param real shape [n, tileRows · tileCols], n ≤ 32, values in [0, 1]
 * @param generated the same shape
 * @example rbmSamplesPng(v, vk, { tileRows: 28, tileCols: 28 })
 */
export function rbmSamplesPng(real: Rows, generated: Rows, shape: ImageShape): Uint8Array {
  const { tileRows, tileCols } = shape;
  const tile = tileRows * tileCols;
  const max = SAMPLE_PANEL.rows * SAMPLE_PANEL.cols;
  if (real.length !== generated.length) throw new RangeError(`rbmSamplesPng: real and generated must have the same length (got ${real.length} and ${generated.length})`);
  if (real.length === 0 || real.length % tile !== 0 || real.length / tile > max) {
    throw new RangeError(`rbmSamplesPng: real must hold 1 to ${max} images of ${tileRows} × ${tileCols} = ${tile} pixels (got ${real.length} values)`);
  }
  const grid = (x: Rows) => tileGrid(Float32Array.from(x), { ...SAMPLE_PANEL, tileRows, tileCols });
  const image = magnify(besideEachOther(grid(real), grid(generated), 12), 2);
  return encodePng(image.width, image.height, image.pixels, 1);
}

/**
 * The receptive fields: row j of W (shape [visible]) as a tileRows × tileCols image, the first
 * `count` hidden units (default 100) on a grid 10 wide, each tile min–max normalised on its own (so
 * black is the unit's most negative weight and white its most positive), magnified 2×.
 *
 * @example rbmFiltersPng(model, { tileRows: 28, tileCols: 28 })
 */
export function rbmFiltersPng(model: Rbm, shape: ImageShape & { count?: number }): Uint8Array {
  const { tileRows, tileCols } = shape;
  const V = model.visible;
  if (tileRows * tileCols !== V) throw new RangeError(`rbmFiltersPng: tiles of ${tileRows} × ${tileCols} need visible = ${tileRows * tileCols} (the model has ${V})`);
  const count = Math.min(shape.count ?? 100, model.hidden);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`rbmFiltersPng: count must be an integer ≥ 1 (got ${shape.count})`);
  const tiles = new Float32Array(count * V);
  for (let j = 0; j < count; j++) {
    const row = model.W.subarray(j * V, (j + 1) * V);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < V; i++) {
      lo = Math.min(lo, row[i]);
      hi = Math.max(hi, row[i]);
    }
    // A constant row (e.g. all zeros) shows as mid-grey rather than dividing by zero.
    const span = hi - lo;
    for (let i = 0; i < V; i++) tiles[j * V + i] = span > 0 ? (row[i] - lo) / span : 0.5;
  }
  const cols = Math.min(10, count);
  const grid = tileGrid(tiles, { rows: Math.ceil(count / cols), cols, tileRows, tileCols, scale: 2 });
  return encodePng(grid.width, grid.height, grid.pixels, 1);
}

export interface GibbsSnapshotsOptions {
  /** Chains run in parallel, an integer ≥ 1. */
  chains: number;
  /** Sweeps of each chain, an integer ≥ 1. */
  sweeps: number;
}

/**
 * Long block-Gibbs chains from random starts (every pixel Bernoulli(½)), recorded at the sweeps of
 * CHAIN_SNAPSHOTS that are ≤ `sweeps` (and at `sweeps` itself). What is recorded is the mean-field
 * image p(v = 1 | h) of the sweep's hidden draw — the chain's state is binary, its mean is legible.
 *
 * @returns `at` (the sweeps recorded, ascending) and `images`, shape [chains, at.length, visible], chain after chain
 * @example const { at, images } = gibbsSnapshots(model, new Rng(3), { chains: 10, sweeps: 1000 });
 */
export function gibbsSnapshots(model: Rbm, rng: Rng, options: GibbsSnapshotsOptions): { at: number[]; images: Float64Array } {
  const { chains, sweeps } = options;
  if (!Number.isInteger(chains) || chains < 1) throw new RangeError(`gibbsSnapshots: chains must be an integer ≥ 1 (got ${chains})`);
  if (!Number.isInteger(sweeps) || sweeps < 1) throw new RangeError(`gibbsSnapshots: sweeps must be an integer ≥ 1 (got ${sweeps})`);
  const V = model.visible;
  const at = [...new Set([...CHAIN_SNAPSHOTS.filter((s) => s <= sweeps), sweeps])].sort((a, b) => a - b);
  const images = new Float64Array(chains * at.length * V);
  let v: Float64Array = new Float64Array(chains * V);
  for (let q = 0; q < v.length; q++) v[q] = rng.uniform() < 0.5 ? 1 : 0;
  // Between snapshots the chains run on the wasm engine, which draws what gibbsSweep would; each
  // recorded sweep runs in JS for its hidden draw, whose mean image p(v|h) is the snapshot.
  const engine = new RbmEngine(model, { threads: 1 });
  let done = 0;
  for (let next = 0; next < at.length; next++) {
    if (at[next] - 1 > done) v = engine.gibbs(rng, v, at[next] - 1 - done);
    const step = gibbsSweep(model, rng, v);
    v = step.v;
    done = at[next];
    const mean = visibleProb(model, step.h);
    for (let c = 0; c < chains; c++) images.set(mean.subarray(c * V, (c + 1) * V), (c * at.length + next) * V);
  }
  return { at, images };
}

/**
 * Chains as rows, snapshots as columns (left: after one sweep; right: the last), magnified 2×.
 * @param images shape [chains, snapshots, visible], as gibbsSnapshots returns
 */
export function rbmChainsPng(images: Rows, snapshots: number, shape: ImageShape): Uint8Array {
  const { tileRows, tileCols } = shape;
  const per = snapshots * tileRows * tileCols;
  if (!Number.isInteger(snapshots) || snapshots < 1) throw new RangeError(`rbmChainsPng: snapshots must be an integer ≥ 1 (got ${snapshots})`);
  if (images.length === 0 || images.length % per !== 0) throw new RangeError(`rbmChainsPng: images must have shape [chains, ${snapshots}, ${tileRows * tileCols}] (got ${images.length} values)`);
  const grid = tileGrid(Float32Array.from(images), { rows: images.length / per, cols: snapshots, tileRows, tileCols, scale: 2 });
  return encodePng(grid.width, grid.height, grid.pixels, 1);
}

export interface RbmFiguresOptions extends ImageShape {
  /** Gibbs sweeps from each data image to its "generated" twin: the training's k (the seed's `forward`). */
  k: number;
  /** Long chains of rbm-chains.png. */
  chains: number;
  /** Sweeps of each long chain. */
  chainSweeps: number;
}

/**
 * Renders the three figures of an RBM run (PNG bytes):
 *
 * - `rbm-samples.png`: the seed's "real" and "generate": the first 32 images of `data` (binary)
 *   beside v_k, k block-Gibbs sweeps v → h → v from each (rbmSamplesPng);
 * - `rbm-filters.png`: the first 100 rows of W as images, each normalised (rbmFiltersPng);
 * - `rbm-chains.png`: `chains` long chains from random starts, at sweeps 1, 2, 5, … chainSweeps (gibbsSnapshots).
 *
 * Randomness comes from `rng` only: pass a generator from the same seed every epoch so the figures compare.
 *
 * @param data shape [n, visible], binary (e.g. the fixed binarisation of the test set), n ≥ 1
 * @example for (const { name, png } of rbmFigures(model, testB.images, new Rng(figureSeed), { tileRows: 28, tileCols: 28, k: 1, chains: 10, chainSweeps: 1000 })) writeFileAtomicSync(join(dir, name), png);
 */
export function rbmFigures(model: Rbm, data: Rows, rng: Rng, options: RbmFiguresOptions): Array<{ name: RbmFigure; png: Uint8Array }> {
  const { tileRows, tileCols, k, chains, chainSweeps } = options;
  const V = model.visible;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`rbmFigures: k must be an integer ≥ 1 (got ${k})`);
  const n = Math.min(SAMPLE_PANEL.rows * SAMPLE_PANEL.cols, Math.floor(data.length / V));
  if (n < 1) throw new RangeError(`rbmFigures: data must hold at least one image of ${V} pixels (got ${data.length} values)`);
  const real = Float64Array.from({ length: n * V }, (_, q) => data[q]);
  let generated: Float64Array = real;
  for (let s = 0; s < k; s++) generated = gibbsSweep(model, rng, generated).v;
  const snaps = gibbsSnapshots(model, rng, { chains, sweeps: chainSweeps });
  return [
    { name: 'rbm-samples.png', png: rbmSamplesPng(real, generated, { tileRows, tileCols }) },
    { name: 'rbm-filters.png', png: rbmFiltersPng(model, { tileRows, tileCols }) },
    { name: 'rbm-chains.png', png: rbmChainsPng(snaps.images, snaps.at.length, { tileRows, tileCols }) },
  ];
}

/** `a` and `b` side by side, `gap` pixels of mid-grey between, top-aligned (greyscale). */
function besideEachOther(a: RasterImage, b: RasterImage, gap: number): RasterImage {
  const width = a.width + gap + b.width;
  const height = Math.max(a.height, b.height);
  const pixels = new Uint8Array(width * height).fill(128);
  for (let y = 0; y < a.height; y++) pixels.set(a.pixels.subarray(y * a.width, (y + 1) * a.width), y * width);
  for (let y = 0; y < b.height; y++) pixels.set(b.pixels.subarray(y * b.width, (y + 1) * b.width), y * width + a.width + gap);
  return { width, height, channels: 1, pixels };
}
