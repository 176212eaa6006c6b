import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hostKernels, NATIVE_ENV } from '../../../src/backend/hostKernels.ts';
import { selectBackend } from '../../../src/backend/selectBackend.ts';
import { tf, type Tensor } from '../../../src/backend/tf.ts';
import type { Activation } from '../../../src/models/image/activation.ts';
import { conv2dSame } from '../../../src/models/image/conv2dSame.ts';
import { conv2dTransposeSame } from '../../../src/models/image/conv2dTransposeSame.ts';
import { dense } from '../../../src/models/image/dense.ts';
import { samePadding } from '../../../src/models/image/samePadding.ts';
import { Rng } from '../../../src/random/rng.ts';

/**
 * The layer ops' values and gradients against TF.js autodiff of the plain ops (tf.conv2d,
 * tf.conv2dTranspose, matMul + add + relu), which only the cpu backend can differentiate (wasm has no
 * Conv2DBackpropFilter): references are computed on cpu, our ops run on wasm.
 */

type Arrays = Float32Array[];
interface Case { name: string; shapes: number[][]; ours: (...t: Tensor[]) => Tensor; reference: (...t: Tensor[]) => Tensor; hostKernels?: boolean }

function data(shapes: number[][], seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.normal()));
}

/** [value, ...gradients] of Σ(f(inputs) · r) for a fixed random r. */
function valueAndGrads(f: (...t: Tensor[]) => Tensor, shapes: number[][], inputs: Float32Array[], r: Float32Array, outShape: number[]): Arrays {
  return tf.tidy(() => {
    const ts = inputs.map((d, i) => tf.tensor(d, shapes[i]));
    const rt = tf.tensor(r, outShape);
    const y = f(...ts);
    const grads = tf.grads((...xs: Tensor[]) => tf.sum(tf.mul(f(...xs), rt)))(ts);
    return [y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

const act = (a: Activation, y: Tensor) => (a === 'relu' ? tf.relu(y) : y);
const CASES: Case[] = [];
for (const a of ['relu', 'linear'] as const) {
  // Dense layers on the WebAssembly kernels, and on the host kernels (backend/hostKernels.ts) where built:
  // a small case and one across the host kernel's 6 × 16 blocks and 256-deep panels.
  for (const host of hostKernels() ? [false, true] : [false]) {
    for (const shapes of [[[6, 5], [5, 7], [7]], [[13, 300], [300, 37], [37]]]) {
      CASES.push({
        name: `dense ${a} [${shapes[0]}]·[${shapes[1]}]${host ? ', host kernels' : ', WebAssembly kernels'}`, shapes, hostKernels: host,
        ours: (x, w, b) => dense({ activation: a })(x, w, b),
        reference: (x, w, b) => act(a, tf.add(tf.matMul(x, w), b)),
      });
    }
  }
  // [H, cIn, cOut, stride]: even and odd sizes, stride 1 and 2, both filter-gradient paths (cIn·9 ≤ cOut
  // and >); on the WebAssembly kernels and on the host kernels' im2col + product where built.
  for (const host of hostKernels() ? [false, true] : [false]) {
    const on = host ? ', host kernels' : '';
    for (const [H, ci, co, s] of [[8, 1, 12, 2], [8, 3, 4, 2], [7, 2, 3, 2], [5, 4, 6, 1], [6, 1, 10, 1]] as const) {
      const h = samePadding(H, 3, s).out;
      CASES.push({
        name: `conv2dSame ${a} ${H}×${H}×${ci} → ${co}, stride ${s}${on}`, shapes: [[2, H, H, ci], [3, 3, ci, co], [co]], hostKernels: host,
        ours: (x, w, b) => conv2dSame({ stride: s, activation: a })(x, w, b),
        reference: (x, w, b) => act(a, tf.add(tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, 'same'), b)),
      });
      if (h * s === H) {
        CASES.push({
          name: `conv2dTransposeSame ${a} ${h}×${h}×${co} → ${ci}, stride ${s}${on}`, shapes: [[2, h, h, co], [3, 3, ci, co], [ci]], hostKernels: host,
          ours: (x, w, b) => conv2dTransposeSame({ stride: s, activation: a })(x, w, b),
          reference: (x, w, b) => act(a, tf.add(tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, H, H, ci], s, 'same'), b)),
        });
      }
    }
  }
}

const references = new Map<string, { inputs: Float32Array[]; r: Float32Array; outShape: number[]; expected: Arrays }>();

beforeAll(async () => {
  await selectBackend('cpu');
  CASES.forEach((c, i) => {
    const inputs = data(c.shapes, 10 + i);
    const outShape = tf.tidy(() => c.reference(...inputs.map((d, k) => tf.tensor(d, c.shapes[k]))).shape);
    const [r] = data([outShape], 100 + i);
    references.set(c.name, { inputs, r, outShape, expected: valueAndGrads(c.reference, c.shapes, inputs, r, outShape) });
  });
  await selectBackend('wasm');
});

const savedNative = process.env[NATIVE_ENV];
afterEach(() => {
  if (savedNative === undefined) delete process.env[NATIVE_ENV];
  else process.env[NATIVE_ENV] = savedNative;
});

describe('layer ops on wasm equal autodiff of the plain ops', () => {
  for (const c of CASES) {
    it(c.name, () => {
      expect(tf.getBackend()).toBe('wasm');
      if (c.hostKernels === false) process.env[NATIVE_ENV] = '0';
      const { inputs, r, outShape, expected } = references.get(c.name)!;
      const before = tf.memory().numTensors;
      const got = valueAndGrads(c.ours, c.shapes, inputs, r, outShape);
      expect(tf.memory().numTensors).toBe(before);
      got.forEach((g, k) => {
        const e = expected[k];
        expect(g.length).toBe(e.length);
        const scale = Math.max(1, ...Array.from(e, Math.abs));
        let worst = 0;
        for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(g[i] - e[i]));
        expect(worst / scale, `${['value', 'dx', 'dw', 'db'][k]}`).toBeLessThan(2e-5);
      });
    });
  }

  it('inputGradient: false returns a zero gradient for data inputs and the same weight gradients', () => {
    const [xd, wd, bd] = data([[2, 6, 6, 1], [3, 3, 1, 4], [4]], 5);
    const [r] = data([[2, 3, 3, 4]], 6);
    const shapes = [[2, 6, 6, 1], [3, 3, 1, 4], [4]];
    const on = valueAndGrads((x, w, b) => conv2dSame({ stride: 2, activation: 'relu' })(x, w, b), shapes, [xd, wd, bd], r, [2, 3, 3, 4]);
    const off = valueAndGrads((x, w, b) => conv2dSame({ stride: 2, activation: 'relu', inputGradient: false })(x, w, b), shapes, [xd, wd, bd], r, [2, 3, 3, 4]);
    expect(off[1].every((v) => v === 0)).toBe(true);
    expect(on[1].some((v) => v !== 0)).toBe(true);
    [0, 2, 3].forEach((k) => expect(Array.from(off[k])).toEqual(Array.from(on[k])));
    expect(() => conv2dSame({ stride: 0 })).toThrow(/conv2dSame: stride must be an integer ≥ 1 \(got 0\)/);
    expect(() => dense({ activation: 'tanh' as Activation })).toThrow(/dense: activation must be 'relu' or 'linear' \(got "tanh"\)/);
  });

  it('samePadding is TensorFlow\'s: output ⌈n/s⌉, the smaller half of the padding first', () => {
    expect(samePadding(28, 3, 2)).toEqual({ out: 14, before: 0, after: 1 });
    expect(samePadding(14, 3, 2)).toEqual({ out: 7, before: 0, after: 1 });
    expect(samePadding(7, 3, 2)).toEqual({ out: 4, before: 1, after: 1 });
    expect(samePadding(28, 3, 1)).toEqual({ out: 28, before: 1, after: 1 });
  });
});
