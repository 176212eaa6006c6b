import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostKernels, NATIVE_ENV } from '../../src/backend/hostKernels.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { tf } from '../../src/backend/tf.ts';
import { Bernoulli } from '../../src/distributions/bernoulli.ts';
import { Rng } from '../../src/random/rng.ts';
import { columnStats } from '../helpers/stats.ts';

const Z = 5;

/** log σ(l) in float64, stable for either sign: −log(1 + e^{−l}). */
function logSigmoid(l: number): number {
  return l >= 0 ? -Math.log1p(Math.exp(-l)) : l - Math.log1p(Math.exp(l));
}
const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

describe('Bernoulli (logits)', () => {
  const LOGITS = [-200, -90, -30, -17, -5, -1, -1e-3, 0, 1e-3, 1, 5, 17, 30, 90, 200];

  // logProb on TF.js kernels and, where built, as the host kernels' fused op (bernoulliLogProbHost.ts).
  for (const host of hostKernels() ? [false, true] : [false]) {
    describe(host ? 'logProb on the host kernels' : 'logProb on TF.js kernels', () => {
      const saved = process.env[NATIVE_ENV];
      beforeAll(() => {
        if (!host) process.env[NATIVE_ENV] = '0';
      });
      afterAll(() => {
        if (saved === undefined) delete process.env[NATIVE_ENV];
        else process.env[NATIVE_ENV] = saved;
      });

      it('logProb equals log σ(l) at x = 1 and log σ(−l) at x = 0, to float32 precision even for extreme logits', () => {
        const p = new Bernoulli(LOGITS);
        for (const x of [0, 1]) {
          const lpT = tf.tidy(() => p.logProb(tf.fill([LOGITS.length], x)));
          const lp = lpT.dataSync();
          LOGITS.forEach((l, i) => {
            const exact = x === 1 ? logSigmoid(l) : logSigmoid(-l);
            // Relative accuracy, not just absolute: log p(1) at l = 17 is −4.1e-8, not 0.
            expect(Math.abs(lp[i] - exact)).toBeLessThanOrEqual(2e-6 * Math.abs(exact) + 1e-30);
            expect(Number.isFinite(lp[i])).toBe(true);
          });
          lpT.dispose();
        }
        p.dispose();
      });

      it('logProb is the torch form x·l − softplus(l) for x ∈ {0, 1}, broadcasts x over leading sample axes, and has gradient x − σ(l)', () => {
        const rng = new Rng(3);
        const logits = tf.tensor2d(Float32Array.from({ length: 12 }, () => 8 * rng.normal()), [3, 4]); // [K, pixels]
        const x = tf.tensor1d([0, 1, 1, 0]); // one record, broadcast over K
        const lpT = tf.tidy(() => new Bernoulli(logits, { validate: false }).logProb(x));
        expect(lpT.shape).toEqual([3, 4]);
        const l = logits.dataSync(), lp = lpT.dataSync(), xv = x.dataSync();
        for (let i = 0; i < 12; i++) {
          const xi = xv[i % 4];
          expect(lp[i]).toBeCloseTo(xi * l[i] - Math.log1p(Math.exp(l[i])), 4);
        }
        const g = tf.grad((t: tf.Tensor) => tf.sum(new Bernoulli(t, { validate: false }).logProb(x)))(logits);
        const gv = g.dataSync();
        for (let i = 0; i < 12; i++) expect(gv[i]).toBeCloseTo(xv[i % 4] - sigmoid(l[i]), 5);
        // Extreme logits: the gradient stays finite and saturates at x − σ(l) ∈ {−1, 0, 1}.
        const ext = tf.tensor1d([-200, 200, -200, 200]);
        const xe = tf.tensor1d([1, 0, 0, 1]);
        const ge = tf.grad((t: tf.Tensor) => tf.sum(new Bernoulli(t, { validate: false }).logProb(xe)))(ext);
        expect(Array.from(ge.dataSync(), (v) => v + 0)).toEqual([1, -1, 0, 0]); // + 0 folds −0 into 0
        tf.dispose([logits, x, lpT, g, ext, xe, ge]);
      });

      it('agrees with the float64 value and both gradients for x broadcast over [K, batch, pixels], to a few float32 ulps', () => {
        const rng = new Rng(5);
        const [K, B, P] = [3, 4, 37];
        const l = Float32Array.from({ length: K * B * P }, () => 10 * rng.normal());
        const xv = Float32Array.from({ length: B * P }, () => (rng.uniform() < 0.3 ? 1 : 0));
        const r = Float32Array.from({ length: K * B * P }, () => rng.normal());
        const [lt, xt, rt] = [tf.tensor3d(l, [K, B, P]), tf.tensor2d(xv, [B, P]), tf.tensor3d(r, [K, B, P])];
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(new Bernoulli(a, { validate: false }).logProb(b), rt));
        const value = tf.tidy(() => new Bernoulli(lt, { validate: false }).logProb(xt));
        const [dl, dx] = tf.grads(f)([lt, xt]);
        const v = value.dataSync(), gl = dl.dataSync(), gx = dx.dataSync();
        const wantDx = new Float64Array(B * P);
        for (let i = 0; i < K * B * P; i++) {
          const x = xv[i % (B * P)], s = 1 - 2 * x, z = s * l[i];
          const lp = -(Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))));
          expect(Math.abs(v[i] - lp)).toBeLessThanOrEqual(4e-7 * Math.abs(lp) + 1e-30);
          expect(Math.abs(gl[i] - -r[i] * s * sigmoid(z))).toBeLessThanOrEqual(4e-7 * Math.abs(r[i]) + 1e-30);
          wantDx[i % (B * P)] += 2 * r[i] * l[i] * sigmoid(z);
        }
        wantDx.forEach((w, j) => expect(Math.abs(gx[j] - w)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(w))));
        tf.dispose([lt, xt, rt, value, dl, dx]);
      });
    });
  }

  it('samples {0, 1} with frequency σ(l); mean, variance and entropy match the closed forms', () => {
    const ls = [-2, 0, 0.7, 3];
    const p = new Bernoulli(ls);
    const n = 100_000;
    const sT = p.sample([n], new Rng(11));
    const s = sT.dataSync();
    expect(sT.shape).toEqual([n, 4]);
    expect(s.every((v) => v === 0 || v === 1)).toBe(true);
    ls.forEach((l, j) => {
      const { mean } = columnStats(s, 4, j);
      const pr = sigmoid(l);
      expect(Math.abs(mean - pr)).toBeLessThanOrEqual(Z * Math.sqrt((pr * (1 - pr)) / n));
    });
    const [mT, vT, hT] = [p.mean(), p.variance(), p.entropy()];
    const [m, v, h] = [mT.dataSync(), vT.dataSync(), hT.dataSync()];
    ls.forEach((l, j) => {
      const pr = sigmoid(l);
      expect(m[j]).toBeCloseTo(pr, 6);
      expect(v[j]).toBeCloseTo(pr * (1 - pr), 6);
      expect(h[j]).toBeCloseTo(-pr * Math.log(pr) - (1 - pr) * Math.log(1 - pr), 5);
    });
    // Entropy stays finite where σ saturates in float32.
    const sat = new Bernoulli([-120, 120]);
    const hs = sat.entropy();
    hs.dataSync().forEach((x) => expect(x).toBeCloseTo(0, 6));
    tf.dispose([sT, mT, vT, hT, hs]);
    p.dispose();
    sat.dispose();
  });

  it('has no rsample and rejects NaN logits, naming the parameter and the index', () => {
    const p = new Bernoulli(0);
    expect(p.hasRsample).toBe(false);
    expect(() => p.rsample()).toThrow(/Bernoulli: rsample is not available/);
    p.dispose();
    expect(() => new Bernoulli([0, NaN])).toThrow(/Bernoulli: logits must be a number \(not NaN\) \(shape \[2\], got NaN at flat index 1\)/);
  });
});
