import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { targetLogJoint } from '../../src/flows/targetLogJoint.ts';
import { Rng } from '../../src/random/rng.ts';
import { GaussianTarget, maxAbsDiff, normals, take } from './helpers.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

describe('targetLogJoint', () => {
  it('evaluates logDensityAndGrad as one op with the same values and gradients as logJoint', () => {
    const target = new GaussianTarget([0.5, -1, 2], [1.2, 0, 0, 0.9, 0.5, 0, -0.3, 0.2, 0.8], -3.7);
    const theta = tf.tensor2d(Float32Array.from(normals(new Rng(1), 3 * 40, 2)), [40, 3]);
    const up = tf.tensor1d(Float32Array.from(normals(new Rng(2), 40)));
    const js = take(targetLogJoint(target, theta));
    const ref = take(target.logJoint(theta));
    expect(maxAbsDiff(js, ref)).toBeLessThan(1e-4);
    expect(maxAbsDiff(take(targetLogJoint(target, theta, 'logJoint')), ref)).toBe(0);
    const gJs = take(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(targetLogJoint(target, t), up)))(theta));
    const gRef = take(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(target.logJoint(t), up)))(theta));
    expect(maxAbsDiff(gJs, gRef)).toBeLessThan(1e-4);
    const wrong = tf.zeros([2, 2]);
    expect(() => targetLogJoint(target, wrong)).toThrow(/targetLogJoint: theta must have shape \[batch, 3\] \(got \[2, 2\]\)/);
    tf.dispose([theta, up, wrong]);
  });
});
