import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { Scaling } from '../../src/flows/scaling.ts';
import { Rng } from '../../src/random/rng.ts';
import { checkKernelLayer, randomiseParameters, take } from './helpers.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

describe('Scaling', () => {
  it('keeps the layer invariants at random log-scales', () => {
    const rng = new Rng(31);
    for (const d of [2, 3]) {
      const layer = new Scaling(d);
      randomiseParameters(layer, rng, 0.8);
      checkKernelLayer(layer, { rng });
      layer.dispose();
    }
  });

  it('scales by exp(s) with logAbsDet Σs on every row', () => {
    const layer = new Scaling(2, { logScale: [Math.log(2), -Math.log(4)] });
    const x = tf.tensor2d([[1, 1], [3, -8]]);
    const { y, logAbsDet } = layer.forward(x);
    expect(Array.from(take(y))).toEqual([2, 0.25, 6, -2]);
    take(logAbsDet).forEach((v) => expect(v).toBeCloseTo(Math.log(2) - Math.log(4), 6));
    expect(() => new Scaling(2, { logScale: [1] })).toThrow(/Scaling: logScale must have length 2 \(got 1\)/);
    x.dispose();
    layer.dispose();
  });
});
