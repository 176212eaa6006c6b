import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { Adam } from '../../src/optim/adam.ts';
import { Rng } from '../../src/random/rng.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

/** PyTorch's Adam in float64, written from its documentation: the reference both modes must follow. */
function referenceAdam(theta: number[], grads: number[][], lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const m = theta.map(() => 0), v = theta.map(() => 0);
  const x = [...theta];
  grads.forEach((g, t) => {
    for (let i = 0; i < x.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] ** 2;
      const mh = m[i] / (1 - b1 ** (t + 1)), vh = v[i] / (1 - b2 ** (t + 1));
      x[i] -= (lr * mh) / (Math.sqrt(vh) + eps);
    }
  });
  return x;
}

describe('Adam', () => {
  const rng = new Rng(3);
  const theta = Array.from({ length: 7 }, () => rng.normal());
  const grads = Array.from({ length: 60 }, () => theta.map(() => rng.normal() * (rng.uniform() < 0.1 ? 100 : 1)));

  it.each([false, true])('follows PyTorch\'s update (host = %s) over 60 steps, on two variables of different shapes', (host) => {
    const a = tf.tidy(() => tf.variable(tf.tensor2d(theta.slice(0, 4), [2, 2])));
    const b = tf.tidy(() => tf.variable(tf.tensor1d(theta.slice(4))));
    const adam = new Adam([a, b], { lr: 0.05, host });
    const count = tf.memory().numTensors;
    for (const g of grads) {
      const gs = [tf.tensor2d(g.slice(0, 4), [2, 2]), tf.tensor1d(g.slice(4))];
      adam.apply(gs);
      tf.dispose(gs);
    }
    expect(tf.memory().numTensors).toBe(count);
    const got = [...a.dataSync(), ...b.dataSync()];
    referenceAdam(theta, grads, 0.05).forEach((x, i) => expect(got[i]).toBeCloseTo(x, 5));
    expect(adam.step).toBe(60);
    adam.dispose();
    tf.dispose([a, b]);
  });

  it('host and device moments are the same state: one resumes where the other stopped', () => {
    const run = (host: boolean, resumeHost: boolean) => {
      const a = tf.tidy(() => tf.variable(tf.tensor1d(theta)));
      const first = new Adam([a], { lr: 0.01, host });
      const apply = (opt: Adam, g: number[]) => tf.tidy(() => opt.apply([tf.tensor1d(g)]));
      grads.slice(0, 30).forEach((g) => apply(first, g));
      const state = first.state();
      first.dispose();
      const second = new Adam([a], { lr: 0.01, host: resumeHost });
      second.load(state);
      grads.slice(30).forEach((g) => apply(second, g));
      const out = Array.from(a.dataSync());
      second.dispose();
      a.dispose();
      return out;
    };
    const straight = run(false, false);
    for (const [h1, h2] of [[true, true], [true, false], [false, true]] as const) {
      run(h1, h2).forEach((x, i) => expect(x).toBeCloseTo(straight[i], 5));
    }
  });
});
