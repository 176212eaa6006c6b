import { pipe } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/backend/selectBackend.ts';
import { tf, type Tensor } from '../../../src/backend/tf.ts';
import { Bernoulli } from '../../../src/distributions/bernoulli.ts';
import { Normal } from '../../../src/distributions/normal.ts';
import { MlpDecoder } from '../../../src/models/image/mlpDecoder.ts';
import { MlpEncoder } from '../../../src/models/image/mlpEncoder.ts';
import { PixelLikelihood } from '../../../src/models/image/pixelLikelihood.ts';
import { decode } from '../../../src/operators/decode.ts';
import { elbo } from '../../../src/operators/elbo.ts';
import { encode } from '../../../src/operators/encode.ts';
import { runSync } from '../../../src/operators/minimize.ts';
import { sampleLatent } from '../../../src/operators/sampleLatent.ts';
import { Rng } from '../../../src/random/rng.ts';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

describe('PixelLikelihood', () => {
  it('Normal with a learned scale: log p(x|z) = −(x − μ)²/(2σ²) − log σ − ½ log 2π with σ = exp(log_scale), and its gradient in log_scale', () => {
    const lik = new PixelLikelihood({ likelihood: 'normal' });
    tf.tidy(() => lik.logScale!.assign(tf.tensor1d([-1.3])));
    const rng = new Rng(7);
    const mu = Float32Array.from({ length: 2 * 5 }, () => rng.normal());
    const xs = Float32Array.from({ length: 2 * 5 }, () => rng.uniform());
    const out = tf.tensor2d(mu, [2, 5]), x = tf.tensor2d(xs, [2, 5]);
    const lpT = tf.tidy(() => lik.distribution(out).logProb(x));
    const lp = lpT.dataSync();
    const s = Math.exp(-1.3);
    for (let i = 0; i < 10; i++) expect(lp[i]).toBeCloseTo(-((xs[i] - mu[i]) ** 2) / (2 * s * s) + 1.3 - HALF_LOG_2PI, 4);
    // ∂/∂ log σ Σ log p = Σ ((x − μ)²/σ² − 1): the seed's log_scale is trained by this.
    const { value, grads } = tf.variableGrads(() => tf.sum(lik.distribution(out).logProb(x)) as tf.Scalar, [lik.logScale!]);
    let expected = 0;
    for (let i = 0; i < 10; i++) expected += (xs[i] - mu[i]) ** 2 / (s * s) - 1;
    expect(grads[lik.logScale!.name].dataSync()[0]).toBeCloseTo(expected, 2);
    tf.dispose([out, x, lpT, value, ...Object.values(grads)]);
    lik.dispose();
  });

  it('fixed scale, tanh and sigmoid means; Bernoulli logits', () => {
    tf.tidy(() => {
      const out = tf.tensor1d([-2, 0, 3]);
      const t = new PixelLikelihood({ likelihood: 'normal', scale: 0.5, mean: 'tanh' }).distribution(out) as Normal;
      expect(Array.from(t.loc.dataSync())).toEqual(Array.from(tf.tanh(out).dataSync()));
      expect(t.scale.dataSync()[0]).toBe(0.5);
      const g = new PixelLikelihood({ likelihood: 'normal', scale: 2, mean: 'sigmoid' }).distribution(out) as Normal;
      g.loc.dataSync().forEach((v, i) => expect(v).toBeCloseTo(1 / (1 + Math.exp(-[-2, 0, 3][i])), 6));
      const b = new PixelLikelihood({ likelihood: 'bernoulli' }).distribution(out);
      expect(b).toBeInstanceOf(Bernoulli);
      expect((b as Bernoulli).logits).toBe(out);
      expect(new PixelLikelihood({ likelihood: 'bernoulli' }).namedVariables()).toEqual([]);
    });
  });

  it('elbo on an image batch: reconstruction = −Σ_pixels log N(x; μ, σ) (no squeeze of [batch, 784]) and KL in closed form', () => {
    const B = 3, D = 784;
    const encoder = new MlpEncoder({ pixels: D, hidden: [16], zDim: 2, head: 'logVariance' }, new Rng(1));
    const decoder = new MlpDecoder({ zDim: 2, hidden: [16], pixels: D, likelihood: 'normal' }, new Rng(2));
    tf.tidy(() => Object.fromEntries(decoder.namedVariables())['decoder/log_scale'].assign(tf.tensor1d([-0.7])));
    const rng = new Rng(3);
    const xs = Float32Array.from({ length: B * D }, () => rng.uniform());
    const x = tf.tensor2d(xs, [B, D]);
    const n0 = tf.memory().numTensors;
    const forward = pipe(encode<{ x: Tensor }>(encoder), sampleLatent({ plan: 'A', rng: new Rng(9) }), decode(decoder), elbo());
    const out = tf.tidy(() => {
      const o = runSync(forward, { x });
      const p = o.p as Normal;
      return { rec: o.reconstruction, kl: o.kl, loss: o.loss, loc: p.loc, mu: o.q.loc, sd: o.q.scale };
    });
    expect(out.rec.shape).toEqual([B]);
    const loc = out.loc.dataSync(), rec = out.rec.dataSync(), kl = out.kl.dataSync(), mu = out.mu.dataSync(), sd = out.sd.dataSync();
    const s = Math.exp(-0.7);
    let total = 0;
    for (let b = 0; b < B; b++) {
      let lp = 0;
      for (let i = 0; i < D; i++) lp += -((xs[b * D + i] - loc[b * D + i]) ** 2) / (2 * s * s) + 0.7 - HALF_LOG_2PI;
      expect(rec[b]).toBeCloseTo(-lp, 1);
      expect(Math.abs(rec[b] + lp)).toBeLessThan(1e-5 * Math.abs(lp));
      let k = 0;
      for (let j = 0; j < 2; j++) k += 0.5 * (mu[b * 2 + j] ** 2 + sd[b * 2 + j] ** 2 - 1) - Math.log(sd[b * 2 + j]);
      expect(kl[b]).toBeCloseTo(k, 5);
      total += -lp + k;
    }
    expect(out.loss.dataSync()[0]).toBeCloseTo(total, 1);
    tf.dispose(Object.values(out));
    expect(tf.memory().numTensors).toBe(n0);
    x.dispose();
    encoder.dispose();
    decoder.dispose();
  });
});
