import { beforeAll, describe, expect, it } from 'vitest';
import { hostIo } from '../../src/backend/hostViews.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { shareWasmIdentity } from '../../src/backend/wasmIdentity.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('shareWasmIdentity (selectBackend installs it on wasm)', () => {
  it('makes tf.clone share the memory, and each reference keeps it alive until the last is disposed', () => {
    const buffers = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const before = buffers();
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    const io = hostIo();
    expect(io.read(y).byteOffset).toBe(io.read(x).byteOffset);
    expect(buffers()).toBe(before + 1);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
    expect(buffers()).toBe(before);
  });

  it('leaves gradients and the tensor count as they were (tensors saved for the tape are clones)', () => {
    shareWasmIdentity(); // a second call changes nothing
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([[1, -2], [3, 0.5]]);
    const [dx] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.mul(a, a), tf.sigmoid(a))))([x]);
    const xs = [1, -2, 3, 0.5], s = (v: number) => 1 / (1 + Math.exp(-v));
    const want = xs.map((v) => 2 * v * s(v) + v * v * s(v) * (1 - s(v)));
    Array.from(dx.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(want[i], 5));
    tf.dispose([x, dx]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
