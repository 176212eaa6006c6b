import { afterAll, describe, expect, it } from 'vitest';
import { hostIo } from '../../src/backend/hostViews.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';

afterAll(async () => {
  await selectBackend('wasm');
});

describe('hostIo', () => {
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`${backend}: an output written through its view is the tensor's data; read gives the data; nothing leaks`, async () => {
      await selectBackend(backend);
      const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const before = tf.memory().numTensors;
      const io = hostIo();
      const y = io.output([3, 2]);
      const xs = io.read(x);
      const view = y.view();
      for (let i = 0; i < 6; i++) view[i] = 10 * xs[i];
      const t = y.tensor();
      expect(t.shape).toEqual([3, 2]);
      expect(Array.from(t.dataSync())).toEqual([10, 20, 30, 40, 50, 60]);
      expect(Array.from(x.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
      expect(tf.memory().numTensors).toBe(before + 1);
      t.dispose();
      x.dispose();
      expect(tf.memory().numTensors).toBe(before - 1);
    });
  }

  it('wasm: reads in place (a view of the heap, not a copy)', async () => {
    await selectBackend('wasm');
    const x = tf.tensor1d([1, 2, 3]);
    const a = hostIo().read(x), b = hostIo().read(x);
    expect(a.buffer).toBe(b.buffer);
    expect(a.byteOffset).toBe(b.byteOffset);
    x.dispose();
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`${backend}: rejects a tensor that is not float32`, async () => {
      await selectBackend(backend);
      const x = tf.tensor1d([1, 2], 'int32');
      expect(() => hostIo().read(x)).toThrow(/expected a float32 tensor \(got int32\)/);
      x.dispose();
    });
  }
});
