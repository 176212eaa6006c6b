import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { Conditioner, tanh } from '../../src/flows/conditioner.ts';
import { Rng } from '../../src/random/rng.ts';
import { maxAbsDiff, normals, take } from './helpers.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

describe('Conditioner', () => {
  it('computes the same network and gradients as its TF.js form (Linear\'s affine + autodiff)', () => {
    const rng = new Rng(61);
    for (const [inF, outF, options] of [[1, 2, { hidden: [16, 16], activation: 'tanh' }], [2, 6, { hidden: [5, 5, 5], activation: 'relu' }], [3, 1, { hidden: [4], activation: 'tanh' }], [1, 23, {}]] as const) {
      const net = new Conditioner(inF, outF, options);
      const offset = 3; // a slice of a larger vector, as in a layer
      const p = Float32Array.from({ length: offset + net.size + 2 }, () => rng.normal());
      const n = 9;
      const x = Float32Array.from(normals(rng, n * inF));
      const g = normals(rng, n * outF);
      const pass = net.forward(p, offset, Float64Array.from(x), n);
      const gp = new Float64Array(p.length);
      const gx = net.backward(p, offset, pass, g, gp, n);

      const pT = tf.tensor1d(p);
      const xT = tf.tensor2d(x, [n, inF]);
      const gT = tf.tensor2d(Float32Array.from(g), [n, outF]);
      const outT = net.apply(pT, offset, xT);
      expect(maxAbsDiff(take(outT), pass.out)).toBeLessThan(1e-5);
      const [dp, dx] = tf.grads((pp: tf.Tensor, xx: tf.Tensor) => tf.sum(tf.mul(net.apply(pp, offset, xx), gT)))([pT, xT]);
      expect(maxAbsDiff(take(dp), gp)).toBeLessThan(1e-4);
      expect(maxAbsDiff(take(dx), gx)).toBeLessThan(1e-4);
      expect(gp.slice(0, offset).every((v) => v === 0) && gp.slice(offset + net.size).every((v) => v === 0)).toBe(true);
      tf.dispose([pT, xT, gT]);
    }
  });

  it('initialises hidden layers as PyTorch\'s Linear and the last layer to zero (the coupling starts as the identity)', () => {
    const net = new Conditioner(2, 3, { hidden: [8, 4] });
    expect(net.sizes).toEqual([2, 8, 4, 3]);
    expect(net.size).toBe(3 * 8 + 9 * 4 + 5 * 3);
    const p = new Float32Array(net.size).fill(NaN);
    net.init(new Rng(1), p, 0);
    const first = p.slice(0, 24);
    const second = p.slice(24, 60);
    const last = p.slice(60);
    expect(Math.max(...first.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(2));
    expect(Math.max(...first.map(Math.abs))).toBeGreaterThan(0.5 / Math.sqrt(2));
    expect(Math.max(...second.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(8));
    expect(last.every((v) => v === 0)).toBe(true);
    expect(() => new Conditioner(1, 2, { hidden: [0] })).toThrow(/Conditioner: width 1 of \[1, 0, 2\] must be an integer ≥ 1 \(got 0\)/);
  });

  it('evaluates tanh to float32 accuracy', () => {
    let worst = 0;
    for (let x = -12; x <= 12; x += 1e-3) worst = Math.max(worst, Math.abs(tanh(x) - Math.tanh(x)));
    expect(worst).toBeLessThan(3e-7);
    expect(tanh(0)).toBe(0);
    expect(tanh(-0.3)).toBeCloseTo(-tanh(0.3), 15);
  });
});
