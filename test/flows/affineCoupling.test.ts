import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { AffineCoupling } from '../../src/flows/affineCoupling.ts';
import { Rng } from '../../src/random/rng.ts';
import { checkKernelLayer, maxAbsDiff, normals, randomiseParameters, take } from './helpers.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

describe('AffineCoupling', () => {
  it('keeps the layer invariants at random parameters, both parities, d = 2 and 3, relu and tanh', () => {
    const rng = new Rng(41);
    for (const [d, options] of [[2, { parity: 0 }], [2, { parity: 1, activation: 'relu' }], [3, { parity: 0, hidden: [6] }], [3, { mask: [false, true, true], scaleBound: 1.5 }]] as const) {
      const layer = new AffineCoupling(d, rng, options);
      randomiseParameters(layer, rng, 0.8);
      checkKernelLayer(layer, { rng });
      layer.dispose();
    }
  });

  it('starts as the identity and bounds each log-scale by scaleBound', () => {
    const rng = new Rng(4);
    const x = tf.tensor2d(Float32Array.from(normals(rng, 400, 2)), [200, 2]);
    const layer = new AffineCoupling(2, rng, { parity: 1, scaleBound: 0.5 });
    const id = layer.forward(x);
    expect(maxAbsDiff(take(id.y), x.dataSync())).toBe(0);
    expect(take(id.logAbsDet).every((v) => v === 0)).toBe(true);
    randomiseParameters(layer, rng, 5);
    const { y, logAbsDet } = layer.forward(x);
    const ld = take(logAbsDet);
    expect(Math.max(...ld.map(Math.abs))).toBeLessThanOrEqual(0.5);
    expect(Math.max(...ld.map(Math.abs))).toBeGreaterThan(0.3);
    // parity 1: coordinate 1 conditions.
    const yv = take(y);
    for (let r = 0; r < 200; r++) expect(yv[2 * r + 1]).toBe(x.dataSync()[2 * r + 1]);
    expect(() => new AffineCoupling(2, rng, { scaleBound: 0 })).toThrow(/AffineCoupling: scaleBound must be finite and > 0 \(got 0\)/);
    x.dispose();
    layer.dispose();
  });
});
