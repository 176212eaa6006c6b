import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { Dipolar1D } from '../../src/distributions/dipolar1d.ts';
import { Dipolar3D } from '../../src/distributions/dipolar3d.ts';
import { ReadoutDecoder } from '../../src/models/readoutDecoder.ts';
import { Rng } from '../../src/random/rng.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const latents = (n: number, rng: Rng) => Float32Array.from({ length: n }, () => 1.5 * rng.normal());

describe('ReadoutDecoder', () => {
  it('maps z [batch, L] to one polarisation per qubit, m [batch, N] inside (−1, 1), with the scheme\'s dipolar p', () => {
    for (const xDim of [1, 3] as const) {
      const dec = new ReadoutDecoder({ zDim: 2, xDim, qubits: 7 }, new Rng(1));
      expect(dec.hidden).toBe(8);
      const shapes = Object.fromEntries(dec.namedVariables().map(([n, v]) => [n, v.shape]));
      expect(shapes).toEqual({ 'decoder/l1/weight': [2, 8], 'decoder/l1/bias': [8], 'decoder/l2/weight': [8, 7], 'decoder/l2/bias': [7] });
      const start = tf.memory().numTensors;
      const mv = tf.tidy(() => {
        const { m, p } = dec.apply(tf.tensor2d(latents(10, new Rng(2)), [5, 2]));
        expect(m.shape).toEqual([5, 7]);
        expect(p).toBeInstanceOf(xDim === 1 ? Dipolar1D : Dipolar3D);
        expect(p.batchShape).toEqual([5, 7]);
        return m.dataSync();
      });
      expect(tf.memory().numTensors).toBe(start);
      expect(Math.max(...mv.map(Math.abs))).toBeLessThan(1);
      // Qubits differ: the readouts are not one shared m(z).
      expect(new Set(Array.from(mv.slice(0, 7))).size).toBe(7);
      dec.dispose();
    }
  });

  it('sensitivity is the batch mean of |∂aᵢ/∂z_k|, matching central finite differences', () => {
    const L = 3, N = 5, B = 6;
    const dec = new ReadoutDecoder({ zDim: L, xDim: 1, qubits: N, hidden: 7 }, new Rng(3));
    const z = latents(B * L, new Rng(4));
    const sens = dec.sensitivity(z, B);
    expect(sens.length).toBe(N * L);
    const act = (zz: Float32Array) => tf.tidy(() => dec.activation(tf.tensor2d(zz, [B, L])).dataSync());
    const h = 1e-2;
    const fd = new Float64Array(N * L);
    for (let k = 0; k < L; k++) {
      const up = z.slice(), down = z.slice();
      for (let b = 0; b < B; b++) { up[b * L + k] += h; down[b * L + k] -= h; }
      const au = act(up), ad = act(down);
      for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) fd[i * L + k] += Math.abs((au[b * N + i] - ad[b * N + i]) / (2 * h)) / B;
    }
    for (let j = 0; j < N * L; j++) expect(sens[j]).toBeCloseTo(fd[j], 2);
    dec.dispose();
  });

  it('leaves tf.memory().numTensors unchanged (apply inside tidy, sensitivity) and frees its variables on dispose', () => {
    const start = tf.memory().numTensors;
    const dec = new ReadoutDecoder({ zDim: 2, xDim: 3, qubits: 4 }, new Rng(5));
    const afterInit = tf.memory().numTensors;
    expect(afterInit - start).toBe(4);
    tf.tidy(() => { dec.apply(tf.zeros([3, 2])); });
    dec.sensitivity(new Float32Array(6), 3);
    expect(tf.memory().numTensors).toBe(afterInit);
    dec.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('rejects bad options and shapes with a RangeError naming them', () => {
    const rng = new Rng(6);
    expect(() => new ReadoutDecoder({ zDim: 0, xDim: 1, qubits: 3 }, rng)).toThrow(/ReadoutDecoder: zDim must be an integer ≥ 1 \(got 0\)/);
    expect(() => new ReadoutDecoder({ zDim: 1, xDim: 1, qubits: 2.5 }, rng)).toThrow(RangeError);
    expect(() => new ReadoutDecoder({ zDim: 1, xDim: 1, qubits: 2.5 }, rng)).toThrow(/qubits/);
    expect(() => new ReadoutDecoder({ zDim: 1, xDim: 2 as 1, qubits: 3 }, rng)).toThrow(/xDim must be 1 or 3 \(got 2\)/);
    expect(() => new ReadoutDecoder({ zDim: 1, xDim: 1, qubits: 3, hidden: -1 }, rng)).toThrow(/hidden/);
    const dec = new ReadoutDecoder({ zDim: 2, xDim: 1, qubits: 3 }, rng);
    expect(() => dec.sensitivity(new Float32Array(5), 3)).toThrow(/z must have shape \[batch, L\] = \[3, 2\]/);
    const bad = tf.zeros([4, 3]);
    expect(() => dec.apply(bad)).toThrow(/z must have shape \[batch, 2\]/);
    bad.dispose();
    dec.dispose();
  });
});
