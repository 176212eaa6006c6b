import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { binarizeStatic } from '../../src/data/binarize.ts';
import { MlpDecoder } from '../../src/models/image/mlpDecoder.ts';
import { MlpEncoder } from '../../src/models/image/mlpEncoder.ts';
import { iwaeLogLikelihood, iwaeLogLikelihoods } from '../../src/objectives/iwaeObjective.ts';
import { Rng } from '../../src/random/rng.ts';

let model: { encoder: MlpEncoder; decoder: MlpDecoder };
let data: { n: number; rows: number; cols: number; images: Float32Array; name: string };
beforeAll(async () => {
  await selectBackend('wasm');
  const rng = new Rng(2);
  model = {
    encoder: new MlpEncoder({ pixels: 16, hidden: [8], zDim: 2, head: 'logVariance' }, rng.fork()),
    decoder: new MlpDecoder({ zDim: 2, hidden: [8], pixels: 16, likelihood: 'bernoulli' }, rng.fork()),
  };
  const grey = Float32Array.from({ length: 7 * 16 }, (_, i) => ((i * 37) % 11) / 10);
  data = { n: 7, rows: 4, cols: 4, images: binarizeStatic(grey, new Rng(5)), name: 'toy' };
});

describe('iwaeLogLikelihoods (several K from one set of draws)', () => {
  it('with one K it is iwaeLogLikelihood: the same draws from the same generator, for any chunk', () => {
    for (const chunk of [3, 64, 512]) {
      const one = iwaeLogLikelihood(model, data, { k: 40, rng: new Rng(9), chunk });
      const [many] = iwaeLogLikelihoods(model, data, { ks: [40], rng: new Rng(9), chunk });
      expect(many.nll).toBe(one.nll);
      expect(Array.from(many.bounds)).toEqual(Array.from(one.bounds));
    }
  });

  it('orders every record\'s estimates exactly when each K divides the next (nested groups), and L_1 is the mean log weight', () => {
    const before = tf.memory().numTensors;
    const ks = [1, 5, 20, 100];
    const results = iwaeLogLikelihoods(model, data, { ks, rng: new Rng(1), chunk: 64 });
    expect(results.map((r) => r.k)).toEqual(ks);
    for (let r = 0; r < data.n; r++) {
      for (let j = 1; j < ks.length; j++) expect(results[j].bounds[r]).toBeGreaterThanOrEqual(results[j - 1].bounds[r]);
    }
    for (let j = 1; j < ks.length; j++) expect(results[j].nll).toBeLessThanOrEqual(results[j - 1].nll);
    // L_100 from 100 draws is iwaeLogLikelihood's with k = 100 from the same generator.
    expect(results[3].nll).toBeCloseTo(iwaeLogLikelihood(model, data, { k: 100, rng: new Rng(1), chunk: 64 }).nll, 12);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names a bad K', () => {
    expect(() => iwaeLogLikelihoods(model, data, { ks: [], rng: new Rng(1) })).toThrow(/ks must name at least one K/);
    expect(() => iwaeLogLikelihoods(model, data, { ks: [1, 0], rng: new Rng(1) })).toThrow(/every K must be an integer ≥ 1 \(got 0 in \[1, 0\]\)/);
  });
});
