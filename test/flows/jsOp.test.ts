import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { jsOp } from '../../src/flows/jsOp.ts';
import { take } from './helpers.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

/** (a, b) ↦ (a·b, Σa): two outputs, two inputs. */
function productAndSum(a: tf.Tensor, b: tf.Tensor): tf.Tensor[] {
  return jsOp([a, b], ([av, bv]) => ({
    outputs: [{ values: av.map((v, i) => v * bv[i]), shape: a.shape }, { values: Float32Array.of(av.reduce((s, v) => s + v, 0)), shape: [] }],
    backward: ([dProd, dSum]) => [av.map((_, i) => dProd[i] * bv[i] + dSum[0]), bv.map((_, i) => dProd[i] * av[i])],
  }));
}

describe('jsOp', () => {
  it('is differentiable through several outputs, zeros standing in for the ones the loss does not reach', () => {
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.tensor1d([-1, 0.5, 2]);
    const [p, s] = productAndSum(a, b);
    expect(Array.from(take(p))).toEqual([-1, 1, 6]);
    expect(take(s)[0]).toBe(6);
    const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) => {
      const [prod, sum] = productAndSum(x, y);
      return tf.add(tf.sum(tf.mul(prod, 2)), tf.mul(sum, 3));
    })([a, b]);
    expect(Array.from(take(ga))).toEqual([1, 4, 7]); // 2b + 3
    expect(Array.from(take(gb))).toEqual([2, 4, 6]); // 2a
    const [onlySumA, onlySumB] = tf.grads((x: tf.Tensor, y: tf.Tensor) => productAndSum(x, y)[1])([a, b]);
    expect(Array.from(take(onlySumA))).toEqual([1, 1, 1]);
    expect(Array.from(take(onlySumB))).toEqual([0, 0, 0]);
    tf.dispose([a, b]);
  });
});
