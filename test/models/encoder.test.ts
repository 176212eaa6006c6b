import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { Decoder } from '../../src/models/decoder.ts';
import { Encoder } from '../../src/models/encoder.ts';
import { Rng } from '../../src/random/rng.ts';
import { Apparatus } from '../../src/simulators/apparatus.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('Encoder', () => {
  it('has the seed\'s default sizes (vDim = 2·xDim² + zDim + 5, hidden 4·vDim)', () => {
    const enc = new Encoder({ xDim: 3, zDim: 1 }, new Rng(1));
    expect(enc.vDim).toBe(24);
    expect(enc.hidden).toBe(96);
    const shapes = Object.fromEntries(enc.namedVariables().map(([n, v]) => [n, v.shape]));
    expect(shapes['encoder/first/weight']).toEqual([3, 192]);
    expect(shapes['encoder/mu/weight']).toEqual([27, 1]);
    enc.dispose();
  });

  it('is invariant under permutations of the qubits of a record', () => {
    const app = new Apparatus({ scheme: 'random', epsilon: 0.5, qubits: 30 });
    const rng = new Rng(2);
    const x = app.sample(4, rng); // [4, 30, 3]
    // Permute qubits of each record independently.
    const perm = new Float32Array(x.length);
    for (let b = 0; b < 4; b++) {
      const order = Array.from({ length: 30 }, (_, i) => i).sort(() => rng.uniform() - 0.5);
      order.forEach((src, dst) => perm.set(x.subarray((b * 30 + src) * 3, (b * 30 + src + 1) * 3), (b * 30 + dst) * 3));
    }
    const enc = new Encoder({ xDim: 3, zDim: 2 }, new Rng(3));
    const before = tf.memory().numTensors;
    const [a, p] = [x, perm].map((d) => tf.tidy(() => {
      const { q, logScale } = enc.apply(tf.tensor3d(d, [4, 30, 3]));
      return tf.concat([q.loc, q.scale, logScale], 1);
    }));
    const ad = a.dataSync(), pd = p.dataSync();
    expect(Array.from(ad)).not.toEqual(Array.from(x.subarray(0, ad.length))); // non-trivial output
    for (let i = 0; i < ad.length; i++) expect(pd[i]).toBeCloseTo(ad[i], 5);
    // ...but not invariant to changing one outcome: the output depends on the data.
    const changed = Float32Array.from(x);
    changed.set([0, 0, x[2] > 0 ? -1 : 1], 0);
    const c = tf.tidy(() => enc.apply(tf.tensor3d(changed, [4, 30, 3])).q.loc);
    expect(Math.abs(c.dataSync()[0] - ad[0])).toBeGreaterThan(1e-6);
    tf.dispose([a, p, c]);
    expect(tf.memory().numTensors).toBe(before);
    enc.dispose();
  });

  it('rejects inputs of the wrong shape', () => {
    const enc = new Encoder({ xDim: 1, zDim: 1 }, new Rng(1));
    const x = tf.zeros([2, 5, 3]);
    expect(() => enc.apply(x)).toThrow(/x must have shape \[batch, N, 1\] \(got \[2, 5, 3\]\)/);
    x.dispose();
    enc.dispose();
  });
});

describe('Decoder', () => {
  it('maps z to m ∈ (−1, 1): plan A broadcasts over qubits, plan B one m per qubit', () => {
    const dec = new Decoder({ zDim: 2, xDim: 3 }, new Rng(4));
    tf.tidy(() => {
      const a = dec.apply(tf.randomNormal([5, 2], 0, 30, 'float32', 1));
      expect(a.m.shape).toEqual([5, 1]);
      const m = a.m.dataSync();
      m.forEach((v) => expect(Math.abs(v)).toBeLessThan(1));
      const x = tf.tensor3d(new Apparatus({ scheme: 'random', epsilon: 0.1, qubits: 7 }).sample(5, new Rng(5)), [5, 7, 3]);
      expect(a.p.logProb(x).shape).toEqual([5, 7]);
      const b = dec.apply(tf.randomNormal([5, 7, 2], 0, 1, 'float32', 2));
      expect(b.m.shape).toEqual([5, 7]);
      expect(b.p.logProb(x).shape).toEqual([5, 7]);
    });
    dec.dispose();
  });
});
