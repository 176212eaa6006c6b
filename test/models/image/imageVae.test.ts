import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/backend/selectBackend.ts';
import { tf } from '../../../src/backend/tf.ts';
import { Bernoulli } from '../../../src/distributions/bernoulli.ts';
import { Normal } from '../../../src/distributions/normal.ts';
import { imageVae, parameterCount, type ImageArchitecture } from '../../../src/models/image/imageVae.ts';
import { Rng } from '../../../src/random/rng.ts';

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

/** Variable shapes by name, written out by hand from the PyTorch modules and Keras's summary. */
const EXPECTED: Record<ImageArchitecture, Record<string, number[]>> = {
  // Seed 003: nn.Linear(784, 512), fc_mu / fc_var nn.Linear(512, 2), decoder Linear(2, 512), Linear(512, 784).
  mlp: {
    'encoder/hidden1/weight': [784, 512], 'encoder/hidden1/bias': [512],
    'encoder/mu/weight': [512, 2], 'encoder/mu/bias': [2],
    'encoder/log_var/weight': [512, 2], 'encoder/log_var/bias': [2],
    'decoder/hidden1/weight': [2, 512], 'decoder/hidden1/bias': [512],
    'decoder/out/weight': [512, 784], 'decoder/out/bias': [784],
  },
  // Seed 004: Encoder(784, 512, 8) with linear1, linear2, enc_mu, enc_log_sigma; Decoder(8, 512, 784).
  mlp8: {
    'encoder/hidden1/weight': [784, 512], 'encoder/hidden1/bias': [512],
    'encoder/hidden2/weight': [512, 512], 'encoder/hidden2/bias': [512],
    'encoder/mu/weight': [512, 8], 'encoder/mu/bias': [8],
    'encoder/log_sigma/weight': [512, 8], 'encoder/log_sigma/bias': [8],
    'decoder/hidden1/weight': [8, 512], 'decoder/hidden1/bias': [512],
    'decoder/out/weight': [512, 784], 'decoder/out/bias': [784],
  },
  // Keras: Conv2D(32, 3) kernel (3, 3, 1, 32); Conv2D(64, 3) (3, 3, 32, 64); Dense(16) (3136, 16); z heads (16, 2);
  // decoder Dense(3136) (2, 3136); Conv2DTranspose kernels (3, 3, filters, in): (3, 3, 64, 64), (3, 3, 32, 64), (3, 3, 1, 32).
  conv: {
    'encoder/conv1/kernel': [3, 3, 1, 32], 'encoder/conv1/bias': [32],
    'encoder/conv2/kernel': [3, 3, 32, 64], 'encoder/conv2/bias': [64],
    'encoder/dense/weight': [3136, 16], 'encoder/dense/bias': [16],
    'encoder/z_mean/weight': [16, 2], 'encoder/z_mean/bias': [2],
    'encoder/z_log_var/weight': [16, 2], 'encoder/z_log_var/bias': [2],
    'decoder/dense/weight': [2, 3136], 'decoder/dense/bias': [3136],
    'decoder/deconv1/kernel': [3, 3, 64, 64], 'decoder/deconv1/bias': [64],
    'decoder/deconv2/kernel': [3, 3, 32, 64], 'decoder/deconv2/bias': [32],
    'decoder/deconv3/kernel': [3, 3, 1, 32], 'decoder/deconv3/bias': [1],
  },
};

/**
 * Parameter counts by hand:
 * - seed 003: (784·512 + 512) + 2·(512·2 + 2) + (2·512 + 512) + (512·784 + 784) = 401 920 + 2 052 + 1 536 + 402 192;
 * - seed 004: 401 920 + (512·512 + 512) + 2·(512·8 + 8) + (8·512 + 512) + 402 192 = 401 920 + 262 656 + 8 208 + 4 608 + 402 192;
 * - Keras (its model.summary()): encoder 320 + 18 496 + 50 192 + 34 + 34 = 69 076, decoder 9 408 + 36 928 + 18 464 + 289 = 65 089.
 */
const COUNTS: Record<ImageArchitecture, { encoder: number; decoder: number }> = {
  mlp: { encoder: 403_972, decoder: 403_728 }, // 807 700; PyTorch's seed 003 model has 807 701 with log_scale
  mlp8: { encoder: 672_784, decoder: 406_800 }, // 1 079 584
  conv: { encoder: 69_076, decoder: 65_089 }, // 134 165
};

