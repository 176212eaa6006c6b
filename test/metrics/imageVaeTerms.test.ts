import { of, pipe, type OperatorFunction } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf, type Tensor } from '../../src/backend/tf.ts';
import { binarizeStatic } from '../../src/data/binarize.ts';
import { imageVaeTerms, type ImageVaeStepTerms } from '../../src/metrics/imageVaeTerms.ts';
import { MlpDecoder } from '../../src/models/image/mlpDecoder.ts';
import { MlpEncoder } from '../../src/models/image/mlpEncoder.ts';
import { iwaeObjective } from '../../src/objectives/iwaeObjective.ts';
import { decode } from '../../src/operators/decode.ts';
import { elbo } from '../../src/operators/elbo.ts';
import { encode } from '../../src/operators/encode.ts';
import { sampleLatent } from '../../src/operators/sampleLatent.ts';
import { sampleLatents } from '../../src/operators/sampleLatents.ts';
import { Rng } from '../../src/random/rng.ts';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('imageVaeTerms', () => {
  it('reports the same reconstruction and KL after elbo and after a K = 1 IWAE step (the same draw), loss = reconstruction + KL', () => {
    const rng = new Rng(3);
    const encoder = new MlpEncoder({ pixels: 16, hidden: [8], zDim: 2, head: 'logScale' }, rng.fork());
    const decoder = new MlpDecoder({ zDim: 2, hidden: [8], pixels: 16, likelihood: 'bernoulli' }, rng.fork());
    const x = tf.tensor2d(binarizeStatic(Float32Array.from({ length: 48 }, (_, i) => (i % 5) / 4), new Rng(1)), [3, 16]);
    const before = tf.memory().numTensors;
    const terms = (stages: OperatorFunction<{ x: Tensor }, { terms: ImageVaeStepTerms }>): ImageVaeStepTerms => {
      let t: ImageVaeStepTerms | undefined;
      // The stages' tensors are the caller's to free (no minimize here): tidy does it.
      tf.tidy(() => { of({ x }).pipe(stages).subscribe((o) => { t = o.terms; }); });
      return t!;
    };
    const e = terms(pipe(encode<{ x: Tensor }>(encoder), sampleLatent({ plan: 'A', rng: new Rng(8) }), decode(decoder), elbo(), imageVaeTerms()));
    const i = terms(pipe(encode<{ x: Tensor }>(encoder), sampleLatents({ k: 1, rng: new Rng(8) }), decode(decoder), iwaeObjective(), imageVaeTerms()));
    expect(e.records).toBe(3);
    expect(i.records).toBe(3);
    expect(i.reconstruction).toBeCloseTo(e.reconstruction, 3);
    expect(i.kl).toBeCloseTo(e.kl, 4);
    expect(e.loss).toBeCloseTo(e.reconstruction + e.kl, 3);
    // −L_1 with a Monte Carlo KL differs from the closed-form −ELBO by the KL's sampling noise only.
    expect(Number.isFinite(i.loss)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    encoder.dispose();
    decoder.dispose();
  });
});
