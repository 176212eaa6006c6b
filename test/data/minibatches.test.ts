import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { hostKernels, NATIVE_ENV } from '../../src/backend/hostKernels.ts';
import { binarizeStatic, binarizeThreshold } from '../../src/data/binarize.ts';
import { fixedBinarizedTestSet, TEST_BINARIZATION_SEED } from '../../src/data/fixedBinarizedTestSet.ts';
import { imageDataset, type ImageDataset } from '../../src/data/imageDataset.ts';
import { minibatches, type Minibatch } from '../../src/data/minibatches.ts';
import { Rng } from '../../src/random/rng.ts';

/** n images of 2 × 2 pixels; image i's first pixel encodes i (i / n), the label is i mod 10. */
function toy(n: number): ImageDataset {
  const images = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) images.set([i / n, 0.25, 0.5, 1], i * 4);
  return imageDataset({ name: 'toy', n, rows: 2, cols: 2, images, labels: Uint8Array.from({ length: n }, (_, i) => i % 10), classes: [...'0123456789'] });
}
/** n identical images whose 8 pixels have the grey levels `GREY`. */
const GREY = [0, 0.05, 0.2, 0.5, 0.7, 0.9, 0.99, 1];
function greyLevels(n: number): ImageDataset {
  const images = new Float32Array(n * GREY.length);
  for (let i = 0; i < n; i++) images.set(GREY, i * GREY.length);
  return imageDataset({ name: 'grey', n, rows: 2, cols: 4, images, labels: new Uint8Array(n), classes: ['x'] });
}
const all = (s: ReturnType<typeof minibatches>): Promise<Minibatch[]> => lastValueFrom(s.pipe(toArray()));
const epochOrder = (batches: Minibatch[], epoch: number): number[] => batches.filter((b) => b.epoch === epoch).flatMap((b) => Array.from(b.indices));

