import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageVae, DEFAULT_CONFIG, imageVaePipeline, type ImageVaeConfig, type ImageVaeData } from '../../pipelines/image-vae.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { subset } from '../../src/data/imageDataset.ts';
import { loadShippedDigits } from '../../src/data/shippedDigits.ts';

/**
 * Issue 11: memory stays flat over a long image-VAE run. The product's pipeline (training steps,
 * the per-epoch L_K and test-ELBO evaluation, the final L_K and latents) runs 20 epochs of 4 steps
 * on a subset; after every epoch tf.memory().numTensors must be exactly what it was after the
 * first, and the process's RSS may not keep growing. A tensor leaked per step would add 80 to the
 * count by the end; the RSS bound catches leaks outside TF.js (typed arrays kept by a closure, a
 * growing record buffer) that numTensors cannot see.
 */

const first = (n: number) => Array.from({ length: n }, (_, i) => i);
const EPOCHS = 20;
/** 4 steps of 32 images per epoch; L_1 and L_10 on 8 test images every epoch; L_20 on 4 at the end. */
const config: ImageVaeConfig = {
  ...DEFAULT_CONFIG, trainSubset: 128, batch: 32, epochs: EPOCHS, evalK: [1, 10], testSubset: 8, finalK: 20, finalSubset: 4, figuresEvery: 0,
};
/** RSS growth allowed from the end of epoch 5 (allocator and JIT warm) to the end of epoch 20. */
const RSS_GROWTH_MB = 40;

let data: ImageVaeData;
let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  const digits = loadShippedDigits();
  data = { train: subset(digits.train, first(128)), test: subset(digits.test, first(16)) };
  before = tf.memory().numTensors;
});
afterAll(() => {
  expect(tf.memory().numTensors).toBe(before);
});

describe('image VAE memory over 20 epochs (mlp)', () => {
  it('keeps numTensors exactly flat after every epoch and RSS growth bounded, and frees everything on dispose', async () => {
    const model = createImageVae(config, data.test);
    const tensors: number[] = [];
    const rssMb: number[] = [];
    let rows = 0;
    await new Promise<void>((resolve, reject) =>
      imageVaePipeline(config, data, model).subscribe({
        next: (r) => {
          if (r.kind === 'scalars') {
            tensors.push(tf.memory().numTensors);
            rssMb.push(process.memoryUsage().rss / 2 ** 20);
            expect(Number.isFinite(r.values.loss)).toBe(true);
          } else rows++;
        },
        error: reject,
        complete: resolve,
      }),
    );
    expect(tensors).toHaveLength(EPOCHS);
    expect(tensors.every((n) => n === tensors[0]), `numTensors per epoch: ${tensors.join(' ')}`).toBe(true);
    // What a run holds between epochs is the model's 10 variables and Adam's state (19 tensors when
    // measured with the host update, 21 with the device one), at most 3 tensors per variable plus a
    // step counter. A leak per step or per epoch
    // would break the flat sequence above.
    expect(tensors[0] - before).toBeLessThanOrEqual(3 * 10 + 2);
    const growth = rssMb[EPOCHS - 1] - rssMb[4];
    // The numbers the README quotes.
    process.stdout.write(`numTensors after each epoch: ${tensors[0]} (all ${EPOCHS}); RSS MB per epoch: ${rssMb.map((v) => v.toFixed(0)).join(' ')}\n`);
    expect(growth, `RSS MB per epoch: ${rssMb.map((v) => v.toFixed(0)).join(' ')}`).toBeLessThan(RSS_GROWTH_MB);
    expect(rows).toBeGreaterThan(0);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 30_000);
});
