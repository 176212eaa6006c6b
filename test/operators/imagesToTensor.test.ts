import { lastValueFrom, map, Observable, Subject, take, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { imageDataset } from '../../src/data/imageDataset.ts';
import { minibatches, type Minibatch } from '../../src/data/minibatches.ts';
import { imagesToTensor } from '../../src/operators/imagesToTensor.ts';
import { Rng } from '../../src/random/rng.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

const toy = imageDataset({
  name: 'toy', n: 5, rows: 2, cols: 3,
  images: Float32Array.from({ length: 30 }, (_, i) => (i % 7) / 7),
  labels: Uint8Array.of(0, 1, 2, 0, 1),
  classes: ['a', 'b', 'c'],
});

describe('imagesToTensor', () => {
  it('emits each minibatch with x of shape [size, rows · cols] holding its images, then frees x', async () => {
    const before = tf.memory().numTensors;
    const seen: Array<{ shape: number[]; values: number[]; labels: number[]; step: number; alive: number }> = [];
    await lastValueFrom(
      minibatches(toy, { batch: 2, epochs: 1, shuffle: true, rng: new Rng(3) }).pipe(
        imagesToTensor(),
        (source) => new Observable<void>((sub) => source.subscribe({
          next(s) {
            seen.push({ shape: s.x.shape, values: Array.from(s.x.dataSync()), labels: Array.from(s.labels), step: s.step, alive: tf.memory().numTensors - before });
            expect(Array.from(s.x.dataSync())).toEqual(Array.from(s.images));
            sub.next();
          },
          error: (e) => sub.error(e),
          complete: () => sub.complete(),
        })),
        toArray(),
      ),
    );
    expect(seen.map((s) => s.shape)).toEqual([[2, 6], [2, 6], [1, 6]]);
    expect(seen.map((s) => s.step)).toEqual([0, 1, 2]);
    expect(seen.every((s) => s.alive === 1)).toBe(true); // one batch tensor at a time
    expect(tf.memory().numTensors).toBe(before);
  });

  it('frees its tensor when downstream throws, and after unsubscribe', async () => {
    const before = tf.memory().numTensors;
    const batches = new Subject<Minibatch>();
    const batch = (step: number): Minibatch => ({ epoch: 0, index: step, step, size: 1, images: new Float32Array(6), labels: Uint8Array.of(0), indices: Uint32Array.of(0), batchesPerEpoch: 9, isLastInEpoch: false });
    const errors: Error[] = [];
    batches.pipe(imagesToTensor(), map(() => { throw new Error('downstream'); })).subscribe({ error: (e) => errors.push(e) });
    batches.next(batch(0));
    expect(errors.map((e) => e.message)).toEqual(['downstream']);
    expect(tf.memory().numTensors).toBe(before);
    const taken = lastValueFrom(minibatches(toy, { batch: 1, epochs: Infinity, shuffle: false }).pipe(imagesToTensor(), take(3), toArray()));
    expect((await taken).length).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a batch whose images are not a whole number of pixels per image, freeing nothing it did not make', () => {
    const before = tf.memory().numTensors;
    const errors: Error[] = [];
    new Observable<Minibatch>((s) => s.next({ epoch: 0, index: 0, step: 0, size: 2, images: new Float32Array(5), labels: Uint8Array.of(0, 0), indices: Uint32Array.of(0, 1), batchesPerEpoch: 1, isLastInEpoch: true }))
      .pipe(imagesToTensor())
      .subscribe({ error: (e) => errors.push(e) });
    expect(errors[0].message).toMatch(/imagesToTensor: a batch of 2 images must hold a whole number of pixels per image \(got 5 values\)/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