describe('minibatches', () => {
  it('serves every image exactly once per epoch, in batches with their rows, labels and counters', async () => {
    const ds = toy(23);
    const batches = await all(minibatches(ds, { batch: 5, epochs: 3, shuffle: true, rng: new Rng(1) }));
    expect(batches.map((b) => b.size)).toEqual([5, 5, 5, 5, 3, 5, 5, 5, 5, 3, 5, 5, 5, 5, 3]);
    expect(batches.map((b) => [b.epoch, b.index, b.step])).toEqual(Array.from({ length: 15 }, (_, s) => [Math.floor(s / 5), s % 5, s]));
    expect(batches.map((b) => b.isLastInEpoch)).toEqual(Array.from({ length: 15 }, (_, s) => s % 5 === 4));
    expect(batches.every((b) => b.batchesPerEpoch === 5)).toBe(true);
    for (let e = 0; e < 3; e++) expect(epochOrder(batches, e).sort((a, b) => a - b)).toEqual([...Array(23).keys()]);
    for (const b of batches) {
      expect(b.images.length).toBe(b.size * 4);
      b.indices.forEach((i, k) => {
        expect(b.labels[k]).toBe(i % 10);
        expect(b.images[k * 4]).toBeCloseTo(i / 23, 6);
      });
    }
  });

  it('reshuffles every epoch; the same seed gives the same batches, on every subscription; another seed differs', async () => {
    const ds = toy(40);
    const rng = new Rng(7);
    const stream = minibatches(ds, { batch: 8, epochs: 3, shuffle: true, rng });
    const a = await all(stream);
    const b = await all(stream); // cold: a second subscription starts afresh
    const c = await all(minibatches(ds, { batch: 8, epochs: 3, shuffle: true, rng: new Rng(7) }));
    const d = await all(minibatches(ds, { batch: 8, epochs: 3, shuffle: true, rng: new Rng(8) }));
    expect(epochOrder(a, 0)).not.toEqual(epochOrder(a, 1));
    expect(epochOrder(a, 1)).not.toEqual(epochOrder(a, 2));
    expect(epochOrder(a, 0)).not.toEqual([...Array(40).keys()]);
    expect(b.map((x) => Array.from(x.indices))).toEqual(a.map((x) => Array.from(x.indices)));
    expect(c.map((x) => Array.from(x.indices))).toEqual(a.map((x) => Array.from(x.indices)));
    expect(epochOrder(d, 0)).not.toEqual(epochOrder(a, 0));
    // The caller's generator moved on by exactly one fork.
    const reference = new Rng(7);
    reference.fork();
    expect(rng.state()).toEqual(reference.state());
  });

  it('keeps the data set order without shuffle (no rng needed); dropLast drops the short batch', async () => {
    const ds = toy(10);
    const plain = await all(minibatches(ds, { batch: 4, epochs: 2, shuffle: false }));
    expect(plain.map((b) => Array.from(b.indices))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(plain[0].images).toEqual(ds.images.subarray(0, 16));
    const dropped = await all(minibatches(ds, { batch: 4, epochs: 2, shuffle: true, rng: new Rng(3), dropLast: true }));
    expect(dropped.map((b) => [b.epoch, b.index, b.size, b.isLastInEpoch])).toEqual([[0, 0, 4, false], [0, 1, 4, true], [1, 0, 4, false], [1, 1, 4, true]]);
  });

  it('resumes: startEpoch e replays epoch e of the full run, with global steps', async () => {
    const ds = toy(12);
    const opts = { batch: 5, shuffle: true, binarize: 'dynamic' as const };
    const full = await all(minibatches(ds, { ...opts, epochs: 3, rng: new Rng(11) }));
    const resumed = await all(minibatches(ds, { ...opts, epochs: 1, startEpoch: 2, rng: new Rng(11) }));
    const tail = full.filter((b) => b.epoch === 2);
    expect(resumed.map((b) => [b.epoch, b.step, Array.from(b.indices)])).toEqual(tail.map((b) => [b.epoch, b.step, Array.from(b.indices)]));
    expect(resumed.map((b) => Array.from(b.images))).toEqual(tail.map((b) => Array.from(b.images)));
  });

  it('binarises dynamically: {0, 1}, fresh draws every epoch, pixel means ≈ grey levels within binomial error', async () => {
    const ds = greyLevels(50);
    const epochs = 200;
    const batches = await all(minibatches(ds, { batch: 50, epochs, shuffle: true, rng: new Rng(5), binarize: 'dynamic' }));
    expect(batches.every((b) => b.images.every((v) => v === 0 || v === 1))).toBe(true);
    expect(Array.from(batches[0].images)).not.toEqual(Array.from(batches[1].images));
    const draws = epochs * ds.n;
    const mean = GREY.map((_, p) => batches.reduce((s, b) => s + b.images.reduce((t, v, i) => t + (i % GREY.length === p ? v : 0), 0), 0) / draws);
    GREY.forEach((g, p) => {
      const sigma = Math.sqrt((g * (1 - g)) / draws);
      expect(Math.abs(mean[p] - g)).toBeLessThanOrEqual(4 * sigma); // exact for g = 0 and g = 1
    });
    // 'none' serves the grey levels themselves.
    const grey = await firstValueFrom(minibatches(ds, { batch: 50, epochs: 1, shuffle: false }));
    expect(Array.from(grey.images.subarray(0, 8))).toEqual(GREY.map(Math.fround));
  });

  it('yields to the event loop between batches and stops on unsubscribe', async () => {
    const seen: string[] = [];
    const stream = minibatches(toy(30), { batch: 10, epochs: 5, shuffle: false });
    const done = lastValueFrom(stream.pipe(take(2)));
    const sub = stream.subscribe((b) => {
      seen.push(`batch ${b.step}`);
      setImmediate(() => seen.push(`immediate after ${b.step}`));
      if (b.step === 2) sub.unsubscribe();
    });
    expect(seen).toEqual([]); // nothing is emitted synchronously on subscribe
    await done;
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual(['batch 0', 'immediate after 0', 'batch 1', 'immediate after 1', 'batch 2', 'immediate after 2']);
  });

  it('rejects bad options with messages naming them', () => {
    const ds = toy(3);
    expect(() => minibatches(ds, { batch: 0, epochs: 1, shuffle: false })).toThrow('minibatches: batch must be an integer ≥ 1 (got 0)');
    expect(() => minibatches(ds, { batch: 2, epochs: 0, shuffle: false })).toThrow('minibatches: epochs must be an integer ≥ 1 or Infinity (got 0)');
    expect(() => minibatches(ds, { batch: 2, epochs: 1, shuffle: true })).toThrow(/options\.rng is required/);
    expect(() => minibatches(ds, { batch: 2, epochs: 1, shuffle: false, binarize: 'dynamic' })).toThrow(/options\.rng is required/);
    expect(() => minibatches(ds, { batch: 4, epochs: 1, shuffle: false, dropLast: true })).toThrow('minibatches: toy has 3 images, fewer than one batch of 4 with dropLast');
  });
});

describe('binarisation transforms', () => {
  it('binarizeStatic: one Bernoulli draw per pixel, exact at 0 and 1, seeded', () => {
    const p = new Float32Array(20000).map((_, i) => [0, 1, 0.3][i % 3]);
    const a = binarizeStatic(p, new Rng(1));
    expect(Array.from(binarizeStatic(p, new Rng(1)))).toEqual(Array.from(a));
    expect(Array.from(binarizeStatic(p, new Rng(2)))).not.toEqual(Array.from(a));
    let ones = 0;
    let count = 0;
    a.forEach((v, i) => {
      if (i % 3 === 0) expect(v).toBe(0);
      else if (i % 3 === 1) expect(v).toBe(1);
      else { ones += v; count++; }
    });
    expect(Math.abs(ones / count - 0.3)).toBeLessThan(4 * Math.sqrt((0.3 * 0.7) / count));
  });

  it.skipIf(hostKernels() == null)('binarizeStatic: the host kernels give the JavaScript loop\'s pixels and leave the generator where it does, bit for bit', () => {
    const rng0 = new Rng(3);
    const p = Float32Array.from({ length: 9999 }, (_, i) => [0, 1, -0.5, 1.5, NaN][i % 7] ?? rng0.uniform());
    const host = new Rng(7), js = new Rng(7);
    const a = binarizeStatic(p, host);
    const saved = process.env[NATIVE_ENV];
    process.env[NATIVE_ENV] = '0';
    try {
      const b = binarizeStatic(p, js);
      expect(Buffer.compare(Buffer.from(a.buffer), Buffer.from(b.buffer))).toBe(0);
    } finally {
      if (saved === undefined) delete process.env[NATIVE_ENV];
      else process.env[NATIVE_ENV] = saved;
    }
    expect(host.state()).toEqual(js.state());
    expect(host.nextUint32()).toBe(js.nextUint32());
  });

  it('binarizeThreshold: 1 strictly above the threshold', () => {
    expect(Array.from(binarizeThreshold(Float32Array.of(0, 0.49, 0.5, 0.51, 1)))).toEqual([0, 0, 0, 1, 1]);
    expect(Array.from(binarizeThreshold(Float32Array.of(0.1, 0.3), 0.2))).toEqual([0, 1]);
    expect(() => binarizeThreshold(new Float32Array(1), NaN)).toThrow(/threshold must be a finite number/);
  });

  it('fixedBinarizedTestSet: one fixed draw, the same on every call, labels kept, means ≈ grey levels', () => {
    const test = greyLevels(2000);
    const a = fixedBinarizedTestSet(test);
    const b = fixedBinarizedTestSet(test, TEST_BINARIZATION_SEED);
    expect(Array.from(b.images)).toEqual(Array.from(a.images));
    expect(Array.from(fixedBinarizedTestSet(test, 1).images)).not.toEqual(Array.from(a.images));
    expect(a.labels).toBe(test.labels);
    expect([a.n, a.rows, a.cols, a.name]).toEqual([2000, 2, 4, 'grey (binarised, seed 0)']);
    expect(test.images[3]).toBeCloseTo(0.5, 6); // the source is untouched
    GREY.forEach((g, p) => {
      let s = 0;
      for (let i = 0; i < test.n; i++) s += a.images[i * GREY.length + p];
      expect(Math.abs(s / test.n - g)).toBeLessThanOrEqual(4 * Math.sqrt((g * (1 - g)) / test.n));
    });
  });
});
