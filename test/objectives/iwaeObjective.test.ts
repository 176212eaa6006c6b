import { pipe } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tidy } from '../../src/backend/tensors.ts';
import { tf, type Tensor } from '../../src/backend/tf.ts';
import { Normal } from '../../src/distributions/normal.ts';
import { MlpDecoder } from '../../src/models/image/mlpDecoder.ts';
import { MlpEncoder } from '../../src/models/image/mlpEncoder.ts';
import { logMeanExp } from '../../src/objectives/iwae.ts';
import { iwaeLogLikelihood, iwaeObjective, sampleLatents } from '../../src/objectives/iwaeObjective.ts';
import { decode } from '../../src/operators/decode.ts';
import { elbo } from '../../src/operators/elbo.ts';
import { encode } from '../../src/operators/encode.ts';
import { runSync } from '../../src/operators/minimize.ts';
import { sampleLatent } from '../../src/operators/sampleLatent.ts';
import { Rng } from '../../src/random/rng.ts';

const LOG_2PI = Math.log(2 * Math.PI);
const Z = 4;

/**
 * A linear-Gaussian VAE, where everything is known in closed form:
 *   p(z) = N(0, I₂),  p(x|z) = N(z·W + b, σ² I₃)  ⇒  p(x) = N(b, WᵀW + σ² I₃);
 * q(z|x) a deliberately imperfect diagonal Normal (shrunken mean of the exact posterior, inflated scale).
 */
const W = [[1.0, -0.5, 0.3], [0.4, 0.8, -1.1]]; // [zDim 2, D 3]
const B = [0.2, -0.1, 0.5];
const SIGMA = 0.5;
const X = [1.1, -0.7, 0.4];

function solve2(m: number[][], v: number[]): number[] {
  const det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
  return [(m[1][1] * v[0] - m[0][1] * v[1]) / det, (-m[1][0] * v[0] + m[0][0] * v[1]) / det];
}

/** Exact posterior N(m, S): S = (I + W Wᵀ/σ²)⁻¹, m = S W (x − b)/σ². */
function posterior(x: number[]): { m: number[]; s: number[][] } {
  const prec = [0, 1].map((i) => [0, 1].map((j) => (i === j ? 1 : 0) + W[i].reduce((a, w, k) => a + w * W[j][k], 0) / SIGMA ** 2));
  const rhs = [0, 1].map((i) => W[i].reduce((a, w, k) => a + w * (x[k] - B[k]), 0) / SIGMA ** 2);
  const det = prec[0][0] * prec[1][1] - prec[0][1] * prec[1][0];
  return { m: solve2(prec, rhs), s: [[prec[1][1] / det, -prec[0][1] / det], [-prec[1][0] / det, prec[0][0] / det]] };
}

