import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NATIVE_ENV } from '../../../src/backend/hostKernels.ts';
import { selectBackend } from '../../../src/backend/selectBackend.ts';
import { tf, type Tensor } from '../../../src/backend/tf.ts';
import { BinaryDenseKernel, binaryRows } from '../../../src/models/image/binaryDenseKernel.ts';
import { dense } from '../../../src/models/image/dense.ts';
import { Rng } from '../../../src/random/rng.ts';

/**
 * The sparse path of the first dense layer (binary inputs) against the dense product it replaces:
 * the same value and gradients to float32 rounding, and the dense product for grey levels.
 */

// The sparse path is the WebAssembly kernels' (with the host kernels every input takes their dense product).
const saved = process.env[NATIVE_ENV];
beforeAll(async () => {
  process.env[NATIVE_ENV] = '0';
  await selectBackend('wasm');
});
afterAll(() => {
  if (saved === undefined) delete process.env[NATIVE_ENV];
  else process.env[NATIVE_ENV] = saved;
});

/** Binary images [m, k] with on-probability p, a seeded draw. */
function binary(m: number, k: number, p: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: m * k }, () => (rng.uniform() < p ? 1 : 0));
}

function normals(n: number, seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** [y, dW, db] of Σ(op(x, w, b) · r) for a fixed r. */
function valueAndGrads(op: (x: Tensor, w: Tensor, b: Tensor) => Tensor, x: Float32Array, w: Float32Array, b: Float32Array, r: Float32Array, m: number, k: number, n: number): Float32Array[] {
  return tf.tidy(() => {
    const [xt, wt, bt, rt] = [tf.tensor2d(x, [m, k]), tf.tensor2d(w, [k, n]), tf.tensor1d(b), tf.tensor2d(r, [m, n])];
    const y = op(xt, wt, bt);
    const [, dw, db] = tf.grads((a: Tensor, c: Tensor, d: Tensor) => tf.sum(tf.mul(op(a, c, d), rt)))([xt, wt, bt]);
    return [y, dw, db].map((t) => t.dataSync() as Float32Array);
  });
}

/** Largest |a − b| relative to the largest |b|. */
function relErr(a: Float32Array, b: Float32Array): number {
  let d = 0, s = 0;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(b[i])); }
  return d / s;
}

describe('binaryRows', () => {
  it('lists the on-pixels by record and by pixel, in ascending order', () => {
    // records: [1 0 1], [0 0 0], [1 1 0]
    const rows = binaryRows([1, 0, 1, 0, 0, 0, 1, 1, 0], 3, 3)!;
    expect(Array.from(rows.rowStart)).toEqual([0, 2, 2, 4]);
    expect(Array.from(rows.cols)).toEqual([0, 2, 0, 1]);
    expect(Array.from(rows.colStart)).toEqual([0, 2, 3, 4]);
    expect(Array.from(rows.recs)).toEqual([0, 2, 2, 0]);
  });

  it('is null as soon as an entry is neither 0 nor 1', () => {
    expect(binaryRows([0, 1, 0.5, 1], 2, 2)).toBeNull();
    expect(binaryRows([0, 1, -1, 1], 2, 2)).toBeNull();
  });
});

describe('dense on binary inputs (the sparse path)', () => {
  // out = 512 (the seeds' width: whole 32-column chunks) and 37 (a chunk, then 4-lane and scalar tails)
  for (const [m, k, n] of [[64, 784, 512], [9, 50, 37]] as const) {
    for (const activation of ['relu', 'linear'] as const) {
      it(`agrees with the dense product: ${m}×${k} · ${k}×${n}, ${activation}`, () => {
        const x = binary(m, k, 0.15, 1), w = normals(k * n, 2, 0.05), b = normals(n, 3, 0.1), r = normals(m * n, 4);
        const sparse = valueAndGrads(dense({ activation, inputGradient: false }), x, w, b, r, m, k, n);
        const full = valueAndGrads(dense({ activation, inputGradient: false, sparseBinary: false }), x, w, b, r, m, k, n);
        // Sums of ≤ k float32 terms in another order: a few ulps of the largest partial sum, well
        // below 1e-5; a wrong row or record would be off at O(1).
        sparse.forEach((a, i) => expect(relErr(a, full[i]), ['y', 'dW', 'db'][i]).toBeLessThan(1e-5));
      });
    }
  }

  it('takes the dense product, bit for bit, when an entry is a grey level', () => {
    const [m, k, n] = [8, 30, 33];
    const x = binary(m, k, 0.3, 5);
    x[17] = 0.5;
    const w = normals(k * n, 6), b = normals(n, 7), r = normals(m * n, 8);
    const sparse = valueAndGrads(dense({ activation: 'relu', inputGradient: false }), x, w, b, r, m, k, n);
    const full = valueAndGrads(dense({ activation: 'relu', inputGradient: false, sparseBinary: false }), x, w, b, r, m, k, n);
    sparse.forEach((a, i) => expect(Array.from(a)).toEqual(Array.from(full[i])));
  });

  it('gives a zero weight row for a pixel that is off in every record, and leaks no tensors', () => {
    const [m, k, n] = [16, 20, 40];
    const x = binary(m, k, 0.5, 9);
    for (let r = 0; r < m; r++) x[r * k + 3] = 0;
    const op = dense({ activation: 'relu', inputGradient: false });
    const before = tf.memory().numTensors;
    for (let rep = 0; rep < 3; rep++) {
      const [, dw] = valueAndGrads(op, x, normals(k * n, 10), normals(n, 11), normals(m * n, 12), m, k, n);
      expect(Array.from(dw.subarray(3 * n, 4 * n)).every((v) => v === 0)).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects buffers of the wrong size with the sizes it expected', () => {
    const rows = binaryRows([1, 0, 0, 1], 2, 2)!;
    expect(() => new BinaryDenseKernel().forward(rows, new Float32Array(3), new Float32Array(2), 2, false)).toThrow(/w must have 2·2 and b 2 elements \(got 3 and 2\)/);
  });
});
