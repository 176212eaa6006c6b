import { beforeAll, describe, expect, it } from 'vitest';
import { hostKernels } from '../../src/backend/hostKernels.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { HostAdamKernel } from '../../src/optim/hostAdamKernel.ts';
import { NativeAdamKernel } from '../../src/optim/nativeAdamKernel.ts';
import { Rng } from '../../src/random/rng.ts';

/** Adam on the host kernels against the WebAssembly kernel (itself tested against the float64 loop). */
const kernels = hostKernels();
const it_ = kernels ? it : it.skip;
const draw = (n: number, rng: Rng, scale: number) => Float32Array.from({ length: n }, () => scale * rng.normal());

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('NativeAdamKernel', () => {
  it_('agrees bit for bit with HostAdamKernel over 5 steps of two variables, in place on wasm, leaking no tensors', () => {
    const rng = new Rng(11);
    const sizes = [4 * 257 + 3, 1];
    const total = sizes[0] + sizes[1];
    const native = new NativeAdamKernel(kernels!, total);
    const wasm = new HostAdamKernel(total, sizes[0]);
    const before = tf.memory().numTensors;
    let xs: tf.Tensor[] = sizes.map((n) => tf.tensor1d(draw(n, rng, 1)));
    let ys = xs.map((x) => x.dataSync() as Float32Array);
    const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 1e-3];
    for (let t = 1; t <= 5; t++) {
      const stepSize = lr / (1 - b1 ** t), sqrtBc2 = Math.sqrt(1 - b2 ** t);
      const gs = sizes.map((n) => draw(n, rng, 10 ** (t - 3)).map((g, i) => (i % 11 === 0 ? 0 : g)));
      let offset = 0;
      xs = xs.map((x, i) => {
        const g = tf.tensor1d(gs[i]);
        const next = native.apply(offset, x, g, b1, b2, eps, stepSize, sqrtBc2);
        ys[i] = wasm.update(offset, ys[i], gs[i], b1, b2, eps, stepSize, sqrtBc2);
        offset += x.size;
        tf.dispose([x, g]);
        return next;
      });
      xs.forEach((x, i) => expect(Array.from(x.dataSync())).toEqual(Array.from(ys[i])));
      expect(Array.from(native.m)).toEqual(Array.from(wasm.m));
      expect(Array.from(native.v)).toEqual(Array.from(wasm.v));
    }
    tf.dispose(xs);
    expect(tf.memory().numTensors).toBe(before);
  });

  it_('rejects arrays of different lengths', () => {
    const a = new Float32Array(3), b = new Float32Array(2);
    expect(() => kernels!.adam(a, a, a, b, a, 0.9, 0.999, 1e-8, 1e-3, 1)).toThrow(/same length/);
  });
});
