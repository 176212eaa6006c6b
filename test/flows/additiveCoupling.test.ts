import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { AdditiveCoupling } from '../../src/flows/additiveCoupling.ts';
import { Rng } from '../../src/random/rng.ts';
import { checkKernelLayer, maxAbsDiff, normals, randomiseParameters, take } from './helpers.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

describe('AdditiveCoupling', () => {
  it('keeps the layer invariants at random parameters, both parities, d = 2 and 3, explicit mask', () => {
    const rng = new Rng(21);
    for (const [d, options] of [[2, { parity: 0 }], [2, { parity: 1 }], [3, { parity: 1, hidden: [4, 3] }], [3, { mask: [true, true, false] }]] as const) {
      const layer = new AdditiveCoupling(d, rng, options);
      randomiseParameters(layer, rng, 1);
      checkKernelLayer(layer, { rng });
      layer.dispose();
    }
  });

  it('is volume preserving, leaves the conditioning half alone, and starts as the identity', () => {
    const rng = new Rng(3);
    const x = tf.tensor2d(Float32Array.from(normals(rng, 40)), [20, 2]);
    const fresh = new AdditiveCoupling(2, rng);
    const id = fresh.forward(x);
    expect(maxAbsDiff(take(id.y), x.dataSync())).toBe(0);
    expect(maxAbsDiff(take(id.logAbsDet), new Float64Array(20))).toBe(0);
    randomiseParameters(fresh, rng, 1);
    const { y, logAbsDet } = fresh.forward(x);
    const yv = take(y);
    const xv = x.dataSync();
    expect(take(logAbsDet).every((v) => v === 0)).toBe(true);
    // parity 0: coordinate 0 conditions, coordinate 1 moves.
    for (let r = 0; r < 20; r++) expect(yv[2 * r]).toBe(xv[2 * r]);
    expect(maxAbsDiff(yv.filter((_, k) => k % 2 === 1), Array.from(xv).filter((_, k) => k % 2 === 1))).toBeGreaterThan(1e-2);
    x.dispose();
    fresh.dispose();
  });

  it('matches the seed\'s reshape/stack coupling up to a pair swap: its layers alternate for d = 2, an odd stack ends swapped', () => {
    const rng = new Rng(8);
    const ours = [0, 1, 0].map((parity) => new AdditiveCoupling(2, rng, { parity: parity as 0 | 1 }));
    ours.forEach((c) => randomiseParameters(c, rng, 1));
    const n = 50;
    const x = normals(rng, 2 * n);
    // The seed: x.reshape(B, 1, 2); off, on = x[:, :, 0], x[:, :, 1]; on += t(off); stack((on, off)).
    const seedLayer = (rows: Float64Array, layer: AdditiveCoupling): Float64Array => {
      const off = rows.filter((_, k) => k % 2 === 0);
      const shift = layer.conditioner.forward(Float64Array.from(layer.params.dataSync()), 0, off, n).out;
      return Float64Array.from(rows, (_, k) => (k % 2 === 0 ? rows[k + 1] + shift[k >> 1] : rows[k - 1]));
    };
    const oursUpTo = (count: number): Float64Array => {
      let h = x;
      for (const c of ours.slice(0, count)) h = c.forwardPass(h, n, Float64Array.from(c.params.dataSync())).y;
      return h;
    };
    const swap = (a: Float64Array) => Float64Array.from(a, (_, k) => a[k ^ 1]);
    let seed = x;
    for (let count = 1; count <= 3; count++) {
      seed = seedLayer(seed, ours[count - 1]);
      const expected = count % 2 === 1 ? swap(oursUpTo(count)) : oursUpTo(count);
      expect(maxAbsDiff(seed, expected)).toBeLessThan(1e-12);
    }
    ours.forEach((c) => c.dispose());
  });

  it('rejects a mask without both kinds of coordinate', () => {
    expect(() => new AdditiveCoupling(2, new Rng(1), { mask: [true, true] })).toThrow(/AdditiveCoupling: mask must mark at least one coordinate transformed and one conditioning/);
    expect(() => new AdditiveCoupling(1, new Rng(1))).toThrow(/dim must be an integer ≥ 2 \(got 1\)/);
  });
});
