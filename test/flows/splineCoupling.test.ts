import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { SplineCoupling } from '../../src/flows/splineCoupling.ts';
import { Rng } from '../../src/random/rng.ts';
import { checkKernelLayer, maxAbsDiff, normals, randomiseParameters, take } from './helpers.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

describe('SplineCoupling', () => {
  it('keeps the layer invariants at random parameters (points inside and outside [−B, B]), d = 2 and 3', () => {
    const rng = new Rng(51);
    for (const [d, options] of [[2, { parity: 0 }], [2, { parity: 1, bins: 3, tailBound: 2 }], [3, { parity: 1, bins: 5, hidden: [6, 5] }]] as const) {
      // tanh nets: random relu nets grow linearly in x_off, and far out their splines are so flat
      // (inverse slopes ~1e6) that finite differences cannot check them. (relu is checked in the
      // conditioner's and the affine coupling's tests; the coupling code is the same.)
      const layer = new SplineCoupling(d, rng, { ...options, activation: 'tanh' });
      // parity 1 transforms the even coordinates given the odd ones: for d = 2 and 3, one input.
      expect(layer.conditioner.sizes[0]).toBe(layer.off.length);
      expect(layer.off).toEqual(d === 2 && options.parity === 0 ? [0] : [1]);
      randomiseParameters(layer, rng, 0.5);
      checkKernelLayer(layer, { rng, spread: 2.5 });
      layer.dispose();
    }
  });

  it('is the identity at zero parameters and in its tails, monotone in the transformed coordinate inside', () => {
    const rng = new Rng(6);
    const layer = new SplineCoupling(2, rng, { parity: 0, bins: 6, tailBound: 2 });
    const x = tf.tensor2d(Float32Array.from(normals(rng, 600, 2)), [300, 2]);
    const id = layer.forward(x);
    expect(maxAbsDiff(take(id.y), x.dataSync())).toBeLessThan(1e-6);
    expect(maxAbsDiff(take(id.logAbsDet), new Float64Array(300))).toBeLessThan(1e-6);
    randomiseParameters(layer, rng, 2);
    const { y, logAbsDet } = layer.forward(x);
    const yv = take(y);
    const ld = take(logAbsDet);
    const xv = x.dataSync();
    for (let r = 0; r < 300; r++) {
      if (Math.abs(xv[2 * r + 1]) > 2) {
        expect(yv[2 * r + 1]).toBe(xv[2 * r + 1]);
        expect(ld[r]).toBe(0);
      } else expect(Math.abs(yv[2 * r + 1])).toBeLessThanOrEqual(2);
    }
    // Strictly increasing along a line of the transformed coordinate at a fixed conditioning value
    // (in float64: where the random spline is flat, float32 outputs can tie).
    const line = Float64Array.from({ length: 2 * 401 }, (_, k) => (k % 2 === 0 ? 0.3 : -2.5 + (5 * (k - 1) / 2) / 400));
    const ys = layer.forwardPass(line, 401, Float64Array.from(layer.params.dataSync())).y.filter((_, k) => k % 2 === 1);
    for (let i = 1; i < ys.length; i++) expect(ys[i]).toBeGreaterThan(ys[i - 1]);
    x.dispose();
    layer.dispose();
  });

  it('validates its spline options', () => {
    expect(() => new SplineCoupling(2, new Rng(1), { bins: 0 })).toThrow(/bins must be an integer ≥ 1 \(got 0\)/);
    expect(() => new SplineCoupling(2, new Rng(1), { bins: 4, minBinWidth: 0.3 })).toThrow(/minBinWidth must be in \[0, 1\/bins\)/);
  });
});
