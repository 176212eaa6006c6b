import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf, type Tensor, type Variable } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { AffineCoupling } from '../../src/flows/affineCoupling.ts';
import { Composite } from '../../src/flows/composite.ts';
import { Planar } from '../../src/flows/planar.ts';
import { Scaling } from '../../src/flows/scaling.ts';
import { SplineCoupling } from '../../src/flows/splineCoupling.ts';
import type { Transform } from '../../src/flows/transform.ts';
import { Rng } from '../../src/random/rng.ts';
import { maxAbsDiff, normals, randomiseParameters, take } from './helpers.ts';

/** A transform written in TF.js ops (not a kernel): y = x + c. */
class Shift implements Transform {
  readonly c: Variable;
  constructor(readonly dim: number, values: number[]) {
    this.c = tf.tidy(() => tf.variable(tf.tensor1d(values)));
  }
  forward(x: Tensor) {
    return tf.tidy(() => ({ y: tf.add(x, this.c), logAbsDet: tf.zeros([x.shape[0]]) }));
  }
  inverse(y: Tensor) {
    return tf.tidy(() => ({ x: tf.sub(y, this.c), logAbsDet: tf.zeros([y.shape[0]]) }));
  }
  namedVariables(): Array<[string, Variable]> {
    return [['shift/c', this.c]];
  }
  dispose() {
    this.c.dispose();
  }
}

/** A transform without an inverse. */
class OneWay extends Shift {
  override inverse = undefined as unknown as Shift['inverse'];
}

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

describe('Composite', () => {
  it('equals its layers applied in turn, kernel groups and TF.js layers mixed and nested, both ways', () => {
    const rng = new Rng(71);
    const layers: Transform[] = [
      new Planar(2, rng),
      new Shift(2, [0.3, -0.2]),
      new AffineCoupling(2, rng, { parity: 1 }),
      new Composite([new SplineCoupling(2, rng), new Scaling(2)]),
    ];
    const chain = new Composite(layers);
    randomiseParameters(chain, rng, 0.5);
    expect(chain.kernels()).toBeNull();
    expect(chain.namedVariables().map(([n]) => n)).toEqual([
      'layer0/planar/params', 'layer1/shift/c', 'layer2/affineCoupling/params', 'layer3/layer0/splineCoupling/params', 'layer3/layer1/scaling/params',
    ]);
    const x = tf.tensor2d(Float32Array.from(normals(rng, 60)), [30, 2]);
    const { y, logAbsDet } = chain.forward(x);
    // By hand: each layer's own forward, log-determinants summed.
    let h: Tensor = x;
    let total = new Float64Array(30);
    for (const t of layers) {
      const o = t.forward(h);
      if (h !== x) h.dispose();
      h = o.y;
      const ld = take(o.logAbsDet);
      total = total.map((v, i) => v + ld[i]);
    }
    expect(maxAbsDiff(y.dataSync(), take(h))).toBeLessThan(1e-5);
    expect(maxAbsDiff(take(logAbsDet), total)).toBeLessThan(1e-5);
    const back = chain.inverse(y);
    expect(maxAbsDiff(take(back.x), x.dataSync())).toBeLessThan(1e-4);
    expect(maxAbsDiff(take(back.logAbsDet), total.map((v) => -v))).toBeLessThan(1e-4);
    // Differentiable through all of it.
    const { value, grads } = tf.variableGrads(() => tf.sum(chain.forward(x).logAbsDet) as tf.Scalar, chain.namedVariables().map(([, v]) => v));
    expect(Object.values(grads).every((g) => g.dataSync().every(Number.isFinite))).toBe(true);
    tf.dispose([x, y, value]);
    tf.dispose(grads);
    chain.dispose();
  });

  it('runs a chain of kernel layers as one op, and names the layer without an inverse', () => {
    const rng = new Rng(72);
    const chain = new Composite([new Planar(2, rng), new Composite([new Planar(2, rng), new Scaling(2)])]);
    expect(chain.kernels()?.map((k) => k.label)).toEqual(['Planar', 'Planar', 'Scaling']);
    const x = tf.ones([4, 2]);
    const kernelsBefore = tf.memory().numTensors;
    const { y, logAbsDet } = chain.forward(x);
    expect(tf.memory().numTensors - kernelsBefore).toBe(2); // just the two outputs
    tf.dispose([x, y, logAbsDet]);
    const oneWay = new Composite([new Planar(2, rng), new OneWay(2, [1, 1]), new Scaling(2)]);
    const z = tf.ones([3, 2]);
    expect(() => oneWay.inverse(z)).toThrow(/Composite.inverse: layer 1 \(OneWay\) has no inverse/);
    const mismatched = [new Planar(2, rng), new Scaling(3)];
    expect(() => new Composite(mismatched)).toThrow(/Composite: layer 1 \(Scaling\) has dim 3, layer 0 has 2/);
    mismatched.forEach((t) => t.dispose());
    expect(() => new Composite([])).toThrow(/Composite: need at least one layer/);
    z.dispose();
    oneWay.dispose();
    chain.dispose();
  });
});
