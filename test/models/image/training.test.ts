import { lastValueFrom, Observable, pipe, type OperatorFunction } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/backend/selectBackend.ts';
import { tf, type Tensor } from '../../../src/backend/tf.ts';
import { binarizeStatic } from '../../../src/data/binarize.ts';
import { subset, type ImageDataset } from '../../../src/data/imageDataset.ts';
import { minibatches } from '../../../src/data/minibatches.ts';
import { loadShippedDigits } from '../../../src/data/shippedDigits.ts';
import type { ImageDecoder, ImageEncoder } from '../../../src/models/image/contracts.ts';
import { imageVae, type ImageArchitecture } from '../../../src/models/image/imageVae.ts';
import { MlpDecoder } from '../../../src/models/image/mlpDecoder.ts';
import { MlpEncoder } from '../../../src/models/image/mlpEncoder.ts';
import { variablesOf } from '../../../src/nn/module.ts';
import { iwaeObjective, sampleLatents } from '../../../src/objectives/iwaeObjective.ts';
import { imagesToTensor } from '../../../src/operators/imagesToTensor.ts';
import { decode } from '../../../src/operators/decode.ts';
import { elbo } from '../../../src/operators/elbo.ts';
import { encode } from '../../../src/operators/encode.ts';
import { minimize, runSync } from '../../../src/operators/minimize.ts';
import { sampleLatent } from '../../../src/operators/sampleLatent.ts';
import { Adam } from '../../../src/optim/adam.ts';
import { Rng } from '../../../src/random/rng.ts';

/** Mean −ELBO per record on fixed binary images, averaged over `draws` fixed latent draws (no gradients). */
function negativeElbo(encoder: ImageEncoder, decoder: ImageDecoder, images: Float32Array, n: number, draws = 4): number {
  const forward = pipe(encode<{ x: Tensor }>(encoder), sampleLatent({ plan: 'A', rng: new Rng(77) }), decode(decoder), elbo());
  const x = tf.tensor2d(images, [n, 784]);
  let total = 0;
  for (let d = 0; d < draws; d++) total += tf.tidy(() => runSync(forward, { x }).loss.dataSync()[0]);
  x.dispose();
  return total / draws / n;
}

let digits: ImageDataset;
beforeAll(async () => {
  await selectBackend('wasm');
  digits = subset(loadShippedDigits().train, Array.from({ length: 256 }, (_, i) => i));
});

describe('training the image VAEs with the qubit VAE\'s operators', () => {
  it('300 steps of encode ▸ sampleLatent ▸ decode ▸ elbo lower the MLP VAE\'s −ELBO on shipped digits; tensor count flat', async () => {
    const rng = new Rng(1);
    const encoder = new MlpEncoder({ pixels: 784, hidden: [64], zDim: 2, head: 'logVariance' }, rng.fork());
    const decoder = new MlpDecoder({ zDim: 2, hidden: [64], pixels: 784, likelihood: 'bernoulli' }, rng.fork());
    const adam = new Adam(variablesOf(encoder, decoder), { lr: 3e-3 });
    const evalImages = binarizeStatic(digits.images, new Rng(0));
    const start = negativeElbo(encoder, decoder, evalImages, digits.n);
    expect(start).toBeGreaterThan(400); // ≈ 784·log 2 = 543 nats at initialisation

    const forward = pipe(encode(encoder), sampleLatent({ plan: 'A', rng: rng.fork() }), decode(decoder), elbo());
    const counts: number[] = [];
    const losses: number[] = [];
    await lastValueFrom(
      minibatches(digits, { batch: 32, epochs: 38, shuffle: true, rng: rng.fork(), binarize: 'dynamic', dropLast: true }).pipe(
        imagesToTensor(),
        minimize(forward, adam),
        (source) => new Observable<number>((sub) => source.subscribe({
          next(o) {
            losses.push(o.loss.dataSync()[0] / (o.x.shape[0] as number));
            sub.next(o.step);
          },
          error: (e) => sub.error(e),
          complete: () => sub.complete(),
        })),
        (source) => new Observable<number>((sub) => source.subscribe({
          next(step) {
            counts.push(tf.memory().numTensors); // after minimize freed the step's tensors
            sub.next(step);
          },
          error: (e) => sub.error(e),
          complete: () => sub.complete(),
        })),
      ),
    );
    expect(losses.length).toBe(304);
    const end = negativeElbo(encoder, decoder, evalImages, digits.n);
    // The fixed-sample estimate drops by far more than its noise (a few nats).
    expect(end).toBeLessThan(start - 200);
    expect(end).toBeLessThan(260);
    const early = losses.slice(0, 20).reduce((a, b) => a + b) / 20;
    const late = losses.slice(-20).reduce((a, b) => a + b) / 20;
    expect(late).toBeLessThan(early - 100);
    // Flat after the first step (Adam's moments exist from construction): nothing accumulates.
    expect(new Set(counts.slice(1)).size).toBe(1);
    encoder.dispose();
    decoder.dispose();
    adam.dispose();
  });

  for (const architecture of ['mlp8', 'conv'] as ImageArchitecture[]) {
    it(`${architecture}: ELBO and IWAE (K = 3) steps through minimize leave tf.memory().numTensors unchanged`, () => {
      const { encoder, decoder } = imageVae({ architecture, likelihood: architecture === 'conv' ? 'bernoulli' : 'normal' }, new Rng(2));
      const adam = new Adam(variablesOf(encoder, decoder));
      const x = tf.tensor2d(binarizeStatic(digits.images.subarray(0, 4 * 784), new Rng(1)), [4, 784]);
      const elboStep = pipe(encode(encoder), sampleLatent({ plan: 'A', rng: new Rng(3) }), decode(decoder), elbo());
      const iwaeStep = pipe(encode(encoder), sampleLatents({ k: 3, rng: new Rng(4) }), decode(decoder), iwaeObjective());
      const run = (forward: typeof elboStep | typeof iwaeStep) => {
        let loss = NaN;
        new Observable<{ x: Tensor }>((s) => { s.next({ x }); s.complete(); })
          .pipe(minimize(forward as OperatorFunction<{ x: Tensor }, { loss: Tensor }>, adam))
          .subscribe((o) => { loss = o.loss.dataSync()[0]; });
        return loss;
      };
      run(elboStep);
      const n0 = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) {
        expect(Number.isFinite(run(elboStep))).toBe(true);
        expect(Number.isFinite(run(iwaeStep))).toBe(true);
        expect(tf.memory().numTensors).toBe(n0);
      }
      x.dispose();
      encoder.dispose();
      decoder.dispose();
      adam.dispose();
    });
  }
});