describe('imageVae: the seeds\' architectures', () => {
  for (const architecture of ['mlp', 'mlp8', 'conv'] as const) {
    it(`${architecture}: variable names, shapes and parameter counts are PyTorch's / Keras's`, () => {
      const { encoder, decoder } = imageVae({ architecture, likelihood: 'bernoulli' }, new Rng(1));
      const shapes = Object.fromEntries([...encoder.namedVariables(), ...decoder.namedVariables()].map(([n, v]) => [n, v.shape]));
      expect(shapes).toEqual(EXPECTED[architecture]);
      expect(parameterCount(encoder)).toBe(COUNTS[architecture].encoder);
      expect(parameterCount(decoder)).toBe(COUNTS[architecture].decoder);
      encoder.dispose();
      decoder.dispose();
      // The Normal likelihood with a learned scale adds seed 003's log_scale, shape [1], initialised at 0.
      const normal = imageVae({ architecture, likelihood: 'normal' }, new Rng(1));
      const named = Object.fromEntries(normal.decoder.namedVariables());
      expect(named['decoder/log_scale'].shape).toEqual([1]);
      expect(named['decoder/log_scale'].dataSync()[0]).toBe(0);
      expect(parameterCount(normal.encoder, normal.decoder)).toBe(COUNTS[architecture].encoder + COUNTS[architecture].decoder + 1);
      normal.encoder.dispose();
      normal.decoder.dispose();
    });

    it(`${architecture}: x [batch, 784] → q [batch, zDim]; z [batch, zDim] and [K, batch, zDim] → p of batch shape [..., 784]`, () => {
      const zDim = architecture === 'mlp8' ? 8 : 2;
      const { encoder, decoder } = imageVae({ architecture, likelihood: 'bernoulli' }, new Rng(2));
      const n0 = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.tensor2d(Float32Array.from({ length: 3 * 784 }, (_, i) => (i % 7 === 0 ? 1 : 0)), [3, 784]);
        const { q, logScale } = encoder.apply(x);
        expect(q.batchShape).toEqual([3, zDim]);
        expect(logScale.shape).toEqual([3, zDim]);
        // σ = exp(log σ): the Encoding's logScale is log σ whatever the head predicts.
        const s = q.scale.dataSync(), ls = logScale.dataSync();
        s.forEach((v, i) => expect(Math.log(v)).toBeCloseTo(ls[i], 5));
        const one = decoder.apply(q.loc).p;
        expect(one).toBeInstanceOf(Bernoulli);
        expect(one.batchShape).toEqual([3, 784]);
        const many = decoder.apply(tf.zeros([4, 3, zDim])).p;
        expect(many.batchShape).toEqual([4, 3, 784]);
        // Decoding K latents at once equals decoding each: the leading axes are only reshaped.
        const z = tf.randomNormal([2, 3, zDim], 0, 1, 'float32', 3);
        const both = (decoder.apply(z).p as Bernoulli).logits.dataSync();
        const second = (decoder.apply(tf.squeeze(tf.slice(z, [1, 0, 0], [1, 3, zDim]), [0])).p as Bernoulli).logits.dataSync();
        for (let i = 0; i < second.length; i++) expect(both[3 * 784 + i]).toBeCloseTo(second[i], 4);
      });
      expect(tf.memory().numTensors).toBe(n0);
      const bad = tf.zeros([2, 783]);
      expect(() => encoder.apply(bad)).toThrow(/x must have shape \[batch, 784\] \(got \[2, 783\]\)/);
      bad.dispose();
      encoder.dispose();
      decoder.dispose();
    });
  }

  it('rejects unknown architectures and likelihood options that do not apply, naming them', () => {
    expect(() => imageVae({ architecture: 'resnet' as ImageArchitecture, likelihood: 'bernoulli' }, new Rng(1))).toThrow(/architecture must be one of mlp, mlp8, conv \(got "resnet"\)/);
    expect(() => imageVae({ architecture: 'mlp', likelihood: 'bernoulli', scale: 1 }, new Rng(1))).toThrow(/scale and mean apply to the normal likelihood only/);
    expect(() => imageVae({ architecture: 'mlp', likelihood: 'normal', scale: 0 }, new Rng(1))).toThrow(/scale must be 'learned' or a finite number > 0 \(got 0\)/);
  });

  it('seed 004\'s decoder: Normal(tanh(·), 1), no learned scale', () => {
    const { encoder, decoder } = imageVae({ architecture: 'mlp8', likelihood: 'normal', scale: 1, mean: 'tanh' }, new Rng(4));
    expect(parameterCount(encoder, decoder)).toBe(1_079_584);
    tf.tidy(() => {
      const p = decoder.apply(tf.randomNormal([2, 8], 0, 3, 'float32', 5)).p as Normal;
      expect(p).toBeInstanceOf(Normal);
      expect(p.scale.dataSync()[0]).toBe(1);
      p.loc.dataSync().forEach((m) => expect(Math.abs(m)).toBeLessThanOrEqual(1));
    });
    encoder.dispose();
    decoder.dispose();
  });
});
