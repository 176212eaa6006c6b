import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { affine, Linear } from '../../src/nn/linear.ts';
import { Rng } from '../../src/random/rng.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('affine (explicit-transpose gradient)', () => {
  it('gives the same value and gradients as plain autodiff of matMul + add', () => {
    const rng = new Rng(1);
    const rand = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()), shape);
    const [x, w, b, dy] = [rand([37, 5]), rand([5, 11]), rand([11]), rand([37, 11])];
    const before = tf.memory().numTensors;
    const f = (fn: (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(fn(xx, ww, bb), dy));
    const ours = tf.grads(f(affine))([x, w, b]);
    const ref = tf.grads(f((xx, ww, bb) => tf.add(tf.matMul(xx, ww), bb)))([x, w, b]);
    ours.forEach((g, i) => {
      const a = g.dataSync(), r = ref[i].dataSync();
      expect(g.shape).toEqual(ref[i].shape);
      for (let k = 0; k < a.length; k++) expect(a[k]).toBeCloseTo(r[k], 4);
    });
    tf.dispose([...ours, ...ref]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, w, b, dy]);
  });

  it('Linear initialises like PyTorch, U(−1/√in, 1/√in), identically for the same seed', () => {
    const a = new Linear(16, 8, new Rng(3)), b = new Linear(16, 8, new Rng(3));
    const wa = a.weight.dataSync();
    expect(Array.from(wa)).toEqual(Array.from(b.weight.dataSync()));
    expect(Math.max(...wa.map(Math.abs))).toBeLessThanOrEqual(0.25);
    expect(Math.max(...wa.map(Math.abs))).toBeGreaterThan(0.2);
    expect(() => new Linear(0, 3, new Rng(1))).toThrow(/inFeatures must be an integer ≥ 1 \(got 0\)/);
    a.dispose();
    b.dispose();
  });
});
