import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/backend/tf.ts';
import { selectBackend } from '../../src/backend/selectBackend.ts';
import { Rng } from '../../src/random/rng.ts';
import { BananaPosterior, generateBananaData } from '../../src/targets/banana.ts';

const Z = 5;
/** A normal density written out by hand, independently of the class. */
const normalPdf = (x: number, mean: number, sd: number): number => Math.exp(-0.5 * ((x - mean) / sd) ** 2) / (sd * Math.sqrt(2 * Math.PI));

let before = 0;
beforeAll(async () => {
  await selectBackend('wasm');
  before = tf.memory().numTensors;
});
afterAll(() => expect(tf.memory().numTensors).toBe(before));

describe('BananaPosterior', () => {
  const posterior = new BananaPosterior({ y: generateBananaData(100, new Rng(2022)) });

  it('is the fully normalised log joint: a product of normal densities written by hand (n = 1 and n = 3)', () => {
    const cases = [
      { y: [0.7], sigmaY: 2, priorScale: 1 },
      { y: [1.5, -0.3, 2.2], sigmaY: 0.8, priorScale: 1.7 },
    ];
    const grad = new Float64Array(2);
    for (const { y, sigmaY, priorScale } of cases) {
      const target = new BananaPosterior({ y: Float64Array.from(y), sigmaY, priorScale });
      for (const [t1, t2] of [[0, 0], [0.4, -1.1], [-2, 0.6]]) {
        let p = normalPdf(t1, 0, priorScale) * normalPdf(t2, 0, priorScale);
        for (const yi of y) p *= normalPdf(yi, t1 + t2 * t2, sigmaY);
        expect(target.logDensityAndGrad(Float64Array.of(t1, t2), grad)).toBeCloseTo(Math.log(p), 12);
        const theta = tf.tensor2d([[t1, t2]]);
        const lpT = target.logJoint(theta);
        expect(lpT.dataSync()[0]).toBeCloseTo(Math.log(p), 4);
        tf.dispose([theta, lpT]);
      }
    }
  });

  it('logJoint (TF.js, float32) equals logDensityAndGrad (float64) on random points, values and gradients', () => {
    const rng = new Rng(11);
    const batch = 64;
    // float32-representable points, so both sides see the same θ.
    const points = Float32Array.from({ length: 2 * batch }, (_, i) => (i % 2 === 0 ? -5 + 7 * rng.uniform() : -3 + 6 * rng.uniform()));
    const theta = tf.tensor2d(points, [batch, 2]);
    const lpT = posterior.logJoint(theta);
    const gT = tf.grad((t: tf.Tensor) => tf.sum(posterior.logJoint(t)))(theta);
    expect(lpT.shape).toEqual([batch]);
    const lp32 = lpT.dataSync();
    const g32 = gT.dataSync();
    const grad = new Float64Array(2);
    for (let b = 0; b < batch; b++) {
      const lp64 = posterior.logDensityAndGrad(Float64Array.of(points[2 * b], points[2 * b + 1]), grad);
      // float32 keeps ~7 digits of the largest term; the constant (≈ −200) dominates near the ridge.
      expect(Math.abs(lp32[b] - lp64)).toBeLessThanOrEqual(2e-6 * (Math.abs(lp64) + 300));
      for (let k = 0; k < 2; k++) expect(Math.abs(g32[2 * b + k] - grad[k])).toBeLessThanOrEqual(2e-6 * (Math.abs(grad[k]) + 100));
    }
    tf.dispose([theta, lpT, gT]);
  });

  it('the JS gradient equals central finite differences', () => {
    const rng = new Rng(5);
    const grad = new Float64Array(2);
    const scratch = new Float64Array(2);
    const h = 1e-5;
    for (let trial = 0; trial < 50; trial++) {
      const x = Float64Array.of(-4 + 6 * rng.uniform(), -2.5 + 5 * rng.uniform());
      posterior.logDensityAndGrad(x, grad);
      for (let k = 0; k < 2; k++) {
        const xp = Float64Array.from(x); xp[k] += h;
        const xm = Float64Array.from(x); xm[k] -= h;
        const fd = (posterior.logDensityAndGrad(xp, scratch) - posterior.logDensityAndGrad(xm, scratch)) / (2 * h);
        // O(h² f‴) truncation + O(ε |f| / h) rounding: ~1e-7 here.
        expect(Math.abs(fd - grad[k])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(grad[k])));
      }
    }
    const x = Float64Array.of(0.25, -0.5);
    posterior.logDensityAndGrad(x, grad);
    expect(Array.from(x)).toEqual([0.25, -0.5]);
  });

  it('uses sufficient statistics that match the data', () => {
    const y = Float64Array.of(1, 2, 4);
    const target = new BananaPosterior({ y });
    expect(target.n).toBe(3);
    expect(target.mean).toBeCloseTo(7 / 3, 14);
    expect(target.centredSumOfSquares).toBeCloseTo((1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2 + (4 - 7 / 3) ** 2, 13);
    expect([target.sigmaY, target.priorScale, target.dim]).toEqual([2, 1, 2]);
    y[0] = 100; // the target holds a copy
    expect(target.y[0]).toBe(1);
  });

  it('validates its parameters with messages naming the parameter, the range and the value', () => {
    const y = Float64Array.of(1);
    expect(() => new BananaPosterior({ y, sigmaY: 0 })).toThrow(/BananaPosterior: sigmaY must be finite and > 0 \(got 0\)/);
    expect(() => new BananaPosterior({ y, sigmaY: Infinity })).toThrow(/sigmaY must be finite and > 0 \(got Infinity\)/);
    expect(() => new BananaPosterior({ y, priorScale: -1 })).toThrow(/BananaPosterior: priorScale must be finite and > 0 \(got -1\)/);
    expect(() => new BananaPosterior({ y: new Float64Array(0) })).toThrow(/BananaPosterior: y must have at least 1 value \(got length 0\)/);
    expect(() => new BananaPosterior({ y: Float64Array.of(1, NaN) })).toThrow(/BananaPosterior: y must be finite \(got NaN at index 1\)/);
    const bad = tf.zeros([3, 3]);
    expect(() => posterior.logJoint(bad)).toThrow(/logJoint: theta must have shape \[batch, 2\] \(got \[3, 3\]\)/);
    bad.dispose();
  });
});

describe('generateBananaData', () => {
  it('draws y = mean + sd·ξ, reproducibly from the seed', () => {
    const n = 100_000;
    const y = generateBananaData(n, new Rng(1), { mean: 1, sd: 2 });
    let s = 0, ss = 0;
    for (const v of y) { s += v; ss += v * v; }
    const mean = s / n;
    const variance = ss / n - mean * mean;
    expect(Math.abs(mean - 1)).toBeLessThanOrEqual(Z * 2 / Math.sqrt(n));
    expect(Math.abs(variance - 4)).toBeLessThanOrEqual(Z * 4 * Math.sqrt(2 / n));
    expect(Array.from(generateBananaData(5, new Rng(0)))).toEqual(Array.from(generateBananaData(5, new Rng(0))));
    expect(generateBananaData(100, new Rng(3))).toHaveLength(100);
    expect(() => generateBananaData(0, new Rng(1))).toThrow(/n must be an integer ≥ 1 \(got 0\)/);
  });
});