/** log N(x; b, WᵀW + σ²I) by Cholesky, float64. */
function exactLogMarginal(x: number[]): number {
  const D = 3;
  const c = Array.from({ length: D }, (_, i) => Array.from({ length: D }, (_, j) => W[0][i] * W[0][j] + W[1][i] * W[1][j] + (i === j ? SIGMA ** 2 : 0)));
  const L = Array.from({ length: D }, () => new Array<number>(D).fill(0));
  for (let i = 0; i < D; i++) {
    for (let j = 0; j <= i; j++) {
      let s = c[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      L[i][j] = i === j ? Math.sqrt(s) : s / L[j][j];
    }
  }
  const r = x.map((v, i) => v - B[i]);
  const y: number[] = [];
  for (let i = 0; i < D; i++) y.push((r[i] - y.reduce((a, v, k) => a + L[i][k] * v, 0)) / L[i][i]);
  const logDet = 2 * L.reduce((a, row, i) => a + Math.log(row[i]), 0);
  return -0.5 * (D * LOG_2PI + logDet + y.reduce((a, v) => a + v * v, 0));
}

const POST = posterior(X);
const Q_LOC = POST.m.map((v) => 0.7 * v);
const Q_SCALE = [0, 1].map((i) => 1.4 * Math.sqrt(POST.s[i][i]));

/** The ELBO of q in closed form: E_q log p(x|z) − KL(q ‖ N(0, I)). */
function exactElbo(): number {
  const mean = [0, 1, 2].map((k) => Q_LOC[0] * W[0][k] + Q_LOC[1] * W[1][k] + B[k]);
  const spread = [0, 1, 2].reduce((a, k) => a + Q_SCALE[0] ** 2 * W[0][k] ** 2 + Q_SCALE[1] ** 2 * W[1][k] ** 2, 0);
  const sq = X.reduce((a, v, k) => a + (v - mean[k]) ** 2, 0);
  const expectedLogLik = -1.5 * Math.log(2 * Math.PI * SIGMA ** 2) - (sq + spread) / (2 * SIGMA ** 2);
  const kl = [0, 1].reduce((a, j) => a + 0.5 * (Q_LOC[j] ** 2 + Q_SCALE[j] ** 2 - 1) - Math.log(Q_SCALE[j]), 0);
  return expectedLogLik - kl;
}

const toyEncoder = {
  apply(x: Tensor) {
    return tidy(() => {
      const n = x.shape[0] as number;
      const loc = tf.tile(tf.tensor2d([Q_LOC], [1, 2]), [n, 1]);
      const logScale = tf.tile(tf.tensor2d([Q_SCALE.map(Math.log)], [1, 2]), [n, 1]);
      return { q: new Normal(loc, tf.exp(logScale), { validate: false }), logScale };
    });
  },
};
const toyDecoder = {
  apply(z: Tensor) {
    return tidy(() => {
      const flat = tf.reshape(z, [-1, 2]);
      const mean = tf.add(tf.matMul(flat, tf.tensor2d(W)), tf.tensor1d(B));
      return { p: new Normal(tf.reshape(mean, [...z.shape.slice(0, -1), 3]), tf.scalar(SIGMA), { validate: false }) };
    });
  },
};

/** R copies of X: iwaeLogLikelihood's per-record bounds are then R independent estimates of L_K(X). */
function repeated(r: number) {
  const images = new Float32Array(r * 3);
  for (let i = 0; i < r; i++) images.set(X, i * 3);
  return { name: 'toy', n: r, rows: 1, cols: 3, images };
}

function meanAndSe(v: Float64Array): { mean: number; se: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
  return { mean, se: sd / Math.sqrt(v.length) };
}

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

describe('IWAE bound L_K', () => {
  it('K = 1 is the ELBO estimate of the same sample: L_1 = log p(x|z) + log p(z) − log q(z|x), z identical to sampleLatent\'s', () => {
    const encoder = new MlpEncoder({ pixels: 784, hidden: [32], zDim: 2, head: 'logVariance' }, new Rng(1));
    const decoder = new MlpDecoder({ zDim: 2, hidden: [32], pixels: 784, likelihood: 'bernoulli' }, new Rng(2));
    const rng = new Rng(3);
    const x = tf.tensor2d(Float32Array.from({ length: 5 * 784 }, () => (rng.uniform() < 0.2 ? 1 : 0)), [5, 784]);
    const n0 = tf.memory().numTensors;
    tf.tidy(() => {
      const a = runSync(pipe(encode<{ x: Tensor }>(encoder), sampleLatent({ plan: 'A', rng: new Rng(9) }), decode(decoder), elbo()), { x });
      const b = runSync(pipe(encode<{ x: Tensor }>(encoder), sampleLatents({ k: 1, rng: new Rng(9) }), decode(decoder), iwaeObjective()), { x });
      expect(b.z.shape).toEqual([1, 5, 2]);
      expect(Array.from(b.z.dataSync())).toEqual(Array.from(a.z.dataSync()));
      expect(b.logWeights.shape).toEqual([1, 5]);
      const z = a.z.dataSync(), loc = a.q.loc.dataSync(), sc = a.q.scale.dataSync(), rec = a.reconstruction.dataSync();
      const bound = b.bound.dataSync();
      let sum = 0;
      for (let r = 0; r < 5; r++) {
        let logPrior = 0, logQ = 0;
        for (let j = 0; j < 2; j++) {
          const i = r * 2 + j;
          logPrior += -0.5 * z[i] ** 2 - 0.5 * LOG_2PI;
          logQ += -0.5 * ((z[i] - loc[i]) / sc[i]) ** 2 - Math.log(sc[i]) - 0.5 * LOG_2PI;
        }
        const expected = -rec[r] + logPrior - logQ;
        expect(Math.abs(bound[r] - expected)).toBeLessThan(1e-5 * Math.abs(expected) + 1e-4);
        sum += bound[r];
      }
      expect(b.loss.dataSync()[0]).toBeCloseTo(-sum, 2);
    });
    expect(tf.memory().numTensors).toBe(n0);
    x.dispose();
    encoder.dispose();
    decoder.dispose();
  });

  it('iwaeObjective: bound = log-mean-exp of the K log weights, loss = −Σ bound', () => {
    const x = tf.tensor2d([X, X.map((v) => -v)]);
    tf.tidy(() => {
      const o = runSync(pipe(encode<{ x: Tensor }>(toyEncoder), sampleLatents({ k: 50, rng: new Rng(4) }), decode(toyDecoder), iwaeObjective()), { x });
      expect(o.logWeights.shape).toEqual([50, 2]);
      const lw = o.logWeights.dataSync(), bound = o.bound.dataSync();
      for (let r = 0; r < 2; r++) {
        const col = Float64Array.from({ length: 50 }, (_, k) => lw[k * 2 + r]);
        expect(bound[r]).toBeCloseTo(logMeanExp(col), 4);
      }
      expect(o.loss.dataSync()[0]).toBeCloseTo(-(bound[0] + bound[1]), 4);
    });
    x.dispose();
    expect(() => sampleLatents({ k: 0, rng: new Rng(1) })).toThrow(/sampleLatents: k must be an integer ≥ 1 \(got 0\)/);
  });

  it('on a linear-Gaussian VAE: E L_1 = the closed-form ELBO, L_K rises with K within MC error, stays ≤ log p(x) and reaches it by K = 5000', () => {
    const logPx = exactLogMarginal(X);
    const n0 = tf.memory().numTensors;
    const est = (k: number, r: number, chunk: number, seed: number) => meanAndSe(iwaeLogLikelihood({ encoder: toyEncoder, decoder: toyDecoder }, repeated(r), { k, rng: new Rng(seed), chunk }).bounds);
    // chunk 64 packs several records per pass for small K and spreads K = 5000 over 79 passes.
    const l1 = est(1, 4000, 64, 1);
    const l10 = est(10, 1000, 64, 2);
    const l100 = est(100, 300, 64, 3);
    const l5000 = est(5000, 20, 1000, 4);
    expect(tf.memory().numTensors).toBe(n0);
    const elboExact = exactElbo();
    expect(logPx - elboExact).toBeGreaterThan(0.3); // q is far enough from the posterior to leave a visible gap
    expect(Math.abs(l1.mean - elboExact)).toBeLessThanOrEqual(Z * l1.se);
    const ladder = [l1, l10, l100, l5000];
    for (let i = 1; i < ladder.length; i++) {
      // Non-decreasing within MC error, and here clearly increasing until the gap closes.
      expect(ladder[i].mean - ladder[i - 1].mean).toBeGreaterThan(-Z * Math.hypot(ladder[i].se, ladder[i - 1].se));
    }
    expect(l10.mean - l1.mean).toBeGreaterThan(Z * Math.hypot(l10.se, l1.se));
    for (const l of ladder) expect(l.mean).toBeLessThanOrEqual(logPx + Z * l.se);
    expect(Math.abs(l5000.mean - logPx)).toBeLessThan(0.01);
  });

  it('iwaeLogLikelihood reports the test NLL as −mean L_K with its standard error over records, and validates its options', () => {
    const data = { name: 'toy', n: 3, rows: 1, cols: 3, images: Float32Array.from([...X, ...X.map((v) => v / 2), ...X.map((v) => -v)]) };
    const r = iwaeLogLikelihood({ encoder: toyEncoder, decoder: toyDecoder }, data, { k: 2000, rng: new Rng(5) });
    expect(r.k).toBe(2000);
    expect(r.bounds.length).toBe(3);
    expect(r.nll).toBeCloseTo(-(r.bounds[0] + r.bounds[1] + r.bounds[2]) / 3, 10);
    expect(r.bounds[0]).toBeCloseTo(exactLogMarginal(X), 1);
    expect(r.standardError).toBeGreaterThan(0);
    expect(() => iwaeLogLikelihood({ encoder: toyEncoder, decoder: toyDecoder }, data, { k: 0, rng: new Rng(5) })).toThrow(/k must be an integer ≥ 1 \(got 0\)/);
    expect(() => iwaeLogLikelihood({ encoder: toyEncoder, decoder: toyDecoder }, { ...data, n: 0 }, { k: 1, rng: new Rng(5) })).toThrow(/toy has no records/);
  });
});
